/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One decoded walk event: what rmap:rmap_walk_start/end or a kprobe of the
 * rmapstat fallback said, independent of libtraceevent. The pairing engine
 * (pairing.h) consumes these; walk_decode.h makes them from tep records,
 * tests make them by hand. A visit event (one VMA an interval-tree iterator
 * handed to the running walk) is one too: the pairing counts them into the
 * kprobe walks, which have no nr_visited of their own.
 */
#ifndef RS_WALK_EVENT_H
#define RS_WALK_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#define RS_COMM_LEN	16

/* enum rmap_walk_kind of include/trace/events/rmap.h, plus "not known" */
enum rs_kind {
	RS_KIND_KSM = 0,
	RS_KIND_ANON = 1,
	RS_KIND_FILE = 2,
	RS_KIND_UNKNOWN = 3,
	RS_KIND_NR
};

enum rs_ev_type {
	/* the walks themselves: these four, in this order, come first */
	RS_EV_START,		/* rmap:rmap_walk_start */
	RS_EV_END,		/* rmap:rmap_walk_end */
	RS_EV_ENTRY,		/* rmapstat:<func>_entry (kprobe) */
	RS_EV_EXIT,		/* rmapstat:<func>_exit (kretprobe) */
	RS_EV_VISIT,		/* rmapstat:visit_* (kretprobe on a VMA iterator) */
	RS_EV_HOLD,		/* rmapstat:hold_* (kprobe): a walk's task holds a lock */
	RS_EV_WAIT,		/* lock:contention_begin: a task starts waiting */
	RS_EV_WAKE,		/* lock:contention_end: it stops waiting */
	RS_EV_OP,		/* ftrace:raw_data of a victim thread (op_marker.h) */
	RS_EV_NR
};

/*
 * The probed function of a kprobe event; RS_FUNC_NONE for tracepoints.
 * rmap_walk and rmap_walk_locked dispatch to the other three; a compiler
 * may inline them into their callers, which then call those directly.
 * RS_WALK_FUNCS(X) lists them once, as X(ENUM_SUFFIX, function name), for
 * the enum, their names and the kprobe events named after them.
 */
#define RS_WALK_FUNCS(X)					\
	X(RMAP_WALK, rmap_walk)					\
	X(RMAP_WALK_LOCKED, rmap_walk_locked)			\
	X(RMAP_WALK_KSM, rmap_walk_ksm)				\
	X(RMAP_WALK_ANON, rmap_walk_anon)			\
	X(RMAP_WALK_FILE, rmap_walk_file)

#define RS_FUNC_ENUM(id, fn)	RS_FUNC_##id,
enum rs_func {
	RS_FUNC_NONE = 0,
	RS_WALK_FUNCS(RS_FUNC_ENUM)
	RS_FUNC_NR
};
#undef RS_FUNC_ENUM

/*
 * The visit events of the kprobe fallback: kretprobes in system "rmapstat"
 * on the interval-tree iterators that hand the walks their VMAs, with one
 * fetch argument, "vma=$retval:x64" (for the anon tree the value is the
 * anon_vma_chain, for the file tree the vma; either way non-NULL is one
 * VMA visited, NULL the end of the iteration). X(tree, event name) each,
 * the tree as the RS_KIND_ suffix of the walks that iterate it (KSM walks
 * iterate the anon tree):
 *
 *   visit_anon_first, visit_anon_next	anon_vma_interval_tree_iter_first/_next
 *					(7.3: anon_rmap_tree_iter_first/_next)
 *   visit_file_first, visit_file_next	vma_interval_tree_iter_first/_next
 *					(7.3: mapping_rmap_tree_iter_first/_next)
 */
#define RS_VISIT_EVENTS(X)					\
	X(ANON, visit_anon_first)				\
	X(ANON, visit_anon_next)				\
	X(FILE, visit_file_first)				\
	X(FILE, visit_file_next)

/* The fetch argument of the visit events: its name and the kprobe_events text. */
#define RS_VISIT_FIELD		"vma"
#define RS_VISIT_FETCHARG	RS_VISIT_FIELD "=$retval:x64"

/*
 * The lock-hold events: kprobes in system "rmapstat" on the entry of the
 * interval-tree iterators' first call, which a walk makes right after it
 * took the lock of the tree it iterates (KSM walks once per rmap_item,
 * each with its own anon_vma). X(tree, event name) each:
 *
 *   hold_anon	anon_vma_interval_tree_iter_first (7.3: anon_rmap_tree_iter_first)
 *   hold_file	vma_interval_tree_iter_first (7.3: mapping_rmap_tree_iter_first)
 *
 * Fetch arguments "base=...:x64 off=\N:s32": the lock that is held is the
 * rw_semaphore at base + off, the address lock:contention_begin names.
 * hold_anon's base is the anon_vma's root (read through the tree's
 * address: root is a field of the anon_vma whose rb_root is iterated),
 * off offsetof(struct anon_vma, rwsem); hold_file's base is the tree
 * (&mapping->i_mmap), off the distance from i_mmap to i_mmap_rwsem. The
 * offsets come from the kernel's BTF (record/layout.h) and travel in the
 * events, so that a reader needs no layout.
 */
#define RS_HOLD_EVENTS(X)					\
	X(ANON, hold_anon)					\
	X(FILE, hold_file)

/* The fetch arguments of the hold events: the field names. */
#define RS_HOLD_BASE		"base"
#define RS_HOLD_OFF		"off"

/*
 * Flags of lock:contention_begin (include/trace/events/lock.h, the same
 * in every kernel since 5.19): how the task waits.
 */
#define RS_LCB_F_SPIN		(1U << 0)
#define RS_LCB_F_READ		(1U << 1)
#define RS_LCB_F_WRITE		(1U << 2)
#define RS_LCB_F_RT		(1U << 3)
#define RS_LCB_F_PERCPU		(1U << 4)
#define RS_LCB_F_MUTEX		(1U << 5)

/* Bits of rs_walk_event.has: which fields the event carried. */
enum {
	RS_HAS_PFN		= 1U << 0,
	RS_HAS_RWC		= 1U << 1,
	RS_HAS_RMAP_ONE		= 1U << 2,	/* the purpose */
	RS_HAS_KIND		= 1U << 3,
	RS_HAS_MAPCOUNT		= 1U << 4,	/* start only */
	RS_HAS_LOCKED		= 1U << 5,
	RS_HAS_VISITED		= 1U << 6,	/* end and visit: nr_visited */
	RS_HAS_CALLS		= 1U << 7,	/* end only: nr_rmap_one */
	RS_HAS_FOLIO		= 1U << 8,	/* kprobe entry: folio address */
	/*
	 * Kprobe entry: the trace has the visit events of the walk's kind
	 * (and they are decoded), so the pairing counts the walk's visits
	 * into its end's nr_visited (pairing.h).
	 */
	RS_HAS_VISIT_COUNT	= 1U << 9,
	RS_HAS_VMA		= 1U << 10,	/* visit: vma */
	/*
	 * Start only: nr_pages, folio_nr_pages(). Traces recorded before
	 * the tracepoint had the field lack it, and so do the kprobes.
	 */
	RS_HAS_NR_PAGES		= 1U << 11,
	RS_HAS_LOCK		= 1U << 12,	/* hold, wait, wake: lock */
	RS_HAS_OP		= 1U << 13,	/* op: the op_* fields */
};

struct rs_walk_event {
	uint64_t ts;			/* trace clock, ns for mono/global/local */
	int cpu;
	int pid;
	char comm[RS_COMM_LEN];		/* "" when not known */
	enum rs_ev_type type;
	enum rs_func func;
	enum rs_kind kind;
	/*
	 * With RS_HAS_KIND: the kind value as the event recorded it (a
	 * tracepoint's enum, which may be one this code does not know:
	 * kind is then RS_KIND_UNKNOWN), or the kind derived for a kprobe.
	 */
	unsigned int kind_raw;
	unsigned int has;		/* RS_HAS_* */
	/*
	 * Start: the pages of the folio (1: order 0). Beside has rather than
	 * mapcount: there it fills the hole before the 8-byte fields, and
	 * the struct, which the reader child sends as it is, keeps its size.
	 */
	unsigned int nr_pages;
	uint64_t pfn;
	uint64_t rwc;
	uint64_t rmap_one;
	uint64_t folio;
	int mapcount;
	bool locked;
	uint64_t vma;			/* visit: what the iterator returned */
	/*
	 * End: nr_visited of the tracepoint, or the visits the pairing
	 * counted for a kprobe walk. Visit: the VMAs it stands for (1, or 0
	 * for the NULL that ends an iteration; a reader may merge the visits
	 * of one task on one CPU into one event, see rs_pairing_feed()).
	 */
	unsigned int nr_visited;
	unsigned int nr_rmap_one;
	/*
	 * Hold, wait and wake: the lock's address (for the walks' locks an
	 * rw_semaphore: &anon_vma->root->rwsem, &mapping->i_mmap_rwsem).
	 */
	uint64_t lock;
	unsigned int lock_flags;	/* wait: RS_LCB_F_* */
	int lock_ret;			/* wake: contention_end's ret (0, -EINTR...) */
	/*
	 * Op: one operation of a victim thread, timed in user space with
	 * CLOCK_MONOTONIC, the clock of the "mono" trace clock
	 * (op_marker.h); ts is when the marker was written, after op_end.
	 */
	unsigned int op;		/* enum rs_op */
	unsigned int op_thread;		/* the victim thread's index */
	int op_ret;			/* 0, or the -errno the operation failed with */
	uint64_t op_start, op_end;
};

/**
 * rs_enum_name() - look a value up in a table of names indexed by an enum
 * @names: the names, @nr of them, indexed by the enum's values
 * @nr: the enum's *_NR, the number of values
 * @value: the value to name
 * @fallback: returned for a value out of range, e.g. one read from a file
 *
 * Return: names[@value], or @fallback when @value is not below @nr.
 */
const char *rs_enum_name(const char * const *names, unsigned int nr,
			 unsigned int value, const char *fallback);

/**
 * rs_kind_name() - the name of a walk kind, for reports
 * @kind: the kind
 *
 * Return: "KSM", "ANON", "FILE" or "unknown", a static string; "unknown"
 * for a value out of range as well.
 */
const char *rs_kind_name(enum rs_kind kind);

/**
 * rs_func_name() - the name of a probed function
 * @func: the function
 *
 * Return: "rmap_walk", "rmap_walk_locked", "rmap_walk_ksm",
 * "rmap_walk_anon" or "rmap_walk_file", a static string; "" for
 * RS_FUNC_NONE (tracepoints) and for a value out of range.
 */
const char *rs_func_name(enum rs_func func);

/**
 * rs_kind_from_mapping() - the kind of a folio from its mapping pointer
 * @mapping: folio->mapping as a kprobe recorded it
 *
 * The low bits say it, as include/linux/page-flags.h defines them:
 * PAGE_MAPPING_ANON 0x1, PAGE_MAPPING_KSM 0x3; any other non-NULL
 * mapping is a file's. A NULL mapping (folio being freed or truncated)
 * says nothing.
 *
 * Return: RS_KIND_KSM, RS_KIND_ANON or RS_KIND_FILE; RS_KIND_UNKNOWN for
 * a NULL @mapping.
 */
enum rs_kind rs_kind_from_mapping(uint64_t mapping);

/**
 * rs_func_kind() - the kind a probed function walks
 * @func: the function
 *
 * rmap_walk_ksm, _anon and _file walk one kind each (they run inside
 * rmap_walk or rmap_walk_locked, or on their own where the compiler
 * inlined those: pairing.h); the dispatchers rmap_walk and
 * rmap_walk_locked walk any kind.
 *
 * Return: RS_KIND_KSM, RS_KIND_ANON or RS_KIND_FILE; RS_KIND_UNKNOWN for
 * the dispatchers, for RS_FUNC_NONE and for a value out of range.
 */
enum rs_kind rs_func_kind(enum rs_func func);

#endif
