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

#include "error.h"
#include "walk_report.h"

enum rs_metric {
	RS_M_COUNT, RS_M_MIN, RS_M_MEAN, RS_M_STDDEV, RS_M_P50, RS_M_P90,
	RS_M_P99, RS_M_P999, RS_M_MAX, RS_M_TOTAL, RS_M_NR
};

/* "count", "min", "mean", "stddev", "p50", "p90", "p99", "p99.9", "max", "total" */
const char *rs_metric_name(enum rs_metric m);
/* Accepts the names above and "p999"; -1 if unknown. */
int rs_metric_parse(const char *s);
bool rs_metric_is_time(enum rs_metric m);

struct rs_metric_group {
	char *name;
	double v[RS_M_NR];
};

struct rs_metric_set {
	char *origin;			/* file name */
	char *by;			/* "kind", "kind,purpose" ... */
	char *source;			/* "tracepoints" ... */
	size_t n;
	struct rs_metric_group *g;
};

int rs_metric_set_from_report(struct rs_metric_set *s, const char *origin,
			      const struct rs_report *r);
/* Report JSON (schema rmapstat-report, version 1); -1 with *err set. */
int rs_metric_set_from_json(struct rs_metric_set *s, const char *origin,
			    const char *text, size_t len, struct rs_error *err);
void rs_metric_set_free(struct rs_metric_set *s);

enum rs_cmp_state {
	RS_CMP_OK,			/* within the threshold, or better */
	RS_CMP_REGRESSION,		/* new > base * (1 + threshold / 100) */
	RS_CMP_NO_DATA,			/* a side has no walks in this group */
	RS_CMP_ONLY_BASE,		/* group missing in new */
	RS_CMP_ONLY_NEW,		/* group missing in base */
};

struct rs_compare_row {
	const char *group;
	enum rs_metric metric;
	double base;			/* NAN when not there */
	double new;
	double ratio;			/* new / base, NAN if base is 0 or absent */
	double change_pct;		/* (new - base) / base * 100, NAN likewise */
	enum rs_cmp_state state;
};

struct rs_compare {
	const struct rs_metric_set *base;
	const struct rs_metric_set *new;
	enum rs_metric metrics[RS_M_NR];
	size_t nr_metrics;
	double threshold_pct;
	const char * const *only_groups;	/* NULL: all groups */
	size_t nr_only_groups;
	struct rs_compare_row *rows;
	size_t nr_rows;
	size_t regressions;
};

/* Fills rows (groups of base in order, then the ones only in new). */
int rs_compare_run(struct rs_compare *c);
void rs_compare_free(struct rs_compare *c);
const char *rs_cmp_state_name(enum rs_cmp_state s);

#endif
