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
from mktrace import TracepointScenario, UNKNOWN_RMAP_ONE  # noqa: E402


def compact(buffer="", clock="mono"):
    """Every pairing case of the tracepoints, 8 walks and some strays."""
    s = TracepointScenario(cpus=2, clock=clock, buffer=buffer)
    s.comm(100, "ksm-bench")
    s.comm(200, "a,b \"odd\"")
    T = 1_000_000_000
    s.walk(T + 100, T + 5_100, 0, 0, 100, 0x1000, 0xffffc90000a1fd00,
           "try_to_migrate_one", 0, 4, 20000, 4)
    s.walk(T + 200, T + 2_200, 1, 1, 200, 0x2000, 0xffffc90000b2fd00,
           "folio_referenced_one", 1, 1, 1, 1)
    s.walk(T + 10_000, T + 912_345, 1, 0, 300, 0x3000, 0xffffc90000c3fd00,
           "try_to_unmap_one", 2, 3, 3, 2)
    s.walk(T + 20_000, T + 90_000, 0, 0, 100, 0x4000, 0xffffc90000a1fc00,
           "remove_migration_pte", 0, 4, 10000, 2, locked=1)
    s.walk(T + 30_000, T + 40_000, 0, 0, 100, 0x4000, 0xffffc90000a1fa00,
           "page_idle_clear_pte_refs_one", 0, 4, 10000, 4)
    s.walk(T + 2_000_000, T + 862_000_000, 0, 0, 100, 0x5000, 0xffffc90000a1fd00,
           "try_to_migrate_one", 0, 16, 20000, 16)
    s.walk(T + 870_000_000, T + 870_000_999, 1, 1, 200, 0x6000, 0xffffc90000d4fd00,
           UNKNOWN_RMAP_ONE, 2, 1, 5, 1)
    s.end(T + 50, 1, 300, 0x7000, 0xffffc90000c3fa00, "page_mkclean_one", 2, 1, 1)
    s.start(T + 880_000_000, 0, 200, 0x8000, 0xffffc90000b2fa00, "try_to_unmap_one", 1, 1)
    s.walk(T + 880_100_000, T + 880_105_000, 0, 0, 200, 0x8000, 0xffffc90000b2fa00,
           "try_to_unmap_one", 1, 1, 1, 1)
    s.start(T + 890_000_000, 1, 300, 0x9000, 0xffffc90000c3f900, "try_to_unmap_one", 2, 1)
    s.buf.lost(1, T + 890_000_500, 12)
    s.end(T + 890_001_000, 1, 300, 0x9000, 0xffffc90000c3f900, "try_to_unmap_one", 2, 1, 1)
    s.start(T + 900_000_000, 1, 200, 0xb000, 0xffffc90000b2f800, "folio_referenced_one", 1, 3)
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
