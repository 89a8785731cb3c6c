#!/usr/bin/env python3
"""Write a small synthetic lightlane output file (the HDF5 layout of host/io/hdf5_writer.hpp).

Usage: make_synthetic_output.py OUT.h5 [--single | --wdm]

Default: a 3 x 2 sweep over driver.swing_vpp and laser.power_dbm (6 points) of a PAM4 link,
with one point that saw no bit errors (plotted as an upper limit) and one that never ran (fill
values: zero counts, NaN ratios, stop_reason = not_run), so the plotting scripts meet every
case a real file can hold. --single: one point and no swept keys. --wdm: a WDM bus of 4 lanes
(the `lane` dimension after `point`) over the drop-ring coupling list of
scenarios/wdm_8x200g_1p6t_stress.toml, with a known worst lane (WDM_ERRORS below); same_layout.py
holds it to the simulator's own WDM file.

The counts are invented; the eye histograms are drawn from a noisy PAM4 waveform so that the
eye plot shows something recognisable.
"""

import argparse
import sys

import h5py
import numpy as np

NOT_RUN, TARGET_ERRORS, BIT_BUDGET = 0, 1, 2
AMPLITUDE_BINS, PHASE_BINS, BATHTUB_PHASES = 96, 64, 32


def string_attrs(dataset, **attrs):
    # Variable-length UTF-8 strings, as the writer stores them (h5py's default for str).
    for key, value in attrs.items():
        dataset.attrs[key] = value


def make_scale(h5, name, values, units, long_name, dtype):
    dataset = h5.create_dataset(name, data=np.asarray(values, dtype=dtype))
    string_attrs(dataset, units=units, long_name=long_name)
    dataset.make_scale(name)  # the scale's name is the dimension name (netCDF-4 convention)
    return dataset


def eye_histogram(rng, amplitude_centres, phase_centres, sigma):
    """Counts of a PAM4 waveform with raised-cosine transitions plus Gaussian noise."""
    levels = np.array([-1.0, -1.0 / 3.0, 1.0 / 3.0, 1.0])
    traces = 4000
    # Each trace spans phase -1 .. 1 UI around a sampling instant: symbols at -1, 0, +1 UI.
    symbols = levels[rng.integers(0, 4, size=(traces, 3))]
    t = phase_centres[np.newaxis, :]
    left = np.where(t < 0.0, symbols[:, [0]], symbols[:, [1]])
    right = np.where(t < 0.0, symbols[:, [1]], symbols[:, [2]])
    # Raised-cosine transition from `left` (weight 0) to `right` (weight 1) across each UI, so
    # the eye is open at 0 UI and the traces cross at +-0.5 UI.
    frac = np.where(t < 0.0, t + 1.0, t)
    weight = 0.5 - 0.5 * np.cos(np.pi * frac)
    signal = left + (right - left) * weight
    signal = signal + rng.normal(0.0, sigma, size=signal.shape)
    step = amplitude_centres[1] - amplitude_centres[0]
    edges = np.append(amplitude_centres - step / 2, amplitude_centres[-1] + step / 2)
    counts = np.empty((amplitude_centres.size, phase_centres.size), dtype=np.uint32)
    for j in range(phase_centres.size):
        counts[:, j], _ = np.histogram(signal[:, j], bins=edges)
    return counts


# --wdm: 4 lanes at 4 points of the 1.6T port's sweep (scenarios/wdm_8x200g_1p6t_stress.toml), the
# last point not run. Errors per lane chosen so that the worst lane is known and differs by rule:
# at point 0 lane 1 has the highest BER (and the highest anywhere), but over the points lane 2
# has the highest mean log10 BER (lane 3's zero-error point counts at its upper limit). A script
# that picked the worst case, or lane 0, would plot another lane than the one the tests expect.
WDM_COUPLING = [0.0699, 0.0867, 0.1200, 0.1660]
WDM_BITS = [10**6, 10**7, 10**9, 0]  # per lane at each point; point 3 never ran
WDM_ERRORS = [[2000, 9000, 5000, 1000],     # BER 2e-3 9e-3 5e-3 1e-3: lane 1 worst here
              [1000, 2000, 8000, 500],      # 1e-4 2e-4 8e-4 5e-5
              [1000, 3000, 20000, 0],       # 1e-6 3e-6 2e-5 none (lane 3: bit budget)
              [0, 0, 0, 0]]
WDM_LANES = 4


def invented_results(single, wdm):
    """bits, bit_errors, stop_reason and the swept keys {key: (values, units)} of each mode."""
    if wdm:
        bits = np.repeat(np.array(WDM_BITS, dtype=np.uint64)[:, np.newaxis], WDM_LANES, axis=1)
        bit_errors = np.array(WDM_ERRORS, dtype=np.uint64)
        stop = np.where(bits == 0, NOT_RUN, np.where(bit_errors == 0, BIT_BUDGET, TARGET_ERRORS))
        swept = {"wdm.demux.power_coupling_in": (np.array(WDM_COUPLING), "1"),
                 "wdm.demux.power_coupling_drop": (np.array(WDM_COUPLING), "1")}
        return bits, bit_errors, stop.astype(np.uint8), swept
    if single:
        return (np.array([2_000_000_000], dtype=np.uint64), np.array([137], dtype=np.uint64),
                np.array([TARGET_ERRORS], dtype=np.uint8), {})
    # Better SNR with more swing and more power.
    swing = np.repeat([0.6, 0.9, 1.2], 2)
    power = np.tile([0.0, 3.0], 3)
    return (np.array([10**8, 10**8, 4 * 10**9, 2 * 10**10, 10**11, 0], dtype=np.uint64),
            np.array([91_000, 8_300, 20_000, 11, 0, 0], dtype=np.uint64),
            np.array([TARGET_ERRORS, TARGET_ERRORS, TARGET_ERRORS, TARGET_ERRORS, BIT_BUDGET,
                      NOT_RUN], dtype=np.uint8),
            {"driver.swing_vpp": (swing, "V"), "laser.power_dbm": (power, "dBm")})


def write(path, single, wdm=False):
    rng = np.random.default_rng(12345)
    bits, bit_errors, stop, swept = invented_results(single, wdm)
    cells = bits.shape  # [point] or, on a WDM bus, [point, lane]
    points = cells[0]

    amplitude = np.linspace(-1.5, 1.5, AMPLITUDE_BINS, endpoint=False) + 1.5 / AMPLITUDE_BINS
    phase = np.linspace(-1.0, 1.0, PHASE_BINS, endpoint=False) + 1.0 / PHASE_BINS
    bathtub_phase = np.linspace(-0.5, 0.5, BATHTUB_PHASES, endpoint=False)

    run = bits > 0
    symbols = bits // np.uint64(2)
    symbol_errors = (bit_errors * np.uint64(9)) // np.uint64(10)
    ber = np.full(cells, np.nan)
    ber_lo = np.full(cells, np.nan)
    ber_hi = np.full(cells, np.nan)
    ser = np.full(cells, np.nan)
    ber[run] = bit_errors[run] / bits[run]
    ser[run] = symbol_errors[run] / symbols[run]
    # Rough 95 % interval (the simulator writes exact Clopper-Pearson bounds): k +- 2 sqrt(k),
    # and -ln(0.025) = 3.69 expected errors as the upper limit when none were seen.
    k = bit_errors[run].astype(float)
    n = bits[run].astype(float)
    ber_lo[run] = np.maximum(k - 2.0 * np.sqrt(k), 0.0) / n
    ber_hi[run] = np.where(k > 0, k + 2.0 * np.sqrt(k) + 1.0, 3.69) / n

    sigmas = np.linspace(0.16, 0.06, bits.size).reshape(cells)
    eye = np.zeros(cells + (AMPLITUDE_BINS, PHASE_BINS), dtype=np.uint32)
    eye_offset = np.full(cells, np.nan)
    eye_scale = np.full(cells, np.nan)
    for flat, cell in enumerate(np.ndindex(cells)):
        if run[cell]:
            eye[cell] = eye_histogram(rng, amplitude, phase, sigmas[cell])
            eye_offset[cell] = 0.45e-3 + 0.05e-3 * flat
            eye_scale[cell] = 0.25e-3 + 0.02e-3 * flat

    with h5py.File(path, "w", track_order=True) as h5:
        h5.attrs["Conventions"] = "CF-1.8"
        h5.attrs["title"] = "lightlane synthetic test output"
        point_scale = make_scale(h5, "point", np.arange(points), "1", "sweep point index",
                                 np.uint64)
        amplitude_scale = make_scale(h5, "eye_amplitude", amplitude, "1",
                                     "received signal normalised to the outer levels "
                                     "(-1 lowest, +1 highest)", np.float64)
        phase_scale = make_scale(h5, "eye_phase_ui", phase, "UI",
                                 "time from the sampling instant", np.float64)
        bathtub_scale = make_scale(h5, "bathtub_phase_ui", bathtub_phase, "UI",
                                   "sampling phase from the decision instant", np.float64)
        # A WDM bus: every per-point variable has `lane` right after `point`.
        point_dims = [point_scale]
        if wdm:
            point_dims.append(make_scale(h5, "lane", np.arange(cells[1]), "1",
                                         "lane of the WDM bus (channel index, wavelength "
                                         "ascending)", np.uint64))

        names = []
        for key, (values, units) in swept.items():
            name = key.replace(".", "_")
            names.append(name)
            dataset = h5.create_dataset(name, data=np.asarray(values, dtype=np.float64))
            string_attrs(dataset, units=units, long_name=key)
            dataset.dims[0].attach_scale(point_scale)
        coordinates = " ".join(names)

        def per_point(name, data, units, long_name, fill=None, more_dims=()):
            dataset = h5.create_dataset(name, data=data, fillvalue=fill)
            string_attrs(dataset, units=units, long_name=long_name)
            if data.dtype.kind == "f":  # the writer declares the fill of ratios only (NaN)
                dataset.attrs["_FillValue"] = np.array(fill, dtype=data.dtype)
            if coordinates:
                dataset.attrs["coordinates"] = coordinates
            for axis, scale in enumerate(point_dims + list(more_dims)):
                dataset.dims[axis].attach_scale(scale)
            return dataset

        per_point("bits", bits, "1", "bits counted", 0)
        per_point("bit_errors", bit_errors, "1", "bit errors", 0)
        per_point("symbols", symbols, "1", "symbols counted", 0)
        per_point("symbol_errors", symbol_errors, "1", "symbol errors", 0)
        per_point("ber", ber, "1", "bit error ratio", np.nan)
        per_point("ber_lo", ber_lo, "1",
                  "lower bound of the 95% Clopper-Pearson interval of ber", np.nan)
        per_point("ber_hi", ber_hi, "1",
                  "upper bound of the 95% Clopper-Pearson interval of ber", np.nan)
        per_point("ser", ser, "1", "symbol error ratio", np.nan)
        stop_ds = per_point("stop_reason", stop, "1",
                            "why the point's run stopped (statistical: run.mode = \"stat\")",
                            NOT_RUN)
        stop_ds.attrs["flag_values"] = np.array([0, 1, 2, 3], dtype=np.uint8)
        stop_ds.attrs["flag_meanings"] = "not_run target_errors bit_budget statistical"
        per_point("eye_histogram", eye, "1", "eye diagram sample counts", 0,
                  (amplitude_scale, phase_scale))
        per_point("eye_offset_a", eye_offset, "A", "photocurrent at normalised eye amplitude 0",
                  np.nan)
        per_point("eye_scale_a", eye_scale, "A",
                  "photocurrent per unit of normalised eye amplitude", np.nan)
        # Monte-Carlo points have no statistical bathtub: NaN, as the simulator writes them.
        per_point("bathtub_ber", np.full(cells + (BATHTUB_PHASES,), np.nan), "1",
                  "statistical BER against the sampling phase (run.mode = \"stat\")", np.nan,
                  (bathtub_scale,))
        if wdm:
            lane = np.arange(cells[1])[np.newaxis, :] + np.zeros((points, 1))
            per_point("lane_wavelength_nm", 1310.0 + 2.29 * (lane - 1.5), "nm",
                      "the lane's channel wavelength", np.nan)
            per_point("wdm_bus_loss_db", 0.06 + 0.01 * (lane % 2), "dB",
                      "mean loss the other modulator rings of the bus impose on the lane's "
                      "channel", np.nan)
            per_point("wdm_crosstalk_db", -17.0 - lane, "dB",
                      "mean power the lane's photodiode collects from other channels, "
                      "relative to its own", np.nan)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="HDF5 file to write (overwritten)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--single", action="store_true",
                      help="one point and no swept keys instead of a 3 x 2 sweep")
    mode.add_argument("--wdm", action="store_true",
                      help="a WDM bus: 4 lanes at 4 points of a drop-ring coupling list")
    args = parser.parse_args(argv)
    write(args.out, args.single, args.wdm)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
