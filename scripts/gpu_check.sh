#!/usr/bin/env bash
# The one script to run on a machine with an NVIDIA GPU: runs the real-GPU tests, `gpusim compare
# all` (simulator vs GPU, default sizes, with the microbenchmarks), a measurement-only pass at
# larger sizes (re-simulated later, anywhere, with `gpusim compare --recorded`), and collects
# everything in OUTDIR:
#   gpu.csv (nvidia-smi before and after), tests_*.xml, compare.csv/.json, ubench_compare.csv,
#   measured.kernels.csv / measured.ubench.csv / measured.ini (the recording + matched config),
#   measured_large.kernels.csv, programs.csv (the CUDA test programs on the GPU and under gpusim exec),
#   measured_hopper.kernels.csv / .ini (the sm_90a workloads), programs_hopper.csv (sm_90a programs, kernel times),
#   l2_fanin.csv (k SMs loading the same L2 lines: card and model, merge_limit_blocks 0 and 1),
#   gpu_check.log.
# With BINDIR (made by scripts/gpu_bundle.sh) it uses those binaries; otherwise it builds.
#
# It only reads the GPU's state (nvidia-smi --query-gpu) and launches ordinary kernels: it never
# changes clocks, power limits, persistence or compute mode, MIG, and never resets the GPU.
# Budget: about 6 minutes on a 16-core H100 machine, plus up to ~4 for the Hopper steps; each step has its own time limit.
# Usage: scripts/gpu_check.sh OUTDIR [BINDIR]
set -uo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: scripts/gpu_check.sh OUTDIR [BINDIR]" >&2
  exit 2
fi
mkdir -p "$1" || exit 2
out=$(cd "$1" && pwd)
bindir=${2:+$(cd "$2" && pwd)}
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

smi_query() {
  nvidia-smi --query-gpu=timestamp,name,driver_version,pstate,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,power.draw,memory.total \
    --format=csv$1 >>"$out/gpu.csv" 2>>"$log"
}

echo "gpu_check $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname) ($(nproc) cores), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" | tee -a "$log"
if command -v nvidia-smi >/dev/null; then
  smi_query ""
  nvidia-smi >>"$log" 2>&1
else
  echo "nvidia-smi not found: no NVIDIA driver tools on this machine" | tee -a "$log"
  failures+=("nvidia-smi-missing")
fi

if [ -n "$bindir" ]; then
  export LD_LIBRARY_PATH="$bindir/deps${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  gpusim=$bindir/gpusim tests=$bindir programs=$bindir/cuda_programs
else
  if ! step build 420 bash scripts/build.sh; then
    echo "FAILED: build (see $log)" | tee -a "$log"
    exit 1
  fi
  gpusim=./build/gpusim tests=./build/tests
fi

step tests-runtime 120 "$tests/test_runtime" --gtest_filter='Cuda*' --gtest_output="xml:$out/tests_runtime.xml"
step tests-validation 120 "$tests/test_validation" --gtest_filter='ValidationGpu*' --gtest_output="xml:$out/tests_validation.xml"
step tests-framework 180 "$tests/test_framework" --gtest_filter='*/gpu' --gtest_output="xml:$out/tests_framework.xml"
# ctest counts a skipped test as passed: on a GPU machine a skip means the GPU was not used.
if grep -q '<skipped' "$out"/tests_*.xml 2>/dev/null || grep -q 'result="skipped"' "$out"/tests_*.xml 2>/dev/null; then
  echo "== GPU tests were SKIPPED: the cuda backend is not usable here:" | tee -a "$log"
  grep -h -o 'message="[^"]*"' "$out"/tests_*.xml | sort -u | head -3 | tee -a "$log"
  failures+=("cuda-backend-unusable")
fi

# The CUDA test programs natively and under gpusim exec: same exit codes, same output.
if [ -d "${programs:-./build/tests/cuda_programs}" ]; then
  step programs 600 bash scripts/compare_programs.sh "$gpusim" "${programs:-./build/tests/cuda_programs}" "$out"
fi
step run-both 120 "$gpusim" run sgemm_tiled --backend both --config configs/h100.ini
step compare 420 "$gpusim" compare all --config configs/h100.ini --match --calibrate --record "$out/measured" \
  --csv "$out/compare.csv" --json "$out/compare.json" --ubench-csv "$out/ubench_compare.csv"
step measure-large 180 "$gpusim" compare vecadd:16777216 window_sum_naive:16777216 window_sum_shared:16777216 \
  sgemm_naive:512x512x512 sgemm_tiled:512x512x512 reduce_sum:8388608 softmax:4096x1024 \
  wmma_gemm:1024x1024x1024 transpose_unpadded:4096x4096 transpose_padded:4096x4096 \
  --config configs/h100.ini --match --no-sim --no-ubench --record "$out/measured_large"
# L2 fan-in (docs/VALIDATION.md, "L2 fan-in"): k SMs load the same lines at once; the card's cold
# cycles/line at k = 8 select l2.merge_limit_blocks (the command prints which value).
step l2-fanin 180 "$gpusim" l2-fanin --config configs/h100.ini --backend both --csv "$out/l2_fanin.csv"
# Hopper (sm_90a: TMA, wgmma, mbarrier rings): the GEMM at the sizes of docs/PERFORMANCE.md and the
# attention kernel at two shapes, measured only (each run checks the CPU reference, so fewer runs);
# re-simulate afterwards, anywhere: gpusim compare --recorded "$out/measured_hopper.kernels.csv"
# (its matched configuration measured_hopper.ini carries h100.ini's [cluster], [tma], tensor.wgmma_*).
cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1)
if [ "$cc" != 9.0 ]; then
  echo "== measure-hopper, programs-hopper: skipped, the card is compute capability '${cc:-unknown}', not 9.0 (sm_90a)" | tee -a "$log"
else
step measure-hopper 300 "$gpusim" compare hopper_gemm:512x512x512 hopper_gemm:1024x1024x1024 \
  hopper_gemm:2048x2048x1024 flash_attention:1x1024x64 flash_attention:4x1024x128 \
  --config configs/h100.ini --match --no-sim --no-ubench --warmup 1 --reps 5 --record "$out/measured_hopper"
# The sm_90a CUDA programs (cluster histogram with distributed shared memory, TMA GEMM, attention)
# natively and under gpusim exec on h100.ini in timing mode: exit codes, outputs, and the kernel
# times they print to stderr (CUDA events: measured on the card, simulated under exec).
if [ -d "${programs:-./build/tests/cuda_programs}" ]; then
  step programs-hopper 300 bash scripts/compare_programs.sh --hopper "$gpusim" "${programs:-./build/tests/cuda_programs}" "$out"
fi
fi
command -v nvidia-smi >/dev/null && smi_query ",noheader"

if [ ${#failures[@]} -gt 0 ]; then
  echo "FAILED: ${failures[*]} (details in $log)" | tee -a "$log"
  exit 1
fi
echo "gpu_check: all steps passed; results in $out" | tee -a "$log"
