#!/usr/bin/env bash
# Installs the dependencies, builds lightlane and runs the default scenario (a 200G PAM4 lane
# swept over laser power): a summary table on stdout, results in build/lane_200g_pam4.h5, and
# the eye and BER plots beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
build/lightlane run scenarios/lane_200g_pam4.toml -o build/lane_200g_pam4.h5 --overwrite
python3 scripts/plot_eye.py build/lane_200g_pam4.h5 --point 2 --out build/lane_200g_pam4_eye
python3 scripts/plot_ber.py build/lane_200g_pam4.h5 --out build/lane_200g_pam4_ber
echo "quickstart: wrote build/lane_200g_pam4.h5 and the plots build/lane_200g_pam4_{eye,ber}.{png,svg}"
