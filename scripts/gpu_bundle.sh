#!/usr/bin/env bash
# Packs what scripts/gpu_check.sh needs to run on a GPU machine that cannot build gpusim (no
# SystemC or Boost there): stripped gpusim and test binaries from ${BUILD_DIR:-build} and the
# shared libraries they need that a stock CUDA image lacks (SystemC, Boost.Program_options) in deps/.
# The binaries need glibc >= 2.34 and libstdc++ >= GLIBCXX_3.4.30 on the target (Ubuntu 22.04+).
# Usage: scripts/gpu_bundle.sh DIR   (then: scripts/gpu_check.sh OUTDIR DIR)
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: scripts/gpu_bundle.sh DIR" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
mkdir -p "$1/deps" "$1/lib"
for b in gpusim tests/test_runtime tests/test_validation tests/test_framework; do
  [ -x "$build/$b" ] || { echo "gpu_bundle: $build/$b is missing: build first (scripts/build.sh)" >&2; exit 1; }
  strip -o "$1/$(basename "$b")" "$build/$b"
done
for lib in libsystemc libboost_program_options; do
  path=$(ldd "$build/gpusim" | awk -v l="$lib" 'index($1, l) == 1 { print $3 }')
  [ -n "$path" ] || { echo "gpu_bundle: gpusim does not link $lib?" >&2; exit 1; }
  cp -L "$path" "$1/deps/"
done
# The simulator's CUDA libraries where `gpusim exec` looks for them (<gpusim dir>/lib), kept apart
# from deps/ (on LD_LIBRARY_PATH there) so the GPU tests load NVIDIA's driver; and the test programs.
cp "$build"/lib/libcudart.so.13 "$build"/lib/libcuda.so.1 "$1/lib/"
mkdir -p "$1/cuda_programs"
cp "$build"/tests/cuda_programs/* "$1/cuda_programs/" 2>/dev/null || true
du -sh "$1"
