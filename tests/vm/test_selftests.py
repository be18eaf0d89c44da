#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM test: the kernel's own mm selftests on every lab kernel.

  test_selftests.py [KERNEL...]   default: every kernel of lab/kernels

`lab/lab selftests` builds the selftests of lab/lib/selftests.sh (today
upstream's mm/rmap of the 7.3 tree and mm/ksm_functional_tests of the 6.12
tree, each from its tree's kernel with every patch) as static binaries, or
finds them in its cache. Each kernel is booted once and runs all of them,
each in a folder of its own in /root (a tmpfs: rmap's migrate.file needs
shared writable mmap; ksm_functional_tests execs ./ksm_functional_tests),
after a 64 MiB zram swap device is set up (cases that page out need swap).

The TAP output is read into per-case results: pass (`ok`), fail (`not ok`),
skip (`ok ... # SKIP`), none (the case began and printed no result). A case
begins with its RUN line, `# [RUN] NAME` (ksft_print_msg) or the harness's
`#  RUN NAME ...`, and is named by it (blanks in NAME become `_`); a result belongs to the latest case
begun and still without one (a forked child's cases begin and end within
its parent's); a result outside every case is named by its TAP
description. A name reported more than once gets the worst of its results
(fail, none, skip, pass). One more case per binary, `(tap)`, passes
when the binary ran to its end: exit status 0, 1 or 4 (kselftest's pass,
fail, skip), a plan 1..N and each of the N results once, in order.

tests/vm/selftests-expected.txt says what each case must give on each
kernel; a case no line matches must pass, and a case a line names that a
binary does not have is not checked. The test fails on any difference, an
expected failure that passes included, and prints each differing case's
lines.
"""

import fnmatch
import os
import re
import subprocess
import sys
import time

from vmlib import HERE, LAB, fail, lab_run, require_lab

EXPECTED = os.path.join(HERE, "selftests-expected.txt")
RESULTS = ("pass", "fail", "skip", "none")
# worst first: what a case reported more than once gets
WORST = ("fail", "none", "skip", "pass")
# kselftest's exit statuses: KSFT_PASS, KSFT_FAIL, KSFT_SKIP
KSFT_EXIT = (0, 1, 4)
MARK = "rmapstat-selftest:"
# the guest's time limit of one binary (its cases take seconds to a minute)
BINARY_TIMEOUT = 900

RUN_LINE = re.compile(r"^#\s+(?:\[RUN\]|RUN)\s+(.*?)(?:\s+\.\.\.)?\s*$")
# a RUN line glued to the end of a result line
GLUED_RUN = re.compile(r"#\s+(?:\[RUN\]|RUN)\s")
RESULT_LINE = re.compile(r"^(not )?ok (\d+)(?:\s+(.*))?$")
PLAN_LINE = re.compile(r"^1\.\.(\d+)\s*$")


def load_expected(path=EXPECTED):
    """The rules of the expected-results file: (binary, case glob, kernel
    glob, result, line number), in file order."""
    rules = []
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            words = raw.split("#", 1)[0].split()
            if not words:
                continue
            if len(words) != 4 or words[3] not in RESULTS:
                fail(f"{path}:{n}: expected BINARY CASE KERNELS RESULT "
                     f"({'|'.join(RESULTS)}), not: {raw.strip()}")
            rules.append((*words, n))
    return rules


def expected(rules, binary, case, kernel):
    """The result the last matching rule gives, "pass" when none matches."""
    want = "pass"
    for b, c, k, result, _ in rules:
        if b == binary and fnmatch.fnmatchcase(case, c) and fnmatch.fnmatchcase(kernel, k):
            want = result
    return want


class Case:
    def __init__(self, name):
        self.name, self.results, self.lines = name, [], []

    def add(self, result, lines):
        self.results.append(result)
        self.lines += lines

    @property
    def result(self):
        return min(self.results, key=WORST.index)


def unglue(lines):
    """The lines, a result line that ends in the next case's RUN line split
    in two: a result message printed without its newline (6.12's
    ksm_functional_tests: "Merging memory skipped") glues them."""
    for line in lines:
        m = GLUED_RUN.search(line, 1)
        if m and RESULT_LINE.match(line[:m.start()]):
            yield line[:m.start()]
            yield line[m.start():]
        else:
            yield line


def parse_tap(lines, status):
    """Cases of one binary's output (its lines and exit status), in order,
    the (tap) case last."""
    cases = {}
    plan, numbers, problems = None, [], []
    # the cases begun and still without a result, the latest last, with
    # their lines; lines before any case
    open_cases, loose = [], []

    def add(name, result, lines):
        cases.setdefault(name, Case(name)).add(result, lines)

    for line in unglue(lines):
        m = RUN_LINE.match(line)
        if m:
            name = re.sub(r"\s+", "_", m.group(1))
            open_cases.append((name, [line]))
            cases.setdefault(name, Case(name))  # in the order they begin
            continue
        m = RESULT_LINE.match(line)
        if m:
            desc, _, directive = (m.group(3) or "").partition("#")
            if directive.strip().upper().startswith("SKIP"):
                result = "skip"
            else:
                result = "fail" if m.group(1) else "pass"
            if open_cases:
                name, before = open_cases.pop()
            else:
                name = re.sub(r"\s+", "_", desc.strip()) or f"test{m.group(2)}"
                before, loose = loose, []
            add(name, result, before + [line])
            numbers.append(int(m.group(2)))
            continue
        m = PLAN_LINE.match(line)
        if m and plan is None:
            plan = int(m.group(1))
        (open_cases[-1][1] if open_cases else loose).append(line)
    for name, before in open_cases:
        add(name, "none", before)

    if status is None:
        problems.append("the binary did not finish (no exit status)")
    elif status not in KSFT_EXIT:
        problems.append(f"exit status {status} (kselftest exits 0, 1 or 4)")
    if plan is None:
        problems.append("no TAP plan (1..N)")
    elif numbers != list(range(1, plan + 1)):
        seen = {}
        for n in numbers:
            seen[n] = seen.get(n, 0) + 1
        twice = sorted(n for n, c in seen.items() if c > 1)
        missing = sorted(set(range(1, plan + 1)) - set(seen))
        problems.append(f"plan 1..{plan}, results numbered {' '.join(map(str, numbers))}"
                        + (f"; reported more than once: {twice}" if twice else "")
                        + (f"; missing: {missing}" if missing else ""))
    tap = Case("(tap)")
    tap.add("fail" if problems else "pass",
            [f"(tap): {p}" for p in problems] + (list(lines) if problems else []))
    return list(cases.values()) + [tap]


def lab_kernels():
    """The names of lab/kernels (not their aliases), in table order."""
    p = subprocess.run([LAB, "list"], capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"lab/lab list failed (exit {p.returncode}):\n{p.stderr}")
    return [line.split()[0] for line in p.stdout.splitlines() if line.strip()]


def build_selftests():
    """The binaries `lab/lab selftests` prints (it builds what it misses)."""
    args = [LAB, "selftests"]
    print("+ " + " ".join(args), flush=True)
    t0 = time.monotonic()
    p = subprocess.run(args, stdout=subprocess.PIPE, text=True, timeout=3600)
    if p.returncode != 0:
        fail(f"lab/lab selftests failed (exit {p.returncode}); its messages are above")
    paths = [line for line in p.stdout.splitlines() if line.strip()]
    for b in paths:
        if not os.access(b, os.X_OK):
            fail(f"lab/lab selftests printed {b}, which is no executable")
    print(f"selftests ({time.monotonic() - t0:.0f} s): {' '.join(paths)}", flush=True)
    return paths


def guest_script(names):
    """The shell line of one boot: zram swap, then every binary in its own
    folder of /root, between markers that carry its exit status."""
    swap = ("echo 64M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && "
            f"swapon /dev/zram0 && echo '{MARK} swap' || echo '{MARK} no swap'")
    runs = "".join(
        f"; mkdir -p /root/{b} && cd /root/{b} && ln -s /usr/bin/{b} . && "
        f"echo '{MARK} begin {b}' && timeout {BINARY_TIMEOUT} ./{b} 2>&1; "
        f"echo \"{MARK} end {b} $?\""
        for b in names)
    return swap + runs


def split_runs(stdout, names):
    """Per binary name: (its output lines, its exit status or None)."""
    out, cur = {}, None
    for line in stdout.splitlines():
        if line.startswith(MARK):
            words = line[len(MARK):].split()
            if words[:1] == ["begin"]:
                cur = words[1]
                out[cur] = ([], None)
            elif words[:1] == ["end"] and cur == words[1]:
                out[cur] = (out[cur][0], int(words[2]))
                cur = None
            continue
        if cur is not None:
            out[cur][0].append(line)
    for b in names:
        if b not in out:
            fail(f"{b} did not run in the guest (no '{MARK} begin {b}' line)")
    return out


def main():
    require_lab()
    rules = load_expected()
    kernels = sys.argv[1:] or lab_kernels()
    t0 = time.monotonic()
    binaries = build_selftests()
    names = [os.path.basename(b) for b in binaries]
    table, diffs = [], []
    for kernel in kernels:
        tk = time.monotonic()
        run = lab_run(kernel, guest_script(names), carry=binaries,
                      timeout=BINARY_TIMEOUT * len(names) + 300)
        if f"{MARK} swap" not in run.stdout.splitlines():
            fail(f"{kernel}: no zram swap device in the guest (see its output above)")
        runs = split_runs(run.stdout, names)
        for b in names:
            lines, status = runs[b]
            for case in parse_tap(lines, status):
                want = expected(rules, b, case.name, kernel)
                table.append((kernel, b, case.name, case.result, want))
                if case.result != want:
                    diffs.append((kernel, b, case, want))
        print(f"{kernel}: booted and ran {' '.join(names)} in {time.monotonic() - tk:.0f} s",
              flush=True)

    width = max(len(c) for _, _, c, _, _ in table)
    print(f"\n{'kernel':12} {'binary':22} {'case':{width}} result")
    for kernel, b, case, got, want in table:
        note = "" if got == want else f"   <- expected {want}"
        print(f"{kernel:12} {b:22} {case:{width}} {got}{note}")
    print(f"total {time.monotonic() - t0:.0f} s for {len(kernels)} kernels", flush=True)
    if diffs:
        for kernel, b, case, want in diffs:
            print(f"\n{kernel}: {b} {case.name}: expected {want}, got {case.result}")
            print("\n".join("    " + line for line in case.lines))
        fail(f"{len(diffs)} selftest case(s) differ from {os.path.basename(EXPECTED)}: "
             + ", ".join(f"{k} {b} {c.name} (expected {w}, got {c.result})"
                         for k, b, c, w in diffs))
    print("PASS")


if __name__ == "__main__":
    main()
