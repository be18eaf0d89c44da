#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
mkseeds.py OUTDIR

Small synthetic trace.dat seeds for fuzz-report, written with the test
suite's generator (tests/cli/tracedat.py, mktrace.py): every case the
pairing knows in a few walks (mktrace's own "tracepoints" scenario adds
3000 random walks, 300 KB: too slow an input to mutate), a kprobe trace
with nesting and a loss of unknown size, a walk in an instance buffer,
a trace clock other than mono, a trace without walk events, and mktrace's
small scenarios as they are.
"""

import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "cli"))

import mktrace  # noqa: E402
from mktrace import TracepointScenario  # noqa: E402


def compact(buffer="", clock="mono"):
    """Every pairing case of the tracepoints (mktrace's cases without its
    3000 random walks) and a start still in flight at the end."""
    s = mktrace.tracepoint_cases(TracepointScenario(cpus=2, clock=clock, buffer=buffer))
    s.start(1_900_000_000, 1, 200, 0xb000, 0xffffc90000b2f800, "folio_referenced_one", 1, 3)
    return s


SEEDS = {
    "compact": lambda: compact(),
    "compact-instance": lambda: compact(buffer="rmapstat-4242"),
    "compact-local-clock": lambda: compact(clock="local"),
    "kprobes": mktrace.scenario_kprobes,
    "kprobes-lost": mktrace.scenario_kprobes_lost,
    "ksm-slow": lambda: mktrace.scenario_ksm(True),
    "empty": mktrace.scenario_empty,
    "noevents": mktrace.scenario_noevents,
}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    os.makedirs(argv[1], exist_ok=True)
    for name, make in SEEDS.items():
        make().t.write(os.path.join(argv[1], name + ".dat"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
