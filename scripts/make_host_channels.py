#!/usr/bin/env python3
"""The example host channels the SerDes presets read (scenarios/channels/*.s4p), made by a
documented physical model rather than measured (issue 23): a differential stripline between two
vias, as a 4-port Touchstone file (pairs in12_out34: 1 -> 3, 2 -> 4), from 100 MHz to 120 GHz in
100 MHz steps.

The model, per leg (the legs uncoupled: the differential mode sees each leg's line):
  - a uniform RLGC line of 50 ohm (100 ohm differential, the IEEE 802.3 reference) and effective
    permittivity eps_r, per metre: L = Z0 / v, C = 1 / (Z0 v), v = c / sqrt(eps_r);
    R(f) = R_dc + k_skin sqrt(f) (skin effect), G(f) = 2 pi f C tan_d (dielectric loss);
  - at each end a via, a shunt capacitance C_via (its pad and barrel), the one discontinuity:
    it sets the return loss and a ripple in the insertion loss (its deviation from a fit);
  - the cascade via-line-via in ABCD form, converted to S-parameters at 50 ohm.
The conductor and dielectric terms are set so that each makes about half the line's loss at the
200G lane's Nyquist frequency (53.125 GHz), as the presets' parametric channels assumed
(skin_share 0.5), and the length so that the channel's insertion loss at 53.125 GHz is the
figure each package class is cited for (../shared/reference/PARAMETERS.md, NVIDIA at Hot Chips
2025: co-packaged about 4 dB, pluggable about 22 dB; near-package 10 dB, assumed between them).
ASSUMED (typical of low-loss laminates, not a datasheet): eps_r 3.4, tan_d 0.002, C_via 0.03 pF
(CPO: 0.015 pF, a package substrate's microvia). The numbers are the model's, not a measurement.

Usage: scripts/make_host_channels.py [--step-mhz STEP] [OUTPUT_FOLDER]
  (default scenarios/channels, 100 MHz steps). The COM tests (tests/host/test_com_ck.cpp) make
  10 MHz versions in the build tree: finer steps leave less to the reader's interpolation between
  the via reflections' ripples, so that two COM implementations that interpolate differently can
  be compared.
"""
import math
import os
import sys

import numpy as np

C0 = 299792458.0
Z_REF = 50.0
NYQUIST_HZ = 53.125e9
EPS_R = 3.4
TAN_D = 0.002
Z0 = 50.0
R_DC = 5.0  # ohm/m: a 0.1 mm x 18 um copper trace's DC resistance is about 10 ohm/m per leg

CHANNELS = [  # name, insertion loss at Nyquist (dB), via capacitance (F), what it stands for
    ("cpo_host", 4.0, 0.015e-12, "co-packaged optics: the switch package's substrate to the optical engine"),
    ("npo_host", 10.0, 0.03e-12, "near-package optics: a short board trace to the optical engine"),
    ("pluggable_host", 22.0, 0.03e-12, "pluggable module: the host board from the switch to the cage"),
]


def line_per_metre(f):
    v = C0 / math.sqrt(EPS_R)
    L = Z0 / v
    C = 1.0 / (Z0 * v)
    w = 2.0 * np.pi * f
    # Dielectric loss of a matched line, Np/m: (G/2) Z0 = pi f sqrt(eps_r) tan_d / c; the skin
    # coefficient makes the conductor's R/(2 Z0) equal to it at Nyquist.
    alpha_d_nyq = math.pi * NYQUIST_HZ * math.sqrt(EPS_R) * TAN_D / C0
    k_skin = (2.0 * Z0 * alpha_d_nyq - R_DC) / math.sqrt(NYQUIST_HZ)
    R = R_DC + k_skin * np.sqrt(f)
    G = w * C * TAN_D
    return R + 1j * w * L, G + 1j * w * C


def s_params(f, length_m, c_via):
    z, y = line_per_metre(f)
    gamma = np.sqrt(z * y)
    zc = np.sqrt(z / y)
    a = np.cosh(gamma * length_m)
    b = zc * np.sinh(gamma * length_m)
    c = np.sinh(gamma * length_m) / zc
    d = a
    yv = 1j * 2.0 * np.pi * f * c_via
    # via (shunt) x line x via: [[1,0],[yv,1]] [[a,b],[c,d]] [[1,0],[yv,1]]
    a2 = a + b * yv
    b2 = b
    c2 = yv * a + c + (yv * b + d) * yv
    d2 = yv * b + d
    den = a2 + b2 / Z_REF + c2 * Z_REF + d2
    s11 = (a2 + b2 / Z_REF - c2 * Z_REF - d2) / den
    s21 = 2.0 / den
    s22 = (-a2 + b2 / Z_REF - c2 * Z_REF + d2) / den
    return s11, s21, s22


def length_for(loss_db, c_via):
    lo, hi = 1e-4, 2.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        _, s21, _ = s_params(np.array([NYQUIST_HZ]), mid, c_via)
        if -20.0 * math.log10(abs(s21[0])) < loss_db:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def write(path, name, loss_db, c_via, meaning, step_hz=100e6):
    f = np.arange(1, int(round(120e9 / step_hz)) + 1) * step_hz
    length = length_for(loss_db, c_via)
    s11, s21, s22 = s_params(f, length, c_via)
    with open(path, "w") as out:
        out.write(f"! lightlane example host channel '{name}': {meaning}.\n")
        out.write(f"! Made by scripts/make_host_channels.py (a model, not a measurement): a 100 ohm\n")
        out.write(f"! differential stripline of {length * 1e3:.2f} mm (eps_r {EPS_R}, tan_d {TAN_D}, skin and\n")
        out.write(f"! dielectric loss about equal at 53.125 GHz) between vias of {c_via * 1e12:.3g} pF per leg;\n")
        out.write(f"! insertion loss {loss_db:g} dB at 53.125 GHz. Pairs in12_out34 (1 -> 3, 2 -> 4).\n")
        out.write("! Licence: the same as lightlane's (generated data).\n")
        out.write("# GHz S RI R 50\n")
        for k in range(len(f)):
            m = np.zeros((4, 4), dtype=complex)
            m[0, 0] = m[1, 1] = s11[k]
            m[2, 2] = m[3, 3] = s22[k]
            m[2, 0] = m[0, 2] = m[3, 1] = m[1, 3] = s21[k]
            rows = []
            for r in range(4):
                rows.append(" ".join(f"{v.real:.6e} {v.imag:.6e}" for v in m[r]))
            out.write(f"{f[k] / 1e9:.3f} " + rows[0] + "\n")
            for r in range(1, 4):
                out.write("  " + rows[r] + "\n")
    print(f"{path}: {length * 1e3:.2f} mm, {loss_db} dB at Nyquist")


def main():
    args = sys.argv[1:]
    step_hz = 100e6
    if len(args) >= 2 and args[0] == "--step-mhz":
        step_hz = float(args[1]) * 1e6
        args = args[2:]
    folder = args[0] if args else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "scenarios", "channels")
    os.makedirs(folder, exist_ok=True)
    for name, loss_db, c_via, meaning in CHANNELS:
        write(os.path.join(folder, name + ".s4p"), name, loss_db, c_via, meaning, step_hz)


if __name__ == "__main__":
    main()
