#!/usr/bin/env bash
# Speed work must not move a single simulated cycle: runs every workload on the v100, h100 and
# teaching configurations (timing mode, one host thread unless THREADS says otherwise) with a given gpusim binary and stores the
# --stats JSON and the printed output (host time removed) per run, so that two binaries' results can
# be compared byte for byte.
#   scripts/stats_identical.sh run BINARY OUTDIR [SIZE_ARGS...]   -> OUTDIR/<config>_<workload>.{json,txt}
#   SMALL=1 scripts/stats_identical.sh run ...   the same with small sizes (a loaded machine: seconds, not minutes)
#   THREADS=2 scripts/stats_identical.sh run ...  the same with 2 host threads (--threads may be given only once)
#   scripts/stats_identical.sh diff DIR_A DIR_B                    -> exit 1 and the differences if any
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?run|diff}
case "$mode" in
  run)
    bin=${2:?binary}; out=${3:?output dir}; shift 3
    mkdir -p "$out"
    workloads=$("$bin" list | awk '/^  [a-z_]+ / {print $1}')
    for cfg in v100 h100 teaching; do
      for w in $workloads; do
        # The host-time figures of the printed report are the only thing allowed to differ. A run
        # that fails (the sm_90a workloads on v100/teaching) is compared by its message.
        size=()
        if [ -n "${SMALL:-}" ]; then
          case "$w" in
            sgemm_*|wmma_gemm) size=(--size 128x128x64) ;;
            softmax) size=(--size 64x512) ;;
            transpose_*) size=(--size 256x256) ;;
            hopper_gemm) size=(--size 128x256x128) ;;
            flash_attention) size=(--size 1x128x64) ;;
            *) size=(--size 65536) ;;
          esac
        fi
        "$bin" run "$w" --config "configs/$cfg.ini" --threads "${THREADS:-1}" --stats "$out/${cfg}_$w.json" "${size[@]}" "$@" 2>&1 |
          sed -E 's/host [0-9.]+ s \([0-9.]+M warp-inst\/s\), //' >"$out/${cfg}_$w.txt" || true
      done
    done
    ;;
  diff)
    a=${2:?dir a}; b=${3:?dir b}
    status=0
    for f in "$a"/*; do
      g="$b/$(basename "$f")"
      if ! cmp -s "$f" "$g"; then echo "DIFFERS: $(basename "$f")"; diff "$f" "$g" | head -20; status=1; fi
    done
    [ "$(ls "$a" | wc -l)" = "$(ls "$b" | wc -l)" ] || { echo "file counts differ"; status=1; }
    [ $status = 0 ] && echo "identical: $(ls "$a" | wc -l) files"
    exit $status
    ;;
  *) echo "usage: $0 run BINARY OUTDIR | diff DIR_A DIR_B" >&2; exit 2 ;;
esac
