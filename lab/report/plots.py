#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""SVG plots of a run-lab results folder, drawn by gnuplot.

  python3 lab/report/plots.py RESULTS_DIR

writes into RESULTS_DIR:
  latency-cdf.svg    distribution (CDF) of the walk durations of the KSM, anon
                     and file workloads, per kernel, log time axis
  victim-cdf.svg     distribution (CDF) of the victim's operations (record
                     --victim) during KSM migration, per kernel, log time axis
  sweep.svg          KSM walk duration vs VMA count, per kernel, log-log
  sweep-visited.svg  VMAs visited per KSM walk vs VMA count, log-log
and in RESULTS_DIR/plots/ the data (.tsv) and gnuplot scripts (.gp) they
were drawn from, so that they can be redrawn or restyled by hand:
  cd RESULTS_DIR/plots && gnuplot latency-cdf.gp
"""

import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labdata import KINDS, Lab  # noqa: E402
import victims  # noqa: E402

# Colours per kernel (before red, after blue), dash types per kind.
COLOURS = {"traced": "#c0392b", "fixed": "#1f5fbf", "stock": "#7f7f7f", "naive": "#d68910"}
SPARE = ["#117a65", "#6c3483"]
DASH = {"KSM": 1, "ANON": 2, "FILE": 3}
WIDTH = {"KSM": 3, "ANON": 2, "FILE": 2}

TERMINAL = ('set terminal svg size 960,600 dynamic noenhanced '
            'font "DejaVu Sans,15" background "white"\n'
            'set encoding utf8\n')

def time_label(v):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3), ("ns", 1)):
        if v >= scale * 0.999:
            return f"{v / scale:g} {unit}"
    return f"{v:g} ns"


def count_label(v):
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if v >= scale * 0.999:
            return f"{v / scale:g}{unit}"
    return f"{v:g}"


def colour(lab, k):
    if k in COLOURS:
        return COLOURS[k]
    return SPARE[lab.kernels.index(k) % len(SPARE)]


def log_range(values):
    """A log axis range around values: the enclosing decades, or a little
    padding when that would leave the data squeezed in a corner."""
    lo, hi = min(values), max(values)
    dlo = 10 ** math.floor(math.log10(lo))
    dhi = 10 ** math.ceil(math.log10(hi))
    # a hair wider: gnuplot drops the label of a tic right on the border
    return min(dlo, lo / 1.3) * 0.98, max(dhi, hi * 1.3) * 1.02


def log_tics(lo, hi, label):
    """gnuplot tic list: every decade in [lo, hi], and 2 and 5 times each
    when the axis spans at most three decades."""
    steps = (1, 2, 5) if math.log10(hi / lo) <= 3.2 else (1,)
    tics = []
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi:
        for m in steps:
            v = m * 10 ** e
            if lo <= v <= hi:
                tics.append(f'"{label(v)}" {v:g}')
        e += 1
    return ", ".join(tics)


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_gnuplot(pdir, name, script):
    gp = os.path.join(pdir, name + ".gp")
    with open(gp, "w") as f:
        f.write(script)
    # run in plots/ so that the script's relative paths work by hand as well
    subprocess.run(["gnuplot", name + ".gp"], cwd=pdir, check=True)


def write_cdf(path, what, d):
    """The steps of a CDF of the sorted durations d (ns): "value fraction" lines."""
    with open(path, "w") as f:
        f.write(f"# {what} (ns), fraction <= it\n")
        f.write(f"{d[0]}\t0\n")
        for i, v in enumerate(d, 1):
            f.write(f"{v}\t{i / len(d):.6f}\n")


def cdf_script(name, title, xlabel, ylabel, values, plots, size="960,600", key="", bmargin=7):
    """The gnuplot script of a CDF plot on a log time axis."""
    lo, hi = log_range(values)
    return TERMINAL.replace("960,600", size) + f"""set output "../{name}.svg"
set title {quote(title)}
set xlabel {quote(xlabel)}
set ylabel {quote(ylabel)}
set logscale x
set xrange [{lo:g}:{hi:g}]
set xtics ({log_tics(lo, hi, time_label)})
set yrange [0:1.02]
set ytics 0.2
set grid xtics ytics lc rgb "#dddddd"
set key below horizontal {key}box spacing 1.2 width 2 height 0.6
set bmargin {bmargin}
plot {", ".join(plots)}
"""


def plot_cdf(lab, pdir):
    series = []
    for k in lab.kernels:
        walks = lab.walks(k)
        for kind in KINDS:
            d = walks.get(kind)
            if not d:
                continue
            fn = f"cdf-{k}-{kind}.tsv"
            write_cdf(os.path.join(pdir, fn), f"{k} {kind}: walk duration", d)
            series.append((k, kind, fn, len(d)))
    if not series:
        print("plots: no paired walks, no latency-cdf.svg", file=sys.stderr)
        return
    alld = [v for k in lab.kernels for d in lab.walks(k).values() for v in d if v > 0]
    plots = []
    for k, kind, fn, n in series:
        title = f"{lab.label(k)}: {kind} ({n} walks)"
        plots.append(f'{quote(fn)} using 1:2 with steps lw {WIDTH[kind]} dt {DASH[kind]} '
                     f'lc rgb "{colour(lab, k)}" title {quote(title)}')
    run_gnuplot(pdir, "latency-cdf", cdf_script(
        "latency-cdf", f"rmap walk durations, {lab.pages:,} pages in {lab.pages:,} VMAs, "
        f"page {lab.trigger} x{lab.repeat} per workload", "walk duration (log scale)",
        "fraction of walks taking at most this long", alld, plots, size="960,700",
        key="maxrows 3 ", bmargin=9))


def plot_victim_cdf(lab, pdir):
    """The victim's operations per kernel: what the application felt."""
    ks = victims.kernels_with_victims(lab)
    series = []
    for k in ks:
        d = victims.op_durations(lab, k)
        if not d:
            continue
        fn = f"victim-cdf-{k}.tsv"
        write_cdf(os.path.join(pdir, fn), f"{k}: victim operation duration", d)
        series.append((k, fn, d))
    if not series:
        return
    op = victims.main_op(lab.report(series[0][0], victims.RECORD))
    name = op["op"] if op else "operation"
    plots = [f'{quote(fn)} using 1:2 with steps lw 3 lc rgb "{colour(lab, k)}" '
             f'title {quote(f"{lab.label(k)}: {len(d)} {name}() calls")}'
             for k, fn, d in series]
    run_gnuplot(pdir, "victim-cdf", cdf_script(
        "victim-cdf", f"{name}() of the KSM mapping while its page migrates, {lab.pages:,} VMAs",
        f"{name}() duration in user space (log scale)",
        "fraction of calls taking at most this long",
        [v for _, _, d in series for v in d if v > 0], plots))


def sweep_points(lab, k):
    """Per sweep point (vmas, group) of the KSM walks of kernel k."""
    pts = []
    for p in lab.sweep:
        g = lab.group(k, p["record"], "KSM")
        if g and g["count"]:
            pts.append((p["vmas"], g))
    return pts


def plot_sweep(lab, pdir):
    if not lab.sweep:
        return
    series, allv = [], []
    for k in lab.kernels:
        pts = sweep_points(lab, k)
        if not pts:
            continue
        fn = f"sweep-{k}.tsv"
        with open(os.path.join(pdir, fn), "w") as f:
            f.write(f"# {k}: VMAs, KSM walks, mean ns, max ns, min ns, visited per walk\n")
            for vmas, g in pts:
                w = g.get("work") or {}
                vis = w.get("visited_per_walk")
                f.write(f"{vmas}\t{g['count']}\t{g['mean_ns']}\t{g['max_ns']}\t"
                        f"{g['min_ns']}\t{vis if vis is not None else 'NaN'}\n")
                allv += [g["mean_ns"], g["max_ns"], g["min_ns"]]
        series.append((k, fn, pts))
    if not series:
        print("plots: no KSM walks in the sweep, no sweep.svg", file=sys.stderr)
        return
    vm = [p["vmas"] for p in lab.sweep]
    xlo, xhi = min(vm) / 1.6, max(vm) * 1.6
    lo, hi = log_range([v for v in allv if v > 0])
    xt = ", ".join(f'"{v:,}" {v}' for v in vm)
    plots = []
    for k, fn, _ in series:
        c = colour(lab, k)
        plots.append(f'{quote(fn)} using 1:4 with linespoints lw 2 dt 2 pt 9 ps 1.3 '
                     f'lc rgb "{c}" title {quote(f"{lab.label(k)}: max")}')
        plots.append(f'{quote(fn)} using 1:3 with linespoints lw 3 dt 1 pt 7 ps 1.3 '
                     f'lc rgb "{c}" title {quote(f"{lab.label(k)}: mean")}')
    script = TERMINAL.replace("960,600", "960,660") + f"""set output "../sweep.svg"
set title {quote(f"KSM rmap walk duration vs VMA count (page {lab.trigger} x{lab.repeat} per point)")}
set xlabel "VMAs in the anon_vma (= pages of the KSM mapping, split by mprotect)"
set ylabel "KSM walk duration (log scale)"
set logscale xy
set xrange [{xlo:g}:{xhi:g}]
set yrange [{lo:g}:{hi:g}]
set xtics ({xt})
set ytics ({log_tics(lo, hi, time_label)})
set grid xtics ytics lc rgb "#dddddd"
set key below horizontal maxrows 2 box spacing 1.2 width 2 height 0.6
set bmargin 8
plot {", ".join(plots)}
"""
    run_gnuplot(pdir, "sweep", script)

    # VMAs visited per walk: tracepoint traces only (kprobes cannot count)
    vis = [(k, fn) for k, fn, pts in series
           if any((g.get("work") or {}).get("visited_per_walk") for _, g in pts)]
    if not vis:
        return
    allvis = [g["work"]["visited_per_walk"] for k, fn, pts in series for _, g in pts
              if (g.get("work") or {}).get("visited_per_walk")]
    lo, hi = log_range(allvis)
    plots = [f'{quote(fn)} using 1:6 with linespoints lw 3 pt 7 ps 1.3 lc rgb "{colour(lab, k)}" '
             f'title {quote(lab.label(k))}' for k, fn in vis]
    script = TERMINAL.replace("960,600", "960,660") + f"""set output "../sweep-visited.svg"
set title "VMAs visited per KSM walk vs VMA count"
set xlabel "VMAs in the anon_vma (= pages of the KSM mapping, split by mprotect)"
set ylabel "VMAs visited per walk (log scale)"
set logscale xy
set ytics ({log_tics(lo, hi, count_label)})
set xrange [{xlo:g}:{xhi:g}]
set yrange [{lo:g}:{hi:g}]
set xtics ({xt})
set grid xtics ytics lc rgb "#dddddd"
set key below horizontal maxrows 2 box spacing 1.2 width 2 height 0.6
set bmargin 8
plot {", ".join(plots)}
"""
    run_gnuplot(pdir, "sweep-visited", script)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: lab/report/plots.py RESULTS_DIR")
    lab = Lab(sys.argv[1])
    pdir = lab.path("plots")
    os.makedirs(pdir, exist_ok=True)
    plot_cdf(lab, pdir)
    plot_victim_cdf(lab, pdir)
    plot_sweep(lab, pdir)


if __name__ == "__main__":
    main()
