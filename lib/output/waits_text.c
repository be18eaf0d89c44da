// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "blocked behind walks" section of the text report: the tasks that
 * waited for a lock a walk held, the walks that made others wait most, and
 * the victim threads' operations with the part of them spent behind walks.
 */
#include <inttypes.h>
#include <string.h>

#include "format.h"
#include "table.h"
#include "walk_decode.h"

static const char *time_cell(char *buf, uint64_t ns, enum rs_unit unit)
{
	rs_fmt_time(buf, RS_CELL_LEN, (double)ns, unit, 0);
	return buf;
}

/* ------------------------------------------------ waiters */

/* A waiter has one row per cause it waited for. */
struct waiter_row {
	const struct rs_waiter *w;
	const char *cause;
	const struct rs_stats *s;
};

enum { C_TASK, C_CAUSE, C_WAITS, C_TOTAL, C_P50, C_P99, C_MAX };

static const char *cell_waiter(const struct rs_column *col, const void *row,
			       const void *ctx, char *buf)
{
	const struct waiter_row *r = row;
	const enum rs_unit *unit = ctx;

	switch (col->arg) {
	case C_TASK:
		snprintf(buf, RS_CELL_LEN, "%s/%d", *r->w->comm ? r->w->comm : "<...>", r->w->pid);
		return buf;
	case C_CAUSE:
		return r->cause;
	case C_WAITS:
		snprintf(buf, RS_CELL_LEN, "%" PRIu64, r->s->count);
		return buf;
	case C_TOTAL:
		return time_cell(buf, r->s->total, *unit);
	case C_P50:
		return time_cell(buf, rs_stats_pct(rs_stats_sortable(r->s), RS_P50), *unit);
	case C_P99:
		return time_cell(buf, rs_stats_pct(rs_stats_sortable(r->s), RS_P99), *unit);
	default:
		return time_cell(buf, r->s->max, *unit);
	}
}

static const struct rs_column waiter_cols[] = {
	{ "waiter", RS_ALIGN_LEFT, cell_waiter, C_TASK },
	{ "cause", RS_ALIGN_LEFT, cell_waiter, C_CAUSE },
	{ "waits", RS_ALIGN_RIGHT, cell_waiter, C_WAITS },
	{ "blocked", RS_ALIGN_RIGHT, cell_waiter, C_TOTAL },
	{ "p50", RS_ALIGN_RIGHT, cell_waiter, C_P50 },
	{ "p99", RS_ALIGN_RIGHT, cell_waiter, C_P99 },
	{ "max", RS_ALIGN_RIGHT, cell_waiter, C_MAX },
};

static void text_waiters(FILE *f, const struct rs_waits_report *wr, enum rs_unit unit)
{
	struct waiter_row rows[64];
	struct rs_table t = {
		.cols = waiter_cols, .ncols = ARRAY_SIZE(waiter_cols),
		.rows = rows, .stride = sizeof(rows[0]), .ctx = &unit,
	};
	size_t i;

	for (i = 0; i < wr->nr_waiters && t.nrows + 2 <= ARRAY_SIZE(rows); i++) {
		const struct rs_waiter *w = &wr->waiters[i];

		if (w->direct.count)
			rows[t.nrows++] = (struct waiter_row){ w, "direct", &w->direct };
		if (w->indirect.count)
			rows[t.nrows++] = (struct waiter_row){ w, "indirect", &w->indirect };
	}
	if (!t.nrows) {
		fprintf(f, "  (no task waited for a lock a walk held)\n");
		return;
	}
	rs_table_print(f, "  ", &t);
	if (i < wr->nr_waiters)
		fprintf(f, "  (and %zu more tasks, in the JSON report)\n", wr->nr_waiters - i);
}

/* ------------------------------------------------ walks */

enum { K_COLLATERAL, K_WAITERS, K_TASKS, K_DURATION, K_PID, K_COMM, K_KIND, K_PURPOSE,
       K_PROOF };

static const char *cell_blamed(const struct rs_column *col, const void *row,
			       const void *ctx, char *buf)
{
	const struct rs_top_collateral *e = row;
	const struct rs_collateral *c = &e->c;
	const struct rs_walk_event *s = rs_walk_info(&c->walk);
	const enum rs_unit *unit = ctx;

	switch (col->arg) {
	case K_COLLATERAL:
		return time_cell(buf, rs_collateral_ns(c), *unit);
	case K_WAITERS:
		snprintf(buf, RS_CELL_LEN, "%u+%u", c->direct, c->indirect);
		return buf;
	case K_TASKS:
		snprintf(buf, RS_CELL_LEN, "%u", c->tasks);
		return buf;
	case K_DURATION:
		if (c->walk.status != RS_WALK_OK)
			return rs_walk_status_name(c->walk.status);
		return time_cell(buf, c->walk.duration_ns, *unit);
	case K_PID:
		snprintf(buf, RS_CELL_LEN, "%d", s->pid);
		return buf;
	case K_COMM:
		return *s->comm ? s->comm : "<...>";
	case K_KIND:
		return rs_kind_name(s->kind);
	case K_PURPOSE:
		return e->purpose;
	default:
		return rs_wait_proof_name(c->proof);
	}
}

static const struct rs_column blamed_cols[] = {
	{ "waited", RS_ALIGN_RIGHT, cell_blamed, K_COLLATERAL },
	{ "waits", RS_ALIGN_RIGHT, cell_blamed, K_WAITERS },
	{ "tasks", RS_ALIGN_RIGHT, cell_blamed, K_TASKS },
	{ "walk", RS_ALIGN_RIGHT, cell_blamed, K_DURATION },
	{ "pid", RS_ALIGN_RIGHT, cell_blamed, K_PID },
	{ "comm", RS_ALIGN_LEFT, cell_blamed, K_COMM },
	{ "kind", RS_ALIGN_LEFT, cell_blamed, K_KIND },
	{ "purpose", RS_ALIGN_LEFT, cell_blamed, K_PURPOSE },
	{ "proof", RS_ALIGN_LEFT, cell_blamed, K_PROOF },
};

static void text_blamed(FILE *f, const struct rs_waits_report *wr, enum rs_unit unit)
{
	struct rs_table t = {
		.cols = blamed_cols, .ncols = ARRAY_SIZE(blamed_cols),
		.stride = sizeof(struct rs_top_collateral), .ctx = &unit,
	};
	const struct rs_stats *pw = &wr->per_walk;
	char total[RS_FMT_LEN], mean[RS_FMT_LEN], max[RS_FMT_LEN];

	if (!pw->count)
		return;
	rs_fmt_time(total, sizeof(total), (double)pw->total, unit, 0);
	rs_fmt_time(mean, sizeof(mean), pw->mean, unit, 0);
	rs_fmt_time(max, sizeof(max), (double)pw->max, unit, 0);
	fprintf(f, "\n  %" PRIu64 " walk%s made others wait: %s in all, %s per walk (mean), %s at most\n",
		pw->count, pw->count == 1 ? "" : "s", total, mean, max);
	t.rows = rs_waits_report_top(wr, &t.nrows);
	if (!t.nrows)
		return;
	fprintf(f, "  The walks that made others wait most (waited: their waiters' time behind them; waits: direct+indirect):\n");
	rs_table_print(f, "  ", &t);
}

/* ------------------------------------------------ victim operations */

enum { O_OP, O_OPS, O_P50, O_P99, O_MAX, O_BLOCKED_OPS, O_BLOCKED, O_SHARE };

/* A row is an element of ops[]: its index is the op. */
struct op_ctx {
	const struct rs_op_stats *ops;
	enum rs_unit unit;
};

static const char *cell_op(const struct rs_column *col, const void *row,
			   const void *ctx, char *buf)
{
	const struct rs_op_stats *o = row;
	const struct op_ctx *oc = ctx;
	enum rs_unit unit = oc->unit;

	switch (col->arg) {
	case O_OP:
		return rs_op_name((unsigned int)(o - oc->ops));
	case O_OPS:
		snprintf(buf, RS_CELL_LEN, "%" PRIu64, o->all.count);
		return buf;
	case O_P50:
		return time_cell(buf, rs_stats_pct(rs_stats_sortable(&o->all), RS_P50), unit);
	case O_P99:
		return time_cell(buf, rs_stats_pct(rs_stats_sortable(&o->all), RS_P99), unit);
	case O_MAX:
		return time_cell(buf, o->all.max, unit);
	case O_BLOCKED_OPS:
		snprintf(buf, RS_CELL_LEN, "%" PRIu64, o->blocked.count);
		return buf;
	case O_BLOCKED:
		return time_cell(buf, o->blocked.total, unit);
	default:
		if (!o->blocked_dur_ns)
			return "-";
		snprintf(buf, RS_CELL_LEN, "%.1f%%",
			 100.0 * (double)o->blocked.total / (double)o->blocked_dur_ns);
		return buf;
	}
}

static const struct rs_column op_cols[] = {
	{ "op", RS_ALIGN_LEFT, cell_op, O_OP },
	{ "ops", RS_ALIGN_RIGHT, cell_op, O_OPS },
	{ "p50", RS_ALIGN_RIGHT, cell_op, O_P50 },
	{ "p99", RS_ALIGN_RIGHT, cell_op, O_P99 },
	{ "max", RS_ALIGN_RIGHT, cell_op, O_MAX },
	{ "blocked ops", RS_ALIGN_RIGHT, cell_op, O_BLOCKED_OPS },
	{ "behind walks", RS_ALIGN_RIGHT, cell_op, O_BLOCKED },
	{ "of their time", RS_ALIGN_RIGHT, cell_op, O_SHARE },
};

static bool no_ops(const void *row)
{
	return !((const struct rs_op_stats *)row)->all.count;
}

static void text_ops(FILE *f, const struct rs_waits_report *wr, enum rs_unit unit)
{
	struct op_ctx ctx = { .ops = wr->ops, .unit = unit };
	struct rs_table t = {
		.cols = op_cols, .ncols = ARRAY_SIZE(op_cols), .rows = wr->ops,
		.nrows = RS_OP_NR, .stride = sizeof(wr->ops[0]), .skip = no_ops, .ctx = &ctx,
	};
	uint64_t unaligned = 0, failed = 0;
	size_t i;

	for (i = 0; i < RS_OP_NR; i++) {
		unaligned += wr->ops[i].unaligned;
		failed += wr->ops[i].failed;
	}
	fprintf(f, "\nVictim operations, in %s (%u thread%s; timed in user space, CLOCK_MONOTONIC; behind walks:\n"
		"their waits for a lock a walk held, as the kernel's lock events measured them)\n",
		rs_unit_name(unit), wr->op_threads, wr->op_threads == 1 ? "" : "s");
	rs_table_print(f, "  ", &t);
	if (failed)
		fprintf(f, "  %" PRIu64 " operation%s failed (counted with their time)\n",
			failed, failed == 1 ? "" : "s");
	if (unaligned)
		fprintf(f, "  %" PRIu64 " operation%s could not be lined up with the trace (it began before the trace did,\n"
			"  or the trace clock is not mono): no blocked time looked for\n",
			unaligned, unaligned == 1 ? "" : "s");
}

static bool has_ops(const struct rs_waits_report *wr)
{
	size_t i;

	for (i = 0; i < RS_OP_NR; i++)
		if (wr->ops[i].all.count)
			return true;
	return false;
}

void rs_text_waits(FILE *f, const struct rs_report *r, enum rs_unit unit)
{
	const struct rs_waits_report *wr = &r->waits;
	const struct rs_waits_counters *c = &wr->c;

	if (r->sources & RS_SRC_LOCKS) {
		fprintf(f, "\nBlocked behind walks, in %s (lock waits of other tasks while a walk held the lock;\n%s)\n",
			rs_unit_name(unit), !(r->sources & RS_SRC_HOLDS) ?
			"  overlap, not proven: the trace has no hold events, a wait is blamed on any walk of another task in flight" :
			wr->proofs & (1U << RS_PROOF_OVERLAP) ?
			"  some only by overlap, not proven" : "  each proven by the lock the walk held");
		fprintf(f, "  waits: %" PRIu64 " (%" PRIu64 " direct, %" PRIu64 " indirect behind a waiting writer, %" PRIu64 " not behind a walk)",
			c->waits, c->waits_direct, c->waits_indirect, c->waits_other);
		if (c->waits_open || c->waits_lost)
			fprintf(f, "; %" PRIu64 " still waiting at the end, %" PRIu64 " lost", c->waits_open,
				c->waits_lost);
		if (r->sources & RS_SRC_HOLDS)
			fprintf(f, "; %" PRIu64 " locks taken by walks", c->holds);
		fputc('\n', f);
		text_waiters(f, wr, unit);
		text_blamed(f, wr, unit);
	}
	if (has_ops(wr))
		text_ops(f, wr, unit);
}
