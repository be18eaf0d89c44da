#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
Bad input for `rmapstat report` and `rmapstat compare` (suite 'badinput').

  badinput.py traces   RMAPSTAT MKTRACE DATA_DIR [TRACE_CMD]
      trace.dat files cut at many offsets (file header, event formats,
      options, CPU data) of synthetic traces in file format 6, 7 and 7 with
      zstd, and of the recorded fixtures; random bytes; bytes flipped in
      the headers and in the ring-buffer pages; an empty file, a directory,
      a missing path, /dev/null, a pipe; a trace without rmap events, one
      with the events but no walk, traces with lost events.
  badinput.py json     RMAPSTAT MKTRACE
      `rmapstat compare` on report JSON of other schema versions, other
      schemas, JSON garbage, truncated JSON, deep nesting, odd numbers and
      strings, group names with control characters.
  badinput.py replay   RMAPSTAT MKTRACE REGRESSIONS_DIR [TRACE_CMD]
      every input kept under tests/fuzz/regressions/ (what the fuzzers
      found; child-load/: what only the child load refuses so far) and the
      hand-made minimal ones of tests/fuzz/mkregressions.py, through report
      and compare.
  badinput.py child    RMAPSTAT MKTRACE PRELOAD
      libtracecmd dying while it loads a trace (PRELOAD makes
      tracecmd_init_data() raise SIGSEGV, SIGABRT or SIGBUS, loop, or
      allocate until malloc() fails): rmapstat reads each trace in a
      child process with a CPU-time and a memory limit, so report and
      compare end with one error line naming the signal (or the limit),
      the memory the reader used stays under its limit, and a good trace
      still reads.

Every run must end with exit status 0 (1 for a compare that regresses) or
2; never a signal, a sanitizer report or a hang. Exit 2 means exactly one
line on stderr, "rmapstat CMD: ...", and nothing on stdout. Exit 0 on a
damaged file means the report is whole (JSON parses). Expected outcomes
are asserted where the input decides them (missing file, no events, ...).
"""

import json
import os
import resource
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import testlib as tl  # noqa: E402
from testlib import fail, mktrace  # noqa: E402

TIMEOUT = 20
ERROR_LINE = re.compile(r"^rmapstat (report|compare): [^\n]+\n$")
CRASH = re.compile(r"Sanitizer|runtime error:|Segmentation|Aborted|double free|"
                   r"corrupted|malloc\(\)|free\(\)|stack smashing|core dumped")

def keep(cmd):
    """Copies the inputs of a run that crashed or hung, to debug them."""
    d = os.path.join(tempfile.gettempdir(), "rmapstat-badinput-failures")
    os.makedirs(d, exist_ok=True)
    for arg in cmd[2:]:
        if os.path.isfile(arg) and arg.startswith(tempfile.gettempdir()) and \
                os.path.dirname(arg) != d:
            dst = os.path.join(d, "%d-%s" % (tl.runs, os.path.basename(arg)))
            shutil.copy(arg, dst)
            print("  input kept as %s" % dst, flush=True)


def clean(cmd, what, allowed=(0, 2), stdin=None, pattern=None, json_out=False, env=None):
    """Runs cmd; checks the rules above. Returns (rc, stdout, stderr)."""
    rc, out, err = tl.run(cmd, stdin=stdin, env=env, timeout=TIMEOUT)
    text = err.decode("utf-8", "replace")
    if rc is None:
        fail("%s: hangs (killed after %d s): %s" % (what, TIMEOUT, " ".join(cmd)))
        keep(cmd)
        return rc, out, text
    if rc < 0 or rc >= 128 or CRASH.search(text):
        fail("%s: crashed (exit %d): %s\n%s" % (what, rc, " ".join(cmd), text[-2000:]))
        keep(cmd)
        return rc, out, text
    if rc not in allowed:
        fail("%s: exit %d, expected %s: %r" % (what, rc, allowed, text[-500:]))
    if rc == 2:
        if not ERROR_LINE.match(text):
            fail("%s: exit 2 without exactly one error line: %r" % (what, text[-500:]))
            keep(cmd)
        if out:
            fail("%s: exit 2 with output on stdout (%d bytes)" % (what, len(out)))
    if pattern and not re.search(pattern, text):
        fail("%s: stderr %r does not match %r" % (what, text[-300:], pattern))
    if rc == 0 and json_out:
        try:
            json.loads(out.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            fail("%s: exit 0 but the JSON does not parse (%s)" % (what, e))
    return rc, out, text


def convert(trace_cmd, src, dst, compression):
    if not trace_cmd:
        return None
    p = subprocess.run([trace_cmd, "convert", "-i", src, "-o", dst, "--file-version", "7",
                        "--compression", compression],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return dst if p.returncode == 0 else None


def cut_points(size, page=4096):
    """Offsets in the file header, the formats, the options, each page edge."""
    pts = set(range(0, 24)) | {32, 64, 100, 200, 500, 1000, 2000}
    pts |= {size * k // 100 for k in (5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99)}
    for edge in range(page, size, page):
        pts |= {edge - 1, edge, edge + 1, edge + 17}
    pts |= {size - 1, size - 8, size - 16}
    return sorted(p for p in pts if 0 <= p < size)


def report_variants(rmapstat, path, what, allowed=(0, 2)):
    """text, --json and --csv; the JSON must parse when it exits 0."""
    rc, out, err = clean([rmapstat, "report", path], what, allowed)
    clean([rmapstat, "report", "--json", "--top", "3", "--hist", path], what + " --json",
          allowed, json_out=True)
    return rc, out, err


def mode_traces(rmapstat, mktrace_py, data_dir, trace_cmd):
    with tempfile.TemporaryDirectory() as tmp:
        T = lambda name: os.path.join(tmp, name)  # noqa: E731
        good = mktrace(mktrace_py, "ksm-slow", T("ksm-slow.dat"))
        base = [good,
                mktrace(mktrace_py, "kprobes-lost", T("kprobes-lost.dat")),
                mktrace(mktrace_py, "instance", T("instance.dat"))]
        v7 = convert(trace_cmd, good, T("ksm-slow-v7.dat"), "none")
        v7z = convert(trace_cmd, good, T("ksm-slow-v7z.dat"), "zstd")
        base += [p for p in (v7, v7z) if p]
        fixtures = sorted(f for f in os.listdir(data_dir) if f.endswith(".dat")) \
            if os.path.isdir(data_dir) else []
        # two recorded fixtures (trace-cmd record, zstd): they are big, fewer cuts
        recorded = [os.path.join(data_dir, f) for f in fixtures[:2]]

        # Cut at many offsets.
        for src in base + recorded:
            with open(src, "rb") as f:
                blob = f.read()
            pts = cut_points(len(blob))
            if src in recorded:
                pts = pts[:24:3] + [len(blob) * k // 20 for k in range(1, 20)]
            for n in pts:
                cut = T("cut.dat")
                with open(cut, "wb") as f:
                    f.write(blob[:n])
                what = "%s cut at %d of %d" % (os.path.basename(src), n, len(blob))
                rc, out, err = clean([rmapstat, "report", cut], what)
                if rc == 0 and n < len(blob) // 2:
                    fail("%s: a trace cut in half reports without error" % what)
                if n < 12 and rc != 2:
                    fail("%s: cut inside the magic, exit %s" % (what, rc))

        # Bytes flipped: in the headers (formats, options) and in the pages.
        rng = random.Random(6)
        for src in base:
            with open(src, "rb") as f:
                blob = f.read()
            for i in range(40):
                b = bytearray(blob)
                region = len(b) if i % 2 else min(len(b), 4096)
                for _ in range(1 + i % 4):
                    pos = rng.randrange(12, region)
                    b[pos] = rng.choice([0, 0xff, b[pos] ^ (1 << rng.randrange(8)),
                                         rng.randrange(256)])
                bad = T("flip.dat")
                with open(bad, "wb") as f:
                    f.write(bytes(b))
                report_variants(rmapstat, bad, "%s with bytes flipped (#%d)" %
                                (os.path.basename(src), i))

        # Random bytes, with and without a trace-cmd magic in front.
        for i, head in enumerate([b"", b"\x17\x08Dtracing6\0", b"\x17\x08Dtracing7\0",
                                  b"\x17\x08Dtracing6\0\0\x08\0\x10\0\0"]):
            for size in (1, 100, 5000, 70000):
                junk = T("junk.dat")
                with open(junk, "wb") as f:
                    f.write(head + bytes(rng.randrange(256) for _ in range(size)))
                rc, out, err = clean([rmapstat, "report", junk],
                                     "random bytes #%d/%d" % (i, size), (2,))

        # Files that are no trace at all.
        empty = T("empty.dat")
        open(empty, "w").close()
        clean([rmapstat, "report", empty], "empty file", (2,), pattern="empty file")
        os.mkdir(T("dir.dat"))
        clean([rmapstat, "report", T("dir.dat")], "a directory", (2,))
        clean([rmapstat, "report", T("nope/none.dat")], "missing path", (2,),
              pattern="No such file")
        clean([rmapstat, "report", "/dev/null"], "/dev/null", (2,))
        text = T("notes.txt")
        with open(text, "w") as f:
            f.write("hello\n" * 100)
        clean([rmapstat, "report", text], "a text file", (2,), pattern="not a trace-cmd")
        if os.geteuid() != 0:
            os.chmod(empty, 0)
            clean([rmapstat, "report", empty], "unreadable file", (2,))
        # A pipe: libtracecmd seeks and maps, a pipe is said to be one.
        with open(good, "rb") as f:
            blob = f.read()
        clean([rmapstat, "report", "/dev/stdin"], "a pipe", (2,), stdin=blob,
              pattern="not a regular file")
        clean([rmapstat, "compare", "/dev/stdin", good], "compare a pipe", (2,), stdin=blob,
              pattern="not a regular file")

        # No rmap events at all: error. The events, but no walk: a note.
        noev = mktrace(mktrace_py, "noevents", T("noevents.dat"))
        clean([rmapstat, "report", noev], "no rmap events", (2,), pattern="no rmap walk events")
        clean([rmapstat, "compare", noev, good], "compare: no rmap events", (2,),
              pattern="no rmap walk events")
        nowalk = mktrace(mktrace_py, "empty", T("nowalk.dat"))
        rc, out, err = clean([rmapstat, "report", nowalk], "rmap events, no walk", (0,))
        if b"no walk happened" not in out:
            fail("rmap events, no walk: the report does not say so: %r" % out[:300])

        # Lost events: still a report, with what was lost counted.
        lost = mktrace(mktrace_py, "tracepoints", T("lost.dat"))
        rc, out, err = clean([rmapstat, "report", lost], "lost events", (0,))
        if not re.search(rb"lost:\s+12 events lost", out):
            fail("lost events: the report does not count the 12 lost events")
        rc, out, err = clean([rmapstat, "report", "--json", lost], "lost events --json", (0,),
                             json_out=True)
        if rc == 0:
            tot = json.loads(out.decode())["totals"]
            if tot.get("lost_events") != 12 or tot.get("lost_walks") != 1:
                fail("lost events --json: totals %r" % tot)
        rc, out, err = clean([rmapstat, "report", base[1]], "loss of unknown size", (0,))
        if b"lost" not in out or b"not counted" not in out:
            fail("loss of unknown size: not stated in the report: %r" % out[:400])

        # Good file next to a bad one: error, and no partial report on stdout.
        cut = T("half.dat")
        with open(good, "rb") as f:
            blob = f.read()
        with open(cut, "wb") as f:
            f.write(blob[:len(blob) // 2])
        clean([rmapstat, "report", good, cut], "good + cut file", (2,))
        clean([rmapstat, "report", "--json", good, cut], "good + cut file --json", (2,))
        clean([rmapstat, "compare", good, cut], "compare good with cut", (2,))
        clean([rmapstat, "compare", cut, good], "compare cut with good", (2,))
    return 0


def report_json(rmapstat, path):
    p = subprocess.run([rmapstat, "report", "--json", path], stdout=subprocess.PIPE, check=True)
    return json.loads(p.stdout.decode())


def mode_json(rmapstat, mktrace_py):
    with tempfile.TemporaryDirectory() as tmp:
        T = lambda name: os.path.join(tmp, name)  # noqa: E731
        good = mktrace(mktrace_py, "ksm-slow", T("ksm-slow.dat"))
        fast = mktrace(mktrace_py, "ksm-fast", T("ksm-fast.dat"))
        rep = report_json(rmapstat, good)
        n = [0]

        def side(content, what, allowed=(2,), pattern=None, not_out=None):
            n[0] += 1
            path = T("side-%d.json" % n[0])
            with open(path, "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode())
            rc, out, err = clean([rmapstat, "compare", path, fast], "compare BASE=%s" % what,
                                 allowed, pattern=pattern)
            if not_out and not_out in out:
                fail("compare BASE=%s: %r printed raw in the table (control characters of a name must be escaped)"
                     % (what, not_out))
            clean([rmapstat, "compare", "--json", fast, path], "compare NEW=%s" % what, allowed,
                  pattern=pattern)

        def variant(what, allowed=(2,), pattern=None, not_out=None, **change):
            d = json.loads(json.dumps(rep))
            for k, v in change.items():
                if v is None:
                    d.pop(k, None)
                else:
                    d[k] = v
            side(json.dumps(d), what, allowed, pattern, not_out)

        full = json.dumps(rep)
        side(full, "the report itself", (0, 1))
        # version 1 (before nr_pages) has what compare reads; 4 is a future one
        variant("version 1", (0, 1), version=1)
        for v in (4, 0, -1, 1.5, "1", None, True, 1e308):
            variant("version %r" % (v,), pattern="version|schema", version=v)
        variant("other schema", schema="rmapstat-compare")
        variant("schema missing", schema=None)
        variant("schema a number", schema=7)
        variant("groups missing", groups=None)
        variant("groups an object", groups={"KSM": 1})
        variant("group without name", groups=[{"count": 1}])
        variant("group without count", groups=[{"name": "KSM"}])
        variant("group not an object", groups=[1, "x", None])
        variant("group name a number", groups=[{"name": 5, "count": 1}])
        # Names are data (a comm can hold any byte): the table must not
        # print control characters as they are, the error line must stay one.
        variant("group name with a newline", (0, 1), not_out=b"\nrmapstat compare: FAKE",
                groups=[{"name": "KSM\nrmapstat compare: FAKE", "count": 1}])
        variant("group name with an escape sequence", (0, 1), not_out=b"\x1b[2J",
                groups=[{"name": "KSM\x1b[2J", "count": 1}])
        variant("group without count, a newline in its name",
                groups=[{"name": "KSM\nrmapstat compare: FAKE"}])
        variant("group_by not a list", (0, 1, 2), group_by="kind")
        variant("group_by unknown", group_by=["kind\nFAKE"])
        variant("group_by empty", (0, 1, 2), group_by=[])
        variant("huge numbers", (0, 1),
                groups=[dict(g, max_ns=1e308, p99_ns=1e308, count=1e300) for g in rep["groups"]])
        variant("negative numbers", (0, 1),
                groups=[dict(g, max_ns=-5, p99_ns=-1e-300) for g in rep["groups"]])
        variant("many groups", (0, 1),
                groups=[{"name": "g%d" % i, "count": i, "p99_ns": i} for i in range(5000)])
        variant("long group name", (0, 1),
                groups=[{"name": "x" * 100000, "count": 1, "p99_ns": 3}])
        side(b"", "an empty file")
        side(b"   \n\t ", "white space")
        side(b"[]", "an array")
        side(b"42", "a number")
        side(b'"rmapstat-report"', "a string")
        side(b"null", "null")
        side(b"{", "an open brace")
        side(b"{}", "an empty object")
        side(b"{" + b'"a":' * 1, "a member without value")
        side(b"[" * 100000, "deep nesting", pattern="")
        side(b'{"x":' * 5000 + b"1" + b"}" * 5000, "deep objects")
        side(full.encode() + b"\n{}", "trailing data")
        side(full.encode()[:-1], "the last brace missing")
        side(full.replace('"schema"', '"sch\\u0000ema"'), "a NUL in a key")
        side(b'{"schema":"rmapstat-report","version":1,"groups":[{"name":"\xff\xfe","count":1}]}',
             "invalid UTF-8 in a name", (0, 1, 2))
        side(b'{"schema":"rmapstat-report","version":1,"groups":[{"name":"\\ud800","count":1}]}',
             "a lone surrogate", (0, 1, 2))
        side(b'{"schema":"rmapstat-report","version":1,"groups":[{"name":"a","count":1e999999}]}',
             "a number out of range", (0, 1, 2))
        side(b'{"schema":"rmapstat-report","version":01,"groups":[]}', "a leading zero")
        side(b'{"schema":"rmapstat-report","version":1,"groups":[],}', "a trailing comma")
        side(b'\xef\xbb\xbf' + full.encode(), "a byte order mark", (0, 1, 2))
        side(bytes(range(256)) * 4, "binary")
        rng = random.Random(7)
        for cut in sorted({rng.randrange(1, len(full)) for _ in range(40)}):
            side(full[:cut], "report JSON cut at %d of %d" % (cut, len(full)))
        for i in range(40):
            b = bytearray(full.encode())
            for _ in range(1 + i % 3):
                b[rng.randrange(len(b))] = rng.randrange(256)
            side(bytes(b), "report JSON with bytes changed (#%d)" % i, (0, 1, 2))
        os.mkdir(T("dir.json"))
        clean([rmapstat, "compare", T("dir.json"), fast], "compare a directory", (2,))
        clean([rmapstat, "compare", T("none.json"), fast], "compare a missing file", (2,),
              pattern="No such file")
        # JSON from a pipe is read whole.
        clean([rmapstat, "compare", "/dev/stdin", fast], "JSON from a pipe", (0, 1),
              stdin=full.encode())
        clean([rmapstat, "compare", "/dev/stdin", fast], "garbage from a pipe", (2,),
              stdin=b"{\"schema\": ")
    return 0


def mode_replay(rmapstat, mktrace_py, regressions, trace_cmd):
    here = os.path.dirname(os.path.abspath(__file__))
    mkreg = os.path.join(here, "..", "fuzz", "mkregressions.py")
    with tempfile.TemporaryDirectory() as tmp:
        good = mktrace(mktrace_py, "ksm-fast", os.path.join(tmp, "good.dat"))
        made = os.path.join(tmp, "made")
        args = [sys.executable, mkreg, made] + ([trace_cmd] if trace_cmd else [])
        subprocess.run(args, check=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
        inputs = [os.path.join(made, f) for f in sorted(os.listdir(made))]
        for sub in ("report", "json", "child-load"):
            d = os.path.join(regressions, sub)
            if os.path.isdir(d):
                inputs += [os.path.join(d, f) for f in sorted(os.listdir(d))
                           if not f.startswith(".") and not f.endswith(".md")]
        for path in inputs:
            what = os.path.relpath(path, tmp) if path.startswith(tmp) else \
                os.path.relpath(path, regressions)
            before = tl.failures
            clean([rmapstat, "report", path], "report " + what)
            if tl.failures > before:
                continue		# crashed or hung: once is enough
            clean([rmapstat, "report", "--json", path], "report --json " + what, json_out=True)
            clean([rmapstat, "compare", good, path], "compare good " + what, (0, 1, 2))
            clean([rmapstat, "compare", "--json", path, good], "compare --json %s good" % what,
                  (0, 1, 2))
    return 0


def mode_child(rmapstat, mktrace_py, preload):
    with tempfile.TemporaryDirectory() as tmp:
        good = mktrace(mktrace_py, "ksm-fast", os.path.join(tmp, "good.dat"))
        env = dict(os.environ, LD_PRELOAD=preload, RMAPSTAT_READ_CPU_SECONDS="2",
                   RMAPSTAT_READ_MEMORY_MB="256")
        cases = [(str(sig), r"libtracecmd crashed reading it \(signal %d, %s\)" % (sig, name))
                 for sig, name in ((11, "SIGSEGV"), (6, "SIGABRT"), (7, "SIGBUS"))]
        cases.append(("loop", r"libtracecmd did not finish reading it in 2 s of CPU time"))
        cases.append(("alloc", r"libtracecmd crashed reading it \(signal 11, SIGSEGV\)"))
        for how, pattern in cases:
            env["RMAPSTAT_TEST_CRASH_SIGNAL"] = how
            for cmd in ([rmapstat, "report", good], [rmapstat, "compare", good, good]):
                what = "%s with libtracecmd misbehaving (%s)" % (cmd[1], how)
                clean(cmd, what, (2,), env=env, pattern=pattern)
        # The reader never got past its memory limit (ru_maxrss of the
        # children: the largest of them, in KiB).
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        if peak > 256 + 64:
            fail("a reader grew to %d MiB, over its 256 MiB limit" % peak)
        del env["RMAPSTAT_TEST_CRASH_SIGNAL"]
        clean([rmapstat, "report", good], "report with the shim, no crash", (0,), env=env)
    return 0


def main(argv):
    modes = {"traces": (mode_traces, 4, 5), "json": (mode_json, 3, 3),
             "replay": (mode_replay, 4, 5), "child": (mode_child, 4, 4)}
    if len(argv) < 2 or argv[1] not in modes or not \
            modes[argv[1]][1] <= len(argv) - 1 <= modes[argv[1]][2]:
        sys.stderr.write(__doc__)
        return 2
    fn, lo, hi = modes[argv[1]]
    args = argv[2:] + [None] * (hi - (len(argv) - 1))
    if not os.access(args[0], os.X_OK):
        tl.skip("%s is not built" % args[0])
    if fn in (mode_traces, mode_replay) and (not args[-1] or not shutil.which(args[-1])):
        args[-1] = None		# no trace-cmd: no version 7 variants
    fn(*args)
    print("%d runs, %d failures" % (tl.runs, tl.failures))
    return tl.status()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
