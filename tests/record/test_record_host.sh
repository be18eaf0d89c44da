#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# rmapstat record on this machine's kernel (root, tracefs): the file it
# writes is read by trace-cmd, the exit status of every way a recording
# ends, and hygiene: the tracefs instances and the kprobe events are the
# same before and after, also after SIGINT, SIGTERM, two signals and
# SIGKILL (which the next run, or rmapstat record --cleanup, cleans up from
# its journal in /run/rmapstat), and no partial or temporary file is left. It records sched events only (--no-rmap), which every kernel
# has; the rmap events are tested in the lab (tests/vm).
#
# usage: test_record_host.sh RMAPSTAT [TRACE-CMD]
set -u

R=$1
TC=${2:-}
T=/sys/kernel/tracing
fails=0

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (tracefs instances)"
	exit 77
fi
if [ ! -d $T/instances ]; then
	echo "SKIP: no tracefs at $T"
	exit 77
fi

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

D=$(mktemp -d /tmp/rmapstat-record-test.XXXXXX) || exit 1
# The instances and kprobe events, without those of other rmapstat runs
# alive meanwhile (other tests may record at the same time).
state() {
	for i in $(ls $T/instances); do
		case $i in
		rmapstat_*[0-9])
			kill -0 "${i#rmapstat_}" 2>/dev/null && continue;;
		esac
		echo "$i"
	done
	cat $T/kprobe_events 2>/dev/null
}
state >"$D/state.before"

# check_clean WHAT: instances and kprobes as before, no stray files in $D.
check_clean() {
	state >"$D/state.now"
	cmp -s "$D/state.before" "$D/state.now" || fail "$1: tracefs differs: $(diff "$D/state.before" "$D/state.now" | tr '\n' ' ')"
	stray=$(ls -A "$D" | grep -v -e '^state\.' -e '^[a-z0-9]*\.dat$' -e '\.log$')
	[ -z "$stray" ] || fail "$1: files left: $stray"
	# no journal of a run that is gone (a run that ended removes its own)
	for j in $(ls /run/rmapstat 2>/dev/null); do
		kill -0 "$j" 2>/dev/null || fail "$1: journal /run/rmapstat/$j left"
	done
}

# expect_rc WHAT GOT WANTED
expect_rc() {
	[ "$2" = "$3" ] || fail "$1: exit status $2, expected $3 ($(tail -n 2 "$D/$1.log" | tr '\n' ' '))"
}

# expect_trace WHAT FILE: trace-cmd reads it and it has sched_switch events.
expect_trace() {
	[ -s "$2" ] || { fail "$1: no $2"; return; }
	[ -n "$TC" ] || return
	"$TC" report "$2" >"$D/$1.report" 2>&1 || fail "$1: trace-cmd report failed: $(tail -n 3 "$D/$1.report")"
	grep -q 'sched_switch:' "$D/$1.report" || fail "$1: no sched_switch in trace-cmd report"
	"$TC" report --stat "$2" 2>&1 | grep -q '^overrun:' || fail "$1: no CPU stats in trace-cmd report --stat"
	"$TC" dump --summary "$2" 2>&1 | grep -q '"mono" clock\|"global" clock' || fail "$1: clock is not mono/global"
	rm -f "$D/$1.report"
}

EV="--no-rmap -e sched:sched_switch,sched:sched_process_exec"

# 1. --duration
"$R" record $EV -o "$D/dur.dat" --duration 0.5 >"$D/dur.log" 2>&1
expect_rc dur $? 0
expect_trace dur "$D/dur.dat"
check_clean dur

# 2. until Ctrl-C: SIGINT is the planned end, exit 0 with the trace
"$R" record $EV -o "$D/int.dat" >"$D/int.log" 2>&1 &
pid=$!
sleep 1
ls $T/instances | grep -qx "rmapstat_$pid" || fail "int: no instance rmapstat_$pid while recording"
kill -INT $pid
wait $pid
expect_rc int $? 0
expect_trace int "$D/int.dat"
check_clean int

# 3. SIGTERM cuts a --duration short: 143, the trace so far is written
"$R" record $EV -o "$D/term.dat" --duration 30 >"$D/term.log" 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
expect_rc term $? 143
expect_trace term "$D/term.dat"
check_clean term

# 4. a second signal cleans up at once: no trace, nothing left
"$R" record $EV -o "$D/two.dat" -- sh -c 'trap "" TERM; sleep 5' >"$D/two.log" 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
sleep 0.5
kill -TERM $pid
wait $pid
expect_rc two $? 143
[ ! -e "$D/two.dat" ] || fail "two: a trace was written after the second signal"
grep -q 'second signal' "$D/two.log" || fail "two: no second-signal message"
sleep 5		# the command ignores TERM; let it end before checking
check_clean two

# 5. -- COMMAND: its exit status, 127 when it cannot run
"$R" record $EV -o "$D/cmd.dat" -- sh -c 'ls / >/dev/null; exit 7' >"$D/cmd.log" 2>&1
expect_rc cmd $? 7
expect_trace cmd "$D/cmd.dat"
[ -z "$TC" ] || "$TC" report "$D/cmd.dat" 2>/dev/null | grep -q 'sched_process_exec:.*filename=.*/ls' ||
	fail "cmd: the command's exec of ls is not in the trace"
"$R" record $EV -o "$D/nocmd.dat" -- /nonexistent/command >"$D/nocmd.log" 2>&1
expect_rc nocmd $? 127
check_clean cmd

# 6. SIGKILL leaves the instance and data; the next run removes them
"$R" record $EV -o "$D/kill.dat" >"$D/kill.log" 2>&1 &
pid=$!
sleep 1
kill -KILL $pid
wait $pid 2>/dev/null
ls $T/instances | grep -qx "rmapstat_$pid" || fail "kill: instance rmapstat_$pid not there after SIGKILL"
"$R" record $EV -o "$D/after.dat" --duration 0.2 >"$D/after.log" 2>&1
expect_rc after $? 0
grep -q "removed instance rmapstat_$pid" "$D/after.log" || fail "kill: the next run did not remove rmapstat_$pid"
grep -q "removed .*\.rmapstat-$pid-" "$D/after.log" || fail "kill: the next run did not remove the data of $pid"
check_clean kill

# 6b. SIGKILL while the trace.dat is written (test hook: it waits there), and
# while recording: the journal /run/rmapstat/PID names the instance and the
# staging folder (which holds the partial trace.dat); --cleanup undoes both
# and says so, a second --cleanup has nothing of it left.
J=/run/rmapstat
for phase in write record; do
	RMAPSTAT_TEST_PAUSE=$phase "$R" record $EV -o "$D/$phase.dat" --duration 0.2 >"$D/$phase.log" 2>&1 &
	pid=$!
	i=0
	while ! grep -q "test hook: paused at $phase" "$D/$phase.log" && [ $i -lt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	grep -q "test hook: paused at $phase" "$D/$phase.log" || fail "$phase: the test hook did not pause"
	[ $phase != write ] || ls -A "$D"/.rmapstat-$pid-*/ | grep -q "^\.$phase\.dat\." ||
		fail "$phase: no temporary trace file in the staging folder"
	kill -KILL $pid
	wait $pid 2>/dev/null
	grep -q "^remove rmdir .*/instances/rmapstat_$pid " $J/$pid ||
		fail "$phase: the journal $J/$pid does not name instance rmapstat_$pid"
	grep -q "^remove dir $D/\.rmapstat-$pid-" $J/$pid ||
		fail "$phase: the journal $J/$pid does not name the staging folder"
	"$R" record --cleanup >"$D/$phase-cleanup.log" 2>&1
	expect_rc $phase-cleanup $? 0
	grep -q "removed instance rmapstat_$pid left by a killed run" "$D/$phase-cleanup.log" ||
		fail "$phase: --cleanup did not say it removed rmapstat_$pid"
	grep -q "removed staging folder $D/\.rmapstat-$pid-.* (left by record pid $pid, killed)" "$D/$phase-cleanup.log" ||
		fail "$phase: --cleanup did not say it removed the staging folder"
	[ ! -e $J/$pid ] || fail "$phase: --cleanup left the journal $J/$pid"
	[ ! -e "$D/$phase.dat" ] || fail "$phase: a killed run left $phase.dat"
	"$R" record --cleanup >"$D/$phase-cleanup2.log" 2>&1
	expect_rc $phase-cleanup2 $? 0
	! grep -q "$pid" "$D/$phase-cleanup2.log" || fail "$phase: a second --cleanup found $pid's leftovers again"
	rm -f "$D/$phase.log" "$D/$phase-cleanup.log" "$D/$phase-cleanup2.log"
	check_clean kill-$phase
done
"$R" record --cleanup --quiet >"$D/cleanup-usage.log" 2>&1
expect_rc cleanup-usage $? 2

# 7. errors: unknown event (2), unwritable output directory (1)
"$R" record --no-rmap -e sched:no_such_event -o "$D/bad.dat" --duration 0.1 >"$D/badev.log" 2>&1
expect_rc badev $? 2
"$R" record $EV -o "$D/no/such/dir.dat" --duration 0.1 >"$D/baddir.log" 2>&1
expect_rc baddir $? 1
check_clean errors

if [ $fails = 0 ]; then
	rm -rf "$D"
	echo "PASS"
	exit 0
fi
echo "$fails failure(s); logs in $D"
exit 1
