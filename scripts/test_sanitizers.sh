#!/usr/bin/env bash
# The CPU tests under AddressSanitizer and UndefinedBehaviorSanitizer (CI runs this after
# scripts/test.sh): a separate build tree, build-sanitize/, without CUDA (nvcc's host pass does
# not take the sanitizers) and without the benchmarks, optimised (-O1 keeps the Monte-Carlo tests
# within minutes) with frame pointers for readable reports; any report fails its test (UBSan
# does not recover, ASan aborts). Runs the `cpu` and `fuzz` labels: the fuzzed inputs through an
# instrumented binary find what a plain crash-free run hides. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
# Without the Python module: an instrumented extension would need the sanitizers' runtime loaded
# ahead of the interpreter (the module's tests run in scripts/test.sh's build).
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DLIGHTLANE_CUDA=OFF -DLIGHTLANE_PYTHON=OFF \
  -DLIGHTLANE_BENCHMARKS=OFF -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
cmake --build build-sanitize -j "$(nproc)"
# Leak checking needs ptrace, which containers may refuse; halt at the first error of any kind.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
# Two Monte Carlo comparisons are left out here (six minutes of the phase's CPU under the
# instrumentation): their code, the statistical eye and the engine's Monte Carlo loop, runs under
# the sanitizers in the StatEye and engine tests beside them, and they run uninstrumented in
# scripts/test.sh.
heavy='^StatEye\.(LinearChainMatchesMonteCarloFrom1e3To1e5|ReceiverEqualiserMatchesMonteCarlo)$'
ctest --test-dir build-sanitize --output-on-failure -j "$(nproc)" -L "cpu|fuzz" -E "$heavy" "$@"
