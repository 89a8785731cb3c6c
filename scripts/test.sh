#!/usr/bin/env bash
# Builds lightlane (and its Python module) and runs every test (ctest; pytest is its `python`
# test). Tests labelled `gpu` run the same bodies on the CUDA backend and skip when no GPU
# answers. Extra arguments go to ctest (e.g. -L cpu).
set -euo pipefail
cd "$(dirname "$0")/.."
# LIGHTLANE_PYTHON=ON: the Python module and its tests are part of "every test" (a machine
# without nanobind or Python's headers fails here, naming them; scripts/setup.sh installs both).
# The module is built for the python3 on PATH, the one scripts/setup.sh installed into.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLIGHTLANE_PYTHON=ON \
  -DPython_EXECUTABLE="$(command -v python3)"
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
