# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# lab/lib/proc.sh - what every lab/lab command rests on: messages, child
# processes that die with the lab (and are killed on Ctrl-C, SIGTERM and
# SIGHUP), temporary folders, Debian packages and the cache's locks.
# Sourced by lab/lab at its top level (the state below must be global).

# Process groups to kill and paths to remove on exit; lock name -> fd.
CHILD_PGIDS=()
TEMP_PATHS=()
declare -A LOCK_FDS=()

msg() { printf 'lab: %s\n' "$*" >&2; }
die() { msg "$*"; exit 1; }

# ---------------------------------------------------------------- cleanup

# alive PID: the process exists and is not a zombie.
alive() {
	local s
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
	s=${s##*) }
	[[ ${s%% *} != Z ]]
}

# kill_group PGID: TERM the process group, KILL it after 3 s, reap its leader.
kill_group() {
	local pg=$1 i
	if alive "$pg"; then
		kill -TERM -- "-$pg" 2>/dev/null || true
		for ((i = 0; i < 30; i++)); do
			alive "$pg" || break
			sleep 0.1
		done
	fi
	kill -KILL -- "-$pg" 2>/dev/null || true
	wait "$pg" 2>/dev/null || true
}

# shellcheck disable=SC2317 # called from traps
cleanup() {
	local pg p
	for pg in "${CHILD_PGIDS[@]}"; do
		kill_group "$pg"
	done
	CHILD_PGIDS=()
	for p in "${TEMP_PATHS[@]}"; do
		rm -rf -- "$p"
	done
	TEMP_PATHS=()
}

# shellcheck disable=SC2317 # called from traps
on_signal() {
	trap - INT TERM HUP
	msg "interrupted by SIG$1, stopping"
	cleanup
	case $1 in
	INT) exit 130 ;;
	HUP) exit 129 ;;
	*) exit 143 ;;
	esac
}

trap cleanup EXIT
trap 'on_signal INT' INT

# Installed by lab/lab before it does anything.
install_traps() {
	trap cleanup EXIT
	trap 'on_signal INT' INT
	trap 'on_signal TERM' TERM
	trap 'on_signal HUP' HUP
}
# and cleanup can kill the whole group. If this script is killed (SIGKILL, no
# trap), the child gets SIGKILL at once (parent-death signal) and a small
# guard kills the rest of its group (e.g. sub-makes) within a second.
# Sets SPAWNED to its pid (= its process group).
# Neither inherits the lab's lock fds: the guard lives as long as the lab,
# and a lock it held would outlive drop_lock.
spawn() {
	(
		close_lock_fds
		exec setsid setpriv --pdeathsig KILL -- "$@"
	) &
	SPAWNED=$!
	CHILD_PGIDS+=("$SPAWNED")
	(
		close_lock_fds
		# shellcheck disable=SC2016 # the guard's own $1 and $2
		exec setsid sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done
			kill -KILL -- "-$2" 2>/dev/null' lab-guard $$ "$SPAWNED" \
			</dev/null >/dev/null 2>&1
	) &
}

close_lock_fds() {
	local fd
	for fd in "${LOCK_FDS[@]}"; do
		exec {fd}>&-
	done
}

forget_child() {
	local pg keep=()
	for pg in "${CHILD_PGIDS[@]}"; do
		[[ $pg == "$1" ]] || keep+=("$pg")
	done
	CHILD_PGIDS=("${keep[@]}")
}

# make_temp_dir: a new temporary folder in TEMP_DIR, removed on exit. It
# records its owner so that a later run removes it if this one is SIGKILLed.
make_temp_dir() {
	local d owner
	for d in "${TMPDIR:-/tmp}"/rmapstat-lab.*; do
		owner=$(cat "$d/.owner" 2>/dev/null) || continue
		[[ $owner =~ ^[0-9]+$ ]] && ! kill -0 "$owner" 2>/dev/null && rm -rf -- "$d"
	done
	TEMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rmapstat-lab.XXXXXX")
	TEMP_PATHS+=("$TEMP_DIR")
	echo $$ >"$TEMP_DIR/.owner"
}

# ---------------------------------------------------------------- packages

missing_packages() {
	local p status
	for p in "$@"; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		[[ $status == ii* ]] || printf '%s\n' "$p"
	done
}

need_packages() {
	local missing
	command -v dpkg-query >/dev/null || return 0
	mapfile -t missing < <(missing_packages "$@")
	((${#missing[@]})) || return 0
	if ((EUID != 0)); then
		die "missing packages: ${missing[*]}; run as root: apt-get install ${missing[*]}"
	fi
	msg "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install ${missing[*]} failed"
}

# ---------------------------------------------------------------- locks

# take_lock NAME: exclusive lock $CACHE/locks/NAME.lock, held until
# drop_lock NAME (or exit). Says so when it has to wait.
take_lock() {
	local name=$1 fd
	mkdir -p "$CACHE/locks"
	exec {fd}>"$CACHE/locks/$name.lock"
	if ! flock -n "$fd"; then
		msg "$name: waiting for another lab process (lock $CACHE/locks/$name.lock)"
		flock "$fd"
	fi
	LOCK_FDS[$name]=$fd
}

drop_lock() {
	local fd=${LOCK_FDS[$1]}
	unset "LOCK_FDS[$1]"
	exec {fd}>&-
}
