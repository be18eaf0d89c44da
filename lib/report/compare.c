// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "json_parse.h"

static const char * const metric_names[RS_M_NR] = {
	[RS_M_COUNT] = "count",
	[RS_M_MIN] = "min",
	[RS_M_MEAN] = "mean",
	[RS_M_STDDEV] = "stddev",
	[RS_M_P50] = "p50",
	[RS_M_P90] = "p90",
	[RS_M_P99] = "p99",
	[RS_M_P999] = "p99.9",
	[RS_M_MAX] = "max",
	[RS_M_TOTAL] = "total",
};

static const char * const metric_keys[RS_M_NR] = {
	[RS_M_COUNT] = "count",
	[RS_M_MIN] = "min_ns",
	[RS_M_MEAN] = "mean_ns",
	[RS_M_STDDEV] = "stddev_ns",
	[RS_M_P50] = "p50_ns",
	[RS_M_P90] = "p90_ns",
	[RS_M_P99] = "p99_ns",
	[RS_M_P999] = "p99_9_ns",
	[RS_M_MAX] = "max_ns",
	[RS_M_TOTAL] = "total_ns",
};

const char *rs_metric_name(enum rs_metric m)
{
	return (unsigned int)m < RS_M_NR ? metric_names[m] : "?";
}

int rs_metric_parse(const char *s)
{
	int m;

	if (!strcmp(s, "p999"))
		return RS_M_P999;
	for (m = 0; m < RS_M_NR; m++)
		if (!strcmp(s, metric_names[m]))
			return m;
	return -1;
}

bool rs_metric_is_time(enum rs_metric m)
{
	return m != RS_M_COUNT;
}

const char *rs_cmp_state_name(enum rs_cmp_state s)
{
	switch (s) {
	case RS_CMP_OK:
		return "ok";
	case RS_CMP_REGRESSION:
		return "regression";
	case RS_CMP_NO_DATA:
		return "no_data";
	case RS_CMP_ONLY_BASE:
		return "only_base";
	case RS_CMP_ONLY_NEW:
		return "only_new";
	}
	return "?";
}

void rs_metric_set_free(struct rs_metric_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->g[i].name);
	free(s->g);
	free(s->origin);
	free(s->by);
	free(s->source);
	memset(s, 0, sizeof(*s));
}

int rs_metric_set_from_report(struct rs_metric_set *s, const char *origin,
			      const struct rs_report *r)
{
	struct rs_group **list;
	char by[128];
	size_t n, i;

	memset(s, 0, sizeof(*s));
	rs_group_spec_format(&r->opts.by, by, sizeof(by));
	s->origin = strdup(origin);
	s->by = strdup(by);
	s->source = strdup(rs_source_name(r->sources));
	list = rs_groups_sorted(r->groups, &n);
	if (!s->origin || !s->by || !s->source || (n && !list))
		goto nomem;
	s->g = calloc(n ? n : 1, sizeof(*s->g));
	if (!s->g)
		goto nomem;
	for (i = 0; i < n; i++) {
		struct rs_stats *st = &list[i]->stats;
		struct rs_metric_group *g = &s->g[i];
		int m;

		g->name = strdup(list[i]->name);
		if (!g->name)
			goto nomem;
		s->n++;
		g->v[RS_M_COUNT] = (double)st->count;
		for (m = RS_M_MIN; m < RS_M_NR; m++)
			g->v[m] = NAN;
		if (st->count) {
			g->v[RS_M_MIN] = (double)st->min;
			g->v[RS_M_MEAN] = st->mean;
			g->v[RS_M_STDDEV] = rs_stats_stddev(st);
			g->v[RS_M_P50] = (double)rs_stats_pct(st, RS_P50);
			g->v[RS_M_P90] = (double)rs_stats_pct(st, RS_P90);
			g->v[RS_M_P99] = (double)rs_stats_pct(st, RS_P99);
			g->v[RS_M_P999] = (double)rs_stats_pct(st, RS_P999);
			g->v[RS_M_MAX] = (double)st->max;
			g->v[RS_M_TOTAL] = (double)st->total;
		}
	}
	free(list);
	return 0;
nomem:
	free(list);
	rs_metric_set_free(s);
	errno = ENOMEM;
	return -1;
}

static const char *jstr(const struct rs_jval *v)
{
	return v && v->type == RS_JSTR ? v->str : NULL;
}

int rs_metric_set_from_json(struct rs_metric_set *s, const char *origin,
			    const char *text, size_t len, struct rs_error *err)
{
	const struct rs_jval *v, *groups, *by;
	struct rs_group_spec spec;
	const char *schema;
	struct rs_jval *root;
	char msg[128];
	size_t i;

	memset(s, 0, sizeof(*s));
	root = rs_jparse(text, len, msg, sizeof(msg));
	if (!root) {
		rs_error_set(err, RS_FIX_GIVE_INPUT,
			     "not valid JSON: %s", msg);
		return -1;
	}
	schema = jstr(rs_jget(root, "schema"));
	if (root->type != RS_JOBJ || !schema || strcmp(schema, "rmapstat-report")) {
		rs_error_set(err, RS_FIX_GIVE_INPUT,
			     "JSON is not an rmapstat report (no \"schema\": \"rmapstat-report\")");
		goto fail;
	}
	v = rs_jget(root, "version");
	if (!v || v->type != RS_JNUM || v->num != 1) {
		rs_error_set(err, "re-create it with this rmapstat's `rmapstat report --json`",
			     "report JSON schema version %s is not supported (this rmapstat reads version 1)",
			     v && v->type == RS_JNUM ? (snprintf(msg, sizeof(msg), "%g", v->num), msg) : "(missing)");
		goto fail;
	}
	groups = rs_jget(root, "groups");
	if (!groups || groups->type != RS_JARR) {
		rs_error_set(err, RS_FIX_JSON_AGAIN,
			     "report JSON has no \"groups\" array");
		goto fail;
	}
	by = rs_jget(root, "group_by");
	s->origin = strdup(origin);
	if (by && by->type == RS_JARR) {
		size_t used = 0, cap = 128;

		s->by = calloc(1, cap);
		for (i = 0; s->by && i < by->n && used < cap; i++)
			used += snprintf(s->by + used, cap - used, "%s%s", i ? "," : "",
					 jstr(&by->items[i]) ? jstr(&by->items[i]) : "?");
	} else {
		s->by = strdup("?");
	}
	s->source = strdup(jstr(rs_jget(root, "source")) ? jstr(rs_jget(root, "source")) : "?");
	s->g = calloc(groups->n ? groups->n : 1, sizeof(*s->g));
	if (!s->origin || !s->by || !s->source || !s->g) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		goto fail;
	}
	/* Only known keys: the grouping goes into one-line messages. */
	if (strcmp(s->by, "?") && rs_group_spec_parse(s->by, &spec)) {
		rs_error_set(err, RS_FIX_JSON_AGAIN,
			     "report JSON has an unknown \"group_by\" (not kind, purpose, pid, cpu, comm)");
		goto fail;
	}
	for (i = 0; i < groups->n; i++) {
		const struct rs_jval *gv = &groups->items[i];
		struct rs_metric_group *g = &s->g[s->n];
		int m;

		if (!jstr(rs_jget(gv, "name"))) {
			rs_error_set(err, RS_FIX_JSON_AGAIN,
				     "report JSON group %zu has no name", i);
			goto fail;
		}
		g->name = strdup(jstr(rs_jget(gv, "name")));
		if (!g->name) {
			rs_error_set(err, RS_FIX_MEMORY, "out of memory");
			goto fail;
		}
		s->n++;
		for (m = 0; m < RS_M_NR; m++) {
			v = rs_jget(gv, metric_keys[m]);
			if (v && v->type == RS_JNUM)
				g->v[m] = v->num;
			else if (!v && m == RS_M_COUNT) {
				rs_error_set(err, RS_FIX_JSON_AGAIN,
					     "report JSON group %zu has no count", i);
				goto fail;
			} else {
				g->v[m] = NAN;
			}
		}
	}
	rs_jfree(root);
	return 0;
fail:
	rs_jfree(root);
	rs_metric_set_free(s);
	return -1;
}

static const struct rs_metric_group *find_group(const struct rs_metric_set *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->g[i].name, name))
			return &s->g[i];
	return NULL;
}

static bool selected(const struct rs_compare *c, const char *name)
{
	size_t i;

	if (!c->only_groups)
		return true;
	for (i = 0; i < c->nr_only_groups; i++)
		if (!strcmp(c->only_groups[i], name))
			return true;
	return false;
}

static void fill_row(struct rs_compare *c, struct rs_compare_row *row,
		     const struct rs_metric_group *b, const struct rs_metric_group *n,
		     enum rs_metric m)
{
	row->group = b ? b->name : n ? n->name : "?";
	row->metric = m;
	row->base = b ? b->v[m] : NAN;
	row->new = n ? n->v[m] : NAN;
	row->ratio = NAN;
	row->change_pct = NAN;
	if (!b) {
		row->state = RS_CMP_ONLY_NEW;
		return;
	}
	if (!n) {
		row->state = RS_CMP_ONLY_BASE;
		return;
	}
	if (isnan(row->base) || isnan(row->new)) {
		row->state = RS_CMP_NO_DATA;
		return;
	}
	if (row->base != 0) {
		row->ratio = row->new / row->base;
		row->change_pct = (row->new - row->base) / row->base * 100.0;
	}
	row->state = row->new > row->base * (1.0 + c->threshold_pct / 100.0) ?
		     RS_CMP_REGRESSION : RS_CMP_OK;
	if (row->state == RS_CMP_REGRESSION)
		c->regressions++;
}

int rs_compare_run(struct rs_compare *c)
{
	size_t i, k, cap = (c->base->n + c->new->n) * c->nr_metrics;

	c->rows = calloc(cap ? cap : 1, sizeof(*c->rows));
	if (!c->rows)
		return -1;
	c->nr_rows = 0;
	c->regressions = 0;
	for (i = 0; i < c->base->n; i++) {
		const struct rs_metric_group *b = &c->base->g[i];

		if (!selected(c, b->name))
			continue;
		for (k = 0; k < c->nr_metrics; k++)
			fill_row(c, &c->rows[c->nr_rows++], b, find_group(c->new, b->name),
				 c->metrics[k]);
	}
	for (i = 0; i < c->new->n; i++) {
		const struct rs_metric_group *n = &c->new->g[i];

		if (!selected(c, n->name) || find_group(c->base, n->name))
			continue;
		for (k = 0; k < c->nr_metrics; k++)
			fill_row(c, &c->rows[c->nr_rows++], NULL, n, c->metrics[k]);
	}
	return 0;
}

void rs_compare_free(struct rs_compare *c)
{
	free(c->rows);
	c->rows = NULL;
	c->nr_rows = 0;
}
