#!/usr/bin/env bash
# Two local SLURM clusters at once (scripts/slurm_local.sh in two folders), as when two test runs
# share a machine: both must come up, on different ports, and each must run a job. Exit 77 (the
# test is skipped) without root or SLURM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'bash "$here/slurm_local.sh" stop "$work/a" >/dev/null 2>&1 || true; bash "$here/slurm_local.sh" stop "$work/b" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bash "$here/slurm_local.sh" start-if-available "$work/a"
[ -s "$work/a/slurm.conf" ] || { echo "skipped: no local SLURM"; exit 77; }
bash "$here/slurm_local.sh" start "$work/b"
port_a=$(sed -n 's/^SlurmctldPort=//p' "$work/a/slurm.conf")
port_b=$(sed -n 's/^SlurmctldPort=//p' "$work/b/slurm.conf")
[ "$port_a" != "$port_b" ] || { echo "FAIL: both clusters on port $port_a"; exit 1; }
export PATH="$PATH:/usr/sbin"
for c in a b; do SLURM_CONF="$work/$c/slurm.conf" sbatch --wrap "echo job of $c" -o "$work/$c/out.txt" >/dev/null; done
for c in a b; do
  for _ in $(seq 300); do [ -s "$work/$c/out.txt" ] && break; sleep 0.1; done
  [ "$(cat "$work/$c/out.txt" 2>/dev/null)" = "job of $c" ] || { echo "FAIL: cluster $c ran no job (output: '$(cat "$work/$c/out.txt" 2>/dev/null)')"; exit 1; }
done
echo "two clusters at once: ports $port_a and $port_b, one job each"
