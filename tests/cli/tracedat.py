# SPDX-License-Identifier: GPL-2.0-only
"""
Write trace-cmd data files (file format version 6) from Python.

Used by the tests to make synthetic trace.dat files whose content is known
exactly: events with chosen timestamps on chosen CPUs, lost-event markers,
instance buffers (trace-cmd record -B), kallsyms for %ps. The layout is the
one libtracecmd reads (lib/trace-cmd/trace-input.c, read_headers_v6,
read_cpu_data, handle_buffer_option) and the ring-buffer sub-buffer format
libtraceevent's kbuffer parses (8-byte page timestamp, 8-byte commit with
the MISSING_EVENTS / MISSING_STORED flags, 32-bit event headers with a
5-bit type_len and 27-bit time delta, time-extend events for larger gaps).

Nothing here knows about rmap walks; see mktrace.py for the scenarios.
"""

import os
import struct

PAGE_SIZE = 4096
PAGE_HEADER = 16			# u64 timestamp + local_t commit (long 8)
PAGE_DATA = PAGE_SIZE - PAGE_HEADER
MISSING_EVENTS = 1 << 31
MISSING_STORED = 1 << 30
TYPE_TIME_EXTEND = 30
DELTA_BITS = 27
DELTA_MAX = (1 << DELTA_BITS) - 1

OPTION_DONE = 0
OPTION_CPUSTAT = 2
OPTION_BUFFER = 3
OPTION_TRACECLOCK = 4
OPTION_UNAME = 5
OPTION_VERSION = 9


def _kernel_text(name):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "formats", name)) as f:
        return f.read()


# The ring buffer's own formats, as tracefs prints them (events/header_page
# and events/header_event) and trace-cmd stores them.
HEADER_PAGE = _kernel_text("header_page")
HEADER_EVENT = _kernel_text("header_event")

COMMON_FIELDS = [
    ("unsigned short", "common_type", 2, False),
    ("unsigned char", "common_flags", 1, False),
    ("unsigned char", "common_preempt_count", 1, False),
    ("int", "common_pid", 4, True),
]

_PACK = {1: "B", 2: "H", 4: "I", 8: "Q"}
_SPACK = {1: "b", 2: "h", 4: "i", 8: "q"}


class Event:
    """An event format: fields are (type, name, size, signed) after the
    common fields, laid out like the kernel does (natural alignment)."""

    def __init__(self, system, name, eid, fields, print_fmt, first_offset=8):
        self.system = system
        self.name = name
        self.id = eid
        self.print_fmt = print_fmt
        self.fields = []
        off = 0
        for ftype, fname, size, signed in COMMON_FIELDS:
            self.fields.append((ftype, fname, off, size, signed))
            off += size
        off = first_offset
        for ftype, fname, size, signed in fields:
            align = 1 if "[" in fname else min(size, 8)
            off = (off + align - 1) // align * align
            self.fields.append((ftype, fname, off, size, signed))
            off += size
        self.size = off

    def format_text(self):
        lines = ["name: %s" % self.name, "ID: %d" % self.id, "format:"]
        for i, (ftype, fname, off, size, signed) in enumerate(self.fields):
            if i == len(COMMON_FIELDS):
                lines.append("")
            lines.append("\tfield:%s %s;\toffset:%d;\tsize:%d;\tsigned:%d;"
                         % (ftype, fname, off, size, 1 if signed else 0))
        lines.append("")
        lines.append("print fmt: %s" % self.print_fmt)
        return "\n".join(lines) + "\n"

    def pack(self, pid, values, flags=0, preempt=0):
        buf = bytearray(self.size)
        vals = dict(values)
        vals["common_type"] = self.id
        vals["common_flags"] = flags
        vals["common_preempt_count"] = preempt
        vals["common_pid"] = pid
        for ftype, fname, off, size, signed in self.fields:
            v = vals.pop(fname.split("[")[0], 0)
            if "[" in fname:
                raw = v.encode() if isinstance(v, str) else bytes(v or b"")
                buf[off:off + size] = raw[:size].ljust(size, b"\0")
            elif signed:
                struct.pack_into("<" + _SPACK[size], buf, off, v)
            else:
                struct.pack_into("<" + _PACK[size], buf, off, v & ((1 << (8 * size)) - 1))
        if vals:
            raise ValueError("%s: unknown fields %s" % (self.name, sorted(vals)))
        return bytes(buf)


class Buffer:
    """One ring buffer (the top one or a -B instance): records per CPU."""

    def __init__(self, name, cpus):
        self.name = name
        self.cpus = cpus
        self.records = [[] for _ in range(cpus)]	# (ts, seq, payload) or (ts, seq, None, lost)
        self.seq = 0

    def add(self, cpu, ts, payload):
        self.seq += 1
        self.records[cpu].append((ts, self.seq, payload, 0))

    def lost(self, cpu, ts, count):
        """The next record on cpu after ts starts a sub-buffer that says
        `count` events were lost before it (-1: lost, count unknown)."""
        self.seq += 1
        self.records[cpu].append((ts, self.seq, None, count))


def _event_bytes(delta, payload):
    out = bytearray()
    if delta > DELTA_MAX:
        out += struct.pack("<II", TYPE_TIME_EXTEND | ((delta & DELTA_MAX) << 5),
                           delta >> DELTA_BITS)
        delta = 0
    length = (len(payload) + 3) // 4 * 4
    data = payload + b"\0" * (length - len(payload))
    if length <= 28 * 4:
        out += struct.pack("<I", (length // 4) | (delta << 5)) + data
    else:
        out += struct.pack("<II", 0 | (delta << 5), length + 4) + data
    return bytes(out)


def _pages(records):
    """Pack (ts, seq, payload, lost) records of one CPU into sub-buffers."""
    pages = []
    page = None
    last_ts = 0
    pending_lost = 0

    def close():
        nonlocal page
        if page is None:
            return
        ts0, data, lost = page
        commit = len(data)
        tail = b""
        if lost:
            commit |= MISSING_EVENTS
            if lost > 0:
                commit |= MISSING_STORED
                tail = struct.pack("<q", lost)
        raw = struct.pack("<QQ", ts0, commit) + data + tail
        pages.append(raw + b"\0" * (PAGE_SIZE - len(raw)))
        page = None

    for ts, _seq, payload, lost in sorted(records, key=lambda r: (r[0], r[1])):
        if payload is None:
            pending_lost = lost if pending_lost == 0 else (
                -1 if lost < 0 or pending_lost < 0 else pending_lost + lost)
            close()
            continue
        if page is not None:
            ev = _event_bytes(ts - last_ts, payload)
            if len(page[1]) + len(ev) + 8 > PAGE_DATA:
                close()
        if page is None:
            page = (ts, bytearray(), pending_lost)
            pending_lost = 0
            last_ts = ts
        ev = _event_bytes(ts - last_ts, payload)
        page[1].extend(ev)
        last_ts = ts
    close()
    return pages


class TraceDat:
    def __init__(self, cpus=2, clock="mono", uname="Linux lab 6.12.117 #1 SMP x86_64",
                 version="3.1.6"):
        self.cpus = cpus
        self.clock = clock
        self.uname = uname
        self.version = version
        self.events = []		# Event
        self.kallsyms = []		# (addr, type, name)
        self.cmdlines = {}		# pid -> comm
        self.buffers = [Buffer("", cpus)]
        self.cpustats = None		# list of per-cpu dicts or None

    def add_event(self, event):
        self.events.append(event)
        return event

    def buffer(self, name=""):
        for b in self.buffers:
            if b.name == name:
                return b
        b = Buffer(name, self.cpus)
        self.buffers.append(b)
        return b

    def _systems(self):
        systems = {}
        for ev in self.events:
            systems.setdefault(ev.system, []).append(ev)
        return systems

    def _head(self, buffer_offsets):
        out = bytearray(b"\x17\x08\x44tracing" + b"6\0")
        out += struct.pack("<BBI", 0, 8, PAGE_SIZE)
        hp = HEADER_PAGE.encode()
        out += b"header_page\0" + struct.pack("<Q", len(hp)) + hp
        he = HEADER_EVENT.encode()
        out += b"header_event\0" + struct.pack("<Q", len(he)) + he
        # the ftrace events (system "ftrace": raw_data ...) have a section of their own
        ftrace = [ev for ev in self.events if ev.system == "ftrace"]
        out += struct.pack("<I", len(ftrace))
        for ev in ftrace:
            t = ev.format_text().encode()
            out += struct.pack("<Q", len(t)) + t
        systems = self._systems()
        systems.pop("ftrace", None)
        out += struct.pack("<I", len(systems))
        for sysname, evs in systems.items():
            out += sysname.encode() + b"\0" + struct.pack("<I", len(evs))
            for ev in evs:
                t = ev.format_text().encode()
                out += struct.pack("<Q", len(t)) + t
        ks = "".join("%016x %s %s\n" % s for s in self.kallsyms).encode()
        out += struct.pack("<I", len(ks)) + ks
        out += struct.pack("<I", 0)				# printk formats
        cl = "".join("%d %s\n" % (p, c) for p, c in sorted(self.cmdlines.items())).encode()
        out += struct.pack("<Q", len(cl)) + cl
        out += struct.pack("<I", self.cpus)
        out += b"options  \0"

        def opt(oid, data):
            return struct.pack("<HI", oid, len(data)) + data

        # trace-cmd writes it empty; one NUL keeps libtracecmd from reading past
        # a 0-byte buffer (tracecmd_parse_trace_clock on malloc(0))
        out += opt(OPTION_TRACECLOCK, b"\0")
        if self.uname:
            out += opt(OPTION_UNAME, self.uname.encode() + b"\0")
        if self.version:
            out += opt(OPTION_VERSION, self.version.encode() + b"\0")
        if self.cpustats:
            for cpu, st in enumerate(self.cpustats):
                text = "CPU: %d\n" % cpu + "".join("%s: %s\n" % kv for kv in st.items())
                out += opt(OPTION_CPUSTAT, text.encode() + b"\0")
        for b in self.buffers[1:]:
            out += opt(OPTION_BUFFER, struct.pack("<Q", buffer_offsets.get(b.name, 0))
                       + b.name.encode() + b"\0")
        out += struct.pack("<H", OPTION_DONE)
        return out

    def _clock_text(self):
        names = ["local", "global", "counter", "uptime", "perf", "mono", "mono_raw",
                 "boot", "tai", "x86-tsc"]
        return " ".join("[%s]" % n if n == self.clock else n for n in names).encode()

    def _flyrecord(self, start, pages_per_cpu):
        """flyrecord section at file offset start; returns (bytes, data_end)"""
        clock = self._clock_text()
        head_len = 10 + 16 * self.cpus + 8 + len(clock)
        data_off = (start + head_len + PAGE_SIZE - 1) // PAGE_SIZE * PAGE_SIZE
        out = bytearray(b"flyrecord\0")
        off = data_off
        for pages in pages_per_cpu:
            size = len(pages) * PAGE_SIZE
            out += struct.pack("<QQ", off if size else 0, size)
            off += size
        out += struct.pack("<Q", len(clock)) + clock
        out += b"\0" * (data_off - start - len(out))
        for pages in pages_per_cpu:
            for p in pages:
                out += p
        return bytes(out)

    def write(self, path):
        pages = [[_pages(recs) for recs in b.records] for b in self.buffers]
        offsets = {b.name: 0 for b in self.buffers[1:]}
        # The head's size does not depend on the offset values: lay out twice.
        for _ in range(2):
            head = self._head(offsets)
            blob = bytearray(head)
            blob += self._flyrecord(len(blob), pages[0])
            for b, p in zip(self.buffers[1:], pages[1:]):
                offsets[b.name] = len(blob)
                blob += self._flyrecord(len(blob), p)
        with open(path, "wb") as f:
            f.write(blob)
