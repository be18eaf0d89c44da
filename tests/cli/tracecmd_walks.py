# SPDX-License-Identifier: GPL-2.0-only
"""
Expected walks of a trace.dat, derived without rmapstat's code: the events
come from `trace-cmd report -N -t` (no plugins, full ns timestamps) and
`trace-cmd report -f` (kallsyms), and are paired here by the rules of
rmapstat-report(1):

  tracepoints  start and end with the same rwc + pfn + pid; a second start
               of the same key supersedes the first; ends without start
  kprobes      per pid and function, last in first out, at most 16 frames
               per key (older ones superseded); an rmap_walk_ksm, _anon or
               _file pair inside an rmap_walk or rmap_walk_locked of the
               same task and rwc (the newest of those two started before
               it, also one dropped for lost events) is nested (the outer
               walk takes its kind: KSM, ANON, FILE); on its own it is a walk
  lost events  "CPU:N [.. EVENTS DROPPED]": every start still waiting on
               that CPU of that buffer is lost
  end of trace starts still waiting have no end
  short        a paired walk with fewer rmap_one calls than the mapcount at
               start, judged for order-0 folios only: nr_pages=1 on the
               start, or a KSM walk where the start has no nr_pages (traces
               recorded before the field; KSM folios are order-0)

Each walk record is a dict with the CSV columns of `rmapstat report --csv`.
"""

import re
import subprocess

LINE = re.compile(r"^(?:(?P<buf>[^\s:]+): )?\s*(?P<comm>.*?)-(?P<pid>\d+)\s+"
                  r"\[(?P<cpu>\d+)\]\s+(?P<sec>\d+)\.(?P<frac>\d+):\s+"
                  r"(?P<event>\w+):\s*(?P<rest>.*)$")
DROPPED = re.compile(r"^(?:(?P<buf>[^\s:]+): )?CPU:(?P<cpu>\d+) \[(?:(?P<n>\d+) )?EVENTS DROPPED\]")
KINDS = {"0": "KSM", "1": "ANON", "2": "FILE"}
KPROBE_FUNCS = ("rmap_walk", "rmap_walk_locked", "rmap_walk_ksm", "rmap_walk_anon",
                "rmap_walk_file")
# the kind each inner function walks
FUNC_KIND = {"rmap_walk_ksm": "KSM", "rmap_walk_anon": "ANON", "rmap_walk_file": "FILE"}
OUTER_FUNCS = ("rmap_walk", "rmap_walk_locked")
MAX_DEPTH = 16


def kallsyms(trace_cmd, path):
    out = subprocess.run([trace_cmd, "report", "-f", path], check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
    syms = {}
    for line in out.decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"[0-9a-f]{8,16}", parts[0]):
            syms[int(parts[0], 16)] = parts[1]
    return syms


def events(trace_cmd, path):
    """Yields ("lost", buffer, cpu, count) and ("event", dict) in report order."""
    proc = subprocess.run([trace_cmd, "report", "-N", "-t", path], check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    after_drop = None
    for line in proc.stdout.decode(errors="replace").splitlines():
        m = DROPPED.match(line)
        if m:
            # trace-cmd prints the buffer name once per record: on the
            # DROPPED line, not on the event line that follows it.
            after_drop = m.group("buf")
            yield ("lost", after_drop or "top", int(m.group("cpu")),
                   int(m.group("n")) if m.group("n") else -1)
            continue
        m = LINE.match(line)
        if not m:
            continue
        buf = m.group("buf") or after_drop or "top"
        after_drop = None
        frac = m.group("frac")
        if len(frac) != 9:
            raise ValueError("trace-cmd report -t did not print ns: " + line)
        fields = {}
        for tok in m.group("rest").split():
            if "=" in tok:
                k, v = tok.split("=", 1)
                fields[k] = v
        yield ("event", {
            "buffer": buf,
            "comm": m.group("comm").strip(),
            "pid": int(m.group("pid")),
            "cpu": int(m.group("cpu")),
            "ts": int(m.group("sec")) * 1_000_000_000 + int(frac),
            "event": m.group("event"),
            "fields": fields,
        })


def kind_of_mapping(mapping):
    if mapping & 3 == 3:
        return "KSM"
    if mapping & 1:
        return "ANON"
    return "FILE" if mapping else "unknown"


def _num(s):
    return int(s, 0)


class Pairing:
    """Independent pairing of one trace (all buffers)."""

    def __init__(self, syms):
        self.syms = syms
        self.pending = {}	# buffer -> {key: [record, ...]} (tracepoints: one per key)
        self.dropped = {}	# buffer -> {key: [record, ...]}: kprobe entries lost
        self.seq = 0
        self.records = []
        self.lost_markers = 0
        self.lost_events = 0
        self.source = None

    def _emit(self, status, start, end):
        info = start if start else end
        rec = {
            "status": status,
            "buffer": info["buffer"],
            "start_ns": start["ts"] if start else None,
            "end_ns": end["ts"] if end else None,
            "duration_ns": end["ts"] - start["ts"] if start and end else None,
            "start_cpu": start["cpu"] if start else None,
            "end_cpu": end["cpu"] if end else None,
            "pid": info["pid"],
            "comm": info["comm"],
            "kind": info["kind"],
            "purpose": info["purpose"],
            "pfn": info.get("pfn"),
            "mapcount": start.get("mapcount") if start else None,
            "nr_pages": start.get("nr_pages") if start else None,
            "nr_visited": end.get("nr_visited") if end else None,
            "nr_rmap_one": end.get("nr_rmap_one") if end else None,
            "locked": info.get("locked"),
        }
        order0 = rec["nr_pages"] == 1 if rec["nr_pages"] is not None else rec["kind"] == "KSM"
        if rec["mapcount"] is not None and rec["nr_rmap_one"] is not None and order0:
            rec["short"] = int(rec["nr_rmap_one"] < rec["mapcount"])
        else:
            rec["short"] = None
        self.records.append(rec)

    def _purpose_kprobe(self, addr):
        # Only where a function starts; any other address is a miss.
        return self.syms.get(addr, "?0x%x" % addr)

    def event(self, e):
        f = e["fields"]
        name = e["event"]
        pend = self.pending.setdefault(e["buffer"], {})
        self.seq += 1
        if name in ("rmap_walk_start", "rmap_walk_end"):
            self.source = self.source or "tracepoints"
            rec = dict(e)
            rec["seq"] = self.seq
            rec["kind"] = f.get("kind", "unknown")
            rec["purpose"] = f.get("purpose", "unknown")
            # %ps of an address kallsyms does not name is hex: a miss.
            if rec["purpose"].startswith("0x"):
                rec["purpose"] = "?" + rec["purpose"]
            rec["pfn"] = _num(f["pfn"])
            rec["locked"] = int(f["locked"]) if "locked" in f else None
            key = ("tp", _num(f["rwc"]), rec["pfn"], e["pid"])
            if name == "rmap_walk_start":
                rec["mapcount"] = int(f["mapcount"])
                rec["nr_pages"] = int(f["nr_pages"]) if "nr_pages" in f else None
                old = pend.pop(key, None)
                if old:
                    self._emit("superseded", old[0], None)
                pend[key] = [rec]
            else:
                rec["nr_visited"] = int(f["visited"])
                rec["nr_rmap_one"] = int(f["rmap_one"])
                old = pend.pop(key, None)
                if old:
                    self._emit("ok", old[0], rec)
                else:
                    self._emit("no_start", None, rec)
            return
        for func in KPROBE_FUNCS:
            if name == func + "_entry":
                self.source = self.source or "kprobes"
                rec = dict(e)
                rec["seq"] = self.seq
                rec["func"] = func
                rec["rwc"] = _num(f["rwc"])
                if func in FUNC_KIND:
                    rec["kind"] = FUNC_KIND[func]
                else:
                    rec["kind"] = kind_of_mapping(_num(f["mapping"]))
                rec["purpose"] = self._purpose_kprobe(_num(f["rmap_one"]))
                if "locked" in f:
                    rec["locked"] = int(f["locked"], 0)
                else:
                    rec["locked"] = 1 if func == "rmap_walk_locked" else 0
                # a new entry: a dropped one of this task and function ended unseen
                self.dropped.get(e["buffer"], {}).pop(("kp", func, e["pid"]), None)
                stack = pend.setdefault(("kp", func, e["pid"]), [])
                if len(stack) >= MAX_DEPTH:
                    self._emit("superseded", stack.pop(0), None)
                stack.append(rec)
                return
            if name == func + "_exit":
                self.source = self.source or "kprobes"
                end = dict(e)
                end["kind"] = "unknown"
                end["purpose"] = "unknown"
                end["locked"] = None
                stack = pend.get(("kp", func, e["pid"]), [])
                if not stack:
                    # the end of a dropped entry, if any: it is done now
                    gone = self.dropped.get(e["buffer"], {}).get(("kp", func, e["pid"]))
                    if gone:
                        gone.pop()
                    self._emit("no_start", None, end)
                    return
                start = stack.pop()
                status = "ok"
                if func in FUNC_KIND:
                    drop = self.dropped.get(e["buffer"], {})
                    frames = [r for of in OUTER_FUNCS
                              for r in pend.get(("kp", of, e["pid"]), []) +
                              drop.get(("kp", of, e["pid"]), [])
                              if r["seq"] < start["seq"]]
                    outer = max(frames, key=lambda r: r["seq"]) if frames else None
                    if outer and outer["rwc"] == start["rwc"]:
                        outer["kind"] = FUNC_KIND[func]
                        status = "nested"
                self._emit(status, start, end)
                return

    def lost(self, buffer, cpu, count):
        self.lost_markers += 1
        if count > 0:
            self.lost_events += count
        pend = self.pending.get(buffer, {})
        dropped = []
        for key, recs in pend.items():
            for r in recs:
                if r["cpu"] == cpu:
                    dropped.append((key, r))
        for key, r in sorted(dropped, key=lambda kr: kr[1]["seq"]):
            pend[key].remove(r)
            self._emit("lost", r, None)
            if key[0] == "kp":
                self.dropped.setdefault(buffer, {}).setdefault(key, []).append(r)

    def finish(self):
        left = [r for pend in self.pending.values() for recs in pend.values() for r in recs]
        for r in sorted(left, key=lambda r: r["seq"]):
            self._emit("no_end", r, None)
        self.pending = {}
        return self.records


def expected_walks(trace_cmd, path):
    """(walk records, lost markers, lost events, source) of a trace.dat."""
    p = Pairing(kallsyms(trace_cmd, path))
    for item in events(trace_cmd, path):
        if item[0] == "lost":
            p.lost(item[1], item[2], item[3])
        else:
            p.event(item[1])
    return p.finish(), p.lost_markers, p.lost_events, p.source
