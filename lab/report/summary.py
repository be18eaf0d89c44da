#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Tables and summary.md of a run-lab results folder.

  python3 lab/report/summary.py RESULTS_DIR

writes RESULTS_DIR/table.txt (what ./run-lab prints: walk duration and work
per kind, before vs after; the `rmapstat compare` verdicts; walk time vs VMA
count) and RESULTS_DIR/summary.md (the same for people and changelogs, with
the settings, the plots and the files).
"""

import os
import platform
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labdata import KINDS, Lab, fmt_count, fmt_ns, fmt_ratio, loglog_slope  # noqa: E402
import victims  # noqa: E402

NOISE = ("The kernels differ in KSM walks only: ANON and FILE differences are run-to-run "
         "noise of the emulated guest (few walks, host load).")
COMPARE_EXIT = {0: "no regression", 1: "regression", 2: "error"}


def workload_line(lab):
    what = "moved to the other NUMA node" if lab.trigger == "migrate" else \
        "marked idle in /sys/kernel/mm/page_idle/bitmap"
    return (f"{lab.pages:,} pages per workload (KSM-merged, anonymous, shared file), "
            f"split into {lab.pages:,} VMAs by mprotect() on every other page; "
            f"one page per workload {what}, {lab.repeat} time{'s' if lab.repeat > 1 else ''}")


def kernel_line(lab):
    """The Linux version of each kernel and its patches; one version first
    when all kernels share it."""
    vers = {k: lab.guest_file(k, "guest-uname.txt") or "?" for k in lab.kernels}
    one = len(set(vers.values())) == 1
    parts = []
    for k in lab.kernels:
        man = lab.guest_file(k, "kernel-manifest.txt") or ""
        patches = [ln.split()[0][len("patch="):] for ln in man.splitlines()
                   if ln.startswith("patch=")]
        desc = ", ".join(p[:4] for p in patches) if patches else "no patch"
        parts.append(f"{k} ({desc})" if one else f"{k} (Linux {vers[k]}, {desc})")
    return (f"Linux {vers[lab.kernels[0]]}: " if one else "") + "; ".join(parts)


def kind_rows(lab):
    """Rows (kind, metric, [value per kernel], ratio) of the per-kind table."""
    rows = []
    ks = lab.kernels
    for kind in KINDS:
        groups = [lab.group(k, "main", kind) for k in ks]
        if not any(g and g["count"] for g in groups):
            continue

        def val(g, key):
            return g.get(key) if g else None

        def work(g, key):
            w = g.get("work") if g else None
            return w.get(key) if w else None

        metrics = [("walks", [val(g, "count") for g in groups], fmt_count, False),
                   ("max", [val(g, "max_ns") for g in groups], fmt_ns, True),
                   ("mean", [val(g, "mean_ns") for g in groups], fmt_ns, True),
                   ("p99", [val(g, "p99_ns") for g in groups], fmt_ns, True),
                   ("VMAs visited / walk", [work(g, "visited_per_walk") for g in groups],
                    fmt_count, True),
                   ("mappings found / walk", [work(g, "rmap_one_per_walk") for g in groups],
                    fmt_count, False)]
        first = True
        for name, vals, fmt, ratio in metrics:
            r = fmt_ratio(vals[0], vals[1]) if ratio and len(vals) >= 2 else ""
            rows.append((kind if first else "", name, [fmt(v) for v in vals], r))
            first = False
    return rows


def upstream_table(lab):
    """Upstream (kprobes, --count-visits) beside the "after" kernel, per kind:
    (header, rows), or None when the run had no upstream kernel."""
    up = lab.upstream
    if not up or not lab.kernels:
        return None
    ours = lab.kernels[1] if len(lab.kernels) >= 2 else lab.kernels[0]
    header = ["kind", "metric", f"{up} ({lab.source(up)})", f"{ours} ({lab.source(ours)})",
              f"{up}/{ours}"]
    rows = []
    for kind in KINDS:
        a, b = lab.group(up, "main", kind), lab.group(ours, "main", kind)
        if not (a and a["count"]) and not (b and b["count"]):
            continue

        def val(g, key):
            return g.get(key) if g else None

        def visited(g):
            w = g.get("work") if g else None
            return w.get("visited_per_walk") if w else None

        metrics = [("walks", val(a, "count"), val(b, "count"), fmt_count, False),
                   ("mean", val(a, "mean_ns"), val(b, "mean_ns"), fmt_ns, True),
                   ("p99", val(a, "p99_ns"), val(b, "p99_ns"), fmt_ns, True),
                   ("max", val(a, "max_ns"), val(b, "max_ns"), fmt_ns, True),
                   ("VMAs visited / walk", visited(a), visited(b), fmt_count, True)]
        for i, (name, x, y, fmt, ratio) in enumerate(metrics):
            rows.append([kind if i == 0 else "", name, fmt(x), fmt(y),
                         fmt_ratio(x, y) if ratio else ""])
    return header, rows


UPSTREAM_NOTE = ("The upstream kernel has the KSM fix but no rmap tracepoints: rmapstat "
                 "records it with the kprobe fallback and --count-visits (VMAs from the "
                 "interval-tree iterators; the kprobe hits add to its walk times).")


def text_table(header, rows, right_from=2):
    """Plain-text columns: the first right_from columns left-aligned."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = []
    for r in [header] + rows:
        cells = [str(c).ljust(widths[i]) if i < right_from else str(c).rjust(widths[i])
                 for i, c in enumerate(r)]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def md_table(header, rows, right_from=2):
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return out


def kind_table(lab):
    ks = lab.kernels
    header = ["kind", "metric"] + [lab.label(k) for k in ks]
    if len(ks) >= 2:
        header.append(f"{ks[0]}/{ks[1]}")
    rows = []
    for kind, metric, vals, r in kind_rows(lab):
        row = [kind, metric] + vals
        if len(ks) >= 2:
            row.append(r)
        rows.append(row)
    return header, rows


def sweep_table(lab):
    ks = lab.kernels
    header = ["VMAs"]
    for k in ks:
        header += [f"{k} walks", f"{k} mean", f"{k} max"]
    if len(ks) >= 2:
        header.append(f"mean {ks[0]}/{ks[1]}")
    for k in ks:
        header.append(f"{k} visited/walk")
    rows, series = [], {k: [] for k in ks}
    for p in lab.sweep:
        row, means, vis = [f"{p['vmas']:,}"], [], []
        for k in ks:
            g = lab.group(k, p["record"], "KSM")
            if g and g["count"]:
                row += [fmt_count(g["count"]), fmt_ns(g["mean_ns"]), fmt_ns(g["max_ns"])]
                means.append(g["mean_ns"])
                series[k].append((p["vmas"], g["mean_ns"]))
                w = g.get("work") or {}
                vis.append(fmt_count(w.get("visited_per_walk")))
            else:
                row += ["0", "-", "-"]
                means.append(None)
                vis.append("-")
        if len(ks) >= 2:
            row.append(fmt_ratio(means[0], means[1]))
        rows.append(row + vis)
    slopes = {k: loglog_slope(series[k]) for k in ks}
    return header, rows, slopes


def compares(lab):
    """[(base, new, rc, text)] from compare.tsv and compare-NEW-vs-BASE.txt."""
    out = []
    try:
        with open(lab.path("compare.tsv")) as f:
            lines = [ln.split("\t") for ln in f.read().splitlines() if ln]
    except OSError:
        return out
    for base, new, rc in lines:
        try:
            with open(lab.path(f"compare-{new}-vs-{base}.txt")) as f:
                text = f.read().rstrip("\n")
        except OSError:
            text = ""
        out.append((base, new, int(rc), text))
    return out


def verdict(base, new, rc):
    meaning = COMPARE_EXIT.get(rc, "?")
    if rc == 1:
        why = f"{new}'s KSM walks are slower than {base}'s beyond the threshold"
    elif rc == 0:
        why = f"{new}'s KSM walks are not slower than {base}'s beyond the threshold"
    else:
        why = "compare could not read its input"
    return f"base {base}, new {new}: exit {rc} = {meaning} ({why})"


def slope_text(lab, slopes):
    parts = [f"{k} ~ VMAs^{s:.2f}" for k, s in slopes.items() if s is not None]
    return "mean KSM walk time grows as " + ", ".join(parts) if parts else ""


def build_text(lab):
    L = []
    ks = lab.kernels
    title = "rmap walks per kind"
    if len(ks) >= 2:
        title += f": {ks[0]} (before the fix) vs {ks[1]} (after)"
    L += [title, "  " + workload_line(lab), "  " + kernel_line(lab), ""]
    header, rows = kind_table(lab)
    L += text_table(header, rows)
    srcs = {k: lab.source(k) for k in ks}
    for k, s in srcs.items():
        if s != "tracepoints":
            L.append(f"  {k}: {s} trace: no mappings found; VMAs visited only with "
                     "--count-visits")
    if len(ks) >= 2:
        L.append(f"  {NOISE}")
    L.append("")
    cmp = compares(lab)
    if cmp:
        L.append("rmapstat compare on the KSM walks (metrics p99 and max, threshold 10%; "
                 "exit 0 no regression, 1 regression, 2 error):")
        for base, new, rc, text in cmp:
            L.append("  " + verdict(base, new, rc))
        L.append("")
        for base, new, rc, text in cmp:
            L.append(f"$ rmapstat compare {base}/main.json {new}/main.json "
                     f"--group KSM --metric p99,max --units ms   # exit {rc}")
            L += ["  " + ln for ln in text.splitlines()]
        L.append("")
    vt = victims.table(lab)
    if vt:
        L.append("Who waited behind the walks (the victim record):")
        L += text_table(*vt, right_from=1)
        L += ["  " + victims.note(lab), ""]
    ut = upstream_table(lab)
    if ut:
        L.append(f"Upstream {lab.upstream} beside ours, the same workloads:")
        L += text_table(*ut)
        L += ["  " + UPSTREAM_NOTE, ""]
    if lab.sweep:
        L.append("KSM walk time vs VMA count (the sweep: one KSM mapping split into N VMAs, "
                 f"page {lab.trigger} x{lab.repeat}):")
        header, rows, slopes = sweep_table(lab)
        L += text_table(header, rows, right_from=1)
        st = slope_text(lab, slopes)
        if st:
            L.append("  " + st)
        L.append("")
    return "\n".join(L)


def build_md(lab, wall):
    ks = lab.kernels
    s = lab.settings
    M = ["# rmapstat lab: KSM rmap walks before and after the fix", ""]
    info = [f"- Run: `{s.get('command', './run-lab')}` on {platform.node()}, "
          f"{s.get('started', '?')}, {s.get('rmapstat', 'rmapstat')}"
          + (f"; wall time {wall}" if wall else ""),
          f"- Kernels: {kernel_line(lab)}",
          f"- Host: {s['host_cpus']} CPUs, load average {s['loadavg_start']} "
          f"at the start, {s['loadavg_end']} at the end (the guest's times "
          "stretch with the host's load)" if "host_cpus" in s else "",
          "- Guest: QEMU (TCG, no KVM), 2 vCPUs, 2 NUMA nodes of 1 GiB; "
          f"KSM max_page_sharing {lab.guest_file(ks[0], 'guest-max_page_sharing.txt') or '?'}",
          f"- Workloads: {workload_line(lab)}; recorded with `rmapstat record` "
          "(tracefs instance, clock mono, start/end paired per walk)"]
    M += [line for line in info if line] + [""]

    M += ["## Walk duration and work per kind", ""]
    header, rows = kind_table(lab)
    M += md_table(header, rows) + [""]
    M += ["*VMAs visited / walk*: VMAs the interval-tree loops of one walk yielded "
          "(all rmap items and passes); *mappings found / walk*: rmap_one() calls. "
          "Percentiles are nearest-rank (exact up to 1024 walks)."
          + (" " + NOISE if len(ks) >= 2 else ""), ""]

    if len(ks) >= 2 and lab.group(ks[0], "main", "KSM") and lab.group(ks[1], "main", "KSM"):
        a, b = lab.group(ks[0], "main", "KSM"), lab.group(ks[1], "main", "KSM")
        wa, wb = a.get("work") or {}, b.get("work") or {}
        M += ["## For the changelog", "", "```"]
        M.append(f"KSM page {'migration' if lab.trigger == 'migrate' else 'idle marking'} "
                 f"with {lab.pages:,} VMAs in one anon_vma ({lab.pages:,}-page")
        n = (f"{a['count']} walks on each kernel" if a["count"] == b["count"]
             else f"{a['count']} and {b['count']} walks")
        M.append(f"mapping split by mprotect()), QEMU TCG, 2 NUMA nodes, {n}:")
        M.append("")
        rows = [("", f"before ({ks[0]})", f"after ({ks[1]})"),
                ("KSM walk max", fmt_ns(a["max_ns"]), fmt_ns(b["max_ns"])),
                ("KSM walk mean", fmt_ns(a["mean_ns"]), fmt_ns(b["mean_ns"])),
                ("KSM walk p99", fmt_ns(a["p99_ns"]), fmt_ns(b["p99_ns"]))]
        if wa.get("visited_per_walk") is not None and wb.get("visited_per_walk") is not None:
            rows.append(("VMAs visited per walk", fmt_count(wa["visited_per_walk"]),
                         fmt_count(wb["visited_per_walk"])))
        w0 = max(len(r[0]) for r in rows)
        w1 = max(len(r[1]) for r in rows)
        w2 = max(len(r[2]) for r in rows)
        for r in rows:
            M.append(f"{r[0]:<{w0}}  {r[1]:>{w1}}  {r[2]:>{w2}}")
        pts = [(p["vmas"], lab.group(ks[0], p["record"], "KSM"), lab.group(ks[1], p["record"], "KSM"))
               for p in lab.sweep]
        pts = [(v, x, y) for v, x, y in pts if x and y and x["count"] and y["count"]]
        if len(pts) >= 2:
            M += ["", "Mean KSM walk at " + " / ".join(f"{v:,}" for v, _, _ in pts) + " VMAs:",
                  "  before: " + " / ".join(fmt_ns(x["mean_ns"]) for _, x, _ in pts),
                  "  after:  " + " / ".join(fmt_ns(y["mean_ns"]) for _, _, y in pts)]
        vl = victims.changelog(lab)
        if vl:
            M += [""] + vl
        M += ["```", ""]

    vt = victims.table(lab)
    if vt:
        M += ["## Who waited behind the walks", ""]
        M += md_table(*vt, right_from=1) + ["", victims.note(lab), ""]
        if os.path.exists(lab.path("victim-cdf.svg")):
            M += ["![CDF of the victim's operations per kernel](victim-cdf.svg)", ""]

    ut = upstream_table(lab)
    if ut:
        M += [f"## Upstream {lab.upstream} beside ours", ""]
        M += md_table(*ut) + ["", UPSTREAM_NOTE, ""]

    cmp = compares(lab)
    if cmp:
        M += ["## rmapstat compare", "",
              "On the KSM walks, metrics p99 and max, threshold 10 %. Exit status: "
              "0 no regression, 1 regression, 2 error.", ""]
        for base, new, rc, text in cmp:
            M.append(f"- {verdict(base, new, rc)}")
        M.append("")
        for base, new, rc, text in cmp:
            M += ["```", f"$ rmapstat compare {base}/main.json {new}/main.json "
                  f"--group KSM --metric p99,max --units ms   # exit {rc}", text, "```", ""]

    if lab.sweep:
        M += ["## KSM walk time vs VMA count", ""]
        header, rows, slopes = sweep_table(lab)
        M += md_table(header, rows, right_from=1) + [""]
        st = slope_text(lab, slopes)
        if st:
            M += [st[0].upper() + st[1:] + " (least-squares fit on log-log).", ""]
        M += ["![KSM walk duration vs VMA count](sweep.svg)", ""]
        if os.path.exists(lab.path("sweep-visited.svg")):
            M += ["![VMAs visited per KSM walk vs VMA count](sweep-visited.svg)", ""]
    if os.path.exists(lab.path("latency-cdf.svg")):
        M += ["## Walk duration distribution", "",
              "![CDF of the walk durations per kind and kernel](latency-cdf.svg)", ""]

    M += ["## Files", "",
          "- `table.txt`: the tables `./run-lab` printed",
          "- `KERNEL/*.dat`: the trace.dat of every record (`trace-cmd report` and "
          "`rmapstat report` read them); `KERNEL/*.json`: `rmapstat report --json --hist` "
          "of each; `KERNEL/*.txt`: the text reports",
          "- `KERNEL/main.json`, `main.txt`, `main.csv`: the KSM, anon and file records together",
          "- `KERNEL/victim.dat`, `victim.json`, `victim.txt`: the victim record; "
          "`victim-ops.csv`, `victim-waits.csv`: its operations and lock waits",
          "- `KERNEL/lab-guest.sh`, `guest.log`, `steps.tsv`, `dmesg.txt`, `console.log`: "
          "the guest run",
          "- `compare-NEW-vs-BASE.txt`, `.json`: `rmapstat compare`",
          "- `latency-cdf.svg`, `victim-cdf.svg`, `sweep.svg`, `sweep-visited.svg`; "
          "`plots/`: their data "
          "and gnuplot scripts",
          "- `logs/`: the host steps", "",
          "See Documentation/lab.md."]
    return "\n".join(M) + "\n"


def main():
    args = sys.argv[1:]
    wall = None
    if len(args) == 3 and args[1] == "--wall":
        wall = args[2]
        args = args[:1]
    if len(args) != 1:
        sys.exit("usage: lab/report/summary.py RESULTS_DIR [--wall TIME]")
    lab = Lab(args[0])
    with open(lab.path("table.txt"), "w") as f:
        f.write(build_text(lab))
    with open(lab.path("summary.md"), "w") as f:
        f.write(build_md(lab, wall))


if __name__ == "__main__":
    main()
