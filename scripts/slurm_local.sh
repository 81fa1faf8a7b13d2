#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for testing `gpusim sweep --slurm` (and for running
# sweeps on a workstation through the same path as on a cluster).
#
#   scripts/slurm_local.sh start DIR   writes DIR/slurm.conf, starts munged, slurmctld and slurmd
#                                      with all their state under DIR, waits until the node is idle
#   scripts/slurm_local.sh stop DIR    stops the three daemons started by `start DIR`
#   scripts/slurm_local.sh start-if-available DIR
#                                      as start, but without root or SLURM it only says why and
#                                      exits 0 without writing DIR/slurm.conf (the test fixture:
#                                      the SLURM sweep test then skips)
#
# Then `export SLURM_CONF=DIR/slurm.conf` for sbatch/squeue/scancel. Needs root (slurmd starts
# jobs as the submitting user) and Debian's slurm-wlm and munge (scripts/setup.sh installs them).
# Cgroup-free (proctrack/linuxproc, task/none) so it runs inside containers. The ports are the
# first free pair from 16817/16818 on (not SLURM's 6817/6818, so a real installation is left
# alone); GPUSIM_SLURM_PORT sets them (slurmctld; slurmd uses the next one).
set -euo pipefail

die() { echo "slurm_local.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: slurm_local.sh start|start-if-available|stop DIR"
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)

stop_pidfile() {  # stop_pidfile FILE NAME: SIGTERM the daemon, wait up to 10 s, then SIGKILL
  local file=$1 name=$2 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "slurm_local.sh: $name did not stop, killing it" >&2; kill -9 "$pid" || true; }
  fi
  rm -f "$file"
}

stop_all() {
  stop_pidfile "$dir/slurmd.pid" slurmd
  stop_pidfile "$dir/slurmctld.pid" slurmctld
  stop_pidfile "$dir/munged.pid" munged
}
if [ "$action" = stop ]; then
  stop_all
  exit 0
fi
case "$action" in start|start-if-available) ;; *) die "unknown action '$action' (start, start-if-available or stop)" ;; esac

unavailable() {  # a missing prerequisite: an error for start, a note for start-if-available
  rm -f "$dir/slurm.conf"
  if [ "$action" = start-if-available ]; then echo "slurm_local.sh: no local SLURM: $*"; exit 0; fi
  die "$*"
}
export PATH="$PATH:/usr/sbin"
for tool in munged mungekey slurmctld slurmd sinfo sbatch; do
  command -v "$tool" >/dev/null || unavailable "$tool not found: install Debian's slurm-wlm and munge (scripts/setup.sh installs them)"
done
[ "$(id -u)" = 0 ] || unavailable "needs root (slurmd runs jobs as the submitting user)"
stop_all  # daemons left over from an earlier start in DIR

# A port (hex in /proc/net/tcp{,6}) that some socket on this machine has as its local port.
port_taken() {
  local hex
  hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$hex" 'NR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }'
}
if [ -n "${GPUSIM_SLURM_PORT:-}" ]; then
  port=$GPUSIM_SLURM_PORT
else
  # The first free pair from 16817 on, so that a second local cluster (another test run on the
  # same machine, e.g. the sanitizer build's beside the plain one) does not fail on "Address
  # already in use".
  port=16817
  while port_taken "$port" || port_taken $((port + 1)); do
    port=$((port + 2))
    [ "$port" -lt 16917 ] || die "no free pair of ports in 16817-16916 (set GPUSIM_SLURM_PORT)"
  done
fi
node=$(hostname -s)
cpus=$(nproc)
memory_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
chmod 700 "$dir/munge"

# munge: its own key, socket, pid and seed files under DIR, so no system-wide munged is needed.
[ -s "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" >/dev/null
chmod 400 "$dir/munge/munge.key"
munge_socket="$dir/munge/munge.socket"
munged --force --socket="$munge_socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munged.pid" \
  --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log" 2>"$dir/log/munged.err" ||
  die "munged did not start: $(cat "$dir/log/munged.err") (log: $dir/log/munged.log)"

cat >"$dir/slurm.conf" <<EOF
# Written by scripts/slurm_local.sh: one node, this machine, state under $dir.
ClusterName=gpusimlocal
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MpiDefault=none
SwitchType=switch/none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
MinJobAge=30
KillWait=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$dir/slurm.conf"

slurmctld -f "$SLURM_CONF" -i || die "slurmctld did not start (log: $dir/log/slurmctld.log)"
slurmd -f "$SLURM_CONF" || die "slurmd did not start (log: $dir/log/slurmd.log)"

# Ready when the node accepts jobs (idle); 30 s at most.
for _ in $(seq 300); do
  state=$(sinfo -h -N -o '%t' 2>/dev/null | head -1 || true)
  case "$state" in idle*|mix*|alloc*) echo "slurm_local.sh: node $node up ($cpus CPUs); export SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
  sleep 0.1
done
die "the node did not come up (state '${state:-none}'); logs in $dir/log"
