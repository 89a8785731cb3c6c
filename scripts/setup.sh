#!/usr/bin/env bash
# Installs what lightlane needs to build, test and plot on Debian 12 (bookworm): the toolchain
# and C++ libraries from apt, the Python modules of the plotting scripts and tests from pip.
#
# Usage: scripts/setup.sh        (as root, or as a user who may sudo)
#
# Idempotent and quick on a machine that already has everything: apt is skipped when dpkg
# reports every package installed, pip when python3 imports every module. The CUDA toolkit is
# not installed here; the build enables the CUDA backend only when it finds nvcc.
set -euo pipefail

APT_PACKAGES=(
  build-essential cmake git pkg-config
  libhdf5-dev hdf5-tools
  libcli11-dev libtomlplusplus-dev libfftw3-dev librandom123-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-math-dev
  python3 python3-pip python3-dev
)
# nanobind builds the Python module (python/), pytest and tqdm test it.
PIP_PACKAGES=(h5py numpy matplotlib xarray h5netcdf scipy nanobind pytest tqdm)
PYTHON_MODULES="h5py, numpy, matplotlib, xarray, h5netcdf, scipy, nanobind, pytest, tqdm"

say() { printf 'setup.sh: %s\n' "$*"; }
die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }

# apt needs root: run it directly as root, through sudo otherwise.
as_root() {
  if [[ ${EUID} -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for '$*': run as root or install sudo"
  fi
}

# ---- apt ---------------------------------------------------------------------------------------
# `dpkg -s` also succeeds for a removed package whose configuration files remain, so look at its
# Status line rather than the exit code.
missing=()
for package in "${APT_PACKAGES[@]}"; do
  if ! dpkg -s "${package}" 2>/dev/null | grep -q '^Status: install ok installed$'; then
    missing+=("${package}")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  say "apt: all ${#APT_PACKAGES[@]} packages already installed, skipping apt-get"
else
  say "apt: missing ${missing[*]}"
  say "apt: apt-get update"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  # Install the whole list, not only the missing ones, so apt also repairs half-configured
  # packages; already installed ones cost nothing.
  say "apt: apt-get install -y --no-install-recommends ${APT_PACKAGES[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
fi

# ---- pip ---------------------------------------------------------------------------------------
command -v python3 >/dev/null 2>&1 || die "python3 not found after the apt step"

if python3 -c "import ${PYTHON_MODULES}" >/dev/null 2>&1; then
  say "pip: python3 ($(command -v python3)) already imports ${PYTHON_MODULES}, skipping pip"
else
  pip_command=(python3 -m pip install --quiet "${PIP_PACKAGES[@]}")
  say "pip: ${pip_command[*]}"
  # Debian's own python3 refuses pip installs outside a virtual environment (PEP 668,
  # "externally-managed-environment"). Only then, retry with --break-system-packages: other
  # interpreters (a venv, pyenv) take the plain install and must not get a flag they may reject.
  if ! pip_output=$("${pip_command[@]}" 2>&1); then
    if grep -q 'externally-managed-environment' <<<"${pip_output}"; then
      say "pip: this python3 is externally managed (PEP 668), retrying with" \
          "--break-system-packages"
      "${pip_command[@]}" --break-system-packages
    else
      printf '%s\n' "${pip_output}" >&2
      die "pip install failed"
    fi
  elif [[ -n ${pip_output} ]]; then
    printf '%s\n' "${pip_output}"
  fi
  python3 -c "import ${PYTHON_MODULES}" ||
    die "python3 still cannot import ${PYTHON_MODULES} after pip install"
  say "pip: done"
fi

say "all dependencies present; build with:"
say "  cmake -S . -B build && cmake --build build -j && ctest --test-dir build -L cpu"
