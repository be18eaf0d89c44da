#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
mkregressions.py OUTDIR [TRACE_CMD]

Writes the hand-made minimal inputs behind the crashes the fuzzers found
(the fuzzers' own inputs are kept as found under regressions/), each a
small synthetic trace (tests/cli/mktrace.py) with one defect:

  latency-v6.dat, latency-v7.dat
      the data section is "latency" (a latency tracer's file): libtracecmd
      loads it (tracecmd_init_data() returns 1, no per-CPU data) and
      tracecmd_iterate_events_multi() dereferences the missing CPU data.
  page-commit-beyond.dat
      a ring-buffer page whose commit size is 128 MB and whose first event
      is padding 64 MB long: libtraceevent's kbuffer reads 64 MB past the
      page before libtracecmd checks the size.
  page-padding-loop.dat
      padding whose length is -4: kbuffer's __next_event() never advances.
  page-short-event.dat
      a one-word event at the end of a page (no common fields).
  format-symbolic-nofield.dat
      rmap_walk_start's print format has __print_symbolic(REC->kine, ...)
      of a field it does not have: libtraceevent's process_entry()
      dereferences the field it did not find while parsing the format.
  format-op-no-operand.dat
      "REC->mapcount[0]$ (void *)REC->locked" in a print format (the
      fuzzer turned a ',' after an index into '$'): libtraceevent's
      process_op() dereferences the operand it did not get.
  format-field-bracket.dat
      "field:bool lo[\xd1ed;" (a byte the tokenizer does not know after
      '['): libtraceevent's event_read_fields() passes NULL to strcmp().
  format-field-offset.dat
      rmap_walk_start's format puts pfn at offset 2147483000 (the text
      keeps its length: the print format got shorter): the decoder reads
      pfn 2 GB past the record.
  short-record.dat
      an rmap_walk_start record of 8 bytes (common fields only) followed
      by other events: its fields lie past the record (must not be read).
  option-cpustat-empty.dat, option-procmaps-empty.dat, option-cpucount-short.dat
      a CPUSTAT or PROCMAPS option of 0 bytes (libtracecmd writes or reads
      the byte before its buffer: data[size - 1]), a CPUCOUNT option of 2
      bytes (it reads 4).

TRACE_CMD (`trace-cmd`) converts latency-v6.dat to version 7; without it
latency-v7.dat is not written.
"""

import os
import struct
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "cli"))

from mktrace import TracepointScenario  # noqa: E402

PAGE = 4096


def small():
    s = TracepointScenario(cpus=1)
    s.comm(100, "ksm-bench")
    T = 1_000_000_000
    s.walk(T + 100, T + 5_100, 0, 0, 100, 0x1000, 0xffffc90000a1fd00,
           "try_to_migrate_one", 0, 4, 20000, 4)
    s.walk(T + 9_000, T + 10_000, 0, 0, 100, 0x2000, 0xffffc90000a1fc00,
           "folio_referenced_one", 1, 1, 1, 1)
    return s


def first_cpu_page(blob):
    """File offset of CPU 0's first page (version 6: after 'flyrecord\\0')."""
    i = blob.index(b"flyrecord\0") + 10
    off, size = struct.unpack_from("<QQ", blob, i)
    assert size >= PAGE
    return off


def s_start_id():
    return small().start_ev.id


def edit(blob, changes):
    """Replaces, keeping the length: the print format's text absorbs it."""
    out = blob
    for old, new in changes:
        assert out.count(old) >= 1, old
        out = out.replace(old, new, 1)
    pad = b"kind=%s purpose=%ps mapcount=%d"
    short = b"kind=%s p=%ps m=%d"
    diff = len(blob) - len(out)
    assert -diff <= len(pad) - len(short)
    if diff < 0:
        short += b" " * (len(pad) - len(short) + diff)
        out = out.replace(pad, short, 1)
    elif diff > 0:
        out = out.replace(pad, pad + b" " * diff, 1)
    assert len(out) == len(blob)
    return out


def replace_uname(blob, oid, data):
    """The UNAME option becomes option oid with data, then an option
    libtracecmd does not know (it skips it) filling the rest: the length
    and every offset of the file stay."""
    i = blob.index(b"\x05\x00")
    while True:
        size = struct.unpack_from("<I", blob, i + 2)[0]
        if blob[i + 6:i + 6 + 6] == b"Linux " and size > 12 + len(data):
            break
        i = blob.index(b"\x05\x00", i + 1)
    filler = size - len(data) - 6
    new = struct.pack("<HI", oid, len(data)) + data + struct.pack("<HI", 999, filler) + \
        b"\0" * filler
    assert len(new) == 6 + size
    return blob[:i] + new + blob[i + 6 + size:]


def write(path, blob):
    with open(path, "wb") as f:
        f.write(blob)


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    base = os.path.join(out, ".base.dat")
    small().t.write(base)
    with open(base, "rb") as f:
        blob = f.read()
    os.unlink(base)

    i = blob.index(b"flyrecord\0")
    write(os.path.join(out, "latency-v6.dat"), blob[:i] + b"latency  \0" + blob[i + 10:])
    if len(argv) == 3:
        subprocess.run([argv[2], "convert", "-i", os.path.join(out, "latency-v6.dat"),
                        "-o", os.path.join(out, "latency-v7.dat"), "--file-version", "7",
                        "--compression", "none"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    page = first_cpu_page(blob)
    data = page + 16

    b = bytearray(blob)
    struct.pack_into("<Q", b, page + 8, (1 << 27) - 1)		# commit: 128 MB
    struct.pack_into("<II", b, data, 29, 64 << 20)		# padding, 64 MB
    write(os.path.join(out, "page-commit-beyond.dat"), bytes(b))

    b = bytearray(blob)
    struct.pack_into("<II", b, data, 29, 0xfffffffc)		# padding, -4 bytes
    write(os.path.join(out, "page-padding-loop.dat"), bytes(b))

    b = bytearray(blob)
    commit = struct.unpack_from("<Q", b, page + 8)[0] & ((1 << 27) - 1)
    pos, end = data + commit, page + PAGE
    if (end - 8 - pos) % 8:					# 12 bytes of an unknown event
        struct.pack_into("<IHxxI", b, pos, 2, 0, 0)
        pos += 12
    while pos < end - 8:					# 8-byte paddings
        struct.pack_into("<II", b, pos, 29, 4)
        pos += 8
    struct.pack_into("<IHH", b, pos, 1, s_start_id(), 0)	# 4 bytes: type, no pid
    struct.pack_into("<Q", b, page + 8, PAGE - 16)		# commit: the whole page
    write(os.path.join(out, "page-short-event.dat"), bytes(b))

    old = b"__print_symbolic(REC->kind"
    assert blob.count(old) >= 1
    write(os.path.join(out, "format-symbolic-nofield.dat"),
          blob.replace(old, b"__print_symbolic(REC->kine", 1))

    write(os.path.join(out, "format-op-no-operand.dat"),
          edit(blob, [(b"REC->mapcount, REC->locked",
                       b"REC->mapcount[0]$ (void *)REC->locked")]))
    write(os.path.join(out, "format-field-bracket.dat"),
          edit(blob, [(b"field:bool locked;", b"field:bool lo[\xd1ed;")]))

    old = (b"field:unsigned long pfn;\toffset:8;", b"kind=%s purpose=%ps mapcount=%d")
    new = (b"field:unsigned long pfn;\toffset:2147483000;", b"kind=%s p=%ps m=%d")
    new = (new[0], new[1] + b" " * (len(old[0]) + len(old[1]) - len(new[0]) - len(new[1])))
    i = blob.index(old[0])
    j = blob.index(old[1], i)
    write(os.path.join(out, "format-field-offset.dat"),
          blob[:i] + new[0] + blob[i + len(old[0]):j] + new[1] + blob[j + len(old[1]):])

    s = small()
    ts = 1_000_020_000
    ev = s.start_ev.pack(100, {"pfn": 0x3000, "rwc": 0xffffc90000a1fa00,
                               "rmap_one": 0, "kind": 2, "mapcount": 1, "locked": 0})
    s.buf.add(0, ts, ev[:8])
    s.end(ts + 10, 0, 100, 0x4000, 0xffffc90000a1f900, "try_to_unmap_one", 2, 1, 1)
    s.t.write(os.path.join(out, "short-record.dat"))

    write(os.path.join(out, "option-cpustat-empty.dat"), replace_uname(blob, 2, b""))
    write(os.path.join(out, "option-procmaps-empty.dat"), replace_uname(blob, 10, b""))
    write(os.path.join(out, "option-cpucount-short.dat"), replace_uname(blob, 8, b"\x02\x00"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
