# Reference COM values from PyChOpMarg 3.4.0 for lightlane's 802.3dj sets (fixed FFE taps only).
# python reference.py GROUP CASES THRU FEXT FEXT_SCALE OUT.json [mlsd] [ingress]
#   GROUP: KR, C2C, CR or C2M (ieee_8023dj_d3p3.com_params); CASES: comma-separated package
#   cases, each "A1" (the same case at both ends) or "TX:RX" (CR host classes "HN:HL", C2M
#   components "host:module"); FEXT "none" for none.
import sys, time, json
from dataclasses import replace
from pathlib import Path
import numpy as np
import skrf as rf
from pychopmarg.com import COM
from pychopmarg.config.ieee_8023dj_d3p3 import com_params, device_model
def sdd(path, scale=1.0, name=None):
    n = rf.Network(str(path))
    n.se2gmm(p=2)  # lightlane's example files: pairs (1,2) -> (3,4)
    d = rf.Network(frequency=n.frequency, s=n.s[:, :2, :2] * scale, z0=100.0)
    d.name = name or Path(path).stem
    return d
group, cases, thru_path, fext_path, fext_scale, out = sys.argv[1:7]
fext_scale = float(fext_scale)
mlsd = "mlsd" in sys.argv[7:]  # the MLSD reference receiver (178A.1.10)
direction = "ingress" if "ingress" in sys.argv[7:] else "egress"
p = com_params(group, direction)
p = replace(p, Nwg=0, mlsd=mlsd, N_qb=0,
            rx_taps_min=p.rx_taps_min[:p.Nfix], rx_taps_max=p.rx_taps_max[:p.Nfix],
            tx_taps_min=[0, 0, -0.1, -0.1, 0, 0], tx_taps_max=[0, 0, 0, 0, 0, 0],
            tx_taps_step=[0, 0, 0.05, 0.05, 0, 0])
res = {"pychopmarg": "3.4.0", "group": group, "direction": direction, "thru": thru_path,
       "fext": fext_path, "fext_scale": fext_scale, "cases": {}}
for case in cases.split(","):
    tx_case, rx_case = case.split(":") if ":" in case else (case, case)
    chans = {"THRU": [sdd(thru_path)], "FEXT": [], "NEXT": []}
    if fext_path != "none":
        chans["FEXT"] = [sdd(fext_path, fext_scale, "fext")]
    t = time.time()
    # The NEXT aggressor transmits from the receiver's end (its host class).
    # C2M: the files are host channels, which hold the host's board: no partial host channel.
    host = group != "C2M"
    c = COM(p, chans, tx_device=device_model(group, tx_case, False, host),
            rx_device=device_model(group, rx_case, True, host),
            next_device=device_model(group, rx_case, False, host))
    com = float(c())
    r = c.com_rslts; f = c.fom_rslts
    res["cases"][case] = {"com_db": com, "fom_db": float(f["FOM"]), "A_s": float(r["As"]), "A_ni": float(r["Ani"]),
        "sigma_tx": float(r["sigma_Tx"]), "sigma_n": float(r["sigma_N"]), "sigma_j": float(r["sigma_J"]),
        "sigma_isi": float(r["sigma_ISI"]), "sigma_xt": float(r["sigma_XT"]),
        "g_dc": float(c.gDC), "g_dc2": float(c.gDC2), "tx_taps": [float(x) for x in c._tx_combs[c.tx_ix]],
        "rx_taps": [float(x) for x in c.rx_taps], "dfe": [float(x) for x in c.dfe_taps],
        "cursor_ix": int(r["cursor_ix"]), "seconds": time.time() - t}
    if mlsd:
        res["cases"][case].update({
            "com_dfe_db": float(r["COM_DFE"]), "g_an": float(r["g_an"]), "der_mlsd": float(r["DER_MLSD"]),
            "delta_com_mlsd_db": float(r["delta_COM_mlsd"]), "mlsd_terms": int(r["mlsd_terms"])})
    print(case, res["cases"][case], flush=True)
    json.dump(res, open(out, "w"), indent=1)  # after every case: a stopped run keeps the ones done
