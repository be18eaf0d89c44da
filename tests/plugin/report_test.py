# SPDX-License-Identifier: GPL-2.0-only
"""
Run the real `trace-cmd report` with the freshly built plugin_rmap.so.

  report_test.py golden  PLUGIN_DIR DATA_DIR GOLDEN_DIR
      every DATA_DIR/*.dat printed by trace-cmd report must equal
      GOLDEN_DIR/<name>.txt byte for byte (goldens are reviewed files,
      regenerated only by tests/plugin/update-golden, never by this test)
  report_test.py options PLUGIN_DIR DATA_DIR [MKTRACE_PY]
      -O rmap:unit, rmap:slow and rmap:raw change the output as documented,
      checked against the unit=ns output of the same trace: on every
      fixture with walk ends, and on mktrace.py's tracepoints and kprobes
      traces
  report_test.py list    PLUGIN_DIR
      `trace-cmd list -O` lists the options of the plugin
  report_test.py synthetic PLUGIN_DIR MKTRACE_PY
      trace.dat files written by tests/cli/mktrace.py (known walks: the
      generator's truth file) print every walk with its exact duration,
      SHORT on the ends of the short walks (order-0 folios only) and no
      other, and nr_pages on the lines of a format that has it
  report_test.py cli     PLUGIN_DIR RMAPSTAT DATA_DIR [MKTRACE_PY]
      the plugin pairs as `rmapstat report` does: every end printed by
      trace-cmd report has the duration (or none) of the CLI's CSV row
      with the same end time and task, on every fixture and on the
      synthetic traces
  report_test.py print   PLUGIN_DIR DAT [-O opt]...
      print the report (what update-golden stores)

trace-cmd runs with -L (no system plugins: a plugin_rmap.so installed in
the system folder would otherwise load too) and HOME set to an empty
folder (no ~/.local/lib/traceevent/plugins), so only the built plugin is
in play and the output does not depend on the machine.
"""

import glob
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib as tl  # noqa: E402
from testlib import check, skip  # noqa: E402


def trace_cmd():
    tc = shutil.which("trace-cmd")
    if not tc:
        skip("trace-cmd is not installed (apt-get install trace-cmd)")
    return tc


def plugin_env(plugin_dir, home):
    so = os.path.join(plugin_dir, "plugin_rmap.so")
    if not os.path.exists(so):
        sys.exit("no %s: build the project first (ninja -C BUILD)" % so)
    env = dict(os.environ)
    env["TRACEEVENT_PLUGIN_DIR"] = os.path.abspath(plugin_dir)
    env["HOME"] = home
    env.pop("TRACECMD_PLUGIN_DIR", None)
    env["LC_ALL"] = "C"
    return env


def report(plugin_dir, dat, opts=(), args=()):
    """Output of trace-cmd report on DAT (a path or a list of them: one
    tep handle, and so one pairing, per file) with the built plugin only."""
    with tempfile.TemporaryDirectory() as home:
        cmd = [trace_cmd(), "report", "-L"] + list(args)
        for o in opts:
            cmd += ["-O", o]
        for d in [dat] if isinstance(dat, str) else dat:
            cmd += ["-i", d]
        rc, out, err = tl.run(cmd, env=plugin_env(plugin_dir, home), text=True)
    if rc != 0:
        sys.exit("trace-cmd report %s failed (%d): %s" % (dat, rc, err))
    return out


def fixtures(data_dir):
    dats = sorted(glob.glob(os.path.join(data_dir, "*.dat")))
    if not dats:
        skip("no trace.dat fixtures in %s (tests/data/regenerate BUILD records them)"
             % data_dir)
    return dats


def cmd_golden(plugin_dir, data_dir, golden_dir):
    failed = []
    names = set()
    for dat in fixtures(data_dir):
        names.add(os.path.splitext(os.path.basename(dat))[0])
        name = os.path.splitext(os.path.basename(dat))[0]
        golden = os.path.join(golden_dir, name + ".txt")
        out = report(plugin_dir, dat)
        if not os.path.exists(golden):
            print("FAIL %s: no golden %s; review `tests/plugin/update-golden "
                  "BUILD %s` and keep it" % (name, golden, name))
            failed.append(name)
            continue
        with open(golden) as f:
            want = f.read()
        if out == want:
            print("ok   %s (%d lines)" % (name, out.count("\n")))
            continue
        failed.append(name)
        print("FAIL %s: trace-cmd report differs from %s" % (name, golden))
        import difflib
        diff = difflib.unified_diff(want.splitlines(), out.splitlines(),
                                    golden, "trace-cmd report", lineterm="")
        for i, line in enumerate(diff):
            if i == 80:
                print("... (diff cut)")
                break
            print(line)
    for g in sorted(glob.glob(os.path.join(golden_dir, "*.txt"))):
        if os.path.basename(g)[:-4] not in names:
            print("note %s has no fixture any more: remove it" % g)
    if failed:
        print("%d fixture(s) differ: %s. If the change is intended, run "
              "tests/plugin/update-golden BUILD, review the diff and keep it."
              % (len(failed), " ".join(failed)))
        sys.exit(1)


# The plugin's end/exit line: "... duration=<d>..." with optional tags.
DUR = re.compile(r"(?:^| )duration=(\?|[0-9.]+(?:ns|us|ms))")
SCALE = {"ns": 1, "us": 1000, "ms": 1000000}


def to_ns(text):
    """Exact ns of a printed duration ("2.500us" -> 2500)."""
    m = re.fullmatch(r"([0-9]+)(?:\.([0-9]+))?(ns|us|ms)", text)
    if not m:
        raise ValueError("bad duration %r" % text)
    whole, frac, unit = m.group(1), m.group(2) or "", m.group(3)
    digits = {"ns": 0, "us": 3, "ms": 6}[unit]
    if len(frac) != digits:
        raise ValueError("duration %r must have %d decimals" % (text, digits))
    return int(whole) * SCALE[unit] + (int(frac) if frac else 0)


def walk_ends(out):
    """(line, duration text) of every paired or unpaired end/exit line."""
    res = []
    for line in out.splitlines():
        m = DUR.search(line)
        if m:
            res.append((line, m.group(1)))
    return res


def cmd_options(plugin_dir, data_dir, mktrace=None):
    dats = [d for d in sorted(glob.glob(os.path.join(data_dir, "*.dat")))
            if walk_ends(report(plugin_dir, d, ["rmap:unit=ns"]))]
    with tempfile.TemporaryDirectory() as tmp:
        if mktrace and os.path.exists(mktrace):
            for name in ("tracepoints", "kprobes"):
                dat = os.path.join(tmp, "synthetic-%s.dat" % name)
                dats.append(tl.mktrace(mktrace, name, dat))
        if not dats:
            skip("no fixture in %s has rmap walk ends and no trace generator"
                 % data_dir)
        check_options(plugin_dir, dats)


def check_options(plugin_dir, dats):
    for dat in dats:
        name = os.path.basename(dat)
        base = report(plugin_dir, dat, ["rmap:unit=ns"])
        ends = walk_ends(base)
        durs = [to_ns(d) for _, d in ends if d != "?"]
        check(durs, "%s: no paired walk" % name)
        check(all(re.fullmatch(r"[0-9]+ns", d) for _, d in ends if d != "?"),
              "%s: unit=ns must print whole nanoseconds" % name)
        nlines = base.count("\n")

        # Every unit prints the same exact durations.
        for unit in ("us", "ms", "auto"):
            out = report(plugin_dir, dat, ["rmap:unit=" + unit])
            check(out.count("\n") == nlines, "%s: unit=%s changed the line count"
                  % (name, unit))
            got = [to_ns(d) for _, d in walk_ends(out) if d != "?"]
            check(got == durs, "%s: unit=%s durations differ from unit=ns"
                  % (name, unit))
            if unit != "auto":
                check(all(d.endswith(unit) for _, d in walk_ends(out) if d != "?"),
                      "%s: unit=%s not used everywhere" % (name, unit))
            else:
                for _, d in walk_ends(out):
                    if d == "?":
                        continue
                    ns = to_ns(d)
                    want = "ns" if ns < 1000 else "us" if ns < 1000000 else "ms"
                    check(d.endswith(want), "%s: unit=auto printed %s for %d ns"
                          % (name, d, ns))
        print("ok   %s units (%d walks, %d..%d ns)" % (name, len(durs),
                                                      min(durs), max(durs)))

        # A threshold in the middle of the durations marks exactly the slow ones.
        thr = sorted(durs)[len(durs) // 2]
        for spec in ("%dns" % thr, "%d.%03dus" % (thr // 1000, thr % 1000)):
            out = report(plugin_dir, dat, ["rmap:unit=ns", "rmap:slow=" + spec])
            check(out.count("\n") == nlines, "%s: slow= changed the line count"
                  % name)
            for line, d in walk_ends(out):
                slow = line.endswith(" SLOW") or " SLOW " in line
                if d == "?":
                    check(not slow, "%s: SLOW on a walk without duration: %s"
                          % (name, line))
                    continue
                check(slow == (to_ns(d) >= thr),
                      "%s: slow=%s mis-marked: %s" % (name, spec, line))
            print("ok   %s slow=%s marks %d of %d walks" %
                  (name, spec, sum(1 for l, _ in walk_ends(out) if "SLOW" in l),
                   len(durs)))
        out = report(plugin_dir, dat, ["rmap:unit=ns"])
        check("SLOW" not in out, "%s: SLOW without a threshold" % name)

        # raw adds the raw fields to every rmap line, and changes nothing else.
        out = report(plugin_dir, dat, ["rmap:unit=ns", "rmap:raw"])
        check(out.count("\n") == nlines, "%s: raw changed the line count" % name)
        nraw = 0
        for a, b in zip(base.splitlines(), out.splitlines()):
            if a == b:
                continue
            check(b.startswith(a + " raw:"), "%s: raw changed more than a "
                  "suffix:\n  %s\n  %s" % (name, a, b))
            m = re.search(r"\bpfn=(0x[0-9a-f]+)", a)
            if m:
                check(re.search(r" raw:.* pfn=%s\b" % m.group(1), b),
                      "%s: raw pfn differs: %s" % (name, b))
            nraw += 1
        check(nraw > 0, "%s: raw printed nothing" % name)
        print("ok   %s raw on %d lines" % (name, nraw))


# "<comm>-<pid> [<cpu>] <ts>: <event>: <info>"; the comm may hold blanks.
LINE = re.compile(r"-(\d+)\s+\[(\d+)\]\s+([0-9.]+):\s+(\w+):\s+(.*)$")
SCENARIOS = ("tracepoints", "kprobes", "instance", "ksm-slow", "ksm-fast", "nr-pages")


def plugin_walks(out):
    """Counter of (pid, kind, purpose, duration ns) of the paired walks,
    and the number of nested (rmap_walk_ksm inside rmap_walk) pairs."""
    import collections
    walks = collections.Counter()
    nested = 0
    for line in out.splitlines():
        m = LINE.search(line)
        if not m:
            continue
        info = m.group(5)
        d = re.search(r"(?:^| )duration=([0-9]+ns)", info)
        if not d:
            continue
        if "(inside rmap_walk)" in info:
            nested += 1
            continue
        kind = re.search(r"\bkind=(\S+)", info)
        purpose = re.search(r"\bpurpose=(\S+)", info)
        walks[(int(m.group(1)), kind.group(1) if kind else "?",
               purpose.group(1) if purpose else "?", to_ns(d.group(1)))] += 1
    return walks, nested


def plugin_short(out):
    """Counter of (pid, duration ns) of the ends tagged SHORT, and the
    number of walk lines (start or end) that print nr_pages=."""
    import collections
    short = collections.Counter()
    with_nr_pages = 0
    for line in out.splitlines():
        m = LINE.search(line)
        if not m:
            continue
        info = m.group(5)
        with_nr_pages += " nr_pages=" in info
        d = re.search(r"(?:^| )duration=([0-9]+ns)", info)
        if d and info.endswith(" SHORT"):
            short[(int(m.group(1)), to_ns(d.group(1)))] += 1
    return short, with_nr_pages


def check_short(name, out, truth):
    """SHORT exactly on the generator's short walks; nr_pages= on every
    start and paired end of a trace whose format has it, else on none."""
    import collections
    got, with_nr_pages = plugin_short(out)
    want = collections.Counter((w["pid"], w["duration_ns"])
                               for w in truth["walks"] if w.get("short"))
    check(got == want, "%s: SHORT on %d ends, the generator's short walks are %d"
          % (name, sum(got.values()), sum(want.values())))
    has = any(w.get("nr_pages") is not None for w in truth["walks"])
    if has:
        check(with_nr_pages >= 2 * len(truth["walks"]),
              "%s: %d lines with nr_pages=, expected one per start and paired end"
              % (name, with_nr_pages))
    else:
        check(with_nr_pages == 0, "%s: nr_pages= printed from a format without it" % name)


def cmd_synthetic(plugin_dir, mktrace):
    import collections
    import json
    if not os.path.exists(mktrace):
        skip("no trace generator %s" % mktrace)
    everything = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name in SCENARIOS:
            dat = os.path.join(tmp, name + ".dat")
            truth_file = os.path.join(tmp, name + ".json")
            tl.mktrace(mktrace, name, dat, truth_file)
            with open(truth_file) as f:
                truth = json.load(f)
            want = collections.Counter(
                (w["pid"], w["kind"], w["purpose"], w["duration_ns"])
                for w in truth["walks"])
            out = report(plugin_dir, dat, ["rmap:unit=ns"])
            got, nested = plugin_walks(out)
            if got != want:
                print("FAIL %s: walks differ from the generator's" % name)
                for k in sorted((want - got).keys()):
                    print("  missing  pid=%d kind=%s purpose=%s %dns" % k)
                for k in sorted((got - want).keys()):
                    print("  extra    pid=%d kind=%s purpose=%s %dns" % k)
                sys.exit(1)
            check(nested == truth.get("nested", 0),
                  "%s: %d nested pairs, the generator made %d"
                  % (name, nested, truth.get("nested", 0)))
            check_short(name, out, truth)
            print("ok   %s: %d walks, exact durations" % (name, sum(got.values())))
            everything += want

        # All files in one report: each keeps its own pairing.
        dats = [os.path.join(tmp, n + ".dat") for n in SCENARIOS]
        got, _ = plugin_walks(report(plugin_dir, dats, ["rmap:unit=ns"]))
        check(got == everything, "the %d files in one trace-cmd report pair "
              "differently than one by one" % len(dats))
        print("ok   all %d files in one report: %d walks" % (len(dats),
                                                           sum(got.values())))


def plugin_ends(out):
    """Counter of (end ns, pid, duration ns or None) of every end/exit line
    of `trace-cmd report -t` (nanosecond timestamps)."""
    import collections
    ends = collections.Counter()
    for line in out.splitlines():
        m = LINE.search(line)
        if not m:
            continue
        d = re.search(r"(?:^| )duration=(\?|[0-9]+ns)", m.group(5))
        if not d:
            continue
        sec, _, ns = m.group(3).partition(".")
        check(len(ns) == 9, "trace-cmd report -t printed %s" % m.group(3))
        ends[(int(sec) * 1000000000 + int(ns), int(m.group(1)),
              None if d.group(1) == "?" else to_ns(d.group(1)))] += 1
    return ends


def cli_ends(rmapstat, dat):
    """The same from the rows of `rmapstat report --csv` that have an end."""
    import collections
    import csv
    rc, out, err = tl.run([rmapstat, "report", "--csv", dat], text=True)
    check(rc == 0, "rmapstat report --csv %s failed: %s" % (dat, err))
    ends = collections.Counter()
    for row in csv.DictReader(out.splitlines()):
        if not row["end_ns"]:
            continue		# a start without end: no line to compare
        paired = row["status"] in ("ok", "nested")
        ends[(int(row["end_ns"]), int(row["pid"]),
              int(row["duration_ns"]) if paired else None)] += 1
    return ends


def cmd_cli(plugin_dir, rmapstat, data_dir, mktrace=None):
    if not os.path.exists(rmapstat):
        sys.exit("no %s: build the project first" % rmapstat)
    dats = sorted(glob.glob(os.path.join(data_dir, "*.dat")))
    with tempfile.TemporaryDirectory() as tmp:
        if mktrace and os.path.exists(mktrace):
            for name in SCENARIOS:
                dat = os.path.join(tmp, "synthetic-%s.dat" % name)
                dats.append(tl.mktrace(mktrace, name, dat))
        if not dats:
            skip("no fixture in %s and no trace generator" % data_dir)
        for dat in dats:
            name = os.path.basename(dat)
            out = report(plugin_dir, dat, ["rmap:unit=ns"], ["-t"])
            got, want = plugin_ends(out), cli_ends(rmapstat, dat)
            if got != want:
                print("FAIL %s: trace-cmd report with the plugin and rmapstat "
                      "report pair differently (end ns, pid, duration ns):" % name)
                for k in sorted((want - got).keys(), key=str)[:20]:
                    print("  rmapstat only  %s" % (k,))
                for k in sorted((got - want).keys(), key=str)[:20]:
                    print("  plugin only    %s" % (k,))
                sys.exit(1)
            n = sum(got.values())
            unpaired = sum(c for k, c in got.items() if k[2] is None)
            print("ok   %s: %d ends, %d without duration, as rmapstat report"
                  % (name, n, unpaired))


def cmd_list(plugin_dir):
    with tempfile.TemporaryDirectory() as home:
        rc, out, err = tl.run([trace_cmd(), "list", "-O"], env=plugin_env(plugin_dir, home),
                              text=True)
    check(rc == 0, "trace-cmd list -O failed: %s" % err)
    # Blocks of "   file:	...\n plugin:	rmap\n option:	slow\n ..." per option.
    opts = set(re.findall(r"plugin:\s*rmap\s*\n\s*option:\s*(\S+)", out))
    check(opts == {"slow", "unit", "raw"},
          "trace-cmd list -O shows rmap options %s, want slow, unit, raw:\n%s"
          % (sorted(opts), out))
    print("ok   trace-cmd list -O: rmap:%s" % " rmap:".join(sorted(opts)))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "golden" and len(args) == 3:
        cmd_golden(*args)
    elif cmd == "options" and len(args) in (2, 3):
        cmd_options(*args)
    elif cmd == "list" and len(args) == 1:
        cmd_list(*args)
    elif cmd == "cli" and len(args) in (3, 4):
        cmd_cli(*args)
    elif cmd == "synthetic" and len(args) == 2:
        cmd_synthetic(*args)
    elif cmd == "print" and len(args) >= 2:
        opts = []
        rest = args[2:]
        while rest:
            if rest[0] != "-O" or len(rest) < 2:
                sys.exit("print PLUGIN_DIR DAT [-O opt]...")
            opts.append(rest[1])
            rest = rest[2:]
        sys.stdout.write(report(args[0], args[1], opts))
    else:
        sys.exit(__doc__)
    return tl.status()


if __name__ == "__main__":
    sys.exit(main())
