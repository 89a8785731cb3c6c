#!/usr/bin/env bash
# Builds lightlane and runs every test (ctest). Tests labelled `gpu` run the same bodies on the
# CUDA backend and skip when no GPU answers. Extra arguments go to ctest (e.g. -L cpu).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
