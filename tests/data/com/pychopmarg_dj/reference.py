# Reference COM values from PyChOpMarg 3.4.0 for lightlane's 802.3dj-KR (DFE receiver, fixed FFE taps) set.
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
thru_path, fext_path, fext_scale, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
mlsd = len(sys.argv) > 5 and sys.argv[5] == "mlsd"  # the MLSD reference receiver (178A.1.10)
p = com_params("KR")
p = replace(p, Nwg=0, mlsd=mlsd, N_qb=0,
            rx_taps_min=p.rx_taps_min[:p.Nfix], rx_taps_max=p.rx_taps_max[:p.Nfix],
            tx_taps_min=[0, 0, -0.1, -0.1, 0, 0], tx_taps_max=[0, 0, 0, 0, 0, 0],
            tx_taps_step=[0, 0, 0.05, 0.05, 0, 0])
res = {"pychopmarg": "3.4.0", "thru": thru_path, "fext": fext_path, "fext_scale": fext_scale, "cases": {}}
for case in ("A1", "A2"):
    chans = {"THRU": [sdd(thru_path)], "FEXT": [], "NEXT": []}
    if fext_path != "none":
        chans["FEXT"] = [sdd(fext_path, fext_scale, "fext")]
    t = time.time()
    c = COM(p, chans, tx_device=device_model("KR", case, False), rx_device=device_model("KR", case, True))
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
json.dump(res, open(out, "w"), indent=1)
