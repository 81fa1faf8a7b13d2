#!/usr/bin/env bash
# Runs each CUDA test program (tests/cuda_programs, built by the build) on the real GPU (NVIDIA's
# libcudart) and under `gpusim exec`, and writes OUTDIR/programs.csv: program, exit codes on both,
# and whether their stdout agrees once timings are removed (device printf order across warps may
# differ on silicon: then the sorted lines are compared). Run by scripts/gpu_check.sh on a GPU.
# Usage: scripts/compare_programs.sh GPUSIM PROGRAM_DIR OUTDIR
set -uo pipefail
[ $# -eq 3 ] || { echo "usage: scripts/compare_programs.sh GPUSIM PROGRAM_DIR OUTDIR" >&2; exit 2; }
gpusim=$1 dir=$2 out=$3
mkdir -p "$out/programs"
csv="$out/programs.csv"
echo "program,gpu_exit,sim_exit,stdout" >"$csv"
# Milliseconds and rates differ by design (the model's time vs silicon's); blocks-per-SM figures
# follow the card.
normalise() { sed -E 's/[0-9]+\.[0-9]+ (ms|GFLOP\/s)/T \1/g; s/\([0-9]+ blocks[^)]*\)//'; }
status=0
for p in vector_add multi_module streams_events symbols_managed memcpy2d shared_occupancy device_malloc grid_sync \
         thrust_algorithms device_printf device_assert kernel_fault unimplemented_call; do
  [ -x "$dir/$p" ] || continue
  timeout 120 env LD_LIBRARY_PATH=/usr/local/cuda/lib64 "$dir/$p" >"$out/programs/$p.gpu.txt" 2>"$out/programs/$p.gpu.err"
  gpu=$?
  timeout 300 "$gpusim" exec --quiet -- "$dir/$p" >"$out/programs/$p.sim.txt" 2>"$out/programs/$p.sim.err"
  sim=$?
  if cmp -s <(normalise <"$out/programs/$p.gpu.txt") <(normalise <"$out/programs/$p.sim.txt"); then same=same
  elif cmp -s <(normalise <"$out/programs/$p.gpu.txt" | sort) <(normalise <"$out/programs/$p.sim.txt" | sort); then same=same-lines
  else same=differs; status=1; fi
  [ "$gpu" = "$sim" ] || status=1
  echo "$p,$gpu,$sim,$same" | tee -a "$csv"
done
exit $status
