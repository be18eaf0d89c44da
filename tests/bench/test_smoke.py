#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Smoke test of the benchmarks (suite 'bench'): every script runs on small
inputs and prints sane output. No timing is asserted: only what the inputs
fix (record and walk counts, the plugin check, work ratios).

    test_smoke.py BUILD_DIR IDLE_WALKS DATA_DIR
"""

import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import testlib as tl  # noqa: E402
from testlib import check, skip  # noqa: E402

tl.show_ok = True


def bench(args, want_rc=0):
    """Runs a benchmark script or program, shows its output, checks its exit status."""
    rc, out, err = tl.run(args, timeout=100, text=True)
    print(f"+ {' '.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(args))}"
          f"  -> exit {rc}")
    print(out)
    if err.strip():
        print(f"--- stderr\n{err}")
    check(rc == want_rc, f"{os.path.basename(args[0])} exits {want_rc}")
    return out, err


def script(name):
    return os.path.join(HERE, name)


def test_report(build, data):
    """bench-report on two fixtures: every reader, plugin check, targets, RSS section."""
    files = [os.path.join(data, "ksm-fixed.dat"), os.path.join(data, "interleave-traced.dat")]
    out, _ = bench([script("bench-report"), "--build", build, "--repeat", "1",
                  "--no-drop-caches"] + files)
    check(out.count("\nfile: ") == 2, "bench-report: one section per file")
    check("2 walks, 0 lost events" in out and "600 walks, 0 lost events" in out,
          "bench-report: walk counts of the fixtures (2 and 600)")
    check("printed 2 durations for 2 walks" in out and
          "printed 600 durations for 600 walks" in out and "MISMATCH" not in out,
          "bench-report: plugin_rmap loaded, one duration per walk")
    readers = ["rmapstat report", "trace-cmd report", "trace-cmd report + plugin_rmap",
               "read-loop"]
    for reader in readers:
        rows = re.findall(rf"^\s+{re.escape(reader)}\s+\d+\.\d+ \(", out, re.M)
        check(len(rows) == 2, f"bench-report: a row for '{reader}' per file")
    check(re.search(r"trace-cmd report / rmapstat report: wall [\d.]+ s / [\d.]+ s = [\d.]+x, "
                    r"CPU [\d.]+ s / [\d.]+ s = [\d.]+x  \(target >= 30x: (met|MISSED)\)",
                    out) is not None,
          "bench-report: speed ratio line with the 30x target")
    check(re.search(r"read-loop / rmapstat report: .* \(target: rmapstat within 3x of it, "
                    r"[\d.]+x: (met|MISSED)\)", out) is not None,
          "bench-report: the single-read bound")
    m = [re.search(r"^\s+%d walks\s+([\d.]+) MiB" % w, out, re.M) for w in (2, 600)]
    check(all(x is not None and float(x.group(1)) > 0 for x in m),
          "bench-report: peak RSS of each file")
    check(re.search(r"2 -> 600 walks: x[\d.]+  \(target flat within 10%: (met|MISSED)\)",
                    out) is not None, "bench-report: RSS from the smallest to the largest file")
    check("machine: " in out and "date: " in out, "bench-report: machine block")


def test_ksm(build, data):
    """bench-ksm --from on the KSM fixtures (512 VMAs, traced and fixed)."""
    tmp = tempfile.mkdtemp(prefix="bench-smoke-")
    try:
        for k in ("traced", "fixed"):
            os.makedirs(os.path.join(tmp, k))
            os.symlink(os.path.join(data, f"ksm-{k}.dat"), os.path.join(tmp, k, "ksm-512.dat"))
        out, _ = bench([script("bench-ksm"), "--build", build, "--from", tmp])
    finally:
        shutil.rmtree(tmp)
    rows = {m.group(1): m.groups() for m in re.finditer(
        r"^(traced|fixed)\s+512\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d,]+)\s+(\d+)", out, re.M)}
    check(set(rows) == {"traced", "fixed"}, "bench-ksm: a row per kernel")
    if set(rows) == {"traced", "fixed"}:
        vt = int(rows["traced"][4].replace(",", ""))
        vf = int(rows["fixed"][4].replace(",", ""))
        check(rows["traced"][1] == "2" and rows["fixed"][1] == "2",
              "bench-ksm: 2 KSM walks in each fixture")
        check(vt > 100 * vf, f"bench-ksm: traced visits far more VMAs ({vt} vs {vf})")
        check(rows["traced"][5] == "256" and rows["fixed"][5] == "256",
              "bench-ksm: 256 rmap_one calls per walk (max_page_sharing)")
    check(re.search(r"^512\s+[\d.]+ / [\d.]+\s+[\d.]+x", out, re.M) is not None,
          "bench-ksm: ratio table")


def test_tracepoint():
    """bench-tracepoint --from-output on a recorded guest output."""
    sample = os.path.join(HERE, "samples", "tracepoint-walk-fixed.out")
    out, _ = bench([script("bench-tracepoint"), "--from-output", sample])
    check("MISMATCH" not in out and "events written in the instance:" in out,
          "bench-tracepoint: events written match the walks with events on")
    check(re.search(r"^ratio on/off of the medians: \d+\.\d+$", out, re.M) is not None,
          "bench-tracepoint: ratio of the medians")
    check(re.search(r"per ABBA block: median [\d.]+, p10..p90 [\d.]+..[\d.]+", out) is not None,
          "bench-tracepoint: spread per block")
    out, err = bench([script("bench-tracepoint"), "--part", "nothing"], want_rc=2)
    check("--part takes" in err, "bench-tracepoint: bad --part is a usage error")


def test_gen():
    out, _ = bench([script("gen-big-trace"), "--dry-run"])
    check("idle-walks --pages 20000 --passes 50" in out and
          "-o /host/walks-1000000.dat" in out and "-o /host/walks-100000.dat" in out,
          "gen-big-trace: guest commands for 100,000 and 1,000,000 walks")
    _, err = bench([script("gen-big-trace"), "--dry-run", "--walks", "12345"], want_rc=2)
    check("multiple of --pages" in err, "gen-big-trace: walks must be a multiple of --pages")


def test_idle_walks(binary):
    out, _ = bench([binary, "--help"])
    check("--toggle" in out, "idle-walks --help")
    _, err = bench([binary, "--passes", "0"], want_rc=2)
    check("--passes must be a number" in err, "idle-walks: --passes 0 is a usage error")


def main():
    if len(sys.argv) != 4:
        print("usage: test_smoke.py BUILD_DIR IDLE_WALKS DATA_DIR")
        return 2
    build, idle_walks, data = (os.path.abspath(a) for a in sys.argv[1:])
    if shutil.which("trace-cmd") is None:
        skip("trace-cmd is not installed (apt-get install trace-cmd)")
    if not os.access("/usr/bin/time", os.X_OK):
        skip("/usr/bin/time is not installed (apt-get install time)")
    for f in ("ksm-fixed.dat", "ksm-traced.dat", "interleave-traced.dat"):
        if not os.path.exists(os.path.join(data, f)):
            skip(f"fixture {f} is missing in {data} (tests/data/regenerate)")
    test_report(build, data)
    test_ksm(build, data)
    test_tracepoint()
    test_gen()
    test_idle_walks(idle_walks)
    if tl.failures:
        print(f"\n{tl.failures} check(s) failed")
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
