#!/usr/bin/env bash
# Installs the Debian packages gpusim needs. Idempotent: installs only what is missing.
# Needs root (as on a fresh Debian machine) and nvcc on PATH or in /usr/local/cuda/bin.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libsystemc-dev libboost-program-options-dev
      libgtest-dev googletest libbenchmark-dev nlohmann-json3-dev dataset-fashion-mnist zlib1g-dev
      libzstd-dev liblz4-dev python3-numpy clang libreadline-dev
      clang-16 libclang-rt-16-dev  # the sanitizer build (scripts/test.sh): clang 14 has no x86 _Float16
      libsqlite3-dev slurm-wlm munge  # sqlite: gpusim sweep's database; slurm/munge: its SLURM test
      chromium)  # gpusim report's test renders the page in headless chromium
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
fi
if ! command -v nvcc >/dev/null && [ ! -x /usr/local/cuda/bin/nvcc ]; then
  echo "setup: nvcc not found (expected on PATH or in /usr/local/cuda/bin): the CUDA toolkit is required to compile the workload kernels to PTX" >&2
  exit 1
fi
echo "setup: all dependencies present"
