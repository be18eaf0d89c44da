#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
CLI tests of `rmapstat report` and `rmapstat compare`.

  test_report.py synthetic RMAPSTAT MKTRACE [TRACE_CMD]
      traces written by mktrace.py with known walks: rmapstat's CSV, JSON
      and text against what the generator put in and against the walks
      paired here from `trace-cmd report` (tracecmd_walks.py)
  test_report.py fixtures RMAPSTAT DATA_DIR [TRACE_CMD]
      the same on the recorded fixtures tests/data/*.dat, against
      `trace-cmd report` only; SKIP (77) while there are none
  test_report.py errors RMAPSTAT MKTRACE
      one-line errors and exit status 2, --help, defaults
  test_report.py compare RMAPSTAT MKTRACE [DATA_DIR]
      exit status 0 / 1 / 2 of compare on traces and on report JSON

Expected values never come from rmapstat's own code.
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..")]
import testlib as tl  # noqa: E402
import tracecmd_walks  # noqa: E402
from testlib import SKIP, check  # noqa: E402

ERROR_LINE = re.compile(r"^rmapstat (report|compare): .+\n$")


def run_ok(cmd, what):
    rc, out, err = tl.run(cmd, text=True)
    check(rc == 0, "%s: exit %d, stderr %r" % (what, rc, err))
    return out


def report_json(rmapstat, path, by):
    out = run_ok([rmapstat, "report", "--json", "--by", by, path], "report --json --by " + by)
    return json.loads(out, parse_constant=lambda c: 1 / 0)


# ------------------------------------------------------------ normal forms

FIELDS = ("status", "buffer", "start_ns", "end_ns", "duration_ns", "start_cpu", "end_cpu",
          "pid", "comm", "kind", "purpose", "pfn", "mapcount", "nr_visited",
          "nr_rmap_one", "short", "locked", "nr_pages")


def csv_records(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    recs = []
    for r in rows:
        rec = {}
        for k in FIELDS:
            v = r[k]
            if v == "":
                rec[k] = None
            elif k in ("status", "buffer", "comm", "kind", "purpose"):
                rec[k] = v
            else:
                rec[k] = int(v, 0)
        recs.append(rec)
    return recs


def norm(rec):
    return tuple(rec.get(k) for k in FIELDS)


def exact_pct(values, per100k):
    rank = max(1, (len(values) * per100k + 99999) // 100000)
    return values[rank - 1]


def group_key(rec, by):
    parts = []
    for b in by.split(","):
        if b == "kind":
            parts.append(rec["kind"])
        elif b == "purpose":
            parts.append(rec["purpose"])
        elif b == "pid":
            parts.append(str(rec["pid"]))
        elif b == "cpu":
            parts.append(str(rec["start_cpu"] if rec["start_cpu"] is not None else rec["end_cpu"]))
        elif b == "comm":
            parts.append(rec["comm"] or "<...>")
    return "/".join(parts)


def check_groups(name, d, records, by):
    """JSON groups against the records (walk status per group, durations)."""
    groups = {}
    for r in records:
        groups.setdefault(group_key(r, by), []).append(r)
    got = {g["name"]: g for g in d["groups"]}
    check(set(got) == set(groups), "%s --by %s: groups %s, expected %s"
          % (name, by, sorted(got), sorted(groups)))
    for key, recs in groups.items():
        g = got.get(key)
        if not g:
            continue
        where = "%s --by %s group %s" % (name, by, key)
        durs = sorted(r["duration_ns"] for r in recs if r["status"] == "ok")
        check(g["count"] == len(durs), where + ": count %d, expected %d" % (g["count"], len(durs)))
        for st in ("no_end", "superseded", "no_start", "lost"):
            n = sum(1 for r in recs if r["status"] == st)
            check(g["unmatched"][st] == n, where + ": %s %d, expected %d" % (st, g["unmatched"][st], n))
        check(g["nested"] == sum(1 for r in recs if r["status"] == "nested"), where + ": nested")
        if not durs:
            check(g["min_ns"] is None and g["p99_ns"] is None, where + ": no walks, no values")
            continue
        check(g["min_ns"] == durs[0], where + ": min")
        check(g["max_ns"] == durs[-1], where + ": max")
        check(g["total_ns"] == sum(durs), where + ": total")
        mean = sum(durs) / len(durs)
        check(abs(g["mean_ns"] - mean) <= 0.001 + 1e-12 * mean, where + ": mean")
        exact_up_to = d["percentiles"]["exact_up_to"]
        check(g["percentiles_exact"] == (len(durs) <= exact_up_to), where + ": percentiles_exact")
        for k, p in (("p50_ns", 50000), ("p90_ns", 90000), ("p99_ns", 99000), ("p99_9_ns", 99900)):
            exact = exact_pct(durs, p)
            if len(durs) <= exact_up_to:
                check(g[k] == exact, where + ": %s %d, exact %d" % (k, g[k], exact))
            check(abs(g[k] - exact) <= exact / 128,
                  where + ": %s %d, exact %d (bound 1/128)" % (k, g[k], exact))
        ok = [r for r in recs if r["status"] == "ok"]
        if ok and ok[0]["nr_visited"] is not None:
            check(g["work"]["visited"] == sum(r["nr_visited"] for r in ok), where + ": visited")
            check(g["work"]["rmap_one"] == sum(r["nr_rmap_one"] for r in ok), where + ": rmap_one")
            judged = [r for r in ok if r["short"] is not None]
            check(g["work"]["walks_order0"] == len(judged), where + ": walks_order0")
            check(g["work"]["short_walks"] == sum(r["short"] for r in judged), where + ": short")
        elif ok:
            check(g["work"] is None, where + ": a kprobe trace has no work counters")


def check_trace(rmapstat, path, trace_cmd, truth=None):
    name = os.path.basename(path)
    csv_out = run_ok([rmapstat, "report", "--csv", path], name + " --csv")
    got = csv_records(csv_out)
    check(csv_out.startswith("status,file,buffer,start_ns,end_ns,duration_ns,"), name + ": CSV header")

    expected = None
    if trace_cmd:
        expected, lost_markers, lost_events, source = tracecmd_walks.expected_walks(trace_cmd, path)
        a = sorted(map(norm, got), key=repr)
        b = sorted(map(norm, expected), key=repr)
        if not check(a == b, name + ": CSV rows differ from the walks paired from trace-cmd report"):
            for x in sorted(set(a) - set(b), key=repr)[:5]:
                print("   only rmapstat:", x)
            for x in sorted(set(b) - set(a), key=repr)[:5]:
                print("   only trace-cmd:", x)
    if truth is not None:
        ok = sorted((r["start_ns"], r["end_ns"], r["pid"], r["start_cpu"], r["end_cpu"], r["kind"],
                     r["purpose"]) for r in got if r["status"] == "ok")
        want = sorted((w["start_ns"], w["end_ns"], w["pid"], w["start_cpu"], w["end_cpu"], w["kind"],
                       w["purpose"]) for w in truth["walks"])
        check(ok == want, name + ": paired walks differ from the generator's")
        counts = {s: sum(1 for r in got if r["status"] == s) for s in
                  ("no_end", "no_start", "superseded", "lost", "nested")}
        check(counts["no_end"] == truth["unmatched_starts"], name + ": no_end rows")
        check(counts["no_start"] == truth["unmatched_ends"], name + ": no_start rows")
        check(counts["superseded"] == truth["superseded_starts"], name + ": superseded rows")
        check(counts["lost"] == truth["lost_walks"], name + ": lost rows")
        check(counts["nested"] == truth["nested"], name + ": nested rows")
        # short as the generator's rule says (order-0 only), nr_pages where the format has it
        want = {(w["start_ns"], w["pid"]): w for w in truth["walks"]}
        for r in got:
            w = want.get((r["start_ns"], r["pid"])) if r["status"] == "ok" else None
            if w and "short" in w:
                short = None if w["short"] is None else int(w["short"])
                check(r["short"] == short and r["nr_pages"] == w.get("nr_pages"),
                      name + ": walk at %d: short %r nr_pages %r, the generator's %r %r"
                      % (r["start_ns"], r["short"], r["nr_pages"], short, w.get("nr_pages")))
    records = expected if expected is not None else got

    d = report_json(rmapstat, path, "kind")
    check(d["schema"] == "rmapstat-report" and d["version"] == 3, name + ": schema")
    t = d["totals"]
    for st, key in (("ok", "walks"), ("no_end", "no_end"), ("no_start", "no_start"),
                    ("superseded", "superseded"), ("lost", "lost_walks"), ("nested", "nested")):
        n = sum(1 for r in records if r["status"] == st)
        check(t[key] == n, name + ": totals.%s %d, expected %d" % (key, t[key], n))
    check(t["walk_events"] == 2 * (t["walks"] + t["nested"]) + t["no_end"] + t["superseded"]
          + t["no_start"] + t["lost_walks"], name + ": every walk event accounted once")
    check(t["walk_events"] == sum(tr["walk_events"] for tr in d["traces"]), name + ": walk events")
    if expected is not None:
        check(t["lost_markers"] == lost_markers, name + ": lost markers")
        check(t["lost_events"] == lost_events, name + ": lost events")
        if source:
            check(d["source"] == source, name + ": source %s, expected %s" % (d["source"], source))
    if truth is not None:
        check(t["lost_events"] == truth["lost_events"], name + ": lost events vs generator")
        check(d["traces"][0]["clock"] == truth["clock"], name + ": clock")
        check(t["lost_unknown_markers"] == truth.get("lost_unknown", 0), name + ": lost, count unknown")
    if d["source"] == "kprobes":
        for f in ("pfn", "mapcount", "nr_visited", "nr_rmap_one", "short_walks"):
            check(f in d["unavailable"], name + ": kprobes cannot show " + f)
    check_groups(name, d, records, "kind")
    for by in ("purpose", "pid", "cpu", "comm", "kind,purpose"):
        check_groups(name, report_json(rmapstat, path, by), records, by)

    rc, text, err = tl.run([rmapstat, "report", "--units", "ms", "--hist", "--top", "3", path],
                           text=True)
    check(rc == 0, name + ": text report exit %d %r" % (rc, err))
    check("in ms" in text, name + ": text states the unit")
    check("relative error < 1/128 (0.78125%)" in text, name + ": text states the percentile error bound")
    if d["source"] == "kprobes":
        check("cannot show the pfn, the mapcount, the VMAs visited or the rmap_one() calls" in text,
              name + ": text says what a kprobe trace cannot show")
    n_ok = t["walks"]
    check(("Paired: %d walk%s" % (n_ok, "" if n_ok == 1 else "s")) in text,
          name + ": text shows the paired walks")
    if n_ok:
        check("nsecs" not in text and "msecs" in text, name + ": histogram in ms")
        check(text.count("Slowest 3 walks") == 1 or n_ok < 3, name + ": top 3")
    return d


# ------------------------------------------------------------ modes

def generate(mktrace, scenario, tmp):
    dat = os.path.join(tmp, scenario + ".dat")
    truth = os.path.join(tmp, scenario + ".json")
    tl.mktrace(mktrace, scenario, dat, truth)
    with open(truth) as f:
        return dat, json.load(f)


def convert_v7(trace_cmd, dat):
    """The same trace as trace-cmd 3.1.6 writes by default: version 7, compressed."""
    out = dat[:-4] + "-v7.dat"
    rc, _, _ = tl.run([trace_cmd, "convert", "--file-version", "7", "--compression", "any",
                       "-i", dat, "-o", out])
    return out if rc == 0 and os.path.exists(out) else None


def same_with_libtracecmd(rmapstat, path, what):
    """rmapstat reads stored pages itself (lib/tracedat/trace_pages.c); libtracecmd
    iterating the same file must give every walk the same: report --csv and
    the text report byte for byte."""
    for args in (["--csv"], []):
        cmd = [rmapstat, "report"] + args + [path]
        env = dict(os.environ, RMAPSTAT_READ_WITH_LIBTRACECMD="1")
        check(tl.run(cmd, text=True) == tl.run(cmd, env=env, text=True),
              "%s: report %s differs between the page reader and libtracecmd" %
              (what, " ".join(args)))


def mode_synthetic(rmapstat, mktrace, trace_cmd):
    if not trace_cmd:
        print("note: trace-cmd not found: checking against the generator only")
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in ("tracepoints", "kprobes", "kprobes-lost", "instance", "ksm-slow",
                         "ksm-fast", "empty", "nr-pages"):
            dat, truth = generate(mktrace, scenario, tmp)
            print("checking", scenario, "(file version 6)")
            check_trace(rmapstat, dat, trace_cmd, truth)
            same_with_libtracecmd(rmapstat, dat, scenario)
            if trace_cmd and scenario in ("tracepoints", "kprobes", "instance"):
                v7 = convert_v7(trace_cmd, dat)
                if check(v7 is not None, scenario + ": trace-cmd convert to version 7"):
                    print("checking", scenario, "(file version 7, compressed)")
                    d = check_trace(rmapstat, v7, trace_cmd, truth)
                    check(d["traces"][0]["file_version"] == 7, scenario + ": version 7 read")


def mode_fixtures(rmapstat, data_dir, trace_cmd):
    fixtures = sorted(f for f in os.listdir(data_dir) if f.endswith(".dat")) \
        if os.path.isdir(data_dir) else []
    if not fixtures:
        print("SKIP: no trace.dat fixtures in %s yet (record them with tests/data/regenerate)" % data_dir)
        return SKIP
    if not trace_cmd:
        print("SKIP: trace-cmd not found: the expected values come from `trace-cmd report`")
        return SKIP
    for f in fixtures:
        print("checking", f)
        d = check_trace(rmapstat, os.path.join(data_dir, f), trace_cmd)
        check(d["traces"][0]["walk_events"] > 0, f + ": the fixture holds walk events")
        same_with_libtracecmd(rmapstat, os.path.join(data_dir, f), f)
    return 0


def expect_error(cmd, pattern, what, cwd=None):
    rc, out, err = tl.run(cmd, cwd=cwd, text=True)
    check(rc == 2, "%s: exit %d, expected 2" % (what, rc))
    check(ERROR_LINE.match(err) is not None, "%s: not one error line: %r" % (what, err))
    check(re.search(pattern, err) is not None, "%s: %r does not match %r" % (what, err, pattern))
    check(out == "" or out.startswith("status,"), "%s: stdout %r" % (what, out[:200]))


def mode_errors(rmapstat, mktrace):
    with tempfile.TemporaryDirectory() as tmp:
        dat, _ = generate(mktrace, "tracepoints", tmp)
        noev, _ = generate(mktrace, "noevents", tmp)
        empty, _ = generate(mktrace, "empty", tmp)
        inst, _ = generate(mktrace, "instance", tmp)
        text = os.path.join(tmp, "notes.txt")
        with open(text, "w") as f:
            f.write("not a trace\n")
        js = os.path.join(tmp, "r.json")
        with open(js, "w") as f:
            f.write(run_ok([rmapstat, "report", "--json", dat], "report --json"))
        half = os.path.join(tmp, "half.dat")
        with open(dat, "rb") as f:
            blob = f.read()
        with open(half, "wb") as f:
            f.write(blob[:len(blob) // 2])

        expect_error([rmapstat, "report", os.path.join(tmp, "nope.dat")],
                     r"nope\.dat: No such file or directory \(.*rmapstat record.*\)", "missing file")
        expect_error([rmapstat, "report", text], r"notes\.txt: not a trace-cmd data file \(.+\)",
                     "text file")
        expect_error([rmapstat, "report", js], r"r\.json: is JSON, not a trace-cmd data file \(.*compare.*\)",
                     "report JSON given to report")
        expect_error([rmapstat, "report", noev],
                     r"noevents\.dat: no rmap walk events in this trace .*\(.*rmapstat record.*\)",
                     "trace without rmap events")
        expect_error([rmapstat, "report", half], r"half\.dat: .+ \(.+\)", "truncated trace")
        expect_error([rmapstat, "report", dat, noev], r"noevents\.dat: no rmap walk events",
                     "second file bad")
        expect_error([rmapstat, "report", "--buffer", "nope", inst],
                     r"no buffer named 'nope' \(buffers in this file: top, rmapstat-4242\)", "--buffer")
        expect_error([rmapstat, "report", "--by", "colour", dat], r"--by 'colour'", "--by")
        expect_error([rmapstat, "report", "--units", "s", dat], r"--units 's'", "--units")
        expect_error([rmapstat, "report", "--top", "-1", dat], r"--top '-1'", "--top")
        expect_error([rmapstat, "report", "--json", "--csv", dat], r"exclude each other", "--json --csv")
        expect_error([rmapstat, "report", "--csv", "--top", "3", dat], r"the CSV outputs list every walk",
                     "--csv --top")
        expect_error([rmapstat, "report", "--frobnicate", dat], r"unknown option '--frobnicate'",
                     "unknown option")
        expect_error([rmapstat, "report", "--top"], r"--top needs an argument", "missing argument")
        expect_error([rmapstat, "report"], r"trace\.dat: No such file or directory", "default file",
                     cwd=tmp)

        rc, out, err = tl.run([rmapstat, "report", "--help"], text=True)
        check(rc == 0 and "usage: rmapstat report" in out and "--by" in out and err == "", "--help")
        rc, out, err = tl.run([rmapstat, "compare", "--help"], text=True)
        check(rc == 0 and "usage: rmapstat compare" in out and "Exit status" in out, "compare --help")

        shutil.copy(dat, os.path.join(tmp, "trace.dat"))
        rc, out, err = tl.run([rmapstat, "report"], cwd=tmp, text=True)
        check(rc == 0 and "rmapstat report: trace.dat" in out, "default trace.dat: %d %r" % (rc, err))

        rc, out, err = tl.run([rmapstat, "report", empty], text=True)
        check(rc == 0 and "no walk happened" in out, "trace with rmap formats but no walk")
        rc, out, err = tl.run([rmapstat, "report", "--json", empty], text=True)
        check(rc == 0 and json.loads(out)["totals"]["walks"] == 0 and "no walk happened" in err,
              "empty --json")

        # Two files are reported together.
        d = json.loads(run_ok([rmapstat, "report", "--json", dat, inst], "two files"))
        one = json.loads(run_ok([rmapstat, "report", "--json", dat], "one file"))
        check(len(d["traces"]) == 2 and d["totals"]["walks"] == 2 * one["totals"]["walks"],
              "two files: walks add up")
        check(sum(g["count"] for g in d["groups"]) == 2 * one["totals"]["walks"], "two files: groups")

        # One pass: each trace is opened once (by the parent; the reader
        # child inherits the descriptor), for report and for compare.
        strace = shutil.which("strace")
        if strace:
            for cmd, times in (([rmapstat, "report", dat], 1),
                               ([rmapstat, "report", "--csv", dat], 1),
                               ([rmapstat, "compare", dat, inst], 1)):
                log = os.path.join(tmp, "strace.log")
                rc, _, err = tl.run([strace, "-f", "-qq", "-e", "trace=open,openat,openat2",
                                     "-o", log] + cmd, text=True)
                with open(log) as f:
                    opens = [line for line in f if os.path.basename(dat) + '"' in line]
                check(rc == 0 and len(opens) == times,
                      "%s opens %s %d times (want %d): %r" %
                      (" ".join(cmd[1:2]), os.path.basename(dat), len(opens), times, opens))
        else:
            print("NOTE: strace not installed: the open-once check did not run")


def compare(rmapstat, *args):
    return tl.run([rmapstat, "compare"] + list(args), text=True)


def mode_compare(rmapstat, mktrace, data_dir):
    with tempfile.TemporaryDirectory() as tmp:
        fast, _ = generate(mktrace, "ksm-fast", tmp)
        slow, _ = generate(mktrace, "ksm-slow", tmp)
        noev, _ = generate(mktrace, "noevents", tmp)
        fast_js = os.path.join(tmp, "fast.json")
        slow_js = os.path.join(tmp, "slow.json")
        for src, dst in ((fast, fast_js), (slow, slow_js)):
            with open(dst, "w") as f:
                f.write(run_ok([rmapstat, "report", "--json", src], "report --json"))

        rc, out, err = compare(rmapstat, fast, slow)
        check(rc == 1, "slow new vs fast base: exit %d, expected 1 (%r)" % (rc, err))
        check(re.search(r"KSM\s+p99\s.*REGRESSION", out) is not None, "KSM p99 regression shown")
        check(re.search(r"ANON\s+p99\s.*ok", out) is not None, "ANON p99 ok")
        rc, out, err = compare(rmapstat, slow, fast)
        check(rc == 0, "fast new vs slow base: exit %d, expected 0 (%r)" % (rc, err))
        check("0 regressions" in out, "no regression reported")

        # report JSON on either side, detected by content
        for base, new, want in ((fast_js, slow_js, 1), (slow_js, fast_js, 0), (fast, slow_js, 1),
                                (slow_js, fast, 0)):
            rc, out, err = compare(rmapstat, base, new)
            check(rc == want, "compare %s %s: exit %d, expected %d (%r)"
                  % (os.path.basename(base), os.path.basename(new), rc, want, err))
        # ... also from a pipe
        with open(slow_js, "rb") as f:
            p = subprocess.run([rmapstat, "compare", fast_js, "/dev/stdin"], stdin=f,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(p.returncode == 1, "JSON from a pipe: exit %d %r" % (p.returncode, p.stderr))

        # the values shown are the report's
        rc, out, err = compare(rmapstat, "--json", "--metric", "p99,max,count", fast, slow)
        c = json.loads(out)
        check(rc == 1 and c["schema"] == "rmapstat-compare" and c["version"] == 1, "compare --json")
        with open(fast_js) as f:
            fj = json.load(f)
        with open(slow_js) as f:
            sj = json.load(f)
        for row in c["rows"]:
            key = {"p99": "p99_ns", "max": "max_ns", "count": "count"}[row["metric"]]
            b = next(g for g in fj["groups"] if g["name"] == row["group"])[key]
            n = next(g for g in sj["groups"] if g["name"] == row["group"])[key]
            check(row["base"] == b and row["new"] == n, "compare row %s %s" % (row["group"], row["metric"]))
            regress = n > b * 1.10
            check((row["result"] == "regression") == regress, "regression rule %r" % row)
        check(c["regressions"] == sum(1 for r in c["rows"] if r["result"] == "regression"), "count")

        rc, out, err = compare(rmapstat, "--threshold", "1e9", fast, slow)
        check(rc == 0, "huge threshold: exit %d" % rc)
        rc, out, err = compare(rmapstat, "--group", "ANON", "--group", "FILE", fast, slow)
        check(rc == 0 and "KSM" not in out, "--group ANON --group FILE: exit %d" % rc)
        rc, out, err = compare(rmapstat, "--group", "KSM", "--metric", "mean", slow, fast)
        check(rc == 0 and "ANON" not in out, "--group KSM reverse")
        rc, out, err = compare(rmapstat, "--by", "purpose", fast, slow)
        check(rc == 1 and "try_to_migrate_one" in out, "--by purpose on traces")

        # errors: exit 2 and one line
        # version 1 (before nr_pages) has every member compare reads; 3 is not known
        old = os.path.join(tmp, "v1.json")
        with open(old, "w") as f:
            f.write(json.dumps(dict(fj, version=1)))
        rc, out, err = compare(rmapstat, old, slow)
        check(rc == 1, "schema version 1 still read: exit %d %r" % (rc, err))
        bad = os.path.join(tmp, "v4.json")
        with open(bad, "w") as f:
            f.write(json.dumps(dict(fj, version=4)))
        rc, out, err = compare(rmapstat, bad, slow)
        check(rc == 2 and ERROR_LINE.match(err) and "version 4" in err, "schema version 4: %d %r" % (rc, err))
        other = os.path.join(tmp, "other.json")
        with open(other, "w") as f:
            f.write('{"schema": "something", "version": 1}')
        rc, out, err = compare(rmapstat, other, slow)
        check(rc == 2 and ERROR_LINE.match(err) and "not an rmapstat report" in err, "other schema")
        by_purpose = os.path.join(tmp, "purpose.json")
        with open(by_purpose, "w") as f:
            f.write(run_ok([rmapstat, "report", "--json", "--by", "purpose", fast], "by purpose"))
        rc, out, err = compare(rmapstat, "--by", "kind", by_purpose, slow)
        check(rc == 2 and ERROR_LINE.match(err) and "grouped by purpose, not by kind" in err,
              "grouping mismatch: %d %r" % (rc, err))
        rc, out, err = compare(rmapstat, by_purpose, slow)
        check(rc == 1, "grouping taken from the JSON side: %d %r" % (rc, err))
        for args, pattern in (([fast], "give two files"),
                              ([fast, os.path.join(tmp, "nope.dat")], "No such file"),
                              (["--metric", "p42", fast, slow], "--metric 'p42'"),
                              (["--threshold", "x", fast, slow], "--threshold 'x'"),
                              ([fast, noev], "no rmap walk events"),
                              (["--group", "NOPE", fast, slow], "no group named NOPE"),
                              ([os.path.join(tmp, "ksm-fast.json"), slow], "not an rmapstat report")):
            rc, out, err = compare(rmapstat, *args)
            check(rc == 2 and ERROR_LINE.match(err) is not None and pattern in err,
                  "compare %s: exit %d, stderr %r" % (args, rc, err))

    if data_dir:
        traced = os.path.join(data_dir, "ksm-traced.dat")
        fixed = os.path.join(data_dir, "ksm-fixed.dat")
        if os.path.exists(traced) and os.path.exists(fixed):
            rc, out, err = compare(rmapstat, "--group", "KSM", fixed, traced)
            check(rc == 1, "fixtures: traced as new vs fixed as base: exit %d %r" % (rc, err))
            rc, out, err = compare(rmapstat, "--group", "KSM", traced, fixed)
            check(rc == 0, "fixtures: fixed as new vs traced as base: exit %d %r" % (rc, err))
        else:
            print("note: no ksm-traced.dat / ksm-fixed.dat fixtures yet: compared synthetic traces only")


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    mode, rmapstat = argv[1], os.path.abspath(argv[2])
    tool = lambda i: argv[i] if len(argv) > i and argv[i] else None  # noqa: E731
    if mode == "synthetic":
        ret = mode_synthetic(rmapstat, argv[3], tool(4))
    elif mode == "fixtures":
        ret = mode_fixtures(rmapstat, argv[3], tool(4))
    elif mode == "errors":
        ret = mode_errors(rmapstat, argv[3])
    elif mode == "compare":
        ret = mode_compare(rmapstat, argv[3], tool(4))
    else:
        sys.stderr.write(__doc__)
        return 2
    if ret == SKIP:
        return SKIP
    print("%s: %s" % (mode, "FAIL (%d)" % tl.failures if tl.failures else "ok"))
    return tl.status()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
