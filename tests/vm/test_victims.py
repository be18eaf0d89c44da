#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM tests of who waited behind the walks: `rmapstat record --victim`.

  test_victims.py stall RMAPSTAT
        6.12-traced against 6.12-fixed: the KSM workload, 20,000 pages in
        20,000 VMAs, its page migrated back and forth, one victim thread
        calling mprotect() on the same mapping all the while. On traced the
        victim's calls that waited behind walks take at least 50 times as
        long in all as on fixed, and the time others waited per walk is at
        least 50 times fixed's. The attribution is proven by the locks the
        walks took (hold events); every wait of the victim behind a walk
        lies inside one of its calls, no call has more waits behind walks
        than its own duration, and on traced those waits are at least half
        of the calls' time (the rest is the calls' own work) and lie at
        least three quarters inside the walks' holds (the rest: the lock's
        hand-over to the waiter).
  test_victims.py stock KERNEL RMAPSTAT
        the same victim on a kernel without the rmap tracepoints (the
        kprobe fallback, holds from BTF): waits are proven, and lie inside
        the victim's calls as above.

The victims' durations are what the thread measured (--csv-ops), the waits
what lock:contention_begin/end measured (--csv-waits); neither is checked
against rmapstat's own summary alone. trace-cmd report with the plugin must
show the waiters on the walk ends.
"""

import bisect
import csv
import io
import os
import subprocess

import test_cli as cli
from test_cli import Rec, guest
from vmlib import fail

PAGES = 20000
# The guest script: the victim record, its report files written on the host.
RECORD = ("rec victim --workload ksm --pages %d --split --trigger migrate --repeat 3 "
          "--merge-timeout 600 --victim mprotect\n")
# The victim reads CLOCK_MONOTONIC, the kernel stamps the lock events with
# the mono trace clock: the same clock, but read at different instants
# around the syscall; a microsecond covers the difference.
CLOCK_SLACK_NS = 1000


def csv_rows(args, what):
    p = cli.sh([cli.RMAPSTAT, "report"] + args, 0, what)
    return list(csv.DictReader(io.StringIO(p.stdout)))


def run_victim(kernel, pages=PAGES):
    """Records the victim run on kernel; returns (share, rec, ops, waits, report)."""
    share = guest(kernel, RECORD % pages, timeout=1500)
    rec = Rec(share, "victim")
    rec.expect_rc(0)
    rec.expect_file()
    line = [ln for ln in rec.err.splitlines() if ln.startswith("victim mprotect:")]
    print(f"{kernel}: {line[0] if line else 'no victim line on stderr'}")
    if not line:
        fail(f"{kernel}: record printed no victim line; stderr:\n{rec.err}")
    ops = csv_rows(["--csv-ops", rec.dat], f"{kernel}: report --csv-ops")
    waits = csv_rows(["--csv-waits", rec.dat], f"{kernel}: report --csv-waits")
    rep = cli.report_json(rec.dat, by="kind")
    return share, rec, ops, waits, rep


def check_stalls(kernel, ops, waits, rep, need_blocked=True):
    """What the victim's calls measured against the kernel's waits; returns
    the figures the kernels are compared by."""
    if not ops:
        fail(f"{kernel}: no victim operations in the trace")
    w = rep["waits"]
    if not w:
        fail(f"{kernel}: the report has no waits (no lock events in the trace)")
    if w["proof"] != "lock":
        fail(f"{kernel}: waits attributed by {w['proof']}, not by the walks' locks")
    bad = [r for r in ops if r["ret"] != "0"]
    if bad:
        fail(f"{kernel}: {len(bad)} victim calls failed, e.g. {bad[0]}")
    victims = {r["pid"] for r in ops}
    mine = [r for r in waits if r["pid"] in victims]
    spans = sorted((int(r["start_ns"]), int(r["end_ns"]), int(r["duration_ns"]),
                    int(r["blocked_ns"])) for r in ops)
    # every wait of the victim behind a walk lies inside one of its calls
    starts = [sp[0] for sp in spans]
    inside = {}
    for r in mine:
        b, e = int(r["begin_ns"]), int(r["end_ns"])
        i = bisect.bisect_right(starts, b) - 1
        if i < 0 or not spans[i][0] <= b <= e <= spans[i][1]:
            if r["cause"] == "direct":
                fail(f"{kernel}: the victim's wait {b}..{e} behind a walk lies in none "
                     "of its calls")
            continue
        inside.setdefault(i, []).append(r)
    blocked = [sp for sp in spans if sp[3]]
    for s0, e0, d, b in blocked:
        if b > d + CLOCK_SLACK_NS:
            fail(f"{kernel}: a call of {d} ns has {b} ns of waits behind walks: more than itself")
    direct = [r for r in mine if r["cause"] == "direct"]
    if need_blocked and (not blocked or not direct):
        fail(f"{kernel}: no victim call waited behind a walk ({len(waits)} waits in the trace)")
    waited = sum(int(r["wait_ns"]) for r in direct)
    behind = sum(int(r["blocked_ns"]) for r in direct)
    fig = {
        "calls": len(spans), "longest": max(sp[2] for sp in spans),
        "blocked_calls": len(blocked), "blocked_ns": sum(sp[3] for sp in blocked),
        "blocked_calls_ns": sum(sp[2] for sp in blocked),
        "longest_blocked": max((sp[3] for sp in blocked), default=0),
        "longest_blocked_call": max((sp[2] for sp in blocked), default=0),
        "direct_wait_ns": waited, "direct_behind_ns": behind,
        "per_walk_mean": w["collateral"]["mean_ns"] or 0,
        "per_walk_max": w["collateral"]["max_ns"] or 0,
        "walks_blamed": w["collateral"]["count"],
    }
    print(f"{kernel}: {fig['calls']} mprotect() calls, longest {fig['longest']} ns; "
          f"{fig['blocked_calls']} waited behind walks: {fig['blocked_ns']} ns of their "
          f"{fig['blocked_calls_ns']} ns, longest {fig['longest_blocked_call']} ns "
          f"({fig['longest_blocked']} ns behind walks); the victim's "
          f"waits behind walks {waited} ns, of it while a walk held the lock {behind} ns; "
          f"{fig['walks_blamed']} walks made it wait, {fig['per_walk_mean']} ns per walk "
          f"(mean), {fig['per_walk_max']} ns at most")
    top = w["top"]
    if not top:
        return fig
    if top[0]["kind"] != "KSM":
        fail(f"{kernel}: the walk others waited behind most is not a KSM walk: {top[:1]}")
    print(f"{kernel}: the walk others waited behind most: {top[0]['purpose']}, "
          f"{top[0]['duration_ns']} ns, {top[0]['waits_direct']}+{top[0]['waits_indirect']} "
          f"waits, {top[0]['direct_ns'] + top[0]['indirect_ns']} ns")
    return fig


def check_plugin(kernel, dat):
    """trace-cmd report with the plugin shows the waiters on a KSM walk's end."""
    plugin_dir = os.path.normpath(os.path.join(os.path.dirname(cli.RMAPSTAT), "..", "plugin"))
    env = dict(os.environ, TRACEEVENT_PLUGIN_DIR=plugin_dir, LC_ALL="C")
    env.pop("TRACECMD_PLUGIN_DIR", None)
    p = subprocess.run(["trace-cmd", "report", "-L", "-i", dat], capture_output=True,
                       text=True, env=env)
    ends = [ln for ln in p.stdout.splitlines()
            if "rmap_walk_end:" in ln or "rmap_walk_ksm_exit:" in ln or "rmap_walk_exit:" in ln]
    waited = [ln for ln in ends if "kind=KSM" in ln and " waiters=" in ln
              and " waiters=0 " not in ln]
    if p.returncode != 0 or not waited:
        fail(f"{kernel}: trace-cmd report shows no KSM walk end with waiters "
             f"(exit {p.returncode}; {len(ends)} ends)\n{p.stderr[-2000:]}")
    print(f"{kernel}: {waited[0].split(': ', 1)[-1].strip()}")


def test_stall():
    shares, fig = [], {}
    for kernel, need in (("6.12-traced", True), ("6.12-fixed", False)):
        share, rec, ops, waits, rep = run_victim(kernel)
        shares.append(share)
        fig[kernel] = check_stalls(kernel, ops, waits, rep, need)
        if need:
            check_plugin(kernel, rec.dat)
    t, f = fig["6.12-traced"], fig["6.12-fixed"]
    for key in ("longest", "longest_blocked_call", "longest_blocked", "per_walk_mean",
                "blocked_ns"):
        print(f"{key}: traced {t[key]} ns, fixed {f[key]} ns: "
              f"{t[key] / max(f[key], 1):.1f}x")
    # A KSM walk takes each rmap_item's anon_vma lock in turn; what the
    # victim waits beyond the walk's holds is the hand-over of the lock
    # (the waiter's wake-up, long in an emulated guest on a busy host):
    # 85-98 % of the waits lay inside the holds in the runs measured.
    if t["direct_behind_ns"] < 0.75 * t["direct_wait_ns"]:
        fail(f"traced: of the victim's {t['direct_wait_ns']} ns of waits behind walks only "
             f"{t['direct_behind_ns']} ns lie inside the walks' holds (need 75 %)")
    # The stall the walks caused, as the victim thread timed it: the time of
    # its calls that waited behind a walk. A KSM walk lets go of the lock
    # between rmap_items, so one call waits for a few items' scans, not for
    # the whole walk: the longest single call is printed above, the gate is
    # on the sum.
    if t["blocked_calls_ns"] < 50 * f["blocked_calls_ns"]:
        fail("the victim's calls behind walks took only "
             f"{t['blocked_calls_ns'] / max(f['blocked_calls_ns'], 1):.1f}x as long on "
             "traced as on fixed (need >= 50x)")
    # ... and the kernel's waits behind walks are most of that time (93-94 %
    # measured on a quiet host, 66 % on a loaded one); the rest is no lock
    # wait: the calls' own work, which the emulated guest stretches while
    # the walk keeps the other vCPU busy (their TLB flushes wait for it,
    # most likely; not measured).
    if t["blocked_ns"] < 0.5 * t["blocked_calls_ns"]:
        fail(f"traced: the victim's calls behind walks took {t['blocked_calls_ns']} ns, "
             f"of which only {t['blocked_ns']} ns were waits behind walks (need half)")
    if t["per_walk_mean"] < 50 * f["per_walk_mean"]:
        fail(f"the time others waited per walk on traced is "
             f"{t['per_walk_mean'] / max(f['per_walk_mean'], 1):.1f}x fixed's (need >= 50x)")
    return shares


def test_stock(kernel):
    share, rec, ops, waits, rep = run_victim(kernel, pages=5000)
    if "kprobe fallback" not in rec.err:
        fail(f"{kernel}: record did not use the kprobe fallback:\n{rec.err}")
    check_stalls(kernel, ops, waits, rep)
    check_plugin(kernel, rec.dat)
    return [share]


def main():
    cli.run_main({
        "stall": test_stall,
        "stock": test_stock,
    })


if __name__ == "__main__":
    main()
