/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one formatting layer of rmapstat: the walk report as text (aligned
 * tables, optional log2 histograms and slowest walks, text.c), as JSON
 * (schema "rmapstat-report", Documentation/json-schema.md, report_json.c)
 * and as CSV (one row per walk record, csv.c), and the comparison of two
 * runs as text or JSON (schema "rmapstat-compare", compare_out.c).
 */
#ifndef RS_OUTPUT_H
#define RS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compare.h"
#include "schema.h"
#include "walk_report.h"

enum rs_unit { RS_UNIT_NS, RS_UNIT_US, RS_UNIT_MS };

/**
 * rs_unit_parse() - the unit of a name
 * @s: "ns", "us" or "ms"
 * @unit: set to the unit
 *
 * Return: 0, or -1 for any other name.
 */
int rs_unit_parse(const char *s, enum rs_unit *unit);

/**
 * rs_unit_name() - the name of a unit: "ns", "us" or "ms"
 * @unit: the unit
 */
const char *rs_unit_name(enum rs_unit unit);

/**
 * rs_unit_div() - the ns in one unit: 1, 1000 or 1000000
 * @unit: the unit
 */
uint64_t rs_unit_div(enum rs_unit unit);

/**
 * struct rs_text_opts - how the text and JSON reports look
 * @unit: the unit of durations in the text, and of the histograms
 * @hist: a log2 histogram per group
 */
struct rs_text_opts {
	enum rs_unit unit;
	bool hist;
};

/**
 * rs_output_text() - the report as text
 * @f: the stream
 * @r: the report (its percentiles may sort the durations they keep)
 * @o: unit and histograms
 *
 * Return: 0, or -1 when writing failed or memory ran out.
 */
int rs_output_text(FILE *f, const struct rs_report *r, const struct rs_text_opts *o);

/**
 * rs_output_json() - the report as JSON, schema rmapstat-report
 * @f: the stream
 * @r: the report
 * @generator: what wrote it ("rmapstat 0.1.0")
 * @o: NULL, or with @o->hist the histograms, in @o->unit
 *
 * Return: 0, or -1 when writing failed or memory ran out.
 */
int rs_output_json(FILE *f, const struct rs_report *r, const char *generator,
		   const struct rs_text_opts *o);

/**
 * rs_output_csv_header() - the CSV header line
 * @f: the stream
 *
 * Return: 0, or -1 when writing failed.
 */
int rs_output_csv_header(FILE *f);

/**
 * rs_output_csv_row() - one walk record as a CSV line
 * @f: the stream
 * @row: the record
 *
 * Return: 0, or -1 when writing failed.
 */
int rs_output_csv_row(FILE *f, const struct rs_row *row);

/**
 * rs_output_csv_waits_header() - the header line of the per-wait CSV
 * @f: the stream
 * Return: 0, or -1 when writing failed.
 */
int rs_output_csv_waits_header(FILE *f);

/**
 * rs_output_csv_wait_row() - one lock wait as a CSV line
 * @f: the stream
 * @row: the wait
 * Return: 0, or -1 when writing failed.
 */
int rs_output_csv_wait_row(FILE *f, const struct rs_wait_row *row);

/**
 * rs_output_csv_ops_header() - the header line of the per-operation CSV
 * @f: the stream
 * Return: 0, or -1 when writing failed.
 */
int rs_output_csv_ops_header(FILE *f);

/**
 * rs_output_csv_op_row() - one victim operation as a CSV line
 * @f: the stream
 * @row: the operation
 * Return: 0, or -1 when writing failed.
 */
int rs_output_csv_op_row(FILE *f, const struct rs_op_row *row);

/**
 * rs_output_compare_text() - a comparison as a table
 * @f: the stream
 * @c: the comparison, run
 * @unit: the unit of durations
 *
 * Return: 0, or -1 when writing failed.
 */
int rs_output_compare_text(FILE *f, const struct rs_compare *c, enum rs_unit unit);

/**
 * rs_output_compare_json() - a comparison as JSON, schema rmapstat-compare
 * @f: the stream
 * @c: the comparison, run
 * @generator: what wrote it
 *
 * Return: 0, or -1 when writing failed.
 */
int rs_output_compare_json(FILE *f, const struct rs_compare *c, const char *generator);

#endif
