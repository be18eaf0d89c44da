/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one formatting layer of rmapstat: the walk report as text (aligned
 * tables, optional log2 histograms and slowest walks), as JSON (schema
 * "rmapstat-report" version 1, Documentation/json-schema.md) and as CSV
 * (one row per walk record), and the comparison of two runs as text or
 * JSON (schema "rmapstat-compare" version 1).
 */
#ifndef RS_OUTPUT_H
#define RS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compare.h"
#include "walk_report.h"

#define RS_REPORT_SCHEMA		"rmapstat-report"
#define RS_REPORT_SCHEMA_VERSION	1
#define RS_COMPARE_SCHEMA		"rmapstat-compare"
#define RS_COMPARE_SCHEMA_VERSION	1

enum rs_unit { RS_UNIT_NS, RS_UNIT_US, RS_UNIT_MS };

/* "ns", "us", "ms": 0, else -1. */
int rs_unit_parse(const char *s, enum rs_unit *unit);
const char *rs_unit_name(enum rs_unit unit);
uint64_t rs_unit_div(enum rs_unit unit);

struct rs_text_opts {
	enum rs_unit unit;
	bool hist;			/* log2 histogram per group */
};

/* Text report; 0, or -1 when writing failed. */
int rs_output_text(FILE *f, const struct rs_report *r, const struct rs_text_opts *o);
/* JSON report; hist adds the log2 histograms (unit as in rs_text_opts). */
int rs_output_json(FILE *f, const struct rs_report *r, const char *generator,
		   const struct rs_text_opts *o);

/* CSV: the header line, then one line per rs_row. */
int rs_output_csv_header(FILE *f);
int rs_output_csv_row(FILE *f, const struct rs_row *row);

int rs_output_compare_text(FILE *f, const struct rs_compare *c, enum rs_unit unit);
int rs_output_compare_json(FILE *f, const struct rs_compare *c, const char *generator);

#endif
