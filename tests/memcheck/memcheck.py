#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
rmapstat and plugin_rmap.so under valgrind memcheck (suite 'memcheck').

  memcheck.py report  VALGRIND RMAPSTAT MKTRACE DATA_DIR
      `rmapstat report` on the recorded fixtures and on synthetic traces
      (tracepoints, kprobes, instance buffers, lost events) in every output:
      text, --json, --csv, --hist, --top, --by with several keys, --buffer;
      several files at once; the error paths (missing file, no rmap events,
      damaged trace).
  memcheck.py compare VALGRIND RMAPSTAT MKTRACE DATA_DIR
      `rmapstat compare` of traces and of report JSON, text and --json, a
      regression, --group, and its error paths (wrong schema version).
  memcheck.py plugin  VALGRIND TRACE_CMD PLUGIN_DIR MKTRACE DATA_DIR
      `trace-cmd report` with TRACEEVENT_PLUGIN_DIR=PLUGIN_DIR, with the
      plugin's options. Only errors with plugin_rmap.so on their stack
      count: trace-cmd's own are not ours (memcheck.supp names the ones
      known; the rest are listed, not counted).

Zero errors and zero definite or indirect leaks are required. Suppressions
(memcheck.supp, documented there): libtracecmd's own leaks, and for runs
that fail on purpose the half-loaded libtracecmd handle lib/tracedat/trace_input.c
does not close (memcheck-error.supp).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib as tl  # noqa: E402
from testlib import fail, mktrace  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SUPP = os.path.join(HERE, "memcheck.supp")
SUPP_ERROR = os.path.join(HERE, "memcheck-error.supp")
VG_OPTS = ["--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
           "--show-leak-kinds=definite,indirect", "--num-callers=30",
           "--suppressions=" + SUPP]		# add --track-origins=yes to debug

def errors_in(xml_path, only_obj=None):
    """(kind, first frames) of the errors in valgrind's XML report."""
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError as e:
        return [("unreadable valgrind XML", str(e))]
    found = []
    for err in root.iter("error"):
        frames = []
        objs = []
        for fr in err.iter("frame"):
            fn = fr.findtext("fn") or "?"
            obj = fr.findtext("obj") or ""
            objs.append(obj)
            frames.append("%s (%s:%s)" % (fn, fr.findtext("file") or os.path.basename(obj),
                                         fr.findtext("line") or ""))
        if only_obj and not any(o.endswith(only_obj) for o in objs):
            continue
        kind = err.findtext("kind") or "?"
        what = err.findtext("what") or (err.find("xwhat").findtext("text")
                                        if err.find("xwhat") is not None else "")
        found.append((kind + ": " + what, "\n    ".join(frames[:12])))
    return found


def vg(valgrind, cmd, what, allowed=(0,), env=None, error_path=False, only_obj=None):
    """Runs cmd under valgrind; no memcheck error may be reported. Returns
    (exit status, stdout), or None when it did not finish."""
    # One XML file per process: rmapstat loads each trace in a child
    # process first (lib/tracedat/trace_input.c), and valgrind follows the fork.
    xml_dir = tempfile.mkdtemp(prefix="rmapstat-memcheck-")
    opts = VG_OPTS + ["--xml=yes", "--xml-file=" + os.path.join(xml_dir, "vg.%p.xml")]
    if error_path:
        opts.append("--suppressions=" + SUPP_ERROR)
    try:
        rc, out, err = tl.run([valgrind] + opts + cmd, env=env, timeout=300)
        if rc is None:
            fail("%s: did not finish under valgrind in 300 s" % what)
            return None
        if rc not in allowed:
            fail("%s: exit %d, expected %s: %s" % (what, rc, allowed,
                                                     err.decode(errors="replace")[-500:]))
        xmls = sorted(os.listdir(xml_dir))
        if not xmls:
            fail("%s: valgrind wrote no XML" % what)
        for x in xmls:
            for kind, stack in errors_in(os.path.join(xml_dir, x), only_obj):
                fail("%s: %s\n    %s" % (what, kind, stack))
        return rc, out
    finally:
        shutil.rmtree(xml_dir, ignore_errors=True)


def fixtures(data_dir, n=None):
    if not os.path.isdir(data_dir):
        return []
    files = sorted(os.path.join(data_dir, f) for f in os.listdir(data_dir) if f.endswith(".dat"))
    return files[:n] if n else files


def mode_report(valgrind, rmapstat, mktrace_py, data_dir):
    with tempfile.TemporaryDirectory() as tmp:
        tp = mktrace(mktrace_py, "tracepoints", os.path.join(tmp, "tracepoints.dat"))
        kp = mktrace(mktrace_py, "kprobes", os.path.join(tmp, "kprobes.dat"))
        kl = mktrace(mktrace_py, "kprobes-lost", os.path.join(tmp, "kprobes-lost.dat"))
        inst = mktrace(mktrace_py, "instance", os.path.join(tmp, "instance.dat"))
        noev = mktrace(mktrace_py, "noevents", os.path.join(tmp, "noevents.dat"))
        empty = mktrace(mktrace_py, "empty", os.path.join(tmp, "empty.dat"))
        for f in fixtures(data_dir):
            vg(valgrind, [rmapstat, "report", f], "report " + os.path.basename(f))
        if fixtures(data_dir):
            vg(valgrind, [rmapstat, "report", "--json", "--hist", "--top", "5"] +
               fixtures(data_dir), "report --json --hist --top 5 of the fixtures")
        for f in [tp, kp, kl, inst, empty]:
            name = os.path.basename(f)
            vg(valgrind, [rmapstat, "report", f], "report " + name)
            vg(valgrind, [rmapstat, "report", "--json", "--hist", "--top", "5", f],
               "report --json --hist --top 5 " + name)
        for f in [tp, inst]:
            name = os.path.basename(f)
            vg(valgrind, [rmapstat, "report", "--csv", f], "report --csv " + name)
            vg(valgrind, [rmapstat, "report", "--hist", "--top", "20", "--units", "ns",
                          "--by", "kind,purpose,pid,cpu,comm", f],
               "report --hist --top 20 --by all " + name)
        # the waits engine, the victims' operations and their outputs
        for scenario in ("waits", "waits-overlap"):
            f = mktrace(mktrace_py, scenario, os.path.join(tmp, scenario + ".dat"))
            for args in (["--json", "--top", "3"], ["--csv-waits"], ["--csv-ops"], []):
                vg(valgrind, [rmapstat, "report"] + args + [f],
                   "report %s %s" % (" ".join(args), scenario))
        vg(valgrind, [rmapstat, "report", "--buffer", "rmapstat-4242", "--by", "comm", inst],
           "report --buffer")
        vg(valgrind, [rmapstat, "report", "--json", tp, kp, inst], "report of several files")
        # Error paths: the half-loaded libtracecmd handle is left on purpose.
        half = os.path.join(tmp, "half.dat")
        with open(tp, "rb") as src, open(half, "wb") as dst:
            dst.write(src.read()[:20000])
        for args, what in (([os.path.join(tmp, "none.dat")], "missing file"),
                           ([noev], "no rmap events"),
                           ([half], "truncated trace"),
                           ([tp, noev], "second file bad"),
                           (["--buffer", "nope", inst], "no such buffer"),
                           (["--by", "colour", tp], "bad option")):
            vg(valgrind, [rmapstat, "report"] + args, "report error: " + what, (2,),
               error_path=True)
    return 0


def mode_compare(valgrind, rmapstat, mktrace_py, data_dir):
    with tempfile.TemporaryDirectory() as tmp:
        slow = mktrace(mktrace_py, "ksm-slow", os.path.join(tmp, "slow.dat"))
        fast = mktrace(mktrace_py, "ksm-fast", os.path.join(tmp, "fast.dat"))
        js = os.path.join(tmp, "slow.json")
        with open(js, "wb") as f:
            f.write(subprocess.run([rmapstat, "report", "--json", slow], check=True,
                                   stdout=subprocess.PIPE).stdout)
        vg(valgrind, [rmapstat, "compare", fast, slow], "compare traces (regression)", (1,))
        vg(valgrind, [rmapstat, "compare", "--json", slow, fast], "compare --json", (0,))
        vg(valgrind, [rmapstat, "compare", "--metric", "max,p50,mean,count", "--threshold", "5",
                      js, fast], "compare JSON with trace", (0, 1))
        vg(valgrind, [rmapstat, "compare", "--group", "KSM", "--units", "ms", fast, js],
           "compare --group", (1,))
        fx = fixtures(data_dir)
        traced = [f for f in fx if "traced" in os.path.basename(f)][:1]
        fixed = [f for f in fx if "fixed" in os.path.basename(f)][:1]
        if traced and fixed:
            vg(valgrind, [rmapstat, "compare", "--by", "purpose", fixed[0], traced[0]],
               "compare fixtures", (0, 1))
        bad = os.path.join(tmp, "v4.json")		# a version not known yet
        with open(js) as f, open(bad, "w") as g:
            g.write(re.sub(r'"version": \d+', '"version": 4', f.read(), count=1))
        garbage = os.path.join(tmp, "garbage.json")
        with open(garbage, "w") as f:
            f.write('{"schema": "rmapstat-report", "version": 1, "groups": [{"name": ')
        for args, what in (([bad, fast], "schema version 4"), ([garbage, fast], "JSON garbage"),
                           ([fast], "one file"), ([slow, os.path.join(tmp, "none")], "missing")):
            vg(valgrind, [rmapstat, "compare"] + args, "compare error: " + what, (2,),
               error_path=True)
    return 0


def mode_plugin(valgrind, trace_cmd, plugin_dir, mktrace_py, data_dir):
    if not trace_cmd or not os.access(trace_cmd, os.X_OK):
        tl.skip("trace-cmd is not installed")
    if not os.path.exists(os.path.join(plugin_dir, "plugin_rmap.so")):
        tl.skip("%s/plugin_rmap.so is not built" % plugin_dir)
    env = dict(os.environ, TRACEEVENT_PLUGIN_DIR=plugin_dir)
    with tempfile.TemporaryDirectory() as tmp:
        tp = mktrace(mktrace_py, "tracepoints", os.path.join(tmp, "tracepoints.dat"))
        kp = mktrace(mktrace_py, "kprobes", os.path.join(tmp, "kprobes.dat"))
        inst = mktrace(mktrace_py, "instance", os.path.join(tmp, "instance.dat"))
        fx = fixtures(data_dir)
        # two recorded fixtures (trace-cmd prints every event: slow under valgrind)
        fx = [f for f in fx if "instance" in f][:1] + [f for f in fx if "ksm" in f][:1]
        for f in fx + [tp, kp, inst]:
            name = os.path.basename(f)
            done = vg(valgrind, [trace_cmd, "report", f], "trace-cmd report " + name, env=env,
                      only_obj="plugin_rmap.so")
            if done and done[0] == 0 and b"rmap_walk" in done[1] and b"duration" not in done[1]:
                fail("trace-cmd report %s: the plugin did not print durations (not loaded?)"
                     % name)
        for opts in (["-O", "rmap:raw=1"], ["-O", "rmap:unit=ns", "-O", "rmap:slow=1us"]):
            vg(valgrind, [trace_cmd, "report"] + opts + [tp],
               "trace-cmd report %s" % " ".join(opts), env=env, only_obj="plugin_rmap.so")
    return 0


def main(argv):
    modes = {"report": (mode_report, 4), "compare": (mode_compare, 4),
             "plugin": (mode_plugin, 5)}
    if len(argv) < 2 or argv[1] not in modes or len(argv) - 2 != modes[argv[1]][1]:
        sys.stderr.write(__doc__)
        return 2
    valgrind = argv[2]
    if not valgrind or not os.access(valgrind, os.X_OK):
        tl.skip("valgrind is not installed (apt-get install valgrind)")
    modes[argv[1]][0](*argv[2:])
    print("%d runs under valgrind, %d failures" % (tl.runs, tl.failures))
    return tl.status()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
