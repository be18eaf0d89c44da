#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
CLI tests of the "blocked behind walks" part of `rmapstat report`, its
CSV (--csv-waits), `rmapstat compare` on the victims' groups and the
plugin's waiters= on `trace-cmd report`.

  test_waits.py RMAPSTAT MKTRACE PLUGIN_DIR [TRACE_CMD]

The traces are mktrace.py's waits and waits-overlap scenarios: a KSM walk
that holds two anon_vma locks in turn, writers and a reader waiting for
them, a spinner, and the victims' markers. Expected values come from the
generator's truth, never from rmapstat's code.
"""

import copy
import csv
import io
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..")]
import testlib as tl  # noqa: E402
from testlib import check  # noqa: E402


def run_ok(cmd, what, env=None):
    rc, out, err = tl.run(cmd, env=env, text=True)
    check(rc == 0, "%s: exit %d, stderr %r" % (what, rc, err))
    return out


def check_json(name, d, truth):
    tw, tv = truth["waits"], truth["victims"]
    check(d["version"] == 3, name + ": schema version 3")
    w = d["waits"]
    check(w is not None and w["proof"] == tw["proof"], name + ": proof %r" % (w and w["proof"]))
    c = w["counters"]
    for key, want in (("waits_direct", tw["direct"]), ("waits_indirect", tw["indirect"]),
                      ("waits_other", tw["other"]), ("holds", tw["holds"]),
                      ("blocked_direct_ns", tw["blocked_direct_ns"]),
                      ("blocked_indirect_ns", tw["blocked_indirect_ns"]),
                      ("walks_blamed", 1), ("waits_open", 0), ("waits_lost", 0)):
        check(c[key] == want, "%s: %s %r, expected %r" % (name, key, c[key], want))
    got = {"%s/%d" % (v["comm"], v["pid"]): v for v in w["waiters"]}
    check(set(got) == set(tw["waiters"]), name + ": waiters %s" % sorted(got))
    for task, causes in tw["waiters"].items():
        v = got.get(task)
        for cause in ("direct", "indirect"):
            want = causes.get(cause, [])
            s = v[cause] if v else {"count": -1}
            check(s["count"] == len(want), "%s: %s %s count %r" % (name, task, cause, s["count"]))
            if want:
                check(s["total_ns"] == sum(want) and s["max_ns"] == max(want),
                      "%s: %s %s total %r max %r" % (name, task, cause, s["total_ns"], s["max_ns"]))
    coll = w["collateral"]
    top = tw["top"][0]
    check(coll["count"] == 1 and coll["total_ns"] == top["direct_ns"] + top["indirect_ns"],
          name + ": collateral %r" % coll)
    check(len(w["top"]) == 1, name + ": %d walks blamed" % len(w["top"]))
    if w["top"]:
        t = w["top"][0]
        for key, want in top.items():
            check(t[key] == want, "%s: top walk %s %r, expected %r" % (name, key, t[key], want))
        check(t["kind"] == "KSM" and t["purpose"] == "try_to_migrate_one" and
              t["status"] == "ok" and t["proof"] == tw["proof"], name + ": top walk %r" % t)
    v = d["victims"]
    check(v is not None and v["threads"] == tv["threads"], name + ": victims %r" % v)
    ops = {o["op"]: o for o in v["ops"]} if v else {}
    mp, want = ops.get("mprotect"), tv["mprotect"]
    check(mp is not None and mp["name"] == "victim:mprotect", name + ": victim:mprotect")
    if mp:
        check(mp["count"] == want["count"] and mp["max_ns"] == max(want["durations"]) and
              mp["total_ns"] == sum(want["durations"]), name + ": mprotect durations %r" % mp)
        b = mp["blocked"]
        check(b["name"] == "blocked:mprotect" and b["count"] == len(want["blocked"]) and
              b["total_ns"] == sum(want["blocked"]) and b["max_ns"] == max(want["blocked"]) and
              b["of_ns"] == want["of_ns"], name + ": mprotect blocked %r" % b)
        check(mp["failed"] == 0 and mp["unaligned"] == 0, name + ": failed/unaligned")


def check_csv(name, text, truth):
    rows = list(csv.DictReader(io.StringIO(text)))
    tw = truth["waits"]
    check(len(rows) == tw["direct"] + tw["indirect"] + tw["other"], name + ": %d CSV rows" % len(rows))
    by = {}
    for r in rows:
        by.setdefault(r["cause"], []).append(r)
    check(len(by.get("direct", [])) == tw["direct"], name + ": CSV direct rows")
    check(sum(int(r["blocked_ns"]) for r in by.get("direct", [])) == tw["blocked_direct_ns"],
          name + ": CSV direct blocked_ns")
    for r in by.get("other", []):
        check(r["flags"] == "SPIN" and r["walk_pid"] == "" and r["proof"] == "none",
              name + ": CSV other row %r" % r)
    for r in by.get("direct", []) + by.get("indirect", []):
        check(r["walk_pid"] == "200" and r["proof"] == tw["proof"] and r["complete"] == "1",
              name + ": CSV blamed row %r" % r)
        check(int(r["wait_ns"]) == int(r["end_ns"]) - int(r["begin_ns"]) >= int(r["blocked_ns"]),
              name + ": CSV times %r" % r)


def check_csv_ops(name, text, truth):
    rows = list(csv.DictReader(io.StringIO(text)))
    want = truth["victims"]["mprotect"]
    check([int(r["duration_ns"]) for r in rows] == want["durations"],
          name + ": CSV op durations %r" % [r["duration_ns"] for r in rows])
    blocked = [int(r["blocked_ns"]) for r in rows if int(r["blocked_ns"])]
    check(blocked == want["blocked"], name + ": CSV op blocked %r" % blocked)
    check(all(r["op"] == "mprotect" and r["ret"] == "0" for r in rows), name + ": CSV op rows")


def check_text(name, text, truth):
    check("Blocked behind walks" in text, name + ": text section")
    proof = "overlap, not proven" if truth["waits"]["proof"] == "overlap" else \
        "each proven by the lock the walk held"
    check(proof in text, name + ": text says %r" % proof)
    check("Victim operations" in text and "mprotect" in text, name + ": text victims")


def check_plugin(name, trace_cmd, plugin_dir, dat, truth):
    if not trace_cmd:
        return
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, TRACEEVENT_PLUGIN_DIR=os.path.abspath(plugin_dir), HOME=home,
                   LC_ALL="C")
        env.pop("TRACECMD_PLUGIN_DIR", None)
        out = run_ok([trace_cmd, "report", "-L", "-O", "rmap:unit=ns", "-i", dat],
                     name + ": trace-cmd report", env)
    sf = truth["waits"]["so_far"]
    want = "waiters=%d waited=%dns" % (sf["waiters"], sf["waited_ns"])
    ends = [line for line in out.splitlines() if "rmap_walk_end:" in line]
    check(len(ends) == 2 and want in ends[0] and "waiters=0 waited=0ns" in ends[1],
          name + ": plugin ends %r, expected %r first" % (ends, want))
    ops = [line for line in out.splitlines() if "raw_data:" in line]
    check(len(ops) == 3 and "op=mprotect thread=0 duration=3700ns ret=0" in ops[0],
          name + ": plugin ops %r" % ops)


def check_compare(rmapstat, tmp, report):
    """compare gates on the victims' groups: a slower victim is a regression."""
    base = os.path.join(tmp, "base.json")
    new = os.path.join(tmp, "new.json")
    slower = copy.deepcopy(report)
    mp = [o for o in slower["victims"]["ops"] if o["op"] == "mprotect"][0]
    mp["max_ns"] *= 3
    mp["p99_ns"] *= 3
    for path, d in ((base, report), (new, slower)):
        with open(path, "w") as f:
            json.dump(d, f)
    rc, out, err = tl.run([rmapstat, "compare", base, new, "-g", "victim:mprotect",
                           "-m", "p99,max"], text=True)
    check(rc == 1 and "victim:mprotect" in out, "compare victim:mprotect: exit %d %r" % (rc, err))
    rc, out, err = tl.run([rmapstat, "compare", base, base, "-g", "victim:mprotect",
                           "-g", "blocked:mprotect", "-m", "p99,max"], text=True)
    check(rc == 0 and "blocked:mprotect" in out, "compare same: exit %d %r" % (rc, err))


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    rmapstat, mktrace, plugin_dir = argv[1:4]
    trace_cmd = argv[4] if len(argv) == 5 else ""
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in ("waits", "waits-overlap"):
            dat = os.path.join(tmp, scenario + ".dat")
            tj = os.path.join(tmp, scenario + ".json")
            tl.mktrace(mktrace, scenario, dat, tj)
            with open(tj) as f:
                truth = json.load(f)
            print("checking", scenario)
            d = json.loads(run_ok([rmapstat, "report", "--json", dat], scenario + ": --json"))
            check_json(scenario, d, truth)
            check_csv(scenario, run_ok([rmapstat, "report", "--csv-waits", dat],
                                       scenario + ": --csv-waits"), truth)
            check_csv_ops(scenario, run_ok([rmapstat, "report", "--csv-ops", dat],
                                           scenario + ": --csv-ops"), truth)
            check_text(scenario, run_ok([rmapstat, "report", dat], scenario + ": text"), truth)
            check_plugin(scenario, trace_cmd, plugin_dir, dat, truth)
            if scenario == "waits":
                check_compare(rmapstat, tmp, d)
        # a trace without lock events: no section, null members, and --csv-waits says why
        dat = os.path.join(tmp, "ksm.dat")
        tl.mktrace(mktrace, "ksm-slow", dat)
        d = json.loads(run_ok([rmapstat, "report", "--json", dat], "ksm: --json"))
        check(d["waits"] is None and d["victims"] is None, "no lock events: null waits, victims")
        check("Blocked behind walks" not in run_ok([rmapstat, "report", dat], "ksm: text"),
              "no lock events: no text section")
        rc, out, err = tl.run([rmapstat, "report", "--csv-waits", dat], text=True)
        check(rc == 0 and out.count("\n") == 1 and "record --waits" in err,
              "no lock events: --csv-waits: exit %d %r %r" % (rc, out, err))
    return tl.status()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
