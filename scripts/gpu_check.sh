#!/usr/bin/env bash
# The one script to run on a machine with an NVIDIA GPU: builds gpusim, runs the real-GPU tests
# (ctest -R Cuda) and whichever GPU-side gpusim commands this build has, and collects everything
# in OUTDIR (gpu.csv, ctest_cuda.xml, compare.csv, ubench.csv, gpu_check.log).
#
# It only reads the GPU's state (nvidia-smi --query-gpu) and launches ordinary kernels: it never
# changes clocks, power limits, persistence or compute mode, MIG, and never resets the GPU.
# Budget: about 10 minutes in all; each step has its own time limit so one hang cannot eat it.
# Usage: scripts/gpu_check.sh OUTDIR
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: scripts/gpu_check.sh OUTDIR" >&2
  exit 2
fi
mkdir -p "$1" || exit 2
out=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/cuda/bin" SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
log="$out/gpu_check.log"
: >"$log"
failures=()

# step NAME SECONDS CMD...: runs CMD under a time limit, its output into the log.
step() {
  local name=$1 limit=$2
  shift 2
  echo "== $name: $*" | tee -a "$log"
  local t0=$SECONDS rc
  timeout "$limit" "$@" >>"$log" 2>&1
  rc=$?
  echo "== $name: exit $rc after $((SECONDS - t0)) s$([ $rc -eq 124 ] && echo " (time limit $limit s)")" | tee -a "$log"
  [ $rc -eq 0 ] || failures+=("$name")
  return $rc
}

echo "gpu_check $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname) ($(nproc) cores), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" | tee -a "$log"

if command -v nvidia-smi >/dev/null; then
  step nvidia-smi-query 30 bash -c \
    "nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem --format=csv > '$out/gpu.csv'"
  cat "$out/gpu.csv" >>"$log" 2>/dev/null
  step nvidia-smi 30 nvidia-smi
else
  echo "nvidia-smi not found: no NVIDIA driver tools on this machine" | tee -a "$log"
  failures+=("nvidia-smi-missing")
fi

if ! step build 420 bash scripts/build.sh; then
  echo "build failed: see $log" >&2
  echo "FAILED: ${failures[*]}" | tee -a "$log"
  exit 1
fi

step ctest-cuda 240 ctest --test-dir build -R Cuda --output-on-failure --timeout 120 \
  --output-junit "$out/ctest_cuda.xml"
# On a GPU machine a skipped GPU test is a failure to use the GPU (ctest counts skips as passes):
# check one directly and report the backend's own reason.
if ./build/tests/test_runtime --gtest_filter=CudaGpu.DeviceInfoIsPlausible >"$out/cuda_probe.txt" 2>&1 &&
   ! grep -q "SKIPPED" "$out/cuda_probe.txt"; then
  echo "== cuda backend: GPU in use" | tee -a "$log"
else
  echo "== cuda backend: NOT usable:" | tee -a "$log"
  grep -i "usable\|Failure" "$out/cuda_probe.txt" | head -5 | tee -a "$log"
  failures+=("cuda-backend-unusable")
fi

gpusim=./build/gpusim
if "$gpusim" compare --help >/dev/null 2>&1; then
  step compare 300 "$gpusim" compare all --config configs/h100.ini --csv "$out/compare.csv"
else
  echo "== compare: skipped (this build has no 'gpusim compare')" | tee -a "$log"
fi
if "$gpusim" ubench --help >/dev/null 2>&1; then
  step ubench 180 "$gpusim" ubench --backend cuda --csv "$out/ubench.csv"
else
  echo "== ubench: skipped (this build has no 'gpusim ubench')" | tee -a "$log"
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "FAILED: ${failures[*]} (details in $log)" | tee -a "$log"
  exit 1
fi
echo "gpu_check: all steps passed; results in $out" | tee -a "$log"
