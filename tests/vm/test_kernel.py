#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM tests of the kernel series: boots the lab kernels in QEMU.

  test_kernel.py events  RMAP_WORKLOAD          typed events on `traced`
  test_kernel.py mremap  KERNEL pass|fail KSM_MREMAP_TEST
  test_kernel.py swapcache KERNEL ONTO FRESH KSM_SWAPCACHE_TEST
                                                a KSM page mremap()ed while in
                                                the swap cache: onto its old
                                                copy's address, and to a fresh
                                                one; ONTO/FRESH are pass|fail
  test_kernel.py effect  RMAP_WORKLOAD          traced vs fixed, 20,000 VMAs
  test_kernel.py size                           CONFIG_TRACING=n .text equality
"""

import os
import subprocess
import sys

from vmlib import fail, lab_run, require_lab, trace_walks, LAB


def record(kernel, workload, args, name):
    """trace-cmd record -e rmap around one workload run in the guest."""
    cmd = (f"trace-cmd record -q -e rmap -C mono -o /host/{name}.dat "
           f"rmap-workload {args}")
    run = lab_run(kernel, cmd, carry=[workload])
    if run.rc != 0:
        fail(f"{kernel}: rmap-workload {args} exited {run.rc}")
    dat = os.path.join(run.share, f"{name}.dat")
    if not os.path.exists(dat):
        fail(f"{kernel}: no {name}.dat written")
    return run, dat


def test_events(workload):
    run, dat = record("traced", workload,
                      "--workload ksm --pages 2000 --split --trigger migrate", "events")
    v = run.values()
    walks, unmatched = trace_walks(dat)
    print(f"{len(walks)} walks, {len(unmatched)} starts or ends without their other half")
    if not walks:
        fail("no rmap walks paired")
    if unmatched:
        fail(f"unmatched start/end events in a quiet guest: {unmatched[:4]}")
    kinds = {w["kind"] for w in walks}
    if not kinds <= {"KSM", "ANON", "FILE"}:
        fail(f"kind not printed symbolically: {kinds}")
    ksm = [w for w in walks if w["kind"] == "KSM"]
    purposes = {w["purpose"] for w in ksm}
    print("KSM walks:", len(ksm), "purposes:", sorted(purposes))
    for w in ksm:
        print(f"  {w['purpose']:24} pfn={w['pfn']:#x} mapcount={w['mapcount']} "
              f"visited={w['nr_visited']} rmap_one={w['nr_rmap_one']} {w['duration_ns']} ns "
              f"cpu {w['start_cpu']}->{w['end_cpu']}")
    for need in ("try_to_migrate_one", "remove_migration_pte"):
        if need not in purposes:
            fail(f"no KSM walk with purpose {need}")
    pfn_before = int(v["pfn_before"], 0)
    migrate = [w for w in ksm if w["purpose"] == "try_to_migrate_one"]
    if not any(w["pfn"] == pfn_before for w in migrate):
        fail(f"no try_to_migrate_one walk on pfn {pfn_before:#x} "
             f"(from /proc/self/pagemap); saw {[hex(w['pfn']) for w in migrate]}")
    if v.get("pfn_after") and int(v["pfn_after"], 0) != pfn_before:
        pfn_after = int(v["pfn_after"], 0)
        restore = [w for w in ksm if w["purpose"] == "remove_migration_pte"]
        if not any(w["pfn"] == pfn_after for w in restore):
            fail(f"no remove_migration_pte walk on the new pfn {pfn_after:#x}")
    if any(w["duration_ns"] < 0 for w in walks):
        fail("negative walk duration")
    print("PASS")


def test_mremap(kernel, expect, prog):
    run = lab_run(kernel, "ksm-mremap-test", carry=[prog])
    v = run.values()
    verdict = "pass" if run.rc == 0 else "fail" if run.rc == 1 else "error"
    print(f"{kernel}: ksm-mremap-test exit {run.rc} ({verdict}), "
          f"pages_shared={v.get('pages_shared')} pages_sharing={v.get('pages_sharing')}")
    if verdict == "error":
        fail(f"{kernel}: the scenario could not run (exit {run.rc})")
    if verdict == "pass" and (v.get("pages_shared") != "1" or v.get("pages_sharing") != "15"):
        fail(f"{kernel}: exit 0 but pages_shared/pages_sharing are not 1/15")
    if verdict != expect:
        fail(f"{kernel}: expected the mremap scenario to {expect}, it did {verdict}")
    print("PASS")


# Shell line of the guest: a zram swap device for MADV_PAGEOUT, then the
# reproducer onto the old copy's address and to a fresh one, each result
# in a file of the share (the program prints key=value lines).
SWAPCACHE_LINE = (
    "echo 64M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && "
    "swapon /dev/zram0 || exit 2; "
    "ksm-swapcache-test >/host/onto.out; echo $? >/host/onto.rc; "
    "ksm-swapcache-test --fresh >/host/fresh.out; echo $? >/host/fresh.rc")


def test_swapcache(kernel, onto, fresh, prog):
    run = lab_run(kernel, SWAPCACHE_LINE, carry=[prog])
    if run.rc != 0:
        fail(f"{kernel}: no zram swap in the guest (exit {run.rc})")
    bad = []
    for case, expect in (("onto", onto), ("fresh", fresh)):
        with open(os.path.join(run.share, f"{case}.rc")) as f:
            rc = int(f.read())
        with open(os.path.join(run.share, f"{case}.out")) as f:
            out = f.read()
        vals = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
        verdict = "pass" if rc == 0 else "fail" if rc == 1 else "error"
        print(f"{kernel} {case}: {verdict} (pte after mremap {vals.get('x_after_mremap')}, "
              f"same KSM folio faulted back {vals.get('same_folio')}, "
              f"node {vals.get('node_before')} -> {vals.get('node_after')}, "
              f"target {vals.get('target_node')})")
        if verdict == "error":
            print(out)
            fail(f"{kernel} {case}: the scenario could not run")
        if verdict == "fail" and vals.get("same_folio") != "1":
            fail(f"{kernel} {case}: failed although the fault did not map the KSM folio again")
        if verdict != expect:
            bad.append(f"{case}: expected {expect}, got {verdict}")
    if bad:
        fail(f"{kernel}: " + "; ".join(bad))
    print("PASS")


def ksm_summary(walks):
    ksm = [w for w in walks if w["kind"] == "KSM"]
    if not ksm:
        fail("no KSM walks recorded")
    return dict(walks=len(ksm), visited=sum(w["nr_visited"] for w in ksm),
                rmap_one=sum(w["nr_rmap_one"] for w in ksm),
                max_ns=max(w["duration_ns"] for w in ksm))


def test_effect(workload):
    args = "--workload ksm --pages 20000 --split --trigger migrate"
    res = {}
    for kernel in ("traced", "fixed"):
        run, dat = record(kernel, workload, args, f"effect-{kernel}")
        walks, _ = trace_walks(dat)
        res[kernel] = ksm_summary(walks)
        print(f"{kernel}: vmas={run.values().get('vmas')} {res[kernel]}")
    t, f = res["traced"], res["fixed"]
    vis_ratio = t["visited"] / max(f["visited"], 1)
    max_ratio = t["max_ns"] / max(f["max_ns"], 1)
    print(f"KSM walks visited VMAs: traced {t['visited']} fixed {f['visited']} "
          f"({vis_ratio:.0f}x fewer)")
    print(f"longest KSM walk: traced {t['max_ns'] / 1e6:.3f} ms fixed "
          f"{f['max_ns'] / 1e6:.3f} ms ({max_ratio:.0f}x shorter)")
    if f["rmap_one"] == 0:
        fail("fixed kernel: the KSM walks made no rmap_one call")
    per_call = f["visited"] / f["rmap_one"]
    print(f"fixed: {per_call:.2f} VMAs visited per rmap_one() call")
    if per_call > 1.5:
        fail(f"fixed visits {per_call:.2f} VMAs per mapping (the safety net's "
             f"second pass ran?), need <= 1.5")
    if vis_ratio < 100:
        fail(f"fixed visits only {vis_ratio:.1f}x fewer VMAs (need >= 100x)")
    if max_ratio < 50:
        fail(f"longest fixed KSM walk only {max_ratio:.1f}x shorter (need >= 50x)")
    print("PASS")


def test_size():
    p = subprocess.run([LAB, "size-check"], capture_output=True, text=True)
    print(p.stdout, p.stderr)
    if p.returncode != 0:
        fail("CONFIG_TRACING=n .text of mm/rmap.o or mm/ksm.o differs, or the check failed")
    print("PASS")


def main():
    require_lab()
    what = sys.argv[1]
    if what == "events":
        test_events(sys.argv[2])
    elif what == "mremap":
        test_mremap(sys.argv[2], sys.argv[3], sys.argv[4])
    elif what == "swapcache":
        test_swapcache(*sys.argv[2:6])
    elif what == "effect":
        test_effect(sys.argv[2])
    elif what == "size":
        test_size()
    else:
        fail(f"unknown test {what}")


if __name__ == "__main__":
    main()
