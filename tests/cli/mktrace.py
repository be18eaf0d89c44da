#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
mktrace.py SCENARIO OUT.dat [TRUTH.json]

Writes a synthetic trace.dat holding rmap walk events exactly as the
patched kernel (kernel/patches/6.12/0001) or the kprobe fallback of
`rmapstat record` would record them, and optionally a JSON file with what
the generator put in (the walks, unmatched events and lost markers). The
scenarios cover what the pairing must get right: walks interleaved on two
CPUs, a task migrating between start and end, nested walks of one task,
starts without end, ends without start, a start superseded by another
start with the same key, lost events, instance buffers, time gaps longer
than the 27-bit ring-buffer delta, and kprobe/kretprobe traces.

Scenarios: tracepoints, kprobes, kprobes-lost, instance, empty, noevents, ksm-slow,
ksm-fast, nr-pages, waits, waits-overlap

nr-pages is the tracepoints scenario with the start's nr_pages field (the
kernel series added it after the fixtures of tests/data were recorded; the
others have the older format), and walks of large folios too.

waits is what `rmapstat record --victim mprotect` records: walks, the
rmapstat:hold_anon kprobe (the lock a walk took), lock:contention_begin/end
and the victims' markers in ftrace:raw_data (lib/walk/op_marker.h); its
truth holds the waits, the walks' collateral and the victims' operations
as the attribution must find them. waits-overlap is the same without the
hold events: every wait is then blamed by time overlap alone.
"""

import json
import random
import struct
import sys

from tracedat import Event, TraceDat

KIND_NAMES = ["KSM", "ANON", "FILE"]
SYMBOLS = {
    "try_to_migrate_one": 0xffffffff812a1000,
    "remove_migration_pte": 0xffffffff812b2000,
    "try_to_unmap_one": 0xffffffff812a3000,
    "folio_referenced_one": 0xffffffff812a4000,
    "page_idle_clear_pte_refs_one": 0xffffffff812c5000,
    "page_mkclean_one": 0xffffffff812a6000,
    "rmap_walk": 0xffffffff812a8000,
    "rmap_walk_locked": 0xffffffff812a8400,
    "rmap_walk_ksm": 0xffffffff812d9000,
    "rmap_walk_anon": 0xffffffff812a7800,
    "rmap_walk_file": 0xffffffff812a7a00,
    "migrate_pages": 0xffffffff812e0000,
}
# An rmap_one address that kallsyms does not know (a module, say).
UNKNOWN_RMAP_ONE = 0xffffffffc0123450

PRINT_START = ('"pfn=0x%lx kind=%s purpose=%ps mapcount=%d locked=%d rwc=%p", REC->pfn, '
               '__print_symbolic(REC->kind, { 0, "KSM" }, { 1, "ANON" }, { 2, "FILE" }), '
               'REC->rmap_one, REC->mapcount, REC->locked, REC->rwc')
PRINT_START_NR_PAGES = (
    '"pfn=0x%lx kind=%s purpose=%ps mapcount=%d nr_pages=%u locked=%d rwc=%p", REC->pfn, '
    '__print_symbolic(REC->kind, { 0, "KSM" }, { 1, "ANON" }, { 2, "FILE" }), '
    'REC->rmap_one, REC->mapcount, REC->nr_pages, REC->locked, REC->rwc')
PRINT_END = ('"pfn=0x%lx kind=%s purpose=%ps locked=%d visited=%u rmap_one=%u rwc=%p", '
             'REC->pfn, __print_symbolic(REC->kind, { 0, "KSM" }, { 1, "ANON" }, '
             '{ 2, "FILE" }), REC->rmap_one, REC->locked, REC->nr_visited, '
             'REC->nr_rmap_one, REC->rwc')


# The fields both events start with: the key of a walk, its purpose and kind.
WALK_KEY_FIELDS = [("unsigned long", "pfn", 8, False), ("const void *", "rwc", 8, False),
                   ("void *", "rmap_one", 8, False), ("enum rmap_walk_kind", "kind", 4, False)]
LOCKED_FIELD = ("bool", "locked", 1, False)


def rmap_events(base_id=1100, nr_pages=False):
    """The tracepoints; with nr_pages, the start of the series that has it
    (unsigned int nr_pages between mapcount and locked)."""
    if nr_pages:
        start = Event("rmap", "rmap_walk_start", base_id,
                      WALK_KEY_FIELDS + [("int", "mapcount", 4, True),
                                         ("unsigned int", "nr_pages", 4, False), LOCKED_FIELD],
                      PRINT_START_NR_PAGES)
    else:
        start = Event("rmap", "rmap_walk_start", base_id,
                      WALK_KEY_FIELDS + [("int", "mapcount", 4, True), LOCKED_FIELD], PRINT_START)
    end = Event("rmap", "rmap_walk_end", base_id + 1,
                WALK_KEY_FIELDS + [("unsigned int", "nr_visited", 4, False),
                                   ("unsigned int", "nr_rmap_one", 4, False), LOCKED_FIELD],
                PRINT_END)
    return start, end


KPROBE_FUNCS = ("rmap_walk", "rmap_walk_locked", "rmap_walk_ksm", "rmap_walk_anon",
                "rmap_walk_file")
# rmap_walk_anon/_file(folio, rwc, locked): their entries also fetch locked=%dx:u8
KPROBE_LOCKED_ARG = ("rmap_walk_anon", "rmap_walk_file")


def kprobe_events(base_id=1500):
    """The kprobe/kretprobe events of the fallback (system rmapstat)."""
    evs = {}
    args = [("u64", "folio", 8, False), ("u64", "rwc", 8, False),
            ("u64", "mapping", 8, False), ("u64", "rmap_one", 8, False)]
    pf = ('"(%lx) folio=0x%Lx rwc=0x%Lx mapping=0x%Lx rmap_one=0x%Lx", REC->__probe_ip, '
          'REC->folio, REC->rwc, REC->mapping, REC->rmap_one')
    pfl = ('"(%lx) folio=0x%Lx rwc=0x%Lx mapping=0x%Lx rmap_one=0x%Lx locked=%u", '
           'REC->__probe_ip, REC->folio, REC->rwc, REC->mapping, REC->rmap_one, REC->locked')
    rf = '"(%lx <- %lx)", REC->__probe_func, REC->__probe_ret_ip'
    eid = base_id
    for func in KPROBE_FUNCS:
        if func in KPROBE_LOCKED_ARG:
            fields, fmt = args + [("u8", "locked", 1, False)], pfl
        else:
            fields, fmt = args, pf
        evs[func + "_entry"] = Event("rmapstat", func + "_entry", eid,
                                     [("unsigned long", "__probe_ip", 8, False)] + fields, fmt)
        evs[func + "_exit"] = Event("rmapstat", func + "_exit", eid + 1,
                                    [("unsigned long", "__probe_func", 8, False),
                                     ("unsigned long", "__probe_ret_ip", 8, False)], rf)
        eid += 2
    return evs


def sched_switch(eid=316):
    return Event("sched", "sched_switch", eid, [
        ("char", "prev_comm[16]", 16, False),
        ("pid_t", "prev_pid", 4, True),
        ("int", "prev_prio", 4, True),
        ("long", "prev_state", 8, True),
        ("char", "next_comm[16]", 16, False),
        ("pid_t", "next_pid", 4, True),
        ("int", "next_prio", 4, True),
    ], '"prev_comm=%s prev_pid=%d prev_prio=%d ==> next_comm=%s next_pid=%d next_prio=%d", '
       'REC->prev_comm, REC->prev_pid, REC->prev_prio, REC->next_comm, REC->next_pid, '
       'REC->next_prio')


class Scenario:
    """Builds a trace and the truth: what the generator put in it."""

    def __init__(self, cpus=2, clock="mono"):
        self.t = TraceDat(cpus=cpus, clock=clock)
        for name, addr in SYMBOLS.items():
            self.t.kallsyms.append((addr, "T", name))
        self.t.kallsyms.sort()
        self.truth = {"walks": [], "unmatched_starts": 0, "unmatched_ends": 0,
                      "superseded_starts": 0, "lost_walks": 0, "lost_events": 0,
                      "nested": 0, "clock": clock, "source": None}

    def comm(self, pid, comm):
        self.t.cmdlines[pid] = comm


def is_short(kind, mapcount, calls, nr_pages):
    """rmapstat-report(1)'s short walk: fewer rmap_one() calls than the
    mapcount at start, judged for order-0 folios only (a large folio's
    mapcount counts PTEs): nr_pages 1, or without nr_pages (older traces)
    a KSM walk, KSM folios being order-0. None: cannot tell."""
    order0 = nr_pages == 1 if nr_pages is not None else kind == 0
    return calls < mapcount if order0 else None


class TracepointScenario(Scenario):
    def __init__(self, cpus=2, clock="mono", buffer="", nr_pages=False):
        super().__init__(cpus, clock)
        self.nr_pages = nr_pages
        self.start_ev, self.end_ev = rmap_events(nr_pages=nr_pages)
        self.t.add_event(self.start_ev)
        self.t.add_event(self.end_ev)
        self.buf = self.t.buffer(buffer)
        self.truth["source"] = "tracepoints"

    def start(self, ts, cpu, pid, pfn, rwc, purpose, kind, mapcount, locked=0, nr_pages=1):
        """nr_pages is written only where the format has it."""
        rmap_one = SYMBOLS.get(purpose, UNKNOWN_RMAP_ONE) if isinstance(purpose, str) else purpose
        vals = {"pfn": pfn, "rwc": rwc, "rmap_one": rmap_one, "kind": kind,
                "mapcount": mapcount, "locked": locked}
        if self.nr_pages:
            vals["nr_pages"] = nr_pages
        self.buf.add(cpu, ts, self.start_ev.pack(pid, vals))

    def end(self, ts, cpu, pid, pfn, rwc, purpose, kind, visited, rmap_one_calls, locked=0):
        rmap_one = SYMBOLS.get(purpose, UNKNOWN_RMAP_ONE) if isinstance(purpose, str) else purpose
        self.buf.add(cpu, ts, self.end_ev.pack(pid, {
            "pfn": pfn, "rwc": rwc, "rmap_one": rmap_one, "kind": kind,
            "nr_visited": visited, "nr_rmap_one": rmap_one_calls, "locked": locked}))

    def walk(self, t0, t1, cpu0, cpu1, pid, pfn, rwc, purpose, kind, mapcount,
             visited, calls, locked=0, nr_pages=1):
        self.start(t0, cpu0, pid, pfn, rwc, purpose, kind, mapcount, locked, nr_pages)
        self.end(t1, cpu1, pid, pfn, rwc, purpose, kind, visited, calls, locked)
        nr_pages = nr_pages if self.nr_pages else None
        self.truth["walks"].append({
            "start_ns": t0, "end_ns": t1, "duration_ns": t1 - t0, "start_cpu": cpu0,
            "end_cpu": cpu1, "pid": pid, "pfn": pfn, "rwc": rwc,
            "kind": KIND_NAMES[kind],
            "purpose": purpose if isinstance(purpose, str) else "?0x%x" % purpose,
            "mapcount": mapcount, "nr_visited": visited, "nr_rmap_one": calls,
            "locked": locked, "nr_pages": nr_pages,
            "short": is_short(kind, mapcount, calls, nr_pages)})


# The walks of tracepoint_cases() that are ordinary walks, each a case of
# its own, times after T: (start ns, end ns, start cpu, end cpu, pid, pfn,
# rwc, purpose, kind, mapcount, VMAs visited, rmap_one calls, locked).
CASE_WALKS = [
    # Interleaved on both CPUs: A on cpu0 and B on cpu1 overlap.
    (100, 5_100, 0, 0, 100, 0x1000, 0xffffc90000a1fd00, "try_to_migrate_one", 0, 4, 20000, 4, 0),
    (200, 2_200, 1, 1, 200, 0x2000, 0xffffc90000b2fd00, "folio_referenced_one", 1, 1, 1, 1, 0),
    # Migration: starts on cpu1, ends on cpu0.
    (10_000, 912_345, 1, 0, 300, 0x3000, 0xffffc90000c3fd00, "try_to_unmap_one", 2, 3, 3, 3, 0),
    # Nesting: pid 100 starts a second walk (other rwc) inside the first.
    (20_000, 90_000, 0, 0, 100, 0x4000, 0xffffc90000a1fc00, "remove_migration_pte", 0, 4, 10000, 2, 1),
    (30_000, 40_000, 0, 0, 100, 0x4000, 0xffffc90000a1fa00, "page_idle_clear_pte_refs_one", 0, 4, 10000,
     4, 0),
    # Same rwc + pfn, other pid at the same time: a distinct walk.
    (50_000, 60_000, 1, 1, 200, 0x4000, 0xffffc90000a1fc00, "folio_referenced_one", 1, 2, 2, 2, 0),
    # A long walk across a gap larger than the 27-bit ring buffer delta.
    (2_000_000, 862_000_000, 0, 0, 100, 0x5000, 0xffffc90000a1fd00, "try_to_migrate_one", 0, 16, 20000,
     16, 0),
    # Unknown purpose (not a function of kallsyms): a miss, "?0x...".
    (870_000_000, 870_000_999, 1, 1, 400, 0x6000, 0xffffc90000d4fd00, UNKNOWN_RMAP_ONE, 2, 1, 5, 1, 0),
]


def tracepoint_cases(s):
    """Every pairing case of the tracepoints, by hand, with its truth."""
    s.comm(100, "ksm-bench")
    s.comm(200, "kcompactd0")
    s.comm(300, "kswapd0")
    s.comm(400, "a,b \"odd\"")
    T = 1_000_000_000
    for t0, t1, *rest, locked in CASE_WALKS:
        s.walk(T + t0, T + t1, *rest, locked=locked)
    # End without start (its start was before the trace began).
    s.end(T + 50, 1, 300, 0x7000, 0xffffc90000c3fa00, "page_mkclean_one", 2, 1, 1)
    s.truth["unmatched_ends"] += 1
    # Start superseded by a new start with the same key (end lost somewhere).
    s.start(T + 880_000_000, 0, 200, 0x8000, 0xffffc90000b2fa00, "try_to_unmap_one", 1, 1)
    s.truth["superseded_starts"] += 1
    s.walk(T + 880_100_000, T + 880_105_000, 0, 0, 200, 0x8000, 0xffffc90000b2fa00,
           "try_to_unmap_one", 1, 1, 1, 1)
    # Lost events on cpu1: the walk started there before the loss has no
    # usable end; the end after the loss must not pair with it.
    s.start(T + 890_000_000, 1, 300, 0x9000, 0xffffc90000c3f900, "try_to_unmap_one", 2, 1)
    s.buf.lost(1, T + 890_000_500, 12)
    s.truth["lost_events"] += 12
    s.truth["lost_walks"] += 1
    s.end(T + 890_001_000, 1, 300, 0x9000, 0xffffc90000c3f900, "try_to_unmap_one", 2, 1, 1)
    s.truth["unmatched_ends"] += 1
    # A walk started on cpu0 is unaffected by the loss on cpu1.
    s.walk(T + 889_999_000, T + 890_002_000, 0, 0, 100, 0xa000, 0xffffc90000a1f800,
           "try_to_migrate_one", 0, 2, 400, 1)
    return s


def scenario_tracepoints(buffer=""):
    s = tracepoint_cases(TracepointScenario(cpus=2, buffer=buffer))
    T = 1_000_000_000
    # Many ordinary walks on both CPUs, overlapping, with a known spread.
    rng = random.Random(7)
    t = T + 900_000_000
    for i in range(3000):
        kind = rng.choice([0, 1, 1, 2])
        dur = int(rng.lognormvariate(9 if kind else 12, 1.0)) + 1
        cpu0 = rng.randrange(2)
        cpu1 = cpu0 if rng.random() < 0.9 else 1 - cpu0
        pid = rng.choice([100, 200, 300])
        purpose = rng.choice(["try_to_migrate_one", "folio_referenced_one",
                              "try_to_unmap_one", "remove_migration_pte"])
        mapcount = rng.randrange(1, 8)
        calls = mapcount if rng.random() < 0.95 else mapcount - 1
        visited = calls * (rng.randrange(1, 50) if kind == 0 else 1)
        s.walk(t, t + dur, cpu0, cpu1, pid, 0x100000 + i, 0xffffc90001000000 + 0x100 * i,
               purpose, kind, mapcount, visited, calls)
        t += rng.randrange(100, 20_000)
    # Never ended: still in flight when the trace stops.
    s.start(t + 1000, 1, 200, 0xb000, 0xffffc90000b2f800, "folio_referenced_one", 1, 3)
    s.truth["unmatched_starts"] += 1
    return s


def scenario_nr_pages():
    """The tracepoint cases with nr_pages, then walks of folios of every
    order: mapcount one per PTE mapped, and a large folio mapped whole in
    one VMA takes one rmap_one() call for all its PTEs."""
    s = tracepoint_cases(TracepointScenario(cpus=2, nr_pages=True))
    rng = random.Random(17)
    t = 3_000_000_000
    for i in range(600):
        kind = rng.choice([0, 1, 1, 2])
        nr_pages = 1 if kind == 0 else rng.choice([1, 1, 4, 16, 512])
        maps = rng.randrange(1, 5)			# VMAs mapping the folio
        mapcount = maps * nr_pages
        calls = maps if rng.random() < 0.9 else maps - 1	# one missed
        purpose = rng.choice(["try_to_migrate_one", "folio_referenced_one",
                              "try_to_unmap_one", "remove_migration_pte"])
        dur = int(rng.lognormvariate(10, 1.0)) + 1
        cpu0 = rng.randrange(2)
        s.walk(t, t + dur, cpu0, cpu0, rng.choice([100, 200, 300]), 0x200000 + i * 512,
               0xffffc90002000000 + 0x100 * i, purpose, kind, mapcount, calls * 2, calls,
               nr_pages=nr_pages)
        t += dur + rng.randrange(100, 20_000)
    return s


class KprobeScenario(Scenario):
    def __init__(self):
        super().__init__(cpus=2, clock="mono")
        self.evs = kprobe_events()
        for ev in self.evs.values():
            self.t.add_event(ev)
        self.buf = self.t.buffer("")
        self.truth["source"] = "kprobes"

    def entry(self, func, ts, cpu, pid, folio, rwc, mapping, purpose, locked=0):
        vals = {"__probe_ip": SYMBOLS[func], "folio": folio, "rwc": rwc,
                "mapping": mapping, "rmap_one": SYMBOLS.get(purpose, UNKNOWN_RMAP_ONE)}
        if func in KPROBE_LOCKED_ARG:
            vals["locked"] = locked
        self.buf.add(cpu, ts, self.evs[func + "_entry"].pack(pid, vals))

    def exit(self, func, ts, cpu, pid):
        self.buf.add(cpu, ts, self.evs[func + "_exit"].pack(pid, {
            "__probe_func": SYMBOLS[func], "__probe_ret_ip": SYMBOLS["migrate_pages"] + 0x40}))

    def walk(self, func, t0, t1, cpu0, cpu1, pid, folio, rwc, mapping, purpose, kind,
             inner=None, inner_func="rmap_walk_ksm", locked=None):
        """One walk: func's entry and exit, with inner_func's pair inside
        (as rmap_walk(_locked) calls it) when inner = (entry ns, exit ns).
        func may be rmap_walk_ksm/_anon/_file on their own: the callers into
        which the compiler inlined rmap_walk call them directly."""
        if locked is None:
            locked = 1 if func == "rmap_walk_locked" else 0
        self.entry(func, t0, cpu0, pid, folio, rwc, mapping, purpose, locked)
        if inner:
            i0, i1 = inner
            self.entry(inner_func, i0, cpu0, pid, folio, rwc, mapping, purpose, locked)
            self.exit(inner_func, i1, cpu1, pid)
            self.truth["nested"] += 1
        self.exit(func, t1, cpu1, pid)
        self.truth["walks"].append({
            "start_ns": t0, "end_ns": t1, "duration_ns": t1 - t0, "start_cpu": cpu0,
            "end_cpu": cpu1, "pid": pid, "kind": KIND_NAMES[kind], "purpose": purpose,
            "func": func, "locked": locked})


KSM_MAPPING = 0xffff888003a1c003
ANON_MAPPING = 0xffff888003a1d001
FILE_MAPPING = 0xffff888003a1e000

# The walks of scenario_kprobes(), times after T: (function, start ns, end
# ns, start cpu, end cpu, pid, folio, rwc, mapping, purpose, kind, and the
# options of KprobeScenario.walk(), an inner pair's times after T too).
KPROBE_WALKS = [
    # KSM walk: rmap_walk with rmap_walk_ksm nested inside, migrates CPU.
    ("rmap_walk", 1000, 404_001_000, 0, 1, 100, 0xffffea0000040000, 0xffffc90000a1fd00, KSM_MAPPING,
     "try_to_migrate_one", 0, {"inner": (1500, 404_000_500)}),
    # Anonymous walk of another pid interleaved on the other CPU.
    ("rmap_walk", 2000, 9000, 1, 1, 200, 0xffffea0000041000, 0xffffc90000b2fd00, ANON_MAPPING,
     "folio_referenced_one", 1, {}),
    # rmap_walk_locked of a file folio.
    ("rmap_walk_locked", 500_000_000, 500_004_000, 0, 0, 100, 0xffffea0000042000,
     0xffffc90000a1fc00, FILE_MAPPING, "remove_migration_pte", 2, {}),
    # Two walks of one pid back to back: LIFO must pair each exit with its entry.
    ("rmap_walk", 600_000_000, 600_000_700, 0, 0, 100, 0xffffea0000043000, 0xffffc90000a1fb00,
     ANON_MAPPING, "try_to_unmap_one", 1, {}),
    ("rmap_walk", 600_001_000, 600_001_900, 0, 0, 100, 0xffffea0000044000, 0xffffc90000a1fb00,
     ANON_MAPPING, "try_to_unmap_one", 1, {}),
    # After the orphan entry of pid 200 (see below): pairs with its own entry.
    ("rmap_walk", 700_100_000, 700_105_000, 1, 1, 200, 0xffffea0000046000, 0xffffc90000b2fb00,
     FILE_MAPPING, "folio_referenced_one", 2, {}),
    # rmap_walk inlined into try_to_migrate (stock 6.12): rmap_walk_anon on
    # its own is the walk; it migrates CPU.
    ("rmap_walk_anon", 800_000_000, 800_012_345, 0, 1, 100, 0xffffea0000047000,
     0xffffc90000a1fa00, ANON_MAPPING, "try_to_migrate_one", 1, {}),
    # ... and try_to_migrate of a KSM folio calls rmap_walk_ksm directly.
    ("rmap_walk_ksm", 800_100_000, 801_100_000, 1, 1, 100, 0xffffea0000048000,
     0xffffc90000a1fa00, KSM_MAPPING, "try_to_migrate_one", 0, {}),
    # try_to_unmap(TTU_RMAP_LOCKED): rmap_walk_file(..., locked=true) on its own.
    ("rmap_walk_file", 802_000_000, 802_000_900, 0, 0, 100, 0xffffea0000049000,
     0xffffc90000a1f900, FILE_MAPPING, "try_to_unmap_one", 2, {"locked": 1}),
    # rmap_walk (page_idle, out of line) with rmap_walk_file inside; the
    # folio's mapping reads NULL: the kind comes from the inner function.
    ("rmap_walk", 803_000_000, 803_002_000, 1, 1, 200, 0xffffea000004a000, 0xffffc90000b2fa00, 0,
     "page_idle_clear_pte_refs_one", 2,
     {"inner": (803_000_050, 803_001_950), "inner_func": "rmap_walk_file"}),
    # rmap_walk_locked (remove_migration_ptes) with rmap_walk_anon(locked) inside.
    ("rmap_walk_locked", 804_000_000, 804_000_800, 0, 1, 100, 0xffffea000004b000,
     0xffffc90000a1f800, ANON_MAPPING, "remove_migration_pte", 1,
     {"inner": (804_000_010, 804_000_790), "inner_func": "rmap_walk_anon"}),
]


def scenario_kprobes():
    s = KprobeScenario()
    s.comm(100, "ksm-bench")
    s.comm(200, "kcompactd0")
    s.comm(300, "kswapd0")
    T = 5_000_000_000
    for func, t0, t1, *rest, opts in KPROBE_WALKS:
        opts = dict(opts)
        if "inner" in opts:
            opts["inner"] = tuple(T + t for t in opts["inner"])
        s.walk(func, T + t0, T + t1, *rest, **opts)
    # kretprobe missed: an entry without exit; the next walk of that pid
    # still pairs with its own entry (LIFO), the orphan stays unmatched.
    s.entry("rmap_walk", T + 700_000_000, 1, 200, 0xffffea0000045000, 0xffffc90000b2fc00,
            ANON_MAPPING, "folio_referenced_one")
    s.truth["unmatched_starts"] += 1
    # An exit without entry (entry before the trace began).
    s.exit("rmap_walk", T + 10, 1, 300)
    s.truth["unmatched_ends"] += 1
    return s


def scenario_kprobes_lost():
    """Kprobe walks around a loss of unknown size (no count in the sub-buffer)."""
    s = KprobeScenario()
    s.comm(100, "ksm-bench")
    s.comm(200, "kcompactd0")
    T = 7_000_000_000
    anon = ANON_MAPPING
    s.walk("rmap_walk", T + 100, T + 900, 0, 0, 100, 0xffffea0000050000,
           0xffffc90000a1fd00, anon, "try_to_unmap_one", 1)
    # The entry on cpu1 waits; events are lost on cpu1; its exit after the
    # gap must not pair with it.
    s.entry("rmap_walk", T + 1000, 1, 200, 0xffffea0000051000, 0xffffc90000b2fd00,
            anon, "folio_referenced_one")
    s.buf.lost(1, T + 1500, -1)
    s.truth["lost_walks"] += 1
    s.truth["lost_unknown"] = 1
    s.exit("rmap_walk", T + 2000, 1, 200)
    s.truth["unmatched_ends"] += 1
    # A walk of pid 100 across the gap on cpu0 is not affected.
    s.walk("rmap_walk", T + 1200, T + 3000, 0, 0, 100, 0xffffea0000052000,
           0xffffc90000a1fc00, anon, "try_to_unmap_one", 1)
    return s


def scenario_instance():
    """trace-cmd record -e sched_switch -B rmapstat -e rmap: walks in the instance."""
    s = scenario_tracepoints(buffer="rmapstat-4242")
    sw = s.t.add_event(sched_switch())
    top = s.t.buffer("")
    for i in range(50):
        top.add(i % 2, 1_000_000_000 + i * 1000, sw.pack(0, {
            "prev_pid": 0, "prev_prio": 120, "prev_state": 0, "next_pid": 100,
            "next_prio": 120}))
    return s


def scenario_empty():
    """rmap events enabled, no walk happened."""
    s = TracepointScenario()
    return s


def scenario_noevents():
    """A trace without rmap events at all."""
    s = Scenario()
    sw = s.t.add_event(sched_switch())
    buf = s.t.buffer("")
    buf.add(0, 1000, sw.pack(0, {"prev_pid": 0, "next_pid": 1}))
    return s


def scenario_ksm(slow):
    """KSM migration walks, slow (traced kernel) or fast (fixed kernel)."""
    s = TracepointScenario()
    s.comm(100, "rmap-workload")
    rng = random.Random(11 if slow else 13)
    t = 2_000_000_000
    for i in range(40):
        if i % 4 == 0:
            kind, purpose = 0, rng.choice(["try_to_migrate_one", "remove_migration_pte"])
            dur = rng.randrange(400_000_000, 860_000_000) if slow else \
                rng.randrange(1_400_000, 1_700_000)
            visited = 20000 if slow else 3
            mapcount = calls = 3
        else:
            kind, purpose = rng.choice([(1, "folio_referenced_one"), (2, "try_to_unmap_one")])
            dur = rng.randrange(3_000, 9_000)
            visited = mapcount = calls = 1
        s.walk(t, t + dur, 0, rng.randrange(2), 100, 0x20000 + i, 0xffffc90000a1fd00,
               purpose, kind, mapcount, visited, calls)
        t += dur + rng.randrange(1000, 100_000)
    return s


# ------------------------------------------------------------------ waits

LCB_F_SPIN, LCB_F_READ, LCB_F_WRITE = 1, 2, 4
OP_MARKER_ID = 0x706f6d72		# "rmop", lib/walk/op_marker.h
OPS = ["mprotect", "munmap", "mmap", "fault", "fork"]


def lock_events(base_id=1700):
    """lock:contention_begin/end, the rmapstat hold kprobe, ftrace raw_data."""
    begin = Event("lock", "contention_begin", base_id,
                  [("void *", "lock_addr", 8, False), ("unsigned int", "flags", 4, False)],
                  '"%p (flags=%s)", REC->lock_addr, __print_flags(REC->flags, "|", '
                  '{ 1, "SPIN" }, { 2, "READ" }, { 4, "WRITE" })')
    end = Event("lock", "contention_end", base_id + 1,
                [("void *", "lock_addr", 8, False), ("int", "ret", 4, True)],
                '"%p (ret=%d)", REC->lock_addr, REC->ret')
    hold = Event("rmapstat", "hold_anon", base_id + 2,
                 [("unsigned long", "__probe_ip", 8, False), ("u64", "base", 8, False),
                  ("s32", "off", 4, True)],
                 '"(%lx) base=0x%Lx off=%d", REC->__probe_ip, REC->base, REC->off')
    raw = Event("ftrace", "raw_data", 12,
                [("unsigned int", "id", 4, False), ("char", "buf[]", 0, True)],
                '"id:%04x %08x", REC->id, (int)REC->buf[0]')
    return begin, end, hold, raw


class WaitsScenario(TracepointScenario):
    def __init__(self, holds=True):
        super().__init__(nr_pages=True)
        self.holds = holds
        self.begin_ev, self.end_ev_lock, self.hold_ev, self.raw_ev = lock_events()
        for ev in (self.begin_ev, self.end_ev_lock, self.raw_ev):
            self.t.add_event(ev)
        if holds:
            self.t.add_event(self.hold_ev)

    def hold(self, ts, cpu, pid, lock, off=8):
        """A walk took lock: the kprobe reads base (the anon_vma root), off its rwsem."""
        if self.holds:
            self.buf.add(cpu, ts, self.hold_ev.pack(pid, {
                "__probe_ip": 0xffffffff81300000, "base": lock - off, "off": off}))

    def wait(self, ts, cpu, pid, lock, flags):
        self.buf.add(cpu, ts, self.begin_ev.pack(pid, {"lock_addr": lock, "flags": flags}))

    def wake(self, ts, cpu, pid, lock, ret=0):
        self.buf.add(cpu, ts, self.end_ev_lock.pack(pid, {"lock_addr": lock, "ret": ret}))

    def op(self, ts, cpu, pid, op, thread, start, end, ret=0):
        """A victim's marker, written at ts after its op (start, end: CLOCK_MONOTONIC)."""
        rest = struct.pack("<HHIiQQ", 1, OPS.index(op), thread, ret, start, end)
        self.buf.add(cpu, ts, self.raw_ev.pack(pid, {"id": OP_MARKER_ID}) + rest)


def scenario_waits(holds=True):
    """One KSM walk (pid 200) holds anon_vma L1 then L2 (two rmap_items);
    victims wait for them. Times in ns after T:
      walk W1  1000 .. 10000, holds L1 from 1100, L2 from 5000 (L1 released)
      pid 303  spins on L1 1200 .. 1300                      never a walk's
      pid 300  mprotect 1500 .. 5200: waits for L1 (write) 1600 .. 5000
      pid 301  waits for L1 (read) 2000 .. 5100 behind 300's write wait
      pid 302  mprotect 5900 .. 10100: waits for L2 (write) 6000 .. 10010
      pid 300  mprotect 11000 .. 11050, no wait
      walk W2  (ANON, pid 201) 20000 .. 30000 holds L3, nobody waits
    """
    s = WaitsScenario(holds)
    T = 1_000_000_000
    L1, L2, L3 = 0xffff888004100008, 0xffff888004200008, 0xffff888004300008
    for pid, comm in ((200, "migrate"), (201, "kswapd0"), (300, "victim"), (301, "reader"),
                      (302, "victim"), (303, "spinner")):
        s.comm(pid, comm)
    s.start(T + 1000, 0, 200, 0x30000, 0xffffc90000b1fd00, "try_to_migrate_one", 0, 2)
    s.hold(T + 1100, 0, 200, L1)
    s.wait(T + 1200, 1, 303, L1, LCB_F_SPIN)
    s.wake(T + 1300, 1, 303, L1)
    s.wait(T + 1600, 1, 300, L1, LCB_F_WRITE)
    s.wait(T + 2000, 1, 301, L1, LCB_F_READ)
    s.hold(T + 5000, 0, 200, L2)
    s.wake(T + 5000, 1, 300, L1)
    s.wake(T + 5100, 1, 301, L1)
    s.op(T + 5300, 1, 300, "mprotect", 0, T + 1500, T + 5200)
    s.wait(T + 6000, 1, 302, L2, LCB_F_WRITE)
    s.end(T + 10000, 0, 200, 0x30000, 0xffffc90000b1fd00, "try_to_migrate_one", 0, 40000, 2)
    s.wake(T + 10010, 1, 302, L2)
    s.op(T + 10200, 1, 302, "mprotect", 1, T + 5900, T + 10100)
    s.op(T + 11100, 1, 300, "mprotect", 0, T + 11000, T + 11050)
    s.start(T + 20000, 0, 201, 0x40000, 0xffffc90000c1fd00, "folio_referenced_one", 1, 1)
    s.hold(T + 20100, 0, 201, L3)
    s.end(T + 30000, 0, 201, 0x40000, 0xffffc90000c1fd00, "folio_referenced_one", 1, 1, 1)
    # In overlap mode a wait is blamed on the whole walk, not on the hold of
    # its lock: 301's wait 2000 .. 5100 lies inside W1 1000 .. 10000.
    s.truth["waits"] = {
        "proof": "lock" if holds else "overlap",
        "direct": 2, "indirect": 1, "other": 1,
        "blocked_direct_ns": 3400 + 4000, "blocked_indirect_ns": 3000 if holds else 3100,
        "holds": 3 if holds else 0,
        "waiters": {"victim/300": {"direct": [3400]}, "reader/301": {"indirect": [3000 if holds else 3100]},
                    "victim/302": {"direct": [4000]}},
        "top": [{"pid": 200, "start_ns": T + 1000, "waits_direct": 2, "waits_indirect": 1,
                 "tasks": 3, "direct_ns": 7400, "indirect_ns": 3000 if holds else 3100,
                 "max_ns": 4000}],
        # what trace-cmd report prints on W1's end: all three waited by then
        "so_far": {"waiters": 3, "waited_ns": 3400 + (3000 if holds else 3100) + 4000},
    }
    s.truth["victims"] = {
        "threads": 2,
        "mprotect": {"count": 3, "durations": [3700, 4200, 50], "blocked": [3400, 4000],
                     "of_ns": 3700 + 4200},
    }
    return s


SCENARIOS = {
    "tracepoints": scenario_tracepoints,
    "kprobes": scenario_kprobes,
    "kprobes-lost": scenario_kprobes_lost,
    "instance": scenario_instance,
    "empty": scenario_empty,
    "noevents": scenario_noevents,
    "ksm-slow": lambda: scenario_ksm(True),
    "ksm-fast": lambda: scenario_ksm(False),
    "nr-pages": scenario_nr_pages,
    "waits": scenario_waits,
    "waits-overlap": lambda: scenario_waits(False),
}


def main(argv):
    if len(argv) not in (3, 4) or argv[1] not in SCENARIOS:
        sys.stderr.write(__doc__)
        return 2
    s = SCENARIOS[argv[1]]()
    s.t.write(argv[2])
    if len(argv) == 4:
        with open(argv[3], "w") as f:
            json.dump(s.truth, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
