// SPDX-License-Identifier: GPL-2.0-only
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>

#include "compare.h"
#include "json_read.h"
#include "schema.h"

/* Every metric of a group: the percentiles are those of stats.h, in order. */
static_assert(RS_M_P999 - RS_M_P50 + 1 == RS_NR_PCT, "one metric per percentile");

static const struct {
	const char *name;		/* --metric; NULL: the percentile's */
	const char *key;		/* its member in a group of report JSON */
} metrics[RS_M_NR] = {
	[RS_M_COUNT] = { "count", RS_KEY_COUNT },
	[RS_M_MIN] = { "min", RS_KEY_MIN_NS },
	[RS_M_MEAN] = { "mean", RS_KEY_MEAN_NS },
	[RS_M_STDDEV] = { "stddev", RS_KEY_STDDEV_NS },
	[RS_M_P50] = { NULL, RS_KEY_P50_NS },
	[RS_M_P90] = { NULL, RS_KEY_P90_NS },
	[RS_M_P99] = { NULL, RS_KEY_P99_NS },
	[RS_M_P999] = { NULL, RS_KEY_P99_9_NS },
	[RS_M_MAX] = { "max", RS_KEY_MAX_NS },
	[RS_M_TOTAL] = { "total", RS_KEY_TOTAL_NS },
};

static bool is_pct(enum rs_metric m)
{
	return m >= RS_M_P50 && m <= RS_M_P999;
}

const char *rs_metric_name(enum rs_metric m)
{
	if ((unsigned int)m >= RS_M_NR)
		return "?";
	return is_pct(m) ? rs_pct_name[m - RS_M_P50] : metrics[m].name;
}

const char *rs_metric_key(enum rs_metric m)
{
	return (unsigned int)m < RS_M_NR ? metrics[m].key : "?";
}

int rs_metric_parse(const char *s)
{
	int m;

	if (!strcmp(s, "p999"))
		return RS_M_P999;
	for (m = 0; m < RS_M_NR; m++)
		if (!strcmp(s, rs_metric_name(m)))
			return m;
	return -1;
}

bool rs_metric_is_time(enum rs_metric m)
{
	return m != RS_M_COUNT;
}

bool rs_metric_is_integer(enum rs_metric m)
{
	return m != RS_M_MEAN && m != RS_M_STDDEV;
}

uint64_t rs_metric_u64(struct rs_stats *s, enum rs_metric m)
{
	if (!s->count)
		return 0;
	switch (m) {
	case RS_M_COUNT:
		return s->count;
	case RS_M_MIN:
		return s->min;
	case RS_M_MAX:
		return s->max;
	case RS_M_TOTAL:
		return s->total;
	default:
		return is_pct(m) ? rs_stats_pct(s, m - RS_M_P50) : 0;
	}
}

double rs_metric_value(struct rs_stats *s, enum rs_metric m)
{
	if (m == RS_M_COUNT)
		return (double)s->count;
	if (!s->count)
		return NAN;
	if (m == RS_M_MEAN)
		return s->mean;
	if (m == RS_M_STDDEV)
		return rs_stats_stddev(s);
	return (double)rs_metric_u64(s, m);
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

/* One more group, at the end; its name is NULL when memory ran out. */
static struct rs_metric_group *append_group(struct rs_metric_set *s)
{
	struct rs_metric_group *g = realloc(s->g, (s->n + 1) * sizeof(*g));

	if (!g)
		return NULL;
	s->g = g;
	g = &s->g[s->n];
	memset(g, 0, sizeof(*g));
	return g;
}

/*
 * The victim operations of a report, as groups after the walk groups:
 * "victim:OP" (the ops' durations) and "blocked:OP" (the blocked time of
 * those that waited behind walks), as the JSON's "victims" has them.
 */
static int victim_groups(struct rs_metric_set *s, const struct rs_report *r)
{
	struct rs_stats *stats[2];
	char name[64];
	size_t op, k;
	int m;

	for (op = 0; op < RS_OP_NR; op++) {
		stats[RS_VICTIM_OP] = rs_stats_sortable(&r->waits.ops[op].all);
		stats[RS_VICTIM_BLOCKED] = rs_stats_sortable(&r->waits.ops[op].blocked);
		if (!stats[RS_VICTIM_OP]->count)
			continue;
		for (k = 0; k < 2; k++) {
			struct rs_metric_group *g = append_group(s);

			rs_victim_group_name(name, sizeof(name), k, op);
			if (!g || !(g->name = strdup(name)))
				return -ENOMEM;
			s->n++;
			for (m = 0; m < RS_M_NR; m++)
				g->v[m] = rs_metric_value(stats[k], m);
		}
	}
	return 0;
}

int rs_metric_set_from_report(struct rs_metric_set *s, const char *origin,
			      const struct rs_report *r)
{
	struct rs_group **list;
	char by[128];
	size_t n, i;
	int m;

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
		struct rs_metric_group *g = &s->g[i];

		g->name = strdup(list[i]->name);
		if (!g->name)
			goto nomem;
		s->n++;
		for (m = 0; m < RS_M_NR; m++)
			g->v[m] = rs_metric_value(&list[i]->stats, m);
	}
	free(list);
	list = NULL;
	if (victim_groups(s, r))
		goto nomem;
	return 0;
nomem:
	free(list);
	rs_metric_set_free(s);
	return -ENOMEM;
}

/* A member of an object, when it is a string. */
static const char *member_str(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool is_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* "kind,purpose" of "group_by": [...], "?" for anything else. */
static char *grouping(struct json_object *root)
{
	struct json_object *by;
	size_t used = 0, cap = 128, i, n;
	char *s;

	if (!json_object_object_get_ex(root, RS_KEY_GROUP_BY, &by) ||
	    !json_object_is_type(by, json_type_array))
		return strdup("?");
	s = calloc(1, cap);
	n = json_object_array_length(by);
	for (i = 0; s && i < n && used < cap; i++) {
		struct json_object *v = json_object_array_get_idx(by, i);
		const char *name = json_object_is_type(v, json_type_string) ?
				   json_object_get_string(v) : "?";

		used += snprintf(s + used, cap - used, "%s%s", i ? "," : "", name);
	}
	return s;
}

/* The schema's name and a version whose members compare reads: any other is not read. */
static int check_schema(struct json_object *root, struct rs_error *err)
{
	const char *schema = member_str(root, RS_KEY_SCHEMA);
	struct json_object *v;
	char num[64];
	double ver;

	if (!json_object_is_type(root, json_type_object) || !schema ||
	    strcmp(schema, RS_REPORT_SCHEMA)) {
		rs_error_set(err, RS_FIX_GIVE_INPUT,
			     "JSON is not an rmapstat report (no \"%s\": \"%s\")",
			     RS_KEY_SCHEMA, RS_REPORT_SCHEMA);
		return -EINVAL;
	}
	json_object_object_get_ex(root, RS_KEY_VERSION, &v);
	ver = is_number(v) ? json_object_get_double(v) : 0;
	/* in range first: only then is the cast to int defined */
	if (!(ver >= RS_REPORT_SCHEMA_VERSION_MIN && ver <= RS_REPORT_SCHEMA_VERSION) ||
	    ver != (int)ver) {
		if (is_number(v))
			snprintf(num, sizeof(num), "%g", json_object_get_double(v));
		rs_error_set(err, "re-create it with this rmapstat's `rmapstat report --json`",
			     "report JSON schema version %s is not supported (this rmapstat reads versions %d to %d)",
			     is_number(v) ? num : "(missing)", RS_REPORT_SCHEMA_VERSION_MIN,
			     RS_REPORT_SCHEMA_VERSION);
		return -EINVAL;
	}
	return 0;
}

/* Group i of "groups": its name and metrics. */
static int load_group(struct rs_metric_group *g, struct json_object *gv, size_t i,
		      struct rs_error *err)
{
	const char *name = member_str(gv, RS_KEY_NAME);
	struct json_object *v;
	int m;

	if (!name) {
		rs_error_set(err, RS_FIX_JSON_AGAIN, "report JSON group %zu has no name", i);
		return -EINVAL;
	}
	g->name = strdup(name);
	if (!g->name) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		return -ENOMEM;
	}
	for (m = 0; m < RS_M_NR; m++) {
		/* null, or any other type: the value is not there */
		if (!json_object_object_get_ex(gv, rs_metric_key(m), &v)) {
			if (m == RS_M_COUNT) {
				rs_error_set(err, RS_FIX_JSON_AGAIN,
					     "report JSON group %zu has no count", i);
				return -EINVAL;
			}
			v = NULL;
		}
		g->v[m] = is_number(v) ? json_object_get_double(v) : NAN;
	}
	return 0;
}

/* A group that is an object of report JSON (a victim op or its blocked time). */
static int load_extra_group(struct rs_metric_set *s, struct json_object *gv, size_t i,
			    struct rs_error *err)
{
	struct rs_metric_group *g = append_group(s);
	int ret;

	if (!g) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		return -ENOMEM;
	}
	ret = load_group(g, gv, i, err);
	if (g->name)
		s->n++;
	return ret;
}

/* "victims": {"ops": [{name, metrics, "blocked": {name, metrics}}]}, from version 3 on. */
static int load_victims(struct rs_metric_set *s, struct json_object *root, struct rs_error *err)
{
	struct json_object *victims, *ops, *op, *blocked;
	size_t i, n;
	int ret;

	if (!json_object_object_get_ex(root, RS_KEY_VICTIMS, &victims) ||
	    !json_object_is_type(victims, json_type_object))
		return 0;
	if (!json_object_object_get_ex(victims, RS_KEY_OPS, &ops) ||
	    !json_object_is_type(ops, json_type_array)) {
		rs_error_set(err, RS_FIX_JSON_AGAIN, "report JSON \"%s\" has no \"%s\" array",
			     RS_KEY_VICTIMS, RS_KEY_OPS);
		return -EINVAL;
	}
	n = json_object_array_length(ops);
	for (i = 0; i < n; i++) {
		op = json_object_array_get_idx(ops, i);
		ret = load_extra_group(s, op, s->n, err);
		if (ret)
			return ret;
		if (json_object_object_get_ex(op, RS_KEY_BLOCKED, &blocked)) {
			ret = load_extra_group(s, blocked, s->n, err);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int rs_metric_set_from_json(struct rs_metric_set *s, const char *origin,
			    const char *text, size_t len, struct rs_error *err)
{
	struct json_object *root, *groups;
	struct rs_group_spec spec;
	char why[128];
	size_t i, n;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = rs_json_read(text, len, &root, why, sizeof(why));
	if (ret == -ENOMEM) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		return ret;
	}
	if (ret) {
		rs_error_set(err, RS_FIX_GIVE_INPUT, "not valid JSON: %s", why);
		return ret;
	}
	ret = check_schema(root, err);
	if (ret)
		goto fail;
	if (!json_object_object_get_ex(root, RS_KEY_GROUPS, &groups) ||
	    !json_object_is_type(groups, json_type_array)) {
		rs_error_set(err, RS_FIX_JSON_AGAIN,
			     "report JSON has no \"%s\" array", RS_KEY_GROUPS);
		ret = -EINVAL;
		goto fail;
	}
	n = json_object_array_length(groups);
	s->origin = strdup(origin);
	s->by = grouping(root);
	s->source = strdup(member_str(root, RS_KEY_SOURCE) ? member_str(root, RS_KEY_SOURCE) : "?");
	s->g = calloc(n ? n : 1, sizeof(*s->g));
	if (!s->origin || !s->by || !s->source || !s->g) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		ret = -ENOMEM;
		goto fail;
	}
	/* Only known keys: the grouping goes into one-line messages. */
	if (strcmp(s->by, "?") && rs_group_spec_parse(s->by, &spec)) {
		rs_error_set(err, RS_FIX_JSON_AGAIN,
			     "report JSON has an unknown \"%s\" (not kind, purpose, pid, cpu, comm)",
			     RS_KEY_GROUP_BY);
		ret = -EINVAL;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		ret = load_group(&s->g[s->n], json_object_array_get_idx(groups, i), i, err);
		if (s->g[s->n].name)
			s->n++;
		if (ret)
			goto fail;
	}
	ret = load_victims(s, root, err);
	if (ret)
		goto fail;
	json_object_put(root);
	return 0;
fail:
	json_object_put(root);
	rs_metric_set_free(s);
	return ret;
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
		return -ENOMEM;
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
