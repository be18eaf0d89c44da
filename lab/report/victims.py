# SPDX-License-Identifier: GPL-2.0-only
"""The victim record of a run-lab results folder: an application's thread
doing the --victim operation on the KSM workload's mapping while its page
migrates (`rmapstat record --victim`), and the time it and others waited
behind the walks (the report's "waits" and "victims").

Used by summary.py (the table, the changelog lines) and plots.py (the CDF).
"""

import csv

from labdata import fmt_count, fmt_ns, fmt_ratio

RECORD = "victim"


def kernels_with_victims(lab):
    """The compared kernels that ran the victim record."""
    out = []
    for k in lab.kernels:
        try:
            d = lab.report(k, RECORD)
        except OSError:
            continue
        if d.get("victims"):
            out.append(k)
    return out


def main_op(d):
    """The victims' operation the record ran (the first in the report), or None."""
    ops = (d.get("victims") or {}).get("ops") or []
    return ops[0] if ops else None


def op_durations(lab, k):
    """Sorted durations (ns) of the victim's operations of kernel k, from
    KERNEL/victim-ops.csv (rmapstat report --csv-ops)."""
    with open(lab.path(k, RECORD + "-ops.csv"), newline="") as f:
        return sorted(int(r["duration_ns"]) for r in csv.DictReader(f))


def rows(lab, ks):
    """(metric, [value per kernel], ratio of the first two) rows."""
    ds = [lab.report(k, RECORD) for k in ks]
    ops = [main_op(d) for d in ds]
    name = ops[0]["op"] if ops[0] else "op"
    waits = [d.get("waits") or {} for d in ds]
    coll = [w.get("collateral") or {} for w in waits]
    ksm = [lab.group(k, RECORD, "KSM") for k in ks]

    def op(o, key):
        return o.get(key) if o else None

    def blocked(o, key):
        b = o.get("blocked") if o else None
        return b.get(key) if b else None

    def share(o):
        b = o.get("blocked") if o else None
        return 100.0 * b["total_ns"] / b["of_ns"] if b and b.get("of_ns") else None

    metrics = [
        (f"{name}() calls", [op(o, "count") for o in ops], fmt_count, False),
        (f"{name}() p50", [op(o, "p50_ns") for o in ops], fmt_ns, True),
        (f"{name}() p99", [op(o, "p99_ns") for o in ops], fmt_ns, True),
        (f"{name}() max", [op(o, "max_ns") for o in ops], fmt_ns, True),
        (f"{name}() calls that waited behind a walk", [blocked(o, "count") for o in ops],
         fmt_count, False),
        ("  of their time, waiting behind walks",
         [share(o) for o in ops], lambda v: "-" if v is None else f"{v:.1f} %", False),
        ("KSM walks in this record", [g["count"] if g else None for g in ksm], fmt_count, False),
        ("KSM walk max", [g["max_ns"] if g else None for g in ksm], fmt_ns, True),
        ("time others waited per walk, mean", [c.get("mean_ns") for c in coll], fmt_ns, True),
        ("time others waited per walk, max", [c.get("max_ns") for c in coll], fmt_ns, True),
    ]
    out = []
    for label, vals, fmt, ratio in metrics:
        r = fmt_ratio(vals[0], vals[1]) if ratio and len(vals) >= 2 else ""
        out.append((label, [fmt(v) for v in vals], r))
    return out


def table(lab):
    """(header, rows) of the victim table, or None without victim records."""
    ks = kernels_with_victims(lab)
    if not ks:
        return None
    header = ["metric"] + [lab.label(k) for k in ks]
    if len(ks) >= 2:
        header.append(f"{ks[0]}/{ks[1]}")
    out = []
    for label, vals, r in rows(lab, ks):
        row = [label] + vals
        if len(ks) >= 2:
            row.append(r)
        out.append(row)
    return header, out


def note(lab):
    ks = kernels_with_victims(lab)
    if not ks:
        return ""
    o = main_op(lab.report(ks[0], RECORD))
    threads = (lab.report(ks[0], RECORD).get("victims") or {}).get("threads", 1)
    return (f"A victim thread ({threads} thread{'s' if threads != 1 else ''}) calls "
            f"{o['op'] if o else '?'}() on the KSM workload's mapping (same anon_vma) "
            "over and over while its page migrates; each call timed in user space. "
            "Waiting behind walks: the kernel's lock:contention events of that thread "
            "for a lock a walk held (proven by the lock the walk took). Time others "
            "waited per walk: over the walks somebody waited behind.")


def changelog(lab):
    """Lines for the changelog block: the victim's stall before and after."""
    ks = kernels_with_victims(lab)
    if len(ks) < 2:
        return []
    a, b = (lab.report(k, RECORD) for k in ks[:2])
    oa, ob = main_op(a), main_op(b)
    if not oa or not ob:
        return []
    ca = (a.get("waits") or {}).get("collateral") or {}
    cb = (b.get("waits") or {}).get("collateral") or {}
    lines = [f"{oa['op']}() of the same mapping during KSM migration, p99 / max:",
             f"  before: {fmt_ns(oa['p99_ns'])} / {fmt_ns(oa['max_ns'])}",
             f"  after:  {fmt_ns(ob['p99_ns'])} / {fmt_ns(ob['max_ns'])}"]
    if ca.get("count") or cb.get("count"):
        lines += ["Time other tasks waited behind one KSM walk, mean / max:",
                  f"  before: {fmt_ns(ca.get('mean_ns'))} / {fmt_ns(ca.get('max_ns'))}",
                  f"  after:  {fmt_ns(cb.get('mean_ns'))} / {fmt_ns(cb.get('max_ns'))}"]
    return lines
