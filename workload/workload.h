/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Built-in workloads of `rmapstat record`: mappings whose pages make the
 * kernel walk the reverse map, KSM control, and the triggers that start a
 * walk on a chosen page (NUMA migration or the page_idle bitmap).
 *
 * Typical use (record.c):
 *
 *	struct workload_opts o;
 *	struct workload wl;
 *
 *	workload_opts_init(&o);
 *	... fill o from the command line (workload_parse_kinds/_trigger) ...
 *	if ((err = workload_check_env(&o)))	// before touching tracefs
 *		die(err, workload_error());
 *	if ((err = workload_setup(&wl, &o)))	// map, fill, split, merge
 *		goto out;			// (KSM knobs already restored)
 *	... start tracing ...
 *	err = workload_trigger(&wl);		// the walks happen here
 *	... stop tracing ...
 * out:
 *	workload_teardown(&wl);			// munmap + ksm_knobs_restore()
 *
 * From a SIGINT/SIGTERM handler: call workload_stop() (makes the merge
 * wait or the trigger loop return WL_ERR_INTERRUPTED) and/or
 * ksm_knobs_restore(); both are async-signal-safe. ksm_knobs_restore() is
 * also registered with atexit() by the first knob change, and is idempotent.
 *
 * Every function returning int returns 0 or one of enum workload_err;
 * workload_error() then gives a one-line message naming cause and fix
 * (without a "rmapstat:" prefix and without a newline).
 */
#ifndef RMAPSTAT_WORKLOAD_H
#define RMAPSTAT_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WL_DEFAULT_PAGES		20000UL
#define WL_DEFAULT_MERGE_TIMEOUT	120	/* seconds */
#define WL_MAX_REPEAT			100000U

/* Distinct error codes: record.c maps them to its documented exit codes. */
enum workload_err {
	WL_OK = 0,
	WL_ERR_USAGE,		/* bad option value or combination */
	WL_ERR_NOT_ROOT,	/* KSM sysfs, pagemap pfns, MPOL_MF_MOVE_ALL need root */
	WL_ERR_NO_KSM,		/* /sys/kernel/mm/ksm missing: CONFIG_KSM=n */
	WL_ERR_NO_PAGE_IDLE,	/* /sys/kernel/mm/page_idle/bitmap missing */
	WL_ERR_ONE_NODE,	/* --trigger migrate with fewer than 2 NUMA nodes */
	WL_ERR_MERGE_TIMEOUT,	/* KSM did not merge the pages in time */
	WL_ERR_NO_PFN,		/* /proc/self/pagemap gave no pfn */
	WL_ERR_MIGRATE,		/* the move_pages() call itself failed (-1, errno) */
	WL_ERR_INTERRUPTED,	/* workload_stop() was called */
	WL_ERR_SYSTEM,		/* any other failed system call (errno named) */
};

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
};

/* Options */
void workload_opts_init(struct workload_opts *o);
/* "ksm", "anon", "file", "all" or a comma list of them */
int workload_parse_kinds(const char *s, unsigned int *kinds);
/* "migrate", "idle", "none" */
int workload_parse_trigger(const char *s, enum workload_trigger *t);
const char *workload_kind_name(enum workload_kind kind);	/* "ksm" ... */
const char *workload_trigger_name(enum workload_trigger t);

/* Checks root, KSM, page_idle and NUMA nodes for these options; no side effect. */
int workload_check_env(const struct workload_opts *o);

/*
 * Maps and fills every mapping, splits it, and for WL_KSM speeds KSM up
 * (saving the knobs) and waits until it merged the pages, with a progress
 * line on stderr (\r-updated on a tty, else one line every 5 s), then
 * pauses ksmd (ksm_knobs_pause) so the pages stay merged and ksmd does not
 * race with the triggers. On error everything done so far is undone
 * (wl stays safe for workload_teardown).
 */
int workload_setup(struct workload *wl, const struct workload_opts *o);

/*
 * Runs opts.trigger opts.repeat times on each mapping and stores the
 * results in wl->hits. migrate: the page at opts.page_index moves to another
 * node (then back and forth on repeats), up to 5 move_pages() attempts
 * each, since ksmd may hold the page; idle: pages index, index+1, ... are
 * marked idle one at a time (each write walks that page's rmap).
 */
int workload_trigger(struct workload *wl);

/*
 * One human-readable line per hit on f, e.g.
 * "migrate: ksm page 10000 pfn 0x1a2b3 (KSM) node 0 -> 1: moved (move_pages rc 0, status 1, 1 attempt)"
 */
void workload_print_hits(const struct workload *wl, FILE *f);

/* Unmaps, closes, frees the hits and restores the KSM knobs. Idempotent. */
void workload_teardown(struct workload *wl);

/*
 * Async-signal-safe and sticky: a running or later workload_setup() stops
 * waiting for KSM, workload_trigger() stops before its next trigger (the
 * hits so far stay in wl->hits); both return WL_ERR_INTERRUPTED.
 */
void workload_stop(void);

/* Message of the last error (one line, names the fix). */
const char *workload_error(void);

/* KSM control (workload/ksm_knobs.c) */
bool ksm_available(void);
int ksm_counters_read(struct ksm_counters *c);
/*
 * Saves and changes: run=1, pages_to_scan, sleep_millisecs and, when it is
 * not "none", advisor_mode=none (the advisor would override pages_to_scan).
 * merge_across_nodes, max_page_sharing, use_zero_pages and smart_scan are
 * left alone. A second call only changes values, the saved ones stay.
 */
int ksm_knobs_speed_up(unsigned int pages_to_scan, unsigned int sleep_ms);
/*
 * Puts back pages_to_scan, sleep_millisecs, advisor_mode and stops ksmd
 * (run=0; merged pages stay merged) so that it cannot race with the
 * triggers. ksm_knobs_restore() later writes the saved run back.
 */
int ksm_knobs_pause(void);
/* Writes back every saved knob (run last). Async-signal-safe, idempotent. */
void ksm_knobs_restore(void);
/* This process's pages in KSM pages (/proc/self/ksm_merging_pages), -1 if unknown. */
long ksm_merging_pages(void);

/* Page helpers (workload/workload_page.c) */
/* pfn of the page at addr (present, root needed for a non-zero pfn). */
int wl_page_pfn(const void *addr, uint64_t *pfn);
/* NUMA node of the page at addr, or -errno (move_pages with nodes=NULL). */
int wl_page_node(void *addr);
/*
 * 1 if the pfn is a KSM page, 0 if not, -errno if unknown: KPF_KSM in
 * /proc/kpageflags and mapped more than once. 6.12 sets KPF_KSM on every
 * anonymous page (it tests mapping & PAGE_MAPPING_KSM), so a page of a
 * process that never forked counts as KSM only when it is shared.
 */
int wl_pfn_is_ksm(uint64_t pfn);
/* Mapcount of the pfn (/proc/kpagecount), -errno if unknown. */
long wl_pfn_mapcount(uint64_t pfn);
/* VMAs in /proc/self/maps intersecting [addr, addr + len). */
long wl_count_vmas(const void *addr, size_t len);
/* Marks pfn idle in /sys/kernel/mm/page_idle/bitmap (walks its rmap). */
int wl_page_idle_mark(uint64_t pfn);
/*
 * Moves the page at addr to node with MPOL_MF_MOVE_ALL, retrying up to
 * attempts times while it was not moved; fills move_rc, move_status,
 * attempts, moved, node_after, target_node of hit.
 */
int wl_page_migrate(void *addr, int node, int attempts, struct workload_hit *hit);

#endif
