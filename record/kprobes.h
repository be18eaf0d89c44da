/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kprobe events of `rmapstat record`, in the event system "rmapstat"
 * (fixed names, see Documentation/rmapstat-record.1):
 *
 *  - the kprobe fallback, for kernels without the rmap tracepoints:
 *    kprobes and kretprobes on rmap_walk, rmap_walk_locked, rmap_walk_ksm,
 *    rmap_walk_anon and rmap_walk_file (the report pairs them in
 *    lib/walk/pairing.h), and with --count-visits kretprobes on the VMA
 *    iterators;
 *  - with --waits, on any kernel: the hold events, kprobes on the first
 *    call of the VMA iterators that name the lock the walk holds
 *    (RS_HOLD_EVENTS in lib/walk/walk_event.h).
 *
 * Kprobe events are global, not of an instance: one recording at a time
 * can own them.
 */
#ifndef RMAPSTAT_KPROBES_H
#define RMAPSTAT_KPROBES_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "layout.h"

#define KPROBE_SYSTEM		"rmapstat"
/* Entry and exit events of the five walk functions, four VMA iterators, two holds. */
#define NR_KPROBES		16

/* Which events rs_kprobes_create() makes, as bits. */
enum {
	RS_KPROBES_WALKS	= 1U << 0,	/* the fallback's walk functions */
	RS_KPROBES_VISITS	= 1U << 1,	/* --count-visits: the visit events */
	RS_KPROBES_HOLDS	= 1U << 2,	/* --waits: hold_anon and hold_file */
};

struct tracefs_dynevent;

/**
 * struct rs_kprobes - The kprobe events of this recording.
 * @ev: the events created (NULL: not created, e.g. an inlined function).
 * @func: the function each event created probes.
 * @events_file: kprobe_events of tracefs, for the undo step.
 * @del: "-:rmapstat/EVENT\n" of each event, for the undo step.
 * @created: the undo step removes the events set here.
 * @undo_err: what the undo step's removal of each event failed with.
 * @step: the undo step in the cleanup registry.
 */
struct rs_kprobes {
	struct tracefs_dynevent *ev[NR_KPROBES];
	char func[NR_KPROBES][64];
	char events_file[PATH_MAX];
	char del[NR_KPROBES][64];
	volatile sig_atomic_t created[NR_KPROBES];
	int undo_err[NR_KPROBES];
	int step;
};

/**
 * rs_kprobes_create() - Create the rmapstat kprobe events.
 * @k: zeroed by the caller; filled.
 * @l: where the walk functions' arguments and the walks' locks are
 *     (layout.h).
 * @which: RS_KPROBES_* bits: WALKS, the entry and exit events of the walk
 *         functions; VISITS, the kretprobes on the VMA iterators
 *         (visit_anon_first, visit_anon_next, visit_file_first,
 *         visit_file_next, each with vma=$retval), one hit per VMA a walk
 *         visits; HOLDS, hold_anon and hold_file (fetch arguments from
 *         rs_layout_hold_args()), one hit per lock a walk takes.
 * @live_others: other rmapstat records running: if there are rmapstat
 *               kprobes, they are theirs (rs_sweep_kprobes()).
 * @err: filled on failure.
 *
 * Those of a dead run are removed first. Each event probes the first of
 * its functions that can be probed (rmap_walk_file, else 7.3's
 * __rmap_walk_file; anon_vma_interval_tree_*, else anon_rmap_tree_*;
 * vma_interval_tree_*, else mapping_rmap_tree_*). A probe on
 * rmap_walk_ksm, rmap_walk_anon, rmap_walk_file or an iterator that cannot
 * be made (inlined into every caller, not built, or not in the BTF; for a
 * hold, no hold layout) is skipped with a line on stderr saying what that
 * costs; rmap_walk and rmap_walk_locked must exist. Their removal is an
 * undo step of the cleanup registry from the first one on.
 *
 * Return: 0, or -errno (RS_EXIT_BUSY, RS_EXIT_NO_EVENTS, ...).
 */
int rs_kprobes_create(struct rs_kprobes *k, const struct rs_layout *l, unsigned int which,
		      int live_others, struct rs_error *err);

/**
 * rs_kprobes_count() - The events created of some kinds.
 * @k: the events.
 * @which: RS_KPROBES_* bits.
 *
 * Return: how many of those events exist.
 */
unsigned int rs_kprobes_count(const struct rs_kprobes *k, unsigned int which);

/**
 * rs_kprobes_functions() - The functions probed, for people and trace.dat.
 * @k: the events.
 * @buf: filled with " rmap_walk rmap_walk_locked ... __rmap_walk_file ...
 *       anon_vma_interval_tree_iter_first ...", each function once (a
 *       visit and a hold event probe the same), with a space before each;
 *       cut to fit.
 * @len: size of @buf.
 */
void rs_kprobes_functions(const struct rs_kprobes *k, char *buf, size_t len);

/**
 * rs_kprobes_remove() - Remove the events and free them.
 * @k: what rs_kprobes_create() filled (also after it failed).
 * @err: filled when one could not be removed.
 *
 * Runs the undo step; an event still enabled somewhere is then removed
 * by force (disabled in every instance first).
 *
 * Return: 0, or -errno of the last event that stays.
 */
int rs_kprobes_remove(struct rs_kprobes *k, struct rs_error *err);

/**
 * rs_kprobes_report_misses() - Kprobe hits the kernel could not record.
 * @k: the events.
 * @f: one line per event that missed hits (kretprobe instances exhausted).
 *
 * Return: the total of missed hits.
 */
unsigned long long rs_kprobes_report_misses(const struct rs_kprobes *k, FILE *f);

#endif
