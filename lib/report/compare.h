/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `rmapstat compare`: per-group metrics of two runs (from a walk report of
 * a trace.dat, or from report JSON read back), side by side, and which of
 * them regressed: new worse than base by more than the threshold. For
 * every metric larger is worse (durations, and count: more walks).
 */
#ifndef RS_COMPARE_H
#define RS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "walk_report.h"

/* What compare compares; the order of the members of a report JSON group. */
enum rs_metric {
	RS_M_COUNT, RS_M_MIN, RS_M_MEAN, RS_M_STDDEV, RS_M_P50, RS_M_P90,
	RS_M_P99, RS_M_P999, RS_M_MAX, RS_M_TOTAL, RS_M_NR
};

/**
 * rs_metric_name() - the name of a metric, for --metric and the tables
 * @m: the metric
 *
 * Return: "count", "min", "mean", "stddev", "p50", "p90", "p99", "p99.9",
 * "max" or "total" ("?" for no metric).
 */
const char *rs_metric_name(enum rs_metric m);

/**
 * rs_metric_key() - the member of a report JSON group that holds a metric
 * @m: the metric
 *
 * Return: "count", "min_ns" ... "total_ns" (schema.h).
 */
const char *rs_metric_key(enum rs_metric m);

/**
 * rs_metric_parse() - the metric of a name
 * @s: a name of rs_metric_name(), or "p999"
 *
 * Return: the metric, or -1 if there is none of that name.
 */
int rs_metric_parse(const char *s);

/**
 * rs_metric_is_time() - whether a metric is a duration (all but count)
 * @m: the metric
 */
bool rs_metric_is_time(enum rs_metric m);

/**
 * rs_metric_is_integer() - whether a metric is a whole number of ns or
 * walks (all but mean and stddev)
 * @m: the metric
 */
bool rs_metric_is_integer(enum rs_metric m);

/**
 * rs_metric_u64() - an integer metric of a group, exactly
 * @s: the group's statistics (not const: a percentile may sort the
 *     durations they keep)
 * @m: a metric of rs_metric_is_integer()
 *
 * Return: its value; 0 for a group without walks, and for mean and stddev.
 */
uint64_t rs_metric_u64(struct rs_stats *s, enum rs_metric m);

/**
 * rs_metric_value() - a metric of a group
 * @s: the group's statistics (as for rs_metric_u64())
 * @m: the metric
 *
 * Return: its value, in ns for a duration; NAN for the durations of a
 * group without walks.
 */
double rs_metric_value(struct rs_stats *s, enum rs_metric m);

/**
 * struct rs_metric_group - the metrics of one group of a run
 * @name: the group's name ("KSM", "KSM/try_to_migrate_one" ...)
 * @v: its metrics, NAN where it has none
 */
struct rs_metric_group {
	char *name;
	double v[RS_M_NR];
};

/**
 * struct rs_metric_set - the groups of one run, from a report or its JSON
 * @origin: the file name
 * @by: the grouping ("kind", "kind,purpose" ...; "?" if JSON has none)
 * @source: "tracepoints" ...
 * @n: how many groups
 * @g: the groups, in report order
 */
struct rs_metric_set {
	char *origin;
	char *by;
	char *source;
	size_t n;
	struct rs_metric_group *g;
};

/**
 * rs_metric_set_from_report() - the metrics of a walk report
 * @s: filled
 * @origin: the file the report read
 * @r: the report
 *
 * Return: 0, or -ENOMEM.
 */
int rs_metric_set_from_report(struct rs_metric_set *s, const char *origin,
			      const struct rs_report *r);

/**
 * rs_metric_set_from_json() - the metrics of report JSON
 * @s: filled
 * @origin: the file it was read from
 * @text: the JSON (schema rmapstat-report, version RS_REPORT_SCHEMA_VERSION_MIN
 *	to RS_REPORT_SCHEMA_VERSION), not NUL-terminated
 * @len: its length
 * @err: what is wrong with it, when it cannot be read
 *
 * Return: 0, -EINVAL (not JSON, another schema or version, no groups,
 * a group without name or count, an unknown grouping) or -ENOMEM.
 */
int rs_metric_set_from_json(struct rs_metric_set *s, const char *origin,
			    const char *text, size_t len, struct rs_error *err);

/**
 * rs_metric_set_free() - free what a metric set holds
 * @s: the set, zeroed afterwards
 */
void rs_metric_set_free(struct rs_metric_set *s);

enum rs_cmp_state {
	RS_CMP_OK,			/* within the threshold, or better */
	RS_CMP_REGRESSION,		/* new > base * (1 + threshold / 100) */
	RS_CMP_NO_DATA,			/* a side has no walks in this group */
	RS_CMP_ONLY_BASE,		/* group missing in new */
	RS_CMP_ONLY_NEW,		/* group missing in base */
};

/**
 * struct rs_compare_row - one metric of one group, base against new
 * @group: the group's name
 * @metric: the metric
 * @base: its value in base, NAN when not there
 * @new: its value in new, likewise
 * @ratio: new / base, NAN if base is 0 or absent
 * @change_pct: (new - base) / base * 100, NAN likewise
 * @state: the result
 */
struct rs_compare_row {
	const char *group;
	enum rs_metric metric;
	double base;
	double new;
	double ratio;
	double change_pct;
	enum rs_cmp_state state;
};

/**
 * struct rs_compare - a comparison of two runs
 * @base: the run compared against
 * @new: the run that may have regressed
 * @metrics: the metrics compared, in the order of the rows
 * @nr_metrics: how many
 * @threshold_pct: how much larger new may be than base, in percent
 * @only_groups: the groups to compare; NULL: all groups
 * @nr_only_groups: how many
 * @rows: the result, rs_compare_run()'s
 * @nr_rows: how many rows
 * @regressions: how many rows regressed
 */
struct rs_compare {
	const struct rs_metric_set *base;
	const struct rs_metric_set *new;
	enum rs_metric metrics[RS_M_NR];
	size_t nr_metrics;
	double threshold_pct;
	const char * const *only_groups;
	size_t nr_only_groups;
	struct rs_compare_row *rows;
	size_t nr_rows;
	size_t regressions;
};

/**
 * rs_compare_run() - compare two runs
 * @c: the runs, metrics, threshold and groups to compare; @c->rows,
 *     @c->nr_rows and @c->regressions are filled
 *
 * The rows are the groups of base in its order, then the groups only
 * new has, each with one row per metric.
 *
 * Return: 0, or -ENOMEM.
 */
int rs_compare_run(struct rs_compare *c);

/**
 * rs_compare_free() - free the rows of a comparison
 * @c: the comparison
 */
void rs_compare_free(struct rs_compare *c);

/**
 * rs_cmp_state_name() - a row's result as compare's JSON names it
 * @s: the result
 *
 * Return: "ok", "regression", "no_data", "only_base" or "only_new".
 */
const char *rs_cmp_state_name(enum rs_cmp_state s);

#endif
