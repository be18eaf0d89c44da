#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
Reads rmapstat's JSON with Python's json module (a real, independent JSON
parser) and checks its content.

  check_json.py writer TEST_JSON
      `TEST_JSON --print` (tests/unit/test_json.c) must be valid JSON with
      the values and strings the test wrote.
  check_json.py report TEST_REPORT DIR SCENARIO...
      `TEST_REPORT --json DIR/SCENARIO.dat` (grouped by kind,purpose, with
      histograms and the 5 slowest walks) against DIR/SCENARIO.json, the
      walks the generator put in: counts, min, max, mean exact, percentiles
      within the stated relative error of the exact nearest-rank values.
"""

import json
import math
import subprocess
import sys

failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def run_json(cmd):
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
    # strict: no NaN/Infinity, valid UTF-8
    return json.loads(out.decode("utf-8"), parse_constant=lambda c: 1 / 0)


def writer(test_json):
    d = run_json([test_json, "--print"])
    check(d["schema"] == "rmapstat-test", "schema")
    check(d["u64_max"] == 2**64 - 1, "u64_max %r" % d["u64_max"])
    check(d["ns"] == 860000000, "ns")
    check(d["negative"] == -42, "negative")
    check(abs(d["mean"] - 1447818.178) < 1e-9, "mean")
    check(d["exact"] == 0.0078125, "exact")
    check(d["nan"] is None and d["inf"] is None, "non-finite numbers are null")
    check(d["yes"] is True and d["no"] is False and d["nothing"] is None, "literals")
    check(d["empty_array"] == [] and d["empty_object"] == {}, "empty containers")
    want = ["plain", "quote \" backslash \\ slash /", "tab\tnewline\ncr\r",
            "\x01\x1f\x7f control", "a,b \"odd\"-400", "kworker/0:1H",
            "utf-8 \u00e9\u20ac\U0001f600", "invalid \u00ff\u00fe utf-8", ""]
    check(d["strings"] == want, "strings %r" % d["strings"])
    check(d["nested"] == [{"deeper": [1, 2]}], "nested")


def exact_pct(sorted_values, per100k):
    n = len(sorted_values)
    rank = max(1, (n * per100k + 99999) // 100000)
    return sorted_values[rank - 1]


def report(test_report, directory, scenarios):
    for scenario in scenarios:
        with open("%s/%s.json" % (directory, scenario)) as f:
            truth = json.load(f)
        d = run_json([test_report, "--json", "%s/%s.dat" % (directory, scenario)])
        where = scenario + ": "
        check(d["schema"] == "rmapstat-report" and d["version"] == 3, where + "schema")
        check(d["unit"] == "ns", where + "unit")
        check(d["group_by"] == ["kind", "purpose"], where + "group_by")
        check(d["source"] == truth["source"], where + "source")
        check(d["percentiles"]["max_relative_error"] == 1 / 128, where + "error bound")
        check(d["percentiles"]["exact_up_to"] == 1024, where + "exact up to")
        check(len(d["traces"]) == 1 and d["traces"][0]["clock"] == truth["clock"],
              where + "trace metadata")
        tr = d["traces"][0]
        check(tr["probes"] is None, where + "probes %r in a file without the option" % tr["probes"])
        misses = sum(1 for w in truth["walks"] if w["purpose"].startswith("?"))
        check(tr["purpose_misses"] == misses,
              where + "purpose_misses %d, expected %d" % (tr["purpose_misses"], misses))
        if truth["source"] == "kprobes":
            for f in ("pfn", "mapcount", "nr_visited", "nr_rmap_one", "short_walks"):
                check(f in d["unavailable"], where + "unavailable " + f)
        t = d["totals"]
        check(t["walks"] == len(truth["walks"]), where + "walks %d" % t["walks"])
        check(t["no_end"] == truth["unmatched_starts"], where + "no_end")
        check(t["no_start"] == truth["unmatched_ends"], where + "no_start")
        check(t["superseded"] == truth["superseded_starts"], where + "superseded")
        check(t["lost_walks"] == truth["lost_walks"], where + "lost_walks")
        check(t["lost_events"] == truth["lost_events"], where + "lost_events")
        check(t["nested"] == truth["nested"], where + "nested")

        groups = {}
        for w in truth["walks"]:
            groups.setdefault("%s/%s" % (w["kind"], w["purpose"]), []).append(w)
        got = {g["name"]: g for g in d["groups"]}
        for name, walks in groups.items():
            g = got.get(name)
            check(g is not None, where + "group %s missing" % name)
            if not g:
                continue
            durs = sorted(w["duration_ns"] for w in walks)
            check(g["count"] == len(durs), where + name + " count")
            check(g["key"]["kind"] == walks[0]["kind"] and
                  g["key"]["purpose"] == walks[0]["purpose"], where + name + " key")
            check(g["min_ns"] == durs[0], where + name + " min")
            check(g["max_ns"] == durs[-1], where + name + " max")
            check(g["total_ns"] == sum(durs), where + name + " total")
            mean = sum(durs) / len(durs)
            check(abs(g["mean_ns"] - mean) <= 0.001 + 1e-12 * mean, where + name + " mean")
            if len(durs) > 1:
                sd = math.sqrt(sum((x - mean) ** 2 for x in durs) / (len(durs) - 1))
                check(abs(g["stddev_ns"] - sd) <= 0.01 + 1e-9 * sd, where + name + " stddev")
            check(g["percentiles_exact"] == (len(durs) <= d["percentiles"]["exact_up_to"]),
                  where + name + " percentiles_exact")
            for key, p in (("p50_ns", 50000), ("p90_ns", 90000), ("p99_ns", 99000),
                           ("p99_9_ns", 99900)):
                exact = exact_pct(durs, p)
                if g["percentiles_exact"]:
                    check(g[key] == exact, where + "%s %s=%d exact %d" % (name, key, g[key], exact))
                check(abs(g[key] - exact) <= exact / 128,
                      where + "%s %s=%d exact %d" % (name, key, g[key], exact))
            hist = g["histogram"]
            check(hist["unit"] == "us", where + name + " histogram unit")
            check(sum(b["count"] for b in hist["buckets"]) == len(durs),
                  where + name + " histogram total")
            for b in hist["buckets"]:
                n = sum(1 for x in durs if b["low"] <= x // 1000 <= b["high"])
                check(n == b["count"], where + "%s bucket %d..%d" % (name, b["low"], b["high"]))
            if truth["source"] == "tracepoints":
                work = g["work"]
                check(work["visited"] == sum(w["nr_visited"] for w in walks), where + name + " visited")
                check(work["rmap_one"] == sum(w["nr_rmap_one"] for w in walks), where + name + " rmap_one")
                # short is judged on order-0 folios only (None: cannot tell)
                check(work["walks_order0"] == sum(1 for w in walks if w["short"] is not None),
                      where + name + " walks_order0")
                check(work["short_walks"] == sum(1 for w in walks if w["short"]), where + name + " short")
            else:
                check(g["work"] is None, where + name + " no work counters for kprobes")
        check(sum(g["count"] for g in d["groups"]) == len(truth["walks"]), where + "group counts")

        all_durs = sorted((w["duration_ns"] for w in truth["walks"]), reverse=True)
        top = d["top"]
        check([w["duration_ns"] for w in top] == all_durs[:5], where + "top 5")
        by_start = {(w["start_ns"], w["pid"]): w for w in truth["walks"]}
        for w in top:
            check(w["end_ns"] - w["start_ns"] == w["duration_ns"], where + "top duration")
            t = by_start.get((w["start_ns"], w["pid"]))
            check(t is not None and w["nr_pages"] == t.get("nr_pages"),
                  where + "top nr_pages %r, the generator's %r" % (w["nr_pages"], t and t.get("nr_pages")))


def main(argv):
    if len(argv) == 3 and argv[1] == "writer":
        writer(argv[2])
    elif len(argv) >= 5 and argv[1] == "report":
        report(argv[2], argv[3], argv[4:])
    else:
        sys.stderr.write(__doc__)
        return 2
    print("%s: %s" % (argv[1], "FAIL" if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
