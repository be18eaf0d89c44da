#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM tests of the kprobe fallback on the kernels people run (lab/kernels).

  test_versions.py kprobes KERNEL RMAPSTAT  record -w ksm|anon|file -t migrate
        (and -t idle) with the fallback: its layout comes from the guest's
        BTF, each probe finds its function (7.3: __rmap_walk_file), kinds and
        purposes are right. On a kernel with the tracepoints (7.3-traced) the
        fallback runs with --kprobes --count-visits and the same workload is
        also recorded with the tracepoints: both traces must show the same
        kinds and purposes, and the same VMAs visited per walk.
  test_versions.py visits RMAPSTAT  --count-visits on 6.12-stock against the
        tracepoints' nr_visited on 6.12-traced, the same workload: the same
        VMA counts, walk by walk.
  test_versions.py nobtf RMAPSTAT  /sys/kernel/btf hidden: exit 11 and one
        line naming the fix; --layout then records, and its purposes are
        right.
  test_versions.py labrun RMAPSTAT  `lab/lab run -- 'a; b'` runs a shell
        line, in a tmpfs working folder (upstream's migrate.file selftest
        needs shared writable mmap, which the 9p share refuses); with
        --in-share in the share.

Purposes are checked against names the test knows (the rmap_one functions of
the trigger) and against the kallsyms saved in the file, which record copies
from the guest's /proc/kallsyms: a layout read at the wrong offset gives
addresses that are no function there.
"""

import os
import re
import subprocess
import tempfile

import test_cli as cli
from test_cli import Rec, guest, report_json, groups, describe
from vmlib import LAB, fail

BTF_LINE = re.compile(r"kprobe fallback: layout rmap_one=\+(\d+) mapping=\+(\d+) "
                      r"\((BTF /sys/kernel/btf/vmlinux|--layout)\); probed (.*)$", re.M)

# name, record arguments, the kind of its walks, the purposes its trigger walks for
RUNS = [
    ("ksm-migrate", "-w ksm -p 500 -t migrate", "KSM", {"try_to_migrate_one", "remove_migration_pte"}),
    ("ksm-idle", "-w ksm -p 500 -t idle", "KSM", {"page_idle_clear_pte_refs_one"}),
    ("anon-migrate", "-w anon -p 500 -t migrate", "ANON", {"remove_migration_pte"}),
    ("file-migrate", "-w file -p 500 -t migrate", "FILE", {"remove_migration_pte"}),
    ("file-idle", "-w file -p 500 -t idle", "FILE", {"page_idle_clear_pte_refs_one"}),
]


def file_kallsyms(dat):
    return set(cli.kallsyms(dat).values())


def check_layout(name, err, btf=True):
    m = BTF_LINE.search(err)
    if not m:
        fail(f"{name}: record did not say where the fallback's layout came from:\n{err}")
    origin = m.group(3)
    if btf != origin.startswith("BTF"):
        fail(f"{name}: layout from {origin}, expected {'BTF' if btf else '--layout'}")
    return int(m.group(1)), int(m.group(2)), m.group(4).split()


def kinds_purposes(rep):
    return {(k, p) for (k, p), g in groups(rep).items() if g["count"]}


def check_run(share, name, kind, purposes, btf=True):
    """One kprobe run: exit 0, layout said, the walks of kind with purposes."""
    r = Rec(share, name)
    r.expect_rc(0)
    r.expect_file()
    rmap_one, mapping, probed = check_layout(name, r.err, btf)
    if "no kprobe on rmap_walk_file" in r.err and "__rmap_walk_file" in probed:
        fail(f"{name}: warned about rmap_walk_file although __rmap_walk_file was probed")
    rep = report_json(r.dat)
    cli.expect_no_unmatched(name, rep)
    seen = kinds_purposes(rep)
    syms = file_kallsyms(r.dat)
    for k, p in seen:
        if p not in syms:
            fail(f"{name}: purpose {p} ({k}) is no function of the guest's kallsyms: "
                 "the layout read the wrong offset")
        if k == "unknown":
            fail(f"{name}: walks of unknown kind: folio->mapping read at the wrong offset")
    want = {(kind, p) for p in purposes}
    if not want <= seen:
        fail(f"{name}: expected walks {sorted(want)}, the report has {sorted(seen)}")
    print(f"  {name}: rmap_one=+{rmap_one} mapping=+{mapping}, probed {' '.join(probed)}; "
          f"{describe(rep)}")
    return seen


def test_kprobes(kernel):
    forced = kernel.endswith("-traced")
    # a visit is an event: a KSM walk before the fix makes ~100,000 of them
    flag = " --kprobes --count-visits -b 65536" if forced else ""
    script = "".join(f"rec {n} {a}{flag}\n" for n, a, _, _ in RUNS)
    if forced:
        script += "".join(f"rec tp-{n} {a}\n" for n, a, _, _ in RUNS)
    share = guest(kernel, script, timeout=1200)
    for name, _, kind, purposes in RUNS:
        seen = check_run(share, name, kind, purposes)
        if forced:
            # the same workload with the tracepoints, an independent source
            tp = report_json(Rec(share, f"tp-{name}").dat)
            tp_seen = {(k, p) for k, p in kinds_purposes(tp) if k == kind}
            if {(k, p) for k, p in seen if k == kind} - tp_seen:
                fail(f"{name}: kprobes show {sorted(seen)}, the tracepoints only "
                     f"{sorted(tp_seen)} for the same workload")
            got = walk_visits(Rec(share, name).dat, kind)
            want = walk_visits(Rec(share, f"tp-{name}").dat, kind)
            if got != want:
                fail(f"{name}: VMAs visited per walk: kprobes --count-visits {got}, "
                     f"tracepoints {want}")
            print(f"  {name}: VMAs visited per walk, kprobes = tracepoints: {got}")
    cli.no_leftovers(share)
    return [share]


def walk_visits(dat, kind):
    """(purpose, nr_visited) of each walk of kind (the report's --top lists them all), sorted."""
    rep = report_json(dat)
    out = []
    for w in rep["top"]:
        if w["kind"] == kind:
            out.append((w["purpose"], w.get("nr_visited")))
    return sorted(out, key=lambda x: (x[0], -1 if x[1] is None else x[1]))


VISIT_RUNS = [("ksm", "-w ksm -p 400 -t migrate -b 65536", "KSM"),
              ("anon", "-w anon -p 400 -t migrate", "ANON"),
              ("file", "-w file -p 400 -t idle", "FILE")]


def test_visits():
    stock = guest("6.12-stock", "".join(f"rec {n} {a} --count-visits\nrec plain-{n} {a}\n"
                                        for n, a, _ in VISIT_RUNS), timeout=1200)
    traced = guest("6.12-traced", "".join(f"rec {n} {a}\n" for n, a, _ in VISIT_RUNS),
                   timeout=1200)
    for name, _, kind in VISIT_RUNS:
        r = Rec(stock, name)
        r.expect_rc(0)
        probed = check_layout(name, r.err)[2]
        if not any(f.endswith("_iter_next") for f in probed):
            fail(f"{name}: --count-visits probed no VMA iterator: {probed}")
        got = walk_visits(r.dat, kind)
        want = walk_visits(Rec(traced, name).dat, kind)
        plain = walk_visits(Rec(stock, f"plain-{name}").dat, kind)
        print(f"  {name}: stock --count-visits {got}; traced {want}")
        if not got or any(v is None for _, v in got):
            fail(f"{name}: stock walks without a VMA count under --count-visits: {got}")
        if got != want:
            fail(f"{name}: VMAs visited per walk differ: stock kprobes {got}, "
                 f"traced tracepoints {want}")
        if any(v is not None for _, v in plain):
            fail(f"{name}: VMA counts without --count-visits: {plain}")
    return [stock, traced]


NOBTF = r"""
unshare -m sh -c '. /host/lib.sh; mount -t tmpfs none /sys/kernel/btf; rec nobtf -w ksm -p 100 -t migrate; rec by-hand --layout rmap_one=16,mapping=24 -w ksm -p 500 -t migrate'
"""


def test_nobtf():
    share = guest("6.12-stock", NOBTF)
    r = Rec(share, "nobtf")
    r.expect_rc(11)
    lines = [x for x in r.err.splitlines() if x.strip() and "falling back" not in x]
    if len(lines) != 1 or "CONFIG_DEBUG_INFO_BTF" not in lines[0] or "--layout" not in lines[0]:
        fail(f"nobtf: expected one line naming CONFIG_DEBUG_INFO_BTF and --layout:\n{r.err}")
    if os.path.exists(r.dat):
        fail("nobtf: exit 11 but a trace was written")
    print(f"  nobtf: exit 11: {lines[0]}")
    check_run(share, "by-hand", "KSM", RUNS[0][3], btf=False)
    cli.no_leftovers(share)
    return [share]


def test_labrun():
    share = tempfile.mkdtemp(prefix="rmapstat-vm-labrun-")
    # busybox stat does not name 9p: the share is "not tmpfs"
    runs = [([], "/root", "tmpfs"), (["--in-share"], "/host", None)]
    for extra, cwd, fs in runs:
        line = "echo one; echo two >two.txt; pwd; stat -f -c %T ."
        args = [LAB, "run", "--kernel", "6.12-stock", "--share", share, *extra, "--", line]
        print("+ " + " ".join(args), flush=True)
        p = subprocess.run(args, capture_output=True, text=True, timeout=600)
        out = p.stdout.split()
        print(p.stdout, flush=True)
        got = out[-3:]
        if p.returncode != 0 or got[:2] != ["one", cwd] or (got[2] == "tmpfs") != (fs == "tmpfs"):
            fail(f"lab run {' '.join(extra)} -- '{line}': exit {p.returncode}, "
                 f"output {out}; expected one, {cwd}, {fs or 'not tmpfs'}")
    if not os.path.exists(os.path.join(share, "two.txt")):
        fail("--in-share: the relative path did not land in the share")
    print("  lab run: a shell line ran in /root (tmpfs) by default, in /host with --in-share")
    return [share]


def main():
    cli.run_main({"kprobes": test_kprobes, "visits": test_visits, "nobtf": test_nobtf,
                  "labrun": test_labrun})


if __name__ == "__main__":
    main()
