# SPDX-License-Identifier: GPL-2.0-only
"""Helpers for the VM tests: boot a lab kernel, run a program, read its trace.

The walk pairing here is deliberately independent of lib/pairing.c: it reads
`trace-cmd report` text on the host and pairs start/end by (rwc, pfn, pid),
so the VM tests check the kernel, not our own code against itself.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))
LAB = os.environ.get("RMAPSTAT_LAB", os.path.join(SRC_ROOT, "kernel", "lab"))


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def require_lab():
    """SKIP (never pass) when the machine cannot boot the lab kernels."""
    for tool in ("qemu-system-x86_64", "trace-cmd"):
        if shutil.which(tool) is None:
            skip(f"{tool} is not installed (run scripts/install-deps as root)")
    if not os.path.exists("/usr/src/linux-source-6.12.tar.xz") and \
            not os.path.isdir(os.environ.get("RMAPSTAT_CACHE", "/var/cache/rmapstat")):
        skip("linux-source-6.12 is not installed (apt-get install linux-source-6.12)")


class Run:
    def __init__(self, kernel, rc, stdout, stderr, share):
        self.kernel, self.rc, self.stdout, self.stderr = kernel, rc, stdout, stderr
        self.share = share

    def values(self):
        """key=value lines printed by the guest program."""
        out = {}
        for line in self.stdout.splitlines():
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line.strip())
            if m:
                out[m.group(1)] = m.group(2)
        return out


def lab_run(kernel, command, carry=(), share=None, timeout=900):
    """Run a shell command in the guest; returns Run. share is kept by the caller."""
    if share is None:
        share = tempfile.mkdtemp(prefix=f"rmapstat-vm-{kernel}-")
    args = [LAB, "run", "--kernel", kernel, "--share", share, "--timeout", str(timeout)]
    for c in carry:
        args += ["--carry", c]
    args += ["--", "sh", "-c", command]
    print(f"+ {' '.join(args)}", flush=True)
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout + 120)
    print(f"--- guest stdout ({kernel}, exit {p.returncode})\n{p.stdout}", flush=True)
    if p.stderr.strip():
        print(f"--- stderr\n{p.stderr}", flush=True)
    if p.returncode in (124, 125):
        fail(f"lab run on {kernel} did not complete (exit {p.returncode})")
    return Run(kernel, p.returncode, p.stdout, p.stderr, share)


LINE = re.compile(
    r"^\s*(?P<comm>.+?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+(?:\S+\s+)?"
    r"(?P<ts>\d+\.\d+|\d+):\s+(?P<event>rmap_walk_(?:start|end)):\s+(?P<fields>.*)$")
FIELD = re.compile(r"(\w+)=(\S+)")


def to_ns(ts):
    if "." in ts:
        sec, frac = ts.split(".")
        return int(sec) * 1_000_000_000 + int(frac.ljust(9, "0")[:9])
    return int(ts)


def read_events(dat):
    """rmap events of a trace.dat, as dicts, in the order trace-cmd prints them."""
    p = subprocess.run(["trace-cmd", "report", "-t", "-i", dat],
                       capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"trace-cmd report {dat} failed: {p.stderr.strip()}")
    events = []
    for line in p.stdout.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        ev = dict(FIELD.findall(m.group("fields")))
        ev.update(event=m.group("event"), pid=int(m.group("pid")),
                  cpu=int(m.group("cpu")), ts=to_ns(m.group("ts")),
                  comm=m.group("comm").strip())
        events.append(ev)
    return events


def pair_walks(events):
    """Pair start/end by (rwc, pfn, pid); returns (walks, unmatched_starts, unmatched_ends)."""
    open_walks, walks, lone_ends = {}, [], 0
    for ev in events:
        key = (ev["rwc"], ev["pfn"], ev["pid"])
        if ev["event"] == "rmap_walk_start":
            open_walks[key] = ev
        else:
            st = open_walks.pop(key, None)
            if st is None:
                lone_ends += 1
                continue
            walks.append(dict(kind=st["kind"], purpose=st["purpose"], pfn=int(st["pfn"], 16),
                              mapcount=int(st["mapcount"]), start_cpu=st["cpu"],
                              end_cpu=ev["cpu"], pid=st["pid"], ns=ev["ts"] - st["ts"],
                              visited=int(ev["visited"]), rmap_one=int(ev["rmap_one"])))
    return walks, len(open_walks), lone_ends
