// SPDX-License-Identifier: GPL-2.0-only
/*
 * The walk report as JSON, schema rmapstat-report (schema.h names every
 * member; Documentation/json-schema.md says what each means). Written as
 * it goes with json_write.h: a report's JSON is never held in memory.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "format.h"
#include "json_write.h"
#include "walk_decode.h"

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
	rs_json_begin_array(j, RS_KEY_UNAVAILABLE);
	if (missing & RS_HAS_PFN)
		rs_json_string(j, NULL, RS_KEY_PFN);
	if (missing & RS_HAS_MAPCOUNT)
		rs_json_string(j, NULL, RS_KEY_MAPCOUNT);
	if (missing & RS_HAS_VISITED)
		rs_json_string(j, NULL, RS_KEY_NR_VISITED);
	if (missing & RS_HAS_CALLS)
		rs_json_string(j, NULL, RS_KEY_NR_RMAP_ONE);
	if (missing & (RS_HAS_MAPCOUNT | RS_HAS_CALLS))
		rs_json_string(j, NULL, RS_KEY_SHORT_WALKS);
	if (missing & RS_HAS_FOLIO)
		rs_json_string(j, NULL, RS_KEY_FOLIO);
	rs_json_end_array(j);
}

static void json_counters(struct rs_json *j, const char *key, const struct rs_pairing_counters *c)
{
	rs_json_begin_object(j, key);
	rs_json_u64(j, RS_KEY_WALK_EVENTS, c->events);
	rs_json_u64(j, RS_KEY_WALKS, c->paired);
	rs_json_u64(j, RS_KEY_NESTED, c->nested);
	rs_json_u64(j, RS_KEY_NO_END, c->no_end);
	rs_json_u64(j, RS_KEY_SUPERSEDED, c->superseded);
	rs_json_u64(j, RS_KEY_NO_START, c->no_start);
	rs_json_u64(j, RS_KEY_LOST_WALKS, c->lost_walks);
	rs_json_u64(j, RS_KEY_LOST_MARKERS, c->lost_markers);
	rs_json_u64(j, RS_KEY_LOST_EVENTS, c->lost_events);
	rs_json_u64(j, RS_KEY_LOST_UNKNOWN_MARKERS, c->lost_unknown);
	rs_json_u64(j, RS_KEY_MAX_IN_FLIGHT, c->max_in_flight);
	rs_json_u64(j, RS_KEY_VISITS, c->visits);
	rs_json_u64(j, RS_KEY_VISITS_OUTSIDE, c->visits_outside);
	rs_json_u64(j, RS_KEY_VISITS_INCOMPLETE, c->visits_incomplete);
	rs_json_end_object(j);
}

static void json_sources(struct rs_json *j, const char *key, unsigned int sources)
{
	rs_json_begin_array(j, key);
	if (sources & RS_SRC_TRACEPOINTS)
		rs_json_string(j, NULL, "tracepoints");
	if (sources & RS_SRC_KPROBES)
		rs_json_string(j, NULL, "kprobes");
	if (sources & RS_SRC_VISITS)
		rs_json_string(j, NULL, "visits");
	/* Not RS_SRC_OPS: raw_data is an ftrace format every trace has. */
	if (sources & RS_SRC_HOLDS)
		rs_json_string(j, NULL, "holds");
	if (sources & RS_SRC_LOCKS)
		rs_json_string(j, NULL, "locks");
	rs_json_end_array(j);
}

static void json_buffer(struct rs_json *j, const struct rs_buffer_summary *bs)
{
	rs_json_begin_object(j, NULL);
	rs_json_string(j, RS_KEY_NAME, rs_buffer_label(bs->name));
	rs_json_string(j, RS_KEY_CLOCK, bs->clock);
	rs_json_u64(j, RS_KEY_WALK_EVENTS, bs->walk_events);
	rs_json_u64(j, RS_KEY_LOST_MARKERS, bs->pc.lost_markers);
	rs_json_u64(j, RS_KEY_LOST_EVENTS, bs->pc.lost_events);
	rs_json_u64(j, RS_KEY_LOST_UNKNOWN_MARKERS, bs->pc.lost_unknown);
	rs_json_end_object(j);
}

static void json_trace(struct rs_json *j, const struct rs_trace_summary *s)
{
	size_t b;

	rs_json_begin_object(j, NULL);
	rs_json_string(j, RS_KEY_FILE, s->file);
	rs_json_string(j, RS_KEY_SOURCE, rs_source_name(s->source));
	json_sources(j, RS_KEY_FORMATS, s->formats);
	json_unavailable(j, rs_source_missing(s->source));
	rs_json_string(j, RS_KEY_CLOCK, s->clock);
	rs_json_string(j, RS_KEY_KERNEL, s->uname);
	rs_json_string(j, RS_KEY_PROBES, s->probes);
	rs_json_string(j, RS_KEY_TRACE_CMD_VERSION, s->tracecmd_version);
	rs_json_u64(j, RS_KEY_FILE_VERSION, s->file_version);
	rs_json_i64(j, RS_KEY_CPUS, s->cpus);
	rs_json_u64(j, RS_KEY_RECORDS, s->records);
	rs_json_u64(j, RS_KEY_WALK_EVENTS, s->walk_events);
	rs_json_u64(j, RS_KEY_UNDECODABLE_EVENTS, s->undecodable);
	rs_json_u64(j, RS_KEY_PURPOSE_MISSES, s->purpose_misses);
	if (s->walk_events) {
		rs_json_u64(j, RS_KEY_FIRST_TS, s->first_ts);
		rs_json_u64(j, RS_KEY_LAST_TS, s->last_ts);
	} else {
		rs_json_null(j, RS_KEY_FIRST_TS);
		rs_json_null(j, RS_KEY_LAST_TS);
	}
	rs_json_begin_array(j, RS_KEY_BUFFERS);
	for (b = 0; b < s->nr_buffers; b++)
		json_buffer(j, &s->buffers[b]);
	rs_json_end_array(j);
	json_counters(j, RS_KEY_PAIRING, &s->pc);
	rs_json_end_object(j);
}

static void json_keys(struct rs_json *j, const struct rs_report *r, const struct rs_group *g)
{
	unsigned int i;

	rs_json_begin_object(j, RS_KEY_KEY);
	for (i = 0; i < r->opts.by.n; i++) {
		switch (r->opts.by.field[i]) {
		case RS_BY_KIND:
			rs_json_string(j, RS_KEY_KIND, rs_kind_name(g->keys.kind));
			break;
		case RS_BY_PURPOSE:
			rs_json_string(j, RS_KEY_PURPOSE, g->keys.purpose);
			break;
		case RS_BY_PID:
			rs_json_i64(j, RS_KEY_PID, g->keys.pid);
			break;
		case RS_BY_CPU:
			rs_json_i64(j, RS_KEY_CPU, g->keys.cpu);
			break;
		case RS_BY_COMM:
			rs_json_string(j, RS_KEY_COMM, g->keys.comm);
			break;
		default:
			break;
		}
	}
	rs_json_end_object(j);
}

/* count and the durations, in the order of enum rs_metric: null without walks */
static void json_metrics(struct rs_json *j, struct rs_stats *s)
{
	int m;

	for (m = 0; m < RS_M_NR; m++) {
		const char *key = rs_metric_key(m);

		if (m != RS_M_COUNT && !s->count)
			rs_json_null(j, key);
		else if (rs_metric_is_integer(m))
			rs_json_u64(j, key, rs_metric_u64(s, m));
		else
			rs_json_double(j, key, rs_metric_value(s, m), 3);
	}
	if (s->count)
		rs_json_bool(j, RS_KEY_PERCENTILES_EXACT, rs_stats_pct_exact(s));
	else
		rs_json_null(j, RS_KEY_PERCENTILES_EXACT);
}

static void json_work(struct rs_json *j, const struct rs_stats *s)
{
	if (!s->with_counters) {
		rs_json_null(j, RS_KEY_WORK);
		return;
	}
	rs_json_begin_object(j, RS_KEY_WORK);
	rs_json_u64(j, RS_KEY_WALKS, s->with_counters);
	rs_json_u64(j, RS_KEY_VISITED, s->visited);
	if (s->with_calls)
		rs_json_u64(j, RS_KEY_RMAP_ONE, s->calls);
	else
		rs_json_null(j, RS_KEY_RMAP_ONE);	/* kprobe walks: VMAs only */
	rs_json_double(j, RS_KEY_VISITED_PER_WALK,
		       (double)s->visited / (double)s->with_counters, 3);
	rs_json_double(j, RS_KEY_RMAP_ONE_PER_WALK,
		       s->with_calls ? (double)s->calls / (double)s->with_calls : NAN, 3);
	rs_json_double(j, RS_KEY_VISITED_PER_RMAP_ONE,
		       s->calls ? (double)s->visited / (double)s->calls : NAN, 3);
	rs_json_u64(j, RS_KEY_WALKS_ORDER0, s->order0);
	rs_json_u64(j, RS_KEY_SHORT_WALKS, s->short_walks);
	rs_json_end_object(j);
}

static void json_hist(struct rs_json *j, const struct rs_stats *s, enum rs_unit unit)
{
	int last = rs_log2_last(&s->log2), i;

	rs_json_begin_object(j, RS_KEY_HISTOGRAM);
	rs_json_string(j, RS_KEY_UNIT, rs_unit_name(unit));
	rs_json_begin_array(j, RS_KEY_BUCKETS);
	for (i = 0; i <= last; i++) {
		rs_json_begin_object(j, NULL);
		rs_json_u64(j, RS_KEY_LOW, rs_log2_low(i));
		rs_json_u64(j, RS_KEY_HIGH, rs_log2_high(i));
		rs_json_u64(j, RS_KEY_COUNT, s->log2.slot[i]);
		rs_json_end_object(j);
	}
	rs_json_end_array(j);
	rs_json_end_object(j);
}

static void json_group(struct rs_json *j, const struct rs_report *r, struct rs_group *g,
		       const struct rs_text_opts *o)
{
	struct rs_stats *s = &g->stats;

	rs_json_begin_object(j, NULL);
	rs_json_string(j, RS_KEY_NAME, g->name);
	json_keys(j, r, g);
	json_metrics(j, s);
	json_work(j, s);
	rs_json_begin_object(j, RS_KEY_UNMATCHED);
	rs_json_u64(j, RS_KEY_NO_END, s->status[RS_WALK_NO_END]);
	rs_json_u64(j, RS_KEY_SUPERSEDED, s->status[RS_WALK_SUPERSEDED]);
	rs_json_u64(j, RS_KEY_NO_START, s->status[RS_WALK_NO_START]);
	rs_json_u64(j, RS_KEY_LOST, s->status[RS_WALK_LOST]);
	rs_json_end_object(j);
	rs_json_u64(j, RS_KEY_NESTED, s->status[RS_WALK_NESTED]);
	if (o && o->hist)
		json_hist(j, s, o->unit);
	rs_json_end_object(j);
}

/* The members of a WALK: a slowest walk, or a walk others waited behind. */
static void json_walk_members(struct rs_json *j, const struct rs_walk *w, const char *purpose,
			      const char *file)
{
	const struct rs_walk_event *s = &w->start, *e = &w->end;

	rs_json_string(j, RS_KEY_FILE, file);
	rs_json_u64(j, RS_KEY_START_NS, s->ts);
	rs_json_u64(j, RS_KEY_END_NS, e->ts);
	rs_json_u64(j, RS_KEY_DURATION_NS, w->duration_ns);
	rs_json_i64(j, RS_KEY_START_CPU, s->cpu);
	rs_json_i64(j, RS_KEY_END_CPU, e->cpu);
	rs_json_i64(j, RS_KEY_PID, s->pid);
	rs_json_string(j, RS_KEY_COMM, s->comm);
	rs_json_string(j, RS_KEY_KIND, rs_kind_name(s->kind));
	rs_json_string(j, RS_KEY_PURPOSE, purpose);
	json_hex(j, RS_KEY_RMAP_ONE, s->has & RS_HAS_RMAP_ONE, s->rmap_one);
	if (s->has & RS_HAS_PFN)
		rs_json_u64(j, RS_KEY_PFN, s->pfn);
	else
		rs_json_null(j, RS_KEY_PFN);
	json_hex(j, RS_KEY_RWC, s->has & RS_HAS_RWC, s->rwc);
	json_hex(j, RS_KEY_FOLIO, s->has & RS_HAS_FOLIO, s->folio);
	if (s->func != RS_FUNC_NONE)
		rs_json_string(j, RS_KEY_FUNC, rs_func_name(s->func));
	else
		rs_json_null(j, RS_KEY_FUNC);
	rs_json_bool(j, RS_KEY_LOCKED, s->locked);
	if (s->has & RS_HAS_MAPCOUNT)
		rs_json_i64(j, RS_KEY_MAPCOUNT, s->mapcount);
	else
		rs_json_null(j, RS_KEY_MAPCOUNT);
	if (s->has & RS_HAS_NR_PAGES)
		rs_json_u64(j, RS_KEY_NR_PAGES, s->nr_pages);
	else
		rs_json_null(j, RS_KEY_NR_PAGES);
	if (e->has & RS_HAS_VISITED)
		rs_json_u64(j, RS_KEY_NR_VISITED, e->nr_visited);
	else
		rs_json_null(j, RS_KEY_NR_VISITED);
	if (e->has & RS_HAS_CALLS)
		rs_json_u64(j, RS_KEY_NR_RMAP_ONE, e->nr_rmap_one);
	else
		rs_json_null(j, RS_KEY_NR_RMAP_ONE);
}

static void json_walk(struct rs_json *j, const struct rs_top_entry *t)
{
	rs_json_begin_object(j, NULL);
	json_walk_members(j, &t->walk, t->purpose, t->file);
	rs_json_end_object(j);
}

/* ------------------------------------------------ blocked behind walks */

static void json_waits_counters(struct rs_json *j, const struct rs_waits_counters *c)
{
#define WAITS_MEMBER(name)	rs_json_u64(j, #name, c->name);
	rs_json_begin_object(j, RS_KEY_COUNTERS);
	RS_WAITS_SUMS(WAITS_MEMBER)
	rs_json_end_object(j);
#undef WAITS_MEMBER
}

static void json_stats_object(struct rs_json *j, const char *key, const struct rs_stats *s)
{
	rs_json_begin_object(j, key);
	json_metrics(j, rs_stats_sortable(s));
	rs_json_end_object(j);
}

static void json_blamed(struct rs_json *j, const struct rs_top_collateral *t)
{
	const struct rs_collateral *c = &t->c;

	rs_json_begin_object(j, NULL);
	json_walk_members(j, &c->walk, t->purpose, t->file);
	rs_json_string(j, RS_KEY_STATUS, rs_walk_status_name(c->walk.status));
	rs_json_u64(j, RS_KEY_WAITS_DIRECT, c->direct);
	rs_json_u64(j, RS_KEY_WAITS_INDIRECT, c->indirect);
	rs_json_u64(j, RS_KEY_TASKS, c->tasks);
	rs_json_u64(j, RS_KEY_DIRECT_NS, c->direct_ns);
	rs_json_u64(j, RS_KEY_INDIRECT_NS, c->indirect_ns);
	rs_json_u64(j, RS_KEY_MAX_NS, c->max_ns);
	rs_json_string(j, RS_KEY_PROOF, rs_wait_proof_name(c->proof));
	rs_json_end_object(j);
}

/* null for a report without lock events */
static void json_waits(struct rs_json *j, const struct rs_report *r)
{
	const struct rs_waits_report *wr = &r->waits;
	const struct rs_top_collateral *top;
	size_t i, n;

	if (!(r->sources & RS_SRC_LOCKS)) {
		rs_json_null(j, RS_KEY_WAITS);
		return;
	}
	rs_json_begin_object(j, RS_KEY_WAITS);
	rs_json_string(j, RS_KEY_PROOF, !(r->sources & RS_SRC_HOLDS) ? "overlap" :
		       wr->proofs & (1U << RS_PROOF_OVERLAP) ? "lock+overlap" : "lock");
	json_waits_counters(j, &wr->c);
	rs_json_begin_array(j, RS_KEY_WAITERS);
	for (i = 0; i < wr->nr_waiters; i++) {
		const struct rs_waiter *w = &wr->waiters[i];

		rs_json_begin_object(j, NULL);
		rs_json_i64(j, RS_KEY_PID, w->pid);
		rs_json_string(j, RS_KEY_COMM, w->comm);
		json_stats_object(j, RS_KEY_DIRECT, &w->direct);
		json_stats_object(j, RS_KEY_INDIRECT, &w->indirect);
		rs_json_end_object(j);
	}
	rs_json_end_array(j);
	json_stats_object(j, RS_KEY_COLLATERAL, &wr->per_walk);
	rs_json_begin_array(j, RS_KEY_TOP);
	top = rs_waits_report_top(wr, &n);
	for (i = 0; i < n; i++)
		json_blamed(j, &top[i]);
	rs_json_end_array(j);
	rs_json_end_object(j);
}

/* null for a report without victim operations */
static void json_victims(struct rs_json *j, const struct rs_report *r)
{
	const struct rs_waits_report *wr = &r->waits;
	char name[64];
	size_t i;

	if (!wr->op_threads) {
		rs_json_null(j, RS_KEY_VICTIMS);
		return;
	}
	rs_json_begin_object(j, RS_KEY_VICTIMS);
	rs_json_u64(j, RS_KEY_THREADS, wr->op_threads);
	rs_json_begin_array(j, RS_KEY_OPS);
	for (i = 0; i < RS_OP_NR; i++) {
		const struct rs_op_stats *o = &wr->ops[i];

		if (!o->all.count)
			continue;
		rs_json_begin_object(j, NULL);
		rs_victim_group_name(name, sizeof(name), RS_VICTIM_OP, i);
		rs_json_string(j, RS_KEY_NAME, name);
		rs_json_string(j, RS_KEY_OP, rs_op_name(i));
		json_metrics(j, rs_stats_sortable(&o->all));
		rs_json_u64(j, RS_KEY_FAILED, o->failed);
		rs_json_u64(j, RS_KEY_UNALIGNED, o->unaligned);
		rs_json_begin_object(j, RS_KEY_BLOCKED);
		rs_victim_group_name(name, sizeof(name), RS_VICTIM_BLOCKED, i);
		rs_json_string(j, RS_KEY_NAME, name);
		json_metrics(j, rs_stats_sortable(&o->blocked));
		rs_json_u64(j, RS_KEY_OF_NS, o->blocked_dur_ns);
		rs_json_end_object(j);
		rs_json_end_object(j);
	}
	rs_json_end_array(j);
	rs_json_end_object(j);
}

/* What the document is, and how its percentiles were made. */
static void json_head(struct rs_json *j, const struct rs_report *r, const char *generator)
{
	unsigned int i;

	rs_json_string(j, RS_KEY_SCHEMA, RS_REPORT_SCHEMA);
	rs_json_u64(j, RS_KEY_VERSION, RS_REPORT_SCHEMA_VERSION);
	rs_json_string(j, RS_KEY_GENERATOR, generator);
	rs_json_string(j, RS_KEY_UNIT, "ns");
	rs_json_begin_array(j, RS_KEY_GROUP_BY);
	for (i = 0; i < r->opts.by.n; i++)
		rs_json_string(j, NULL, rs_by_name(r->opts.by.field[i]));
	rs_json_end_array(j);
	rs_json_string(j, RS_KEY_SOURCE, rs_source_name(r->sources));
	json_unavailable(j, r->missing);
	rs_json_begin_object(j, RS_KEY_PERCENTILES);
	rs_json_string(j, RS_KEY_METHOD, "nearest-rank");
	rs_json_u64(j, RS_KEY_EXACT_UP_TO, RS_STATS_EXACT_MAX);
	rs_json_string(j, RS_KEY_HISTOGRAM, "log-linear, 64 sub-buckets per power of two, exact below 128 ns");
	rs_json_double(j, RS_KEY_MAX_RELATIVE_ERROR, RS_LLH_REL_ERROR, -1);
	rs_json_end_object(j);
}

int rs_output_json(FILE *f, const struct rs_report *r, const char *generator,
		   const struct rs_text_opts *o)
{
	struct rs_top_entry *top;
	struct rs_group **g;
	size_t ng, ntop, i;
	struct rs_json j;
	int ret;

	g = rs_groups_sorted(r->groups, &ng);
	top = rs_top_sorted(&r->top, &ntop);
	if ((ng && !g) || (ntop && !top)) {
		free(g);
		free(top);
		return -1;
	}
	rs_json_init(&j, f);
	rs_json_begin_object(&j, NULL);
	json_head(&j, r, generator);
	rs_json_begin_array(&j, RS_KEY_TRACES);
	for (i = 0; i < r->nr_traces; i++)
		json_trace(&j, &r->traces[i]);
	rs_json_end_array(&j);
	json_counters(&j, RS_KEY_TOTALS, &r->totals);
	rs_json_begin_array(&j, RS_KEY_GROUPS);
	for (i = 0; i < ng; i++)
		json_group(&j, r, g[i], o);
	rs_json_end_array(&j);
	rs_json_begin_array(&j, RS_KEY_TOP);
	for (i = 0; i < ntop; i++)
		json_walk(&j, &top[i]);
	rs_json_end_array(&j);
	json_waits(&j, r);
	json_victims(&j, r);
	rs_json_end_object(&j);
	free(g);
	free(top);
	ret = rs_json_finish(&j);
	fflush(f);
	return ret || ferror(f) ? -1 : 0;
}
