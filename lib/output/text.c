// SPDX-License-Identifier: GPL-2.0-only
/*
 * The walk report as text: what each trace is, then one table per view of
 * the groups (durations, work, events not paired), the histograms and the
 * slowest walks.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "table.h"
#include "walk_decode.h"

/* What the getters of the group tables need besides the row. */
struct text_ctx {
	enum rs_unit unit;
	char by[128];			/* the groups' header: "kind,purpose" */
};

static const char *clock_note(const char *clock)
{
	if (!strcmp(clock, "mono") || !strcmp(clock, "mono_raw") ||
	    !strcmp(clock, "global") || !strcmp(clock, "boot") || !strcmp(clock, "tai"))
		return "ns, one clock for all CPUs: durations are exact, also for walks that changed CPU";
	if (!strcmp(clock, "local") || !strcmp(clock, "perf"))
		return "ns, per-CPU clock: a walk that changed CPU is off by the CPUs' clock skew (record with -C mono)";
	if (!strcmp(clock, "x86-tsc") || !strcmp(clock, "counter"))
		return "not ns: durations are in clock ticks (record with -C mono)";
	return "assumed ns";
}

static void text_trace(FILE *f, const struct rs_trace_summary *s)
{
	size_t b, with_walks = 0;
	double span;

	fprintf(f, "rmapstat report: %s\n", s->file);
	if (s->source & RS_SRC_KPROBES)
		fprintf(f, "  source:  kprobes on rmap_walk, rmap_walk_locked, rmap_walk_ksm, rmap_walk_anon, rmap_walk_file%s (kernel without the rmap tracepoints)\n",
			s->source & RS_SRC_VISITS ? ", VMAs from the interval-tree iterators" : "");
	else
		fprintf(f, "  source:  rmap:rmap_walk_start/end tracepoints%s\n",
			s->formats & RS_SRC_KPROBES ? " (the rmapstat kprobes in the file are ignored)" : "");
	fprintf(f, "  clock:   ");
	rs_put_printable(f, s->clock);
	fprintf(f, " (%s)\n", clock_note(s->clock));
	if (s->uname) {
		fprintf(f, "  kernel:  ");
		rs_put_printable(f, s->uname);
		fputc('\n', f);
	}
	if (s->probes) {
		fprintf(f, "  probes:  ");
		rs_put_printable(f, s->probes);
		fputc('\n', f);
	}
	fprintf(f, "  buffers:");
	for (b = 0; b < s->nr_buffers; b++) {
		fprintf(f, "%s ", b ? "," : "");
		rs_put_printable(f, rs_buffer_label(s->buffers[b].name));
		if (s->buffers[b].walk_events) {
			fprintf(f, " (%" PRIu64 " walk events)", s->buffers[b].walk_events);
			with_walks++;
		}
	}
	fprintf(f, "\n");
	if (with_walks > 1)
		fprintf(f, "  note:    walks come from %zu buffers and are all counted (choose one with --buffer NAME)\n",
			with_walks);
	span = s->walk_events ? (double)(s->last_ts - s->first_ts) / 1e9 : 0;
	fprintf(f, "  events:  %" PRIu64 " walk events of %" PRIu64 " records, over %.6f s\n",
		s->walk_events, s->records, span);
	if (s->pc.lost_markers)
		fprintf(f, "  lost:    %" PRIu64 " events%s lost in %" PRIu64 " gap%s of the CPU buffers: walks in flight there count as lost\n",
			s->pc.lost_events, s->pc.lost_unknown ? " (and more, not counted)" : "",
			s->pc.lost_markers, s->pc.lost_markers == 1 ? "" : "s");
	else
		fprintf(f, "  lost:    no events lost\n");
	if (s->source & RS_SRC_VISITS)
		fprintf(f, "  visits:  %" PRIu64 " VMAs visited; %" PRIu64 " outside any walk (other users of the iterators); %" PRIu64 " walk%s without a count (events lost)\n",
			s->pc.visits, s->pc.visits_outside, s->pc.visits_incomplete,
			s->pc.visits_incomplete == 1 ? "" : "s");
	if (s->purpose_misses)
		fprintf(f, "  purpose: %" PRIu64 " walk%s whose rmap_one is not a function in kallsyms (shown as ?0x..., not named)\n",
			s->purpose_misses, s->purpose_misses == 1 ? "" : "s");
	if (s->undecodable)
		fprintf(f, "  warning: %" PRIu64 " walk events have a format this rmapstat does not know, not counted\n",
			s->undecodable);
	if (!s->walk_events)
		fprintf(f, "  note:    the rmap events were enabled but no walk happened while recording\n");
}

/* ------------------------------------------------ the tables of groups */

/* A row of a group table is an element of rs_groups_sorted()'s array. */
static struct rs_group *group_of(const void *row)
{
	return *(struct rs_group *const *)row;
}

static const char *u64_cell(char *buf, uint64_t v)
{
	snprintf(buf, RS_CELL_LEN, "%" PRIu64, v);
	return buf;
}

static const char *ratio_cell(char *buf, uint64_t num, uint64_t den)
{
	if (!den)
		return "-";
	snprintf(buf, RS_CELL_LEN, "%.1f", (double)num / (double)den);
	return buf;
}

/* The first column: the group's name, under the grouping. */
static const char *cell_group(const struct rs_column *col, const void *row,
			      const void *ctx, char *buf)
{
	const struct text_ctx *t = ctx;

	return row ? group_of(row)->name : t->by;
}

/* A metric of the group (arg), headed by its name. */
static const char *cell_metric(const struct rs_column *col, const void *row,
			       const void *ctx, char *buf)
{
	const struct text_ctx *t = ctx;
	struct rs_stats *s;

	if (!row)
		return rs_metric_name(col->arg);
	s = &group_of(row)->stats;
	if (col->arg == RS_M_COUNT)
		return u64_cell(buf, s->count);
	rs_fmt_metric(buf, RS_FMT_LEN, col->arg, rs_metric_value(s, col->arg), t->unit);
	return buf;
}

static const struct rs_column duration_cols[] = {
	{ .align = RS_ALIGN_LEFT, .get = cell_group },
	{ .get = cell_metric, .arg = RS_M_COUNT },
	{ .get = cell_metric, .arg = RS_M_MIN },
	{ .get = cell_metric, .arg = RS_M_MEAN },
	{ .get = cell_metric, .arg = RS_M_STDDEV },
	{ .get = cell_metric, .arg = RS_M_P50 },
	{ .get = cell_metric, .arg = RS_M_P90 },
	{ .get = cell_metric, .arg = RS_M_P99 },
	{ .get = cell_metric, .arg = RS_M_P999 },
	{ .get = cell_metric, .arg = RS_M_MAX },
};

enum work_col { W_VISITED, W_CALLS, W_VISITED_PER_WALK, W_CALLS_PER_WALK,
		W_VISITED_PER_CALL, W_SHORT };

/* The walks that carry the counters, and what they did ("-" if none do). */
static const char *cell_work(const struct rs_column *col, const void *row,
			     const void *ctx, char *buf)
{
	const struct rs_stats *s = &group_of(row)->stats;

	if (!s->with_counters)
		return "-";
	if (col->arg == W_VISITED)
		return u64_cell(buf, s->visited);
	if (col->arg == W_VISITED_PER_WALK)
		return ratio_cell(buf, s->visited, s->with_counters);
	/* kprobe walks count VMAs only: no calls, no short walks */
	if (!s->with_calls)
		return "-";
	switch (col->arg) {
	case W_CALLS:
		return u64_cell(buf, s->calls);
	case W_CALLS_PER_WALK:
		return ratio_cell(buf, s->calls, s->with_calls);
	case W_VISITED_PER_CALL:
		return ratio_cell(buf, s->visited, s->calls);
	default:
		/* "-": no walk to judge, which is not "0 short" */
		return s->order0 ? u64_cell(buf, s->short_walks) : "-";
	}
}

static const char *cell_work_walks(const struct rs_column *col, const void *row,
				   const void *ctx, char *buf)
{
	return u64_cell(buf, group_of(row)->stats.with_counters);
}

static const struct rs_column work_cols[] = {
	{ .align = RS_ALIGN_LEFT, .get = cell_group },
	{ "walks", .get = cell_work_walks },
	{ "visited", .get = cell_work, .arg = W_VISITED },
	{ "rmap_one", .get = cell_work, .arg = W_CALLS },
	{ "visited/walk", .get = cell_work, .arg = W_VISITED_PER_WALK },
	{ "rmap_one/walk", .get = cell_work, .arg = W_CALLS_PER_WALK },
	{ "visited/rmap_one", .get = cell_work, .arg = W_VISITED_PER_CALL },
	{ "short", .get = cell_work, .arg = W_SHORT },
};

/* The group's events of one status (arg) that are not a paired walk. */
static const char *cell_status(const struct rs_column *col, const void *row,
			       const void *ctx, char *buf)
{
	return u64_cell(buf, group_of(row)->stats.status[col->arg]);
}

static bool all_paired(const void *row)
{
	return !rs_stats_unmatched(&group_of(row)->stats);
}

static const struct rs_column unmatched_cols[] = {
	{ .align = RS_ALIGN_LEFT, .get = cell_group },
	{ "no_end", .get = cell_status, .arg = RS_WALK_NO_END },
	{ "superseded", .get = cell_status, .arg = RS_WALK_SUPERSEDED },
	{ "no_start", .get = cell_status, .arg = RS_WALK_NO_START },
	{ "lost", .get = cell_status, .arg = RS_WALK_LOST },
};

static void group_table(FILE *f, const struct rs_column *cols, size_t ncols,
			struct rs_group **g, size_t n, bool (*skip)(const void *row),
			const struct text_ctx *ctx)
{
	struct rs_table t = {
		.cols = cols, .ncols = ncols, .rows = g, .nrows = n,
		.stride = sizeof(*g), .skip = skip, .ctx = ctx,
	};

	rs_table_print(f, "  ", &t);
}

static void text_durations(FILE *f, const struct text_ctx *ctx, struct rs_group **g, size_t n)
{
	fprintf(f, "\nWalk duration by %s, in %s (percentiles: nearest rank, exact up to %u walks per group,\n"
		"beyond from a log-linear histogram with relative error < 1/%u (%g%%))\n",
		ctx->by, rs_unit_name(ctx->unit), RS_STATS_EXACT_MAX, RS_LLH_EXACT,
		RS_LLH_REL_ERROR * 100);
	group_table(f, duration_cols, ARRAY_SIZE(duration_cols), g, n, NULL, ctx);
}

static void text_work(FILE *f, const struct text_ctx *ctx, struct rs_group **g, size_t n)
{
	fprintf(f, "\nWork by %s (VMAs the interval-tree loops visited, rmap_one() calls made; short: fewer calls than\n"
		"mapcount, order-0 folios only: nr_pages 1, or KSM in traces without nr_pages; -: none to judge)\n",
		ctx->by);
	group_table(f, work_cols, ARRAY_SIZE(work_cols), g, n, NULL, ctx);
}

static void text_unmatched(FILE *f, const struct rs_report *r, const struct text_ctx *ctx,
			   struct rs_group **g, size_t n)
{
	const struct rs_pairing_counters *c = &r->totals;

	fprintf(f, "\nPaired: %" PRIu64 " walk%s", c->paired, c->paired == 1 ? "" : "s");
	if (c->nested)
		fprintf(f, " (and %" PRIu64 " rmap_walk_ksm/_anon/_file calls nested in their rmap_walk or rmap_walk_locked, counted once)",
			c->nested);
	fprintf(f, "\n");
	if (!c->no_end && !c->superseded && !c->no_start && !c->lost_walks) {
		fprintf(f, "Not paired: none\n");
		return;
	}
	fprintf(f, "Not paired: %" PRIu64 " starts without end, %" PRIu64 " starts superseded by a newer start of the same walk, %" PRIu64 " ends without start, %" PRIu64 " starts dropped after lost events\n",
		c->no_end, c->superseded, c->no_start, c->lost_walks);
	group_table(f, unmatched_cols, ARRAY_SIZE(unmatched_cols), g, n, all_paired, ctx);
}

static void text_hist(FILE *f, const struct rs_group *g, enum rs_unit unit)
{
	const struct rs_log2_hist *h = &g->stats.log2;
	static const char stars[] = "****************************************";
	const char *label = unit == RS_UNIT_MS ? "msecs" : unit == RS_UNIT_US ? "usecs" : "nsecs";
	uint64_t max = 0;
	int last = rs_log2_last(h), i, w;
	char top[32];

	fprintf(f, "\nHistogram of ");
	rs_put_printable(f, g->name);
	fprintf(f, " walks\n");
	if (last < 0) {
		fprintf(f, "  (no walks)\n");
		return;
	}
	for (i = 0; i <= last; i++)
		if (h->slot[i] > max)
			max = h->slot[i];
	/* bcc's layout, as wide as the largest bound needs */
	w = snprintf(top, sizeof(top), "%" PRIu64, rs_log2_high(last));
	if (w < 10)
		w = 10;
	fprintf(f, "%*s%*s : count    distribution\n", w, label, w + 4, "");
	for (i = 0; i <= last; i++) {
		int n = (int)(h->slot[i] * 40 / max);

		fprintf(f, "%*" PRIu64 " -> %-*" PRIu64 " : %-8" PRIu64 " |%-40.*s|\n",
			w, rs_log2_low(i), w, rs_log2_high(i), h->slot[i], n, stars);
	}
}

/* ------------------------------------------------ the slowest walks */

/* A number the trace may not have: "-" then. */
static const char *int_cell(char *buf, bool has, long long v)
{
	if (!has)
		return "-";
	snprintf(buf, RS_CELL_LEN, "%lld", v);
	return buf;
}

enum walk_col { T_FILE, T_DURATION, T_TIMESTAMP, T_CPU, T_PID, T_COMM, T_KIND,
		T_PURPOSE, T_PFN, T_MAPCOUNT, T_VISITED, T_CALLS, T_LOCK };

/* A field of a slowest walk (arg); "-" where the trace does not have it. */
static const char *cell_walk(const struct rs_column *col, const void *row,
			     const void *ctx, char *buf)
{
	const struct rs_top_entry *e = row;
	const struct rs_walk_event *s = &e->walk.start, *end = &e->walk.end;
	const struct text_ctx *t = ctx;

	switch (col->arg) {
	case T_FILE:
		return e->file;
	case T_DURATION:
		rs_fmt_time(buf, RS_FMT_LEN, (double)e->walk.duration_ns, t->unit, 0);
		return buf;
	case T_TIMESTAMP:
		snprintf(buf, RS_CELL_LEN, "%" PRIu64 ".%09" PRIu64, s->ts / 1000000000,
			 s->ts % 1000000000);
		return buf;
	case T_CPU:
		if (s->cpu == end->cpu)
			snprintf(buf, RS_CELL_LEN, "%d", s->cpu);
		else
			snprintf(buf, RS_CELL_LEN, "%d->%d", s->cpu, end->cpu);
		return buf;
	case T_PID:
		return int_cell(buf, true, s->pid);
	case T_COMM:
		return *s->comm ? s->comm : "<...>";
	case T_KIND:
		return rs_kind_name(s->kind);
	case T_PURPOSE:
		return e->purpose;
	case T_PFN:
		if (!(s->has & RS_HAS_PFN))
			return "-";
		snprintf(buf, RS_CELL_LEN, "0x%" PRIx64, s->pfn);
		return buf;
	case T_MAPCOUNT:
		return int_cell(buf, s->has & RS_HAS_MAPCOUNT, s->mapcount);
	case T_VISITED:
		return int_cell(buf, end->has & RS_HAS_VISITED, end->nr_visited);
	case T_CALLS:
		return int_cell(buf, end->has & RS_HAS_CALLS, end->nr_rmap_one);
	default:
		return s->locked ? "locked" : "-";
	}
}

/* The file column comes first, and only when the report read several. */
static const struct rs_column walk_cols[] = {
	{ "file", RS_ALIGN_LEFT, cell_walk, T_FILE },
	{ "duration", RS_ALIGN_RIGHT, cell_walk, T_DURATION },
	{ "timestamp", RS_ALIGN_RIGHT, cell_walk, T_TIMESTAMP },
	{ "cpu", RS_ALIGN_RIGHT, cell_walk, T_CPU },
	{ "pid", RS_ALIGN_RIGHT, cell_walk, T_PID },
	{ "comm", RS_ALIGN_LEFT, cell_walk, T_COMM },
	{ "kind", RS_ALIGN_LEFT, cell_walk, T_KIND },
	{ "purpose", RS_ALIGN_LEFT, cell_walk, T_PURPOSE },
	{ "pfn", RS_ALIGN_RIGHT, cell_walk, T_PFN },
	{ "mapcount", RS_ALIGN_RIGHT, cell_walk, T_MAPCOUNT },
	{ "visited", RS_ALIGN_RIGHT, cell_walk, T_VISITED },
	{ "rmap_one", RS_ALIGN_RIGHT, cell_walk, T_CALLS },
	{ "lock", RS_ALIGN_LEFT, cell_walk, T_LOCK },
};

static int text_top(FILE *f, const struct rs_report *r, const struct text_ctx *ctx)
{
	bool one_file = r->nr_traces <= 1;
	struct rs_table t = {
		.cols = walk_cols + one_file, .ncols = ARRAY_SIZE(walk_cols) - one_file,
		.stride = sizeof(struct rs_top_entry), .ctx = ctx,
	};
	struct rs_top_entry *top = rs_top_sorted(&r->top, &t.nrows);

	if (t.nrows && !top)
		return -1;
	fprintf(f, "\nSlowest %zu walk%s (duration in %s; cpu: start->end)\n", t.nrows,
		t.nrows == 1 ? "" : "s", rs_unit_name(ctx->unit));
	if (!t.nrows) {
		fprintf(f, "  (no walks)\n");
		return 0;
	}
	t.rows = top;
	rs_table_print(f, "  ", &t);
	free(top);
	return 0;
}

int rs_output_text(FILE *f, const struct rs_report *r, const struct rs_text_opts *o)
{
	struct text_ctx ctx = { .unit = o->unit };
	struct rs_group **g;
	size_t n, i;
	int ret = 0;

	for (i = 0; i < r->nr_traces; i++) {
		if (i)
			fputc('\n', f);
		text_trace(f, &r->traces[i]);
	}
	if ((r->sources & RS_SRC_KPROBES) && !(r->sources & RS_SRC_VISITS))
		fprintf(f, "\nA kprobe trace cannot show the pfn, the mapcount, the VMAs visited or the rmap_one() calls\n"
			"(so no work table and no short walks): the kind comes from the function (rmap_walk_ksm, _anon,\n"
			"_file) or folio->mapping, the purpose from rwc->rmap_one; walks pair per task and function\n"
			"(last in, first out), and a walk seen in rmap_walk(_locked) and in the function it calls counts once.\n");
	else if (r->sources & RS_SRC_KPROBES)
		fprintf(f, "\nA kprobe trace cannot show the pfn, the mapcount or the rmap_one() calls (so no short walks);\n"
			"the VMAs visited are the VMAs the interval-tree iterators gave the walk's task while it was in\n"
			"flight (record --count-visits). The kind comes from the function (rmap_walk_ksm, _anon, _file) or\n"
			"folio->mapping, the purpose from rwc->rmap_one; walks pair per task and function (last in,\n"
			"first out), and a walk seen in rmap_walk(_locked) and in the function it calls counts once.\n");
	g = rs_groups_sorted(r->groups, &n);
	if (n && !g)
		return -1;
	rs_group_spec_format(&r->opts.by, ctx.by, sizeof(ctx.by));
	text_durations(f, &ctx, g, n);
	if (r->sources & (RS_SRC_TRACEPOINTS | RS_SRC_VISITS))
		text_work(f, &ctx, g, n);
	text_unmatched(f, r, &ctx, g, n);
	if (o->hist)
		for (i = 0; i < n; i++)
			text_hist(f, g[i], o->unit);
	if (r->opts.top_n)
		ret = text_top(f, r, &ctx);
	rs_text_waits(f, r, o->unit);
	free(g);
	fflush(f);
	return ret || ferror(f) ? -1 : 0;
}
