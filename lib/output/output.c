// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json_write.h"
#include "output.h"
#include "walk_decode.h"

/* ---------------------------------------------------------------- units */

int rs_unit_parse(const char *s, enum rs_unit *unit)
{
	if (!strcmp(s, "ns"))
		*unit = RS_UNIT_NS;
	else if (!strcmp(s, "us"))
		*unit = RS_UNIT_US;
	else if (!strcmp(s, "ms"))
		*unit = RS_UNIT_MS;
	else
		return -1;
	return 0;
}

const char *rs_unit_name(enum rs_unit unit)
{
	return unit == RS_UNIT_MS ? "ms" : unit == RS_UNIT_US ? "us" : "ns";
}

uint64_t rs_unit_div(enum rs_unit unit)
{
	return unit == RS_UNIT_MS ? 1000000 : unit == RS_UNIT_US ? 1000 : 1;
}

/* A duration in the unit: integer ns, or 3 decimals of us / ms. */
static void fmt_time(char *buf, size_t len, double ns, enum rs_unit unit, int ns_decimals)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (unit == RS_UNIT_NS)
		snprintf(buf, len, "%.*f", ns_decimals, ns);
	else
		snprintf(buf, len, "%.3f", ns / (double)rs_unit_div(unit));
}

/* ---------------------------------------------------------------- tables */

struct table {
	size_t ncols;
	size_t ncells;
	size_t cap;
	char **cells;
	unsigned int left;		/* bit i: column i is left-aligned */
};

static void table_init(struct table *t, size_t ncols, unsigned int left)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->left = left;
}

/*
 * Strings from a trace or a JSON file (a comm, a group or buffer name, the
 * uname, a JSON "source") may hold any byte: control characters come out
 * as '?', so a report stays one line per row and no escape sequence
 * reaches the terminal.
 */
static char *printable(char *s)
{
	char *p;

	for (p = s; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

/* fprintf(f, "%s", s) of such a string. */
static void put_printable(FILE *f, const char *s)
{
	for (s = s ? s : "?"; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

__attribute__((format(printf, 2, 3)))
static void cell(struct table *t, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	if (t->ncells == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **cells = realloc(t->cells, cap * sizeof(*cells));

		if (!cells)
			return;		/* the table just comes out short */
		t->cells = cells;
		t->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	t->cells[t->ncells++] = printable(s);
}

static void table_print(FILE *f, const struct table *t, const char *indent)
{
	size_t width[32] = { 0 }, i, c;

	for (i = 0; i < t->ncells; i++) {
		size_t w = t->cells[i] ? strlen(t->cells[i]) : 0;

		c = i % t->ncols;
		if (c < 32 && w > width[c])
			width[c] = w;
	}
	for (i = 0; i < t->ncells; i++) {
		const char *s = t->cells[i] ? t->cells[i] : "";
		int w;

		c = i % t->ncols;
		w = c < 32 ? (int)width[c] : 0;
		if (!c)
			fputs(indent, f);
		if (c == t->ncols - 1 && (t->left & (1U << c)))
			fputs(s, f);
		else
			fprintf(f, (t->left & (1U << c)) ? "%-*s" : "%*s", w, s);
		fputs(c == t->ncols - 1 || i == t->ncells - 1 ? "\n" : "  ", f);
	}
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* ---------------------------------------------------------------- text */

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

static const char *buffer_label(const char *name)
{
	return *name ? name : "top";
}

static void text_trace(FILE *f, const struct rs_trace_summary *s)
{
	size_t b, with_walks = 0;
	double span;

	fprintf(f, "rmapstat report: %s\n", s->file);
	if (s->source == RS_SRC_KPROBES)
		fprintf(f, "  source:  kprobes on rmap_walk, rmap_walk_locked, rmap_walk_ksm, rmap_walk_anon, rmap_walk_file (kernel without the rmap tracepoints)\n");
	else
		fprintf(f, "  source:  rmap:rmap_walk_start/end tracepoints%s\n",
			s->formats & RS_SRC_KPROBES ? " (the rmapstat kprobes in the file are ignored)" : "");
	fprintf(f, "  clock:   ");
	put_printable(f, s->clock);
	fprintf(f, " (%s)\n", clock_note(s->clock));
	if (s->uname) {
		fprintf(f, "  kernel:  ");
		put_printable(f, s->uname);
		fputc('\n', f);
	}
	fprintf(f, "  buffers:");
	for (b = 0; b < s->nr_buffers; b++) {
		fprintf(f, "%s ", b ? "," : "");
		put_printable(f, buffer_label(s->buffers[b].name));
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
	if (s->undecodable)
		fprintf(f, "  warning: %" PRIu64 " walk events have a format this rmapstat does not know, not counted\n",
			s->undecodable);
	if (!s->walk_events)
		fprintf(f, "  note:    the rmap events were enabled but no walk happened while recording\n");
}

static void group_header(struct table *t, const struct rs_report *r, const char *first_extra)
{
	char by[128];

	rs_group_spec_format(&r->opts.by, by, sizeof(by));
	cell(t, "%s", by);
	if (first_extra)
		cell(t, "%s", first_extra);
}

static void text_durations(FILE *f, const struct rs_report *r, struct rs_group **g, size_t n,
			   const struct rs_text_opts *o)
{
	const char *u = rs_unit_name(o->unit);
	char by[128], v[64];
	struct table t;
	size_t i;
	int p;

	rs_group_spec_format(&r->opts.by, by, sizeof(by));
	fprintf(f, "\nWalk duration by %s, in %s (percentiles: nearest rank, exact up to %u walks per group,\n"
		"beyond from a log-linear histogram with relative error < 1/%u (%g%%))\n",
		by, u, RS_STATS_EXACT_MAX, RS_LLH_EXACT, RS_LLH_REL_ERROR * 100);
	table_init(&t, 10, 1);
	group_header(&t, r, "count");
	cell(&t, "min");
	cell(&t, "mean");
	cell(&t, "stddev");
	for (p = 0; p < RS_NR_PCT; p++)
		cell(&t, "%s", rs_pct_name[p]);
	cell(&t, "max");
	for (i = 0; i < n; i++) {
		struct rs_stats *s = &g[i]->stats;

		cell(&t, "%s", g[i]->name);
		cell(&t, "%" PRIu64, s->count);
		if (!s->count) {
			for (p = 0; p < 8; p++)
				cell(&t, "-");
			continue;
		}
		fmt_time(v, sizeof(v), (double)s->min, o->unit, 0);
		cell(&t, "%s", v);
		fmt_time(v, sizeof(v), s->mean, o->unit, 1);
		cell(&t, "%s", v);
		fmt_time(v, sizeof(v), rs_stats_stddev(s), o->unit, 1);
		cell(&t, "%s", v);
		for (p = 0; p < RS_NR_PCT; p++) {
			fmt_time(v, sizeof(v), (double)rs_stats_pct(s, p), o->unit, 0);
			cell(&t, "%s", v);
		}
		fmt_time(v, sizeof(v), (double)s->max, o->unit, 0);
		cell(&t, "%s", v);
	}
	table_print(f, &t, "  ");
	table_free(&t);
}

static void text_work(FILE *f, const struct rs_report *r, struct rs_group **g, size_t n)
{
	struct table t;
	char by[128];
	size_t i;

	rs_group_spec_format(&r->opts.by, by, sizeof(by));
	fprintf(f, "\nWork by %s (VMAs the interval-tree loops visited, rmap_one() calls made; short: fewer calls than mapcount)\n",
		by);
	table_init(&t, 8, 1);
	group_header(&t, r, "walks");
	cell(&t, "visited");
	cell(&t, "rmap_one");
	cell(&t, "visited/walk");
	cell(&t, "rmap_one/walk");
	cell(&t, "visited/rmap_one");
	cell(&t, "short");
	for (i = 0; i < n; i++) {
		const struct rs_stats *s = &g[i]->stats;

		cell(&t, "%s", g[i]->name);
		cell(&t, "%" PRIu64, s->with_counters);
		if (!s->with_counters) {
			cell(&t, "-");
			cell(&t, "-");
			cell(&t, "-");
			cell(&t, "-");
			cell(&t, "-");
			cell(&t, "-");
			continue;
		}
		cell(&t, "%" PRIu64, s->visited);
		cell(&t, "%" PRIu64, s->calls);
		cell(&t, "%.1f", (double)s->visited / (double)s->with_counters);
		cell(&t, "%.1f", (double)s->calls / (double)s->with_counters);
		if (s->calls)
			cell(&t, "%.1f", (double)s->visited / (double)s->calls);
		else
			cell(&t, "-");
		cell(&t, "%" PRIu64, s->short_walks);
	}
	table_print(f, &t, "  ");
	table_free(&t);
}

static void text_unmatched(FILE *f, const struct rs_report *r, struct rs_group **g, size_t n)
{
	const struct rs_pairing_counters *c = &r->totals;
	struct table t;
	size_t i;

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
	table_init(&t, 5, 1);
	group_header(&t, r, "no_end");
	cell(&t, "superseded");
	cell(&t, "no_start");
	cell(&t, "lost");
	for (i = 0; i < n; i++) {
		const struct rs_stats *s = &g[i]->stats;

		if (!rs_stats_unmatched(s))
			continue;
		cell(&t, "%s", g[i]->name);
		cell(&t, "%" PRIu64, s->status[RS_WALK_NO_END]);
		cell(&t, "%" PRIu64, s->status[RS_WALK_SUPERSEDED]);
		cell(&t, "%" PRIu64, s->status[RS_WALK_NO_START]);
		cell(&t, "%" PRIu64, s->status[RS_WALK_LOST]);
	}
	table_print(f, &t, "  ");
	table_free(&t);
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
	put_printable(f, g->name);
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

static void fmt_ts(char *buf, size_t len, uint64_t ts)
{
	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, ts / 1000000000, ts % 1000000000);
}

static void text_top(FILE *f, const struct rs_report *r, const struct rs_text_opts *o)
{
	struct rs_topn *top = (struct rs_topn *)&r->top;
	const struct rs_top_entry *e;
	bool files = r->nr_traces > 1;
	struct table t;
	char v[64];
	size_t n, i;

	e = rs_topn_sorted(top, &n);
	fprintf(f, "\nSlowest %zu walk%s (duration in %s; cpu: start->end)\n", n, n == 1 ? "" : "s",
		rs_unit_name(o->unit));
	if (!n) {
		fprintf(f, "  (no walks)\n");
		return;
	}
	table_init(&t, files ? 13 : 12, files ? (1U << 0) | (1U << 5) | (1U << 6) | (1U << 7) | (1U << 12)
					       : (1U << 4) | (1U << 5) | (1U << 6) | (1U << 11));
	if (files)
		cell(&t, "file");
	cell(&t, "duration");
	cell(&t, "timestamp");
	cell(&t, "cpu");
	cell(&t, "pid");
	cell(&t, "comm");
	cell(&t, "kind");
	cell(&t, "purpose");
	cell(&t, "pfn");
	cell(&t, "mapcount");
	cell(&t, "visited");
	cell(&t, "rmap_one");
	cell(&t, "lock");
	for (i = 0; i < n; i++) {
		const struct rs_walk *w = &e[i].walk;

		if (files)
			cell(&t, "%s", e[i].file);
		fmt_time(v, sizeof(v), (double)w->duration_ns, o->unit, 0);
		cell(&t, "%s", v);
		fmt_ts(v, sizeof(v), w->start.ts);
		cell(&t, "%s", v);
		if (w->start.cpu == w->end.cpu)
			cell(&t, "%d", w->start.cpu);
		else
			cell(&t, "%d->%d", w->start.cpu, w->end.cpu);
		cell(&t, "%d", w->start.pid);
		cell(&t, "%s", *w->start.comm ? w->start.comm : "<...>");
		cell(&t, "%s", rs_kind_name(w->start.kind));
		cell(&t, "%s", e[i].purpose);
		if (w->start.has & RS_HAS_PFN)
			cell(&t, "0x%" PRIx64, w->start.pfn);
		else
			cell(&t, "-");
		if (w->start.has & RS_HAS_MAPCOUNT)
			cell(&t, "%d", w->start.mapcount);
		else
			cell(&t, "-");
		if (w->end.has & RS_HAS_VISITED)
			cell(&t, "%u", w->end.nr_visited);
		else
			cell(&t, "-");
		if (w->end.has & RS_HAS_CALLS)
			cell(&t, "%u", w->end.nr_rmap_one);
		else
			cell(&t, "-");
		cell(&t, "%s", w->start.locked ? "locked" : "-");
	}
	table_print(f, &t, "  ");
	table_free(&t);
}

int rs_output_text(FILE *f, const struct rs_report *r, const struct rs_text_opts *o)
{
	struct rs_group **g;
	size_t n, i;

	for (i = 0; i < r->nr_traces; i++) {
		if (i)
			fputc('\n', f);
		text_trace(f, &r->traces[i]);
	}
	if (r->sources & RS_SRC_KPROBES)
		fprintf(f, "\nA kprobe trace cannot show the pfn, the mapcount, the VMAs visited or the rmap_one() calls\n"
			"(so no work table and no short walks): the kind comes from the function (rmap_walk_ksm, _anon,\n"
			"_file) or folio->mapping, the purpose from rwc->rmap_one; walks pair per task and function\n"
			"(last in, first out), and a walk seen in rmap_walk(_locked) and in the function it calls counts once.\n");
	g = rs_groups_sorted(r->groups, &n);
	if (n && !g)
		return -1;
	text_durations(f, r, g, n, o);
	if (r->sources & RS_SRC_TRACEPOINTS)
		text_work(f, r, g, n);
	text_unmatched(f, r, g, n);
	if (o->hist)
		for (i = 0; i < n; i++)
			text_hist(f, g[i], o->unit);
	if (r->opts.top_n)
		text_top(f, r, o);
	free(g);
	fflush(f);
	return ferror(f) ? -1 : 0;
}

/* ---------------------------------------------------------------- JSON */

static void json_hex(struct rs_json *j, const char *key, bool has, uint64_t v)
{
	char buf[32];

	if (!has) {
		rs_json_null(j, key);
		return;
	}
	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	rs_json_string(j, key, buf);
}

static void json_unavailable(struct rs_json *j, unsigned int missing)
{
	rs_json_begin_array(j, "unavailable");
	if (missing & RS_HAS_PFN)
		rs_json_string(j, NULL, "pfn");
	if (missing & RS_HAS_MAPCOUNT)
		rs_json_string(j, NULL, "mapcount");
	if (missing & RS_HAS_VISITED)
		rs_json_string(j, NULL, "nr_visited");
	if (missing & RS_HAS_CALLS)
		rs_json_string(j, NULL, "nr_rmap_one");
	if (missing & (RS_HAS_MAPCOUNT | RS_HAS_CALLS))
		rs_json_string(j, NULL, "short_walks");
	if (missing & RS_HAS_FOLIO)
		rs_json_string(j, NULL, "folio");
	rs_json_end_array(j);
}

static void json_counters(struct rs_json *j, const char *key, const struct rs_pairing_counters *c)
{
	rs_json_begin_object(j, key);
	rs_json_u64(j, "walk_events", c->events);
	rs_json_u64(j, "walks", c->paired);
	rs_json_u64(j, "nested", c->nested);
	rs_json_u64(j, "no_end", c->no_end);
	rs_json_u64(j, "superseded", c->superseded);
	rs_json_u64(j, "no_start", c->no_start);
	rs_json_u64(j, "lost_walks", c->lost_walks);
	rs_json_u64(j, "lost_markers", c->lost_markers);
	rs_json_u64(j, "lost_events", c->lost_events);
	rs_json_u64(j, "lost_unknown_markers", c->lost_unknown);
	rs_json_u64(j, "max_in_flight", c->max_in_flight);
	rs_json_end_object(j);
}

static void json_sources(struct rs_json *j, const char *key, unsigned int sources)
{
	rs_json_begin_array(j, key);
	if (sources & RS_SRC_TRACEPOINTS)
		rs_json_string(j, NULL, "tracepoints");
	if (sources & RS_SRC_KPROBES)
		rs_json_string(j, NULL, "kprobes");
	rs_json_end_array(j);
}

static void json_trace(struct rs_json *j, const struct rs_trace_summary *s)
{
	size_t b;

	rs_json_begin_object(j, NULL);
	rs_json_string(j, "file", s->file);
	rs_json_string(j, "source", rs_source_name(s->source));
	json_sources(j, "formats", s->formats);
	json_unavailable(j, rs_source_missing(s->source));
	rs_json_string(j, "clock", s->clock);
	rs_json_string(j, "kernel", s->uname);
	rs_json_string(j, "trace_cmd_version", s->tracecmd_version);
	rs_json_u64(j, "file_version", s->file_version);
	rs_json_i64(j, "cpus", s->cpus);
	rs_json_u64(j, "records", s->records);
	rs_json_u64(j, "walk_events", s->walk_events);
	rs_json_u64(j, "undecodable_events", s->undecodable);
	if (s->walk_events) {
		rs_json_u64(j, "first_ts", s->first_ts);
		rs_json_u64(j, "last_ts", s->last_ts);
	} else {
		rs_json_null(j, "first_ts");
		rs_json_null(j, "last_ts");
	}
	rs_json_begin_array(j, "buffers");
	for (b = 0; b < s->nr_buffers; b++) {
		const struct rs_buffer_summary *bs = &s->buffers[b];

		rs_json_begin_object(j, NULL);
		rs_json_string(j, "name", buffer_label(bs->name));
		rs_json_string(j, "clock", bs->clock);
		rs_json_u64(j, "walk_events", bs->walk_events);
		rs_json_u64(j, "lost_markers", bs->pc.lost_markers);
		rs_json_u64(j, "lost_events", bs->pc.lost_events);
		rs_json_u64(j, "lost_unknown_markers", bs->pc.lost_unknown);
		rs_json_end_object(j);
	}
	rs_json_end_array(j);
	json_counters(j, "pairing", &s->pc);
	rs_json_end_object(j);
}

static void json_keys(struct rs_json *j, const struct rs_report *r, const struct rs_group *g)
{
	unsigned int i;

	rs_json_begin_object(j, "key");
	for (i = 0; i < r->opts.by.n; i++) {
		switch (r->opts.by.field[i]) {
		case RS_BY_KIND:
			rs_json_string(j, "kind", rs_kind_name(g->keys.kind));
			break;
		case RS_BY_PURPOSE:
			rs_json_string(j, "purpose", g->keys.purpose);
			break;
		case RS_BY_PID:
			rs_json_i64(j, "pid", g->keys.pid);
			break;
		case RS_BY_CPU:
			rs_json_i64(j, "cpu", g->keys.cpu);
			break;
		case RS_BY_COMM:
			rs_json_string(j, "comm", g->keys.comm);
			break;
		default:
			break;
		}
	}
	rs_json_end_object(j);
}

static void json_group(struct rs_json *j, const struct rs_report *r, struct rs_group *g,
		       const struct rs_text_opts *o)
{
	struct rs_stats *s = &g->stats;
	static const char * const pct_keys[RS_NR_PCT] = {
		"p50_ns", "p90_ns", "p99_ns", "p99_9_ns"
	};
	int p;

	rs_json_begin_object(j, NULL);
	rs_json_string(j, "name", g->name);
	json_keys(j, r, g);
	rs_json_u64(j, "count", s->count);
	if (s->count) {
		rs_json_u64(j, "min_ns", s->min);
		rs_json_double(j, "mean_ns", s->mean, 3);
		rs_json_double(j, "stddev_ns", rs_stats_stddev(s), 3);
		for (p = 0; p < RS_NR_PCT; p++)
			rs_json_u64(j, pct_keys[p], rs_stats_pct(s, p));
		rs_json_u64(j, "max_ns", s->max);
		rs_json_u64(j, "total_ns", s->total);
		rs_json_bool(j, "percentiles_exact", rs_stats_pct_exact(s));
	} else {
		rs_json_null(j, "min_ns");
		rs_json_null(j, "mean_ns");
		rs_json_null(j, "stddev_ns");
		for (p = 0; p < RS_NR_PCT; p++)
			rs_json_null(j, pct_keys[p]);
		rs_json_null(j, "max_ns");
		rs_json_null(j, "total_ns");
		rs_json_null(j, "percentiles_exact");
	}
	if (s->with_counters) {
		rs_json_begin_object(j, "work");
		rs_json_u64(j, "walks", s->with_counters);
		rs_json_u64(j, "visited", s->visited);
		rs_json_u64(j, "rmap_one", s->calls);
		rs_json_double(j, "visited_per_walk", (double)s->visited / (double)s->with_counters, 3);
		rs_json_double(j, "rmap_one_per_walk", (double)s->calls / (double)s->with_counters, 3);
		rs_json_double(j, "visited_per_rmap_one",
			       s->calls ? (double)s->visited / (double)s->calls : NAN, 3);
		rs_json_u64(j, "walks_with_mapcount", s->with_mapcount);
		rs_json_u64(j, "short_walks", s->short_walks);
		rs_json_end_object(j);
	} else {
		rs_json_null(j, "work");
	}
	rs_json_begin_object(j, "unmatched");
	rs_json_u64(j, "no_end", s->status[RS_WALK_NO_END]);
	rs_json_u64(j, "superseded", s->status[RS_WALK_SUPERSEDED]);
	rs_json_u64(j, "no_start", s->status[RS_WALK_NO_START]);
	rs_json_u64(j, "lost", s->status[RS_WALK_LOST]);
	rs_json_end_object(j);
	rs_json_u64(j, "nested", s->status[RS_WALK_NESTED]);
	if (o && o->hist) {
		int last = rs_log2_last(&s->log2), i;

		rs_json_begin_object(j, "histogram");
		rs_json_string(j, "unit", rs_unit_name(o->unit));
		rs_json_begin_array(j, "buckets");
		for (i = 0; i <= last; i++) {
			rs_json_begin_object(j, NULL);
			rs_json_u64(j, "low", rs_log2_low(i));
			rs_json_u64(j, "high", rs_log2_high(i));
			rs_json_u64(j, "count", s->log2.slot[i]);
			rs_json_end_object(j);
		}
		rs_json_end_array(j);
		rs_json_end_object(j);
	}
	rs_json_end_object(j);
}

static void json_walk(struct rs_json *j, const struct rs_walk *w, const char *purpose,
		      const char *file)
{
	const struct rs_walk_event *s = &w->start, *e = &w->end;

	rs_json_begin_object(j, NULL);
	rs_json_string(j, "file", file);
	rs_json_u64(j, "start_ns", s->ts);
	rs_json_u64(j, "end_ns", e->ts);
	rs_json_u64(j, "duration_ns", w->duration_ns);
	rs_json_i64(j, "start_cpu", s->cpu);
	rs_json_i64(j, "end_cpu", e->cpu);
	rs_json_i64(j, "pid", s->pid);
	rs_json_string(j, "comm", s->comm);
	rs_json_string(j, "kind", rs_kind_name(s->kind));
	rs_json_string(j, "purpose", purpose);
	json_hex(j, "rmap_one", s->has & RS_HAS_RMAP_ONE, s->rmap_one);
	if (s->has & RS_HAS_PFN)
		rs_json_u64(j, "pfn", s->pfn);
	else
		rs_json_null(j, "pfn");
	json_hex(j, "rwc", s->has & RS_HAS_RWC, s->rwc);
	json_hex(j, "folio", s->has & RS_HAS_FOLIO, s->folio);
	if (s->func != RS_FUNC_NONE)
		rs_json_string(j, "func", rs_func_name(s->func));
	else
		rs_json_null(j, "func");
	rs_json_bool(j, "locked", s->locked);
	if (s->has & RS_HAS_MAPCOUNT)
		rs_json_i64(j, "mapcount", s->mapcount);
	else
		rs_json_null(j, "mapcount");
	if (e->has & RS_HAS_VISITED)
		rs_json_u64(j, "nr_visited", e->nr_visited);
	else
		rs_json_null(j, "nr_visited");
	if (e->has & RS_HAS_CALLS)
		rs_json_u64(j, "nr_rmap_one", e->nr_rmap_one);
	else
		rs_json_null(j, "nr_rmap_one");
	rs_json_end_object(j);
}

int rs_output_json(FILE *f, const struct rs_report *r, const char *generator,
		   const struct rs_text_opts *o)
{
	const struct rs_top_entry *top;
	struct rs_group **g;
	struct rs_json j;
	size_t n, i;

	g = rs_groups_sorted(r->groups, &n);
	if (n && !g)
		return -1;
	rs_json_init(&j, f);
	rs_json_begin_object(&j, NULL);
	rs_json_string(&j, "schema", RS_REPORT_SCHEMA);
	rs_json_u64(&j, "version", RS_REPORT_SCHEMA_VERSION);
	rs_json_string(&j, "generator", generator);
	rs_json_string(&j, "unit", "ns");
	rs_json_begin_array(&j, "group_by");
	for (i = 0; i < r->opts.by.n; i++)
		rs_json_string(&j, NULL, rs_by_name(r->opts.by.field[i]));
	rs_json_end_array(&j);
	rs_json_string(&j, "source", rs_source_name(r->sources));
	json_unavailable(&j, r->missing);
	rs_json_begin_object(&j, "percentiles");
	rs_json_string(&j, "method", "nearest-rank");
	rs_json_u64(&j, "exact_up_to", RS_STATS_EXACT_MAX);
	rs_json_string(&j, "histogram", "log-linear, 64 sub-buckets per power of two, exact below 128 ns");
	rs_json_double(&j, "max_relative_error", RS_LLH_REL_ERROR, -1);
	rs_json_end_object(&j);
	rs_json_begin_array(&j, "traces");
	for (i = 0; i < r->nr_traces; i++)
		json_trace(&j, &r->traces[i]);
	rs_json_end_array(&j);
	json_counters(&j, "totals", &r->totals);
	rs_json_begin_array(&j, "groups");
	for (i = 0; i < n; i++)
		json_group(&j, r, g[i], o);
	rs_json_end_array(&j);
	top = rs_topn_sorted((struct rs_topn *)&r->top, &n);
	rs_json_begin_array(&j, "top");
	for (i = 0; i < n; i++)
		json_walk(&j, &top[i].walk, top[i].purpose, top[i].file);
	rs_json_end_array(&j);
	rs_json_end_object(&j);
	free(g);
	if (rs_json_finish(&j))
		return -1;
	fflush(f);
	return ferror(f) ? -1 : 0;
}

/* ---------------------------------------------------------------- CSV */

static void csv_string(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int rs_output_csv_header(FILE *f)
{
	fputs("status,file,buffer,start_ns,end_ns,duration_ns,start_cpu,end_cpu,pid,comm,"
	      "kind,purpose,rmap_one,pfn,rwc,folio,func,locked,mapcount,nr_visited,"
	      "nr_rmap_one,short\n", f);
	return ferror(f) ? -1 : 0;
}

int rs_output_csv_row(FILE *f, const struct rs_row *row)
{
	const struct rs_walk *w = row->walk;
	const struct rs_walk_event *i = rs_walk_info(w);
	bool has_start = w->status != RS_WALK_NO_START;
	bool has_end = w->status == RS_WALK_OK || w->status == RS_WALK_NESTED ||
		       w->status == RS_WALK_NO_START;
	bool paired = has_start && has_end;
	int is_short = rs_walk_is_short(w);

	fprintf(f, "%s,", rs_walk_status_name(w->status));
	csv_string(f, row->file);
	fputc(',', f);
	csv_string(f, buffer_label(row->buffer));
	fputc(',', f);
	if (has_start)
		fprintf(f, "%" PRIu64, w->start.ts);
	fputc(',', f);
	if (has_end)
		fprintf(f, "%" PRIu64, w->end.ts);
	fputc(',', f);
	if (paired)
		fprintf(f, "%" PRIu64, w->duration_ns);
	fputc(',', f);
	if (has_start)
		fprintf(f, "%d", w->start.cpu);
	fputc(',', f);
	if (has_end)
		fprintf(f, "%d", w->end.cpu);
	fprintf(f, ",%d,", i->pid);
	csv_string(f, i->comm);
	fprintf(f, ",%s,", rs_kind_name(i->kind));
	csv_string(f, row->purpose);
	fputc(',', f);
	if (i->has & RS_HAS_RMAP_ONE)
		fprintf(f, "0x%" PRIx64, i->rmap_one);
	fputc(',', f);
	if (i->has & RS_HAS_PFN)
		fprintf(f, "0x%" PRIx64, i->pfn);
	fputc(',', f);
	if (i->has & RS_HAS_RWC)
		fprintf(f, "0x%" PRIx64, i->rwc);
	fputc(',', f);
	if (i->has & RS_HAS_FOLIO)
		fprintf(f, "0x%" PRIx64, i->folio);
	fprintf(f, ",%s,", rs_func_name(i->func));
	if (i->has & RS_HAS_LOCKED)
		fprintf(f, "%d", i->locked);
	fputc(',', f);
	if (has_start && (w->start.has & RS_HAS_MAPCOUNT))
		fprintf(f, "%d", w->start.mapcount);
	fputc(',', f);
	if (has_end && (w->end.has & RS_HAS_VISITED))
		fprintf(f, "%u", w->end.nr_visited);
	fputc(',', f);
	if (has_end && (w->end.has & RS_HAS_CALLS))
		fprintf(f, "%u", w->end.nr_rmap_one);
	fputc(',', f);
	if (is_short >= 0)
		fprintf(f, "%d", is_short);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* ---------------------------------------------------------------- compare */

static void fmt_metric(char *buf, size_t len, enum rs_metric m, double v, enum rs_unit unit)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!rs_metric_is_time(m))
		snprintf(buf, len, "%.0f", v);
	else
		fmt_time(buf, len, v, unit, m == RS_M_MEAN || m == RS_M_STDDEV ? 1 : 0);
}

int rs_output_compare_text(FILE *f, const struct rs_compare *c, enum rs_unit unit)
{
	struct table t;
	char v[64];
	size_t i;

	fprintf(f, "rmapstat compare: base %s (", c->base->origin);
	put_printable(f, c->base->source);
	fprintf(f, ", by %s), new %s (", c->base->by, c->new->origin);
	put_printable(f, c->new->source);
	fprintf(f, ", by %s)\n", c->new->by);
	fprintf(f, "  regression: new worse (larger) than base by more than %g%%; times in %s\n\n",
		c->threshold_pct, rs_unit_name(unit));
	table_init(&t, 7, (1U << 0) | (1U << 1) | (1U << 6));
	cell(&t, "group");
	cell(&t, "metric");
	cell(&t, "base");
	cell(&t, "new");
	cell(&t, "ratio");
	cell(&t, "change");
	cell(&t, "result");
	for (i = 0; i < c->nr_rows; i++) {
		const struct rs_compare_row *row = &c->rows[i];

		cell(&t, "%s", row->group);
		cell(&t, "%s", rs_metric_name(row->metric));
		fmt_metric(v, sizeof(v), row->metric, row->base, unit);
		cell(&t, "%s", v);
		fmt_metric(v, sizeof(v), row->metric, row->new, unit);
		cell(&t, "%s", v);
		if (isnan(row->ratio))
			cell(&t, "-");
		else
			cell(&t, "%.3f", row->ratio);
		if (isnan(row->change_pct))
			cell(&t, "-");
		else
			cell(&t, "%+.1f%%", row->change_pct);
		switch (row->state) {
		case RS_CMP_REGRESSION:
			cell(&t, "REGRESSION");
			break;
		case RS_CMP_OK:
			cell(&t, "ok");
			break;
		case RS_CMP_NO_DATA:
			cell(&t, "no walks on one side");
			break;
		case RS_CMP_ONLY_BASE:
			cell(&t, "only in base");
			break;
		case RS_CMP_ONLY_NEW:
			cell(&t, "only in new");
			break;
		}
	}
	table_print(f, &t, "  ");
	table_free(&t);
	if (!c->nr_rows)
		fprintf(f, "  (no groups to compare)\n");
	fprintf(f, "\n%zu regression%s\n", c->regressions, c->regressions == 1 ? "" : "s");
	fflush(f);
	return ferror(f) ? -1 : 0;
}

static void json_num_or_null(struct rs_json *j, const char *key, double v)
{
	if (isnan(v))
		rs_json_null(j, key);
	else
		rs_json_double(j, key, v, -1);
}

static void json_side(struct rs_json *j, const char *key, const struct rs_metric_set *s)
{
	rs_json_begin_object(j, key);
	rs_json_string(j, "file", s->origin);
	rs_json_string(j, "source", s->source);
	rs_json_string(j, "group_by", s->by);
	rs_json_end_object(j);
}

int rs_output_compare_json(FILE *f, const struct rs_compare *c, const char *generator)
{
	struct rs_json j;
	size_t i;

	rs_json_init(&j, f);
	rs_json_begin_object(&j, NULL);
	rs_json_string(&j, "schema", RS_COMPARE_SCHEMA);
	rs_json_u64(&j, "version", RS_COMPARE_SCHEMA_VERSION);
	rs_json_string(&j, "generator", generator);
	rs_json_string(&j, "unit", "ns");
	json_side(&j, "base", c->base);
	json_side(&j, "new", c->new);
	rs_json_double(&j, "threshold_pct", c->threshold_pct, -1);
	rs_json_begin_array(&j, "metrics");
	for (i = 0; i < c->nr_metrics; i++)
		rs_json_string(&j, NULL, rs_metric_name(c->metrics[i]));
	rs_json_end_array(&j);
	rs_json_begin_array(&j, "rows");
	for (i = 0; i < c->nr_rows; i++) {
		const struct rs_compare_row *row = &c->rows[i];

		rs_json_begin_object(&j, NULL);
		rs_json_string(&j, "group", row->group);
		rs_json_string(&j, "metric", rs_metric_name(row->metric));
		json_num_or_null(&j, "base", row->base);
		json_num_or_null(&j, "new", row->new);
		json_num_or_null(&j, "ratio", row->ratio);
		json_num_or_null(&j, "change_pct", row->change_pct);
		rs_json_string(&j, "result", rs_cmp_state_name(row->state));
		rs_json_end_object(&j);
	}
	rs_json_end_array(&j);
	rs_json_u64(&j, "regressions", c->regressions);
	rs_json_end_object(&j);
	if (rs_json_finish(&j))
		return -1;
	fflush(f);
	return ferror(f) ? -1 : 0;
}
