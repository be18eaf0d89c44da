#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM tests of the rmapstat CLI: `rmapstat record` runs in the lab guest on
the real lab kernels, its files come back through the share, and the host
checks them with `rmapstat report`, `rmapstat compare` and `trace-cmd report`.

  test_cli.py record  KERNEL RMAPSTAT  every workload x trigger on traced|fixed
  test_cli.py kprobes RMAPSTAT         the kprobe fallback on stock, --kprobes
  test_cli.py hygiene KERNEL RMAPSTAT  tracefs and KSM state unchanged, also
                                       after SIGINT/SIGTERM/SIGHUP/SIGKILL
  test_cli.py errors  RMAPSTAT         environment errors: exit codes, messages
  test_cli.py buffer  RMAPSTAT         small ring buffers: drained or counted
  test_cli.py compare RMAPSTAT         traced vs fixed: compare exits 1 / 0
  test_cli.py stress  WORKLOAD RMAPSTAT  walks on both CPUs, memory tight, 16 KiB
                                       buffers: lost events counted, pairing
                                       consistent, nothing left behind

The report is never checked against itself: the pages the triggers hit are
the pfns the workload read from /proc/self/pagemap (record prints them), the
walks and their durations are paired again from `trace-cmd report` text
(tests/cli/tracecmd_walks.py), and kprobe traces are checked against the raw kprobe
events and the kallsyms trace-cmd reads from the file.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from vmlib import fail, lab_run, require_lab, trace_walks

RMAPSTAT = None  # the host's rmapstat, set by main()
KIND = {"ksm": "KSM", "anon": "ANON", "file": "FILE"}
PURPOSES = {
    "migrate": ("try_to_migrate_one", "remove_migration_pte"),
    "idle": ("page_idle_clear_pte_refs_one",),
}
UNMATCHED = ("no_end", "superseded", "no_start", "lost_walks", "lost_events")

# Shell functions of every guest script (busybox sh). Each record run leaves
# /host/NAME.dat, NAME.err (its stderr) and NAME.rc (its exit status).
GUEST_LIB = r"""
set -u
T=/sys/kernel/tracing
K=/sys/kernel/mm/ksm
say() { echo "guest: $*"; }
# rec NAME ARGS...: rmapstat record -o /host/NAME.dat ARGS, in the foreground
rec() {
	n=$1; shift
	rmapstat record -o /host/$n.dat "$@" 2>/host/$n.err
	echo $? >/host/$n.rc
	say "rmapstat record -o /host/$n.dat $* -> exit $(cat /host/$n.rc)"
}
# start NAME ARGS...: the same in the background; its pid in $pid
start() {
	n=$1; shift
	rmapstat record -o /host/$n.dat "$@" 2>/host/$n.err &
	pid=$!
	echo $pid >/host/$n.pid
	say "started rmapstat record -o /host/$n.dat $* (pid $pid)"
}
# finish NAME: wait for $pid and keep its exit status
finish() {
	wait $pid
	echo $? >/host/$1.rc
	say "$1: exit $(cat /host/$1.rc)"
}
# wait_for PATTERN FILE SECONDS
wait_for() {
	i=0
	while ! grep -q "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge $(($3 * 10)) ]; then
			say "no '$1' in $2 after $3 s"
			return 1
		fi
		usleep 100000
	done
}
# state NAME: everything a recording must leave as it found it
state() {
	{
		echo "instances: $(ls $T/instances | tr '\n' ' ')"
		echo "dynamic_events: $(tr '\n' '|' <$T/dynamic_events)"
		echo "kprobe_events: $(tr '\n' '|' <$T/kprobe_events)"
		for f in tracing_on current_tracer trace_clock buffer_size_kb set_event; do
			echo "top $f: $(tr '\n' ' ' <$T/$f)"
		done
		for f in $K/*; do
			case $(stat -c %a $f) in
			[2367]??) echo "ksm $(basename $f): $(cat $f)";;
			esac
		done
	} >/host/state.$1
}
"""


def guest(kernel, script, timeout=600, carry=(), mem_per_node=None):
    """Runs script in kernel with rmapstat (and carry) carried; returns the share.

    The share holds lib.sh (GUEST_LIB, which run.sh sources first, and so can
    the shells a script starts in a private mount namespace) and run.sh.
    """
    share = tempfile.mkdtemp(prefix=f"rmapstat-vmcli-{kernel}-")
    with open(os.path.join(share, "lib.sh"), "w") as f:
        f.write(GUEST_LIB)
    with open(os.path.join(share, "run.sh"), "w") as f:
        f.write(". /host/lib.sh\n" + script)
    run = lab_run(kernel, "sh /host/run.sh", carry=[RMAPSTAT, *carry], share=share,
                  timeout=timeout, mem_per_node=mem_per_node)
    if run.rc != 0:
        fail(f"{kernel}: the guest script exited {run.rc} (share kept in {share})")
    return share


class Rec:
    """One `rmapstat record` run of a guest script, read back on the host."""

    def __init__(self, share, name):
        self.share, self.name = share, name
        self.dat = os.path.join(share, f"{name}.dat")
        with open(os.path.join(share, f"{name}.rc")) as f:
            self.rc = int(f.read())
        with open(os.path.join(share, f"{name}.err")) as f:
            self.err = f.read()
        self.pid = None
        pidf = os.path.join(share, f"{name}.pid")
        if os.path.exists(pidf):
            with open(pidf) as f:
                self.pid = int(f.read())

    def expect_rc(self, want):
        if self.rc != want:
            fail(f"{self.name}: rmapstat record exited {self.rc}, expected {want}; "
                 f"its stderr:\n{self.err}")

    def expect_file(self):
        if not os.path.isfile(self.dat) or os.path.getsize(self.dat) == 0:
            fail(f"{self.name}: no {self.name}.dat written (exit {self.rc}); "
                 f"stderr:\n{self.err}")

    def hits(self):
        """The pages the triggers hit, as record printed them on stderr:
        "migrate: ksm page 250 pfn 0x7faa1 (KSM, mapcount 256) node 1 -> 0:
        moved (...), new pfn 0x3dd" or "idle: anon page 50 pfn 0x... (mapcount 1)
        on node 1: marked idle in 0.002 s"."""
        out = []
        for line in self.err.splitlines():
            m = HIT.match(line)
            if not m:
                continue
            new = re.search(r", new pfn (0x[0-9a-f]+)$", line)
            out.append(dict(trigger=m.group(1), kind=m.group(2).upper(),
                            pfn=int(m.group(3), 16), ksm=bool(m.group(4)),
                            mapcount=int(m.group(5)), moved=": moved (" in line,
                            new_pfn=int(new.group(1), 16) if new else None))
        return out


HIT = re.compile(r"^(migrate|idle): (\w+) page \d+ pfn (0x[0-9a-f]+) "
                 r"\((KSM, )?mapcount (-?\d+)\) (?:node|on node)")


def sh(args, expect=None, what=None):
    """Runs a host command; fails unless its exit status is expect (if given)."""
    p = subprocess.run(args, capture_output=True, text=True)
    print(f"+ {' '.join(args)}  -> exit {p.returncode}", flush=True)
    if expect is not None and p.returncode != expect:
        fail(f"{what or args[1]}: exit {p.returncode}, expected {expect}\n"
             f"stdout:\n{p.stdout[-3000:]}\nstderr:\n{p.stderr[-3000:]}")
    return p


def report_json(dat, by="kind,purpose"):
    p = sh([RMAPSTAT, "report", "--json", "--by", by, "--top", "100000", dat], 0,
           f"rmapstat report --json {os.path.basename(dat)}")
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        fail(f"rmapstat report --json {dat}: not JSON ({e})")


def groups(rep):
    return {(g["key"]["kind"], g["key"]["purpose"]): g for g in rep["groups"]}


def expect_no_unmatched(name, rep):
    t = rep["totals"]
    bad = {k: t[k] for k in UNMATCHED if t[k]}
    if bad:
        fail(f"{name}: walks not paired or events lost in a quiet guest: {bad}")


def tracecmd_walks(name, dat):
    """Independent pairing of `trace-cmd report` text; fails on unmatched events."""
    walks, unmatched = trace_walks(dat)
    if unmatched:
        fail(f"{name}: trace-cmd report shows {len(unmatched)} starts or ends without "
             f"their other half: {unmatched[:4]}")
    for w in walks:
        if w["purpose"].startswith("0x"):
            fail(f"{name}: trace-cmd report did not resolve purpose {w['purpose']} "
                 "(kallsyms missing from the file?)")
    return walks


def cross_check(name, rep, walks):
    """rmapstat report against the trace-cmd pairing: same walks, same durations."""
    want = {}
    for w in walks:
        want.setdefault((w["kind"], w["purpose"]), []).append(w["duration_ns"])
    got = {}
    for w in rep["top"]:
        got.setdefault((w["kind"], w["purpose"]), []).append(w["duration_ns"])
    counts = {k: g["count"] for k, g in groups(rep).items()}
    if {k: len(v) for k, v in want.items()} != counts:
        fail(f"{name}: walks per kind/purpose: rmapstat report {counts}, "
             f"trace-cmd report {({k: len(v) for k, v in want.items()})}")
    for k in want:
        if sorted(want[k]) != sorted(got.get(k, [])):
            fail(f"{name}: {k} durations differ: rmapstat report {sorted(got.get(k, []))}, "
                 f"trace-cmd report {sorted(want[k])}")


def describe(rep):
    parts = []
    for (kind, purpose), g in sorted(groups(rep).items()):
        s = f"{kind}/{purpose} x{g['count']} max {g['max_ns'] / 1e6:.3f} ms"
        if g["work"]:
            s += f" visited {g['work']['visited']} rmap_one {g['work']['rmap_one']}"
        parts.append(s)
    return "; ".join(parts) or "no walks"


def find_walk(rep, kind, purpose, pfn):
    for w in rep["top"]:
        if w["kind"] == kind and w["purpose"] == purpose and w["pfn"] == pfn:
            return w
    return None


def no_leftovers(share):
    """No temporary output (.NAME.dat.XXXXXX) and no data directory (.rmapstat-*)."""
    stray = [f for f in os.listdir(share) if f.startswith(".")]
    if stray:
        fail(f"left behind in the output folder: {stray}")


def tracecmd_reads(name, dat, need=None):
    """`trace-cmd report` (not ours) reads the file; need: a string it must show."""
    p = sh(["trace-cmd", "report", "-i", dat], 0, f"{name}: trace-cmd report")
    if need and need not in p.stdout:
        fail(f"{name}: trace-cmd report shows no '{need}'")
    return p.stdout


# ---------------------------------------------------------------- record

RECORD_RUNS = [(w, t) for w in ("ksm", "anon", "file") for t in ("migrate", "idle")]


def check_tracepoint_run(kernel, share, name, kinds, trigger):
    r = Rec(share, name)
    r.expect_rc(0)
    r.expect_file()
    if "(clock mono, rmap tracepoints)" not in r.err:
        fail(f"{name}: record did not say it records the rmap tracepoints with clock "
             f"mono:\n{r.err}")
    hits = r.hits()
    if sorted(h["kind"] for h in hits) != sorted(KIND[k] for k in kinds):
        fail(f"{name}: expected one {trigger} hit per workload {kinds}, stderr says "
             f"{hits}:\n{r.err}")
    rep = report_json(r.dat)
    if rep["source"] != "tracepoints" or rep["traces"][0]["clock"] != "mono":
        fail(f"{name}: report says source {rep['source']}, clock "
             f"{rep['traces'][0]['clock']}; expected tracepoints, mono")
    expect_no_unmatched(name, rep)
    g = groups(rep)
    want = {(KIND[k], p) for k in kinds for p in PURPOSES[trigger]}
    if set(g) != want:
        fail(f"{name}: walk groups {sorted(g)}, expected exactly {sorted(want)}")
    for key, grp in g.items():
        if grp["work"]["short_walks"]:
            fail(f"{name}: {key}: {grp['work']['short_walks']} walks found fewer "
                 "mappings than mapcount")
    for h in hits:
        first = PURPOSES[trigger][0]
        w = find_walk(rep, h["kind"], first, h["pfn"])
        if w is None:
            fail(f"{name}: no {h['kind']}/{first} walk on pfn {h['pfn']:#x}, the page "
                 f"{trigger} hit; walks: {[(x['kind'], x['purpose'], x['pfn']) for x in rep['top']]}")
        if w["mapcount"] != h["mapcount"] or w["nr_rmap_one"] != h["mapcount"]:
            fail(f"{name}: walk on {h['pfn']:#x}: mapcount {w['mapcount']}, rmap_one "
                 f"{w['nr_rmap_one']}; the page had mapcount {h['mapcount']}")
        if trigger == "migrate":
            back = h["new_pfn"] if h["moved"] else h["pfn"]
            if find_walk(rep, h["kind"], "remove_migration_pte", back) is None:
                fail(f"{name}: no remove_migration_pte walk on pfn {back:#x}")
        if h["kind"] == "KSM":
            ratio = w["nr_visited"] / max(w["nr_rmap_one"], 1)
            print(f"  {name}: KSM {first}: visited {w['nr_visited']} VMAs for "
                  f"{w['nr_rmap_one']} rmap_one calls ({ratio:.1f} per call)")
            if kernel == "traced" and ratio < 100:
                fail(f"{name}: traced kernel's KSM walk visited only {ratio:.1f} VMAs per "
                     "mapping on a split mapping of 500 pages (expected hundreds)")
            # rmap_walk_ksm may make two passes over the items (new forks).
            if kernel == "fixed" and ratio > 2:
                fail(f"{name}: fixed kernel's KSM walk visited {ratio:.1f} VMAs per "
                     "mapping (expected 1: only the VMA of the page's index)")
    cross_check(name, rep, tracecmd_walks(name, r.dat))
    text = tracecmd_reads(name, r.dat, f"purpose={PURPOSES[trigger][0]}")
    if "rmap_walk_start:" not in text or "rmap_walk_end:" not in text:
        fail(f"{name}: trace-cmd report shows no rmap_walk_start/end events")
    print(f"  {name}: exit 0, {rep['totals']['walks']} walks: {describe(rep)}")


def test_record(kernel):
    script = ""
    for w, t in RECORD_RUNS:
        script += f"rec {w}-{t} -w {w} -p 500 -t {t}\n"
    script += "rec all-migrate -w all -p 300 -t migrate\n"
    share = guest(kernel, script)
    for w, t in RECORD_RUNS:
        check_tracepoint_run(kernel, share, f"{w}-{t}", [w], t)
    check_tracepoint_run(kernel, share, "all-migrate", ["ksm", "anon", "file"], "migrate")
    no_leftovers(share)
    return share


# ---------------------------------------------------------------- kprobes

def kallsyms(dat):
    """address -> name from the kallsyms saved in the file, as trace-cmd reads them."""
    p = sh(["trace-cmd", "report", "-f", "-i", dat], 0, "trace-cmd report -f")
    syms = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) >= 2 and re.fullmatch(r"[0-9a-f]{8,16}", f[0]):
            syms[int(f[0], 16)] = f[1]
    return syms


KPROBE_LINE = re.compile(r"\s(rmap_walk(?:_locked|_ksm)?_(?:entry|exit)):\s.*?(?:rmap_one=0x([0-9a-f]+))?$")


def check_kprobe_run(share, name, kind, trigger, fallback_msg=True):
    r = Rec(share, name)
    r.expect_rc(0)
    r.expect_file()
    said = "falling back to kprobes" in r.err
    if fallback_msg and not said:
        fail(f"{name}: record did not say on stderr that it fell back to kprobes:\n{r.err}")
    if not fallback_msg and said:
        fail(f"{name}: --kprobes on a kernel with the tracepoints claims a fallback:\n{r.err}")
    if "kprobe fallback)" not in r.err:
        fail(f"{name}: the 'recording in' line does not name the kprobe fallback:\n{r.err}")
    text = sh([RMAPSTAT, "report", "--by", "kind,purpose", r.dat], 0,
              f"{name}: rmapstat report").stdout
    if "A kprobe trace cannot show" not in text:
        fail(f"{name}: the text report does not say what a kprobe trace cannot show:\n{text}")
    rep = report_json(r.dat)
    missing = {"pfn", "mapcount", "nr_visited", "nr_rmap_one"} - set(rep["unavailable"])
    if rep["source"] != "kprobes" or missing:
        fail(f"{name}: report JSON source {rep['source']}, unavailable "
             f"{rep['unavailable']}; expected kprobes and {sorted(missing)} listed")
    expect_no_unmatched(name, rep)
    g = groups(rep)
    for grp in g.values():
        if grp["work"] is not None:
            fail(f"{name}: a kprobe trace has work counters: {grp['work']}")
    # Independent: the raw kprobe events and the file's kallsyms.
    events = []
    for line in tracecmd_reads(name, r.dat).splitlines():
        m = KPROBE_LINE.search(line)
        if m:
            events.append((m.group(1), m.group(2)))
    ksm_in = [a for e, a in events if e == "rmap_walk_ksm_entry"]
    ksm_out = [e for e, _ in events if e == "rmap_walk_ksm_exit"]
    syms = kallsyms(r.dat)
    ksm_purposes = sorted(syms.get(int(a, 16), a) for a in ksm_in)
    reported = sorted(p for (k, p), grp in g.items() if k == "KSM" for _ in range(grp["count"]))
    print(f"  {name}: {len(events)} kprobe events, rmap_walk_ksm entries/exits "
          f"{len(ksm_in)}/{len(ksm_out)} (purposes {ksm_purposes}); report: {describe(rep)}")
    if len(ksm_in) != len(ksm_out):
        fail(f"{name}: {len(ksm_in)} rmap_walk_ksm entries but {len(ksm_out)} exits")
    if reported != ksm_purposes:
        fail(f"{name}: KSM walks in the report {reported}, but the rmap_walk_ksm "
             f"kprobes resolve (trace-cmd kallsyms) to {ksm_purposes}")
    if kind == "KSM":
        for p in PURPOSES[trigger]:
            grp = g.get(("KSM", p))
            if grp is None or not grp["count"] or not grp["min_ns"] or grp["min_ns"] <= 0:
                fail(f"{name}: no KSM/{p} walk with a duration (groups {sorted(g)})")
    elif trigger == "idle":
        grp = g.get((kind, "page_idle_clear_pte_refs_one"))
        if grp is None or not grp["min_ns"]:
            fail(f"{name}: no {kind}/page_idle_clear_pte_refs_one walk with a duration "
                 f"(groups {sorted(g)})")
    return rep


def test_kprobes():
    runs = [("ksm-migrate", "KSM", "migrate", "-w ksm -p 500 -t migrate"),
            ("ksm-idle", "KSM", "idle", "-w ksm -p 500 -t idle"),
            ("anon-idle", "ANON", "idle", "-w anon -p 500 -t idle"),
            ("file-idle", "FILE", "idle", "-w file -p 500 -t idle"),
            ("anon-migrate", "ANON", "migrate", "-w anon -p 500 -t migrate")]
    script = "state before\n"
    for name, _, _, args in runs:
        script += f"rec {name} {args}\n"
    # Only one recording can own the rmapstat kprobe events at a time.
    script += """
start busy-first --duration 60
wait_for 'recording in' /host/busy-first.err 60
rec busy-second --duration 0.5
kill -INT $pid
finish busy-first
state after
"""
    share = guest("stock", script)
    for name, kind, trigger, _ in runs:
        rep = check_kprobe_run(share, name, kind, trigger)
        if name == "anon-migrate":
            print(f"  anon-migrate on stock shows {describe(rep)} (rmap_walk is inlined "
                  "into try_to_migrate there: only remove_migration_pte walks are seen)")
    second = Rec(share, "busy-second")
    second.expect_rc(10)
    if os.path.exists(second.dat):
        fail("busy-second: exit 10 but a trace was written")
    if "another running rmapstat record" not in second.err:
        fail(f"busy-second: exit 10 without naming the other recording:\n{second.err}")
    Rec(share, "busy-first").expect_rc(130)
    print(f"  busy-second: exit 10: {second.err.strip().splitlines()[-1]}")
    compare_states(share, "before", "after")
    no_leftovers(share)

    # --kprobes on a kernel that has the tracepoints.
    share2 = guest("traced", "rec forced -w ksm -p 500 -t idle --kprobes\n")
    check_kprobe_run(share2, "forced", "KSM", "idle", fallback_msg=False)
    return [share, share2]


# ---------------------------------------------------------------- hygiene

def read_state(share, name):
    with open(os.path.join(share, f"state.{name}")) as f:
        return f.read().splitlines()


def compare_states(share, a, b):
    sa, sb = read_state(share, a), read_state(share, b)
    if sa != sb:
        diff = [f"  {x!r} -> {y!r}" for x, y in zip(sa, sb) if x != y]
        fail(f"state after '{b}' differs from '{a}':\n" + "\n".join(diff))


# The signals come from a background subshell while the recording runs in
# the foreground: a non-interactive shell starts background commands with
# SIGINT ignored, and a COMMAND rmapstat starts would inherit that.
HYGIENE = r"""
# later NAME DELAY_US SIG...: once NAME's recording has started (its stderr
# names its instance rmapstat_PID), wait DELAY_US and send it each SIG.
later() {
	n=$1 d=$2; shift 2
	(
		wait_for 'recording in tracefs instance' /host/$n.err 120 || exit 1
		p=$(sed -n 's/.*instance rmapstat_\([0-9]*\) .*/\1/p' /host/$n.err)
		echo $p >/host/$n.pid
		usleep $d
		for s in "$@"; do kill -$s $p; done
		say "sent $* to $n (pid $p)"
	) &
}

# Knobs at values of our own, so that "restored" cannot mean "set to default".
echo 123 >$K/pages_to_scan
echo 77 >$K/sleep_millisecs
state before

rec complete -w ksm -p 500 -t migrate
state complete

for s in INT:int TERM:term HUP:hup; do
	n=${s#*:}-duration
	later $n 1000000 ${s%%:*}
	rec $n --duration 60 -e sched:sched_switch
	wait
	state $n
done

later int-forever 1000000 INT
rec int-forever -e sched:sched_switch
wait
state int-forever

later int-command 1000000 INT
rec int-command -e sched:sched_switch -- sleep 60
wait
state int-command

# While the workload waits for KSM: ksmd runs fast (run=1) until the signal.
(
	i=0
	while [ "$(cat $K/run)" != 1 ] && [ $i -lt 1200 ]; do i=$((i + 1)); usleep 50000; done
	usleep 200000
	p=$(pidof rmapstat)
	kill -INT $p
	say "sent INT to int-merge (pid $p) with ksm/run $(cat $K/run)"
) &
rec int-merge -w ksm -p 30000 -t migrate
wait
state int-merge

# While the triggers walk a 20,000-page KSM mapping (each walk takes ~0.5 s).
later int-trigger 500000 INT
rec int-trigger -w ksm -p 20000 -t migrate -r 4
wait
state int-trigger

later two-signals 1000000 INT INT
rec two-signals --duration 60 -e sched:sched_switch
wait
state two-signals

later killed 500000 KILL
rec killed --duration 60
wait
state killed
rec after-kill --duration 0.2
state after-kill
"""


def test_hygiene(kernel):
    share = guest(kernel, HYGIENE)
    before = read_state(share, "before")
    print("state before:\n  " + "\n  ".join(before))

    r = Rec(share, "complete")
    r.expect_rc(0)
    r.expect_file()
    tracecmd_reads("complete", r.dat, "rmap_walk")
    compare_states(share, "before", "complete")
    print("  complete: exit 0, state unchanged")

    # A signal ends a recording that had a duration or a command: the trace so
    # far is written, the exit status is 128 + N (the command's: killed by N).
    for name, rc in (("int-duration", 130), ("term-duration", 143), ("hup-duration", 129),
                     ("int-forever", 0), ("int-command", 130)):
        r = Rec(share, name)
        r.expect_rc(rc)
        r.expect_file()
        if f"wrote /host/{name}.dat" not in r.err:
            fail(f"{name}: record did not say it wrote the trace:\n{r.err}")
        tracecmd_reads(name, r.dat, "sched_switch:")
        compare_states(share, "before", name)
        print(f"  {name}: exit {rc}, trace written and read by trace-cmd, state unchanged")

    r = Rec(share, "int-merge")
    r.expect_rc(130)
    if "interrupted while waiting for KSM to merge" not in r.err:
        fail(f"int-merge: the signal did not come while KSM merged (or record did not "
             f"say so):\n{r.err}")
    if os.path.exists(r.dat):
        fail("int-merge: interrupted before recording, yet a trace was written")
    compare_states(share, "before", "int-merge")
    print("  int-merge: exit 130, no trace, KSM knobs and tracefs as before")

    r = Rec(share, "int-trigger")
    r.expect_rc(130)
    r.expect_file()
    rep = report_json(r.dat)
    ksm = [w for w in rep["top"] if w["kind"] == "KSM"]
    hits = r.hits()
    if not ksm or not hits:
        fail(f"int-trigger: the trace cut short holds no KSM walk ({describe(rep)}); "
             f"stderr:\n{r.err}")
    if len(hits) >= 4:
        fail(f"int-trigger: SIGINT did not cut the 4 triggers short ({len(hits)} ran)")
    tracecmd_reads("int-trigger", r.dat, "rmap_walk_ksm_entry:" if kernel == "stock"
                   else "purpose=try_to_migrate_one")
    compare_states(share, "before", "int-trigger")
    print(f"  int-trigger: exit 130 after {len(hits)} of 4 triggers, trace holds "
          f"{describe(rep)}; state unchanged")

    r = Rec(share, "two-signals")
    r.expect_rc(130)
    if os.path.exists(r.dat):
        tracecmd_reads("two-signals", r.dat)
        what = "trace written whole"
    else:
        what = "no trace"
    compare_states(share, "before", "two-signals")
    print(f"  two-signals: exit 130, {what}, state unchanged")

    r = Rec(share, "killed")
    r.expect_rc(137)
    left = read_state(share, "killed")
    inst = f"rmapstat_{r.pid}"
    if not any(inst in line for line in left if line.startswith("instances:")):
        fail(f"killed: SIGKILL left no instance {inst} (state {left}): the cleanup by "
             "the next run is not tested")
    after = Rec(share, "after-kill")
    after.expect_rc(0)
    if f"removed instance {inst} left by a killed run" not in after.err:
        fail(f"after-kill: the next run did not remove {inst}:\n{after.err}")
    if kernel == "stock" and "removed kprobe events" not in after.err:
        fail(f"after-kill: the next run did not remove the killed run's kprobes:\n{after.err}")
    compare_states(share, "before", "after-kill")
    print(f"  killed: SIGKILL left {inst}; the next run removed it: {after.err.splitlines()[0]}")
    no_leftovers(share)
    return share


# ---------------------------------------------------------------- errors

# Environments the lab kernels do not offer are made in a private mount
# namespace (unshare -m): a tmpfs hides a sysfs/tracefs folder; the one-node
# case shows libnuma a /proc/PID/status whose Mems_allowed is node 0 only
# (the lab kernel has no cpusets, so the file has no Mems_allowed line).
ERRORS = r"""
echo 123 >$K/pages_to_scan
echo 77 >$K/sleep_millisecs
state before
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >>/etc/passwd
for n in not-root:--duration=0.5 not-root-wl:-w=anon=-p=100=-t=idle; do
	args=$(echo ${n#*:} | tr = ' ')
	su nobody -s /bin/sh -c "rmapstat record -o /tmp/${n%%:*}.dat $args" 2>/host/${n%%:*}.err
	echo $? >/host/${n%%:*}.rc
	say "as nobody: rmapstat record $args -> exit $(cat /host/${n%%:*}.rc)"
done
unshare -m sh -c '. /host/lib.sh; umount $T; mount -t tmpfs -o ro none /sys/kernel; rec no-tracefs --duration 0.5'
unshare -m sh -c '. /host/lib.sh; mount -t tmpfs none $T; mkdir $T/instances; rec no-events --duration 0.5; rec no-kprobes --kprobes --duration 0.5'
unshare -m sh -c '. /host/lib.sh; cp /proc/$$/status /tmp/status; printf "Mems_allowed:\t00000001\nMems_allowed_list:\t0\n" >>/tmp/status; mount --bind /tmp/status /proc/$$/status; exec rmapstat record -o /host/one-node.dat -w anon -p 100 -t migrate 2>/host/one-node.err'; echo $? >/host/one-node.rc
unshare -m sh -c '. /host/lib.sh; mount -t tmpfs none $K; rec no-ksm -w ksm -p 100'
unshare -m sh -c '. /host/lib.sh; mount -t tmpfs none /sys/kernel/mm/page_idle; rec no-page-idle -w anon -p 100 -t idle'
rec bad-event -e nosuch:event --duration 0.5
rec bad-pages -w anon -p 1
rec merge-timeout -w ksm -p 100000 --no-split --merge-timeout 1
rec cmd-status -- sh -c 'exit 7'
rec cmd-missing -- /nonexistent/command
state after
"""

ERROR_CASES = [
    # name, exit status, a word the one-line message must have
    ("not-root", 3, "root"),
    ("not-root-wl", 3, "root"),
    ("no-tracefs", 4, "tracefs"),
    ("no-events", 5, "kernel/patches"),
    ("no-kprobes", 5, "CONFIG_KPROBE_EVENTS"),
    ("one-node", 6, "--trigger idle"),
    ("no-ksm", 7, "CONFIG_KSM"),
    ("no-page-idle", 8, "CONFIG_IDLE_PAGE_TRACKING"),
    ("bad-event", 2, "nosuch:event"),
    ("bad-pages", 2, "--pages"),
    ("merge-timeout", 9, "--merge-timeout"),
]


def test_errors():
    share2 = guest("traced", ERRORS)
    for name, rc, word in ERROR_CASES:
        r = Rec(share2, name)
        lines = [x for x in r.err.splitlines() if x.strip() and not x.startswith("KSM merge:")]
        r.expect_rc(rc)
        if len(lines) != 1 or word not in lines[0]:
            fail(f"{name}: expected one line on stderr naming '{word}', got:\n{r.err}")
        if os.path.exists(r.dat):
            fail(f"{name}: exit {rc} but a trace was written")
        print(f"  {name}: exit {rc}: {lines[0]}")
    for name, rc in (("cmd-status", 7), ("cmd-missing", 127)):
        r = Rec(share2, name)
        r.expect_rc(rc)
        r.expect_file()
        tracecmd_reads(name, r.dat)
        print(f"  {name}: exit {rc} (the command's), trace written and readable")
    print("  not tested: a kernel with neither tracepoints nor kprobe events for real "
          "(simulated above by hiding tracefs), a real one-node machine, a kernel "
          "without KSM or page_idle (all lab kernels have them; hidden above)")
    compare_states(share2, "before", "after")
    no_leftovers(share2)
    return share2


# ---------------------------------------------------------------- buffer

BUFFER = r"""
rec drained -q -w anon -p 6000 -t idle -r 5000 -b 256
rec overflow -q -w anon -p 6000 -t idle -r 3000 -b 16
"""


def test_buffer():
    share = guest("traced", BUFFER)

    # 5000 walks (~500 KiB of events) through 256 KiB per-CPU buffers: the
    # reader thread must move them out in time, nothing lost.
    r = Rec(share, "drained")
    r.expect_rc(0)
    r.expect_file()
    hits = r.hits()
    m = re.search(r"wrote \S+: ([0-9.]+) KiB of events", r.err)
    kib = float(m.group(1)) if m else 0
    rep = report_json(r.dat, by="kind")
    walks = rep["top"]
    print(f"  drained: {len(hits)} pages marked idle, {kib} KiB of events, "
          f"{rep['totals']['walks']} walks, lost {rep['totals']['lost_events']}")
    if len(hits) != 5000:
        fail(f"drained: 5000 idle triggers expected, record printed {len(hits)}")
    if kib <= 2 * 256:
        fail(f"drained: only {kib} KiB of events; the test needs more than two "
             "buffers' worth to show the draining")
    expect_no_unmatched("drained", rep)
    if sorted(w["pfn"] for w in walks) != sorted(h["pfn"] for h in hits):
        fail("drained: the pfns of the walks are not those of the 5000 pages marked idle")
    cross_check("drained", report_json(r.dat), tracecmd_walks("drained", r.dat))

    # 3000 walks through 16 KiB buffers: events are lost, and every one is
    # accounted for: by record on stderr, in the file, and by report.
    r = Rec(share, "overflow")
    r.expect_rc(0)
    r.expect_file()
    said = sum(int(x) for x in re.findall(r"CPU \d+ lost (\d+) events", r.err))
    rep = report_json(r.dat, by="kind")
    t = rep["totals"]
    print(f"  overflow: record said {said} events lost; report: {t}")
    if not said:
        fail(f"overflow: 6000 events through 16 KiB buffers and record reports no loss:\n"
             f"{r.err[-2000:]}")
    if t["lost_events"] != said:
        fail(f"overflow: report counts {t['lost_events']} lost events, record said {said}")
    if t["walk_events"] + t["lost_events"] != 2 * 3000:
        fail(f"overflow: {t['walk_events']} events read + {t['lost_events']} lost != "
             "6000 (2 per walk)")
    acc = 2 * (t["walks"] + t["nested"]) + t["no_end"] + t["superseded"] + \
        t["no_start"] + t["lost_walks"]
    if acc != t["walk_events"]:
        fail(f"overflow: pairing counters account for {acc} of {t['walk_events']} events")
    stat = sh(["trace-cmd", "report", "--stat", "-i", r.dat], 0, "trace-cmd report --stat").stdout
    overrun = sum(int(x) for x in re.findall(r"^overrun: (\d+)", stat, re.M))
    if overrun != said:
        fail(f"overflow: trace-cmd report --stat shows overrun {overrun}, record said {said}")
    print(f"  overflow: {said} lost events agree in record, report and trace-cmd --stat")
    no_leftovers(share)
    return share


# ---------------------------------------------------------------- stress

# 2 x 256 MB of guest memory and a zram swap device (kernel/config/vm.config).
# rmapstat record -b 16 runs stress.sh: two rmap-workload loops, one pinned
# to each CPU, walk pages (idle trigger) while dd fills a tmpfs with zeros
# to 1.5 x the memory: reclaim swaps out (zero pages cost zram nothing, so
# memory is tight but never runs out) and walks the rmap of mapped pages in
# kswapd and in dd. The workloads may fail when a page they look up was
# swapped out (exit 7); that is counted, not an error.
STRESS_MEM_PER_NODE = 256
STRESS = r"""
echo 2G >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 ||
	{ say "no zram swap"; exit 1; }
mkdir -p /mnt/fill && mount -t tmpfs -o size=2G fill /mnt/fill || exit 1
state before
cat /sys/block/zram0/stat >/host/zram.before
cat >/tmp/stress.sh <<'EOF'
. /host/lib.sh
# gen NAME CPU ARGS...: rmap-workload on CPU, again and again until /tmp/stop
gen() {
	n=$1 c=$2; shift 2
	while [ ! -e /tmp/stop ]; do
		taskset -c $c rmap-workload --quiet "$@" >/dev/null 2>>/host/gen-$n.err
		echo $? >>/host/gen-$n.rc
	done
}
gen anon 0 -w anon -p 2000 -t idle -r 2000 &
gen file 1 -w file -p 2000 -t idle -r 2000 &
usleep 500000
mem=$(awk '/^MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
say "filling $((mem * 3 / 2)) MB of tmpfs with zeros ($mem MB of memory)"
dd if=/dev/zero of=/mnt/fill/zeros bs=1M count=$((mem * 3 / 2)) 2>/host/dd.err
echo $? >/host/dd.rc
usleep 500000
touch /tmp/stop
wait
rm -f /mnt/fill/zeros
exit 0
EOF
rec stress -q -b 16 -- sh /tmp/stress.sh
cat /sys/block/zram0/stat >/host/zram.after
dmesg | grep -i -E 'out of memory|oom-kill|killed process' >/host/oom || true
swapoff /dev/zram0
state after
pidof rmapstat rmap-workload >/host/left.pids || true
"""


def sectors_written(share, name):
    """Sectors written to zram0 (the 7th field of its block stat)."""
    with open(os.path.join(share, f"zram.{name}")) as f:
        return int(f.read().split()[6])


def test_stress(workload):
    share = guest("traced", STRESS, carry=[workload], mem_per_node=STRESS_MEM_PER_NODE)
    r = Rec(share, "stress")
    r.expect_rc(0)
    r.expect_file()

    # Memory was tight: reclaim swapped out, and nothing was killed.
    swapped = (sectors_written(share, "after") - sectors_written(share, "before")) // 8
    with open(os.path.join(share, "dd.rc")) as f:
        dd_rc = int(f.read())
    print(f"  memory: {swapped} pages swapped out to zram; dd exit {dd_rc}")
    if swapped <= 0:
        fail("stress: nothing was swapped out: memory was not tight")
    with open(os.path.join(share, "oom")) as f:
        oom = f.read().strip()
    if oom:
        fail(f"stress: the OOM killer ran (memory ran out, not tight):\n{oom}")
    gens = {}
    for n in ("anon", "file"):
        with open(os.path.join(share, f"gen-{n}.rc")) as f:
            rcs = [int(x) for x in f.read().split()]
        gens[n] = {rc: rcs.count(rc) for rc in sorted(set(rcs))}
        if set(rcs) - {0, 7}:
            with open(os.path.join(share, f"gen-{n}.err")) as f:
                fail(f"stress: rmap-workload -w {n} exited {gens[n]} (exit status: runs); "
                     f"0 or 7 (page swapped out) expected:\n{f.read()[-2000:]}")
    print(f"  rmap-workload runs (exit status: runs): {gens}")

    # Lost events: reported by record, counted by report.
    said = sum(int(x) for x in re.findall(r"CPU \d+ lost (\d+) events", r.err))
    rep = report_json(r.dat, by="kind,purpose")
    t = rep["totals"]
    print(f"  record said {said} events lost; report totals: {t}")
    if not said:
        fail(f"stress: 16 KiB buffers under load and record reports no loss:\n{r.err[-2000:]}")
    if t["lost_events"] != said:
        fail(f"stress: report counts {t['lost_events']} lost events, record said {said}")
    acc = 2 * (t["walks"] + t["nested"]) + t["no_end"] + t["superseded"] + \
        t["no_start"] + t["lost_walks"]
    if acc != t["walk_events"]:
        fail(f"stress: pairing counters account for {acc} of {t['walk_events']} events")

    # The pairing is consistent: walks inside the trace, on both CPUs, from
    # the workloads and from reclaim; the same walks and durations as the
    # independent pairing of trace-cmd report's text.
    tr = rep["traces"][0]
    walks = rep["top"]
    if len(walks) != t["walks"]:
        fail(f"stress: --top lists {len(walks)} of {t['walks']} walks")
    bad = [w for w in walks if not (0 < w["duration_ns"] and
                                    tr["first_ts"] <= w["start_ns"] < w["end_ns"] <= tr["last_ts"])]
    if bad:
        fail(f"stress: {len(bad)} walks with durations outside the trace, e.g. {bad[:3]}")
    cpus = sorted({w["start_cpu"] for w in walks})
    comms = sorted({w["comm"] for w in walks})
    reclaim = [w for w in walks if w["comm"] != "rmap-workload" and
               w["purpose"] in ("folio_referenced_one", "try_to_unmap_one")]
    longest = max(walks, key=lambda w: w["duration_ns"])
    print(f"  {t['walks']} walks on CPUs {cpus} by {comms}; {len(reclaim)} reclaim walks; "
          f"longest {longest['duration_ns'] / 1e6:.3f} ms ({longest['kind']}/"
          f"{longest['purpose']}, {longest['comm']}); trace {(tr['last_ts'] - tr['first_ts']) / 1e9:.1f} s")
    print(f"  {describe(rep)}")
    if cpus != [0, 1]:
        fail(f"stress: walks started on CPUs {cpus}, expected both 0 and 1")
    if not reclaim:
        fail("stress: no folio_referenced_one/try_to_unmap_one walks outside the workloads: "
             "reclaim did not walk the rmap")
    expected, unmatched = trace_walks(r.dat)
    status = {}
    for u in unmatched:
        status[u["status"]] = status.get(u["status"], 0) + 1
    theirs = {"lost_walks": status.get("lost", 0), "no_start": status.get("no_start", 0),
              "no_end": status.get("no_end", 0), "superseded": status.get("superseded", 0)}
    ours = {k: t[k] for k in theirs}
    if ours != theirs:
        fail(f"stress: unpaired events: rmapstat report {ours}, trace-cmd report {theirs}")
    cross_check("stress", rep, expected)
    print(f"  the same {len(expected)} walks and durations as trace-cmd report; unpaired {ours}")

    # Nothing left behind.
    compare_states(share, "before", "after")
    with open(os.path.join(share, "left.pids")) as f:
        left = f.read().strip()
    if left:
        fail(f"stress: processes left running: {left}")
    no_leftovers(share)
    return share


# ---------------------------------------------------------------- compare

def test_compare():
    shares, dat = [], {}
    for kernel in ("traced", "fixed"):
        share = guest(kernel, "rec ksm -q -w ksm -p 2000 --split -t migrate\n")
        r = Rec(share, "ksm")
        r.expect_rc(0)
        r.expect_file()
        dat[kernel] = r.dat
        shares.append(share)
        print(f"  {kernel}: {describe(report_json(r.dat))}")
    work = tempfile.mkdtemp(prefix="rmapstat-vmcli-compare-")
    shares.append(work)
    js = {}
    for kernel in ("traced", "fixed"):
        p = sh([RMAPSTAT, "report", "--json", dat[kernel]], 0, "rmapstat report --json")
        js[kernel] = os.path.join(work, f"{kernel}.json")
        with open(js[kernel], "w") as f:
            f.write(p.stdout)
    cases = [
        ("dat", dat["fixed"], dat["traced"], 1),
        ("dat", dat["traced"], dat["fixed"], 0),
        ("json", js["fixed"], js["traced"], 1),
        ("json", js["traced"], js["fixed"], 0),
        ("json+dat", js["fixed"], dat["traced"], 1),
        ("dat+json", dat["traced"], js["fixed"], 0),
        ("same", dat["traced"], dat["traced"], 0),
    ]
    for what, base, new, rc in cases:
        p = sh([RMAPSTAT, "compare", base, new], rc,
               f"rmapstat compare {os.path.basename(base)} {os.path.basename(new)} ({what})")
        print(p.stdout)
    p = sh([RMAPSTAT, "compare", "--json", dat["fixed"], dat["traced"]], 1, "compare --json")
    doc = json.loads(p.stdout)
    rows = [x for x in doc["rows"] if x["group"] == "KSM"]
    if doc["schema"] != "rmapstat-compare" or not rows or rows[0]["result"] != "regression":
        fail(f"compare --json fixed traced: no KSM regression row: {doc}")
    # The fixed kernel's walk time is mostly its 256 rmap_one calls (TLB
    # flushes, slow under TCG: 0.5 to 12 ms seen), so the ratio varies; the
    # traced walks visit ~2000 VMAs per mapping and are always far slower.
    if rows[0]["ratio"] is None or rows[0]["ratio"] < 2:
        fail(f"compare --json: KSM p99 traced/fixed ratio {rows[0]['ratio']}, "
             "expected at least 2")
    print(f"  compare --json: KSM p99 base {rows[0]['base']} ns, new {rows[0]['new']} ns, "
          f"ratio {rows[0]['ratio']}, {doc['regressions']} regression(s)")
    return shares


# ----------------------------------------------------------------

def run_main(tests):
    """The main() of a VM test script: argv is TEST [ARGS...] RMAPSTAT; tests
    maps TEST to a function of ARGS returning the guest shares to remove."""
    global RMAPSTAT
    require_lab()
    what, args = sys.argv[1], sys.argv[2:]
    RMAPSTAT = os.path.abspath(args[-1])
    if not os.access(RMAPSTAT, os.X_OK):
        fail(f"{RMAPSTAT} is not an executable rmapstat (build it first)")
    if what not in tests:
        fail(f"unknown test {what}")
    for s in tests[what](*args[:-1]):
        shutil.rmtree(s, ignore_errors=True)
    print("PASS")


def main():
    run_main({
        "record": lambda kernel: [test_record(kernel)],
        "kprobes": test_kprobes,
        "hygiene": lambda kernel: [test_hygiene(kernel)],
        "errors": lambda: [test_errors()],
        "buffer": lambda: [test_buffer()],
        "compare": test_compare,
        "stress": lambda workload: [test_stress(os.path.abspath(workload))],
    })


if __name__ == "__main__":
    main()
