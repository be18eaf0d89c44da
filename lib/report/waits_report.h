/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The "blocked behind walks" part of a report: what the waits engine
 * (waits.h) attributed, summed up per waiting task and per walk, and the
 * operations of the victim threads (op_marker.h) with the part of each
 * that its thread spent waiting behind walks. walk_report.c feeds it, one
 * engine per buffer; output.h prints it.
 *
 * An operation is timed in user space; the waits of its thread that began
 * inside it are the kernel's side of the same time. An op's "blocked" is
 * the sum of those waits' blocked_ns: how much of the stall the user saw
 * was spent behind walks, measured in the kernel.
 */
#ifndef RS_WAITS_REPORT_H
#define RS_WAITS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "op_marker.h"
#include "purpose.h"
#include "stats.h"
#include "waits.h"

/* One waiting task: its waits behind walks, by cause. */
struct rs_waiter {
	int pid;
	char comm[RS_COMM_LEN];
	struct rs_stats direct;		/* blocked_ns of its RS_WAIT_DIRECT waits */
	struct rs_stats indirect;	/* and of its RS_WAIT_INDIRECT ones */
};

/* One kind of victim operation. */
struct rs_op_stats {
	struct rs_stats all;		/* durations of every op, user space */
	struct rs_stats blocked;	/* the ops with blocked time: their blocked time */
	uint64_t blocked_dur_ns;	/* the durations of those ops, summed */
	uint64_t failed;		/* ops whose ret was an error */
	uint64_t unaligned;		/* ops whose times lie outside the trace */
};

/* A walk and its collateral, for the walks that made others wait most. */
struct rs_top_collateral {
	struct rs_collateral c;
	char purpose[RS_PURPOSE_LEN];
	const char *file;
};

struct rs_waits_report {
	unsigned int proofs;		/* 1 << RS_PROOF_* of the waits blamed */
	struct rs_waits_counters c;	/* all traces */
	size_t nr_waiters;
	struct rs_waiter *waiters;	/* in order of first wait */
	struct rs_op_stats ops[RS_OP_NR];
	unsigned int op_threads;	/* distinct thread indexes seen, up to 64 */
	uint64_t op_thread_mask;
	struct rs_stats per_walk;	/* collateral (direct + indirect ns) of each walk blamed */
	size_t top_cap, top_n;
	struct rs_top_collateral *top;	/* most collateral first */
	/* closed waits of each task, until its next op claims them */
	size_t nr_recent, recent_cap;
	struct rs_recent_wait {
		int pid;
		uint64_t begin, blocked_ns;
	} *recent;
};

/**
 * rs_waits_report_init() - an empty waits report
 * @wr: the report
 * @top: how many walks with the most collateral to keep
 *
 * Return: 0, or -1 with errno ENOMEM.
 */
int rs_waits_report_init(struct rs_waits_report *wr, size_t top);

/**
 * rs_waits_report_free() - free what the report holds
 * @wr: the report
 */
void rs_waits_report_free(struct rs_waits_report *wr);

/**
 * rs_waits_report_wait() - account one wait of the waits engine
 * @wr: the report
 * @w: the wait (an on_wait callback's)
 *
 * Return: 0, or -1 with errno ENOMEM.
 */
int rs_waits_report_wait(struct rs_waits_report *wr, const struct rs_wait *w);

/**
 * rs_waits_report_walk() - account one walk with collateral
 * @wr: the report
 * @c: the walk and its collateral (an on_walk callback's)
 * @purpose: the walk's purpose name
 * @file: its trace; the pointer is kept and must outlive @wr
 *
 * Return: 0, or -1 with errno ENOMEM.
 */
int rs_waits_report_walk(struct rs_waits_report *wr, const struct rs_collateral *c,
			 const char *purpose, const char *file);

/**
 * rs_waits_report_op() - account one victim operation
 * @wr: the report
 * @ev: an RS_EV_OP event
 * @first_ts: the first time stamp of its trace: an op that began before
 *	the trace did, or that ended after its own marker was written (the
 *	trace clock is not CLOCK_MONOTONIC), is counted unaligned; its
 *	duration still counts, its blocked time is not looked for
 *
 * The closed waits of @ev->pid that began inside the op are its blocked
 * time; they, and any older ones of that task, are then forgotten.
 * @blocked_ns: set to the op's blocked time (0 for an unaligned op)
 *
 * Return: 0, or -1 with errno ENOMEM.
 */
int rs_waits_report_op(struct rs_waits_report *wr, const struct rs_walk_event *ev,
		       uint64_t first_ts, uint64_t *blocked_ns);

/**
 * rs_waits_report_counters() - add one engine's counters
 * @wr: the report
 * @c: the counters of a waits engine that was flushed
 */
void rs_waits_report_counters(struct rs_waits_report *wr, const struct rs_waits_counters *c);

/**
 * rs_waits_report_top() - the walks with the most collateral, most first
 * @wr: the report
 * @n: set to their number
 *
 * Return: the entries, owned by @wr.
 */
const struct rs_top_collateral *rs_waits_report_top(const struct rs_waits_report *wr, size_t *n);

/* The two groups compare makes of a victim operation. */
enum rs_victim_group {
	RS_VICTIM_OP,		/* "victim:OP": the ops' durations */
	RS_VICTIM_BLOCKED,	/* "blocked:OP": the blocked time of the blocked ops */
};

/**
 * rs_victim_group_name() - the name of a victim operation's group
 * @buf: where it goes
 * @len: size of @buf
 * @g: which of the two
 * @op: the operation (enum rs_op)
 *
 * The names under which compare and the report JSON carry a victim
 * operation's statistics beside the walk groups: "victim:mprotect",
 * "blocked:mprotect". A walk group's name has no ':'.
 */
void rs_victim_group_name(char *buf, size_t len, enum rs_victim_group g, unsigned int op);

/**
 * rs_collateral_ns() - a walk's collateral: the blocked time of its waiters
 * @c: the walk's collateral
 *
 * Return: direct_ns + indirect_ns.
 */
uint64_t rs_collateral_ns(const struct rs_collateral *c);

#endif
