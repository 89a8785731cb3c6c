# PyChOpMarg 3.4.0 references for the 802.3dj sets' floating FFE taps and quantisation noise,
# on a reduced CTLE grid so that a run takes seconds to minutes:
# python reference_fq.py GROUP CASE THRU OUT.json G_DC_FIRST:G_DC_LAST G_DC2_FIRST:G_DC2_LAST [floats] [quant] [mlsd]
#   GROUP KR, C2C, CR or C2M (ieee_8023dj_d3p3.com_params); CASE as reference.py's ("A1", "HN:HL");
#   the transmit FFE has no taps (c(0) = 1); g_DC and g_DC2 take the whole dB values in the ranges;
#   "floats": the set's floating tap groups (Nwg, Nwf, N_max); "quant": its N_qb and P_qc.
import sys, time, json
from dataclasses import replace
from pathlib import Path
import numpy as np
import skrf as rf
from pychopmarg.com import COM
from pychopmarg.config.ieee_8023dj_d3p3 import com_params, device_model
def sdd(path):
    n = rf.Network(str(path))
    n.se2gmm(p=2)  # lightlane's example files: pairs (1,2) -> (3,4)
    d = rf.Network(frequency=n.frequency, s=n.s[:, :2, :2], z0=100.0)
    d.name = Path(path).stem
    return d
group, case, thru_path, out, g1, g2 = sys.argv[1:7]
opts = sys.argv[7:]
r1 = [int(x) for x in g1.split(":")]
r2 = [int(x) for x in g2.split(":")]
p = com_params(group)
floats, quant = "floats" in opts, "quant" in opts
changes = dict(mlsd="mlsd" in opts,
               g_DC=[float(v) for v in range(r1[0], r1[1] - 1, -1)],
               g_DC2=[float(v) for v in range(r2[0], r2[1] - 1, -1)],
               tx_taps_min=[0] * 6, tx_taps_max=[0] * 6, tx_taps_step=[0] * 6)
if not floats:
    changes.update(Nwg=0, rx_taps_min=p.rx_taps_min[:p.Nfix], rx_taps_max=p.rx_taps_max[:p.Nfix])
if not quant:
    changes.update(N_qb=0)
p = replace(p, **changes)
tx_case, rx_case = case.split(":") if ":" in case else (case, case)
host = group != "C2M"
t = time.time()
c = COM(p, {"THRU": [sdd(thru_path)], "FEXT": [], "NEXT": []},
        tx_device=device_model(group, tx_case, False, host),
        rx_device=device_model(group, rx_case, True, host),
        next_device=device_model(group, rx_case, False, host))
com = float(c())
r = c.com_rslts; f = c.fom_rslts
res = {"pychopmarg": "3.4.0", "group": group, "case": case, "thru": thru_path, "options": opts,
       "g_dc_range": r1, "g_dc2_range": r2, "com_db": com, "fom_db": float(f["FOM"]),
       "A_s": float(r["As"]), "A_ni": float(r["Ani"]), "sigma_isi": float(r["sigma_ISI"]),
       "quant_step": float(r.get("quant_step", 0.0)), "sigma_q": float(r.get("sigma_Q", 0.0)),
       "g_dc": float(c.gDC), "g_dc2": float(c.gDC2),
       "rx_taps": [float(x) for x in c.rx_taps], "dfe": [float(x) for x in c.dfe_taps],
       "cursor_ix": int(r["cursor_ix"]), "seconds": time.time() - t}
if "mlsd" in opts:
    res.update({"com_dfe_db": float(r["COM_DFE"]), "delta_com_mlsd_db": float(r["delta_COM_mlsd"])})
print(json.dumps(res))
json.dump(res, open(out, "w"), indent=1)
