# SPDX-License-Identifier: GPL-2.0-only
"""Shared helpers of the rmapstat benchmarks (tests/bench).

Every benchmark prints the machine it ran on (machine_lines), measures the
things it compares side by side in one run, and prints ratios together with
the absolute values they come from.
"""

import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_ROOT = os.path.dirname(os.path.dirname(HERE))
LAB = os.path.join(SRC_ROOT, "lab", "lab")
CACHE = os.environ.get("RMAPSTAT_CACHE", "/var/cache/rmapstat")
BENCH_CACHE = os.path.join(CACHE, "bench")


class BenchError(Exception):
    """A benchmark cannot run or its data is unusable: one line for the user."""


def die(msg):
    print(f"{os.path.basename(sys.argv[0])}: {msg}", file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------- machine

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def mem_total_mib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def machine_lines(extra=()):
    """The machine block every benchmark prints first."""
    now = utc_now()
    lines = [
        f"machine: {cpu_model()}, {os.cpu_count()} cores, {mem_total_mib()} MiB",
        f"kernel:  {platform.system()} {platform.release()} {platform.machine()}",
        f"date:    {now}",
        f"load:    {loadavg()} (1/5/15 min, at start)",
    ]
    lines.extend(extra)
    return lines


def print_machine(title, extra=()):
    print(f"== {title}")
    for line in machine_lines(extra):
        print(line)
    sys.stdout.flush()


# ---------------------------------------------------------------- build

def build_dir(arg):
    """The meson build dir: --build, $RMAPSTAT_BUILD or ./build of the tree."""
    d = arg or os.environ.get("RMAPSTAT_BUILD") or os.path.join(SRC_ROOT, "build")
    d = os.path.abspath(d)
    if not os.path.isfile(os.path.join(d, "build.ninja")):
        raise BenchError(f"{d} is not a meson build dir: run `meson setup {d} "
                         f"{SRC_ROOT} && ninja -C {d}`, or pass --build DIR")
    return d


def build_file(build, *parts):
    p = os.path.join(build, *parts)
    if not os.path.exists(p):
        raise BenchError(f"{p} is missing: run `ninja -C {build}`")
    return p


def idle_walks_binary(build):
    """idle-walks from the meson build, or compiled into the bench cache."""
    p = os.path.join(build, "tests", "bench", "idle-walks")
    if os.path.exists(p):
        return p
    src = os.path.join(HERE, "progs", "idle-walks.c")
    out = os.path.join(BENCH_CACHE, "idle-walks")
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src):
        return out
    cc = os.environ.get("CC", "cc")
    os.makedirs(BENCH_CACHE, exist_ok=True)
    print(f"{os.path.basename(sys.argv[0])}: {p} not built (tests/bench not in the build): "
          f"compiling {out}", file=sys.stderr)
    r = subprocess.run([cc, "-O2", "-std=gnu11", "-Wall", "-o", out, src],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError(f"cannot compile {src}: {r.stderr.strip()}")
    return out


# ---------------------------------------------------------------- statistics

def median(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    """(min, max) of a sample."""
    return (min(xs), max(xs)) if xs else (float("nan"), float("nan"))


def quantile(xs, q):
    """Nearest-rank quantile, q in [0, 1]."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = max(1, int(-(-q * len(s) // 1)))  # ceil(q * n), at least 1
    return s[min(k, len(s)) - 1]


# ---------------------------------------------------------------- measuring

class Sample:
    """One run of a program: wall time, CPU time and memory."""

    def __init__(self, wall, user, sys_, maxrss_kib, peak_anon_kib, peak_file_kib, rc):
        self.wall, self.user, self.sys = wall, user, sys_
        self.maxrss_kib = maxrss_kib
        self.peak_anon_kib, self.peak_file_kib = peak_anon_kib, peak_file_kib
        self.rc = rc


def _status_kib(pid, keys):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k = line.split(":", 1)[0]
                if k in keys:
                    out[k] = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return out


GNU_TIME = "/usr/bin/time"


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return []


def measure(argv, env=None, stdout=subprocess.DEVNULL, poll=0.005):
    """Runs argv once under GNU time: wall time, CPU time and peak RSS.

    The peak RSS is GNU time's %M (ru_maxrss of its child): measured on our
    own child it would include the Python process it was forked from. The
    peaks of RssAnon and RssFile are sampled from /proc every `poll` s."""
    if not os.access(GNU_TIME, os.X_OK):
        raise BenchError(f"{GNU_TIME} is missing: apt-get install time")
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    with tempfile.NamedTemporaryFile("r", prefix="bench-time-") as tf:
        t0 = time.monotonic()
        p = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", tf.name] + list(argv),
                             stdout=stdout, stderr=subprocess.PIPE, env=full_env)
        peak = {"RssAnon": 0, "RssFile": 0}
        done = threading.Event()

        def sampler():
            target = None
            while not done.is_set():
                if target is None:
                    kids = _children(p.pid)
                    target = kids[0] if kids else None
                if target is not None:
                    st = _status_kib(target, ("RssAnon", "RssFile"))
                    for k, v in st.items():
                        peak[k] = max(peak[k], v)
                done.wait(poll)

        th = threading.Thread(target=sampler, daemon=True)
        th.start()
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        done.set()
        th.join()
        rc = os.waitstatus_to_exitcode(status)
        if rc != 0:
            raise BenchError(f"{' '.join(argv)} failed (exit {rc}): "
                             f"{err.decode(errors='replace').strip()[-300:]}")
        try:
            maxrss = int(tf.read().strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise BenchError(f"{GNU_TIME} gave no peak RSS for {' '.join(argv)}")
    # ru of GNU time includes its waited-for child (the measured program)
    return Sample(wall, ru.ru_utime, ru.ru_stime, maxrss,
                  peak["RssAnon"], peak["RssFile"], rc)


# ---------------------------------------------------------------- lab

def lab_available():
    """None if lab/lab can boot guests here, else the reason."""
    for tool in ("qemu-system-x86_64", "trace-cmd"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (run scripts/install-deps as root)"
    if not os.path.exists("/usr/src/linux-source-6.12.tar.xz") and \
            not os.path.isdir(os.path.join(CACHE, "src", "linux-source-6.12")):
        return "linux-source-6.12 is not installed (apt-get install linux-source-6.12)"
    return None


def lab_run(kernel, command, carry=(), share=None, timeout=1800, mem_per_node=None):
    """Runs a shell command in a guest of `kernel`; returns (stdout, stderr).
    Fails unless it exits 0."""
    args = [LAB, "run", "--kernel", kernel, "--timeout", str(timeout)]
    if share:
        args += ["--share", share]
    if mem_per_node:
        args += ["--mem-per-node", str(mem_per_node)]
    for c in carry:
        args += ["--carry", c]
    args += ["--", "sh", "-c", command]
    print(f"+ lab/lab run --kernel {kernel} ... -- sh -c '{command}'",
          file=sys.stderr, flush=True)
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout + 300)
    if p.returncode != 0:
        raise BenchError(f"lab run on {kernel} failed (exit {p.returncode}):\n"
                         f"{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    return p.stdout, p.stderr


def lab_kernel_dir(kernel):
    """The cached build dir of a lab kernel (bzImage, config), building it if needed."""
    p = subprocess.run([LAB, "path", kernel], capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"lab/lab path {kernel} failed: {p.stderr.strip()[-500:]}")
    return os.path.dirname(p.stdout.strip())


def make_share(prefix):
    os.makedirs(BENCH_CACHE, exist_ok=True)
    return tempfile.mkdtemp(prefix=prefix, dir=BENCH_CACHE)


# ---------------------------------------------------------------- rmapstat

def report_json(rmapstat, files):
    p = subprocess.run([rmapstat, "report", "--json"] + list(files),
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"rmapstat report --json {' '.join(files)} failed "
                         f"(exit {p.returncode}): {p.stderr.strip()}")
    return json.loads(p.stdout)


def kv_lines(text):
    """key=value lines of a guest program's output."""
    out = {}
    for line in text.splitlines():
        if "=" in line and " " not in line.split("=", 1)[0]:
            k, v = line.strip().split("=", 1)
            out[k] = v
    return out


def fmt_table(headers, rows, align=None):
    """Plain text table, right-aligned numbers, left-aligned first column."""
    cols = len(headers)
    width = [len(h) for h in headers]
    for r in rows:
        for i in range(cols):
            width[i] = max(width[i], len(str(r[i])))
    out = []
    for r in [headers] + rows:
        cells = []
        for i in range(cols):
            s = str(r[i])
            left = (align[i] == "l") if align else i == 0
            cells.append(s.ljust(width[i]) if left else s.rjust(width[i]))
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)
