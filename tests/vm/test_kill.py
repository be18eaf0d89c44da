#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM test: SIGKILL of `rmapstat record --workload ksm` leaves nothing behind
once the next run has swept (issue: kill -9 left ksmd scanning flat out).

  test_kill.py KERNEL RMAPSTAT     KERNEL: traced (tracepoints) or stock (kprobes)

In the lab guest, rmapstat record -w ksm is SIGKILLed at each phase, found
by the test hook RMAPSTAT_TEST_PAUSE=PHASE (record/test_hook.h: record says
"test hook: paused at PHASE" and waits there), so no sleep decides where it
dies:

  merge   the KSM knobs are sped up, the merge wait begins
  record  tracing is on, the migrate trigger ran
  write   the trace.dat is written under its temporary name in the staging
          folder, not yet renamed

and once without the hook, as soon as ksm/run reads 1 during the merge
wait. After each kill the test checks what it left: the KSM knobs changed
(merge: run, pages_to_scan, sleep_millisecs; later: run=0 of the paused
ksmd), the instance (and on stock the kprobe events), the staging folder,
and the journal /run/rmapstat/PID naming each knob's original and the value
left, the instance and the staging folder. Then the next
`rmapstat record --cleanup` or, separately, the next plain `rmapstat
record` must restore every knob to its original (the guest sets originals
of its own, so "restored" cannot mean "set to default"), remove the
instance, kprobes, staging folder and journal, leave the whole tracefs and
KSM state as it was before, and say on stderr each thing it restored.
Also: --cleanup leaves a running recording alone, says "nothing to clean
up" when there is nothing, and does not overwrite a knob changed since.
"""

import os
import re
import shutil
import sys

import test_cli as tc
from vmlib import fail, require_lab

KSM = "/sys/kernel/mm/ksm"
KNOBS = ("pages_to_scan", "sleep_millisecs", "advisor_mode", "run")

# (case, phase, original ksm/run, how the killed run is swept). The phases
# after the merge find ksmd paused (run=0): their original run is 1.
CASES = [
    ("merge-cleanup", "merge", 0, "cleanup"),
    ("merge-record", "merge", 0, "record"),
    ("record-cleanup", "record", 1, "cleanup"),
    ("record-record", "record", 1, "record"),
    ("write-cleanup", "write", 1, "cleanup"),
    ("write-record", "write", 1, "record"),
]

# What each phase leaves changed: knob -> value (orig run from CASES).
LEFT = {
    "merge": {"run": "1", "pages_to_scan": "10000", "sleep_millisecs": "1"},
    "record": {"run": "0"},
    "write": {"run": "0"},
}

SCRIPT = r"""
J=/run/rmapstat
# originals of our own: run=$1, pages_to_scan=123, sleep_millisecs=77
originals() {
	echo $1 >$K/run
	echo 123 >$K/pages_to_scan
	echo 77 >$K/sleep_millisecs
}
# killed NAME: SIGKILL $pid and note what it left
killed() {
	kill -KILL $pid
	finish $1
	state $1.killed
	cp $J/$pid /host/$1.journal 2>/dev/null
	for d in /host/.rmapstat-$pid-*; do ls -A $d; done >/host/$1.staging 2>/dev/null
}
# kill_at NAME PHASE RUN [live]: a KSM recording paused at PHASE, killed there
kill_at() {
	originals $3
	state $1.before
	export RMAPSTAT_TEST_PAUSE=$2
	start $1 -w ksm -p 500 -t migrate
	unset RMAPSTAT_TEST_PAUSE
	if ! wait_for "test hook: paused at $2" /host/$1.err 600; then
		kill -KILL $pid
		exit 1
	fi
	state $1.paused
	if [ "${4:-}" = live ]; then
		rmapstat record --cleanup 2>/host/$1.live.err
		echo $? >/host/$1.live.rc
		state $1.paused2
	fi
	killed $1
}
# swept NAME cleanup|record: the next run, then what is left
swept() {
	if [ $2 = cleanup ]; then
		rmapstat record --cleanup 2>/host/$1.next.err
		echo $? >/host/$1.next.rc
		say "rmapstat record --cleanup -> exit $(cat /host/$1.next.rc)"
	else
		rec $1.next --duration 0.2
	fi
	state $1.after
	rmapstat record --cleanup 2>/host/$1.again.err
	echo $? >/host/$1.again.rc
	ls -A $J >/host/$1.journals
	ls -A /host >/host/$1.files
}
"""


def guest_script():
    s = [SCRIPT]
    for case, phase, run, how in CASES:
        live = " live" if case == "merge-cleanup" else ""
        s.append(f"kill_at {case} {phase} {run}{live}\nswept {case} {how}\n")
    # Without the hook: killed as soon as ksmd runs fast (the merge of 30,000
    # pages takes far longer in the lab), then someone changes a knob.
    s.append(r"""
originals 0
state nohook.before
start nohook -w ksm -p 30000 -t migrate
i=0
while [ "$(cat $K/run)" != 1 ] && [ $i -lt 2400 ]; do i=$((i + 1)); usleep 50000; done
killed nohook
echo 55 >$K/sleep_millisecs
swept nohook cleanup
echo 77 >$K/sleep_millisecs
state nohook.final
""")
    return "".join(s)


def read(share, name):
    path = os.path.join(share, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read()


def knobs(lines):
    out = {}
    for line in lines:
        m = re.match(r"^ksm (\w+): (.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def instances(lines):
    for line in lines:
        if line.startswith("instances:"):
            return line.split()[1:]
    return []


def kprobes(lines):
    for line in lines:
        if line.startswith("kprobe_events:"):
            return line[len("kprobe_events:"):].strip(" |")
    return ""


def parse_journal(text):
    values, removes = {}, {}
    for line in text.splitlines():
        f = line.split(" ")
        if f[0] == "value" and len(f) == 4:
            values[f[1]] = (f[2], f[3])
        elif f[0] == "remove" and len(f) == 4:
            removes[f[1]] = removes.get(f[1], []) + [f[2]]
    return values, removes


def check_killed(kernel, share, case, phase, left):
    """What the SIGKILL left: returns (pid, staging folder, restored lines)."""
    r = tc.Rec(share, case)
    r.expect_rc(137)
    if phase and f"test hook: paused at {phase} (pid {r.pid})" not in r.err:
        fail(f"{case}: record did not pause at {phase}:\n{r.err}")
    if phase == "merge" or not phase:
        if "recording in tracefs instance" in r.err:
            fail(f"{case}: killed after the merge, not during it:\n{r.err}")
    elif "recording in tracefs instance" not in r.err:
        fail(f"{case}: killed before recording started:\n{r.err}")
    before = tc.read_state(share, f"{case}.before")
    after_kill = tc.read_state(share, f"{case}.killed")
    kb, kk = knobs(before), knobs(after_kill)
    changed = {k: kk[k] for k in kk if kk[k] != kb.get(k)}
    if changed != left:
        fail(f"{case}: SIGKILL left the KSM knobs {changed}, expected {left} "
             f"(before {kb}, after {kk})")
    inst = f"rmapstat_{r.pid}"
    if inst not in instances(after_kill):
        fail(f"{case}: SIGKILL left no instance {inst}: the sweep is not tested")
    if kernel == "stock" and "rmapstat/" not in kprobes(after_kill):
        fail(f"{case}: SIGKILL left no rmapstat kprobe events on stock")

    text = read(share, f"{case}.journal")
    if text is None:
        fail(f"{case}: no journal /run/rmapstat/{r.pid} after the SIGKILL")
    values, removes = parse_journal(text)
    restored = []
    for k in KNOBS:
        if k not in left:
            continue
        want = (kb[k], left[k])
        if values.get(f"{KSM}/{k}") != want:
            fail(f"{case}: the journal has {KSM}/{k} {values.get(f'{KSM}/{k}')}, "
                 f"expected original {want[0]}, left {want[1]}:\n{text}")
        restored.append(f"rmapstat: restored {KSM}/{k} {kb[k]} (left at {left[k]} by "
                        f"record pid {r.pid}, killed)")
    if f"/sys/kernel/tracing/instances/{inst}" not in removes.get("rmdir", []):
        fail(f"{case}: the journal does not name the instance {inst}:\n{text}")
    staging = [p for p in removes.get("dir", [])
               if re.fullmatch(rf"/host/\.rmapstat-{r.pid}-\w+", p)]
    if len(staging) != 1:
        fail(f"{case}: the journal does not name one staging folder in /host:\n{text}")
    files = (read(share, f"{case}.staging") or "").split()
    if "cpu0" not in files:
        fail(f"{case}: the staging folder {staging[0]} holds {files}, no cpu0")
    tmp = [f for f in files if f.startswith(f".{case}.dat.")]
    if phase == "write" and not tmp:
        fail(f"{case}: killed while writing, yet no temporary {case}.dat in the "
             f"staging folder ({files})")
    print(f"  {case}: SIGKILL at {phase or 'ksm/run=1'} (pid {r.pid}) left knobs {changed}, "
          f"{inst}, {staging[0]} ({len(files)} files), journal with "
          f"{len(values)} values", flush=True)
    return r.pid, staging[0], restored


def check_swept(kernel, share, case, how, pid, staging, restored, final=None):
    """The next run restored and removed everything and said so."""
    err = read(share, f"{case}.next.err") or ""
    rc = int(read(share, f"{case}.next.rc"))
    if rc != 0:
        fail(f"{case}: the next rmapstat record{' --cleanup' if how == 'cleanup' else ''} "
             f"exited {rc}:\n{err}")
    need = [f"rmapstat: removed instance rmapstat_{pid} left by a killed run"]
    if kernel == "stock":
        need.append("rmapstat: removed kprobe events rmapstat:* left by a killed run")
    need += restored
    need.append(f"rmapstat: removed staging folder {staging} (left by record pid {pid}, killed)")
    lines = err.splitlines()
    for n in need:
        if n not in lines:
            fail(f"{case}: the next run did not say '{n}'; its stderr:\n{err}")
    pos = [lines.index(n) for n in restored]
    if pos != sorted(pos):
        fail(f"{case}: knobs not restored in journal order (run last):\n{err}")
    if how == "record":
        tc.Rec(share, f"{case}.next").expect_file()
    tc.compare_states(share, f"{case}.before", final or f"{case}.after")
    if str(pid) in (read(share, f"{case}.journals") or "").split():
        fail(f"{case}: the journal /run/rmapstat/{pid} is still there")
    files = (read(share, f"{case}.files") or "").split()
    stray = [f for f in files if f.startswith(f".rmapstat-{pid}-") or
             f == f"{case}.dat" or f.startswith(f".{case}.dat.")]
    if stray:
        fail(f"{case}: left in the output folder: {stray}")
    again = read(share, f"{case}.again.err") or ""
    if int(read(share, f"{case}.again.rc")) != 0 or "rmapstat: nothing to clean up" not in again:
        fail(f"{case}: a second --cleanup did not find nothing to clean up:\n{again}")
    print(f"  {case}: the next {'--cleanup' if how == 'cleanup' else 'record'} restored "
          f"the state before; it said:\n    " + "\n    ".join(
              n for n in lines if n.startswith(("rmapstat: restored", "rmapstat: removed", "rmapstat: left"))), flush=True)


def check_live(share, case, pid):
    err = read(share, f"{case}.live.err") or ""
    if int(read(share, f"{case}.live.rc")) != 0:
        fail(f"{case}: --cleanup during a recording failed:\n{err}")
    if f"rmapstat: record pid {pid} is running; left its journal /run/rmapstat/{pid} alone" \
            not in err or "nothing to clean up" not in err:
        fail(f"{case}: --cleanup during the recording did not leave it alone:\n{err}")
    tc.compare_states(share, f"{case}.paused", f"{case}.paused2")
    print(f"  {case}: --cleanup while it ran left it alone; it said:\n    " +
          "\n    ".join(err.splitlines()), flush=True)


def test_kill(kernel):
    share = tc.guest(kernel, guest_script(), timeout=1800)
    for case, phase, run, how in CASES:
        pid, staging, restored = check_killed(kernel, share, case, phase, LEFT[phase])
        if case == "merge-cleanup":
            check_live(share, case, pid)
        check_swept(kernel, share, case, how, pid, staging, restored)

    # without the hook; sleep_millisecs changed by hand after the kill
    pid, staging, restored = check_killed(kernel, share, "nohook", None, LEFT["merge"])
    restored = [r for r in restored if "/sleep_millisecs " not in r]
    err = read(share, "nohook.next.err") or ""
    left = (f"rmapstat: left {KSM}/sleep_millisecs at 55: record pid {pid} (killed) had "
            f"set 1 and it was changed since; its value before was 77")
    if not any(line.startswith(left) for line in err.splitlines()):
        fail(f"nohook: --cleanup did not leave the changed sleep_millisecs alone:\n{err}")
    if knobs(tc.read_state(share, "nohook.after")).get("sleep_millisecs") != "55":
        fail("nohook: --cleanup overwrote sleep_millisecs, which was changed since")
    check_swept(kernel, share, "nohook", "cleanup", pid, staging, restored,
                final="nohook.final")
    tc.no_leftovers(share)
    return share


def main():
    require_lab()
    kernel, rmapstat = sys.argv[1], os.path.abspath(sys.argv[2])
    if not os.access(rmapstat, os.X_OK):
        fail(f"{rmapstat} is not an executable rmapstat (build it first)")
    tc.RMAPSTAT = rmapstat
    share = test_kill(kernel)
    shutil.rmtree(share, ignore_errors=True)
    print("PASS")


if __name__ == "__main__":
    main()
