#!/usr/bin/env bash
# localslurm.sh - throwaway single-node Slurm cluster on 127.0.0.1 for tests
# (Debian 12 packages: slurm-wlm 22.05 + munge).
#
#   localslurm.sh start DIR   prints "export SLURM_CONF=DIR/slurm.conf" (for eval), exit 0;
#                             on failure one "localslurm: ..." line on stderr, cleans up, exit 1
#   localslurm.sh stop DIR    stops what was started for DIR (idempotent, always exit 0)
#
# All state (munge key/socket/pid/log/seed, slurm.conf, spool, state save, logs) lives in DIR;
# /etc, /run and systemd are never touched. Non-obvious choices:
#   AuthInfo=socket=...   every Slurm component AND the client commands (sbatch, squeue, ...)
#                         read this from slurm.conf, so SLURM_CONF is the only variable needed.
#   proctrack/linuxproc, task/none, jobacct_gather/none
#                         no cgroup plugins: CI containers have no systemd, read-only cgroups.
#   SlurmUser/SlurmdUser  the current user, so it also runs unprivileged (jobs then run as
#                         that user only, which is all a test needs).
#   NodeName=localhost + slurmd -N localhost, explicit 127.0.0.1 addresses
#                         independent of the container's hostname and /etc/hosts.
#   select/cons_tres + CR_CPU   one CPU per array task, so several tasks run at once.
#   random free ports     a second or leftover cluster does not clash.
#   MinJobAge=5           sbatch --wait polls the job after 2 s, then sleeps 4x longer each
#                         time (8, 32 s) while its sleep is below MinJobAge/2 (so that a job
#                         record is never purged before it looks). At 60 it saw a 4-task array
#                         of 5 s sleeps (10 s on 2 CPUs) done after 42 s; at 5 it polls every
#                         2 s (14 s), and a finished task's record stays 5 s, longer than a poll.
#   munged --force        accept DIR under a group-writable parent (it is a private dir anyway).
set -euo pipefail

die() { echo "localslurm: $*" >&2; exit 1; }
fail() { stop_all >/dev/null 2>&1 || true; die "$@"; }   # undo what we started, then report

last_line() {  # last meaningful error line of a log, else its last line
  local l
  l=$(grep -iE 'fatal|error' "$1" 2>/dev/null | grep -vE 'state file|NOTE:|pmix|MPI' | tail -n 1) || true
  [[ -n $l ]] || l=$(tail -n 1 "$1" 2>/dev/null) || true
  echo "${l:-(no log)}"
}

free_port() {  # random port 20000-59999 that nobody listens on and is not "$1"
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    [[ $p != "${1:-}" ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && { echo "$p"; return; }
  done
  return 1
}

our_pid() {  # pid of our NAME daemon: its argv must hold DIR's slurm.conf / munge key exactly
  local arg="$DIR/slurm.conf" pid p c
  [[ $1 == munged ]] && arg="--key-file=$DIR/munge.key"
  pid=$(tr -dc 0-9 2>/dev/null <"$DIR/$1.pid") || true
  for p in ${pid:+/proc/$pid} /proc/[0-9]*; do  # pid file first, /proc scan if it is lost/stale
    { read -r c <"$p/comm"; } 2>/dev/null || continue; [[ $c == "$1" ]] || continue
    if tr '\0' '\n' 2>/dev/null <"$p/cmdline" | grep -qxF -- "$arg"; then echo "${p#/proc/}"; return; fi
  done
}

session_of() {  # 6th field of /proc/PID/stat (after "pid (comm)": state ppid pgrp session)
  local st f; { read -r st <"/proc/$1/stat"; } 2>/dev/null || return 0
  read -r -a f <<<"${st##*) }"; echo "${f[3]}"
}

our_step_sessions() {  # sessions of this cluster's slurmstepds (each job runs in its stepd's session)
  local p c
  for p in /proc/[0-9]*; do
    { read -r c <"$p/comm"; } 2>/dev/null || continue; [[ $c == slurmstepd ]] || continue
    tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "SLURM_CONF=$DIR/slurm.conf" && session_of "${p#/proc/}"
  done
  true
}

wait_gone() {  # wait_gone TENTHS PID...: succeed once all PIDs have exited
  local n=$1 q alive; shift
  for _ in $(seq "$n"); do
    alive=; for q; do kill -0 "$q" 2>/dev/null && alive=1; done
    [[ -z $alive ]] && return 0; sleep 0.1
  done
  return 1
}

stop_all() {
  local pids sids p
  if [[ -n $(our_pid slurmctld) && -n $(our_step_sessions) ]]; then  # let Slurm end running jobs
    SLURM_CONF=$DIR/slurm.conf timeout 10 scancel -u "$(id -un)" 2>/dev/null || true
    for _ in $(seq 100); do [[ -z $(our_step_sessions) ]] && break; sleep 0.1; done
  fi
  read -r -a pids <<<"$(our_pid slurmd) $(our_pid slurmctld) $(our_pid munged)"
  if [[ ${#pids[@]} -gt 0 ]]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait_gone 50 "${pids[@]}" || { kill -KILL "${pids[@]}" 2>/dev/null; wait_gone 20 "${pids[@]}" || true; }
  fi
  sids=" $(our_step_sessions | tr '\n' ' ') "   # jobs that outlived scancel or a dead slurmctld
  if [[ -n ${sids// } ]]; then
    for p in /proc/[0-9]*; do
      if [[ $sids == *" $(session_of "${p#/proc/}") "* ]]; then kill -KILL "${p#/proc/}" 2>/dev/null || true; fi
    done
  fi
  rm -f "$DIR"/{slurmd,slurmctld,munged}.pid
}

start_munge() {
  command -v munged >/dev/null || fail "munged not installed"
  if [[ ! -s $DIR/munge.key ]]; then
    if ! { dd if=/dev/urandom of="$DIR/munge.key" bs=1024 count=1 status=none && chmod 0400 "$DIR/munge.key"; }
    then fail "cannot create $DIR/munge.key"; fi
  fi
  munged --force --key-file="$DIR/munge.key" --socket="$DIR/munge.socket" --pid-file="$DIR/munged.pid" \
    --log-file="$DIR/munged.log" --seed-file="$DIR/munged.seed" </dev/null >/dev/null 2>>"$DIR/munged.log" \
    || fail "munged failed to start: $(last_line "$DIR/munged.log")"
}

write_conf() {
  local user hw cpus mem ctldport dport
  user=$(id -un)
  hw=$(slurmd -C 2>/dev/null | head -n 1) || true   # what slurmd will register with
  cpus=$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hw"); cpus=${cpus:-$(nproc)}
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw"); mem=${mem:-1024}
  ((mem > 1024)) && mem=$((mem - 512))                   # stay below what slurmd reports
  ctldport=$(free_port) || fail "no free TCP port found"
  dport=$(free_port "$ctldport") || fail "no free TCP port found"
  cat >"$DIR/slurm.conf" <<EOF
ClusterName=localslurm
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctldport
SlurmdPort=$dport
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$DIR/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=5
NodeName=localhost NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

start_slurm() {
  export SLURM_CONF=$DIR/slurm.conf   # inherited by slurmstepd: lets stop_all find our jobs
  slurmctld -f "$SLURM_CONF" </dev/null >/dev/null 2>>"$DIR/slurmctld.log" \
    || fail "slurmctld failed to start: $(last_line "$DIR/slurmctld.log")"
  slurmd -f "$SLURM_CONF" -N localhost </dev/null >/dev/null 2>>"$DIR/slurmd.log" \
    || fail "slurmd failed to start: $(last_line "$DIR/slurmd.log")"
  local state="" d i
  for i in $(seq 120); do
    for d in slurmctld slurmd; do  # daemon died after forking?
      [[ $i -lt 4 || -n $(our_pid $d) ]] || fail "$d exited: $(last_line "$DIR/$d.log")"
    done
    state=$(sinfo -h -N -n localhost -o %T 2>/dev/null) || true
    [[ $state == idle* ]] && return 0
    sleep 0.5
  done
  fail "slurmd did not register within 60 s (node state '${state:-?}'): $(last_line "$DIR/slurmd.log")"
}

[[ $# -eq 2 && ( $1 == start || $1 == stop ) ]] || die "usage: $0 start|stop DIR"
if [[ $1 == stop ]]; then
  [[ -d $2 ]] || exit 0
  DIR=$(cd "$2" && pwd -P); stop_all; exit 0
fi
PATH=$PATH:/usr/sbin
for c in slurmctld slurmd sinfo scancel; do command -v $c >/dev/null || die "$c not installed"; done
mkdir -p "$2" || die "cannot create $2"
DIR=$(cd "$2" && pwd -P)
[[ ${#DIR} -lt 90 ]] || die "DIR path too long for a unix socket: $DIR"
stop_all   # leftovers of an earlier start with the same DIR
chmod 0700 "$DIR"
rm -rf "$DIR/state" "$DIR/spool"   # fresh state: node is "idle" only once this slurmd registered
mkdir -p "$DIR/state" "$DIR/spool" || die "cannot create state dirs in $DIR"
for log in munged slurmctld slurmd; do : >"$DIR/$log.log"; done   # fresh logs for error reporting
rm -f "$DIR/munge.socket" "$DIR/munge.socket.lock"
start_munge
write_conf
start_slurm
echo "export SLURM_CONF=$DIR/slurm.conf"
