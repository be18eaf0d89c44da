#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
shrink-trace.py IN.dat OUT.dat [REGEX]

Makes a small fuzzing seed of a recorded trace.dat: the events, formats
and ring-buffer pages stay as recorded; kallsyms (1.5 MB of a lab kernel)
keeps only the symbols matching REGEX (default: the rmap walk purposes and
their neighbours), plus the symbol after each, so %ps lookups still end
where they did.

IN.dat must be a trace-cmd file of version 6 (`trace-cmd convert
--file-version 6 -i lab.dat -o IN.dat`; convert OUT.dat back to version 7
with --file-version 7 [--compression none|zstd]). The kallsyms block
shrinks by whole pages, so every absolute offset after it (BUFFER options,
flyrecord CPU data) moves by the same page multiple and stays aligned.
Layout as in lib/tracedat/trace_check.c.
"""

import re
import struct
import sys

DEFAULT_KEEP = r"(_one|rmap_walk\w*|ksm\w*|migrat\w*|page_idle\w*)$"


class Reader:
    def __init__(self, data):
        self.d = data
        self.pos = 0
        self.endian = "<"

    def take(self, n):
        if self.pos + n > len(self.d):
            raise ValueError("truncated at %d" % self.pos)
        b = self.d[self.pos:self.pos + n]
        self.pos += n
        return b

    def num(self, n):
        return struct.unpack(self.endian + {1: "B", 2: "H", 4: "I", 8: "Q"}[n], self.take(n))[0]

    def string(self):
        end = self.d.index(b"\0", self.pos)
        s = self.d[self.pos:end]
        self.pos = end + 1
        return s


def shrink(data, keep):
    r = Reader(data)
    if r.take(10) != b"\x17\x08\x44tracing" or r.take(2) != b"6\0":
        raise ValueError("not a version 6 trace-cmd file")
    if r.num(1):
        r.endian = ">"
    r.take(1)
    page = r.num(4)
    for tag in (b"header_page\0", b"header_event\0"):
        if r.take(len(tag)) != tag:
            raise ValueError("no %r" % tag)
        r.take(r.num(8))
    for _ in range(r.num(4)):
        r.take(r.num(8))
    for _ in range(r.num(4)):
        r.string()
        for _ in range(r.num(4)):
            r.take(r.num(8))
    ks_at = r.pos
    ks_len = r.num(4)
    ks = r.take(ks_len)
    after_ks = r.pos

    lines = ks.split(b"\n")
    keep_re = re.compile(keep.encode())
    chosen = set()
    for i, line in enumerate(lines):
        parts = line.split()
        if len(parts) >= 3 and keep_re.search(parts[2]):
            chosen.update((i, i + 1))
    new_ks = b"\n".join(lines[i] for i in sorted(chosen) if i < len(lines)) + b"\n"
    delta = (ks_len - len(new_ks)) // page * page
    if delta <= 0:
        return data
    new_ks += b"\n" * (ks_len - delta - len(new_ks))

    r.take(r.num(4))			# printk formats
    r.take(r.num(8))			# cmdlines
    cpus = r.num(4)
    fixups = []				# positions of absolute 8-byte offsets

    def fly(pos):
        r.pos = pos
        if r.take(10) != b"flyrecord\0":
            raise ValueError("no flyrecord at %d" % pos)
        for _ in range(cpus):
            fixups.append(r.pos)
            r.take(16)

    tag = r.take(10)
    buffers = []
    if tag.startswith(b"options"):
        while True:
            oid = r.num(2)
            if oid == 0:
                break
            size = r.num(4)
            start = r.pos
            if oid == 3:		# BUFFER: offset(8) name
                fixups.append(start)
                buffers.append(r.num(8))
            r.pos = start + size
        tag = r.take(10)
    if tag != b"flyrecord\0":
        raise ValueError("no flyrecord section")
    fly(r.pos - 10)
    for off in buffers:
        fly(off)

    out = bytearray(data[:ks_at] + struct.pack(r.endian + "I", len(new_ks)) + new_ks +
                    data[after_ks:])
    shift = -delta
    for pos in fixups:
        p = pos + shift
        (v,) = struct.unpack_from(r.endian + "Q", out, p)
        if v >= after_ks:
            struct.pack_into(r.endian + "Q", out, p, v + shift)
    return bytes(out)


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()
    out = shrink(data, argv[3] if len(argv) == 4 else DEFAULT_KEEP)
    with open(argv[2], "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
