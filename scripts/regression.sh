#!/usr/bin/env bash
# The regression of lightlane's results against the golden files in tests/golden/regression/
# (scripts/regression.py says what is compared and how strictly): builds, then runs every case.
# Usage: scripts/regression.sh [--backend cpu|cuda] [--update] [--only CASE]
#   --backend cuda: the nightly GPU job (exact against CUDA goldens made on the same build, else
#                   statistical against the CPU's); --update: write the goldens for the backend.
# Prints one line per case and "N passed, N failed"; exit code 1 on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)" --target lightlane > /dev/null
exec python3 scripts/regression.py build/lightlane "$@"
