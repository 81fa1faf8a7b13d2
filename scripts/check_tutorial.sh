#!/usr/bin/env bash
# Runs every ```sh block of docs/TUTORIAL.md, in order, in one fresh temporary folder that looks
# like a checkout (the repository's top-level entries linked in, build/ -> BUILD_DIR), so that a
# tutorial command that stops working fails CI (ctest: Tutorial.EveryCommandRuns).
#   bash scripts/check_tutorial.sh [BUILD_DIR]      (default: build)
# Blocks fenced ```sh tutorial-pending need tools not merged yet: skipped, unless
# TUTORIAL_PENDING=1 (run them too, to enable them). Each block runs under bash -euo pipefail.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
tutorial=${TUTORIAL:-$root/docs/TUTORIAL.md}  # TUTORIAL=FILE: check another file
[ -x "$build/gpusim" ] || { echo "check_tutorial: no gpusim in $build (build first: bash scripts/build.sh)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gpusim_tutorial.XXXXXX")
trap 'rm -rf "$work"' EXIT
for entry in "$root"/* "$root"/.ci; do
  name=$(basename "$entry")
  [ "$name" = build ] || ln -s "$entry" "$work/$name"
done
ln -s "$build" "$work/build"
mkdir "$work/.blocks"

# Split the tutorial into one file per block: NNN.sh (to run) or NNN.pending (skipped); the first
# line of each is "# docs/TUTORIAL.md:LINE" (the file and line where it starts) so a failure names where the block starts.
awk -v dir="$work/.blocks" -v name="${tutorial#"$root"/}" '
  /^```sh( tutorial-pending)?[[:space:]]*$/ && !inside {
    inside = 1; n++; kind = ($0 ~ /tutorial-pending/) ? "pending" : "sh"
    file = sprintf("%s/%03d.%s", dir, n, kind); print "# " name ":" NR > file; next
  }
  /^```[[:space:]]*$/ && inside { inside = 0; close(file); next }
  inside { print >> file }
  END { if (inside) { print name ": a ```sh block is not closed" > "/dev/stderr"; exit 1 } }
' "$tutorial"

export PATH="$PATH:/usr/local/cuda/bin" SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
ran=0 skipped=0
cd "$work"
for block in .blocks/*; do
  where=$(head -1 "$block" | cut -c3-)
  if [[ "$block" == *.pending && "${TUTORIAL_PENDING:-0}" != 1 ]]; then
    skipped=$((skipped + 1))
    continue
  fi
  start=$(date +%s.%N)
  if ! output=$(bash -euo pipefail "$block" 2>&1); then
    echo "check_tutorial: the block at $where failed:" >&2
    sed 's/^/  | /' "$block" >&2
    echo "  output:" >&2
    printf '%s\n' "$output" | tail -40 | sed 's/^/  > /' >&2
    exit 1
  fi
  ran=$((ran + 1))
  printf 'ok  %-24s %5.1f s\n' "$where" "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
done
echo "check_tutorial: $ran blocks ran, $skipped pending blocks skipped (TUTORIAL_PENDING=1 runs them)"
[ "$ran" -gt 0 ] || { echo "check_tutorial: no \`\`\`sh block found in $tutorial" >&2; exit 1; }
