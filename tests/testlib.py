# SPDX-License-Identifier: GPL-2.0-only
"""
What the test scripts share: checks that count their failures (a test
reports every failure it finds, then exits 1), running a command with its
output captured, skipping, and writing a synthetic trace with
tests/cli/mktrace.py.

A script imports it from the tests folder:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import testlib as tl
"""

import os
import subprocess
import sys

SKIP = 77		# meson's exit status for a skipped test

failures = 0		# checks that failed so far
runs = 0		# commands run() ran so far
show_ok = False		# check() also prints the checks that pass


def fail(what):
    global failures
    failures += 1
    print("FAIL: " + what, flush=True)


def check(cond, what):
    """Counts a failure when cond is false; returns cond."""
    if not cond:
        fail(what)
    elif show_ok:
        print("ok   " + what, flush=True)
    return cond


def skip(reason):
    print("SKIP: " + reason, flush=True)
    sys.exit(SKIP)


def status():
    """The exit status of the test: 1 when a check failed."""
    return 1 if failures else 0


def run(cmd, stdin=None, env=None, cwd=None, timeout=None, text=False):
    """(exit status, stdout, stderr) of cmd, or (None, empty, empty) when it
    ran past timeout seconds (killed). text: stdout decoded as strict
    UTF-8 (rmapstat writes nothing else), stderr with undecodable bytes
    replaced."""
    global runs
    runs += 1
    try:
        p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, cwd=cwd, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "" if text else b"", "" if text else b""
    if text:
        return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")
    return p.returncode, p.stdout, p.stderr


def mktrace(mktrace_py, scenario, path, truth=None):
    """Writes mktrace.py's scenario to path (and what it put in, as JSON, to
    truth); returns path."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    subprocess.run([sys.executable, mktrace_py, scenario, path] + ([truth] if truth else []),
                   check=True, env=env)
    return path
