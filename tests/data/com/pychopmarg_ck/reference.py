# Reference COM values from PyChOpMarg 3.4.0 (its annex 93A path, OptMode.PRZF) for lightlane's
# 802.3ck sets: the IEEE 802.3ck COM configuration sheets' numbers, entered by hand below.
# python reference.py [KR|CR|C2C] THRU OUT.json
import sys, time, json
from dataclasses import replace
from pathlib import Path
import numpy as np
import skrf as rf
from pychopmarg.com import COM
from pychopmarg.common import OptMode
from pychopmarg.config.template import COMParams
def sdd(path):
    n = rf.Network(str(path))
    n.se2gmm(p=2)  # lightlane's example files: pairs (1,2) -> (3,4)
    d = rf.Network(frequency=n.frequency, s=n.s[:, :2, :2], z0=100.0)
    d.name = Path(path).stem
    return d
group, thru_path, out = sys.argv[1:4]
fb = 53.125
# config_com_ieee8023_93a=3ck_SA_KR_08_17_2022.xlsx (IEEE P802.3ck tools page), without its
# floating DFE taps; the transmit FFE grid reduced to c(-1), c(+1) in [-0.1, 0] by 0.05.
p = COMParams(
    fb, 0.01, 4, 32, 1e-4, 0.0075, 0.95, 0.413, 0.413, 0.608, 50,
    0.02, 33, 8.2e-9, 0.01,
    fb / 2.5, fb / 2.5, fb, fb / 80, [float(-n) for n in range(21)], [float(-n) for n in range(7)],
    [0.0, 0.0, -0.1, -0.1, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.05, 0.05, 0.0, 0.0], 0.54,
    0.75, np.array([0.3, 0.05] + [-0.03] * 10), np.array([0.85, 0.3] + [0.2] * 5 + [0.1] * 5),
    np.array([]), np.array([]), 0,
    np.array([50.]), [1.2e-4], [0.3e-4], [0.87e-4], [0.12], [87.5, 92.5], [12., 31.],
    1e-7, 9.909e-4, 2.772e-4, 6.141e-3)  # gamma_0 0 in the sheet; PyChOpMarg takes 1e-7 at least
p = replace(p, z_pB=1.8, zp_cases=[
    {"zp_tx": [12., 1.8], "zp_rx": [12., 1.8], "zp_next": [12., 1.8], "zp_fext": [12., 1.8]},
    {"zp_tx": [31., 1.8], "zp_rx": [29., 1.8], "zp_next": [29., 1.8], "zp_fext": [31., 1.8]}])
if group == "CR":  # the CR_CA sheet: the hosts' boards at every end ("Include PCB" 1)
    p = replace(p, eta_0=9e-9, SNR_TX=32.5, include_pcb=1, zbp_tx=110.3, zbp_rx=110.3, zbp_next=110.3,
                zbp_fext=110.3, brd_Z_c=[100., 100.], brd_gamma0_a1_a2=[0.0, 3.8206e-4, 9.5909e-5],
                brd_tau=5.79e-3, brd_C0=[2.9e-5, 2.9e-5], brd_C1=[1.9e-5, 1.9e-5])
elif group == "C2C":  # the 120F_C2C sheet
    p = replace(p, DER_0=1e-5, eta_0=2e-8, g_DC2=[float(-n) for n in range(5)],
                dfe_min=np.array([0.3, 0.05] + [-0.04] * 4), dfe_max=np.array([0.65, 0.15] + [0.1] * 4),
                zp_cases=[
                    {"zp_tx": [13., 1.8], "zp_rx": [11., 1.8], "zp_next": [11., 1.8], "zp_fext": [13., 1.8]},
                    {"zp_tx": [31., 1.8], "zp_rx": [29., 1.8], "zp_next": [29., 1.8], "zp_fext": [31., 1.8]}])
elif group != "KR":
    raise SystemExit("group: KR, CR or C2C")
res = {"pychopmarg": "3.4.0", "group": group, "thru": thru_path, "cases": {}}
chans = {"THRU": [sdd(thru_path)], "FEXT": [], "NEXT": []}
t = time.time()
c = COM(p, chans)
class NoTaps(np.ndarray):
    "No receiver FFE: 3.4.0's default for none, [1.0], fails its own length check, and an empty array its\n    normalisation by the cursor tap (which this one reads as 1)."
    def __getitem__(self, k):
        return 1.0 if self.size == 0 and isinstance(k, (int, np.integer)) else super().__getitem__(k)
c.null_rx_ffe = np.array([]).view(NoTaps)
com = float(c(opt_mode=OptMode.PRZF))
res["com_db"] = com
res["seconds"] = time.time() - t
for k in ("com_rslts", "fom_rslts"):
    res[k] = {n: (float(v) if np.ndim(v) == 0 else None) for n, v in getattr(c, k).items()
              if isinstance(v, (int, float, np.floating, np.integer))}
res["case_coms"] = [float(x) for x in c.com_rslts.get("case_coms", [])]
res["g_dc"], res["g_dc2"] = float(c.gDC), float(c.gDC2)
res["dfe"] = [float(x) for x in c.dfe_taps]
res["tx_taps"] = [float(x) for x in c._tx_combs[c.tx_ix]]  # c(-3), c(-2), c(-1), c(1), c(2), c(3)
print(res, flush=True)
json.dump(res, open(out, "w"), indent=1)
