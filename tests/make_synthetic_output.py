#!/usr/bin/env python3
"""Write a small synthetic lightlane output file (the HDF5 layout of host/hdf5_writer.hpp).

Usage: make_synthetic_output.py OUT.h5 [--single]

Default: a 3 x 2 sweep over driver.swing_vpp and laser.power_dbm (6 points) of a PAM4 link,
with one point that saw no bit errors (plotted as an upper limit) and one that never ran (fill
values: zero counts, NaN ratios, stop_reason = not_run), so the plotting scripts meet every
case a real file can hold. --single: one point and no swept keys.

The counts are invented; the eye histograms are drawn from a noisy PAM4 waveform so that the
eye plot shows something recognisable.
"""

import argparse
import sys

import h5py
import numpy as np

NOT_RUN, TARGET_ERRORS, BIT_BUDGET = 0, 1, 2
AMPLITUDE_BINS, PHASE_BINS = 96, 64


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


def write(path, single):
    rng = np.random.default_rng(12345)
    if single:
        swept = {}
        points = 1
    else:
        swing = np.repeat([0.6, 0.9, 1.2], 2)
        power = np.tile([0.0, 3.0], 3)
        swept = {"driver.swing_vpp": (swing, "V"), "laser.power_dbm": (power, "dBm")}
        points = swing.size

    amplitude = np.linspace(-1.5, 1.5, AMPLITUDE_BINS, endpoint=False) + 1.5 / AMPLITUDE_BINS
    phase = np.linspace(-1.0, 1.0, PHASE_BINS, endpoint=False) + 1.0 / PHASE_BINS

    # Invented per-point results: better SNR with more swing and more power.
    if single:
        bits = np.array([2_000_000_000], dtype=np.uint64)
        bit_errors = np.array([137], dtype=np.uint64)
        stop = np.array([TARGET_ERRORS], dtype=np.uint8)
    else:
        bits = np.array([10**8, 10**8, 4 * 10**9, 2 * 10**10, 10**11, 0], dtype=np.uint64)
        bit_errors = np.array([91_000, 8_300, 20_000, 11, 0, 0], dtype=np.uint64)
        stop = np.array([TARGET_ERRORS, TARGET_ERRORS, TARGET_ERRORS, TARGET_ERRORS, BIT_BUDGET,
                         NOT_RUN], dtype=np.uint8)
    run = bits > 0
    symbols = bits // np.uint64(2)
    symbol_errors = (bit_errors * np.uint64(9)) // np.uint64(10)
    ber = np.full(points, np.nan)
    ber_lo = np.full(points, np.nan)
    ber_hi = np.full(points, np.nan)
    ser = np.full(points, np.nan)
    ber[run] = bit_errors[run] / bits[run]
    ser[run] = symbol_errors[run] / symbols[run]
    # Rough 95 % interval (the simulator writes exact Clopper-Pearson bounds): k +- 2 sqrt(k),
    # and -ln(0.025) = 3.69 expected errors as the upper limit when none were seen.
    k = bit_errors[run].astype(float)
    n = bits[run].astype(float)
    ber_lo[run] = np.maximum(k - 2.0 * np.sqrt(k), 0.0) / n
    ber_hi[run] = np.where(k > 0, k + 2.0 * np.sqrt(k) + 1.0, 3.69) / n

    sigmas = np.linspace(0.16, 0.06, points)
    eye = np.zeros((points, AMPLITUDE_BINS, PHASE_BINS), dtype=np.uint32)
    eye_offset = np.full(points, np.nan)
    eye_scale = np.full(points, np.nan)
    for p in range(points):
        if run[p]:
            eye[p] = eye_histogram(rng, amplitude, phase, sigmas[p])
            eye_offset[p] = 0.45e-3 + 0.05e-3 * p
            eye_scale[p] = 0.25e-3 + 0.02e-3 * p

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

        names = []
        for key, (values, units) in swept.items():
            name = key.replace(".", "_")
            names.append(name)
            dataset = h5.create_dataset(name, data=np.asarray(values, dtype=np.float64))
            string_attrs(dataset, units=units, long_name=key)
            dataset.dims[0].attach_scale(point_scale)
        coordinates = " ".join(names)

        def per_point(name, data, units, long_name, fill=None):
            dataset = h5.create_dataset(name, data=data, fillvalue=fill)
            string_attrs(dataset, units=units, long_name=long_name)
            if fill is not None:
                dataset.attrs["_FillValue"] = np.array(fill, dtype=data.dtype)
            if coordinates:
                dataset.attrs["coordinates"] = coordinates
            dataset.dims[0].attach_scale(point_scale)
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
                            "why the Monte-Carlo run of the point stopped", NOT_RUN)
        stop_ds.attrs["flag_values"] = np.array([0, 1, 2], dtype=np.uint8)
        stop_ds.attrs["flag_meanings"] = "not_run target_errors bit_budget"
        eye_ds = per_point("eye_histogram", eye, "1", "eye diagram sample counts", 0)
        eye_ds.dims[1].attach_scale(amplitude_scale)
        eye_ds.dims[2].attach_scale(phase_scale)
        per_point("eye_offset_a", eye_offset, "A", "photocurrent at normalised eye amplitude 0",
                  np.nan)
        per_point("eye_scale_a", eye_scale, "A",
                  "photocurrent per unit of normalised eye amplitude", np.nan)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="HDF5 file to write (overwritten)")
    parser.add_argument("--single", action="store_true",
                        help="one point and no swept keys instead of a 3 x 2 sweep")
    args = parser.parse_args(argv)
    write(args.out, args.single)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
