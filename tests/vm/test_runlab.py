#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM test of ./run-lab: `./run-lab --quick -o DIR` end to end, then the
results folder is checked: every file there, the JSON valid and of the
documented schemas, the trace.dat files trace-cmd files, the SVG plots well
formed, the compare verdicts, and the fixed kernel's KSM walks faster (and
visiting fewer VMAs) than the traced kernel's; so are those of the upstream
kernel run beside them (7.3-stock, kprobe fallback with --count-visits).

Environment (set by tests/vm/meson.build): RMAPSTAT_RUN_LAB (the script),
RMAPSTAT_BUILD (the meson build folder run-lab uses instead of build/).
Keeps the results folder when it fails and says where.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from vmlib import SRC_ROOT, fail, require_lab

RUN_LAB = os.environ.get("RMAPSTAT_RUN_LAB", os.path.join(SRC_ROOT, "run-lab"))
KERNELS = ("traced", "fixed")
UPSTREAM = "7.3-stock"                             # run beside them by default
UPSTREAM_RECORDS = ("ksm", "anon", "file")
# --quick: 5000 pages, sweep 1000,5000; the victim record (mprotect) on both
RECORDS = ("ksm", "anon", "file", "victim", "sweep-1000")
TRACE_MAGIC = b"\x17\x08\x44tracing"


# The versions rmapstat writes today (lib/output/schema.h,
# Documentation/json-schema.md).
SCHEMA_VERSION = {"rmapstat-report": 3, "rmapstat-compare": 1}


def load_json(path, schema):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{path}: not valid JSON: {e}")
    want = SCHEMA_VERSION[schema]
    if doc.get("schema") != schema or doc.get("version") != want:
        fail(f"{path}: schema {doc.get('schema')!r} version {doc.get('version')!r}, "
             f"expected {schema!r} version {want}")
    return doc


def ksm_group(doc, path):
    for g in doc["groups"]:
        if g["key"].get("kind") == "KSM":
            if not g["count"]:
                fail(f"{path}: KSM group without paired walks")
            return g
    fail(f"{path}: no KSM group (no KSM walk recorded)")


def check(out, stdout):
    need = ["summary.md", "table.txt", "lab.json", "compare.tsv",
            "latency-cdf.svg", "sweep.svg", "sweep-visited.svg", "victim-cdf.svg",
            "compare-traced-vs-fixed.txt", "compare-traced-vs-fixed.json",
            "compare-fixed-vs-traced.txt", "compare-fixed-vs-traced.json",
            "plots/latency-cdf.gp", "plots/sweep.gp"]
    for k in KERNELS:
        need += [f"{k}/lab-guest.sh", f"{k}/guest.log", f"{k}/steps.tsv",
                 f"{k}/main.json", f"{k}/main.txt", f"{k}/main.csv",
                 f"{k}/victim-ops.csv", f"{k}/victim-waits.csv"]
        for r in RECORDS:
            need += [f"{k}/{r}.dat", f"{k}/{r}.json", f"{k}/{r}.txt"]
    need += [f"{UPSTREAM}/{r}.{x}" for r in UPSTREAM_RECORDS for x in ("dat", "json", "txt")]
    missing = [p for p in need if not os.path.isfile(os.path.join(out, p))]
    if missing:
        fail(f"missing in the results folder: {', '.join(missing)}")
    print(f"ok: {len(need)} files present")

    lab = load_json_plain(os.path.join(out, "lab.json"))
    if lab["kernels"] != list(KERNELS) or lab.get("upstream") != UPSTREAM or lab["pages"] != 5000 or \
            [p["vmas"] for p in lab["sweep"]] != [1000, 5000]:
        fail(f"lab.json does not describe the --quick run: {lab}")

    for k in KERNELS:
        with open(os.path.join(out, k, "steps.tsv")) as f:
            steps = [ln.split("\t") for ln in f.read().splitlines()]
        if [s[1] for s in steps] != list(RECORDS) or any(s[2] != "0" for s in steps):
            fail(f"{k}/steps.tsv: records or exit statuses unexpected: {steps}")
        for r in RECORDS:
            with open(os.path.join(out, k, r + ".dat"), "rb") as f:
                if f.read(len(TRACE_MAGIC)) != TRACE_MAGIC:
                    fail(f"{k}/{r}.dat is not a trace-cmd file")
            doc = load_json(os.path.join(out, k, r + ".json"), "rmapstat-report")
            if doc["source"] != "tracepoints":
                fail(f"{k}/{r}.json: source {doc['source']}, expected tracepoints")
            if doc["totals"]["walks"] < 1:
                fail(f"{k}/{r}.json: no paired walk")
        load_json(os.path.join(out, k, "main.json"), "rmapstat-report")
    print("ok: trace.dat files, report JSON valid (schema rmapstat-report 3)")

    for name in ("compare-traced-vs-fixed", "compare-fixed-vs-traced"):
        load_json(os.path.join(out, name + ".json"), "rmapstat-compare")
    for name in ("latency-cdf", "sweep", "sweep-visited", "victim-cdf"):
        try:
            root = ET.parse(os.path.join(out, name + ".svg")).getroot()
        except ET.ParseError as e:
            fail(f"{name}.svg is not well-formed XML: {e}")
        if not root.tag.endswith("svg"):
            fail(f"{name}.svg: root element {root.tag}")
        text = "".join(root.itertext())
        for k in KERNELS:
            if k not in text:
                fail(f"{name}.svg: no legend entry for {k}")
    print("ok: compare JSON valid, SVG plots well formed with both kernels in the legend")

    # the point of it all: fixed's KSM walks are faster and visit fewer VMAs
    for r in ("ksm", "sweep-1000"):
        t = ksm_group(load_json_plain(os.path.join(out, "traced", r + ".json")), r)
        x = ksm_group(load_json_plain(os.path.join(out, "fixed", r + ".json")), r)
        print(f"{r}: KSM mean traced {t['mean_ns'] / 1e6:.3f} ms, fixed {x['mean_ns'] / 1e6:.3f} ms; "
              f"max traced {t['max_ns'] / 1e6:.3f} ms, fixed {x['max_ns'] / 1e6:.3f} ms; "
              f"visited/walk traced {t['work']['visited_per_walk']}, "
              f"fixed {x['work']['visited_per_walk']}")
        if not x["max_ns"] < t["max_ns"] or not x["mean_ns"] * 5 < t["mean_ns"]:
            fail(f"{r}: fixed is not faster than traced on the KSM walks")
        if not x["work"]["visited_per_walk"] * 10 < t["work"]["visited_per_walk"]:
            fail(f"{r}: fixed's KSM walks do not visit fewer VMAs than traced's")
    print("ok: fixed faster than traced on the KSM case")

    # upstream has the fix too: its KSM walks (kprobes, --count-visits) beat traced's
    up = ksm_group(load_json_plain(os.path.join(out, UPSTREAM, "main.json")), UPSTREAM)
    t = ksm_group(load_json_plain(os.path.join(out, "traced", "main.json")), "traced")
    if not up.get("work") or up["work"]["visited_per_walk"] is None:
        fail(f"{UPSTREAM}: no VMAs visited in its KSM group (--count-visits): {up.get('work')}")
    print(f"{UPSTREAM} (kprobes): KSM mean {up['mean_ns'] / 1e6:.3f} ms, visited/walk "
          f"{up['work']['visited_per_walk']}; traced {t['mean_ns'] / 1e6:.3f} ms, "
          f"{t['work']['visited_per_walk']}")
    if not (up["work"]["visited_per_walk"] < t["work"]["visited_per_walk"] and
            up["mean_ns"] < t["mean_ns"]):
        fail(f"{UPSTREAM}: its KSM walks are not faster / do not visit fewer VMAs than traced's")
    print(f"ok: upstream {UPSTREAM} has the fix: faster and fewer VMAs than traced")

    # the victim: its mprotect() calls waited behind traced's KSM walks, and
    # the time others waited per walk fell with the fix
    per_walk = {}
    for k in KERNELS:
        doc = load_json_plain(os.path.join(out, k, "victim.json"))
        v, w = doc.get("victims"), doc.get("waits")
        if not v or not w or [o["op"] for o in v["ops"]] != ["mprotect"]:
            fail(f"{k}/victim.json: no mprotect() victim or no waits: {v} {w and w['counters']}")
        if w["proof"] != "lock":
            fail(f"{k}/victim.json: waits attributed by {w['proof']}, not by the walks' locks")
        per_walk[k] = w["collateral"]["mean_ns"] or 0
    print(f"time others waited per walk: traced {per_walk['traced'] / 1e6:.3f} ms, "
          f"fixed {per_walk['fixed'] / 1e6:.3f} ms")
    if not per_walk["traced"] > 10 * per_walk["fixed"]:
        fail("the victim did not wait longer behind traced's walks than behind fixed's")
    print("ok: the victim waited behind traced's KSM walks, far less behind fixed's")

    with open(os.path.join(out, "compare.tsv")) as f:
        verdicts = {(b, n): int(rc) for b, n, rc in
                    (ln.split("\t") for ln in f.read().splitlines())}
    if verdicts != {("fixed", "traced"): 1, ("traced", "fixed"): 0}:
        fail(f"compare exit statuses {verdicts}: expected 1 for new=traced, 0 for new=fixed")
    print("ok: compare exits 1 with traced as new, 0 with fixed as new")

    with open(os.path.join(out, "table.txt")) as f:
        table = f.read()
    with open(os.path.join(out, "summary.md")) as f:
        summary = f.read()
    for what, text, words in (("table.txt", table, ("KSM", "ANON", "FILE", "traced/fixed",
                                                    "exit 1 = regression", "1,000",
                                                    f"Upstream {UPSTREAM} beside ours",
                                                    "Who waited behind the walks",
                                                    "time others waited per walk")),
                              ("summary.md", summary, ("| KSM |", "sweep.svg",
                                                       "latency-cdf.svg", "changelog",
                                                       "victim-cdf.svg",
                                                       "mprotect() of the same mapping")),
                              ("run-lab output", stdout, ("[1/13] traced:", "[10/13] fixed:",
                                                          f"[13/13] {UPSTREAM}:",
                                                          "total wall time"))):
        for w in words:
            if w not in text:
                fail(f"{what} lacks {w!r}")
    if table.strip() not in stdout:
        fail("run-lab did not print table.txt")
    print("ok: table printed, summary.md complete, progress lines and wall time shown")


def load_json_plain(path):
    with open(path) as f:
        return json.load(f)


def main():
    require_lab()
    if shutil.which("gnuplot") is None:
        print("SKIP: gnuplot is not installed (scripts/install-deps installs gnuplot-nox)")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix="rmapstat-runlab-")
    out = os.path.join(tmp, "results")
    cmd = [RUN_LAB, "--quick", "-o", out]
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=3300)
    print(p.stdout, flush=True)
    if p.returncode != 0:
        fail(f"./run-lab --quick exited {p.returncode}; results kept in {out}")
    try:
        check(out, p.stdout)
    except SystemExit:
        print(f"results kept in {out}")
        raise
    shutil.rmtree(tmp)
    print("PASS")


if __name__ == "__main__":
    main()
