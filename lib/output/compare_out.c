// SPDX-License-Identifier: GPL-2.0-only
/*
 * A comparison of two runs: one row per group and metric, as a table or
 * as JSON, schema rmapstat-compare.
 */
#include <math.h>

#include "format.h"
#include "json_write.h"
#include "table.h"

enum row_col { C_GROUP, C_METRIC, C_BASE, C_NEW, C_RATIO, C_CHANGE, C_RESULT };

/* The text of a row's result; the JSON has rs_cmp_state_name(). */
static const char *result_text(enum rs_cmp_state s)
{
	switch (s) {
	case RS_CMP_REGRESSION:
		return "REGRESSION";
	case RS_CMP_OK:
		return "ok";
	case RS_CMP_NO_DATA:
		return "no walks on one side";
	case RS_CMP_ONLY_BASE:
		return "only in base";
	case RS_CMP_ONLY_NEW:
		return "only in new";
	}
	return "";
}

static const char *cell_row(const struct rs_column *col, const void *row,
			    const void *ctx, char *buf)
{
	const struct rs_compare_row *r = row;
	const enum rs_unit *unit = ctx;

	switch (col->arg) {
	case C_GROUP:
		return r->group;
	case C_METRIC:
		return rs_metric_name(r->metric);
	case C_BASE:
	case C_NEW:
		rs_fmt_metric(buf, RS_FMT_LEN, r->metric, col->arg == C_BASE ? r->base : r->new,
			      *unit);
		return buf;
	case C_RATIO:
		if (isnan(r->ratio))
			return "-";
		snprintf(buf, RS_CELL_LEN, "%.3f", r->ratio);
		return buf;
	case C_CHANGE:
		if (isnan(r->change_pct))
			return "-";
		snprintf(buf, RS_CELL_LEN, "%+.1f%%", r->change_pct);
		return buf;
	default:
		return result_text(r->state);
	}
}

static const struct rs_column row_cols[] = {
	{ "group", RS_ALIGN_LEFT, cell_row, C_GROUP },
	{ "metric", RS_ALIGN_LEFT, cell_row, C_METRIC },
	{ "base", RS_ALIGN_RIGHT, cell_row, C_BASE },
	{ "new", RS_ALIGN_RIGHT, cell_row, C_NEW },
	{ "ratio", RS_ALIGN_RIGHT, cell_row, C_RATIO },
	{ "change", RS_ALIGN_RIGHT, cell_row, C_CHANGE },
	{ "result", RS_ALIGN_LEFT, cell_row, C_RESULT },
};

int rs_output_compare_text(FILE *f, const struct rs_compare *c, enum rs_unit unit)
{
	struct rs_table t = {
		.cols = row_cols, .ncols = ARRAY_SIZE(row_cols), .rows = c->rows,
		.nrows = c->nr_rows, .stride = sizeof(*c->rows), .ctx = &unit,
	};

	fprintf(f, "rmapstat compare: base %s (", c->base->origin);
	rs_put_printable(f, c->base->source);
	fprintf(f, ", by %s), new %s (", c->base->by, c->new->origin);
	rs_put_printable(f, c->new->source);
	fprintf(f, ", by %s)\n", c->new->by);
	fprintf(f, "  regression: new worse (larger) than base by more than %g%%; times in %s\n\n",
		c->threshold_pct, rs_unit_name(unit));
	rs_table_print(f, "  ", &t);
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
	rs_json_string(j, RS_KEY_FILE, s->origin);
	rs_json_string(j, RS_KEY_SOURCE, s->source);
	rs_json_string(j, RS_KEY_GROUP_BY, s->by);
	rs_json_end_object(j);
}

static void json_row(struct rs_json *j, const struct rs_compare_row *row)
{
	rs_json_begin_object(j, NULL);
	rs_json_string(j, RS_KEY_GROUP, row->group);
	rs_json_string(j, RS_KEY_METRIC, rs_metric_name(row->metric));
	json_num_or_null(j, RS_KEY_BASE, row->base);
	json_num_or_null(j, RS_KEY_NEW, row->new);
	json_num_or_null(j, RS_KEY_RATIO, row->ratio);
	json_num_or_null(j, RS_KEY_CHANGE_PCT, row->change_pct);
	rs_json_string(j, RS_KEY_RESULT, rs_cmp_state_name(row->state));
	rs_json_end_object(j);
}

int rs_output_compare_json(FILE *f, const struct rs_compare *c, const char *generator)
{
	struct rs_json j;
	size_t i;

	rs_json_init(&j, f);
	rs_json_begin_object(&j, NULL);
	rs_json_string(&j, RS_KEY_SCHEMA, RS_COMPARE_SCHEMA);
	rs_json_u64(&j, RS_KEY_VERSION, RS_COMPARE_SCHEMA_VERSION);
	rs_json_string(&j, RS_KEY_GENERATOR, generator);
	rs_json_string(&j, RS_KEY_UNIT, "ns");
	json_side(&j, RS_KEY_BASE, c->base);
	json_side(&j, RS_KEY_NEW, c->new);
	rs_json_double(&j, RS_KEY_THRESHOLD_PCT, c->threshold_pct, -1);
	rs_json_begin_array(&j, RS_KEY_METRICS);
	for (i = 0; i < c->nr_metrics; i++)
		rs_json_string(&j, NULL, rs_metric_name(c->metrics[i]));
	rs_json_end_array(&j);
	rs_json_begin_array(&j, RS_KEY_ROWS);
	for (i = 0; i < c->nr_rows; i++)
		json_row(&j, &c->rows[i]);
	rs_json_end_array(&j);
	rs_json_u64(&j, RS_KEY_REGRESSIONS, c->regressions);
	rs_json_end_object(&j);
	if (rs_json_finish(&j))
		return -1;
	fflush(f);
	return ferror(f) ? -1 : 0;
}
