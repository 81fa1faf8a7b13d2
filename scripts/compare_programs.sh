#!/usr/bin/env bash
# Runs each CUDA test program (tests/cuda_programs, built by the build) on the real GPU (NVIDIA's
# libcudart) and under `gpusim exec`, and writes OUTDIR/programs.csv: program, exit codes on both,
# and whether their stdout agrees once timings are removed (device printf order across warps may
# differ on silicon: then the sorted lines are compared). Run by scripts/gpu_check.sh on a GPU.
# With --hopper: the sm_90a programs instead, simulated in timing mode on configs/h100.ini, into
# OUTDIR/programs_hopper.csv with the kernel times each side printed to stderr ("... us (CUDA events)").
# Usage: scripts/compare_programs.sh [--hopper] GPUSIM PROGRAM_DIR OUTDIR
set -uo pipefail
hopper=0
if [ "${1:-}" = --hopper ]; then hopper=1; shift; fi
[ $# -eq 3 ] || { echo "usage: scripts/compare_programs.sh [--hopper] GPUSIM PROGRAM_DIR OUTDIR" >&2; exit 2; }
gpusim=$1 dir=$2 out=$3
mkdir -p "$out/programs"
programs="vector_add multi_module streams_events symbols_managed memcpy2d shared_occupancy device_malloc grid_sync
          thrust_algorithms device_printf device_assert kernel_fault unimplemented_call"
exec_options=(--quiet)
sim_limit=300
csv="$out/programs.csv"
if [ $hopper = 1 ]; then
  programs="cluster_histogram hopper_gemm hopper_attention hopper_int8_im2col"
  exec_options=(--quiet --mode timing --config "$(dirname "$0")/../configs/h100.ini")
  csv="$out/programs_hopper.csv"
  sim_limit=150  # timing mode; the GPU waits meanwhile
fi
echo "program,gpu_exit,sim_exit,stdout,gpu_kernel_us,sim_kernel_us" >"$csv"
# The kernel times a program printed to stderr, joined with ';' (empty when it prints none).
kernel_times() { sed -nE 's/.* ([0-9.]+) us \(CUDA events\).*/\1/p' "$1" | paste -sd';'; }
# Milliseconds and rates differ by design (the model's time vs silicon's); blocks-per-SM figures
# follow the card.
# How many clusters fit at once is the chip's answer too (the model's GPC split is an assumption).
normalise() {
  sed -E 's/[0-9]+\.[0-9]+ (ms|GFLOP\/s)/T \1/g; s/\([0-9]+ blocks[^)]*\)//; s/(cudaOccupancyMaxActiveClusters\([^)]*\)): [0-9]+/\1: N/'
}
status=0
for p in $programs; do
  [ -x "$dir/$p" ] || continue
  timeout 120 env LD_LIBRARY_PATH=/usr/local/cuda/lib64 "$dir/$p" >"$out/programs/$p.gpu.txt" 2>"$out/programs/$p.gpu.err"
  gpu=$?
  timeout "$sim_limit" "$gpusim" exec "${exec_options[@]}" -- "$dir/$p" >"$out/programs/$p.sim.txt" 2>"$out/programs/$p.sim.err"
  sim=$?
  if cmp -s <(normalise <"$out/programs/$p.gpu.txt") <(normalise <"$out/programs/$p.sim.txt"); then same=same
  elif cmp -s <(normalise <"$out/programs/$p.gpu.txt" | sort) <(normalise <"$out/programs/$p.sim.txt" | sort); then same=same-lines
  else same=differs; status=1; fi
  [ "$gpu" = "$sim" ] || status=1
  echo "$p,$gpu,$sim,$same,$(kernel_times "$out/programs/$p.gpu.err"),$(kernel_times "$out/programs/$p.sim.err")" | tee -a "$csv"
done
exit $status
