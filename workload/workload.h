/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Built-in workloads of `rmapstat record`: mappings whose pages make the
 * kernel walk the reverse map, KSM control, and the triggers that start a
 * walk on a chosen page (NUMA migration or the page_idle bitmap).
 *
 * Typical use (cli/record.c):
 *
 *	struct workload_opts o;
 *	struct workload wl;
 *	struct rs_error err;
 *
 *	rs_workload_opts_init(&o);
 *	... fill o from the command line (rs_workload_parse_kinds/_trigger) ...
 *	if (rs_workload_check_env(&o, &err))	// before touching tracefs
 *		return rs_error_print("record", &err);
 *	if (rs_workload_setup(&wl, &o, &err))	// map, fill, split, merge
 *		goto out;			// (KSM knobs already restored)
 *	... start tracing ...
 *	rs_victim_start(&wl, sink, ctx, &err);	// with o.victim: the threads
 *	ret = rs_workload_trigger(&wl, &err);	// the walks happen here
 *	rs_victim_stop(&wl, &err);		// the threads stopped and joined
 *	rs_victim_print(&wl, stderr);		// their latencies
 *	... stop tracing ...
 * out:
 *	rs_workload_teardown(&wl);		// victims stopped, munmap,
 *						// rs_ksm_knobs_restore()
 *
 * The KSM knobs register their restore with the cleanup registry
 * (cleanup.h) at the first change, so that a signal handler that calls
 * rs_cleanup_run_all(), and exit(), put them back; the victim threads
 * register a step that stops them. From a SIGINT/SIGTERM handler,
 * rs_workload_stop() makes the merge wait or the trigger loop return
 * -EINTR, and the victim threads stop after their operation.
 *
 * Every function that can fail returns 0 or a negative errno and fills
 * the struct rs_error it is given (error.h; NULL is allowed), with the
 * exit status rmapstat record gives for it:
 *
 *	RS_EXIT_USAGE		bad option value or combination (-EINVAL)
 *	RS_EXIT_NOT_ROOT	KSM sysfs, pagemap pfns, MPOL_MF_MOVE_ALL need
 *				root (-EPERM, -EACCES)
 *	RS_EXIT_NO_KSM		/sys/kernel/mm/ksm is missing (-ENOENT)
 *	RS_EXIT_NO_PAGE_IDLE	/sys/kernel/mm/page_idle/bitmap is missing (-ENOENT)
 *	RS_EXIT_ONE_NODE	--trigger migrate without a second NUMA node
 *				with memory (-ENODEV; -ENOSYS: no move_pages())
 *	RS_EXIT_WORKLOAD	the workload failed: -ETIMEDOUT KSM did not
 *				merge in time, -ENXIO no pfn for a page, else
 *				the -errno of the failed call (move_pages(),
 *				mmap(), a KSM knob, ...)
 *	RS_EXIT_SIGNAL_BASE + SIGINT  -EINTR: rs_workload_stop() was called
 *				(the caller knows which signal it was)
 */
#ifndef RMAPSTAT_WORKLOAD_H
#define RMAPSTAT_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define WL_DEFAULT_PAGES		20000UL
#define WL_DEFAULT_MERGE_TIMEOUT	120	/* seconds */
#define WL_MAX_REPEAT			100000U
#define WL_MAX_VICTIM_THREADS		64

/* Workload kinds, usable as a bit mask (WL_ALL = all three). */
enum workload_kind {
	WL_KSM = 0,		/* alike pages, MADV_MERGEABLE, KSM-merged */
	WL_ANON = 1,		/* private anonymous, every page touched */
	WL_FILE = 2,		/* MAP_SHARED file in opts.file_dir, touched */
	WL_NR_KINDS
};
#define WL_MASK(kind)	(1U << (kind))
#define WL_ALL		(WL_MASK(WL_KSM) | WL_MASK(WL_ANON) | WL_MASK(WL_FILE))

enum workload_trigger {
	WL_TRIGGER_NONE = 0,	/* set up only, the caller provokes walks */
	WL_TRIGGER_MIGRATE,	/* move_pages() the page to another node */
	WL_TRIGGER_IDLE,	/* mark it idle in /sys/kernel/mm/page_idle/bitmap */
	WL_NR_TRIGGERS
};

/* What the victim threads do, over and over, while the triggers run (victim.c). */
enum workload_victim {
	WL_VICTIM_NONE = 0,
	WL_VICTIM_MPROTECT,	/* flip one page between read-only and read-write */
	WL_VICTIM_MUNMAP,	/* munmap one page, mmap it again, fault it in */
	WL_VICTIM_FORK,		/* fork, the child exits at once, wait for it */
	WL_NR_VICTIMS
};

struct workload_opts {
	unsigned int kinds;		/* WL_MASK() bits; default WL_MASK(WL_KSM) */
	unsigned long pages;		/* pages per mapping; default 20000 */
	bool split;			/* mprotect(PROT_READ) every odd page; default on */
	enum workload_trigger trigger;	/* default WL_TRIGGER_NONE */
	unsigned int repeat;		/* triggers per mapping; default 1 */
	long page_index;		/* page to trigger on; -1 (default) = pages / 2 */
	unsigned int merge_timeout;	/* seconds to wait for KSM; default 120 */
	const char *file_dir;		/* WL_FILE directory; NULL = $TMPDIR or /tmp */
	bool quiet;			/* no progress line on stderr */
	enum workload_victim victim;	/* default WL_VICTIM_NONE */
	unsigned int victim_threads;	/* 1..WL_MAX_VICTIM_THREADS; default 1 */
};

/* One mapping of the workload. */
struct workload_map {
	enum workload_kind kind;
	char *addr;			/* NULL when this kind is not in opts.kinds */
	unsigned long pages;
	unsigned long vmas;		/* VMAs covering it after the split */
	int fd;				/* WL_FILE: the (unlinked) file; else -1 */
};

/* The result of one trigger. */
struct workload_hit {
	enum workload_kind kind;
	unsigned long index;		/* page index in its mapping */
	void *addr;
	uint64_t pfn_before;		/* from /proc/self/pagemap */
	uint64_t pfn_after;		/* after the trigger (new pfn if migrated) */
	int node_before;		/* -1 when unknown */
	int node_after;
	int target_node;		/* migrate: the node asked for; else -1 */
	long move_rc;			/* migrate: move_pages() return of the last attempt */
	int move_status;		/* migrate: status[0]: node, -errno, or -EINPROGRESS
					   when the kernel left it unwritten (queued, not moved) */
	int attempts;			/* migrate: move_pages() calls made */
	double seconds;			/* time the trigger took (all attempts) */
	bool moved;			/* migrate: page ended on target_node */
	bool ksm;			/* the page was a KSM page (wl_pfn_is_ksm; false if unknown) */
	long mapcount;			/* its mapcount before (/proc/kpagecount), -1 if unknown */
};

/* System-wide KSM counters from /sys/kernel/mm/ksm. */
struct ksm_counters {
	unsigned long pages_shared;
	unsigned long pages_sharing;
	unsigned long pages_unshared;
	unsigned long full_scans;
	unsigned long max_page_sharing;
};

struct victim;

struct workload {
	struct workload_opts opts;
	struct workload_map map[WL_NR_KINDS];
	size_t page_size;
	/* KSM merge outcome (kinds containing WL_KSM) */
	struct ksm_counters ksm_before;	/* before MADV_MERGEABLE */
	struct ksm_counters ksm_merged;	/* when the merge was complete */
	unsigned long merged_pages;	/* this process's pages in KSM pages */
	unsigned long expected_sharing;	/* pages - ceil(pages / max_page_sharing) */
	double merge_seconds;
	unsigned long unmerged_after;	/* merged pages lost by the end of the triggers */
	/* triggers */
	struct workload_hit *hits;
	size_t nr_hits;
	/* the victim threads (victim.c); NULL: none started */
	struct victim *victim;
};

/* ---------------------------------------------------------- options */

/**
 * rs_workload_opts_init() - The default options.
 * @o: filled with the defaults of the struct workload_opts comments.
 */
void rs_workload_opts_init(struct workload_opts *o);

/**
 * rs_workload_parse_kinds() - Parse the kinds of --workload.
 * @s: "ksm", "anon", "file", "all" or a comma list of them.
 * @kinds: set to their WL_MASK() bits.
 * @err: filled on failure (RS_EXIT_USAGE).
 *
 * Return: 0 or -EINVAL.
 */
int rs_workload_parse_kinds(const char *s, unsigned int *kinds, struct rs_error *err);

/**
 * rs_workload_parse_trigger() - Parse --trigger.
 * @s: "migrate", "idle" or "none".
 * @t: set to the trigger.
 * @err: filled on failure (RS_EXIT_USAGE).
 *
 * Return: 0 or -EINVAL.
 */
int rs_workload_parse_trigger(const char *s, enum workload_trigger *t, struct rs_error *err);

/**
 * rs_workload_kind_name() - The name of a kind.
 * @kind: the kind.
 *
 * Return: "ksm", "anon", "file", or "?".
 */
const char *rs_workload_kind_name(enum workload_kind kind);

/**
 * rs_workload_trigger_name() - The name of a trigger.
 * @t: the trigger.
 *
 * Return: "migrate", "idle" or "none".
 */
const char *rs_workload_trigger_name(enum workload_trigger t);

/* --------------------------------------------------------- workloads */

/**
 * rs_workload_check_env() - Can these options run here?
 * @o: the options.
 * @err: filled on failure.
 *
 * Checks the option values (the victim's with rs_victim_check_opts()),
 * root, KSM, page_idle and the NUMA nodes, and changes nothing.
 *
 * Return: 0, or -errno (see the top of this file).
 */
int rs_workload_check_env(const struct workload_opts *o, struct rs_error *err);

/**
 * rs_workload_setup() - Map, fill, split and merge the workload.
 * @wl: the workload, filled.
 * @o: its options.
 * @err: filled on failure.
 *
 * Maps and fills every mapping, splits it, and for WL_KSM speeds KSM up
 * (saving the knobs) and waits until it merged the pages, with a progress
 * line on stderr (\r-updated on a tty, else one line every 5 s), then
 * pauses ksmd (rs_ksm_knobs_pause()) so the pages stay merged and ksmd
 * does not race with the triggers. On failure everything done so far is
 * undone (@wl stays safe for rs_workload_teardown()).
 *
 * Return: 0, or -errno.
 */
int rs_workload_setup(struct workload *wl, const struct workload_opts *o, struct rs_error *err);

/**
 * rs_workload_trigger() - Make the kernel walk the rmap of the chosen pages.
 * @wl: a workload rs_workload_setup() made.
 * @err: filled on failure.
 *
 * Runs opts.trigger opts.repeat times on each mapping and stores the
 * results in wl->hits (those done so far also on failure). migrate: the
 * page at opts.page_index moves to another node (then back and forth on
 * repeats), up to 5 move_pages() attempts each, since ksmd may hold the
 * page; idle: pages index, index+1, ... are marked idle one at a time
 * (each write walks that page's rmap).
 *
 * Return: 0, or -errno.
 */
int rs_workload_trigger(struct workload *wl, struct rs_error *err);

/**
 * rs_workload_print_hits() - One line per hit.
 * @wl: the workload.
 * @f: where the lines go, e.g. "migrate: ksm page 10000 pfn 0x1a2b3
 *     (KSM, mapcount 256) node 0 -> 1: moved (move_pages rc 0, status 1,
 *     1 attempt, 0.012 s), new pfn 0x3dd".
 */
void rs_workload_print_hits(const struct workload *wl, FILE *f);

/**
 * rs_workload_teardown() - Stop the victims, unmap, close, free, restore.
 * @wl: the workload. Idempotent.
 *
 * The victim threads are stopped and joined first (rs_victim_free()),
 * then the mappings unmapped, the hits freed and the KSM knobs restored.
 */
void rs_workload_teardown(struct workload *wl);

/**
 * rs_workload_stop() - Stop waiting for KSM and triggering.
 *
 * Async-signal-safe and sticky: a running or later rs_workload_setup()
 * stops waiting for KSM, rs_workload_trigger() stops before its next
 * trigger (the hits so far stay in wl->hits); both return -EINTR.
 */
void rs_workload_stop(void);

/* ---------------------------------------------- victims (victim.c) */

struct rs_op_marker;

/**
 * typedef rs_victim_sink - Where a victim's operation goes, as it is done.
 * @m: the operation: RS_OP_MARKER_ID, its enum rs_op, the thread's index,
 *     0 or its -errno, and CLOCK_MONOTONIC before and after it
 *     (lib/walk/op_marker.h).
 * @ctx: what rs_victim_start() was given.
 *
 * Called on the victim thread, right after the operation, by all the
 * threads at once: it must be thread-safe (rmapstat record writes @m to
 * trace_marker_raw, one write() each).
 */
typedef void (*rs_victim_sink)(const struct rs_op_marker *m, void *ctx);

/**
 * struct victim_stats - The latencies of one operation, all threads.
 * @threads: the victim threads.
 * @ops: operations that succeeded, whose latencies these are.
 * @failed: operations that failed (each stopped its thread).
 * @p99_ns: nearest-rank 99th percentile, exact (every latency is kept).
 * @max_ns: the longest.
 */
struct victim_stats {
	unsigned int threads;
	unsigned long ops;
	unsigned long failed;
	uint64_t p99_ns;
	uint64_t max_ns;
};

/**
 * rs_workload_parse_victim() - Parse --victim.
 * @s: "mprotect", "munmap" or "fork".
 * @v: set to the victim.
 * @err: filled on failure (RS_EXIT_USAGE).
 *
 * Return: 0 or -EINVAL.
 */
int rs_workload_parse_victim(const char *s, enum workload_victim *v, struct rs_error *err);

/**
 * rs_workload_victim_name() - The name of a victim.
 * @v: the victim.
 *
 * Return: "mprotect", "munmap", "fork" or "none".
 */
const char *rs_workload_victim_name(enum workload_victim v);

/**
 * rs_victim_check_opts() - Can the victim of these options run?
 * @o: the options; nothing to check without o->victim.
 * @err: filled on failure (RS_EXIT_USAGE; the fix names the option).
 *
 * A victim needs the ksm or the anon workload (it uses the KSM mapping
 * when there is one), a trigger, 1 to WL_MAX_VICTIM_THREADS threads and,
 * for mprotect and munmap, a page per thread: thread t works on page
 * 2 + 4t, which must be in the mapping and not be a page the trigger
 * walks.
 *
 * Return: 0 or -EINVAL.
 */
int rs_victim_check_opts(const struct workload_opts *o, struct rs_error *err);

/**
 * rs_victim_start() - Start the victim threads of wl->opts.victim.
 * @wl: a workload rs_workload_setup() made; wl->victim is set.
 * @sink: gets each operation (NULL: none; the latencies are kept anyway).
 * @ctx: passed to @sink.
 * @err: filled on failure.
 *
 * The options are checked as rs_victim_check_opts() does, but for the
 * trigger, which the threads do not need (tests run them without one).
 * Starts wl->opts.victim_threads threads, with every signal blocked, that
 * repeat the operation (see victim.c for what each does, and which lock
 * it needs) until rs_victim_stop(), rs_workload_stop(), the first
 * operation that fails, or the undo step it registers with the cleanup
 * registry. Does nothing without wl->opts.victim.
 *
 * Return: 0, or -errno (the threads started are stopped again).
 */
int rs_victim_start(struct workload *wl, rs_victim_sink sink, void *ctx, struct rs_error *err);

/**
 * rs_victim_stop() - Stop and join the victim threads.
 * @wl: the workload.
 * @err: filled with the first thread's failure (RS_EXIT_WORKLOAD).
 *
 * Each thread finishes its operation (a munmap victim its cycle, an
 * mprotect victim makes its page read-write again), so the mapping is as
 * it was for rs_workload_teardown(). Idempotent: later calls return the
 * first one's result and fill nothing. Nothing to do without victims.
 *
 * Return: 0, or the -errno of the first failed operation.
 */
int rs_victim_stop(struct workload *wl, struct rs_error *err);

/**
 * rs_victim_stats() - The latencies of one operation, once stopped.
 * @wl: the workload.
 * @op: an enum rs_op.
 * @st: filled.
 *
 * Return: 0; -ENOENT when there are no victims or they run still;
 * -ENOMEM.
 */
int rs_victim_stats(const struct workload *wl, unsigned int op, struct victim_stats *st);

/**
 * rs_victim_print() - One line per operation the victims did.
 * @wl: the workload, its victims stopped.
 * @f: where the lines go, e.g. "victim mprotect: 1 thread, 5321 ops,
 *     p99 0.21 ms, max 2.31 s" (and ", N failed" when some failed).
 */
void rs_victim_print(const struct workload *wl, FILE *f);

/**
 * rs_victim_free() - Stop the victims, free them; wl->victim is NULL.
 * @wl: the workload. Idempotent.
 */
void rs_victim_free(struct workload *wl);

/* -------------------------------------- KSM control (ksm_knobs.c) */

/**
 * rs_ksm_available() - Does the kernel have KSM?
 *
 * Return: true if /sys/kernel/mm/ksm/run exists.
 */
bool rs_ksm_available(void);

/**
 * rs_ksm_counters_read() - Read the system-wide KSM counters.
 * @c: filled.
 * @err: filled on failure.
 *
 * Return: 0, or -errno (RS_EXIT_NO_KSM when there is no KSM).
 */
int rs_ksm_counters_read(struct ksm_counters *c, struct rs_error *err);

/**
 * rs_ksm_knobs_speed_up() - Make ksmd merge fast.
 * @pages_to_scan: pages per scan.
 * @sleep_ms: sleep between scans.
 * @err: filled on failure.
 *
 * Saves and changes: run=1, pages_to_scan, sleep_millisecs and, when it
 * is not "none", advisor_mode=none (the advisor would override
 * pages_to_scan); each saved value is noted in the journal before the
 * first change, each new value before it is written. merge_across_nodes,
 * max_page_sharing, use_zero_pages and smart_scan are left alone. A second
 * call only changes values, the saved ones stay.
 *
 * Return: 0, or -errno.
 */
int rs_ksm_knobs_speed_up(unsigned int pages_to_scan, unsigned int sleep_ms,
			  struct rs_error *err);

/**
 * rs_ksm_knobs_pause() - Stop ksmd, merged pages stay merged.
 * @err: filled on failure.
 *
 * Puts back pages_to_scan, sleep_millisecs, advisor_mode and writes run=0,
 * so that ksmd cannot race with the triggers. rs_ksm_knobs_restore() later
 * writes the saved run back.
 *
 * Return: 0, or -errno (-EINVAL before rs_ksm_knobs_speed_up()).
 */
int rs_ksm_knobs_pause(struct rs_error *err);

/**
 * rs_ksm_knobs_restore() - Write back every saved knob (run last).
 *
 * Runs the knobs' step of the cleanup registry. Async-signal-safe and
 * idempotent.
 */
void rs_ksm_knobs_restore(void);

/**
 * rs_ksm_merging_pages() - This process's pages in KSM pages.
 *
 * Return: /proc/self/ksm_merging_pages, or -1 if unknown.
 */
long rs_ksm_merging_pages(void);

/* ---------------------------------- page helpers (workload_page.c) */

/**
 * rs_pagemap_entry() - The raw /proc/self/pagemap entry of a page.
 * @addr: the page.
 * @ent: set to the entry (bit 63 present, bit 62 swapped, bits 0-54 the
 *       pfn when present and the reader may see pfns).
 *
 * For callers that need to tell a swap entry from a page that was never
 * touched, which rs_page_pfn() does not.
 *
 * Return: 0, or -errno.
 */
int rs_pagemap_entry(const void *addr, uint64_t *ent);

/**
 * rs_pfn_flags() - The /proc/kpageflags word of a pfn.
 * @pfn: the page frame.
 * @flags: set to its KPF_* bits (include/uapi/linux/kernel-page-flags.h).
 *
 * Return: 0, or -errno.
 */
int rs_pfn_flags(uint64_t pfn, uint64_t *flags);

/**
 * rs_page_pfn() - The pfn of a present page.
 * @addr: the page.
 * @pfn: set to its page frame number.
 * @err: filled on failure.
 *
 * Return: 0, -ENXIO when /proc/self/pagemap gives no pfn, -EPERM when it
 * hides pfns (not root).
 */
int rs_page_pfn(const void *addr, uint64_t *pfn, struct rs_error *err);

/**
 * rs_page_node() - The NUMA node of a page.
 * @addr: the page.
 *
 * Return: the node (move_pages with nodes=NULL), or -errno.
 */
int rs_page_node(void *addr);

/**
 * rs_pfn_is_ksm() - Is this pfn a KSM page?
 * @pfn: the page frame.
 *
 * KPF_KSM in /proc/kpageflags and mapped more than once: 6.12 sets KPF_KSM
 * on every anonymous page (it tests mapping & PAGE_MAPPING_KSM), so a
 * page of a process that never forked counts as KSM only when it is
 * shared.
 *
 * Return: 1 if it is, 0 if not, -errno if unknown.
 */
int rs_pfn_is_ksm(uint64_t pfn);

/**
 * rs_pfn_mapcount() - The mapcount of a pfn.
 * @pfn: the page frame.
 *
 * Return: its /proc/kpagecount, or -errno if unknown.
 */
long rs_pfn_mapcount(uint64_t pfn);

/**
 * rs_count_vmas() - VMAs of this process in a range.
 * @addr: start of the range.
 * @len: its length.
 *
 * Return: the VMAs of /proc/self/maps that intersect it, or -errno.
 */
long rs_count_vmas(const void *addr, size_t len);

/**
 * rs_page_idle_mark() - Mark a pfn idle, which walks its rmap.
 * @pfn: the page frame.
 * @err: filled on failure.
 *
 * Return: 0, or -errno (RS_EXIT_NO_PAGE_IDLE without the bitmap).
 */
int rs_page_idle_mark(uint64_t pfn, struct rs_error *err);

/**
 * rs_other_node() - A NUMA node with memory other than a given one.
 * @from: the node to move away from.
 *
 * Return: the next node after @from (wrapping) that has memory, or -1.
 */
int rs_other_node(int from);

/**
 * rs_page_migrate() - Move a page to a node.
 * @addr: the page.
 * @node: the node.
 * @attempts: move_pages() calls at most, while it was not moved.
 * @hit: its move_rc, move_status, attempts, moved, node_after and
 *       target_node are set.
 * @err: filled on failure.
 *
 * With MPOL_MF_MOVE_ALL, so that shared (KSM) pages move too. A page that
 * did not move while move_pages() succeeded is not a failure: @hit says.
 *
 * Return: 0, or the -errno of move_pages() when it failed every time.
 */
int rs_page_migrate(void *addr, int node, int attempts, struct workload_hit *hit,
		    struct rs_error *err);

#endif
