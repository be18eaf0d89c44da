# SPDX-License-Identifier: GPL-2.0-only
"""Reading a run-lab results folder: the run's settings and the reports.

Shared by summary.py (tables, summary.md) and plots.py (SVG plots); lab.json
is written by settings.py. The folder layout is described in
Documentation/lab.md.
"""

import csv
import json
import math
import os

KINDS = ("KSM", "ANON", "FILE")


class Lab:
    """One results folder: lab.json, and per kernel its report JSON files."""

    def __init__(self, out):
        self.out = out
        with open(os.path.join(out, "lab.json")) as f:
            self.settings = json.load(f)
        self.kernels = self.settings["kernels"]
        self.pages = self.settings["pages"]
        self.repeat = self.settings["repeat"]
        self.trigger = self.settings["trigger"]
        self.sweep = self.settings["sweep"]
        # the kernel run beside the "after" one (run-lab --upstream), or None
        self.upstream = self.settings.get("upstream")
        self._reports = {}

    def label(self, k):
        """Kernel k as the tables and plots name it: the first two kernels
        are compared, "traced (before)" and "fixed (after)"."""
        if len(self.kernels) >= 2:
            if k == self.kernels[0]:
                return f"{k} (before)"
            if k == self.kernels[1]:
                return f"{k} (after)"
        return k

    def path(self, *parts):
        return os.path.join(self.out, *parts)

    def report(self, kernel, name):
        """The `rmapstat report --json` document of record NAME of KERNEL."""
        key = (kernel, name)
        if key not in self._reports:
            with open(self.path(kernel, name + ".json")) as f:
                self._reports[key] = json.load(f)
        return self._reports[key]

    def group(self, kernel, name, kind):
        """The GROUP of KIND in record NAME of KERNEL, or None."""
        for g in self.report(kernel, name)["groups"]:
            if g["key"].get("kind") == kind:
                return g
        return None

    def walks(self, kernel):
        """Durations (ns) of the paired walks of the three workloads, per kind."""
        out = {}
        with open(self.path(kernel, "main.csv"), newline="") as f:
            for row in csv.DictReader(f):
                if row["status"] != "ok" or not row["duration_ns"]:
                    continue
                out.setdefault(row["kind"], []).append(int(row["duration_ns"]))
        for v in out.values():
            v.sort()
        return out

    def source(self, kernel):
        return self.report(kernel, "main")["source"]

    def guest_file(self, kernel, name):
        try:
            with open(self.path(kernel, name)) as f:
                return f.read().strip()
        except OSError:
            return None


def fmt_ns(v):
    """A duration in ns as text with a fitting unit, 3-4 significant digits."""
    if v is None:
        return "-"
    v = float(v)
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if v >= scale:
            x = v / scale
            break
    else:
        unit, x = "ns", v
    if x >= 100 or unit == "ns":
        return f"{x:.0f} {unit}" if unit == "ns" else f"{x:.1f} {unit}"
    if x >= 10:
        return f"{x:.2f} {unit}"
    return f"{x:.3f} {unit}"


def fmt_count(v):
    if v is None:
        return "-"
    if abs(v - round(v)) < 0.05 or v >= 100:
        return f"{round(v):,}"
    return f"{v:,.1f}"


def fmt_ratio(a, b):
    """a / b as '507x'; '-' if either is missing or b is 0."""
    if a is None or b is None or b == 0:
        return "-"
    r = a / b
    if r >= 100:
        return f"{r:,.0f}x"
    if r >= 10:
        return f"{r:.1f}x"
    return f"{r:.2f}x"


def loglog_slope(points):
    """Least-squares slope of log(y) over log(x): y grows as x^slope."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x and y and x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    sxx = sum((p[0] - mx) ** 2 for p in pts)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx
