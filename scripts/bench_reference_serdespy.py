#!/usr/bin/env python3
"""serdespy's side of scripts/bench_reference.sh: a PAM4 lane of 1,048,575 symbols (PRQS10) at 32
samples per UI, as serdespy (1.0) builds one: the symbols as a sampled waveform
(Transmitter.oversample), a low-pass channel by FFT convolution, Gaussian noise, a 16-tap FFE (5 before the
cursor), a 1-tap DFE (serdespy's pam4_DFE), then the decisions and the symbol errors. The lane's
figures are chosen to resemble lightlane's default lane (a 4th-order low-pass near 0.7 x the
symbol rate, an error ratio near 1e-4), not to reproduce its physics: what is timed is the work a
time-domain SerDes simulator does per symbol. Prints the seconds of the simulation (not of the
imports) and the symbol rate, as `serdespy: SECONDS s, RATE Msymbol/s, ERRORS symbol errors`.
"""

import time

import numpy as np
import scipy.signal
import serdespy as sdp


def main():
    samples_per_symbol = 32
    symbol_rate = 106.25e9
    t_step = 1.0 / symbol_rate / samples_per_symbol
    levels = np.array([-0.75, -0.25, 0.25, 0.75])
    data = sdp.prqs10(1)  # 2^20 - 1 symbols, serdespy's PRQS10
    # A 4th-order Bessel low-pass at 75 GHz as the channel's impulse response, 64 UI long.
    b, a = scipy.signal.bessel(4, 2 * np.pi * 75e9, analog=True, norm="mag")
    t = np.arange(64 * samples_per_symbol) * t_step
    _, h = scipy.signal.impulse((b, a), T=t)
    h = h * t_step

    start = time.perf_counter()
    tx = sdp.Transmitter(data, levels, symbol_rate / 2)  # its "frequency": the Nyquist frequency
    tx.oversample(samples_per_symbol)
    signal = tx.signal_ideal
    received = scipy.signal.fftconvolve(signal, h)[: signal.size]
    rx = sdp.Receiver(received, samples_per_symbol, symbol_rate / 2, levels)
    rx.noise(0.065)
    ffe = np.zeros(16)
    ffe[5] = 1.0  # the cursor; the band is wide enough that the FFE's work, not its taps, counts
    rx.FFE(ffe, 5)
    rx.pam4_DFE(np.array([0.05]))
    decided = rx.signal[::samples_per_symbol]
    thresholds = (levels[1:] + levels[:-1]) / 2
    symbols = np.searchsorted(thresholds, decided)
    # The receiver's shift moves the sampling instants by whole symbols: the lag that aligns them.
    n = min(symbols.size, data.size) - 256
    errors = min(int(np.count_nonzero(symbols[128 + lag : 128 + lag + n] != data[128 : 128 + n]))
                 for lag in range(-64, 65))
    seconds = time.perf_counter() - start
    print(f"serdespy: {seconds:.3f} s, {data.size / seconds / 1e6:.4f} Msymbol/s, "
          f"{errors} symbol errors")


if __name__ == "__main__":
    main()
