// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "waits_report.h"

int rs_waits_report_init(struct rs_waits_report *wr, size_t top)
{
	size_t i;

	memset(wr, 0, sizeof(*wr));
	for (i = 0; i < RS_OP_NR; i++) {
		rs_stats_init(&wr->ops[i].all, 1);
		rs_stats_init(&wr->ops[i].blocked, 1);
	}
	rs_stats_init(&wr->per_walk, 1);
	wr->top_cap = top;
	if (top) {
		wr->top = calloc(top, sizeof(*wr->top));
		if (!wr->top)
			return -1;
	}
	return 0;
}

void rs_waits_report_free(struct rs_waits_report *wr)
{
	size_t i;

	for (i = 0; i < wr->nr_waiters; i++) {
		rs_stats_free(&wr->waiters[i].direct);
		rs_stats_free(&wr->waiters[i].indirect);
	}
	free(wr->waiters);
	for (i = 0; i < RS_OP_NR; i++) {
		rs_stats_free(&wr->ops[i].all);
		rs_stats_free(&wr->ops[i].blocked);
	}
	rs_stats_free(&wr->per_walk);
	free(wr->top);
	free(wr->recent);
	memset(wr, 0, sizeof(*wr));
}

void rs_victim_group_name(char *buf, size_t len, enum rs_victim_group g, unsigned int op)
{
	snprintf(buf, len, "%s:%s", g == RS_VICTIM_OP ? "victim" : "blocked", rs_op_name(op));
}

uint64_t rs_collateral_ns(const struct rs_collateral *c)
{
	return c->direct_ns + c->indirect_ns;
}

/* The waiter of pid (and comm: a pid reused by another program is another task). */
static struct rs_waiter *waiter_of(struct rs_waits_report *wr, const struct rs_wait *w)
{
	struct rs_waiter *v;
	size_t i;

	/* A report has a handful of victims: a linear search is enough. */
	for (i = 0; i < wr->nr_waiters; i++) {
		v = &wr->waiters[i];
		if (v->pid == w->pid && !strncmp(v->comm, w->comm, RS_COMM_LEN))
			return v;
	}
	v = realloc(wr->waiters, (wr->nr_waiters + 1) * sizeof(*v));
	if (!v)
		return NULL;
	wr->waiters = v;
	v = &wr->waiters[wr->nr_waiters++];
	memset(v, 0, sizeof(*v));
	v->pid = w->pid;
	memcpy(v->comm, w->comm, RS_COMM_LEN);
	v->comm[RS_COMM_LEN - 1] = '\0';
	rs_stats_init(&v->direct, 1);
	rs_stats_init(&v->indirect, 1);
	return v;
}

/*
 * Waits kept for the ops to claim, at most: tasks that write no ops (any
 * task that waited behind a walk, in a recording without victims) would
 * keep theirs forever; the oldest half goes when the list is full. A
 * victim's op claims its own waits at once, one or two a time.
 */
#define RECENT_MAX	4096

/* A closed wait behind a walk, kept until its task's next op claims it. */
static int remember(struct rs_waits_report *wr, const struct rs_wait *w)
{
	if (wr->nr_recent == RECENT_MAX) {
		memmove(wr->recent, wr->recent + RECENT_MAX / 2,
			(RECENT_MAX / 2) * sizeof(*wr->recent));
		wr->nr_recent = RECENT_MAX / 2;
	}
	if (wr->nr_recent == wr->recent_cap) {
		size_t cap = wr->recent_cap ? wr->recent_cap * 2 : 16;
		struct rs_recent_wait *r = realloc(wr->recent, cap * sizeof(*r));

		if (!r)
			return -1;
		wr->recent = r;
		wr->recent_cap = cap;
	}
	wr->recent[wr->nr_recent++] = (struct rs_recent_wait){
		.pid = w->pid, .begin = w->begin, .blocked_ns = w->blocked_ns,
	};
	return 0;
}

int rs_waits_report_wait(struct rs_waits_report *wr, const struct rs_wait *w)
{
	struct rs_waiter *v;

	if (w->cause == RS_WAIT_OTHER || !w->complete)
		return 0;
	wr->proofs |= 1U << w->proof;
	v = waiter_of(wr, w);
	if (!v)
		return -1;
	if (rs_stats_add_ns(w->cause == RS_WAIT_DIRECT ? &v->direct : &v->indirect,
			    w->blocked_ns))
		return -1;
	return remember(wr, w);
}

int rs_waits_report_walk(struct rs_waits_report *wr, const struct rs_collateral *c,
			 const char *purpose, const char *file)
{
	uint64_t ns = rs_collateral_ns(c);
	size_t i;

	if (rs_stats_add_ns(&wr->per_walk, ns))
		return -1;
	if (!wr->top_cap)
		return 0;
	/* Sorted insertion: the list is short; of two equal, the earlier stays first. */
	i = wr->top_n < wr->top_cap ? wr->top_n : wr->top_cap;
	if (i == wr->top_cap && ns <= rs_collateral_ns(&wr->top[i - 1].c))
		return 0;
	if (i == wr->top_cap)
		i--;
	else
		wr->top_n++;
	while (i > 0 && rs_collateral_ns(&wr->top[i - 1].c) < ns) {
		wr->top[i] = wr->top[i - 1];
		i--;
	}
	wr->top[i].c = *c;
	snprintf(wr->top[i].purpose, sizeof(wr->top[i].purpose), "%s", purpose ? purpose : "");
	wr->top[i].file = file;
	return 0;
}

int rs_waits_report_op(struct rs_waits_report *wr, const struct rs_walk_event *ev,
		       uint64_t first_ts, uint64_t *blocked_ns)
{
	struct rs_op_stats *o;
	uint64_t blocked = 0, dur;
	bool aligned;
	size_t i, kept = 0;

	*blocked_ns = 0;
	if (ev->op >= RS_OP_NR)
		return 0;
	o = &wr->ops[ev->op];
	if (ev->op_thread < 64 && !(wr->op_thread_mask & (1ULL << ev->op_thread))) {
		wr->op_thread_mask |= 1ULL << ev->op_thread;
		wr->op_threads++;
	}
	dur = ev->op_end > ev->op_start ? ev->op_end - ev->op_start : 0;
	if (ev->op_ret)
		o->failed++;
	if (rs_stats_add_ns(&o->all, dur))
		return -1;
	aligned = ev->op_start >= first_ts && ev->op_end <= ev->ts;
	if (!aligned)
		o->unaligned++;
	/* The task's waits so far are its ops': claim those inside this one. */
	for (i = 0; i < wr->nr_recent; i++) {
		struct rs_recent_wait *r = &wr->recent[i];

		if (r->pid != ev->pid) {
			wr->recent[kept++] = *r;
			continue;
		}
		if (aligned && r->begin >= ev->op_start && r->begin <= ev->op_end)
			blocked += r->blocked_ns;
	}
	wr->nr_recent = kept;
	*blocked_ns = blocked;
	if (!blocked)
		return 0;
	o->blocked_dur_ns += dur;
	return rs_stats_add_ns(&o->blocked, blocked);
}

void rs_waits_report_counters(struct rs_waits_report *wr, const struct rs_waits_counters *c)
{
	rs_waits_counters_add(&wr->c, c);
}

const struct rs_top_collateral *rs_waits_report_top(const struct rs_waits_report *wr, size_t *n)
{
	*n = wr->top_n;
	return wr->top;
}
