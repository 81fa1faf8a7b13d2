#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (clang, ASan + UBSan) into ${FUZZ_BUILD_DIR:-build-fuzz}
# and runs one target, or all of them, for SECONDS each (default 20):
#   bash scripts/fuzz.sh [TARGET|all] [SECONDS]
# TARGET: ptx_parser, gpu_config, idx, recorded_csv, fatbin, launch_args, stats_json, elf_program,
# ptx_exec (PTX that parses, run on the functional executor). The committed seeds in fuzz/corpus/<target>/
# are copied into the build folder's working corpus, which grows there (the committed one does
# not change). A crash leaves its input in <build>/artifacts/<target>/ and fails the script.
# FUZZ_SEED=N fixes libFuzzer's random seed, so that a run can be repeated: CI uses one, and a
# longer local run with the same seed, from a fresh build folder (the working corpus grows there),
# covers the inputs CI will try: libFuzzer mutates in the same order, only how far it gets in
# SECONDS depends on the machine. Unset: a new seed each run.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-all}
seconds=${2:-20}
build=${FUZZ_BUILD_DIR:-build-fuzz}
all_targets=(ptx_parser gpu_config idx recorded_csv fatbin launch_args stats_json elf_program ptx_exec)
if [ "$target" = all ]; then targets=("${all_targets[@]}"); else targets=("$target"); fi
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz: unknown target '$t' (${all_targets[*]})" >&2; exit 2; }
done
command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (bash scripts/setup.sh installs clang)" >&2; exit 2; }
cmake -S fuzz -B "$build" -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"
status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  cp -n fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $t for ${seconds}s"
  log="$build/$t.log"
  if ! "$build/fuzz_$t" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
    status=1
    echo "fuzz: $t FAILED; input in $artifacts/, log $log:" >&2
    tail -40 "$log" >&2
  fi
  # libFuzzer's final line: "Done N runs in S second(s)".
  grep -E "^Done [0-9]+ runs" "$log" | sed "s/^/fuzz: $t: /" || true
done
exit $status
