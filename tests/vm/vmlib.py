# SPDX-License-Identifier: GPL-2.0-only
"""Helpers for the VM tests: boot a lab kernel, run a program, read its trace.

The walks of a trace are paired independently of lib/walk/pairing.c, by the
test suite's one reference pairing (tests/cli/tracecmd_walks.py): from
`trace-cmd report` text on the host, so the VM tests check the kernel, not
our own code against itself.
"""

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))
LAB = os.environ.get("RMAPSTAT_LAB", os.path.join(SRC_ROOT, "lab", "lab"))

sys.path.insert(0, os.path.join(SRC_ROOT, "tests", "cli"))
import tracecmd_walks  # noqa: E402


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


def lab_run(kernel, command, carry=(), share=None, timeout=900, mem_per_node=None):
    """Run a shell command in the guest; returns Run. A share given is the
    caller's; one made here lives until the test process ends (its files
    are read after the run), then it is removed."""
    if share is None:
        share = tempfile.mkdtemp(prefix=f"rmapstat-vm-{kernel}-")
        atexit.register(shutil.rmtree, share, True)
    args = [LAB, "run", "--kernel", kernel, "--share", share, "--timeout", str(timeout)]
    if mem_per_node:
        args += ["--mem-per-node", str(mem_per_node)]
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


def trace_walks(dat):
    """The walks of a trace.dat as tests/cli/tracecmd_walks.py pairs them:
    (paired walks, the records of starts and ends without their other half
    or lost). Each walk has the columns of `rmapstat report --csv`."""
    try:
        recs, _, _, _ = tracecmd_walks.expected_walks("trace-cmd", dat)
    except subprocess.CalledProcessError as e:
        fail(f"trace-cmd report {dat} failed (exit {e.returncode})")
    # "nested": a kprobe call inside its outer walk, which is the walk
    walks = [r for r in recs if r["status"] == "ok"]
    unmatched = [r for r in recs if r["status"] not in ("ok", "nested")]
    return walks, unmatched
