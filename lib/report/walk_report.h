/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The analysis behind `rmapstat report` and `rmapstat compare`: reads one
 * or more trace.dat files (trace_input.h), decodes (walk_decode.h) and
 * pairs (pairing.h, one engine per buffer) the walk events, and
 * accumulates per-group statistics (group.h), the slowest walks (topn.h)
 * and the counters of everything that could not be paired. output.h
 * prints the result.
 */
#ifndef RS_WALK_REPORT_H
#define RS_WALK_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "group.h"
#include "pairing.h"
#include "topn.h"
#include "trace_scan.h"
#include "waits_report.h"

/* One walk record as it is found, for per-walk output (CSV). */
struct rs_row {
	const struct rs_walk *walk;
	const char *file;
	const char *buffer;		/* "" for the top buffer */
	const char *purpose;
	unsigned int source;		/* RS_SRC_* */
};
typedef int (*rs_row_fn)(const struct rs_row *row, void *arg);

/* One lock wait as the waits engine passes it, for per-wait output (CSV). */
struct rs_wait_row {
	const struct rs_wait *wait;
	const char *file;
	const char *buffer;		/* "" for the top buffer */
};
typedef int (*rs_wait_row_fn)(const struct rs_wait_row *row, void *arg);

/* One victim operation, for per-operation output (CSV). */
struct rs_op_row {
	const struct rs_walk_event *op;	/* RS_EV_OP */
	uint64_t blocked_ns;		/* its time behind walks (waits_report.h) */
	const char *file;
};
typedef int (*rs_op_row_fn)(const struct rs_op_row *row, void *arg);

/* The walks others waited behind most that a report keeps without top_n. */
#define RS_REPORT_TOP_BLAMED	5

struct rs_report_opts {
	struct rs_group_spec by;
	uint64_t hist_div;		/* unit of the log2 histograms (1 = ns) */
	size_t top_n;			/* slowest walks to keep (and walks others
					   waited behind; 0: RS_REPORT_TOP_BLAMED of those) */
	const char *buffer;		/* read only this buffer; NULL: all */
	rs_row_fn row_fn;		/* NULL, or called for every walk record */
	void *row_arg;
	rs_wait_row_fn wait_fn;		/* NULL, or called for every lock wait */
	void *wait_arg;
	rs_op_row_fn op_fn;		/* NULL, or called for every victim operation */
	void *op_arg;
};

struct rs_report {
	struct rs_report_opts opts;
	size_t nr_traces;
	struct rs_trace_summary *traces;
	struct rs_groups *groups;
	struct rs_topn top;
	struct rs_pairing_counters totals;	/* all traces */
	unsigned int sources;			/* RS_SRC_* of all traces */
	unsigned int missing;			/* RS_HAS_* some trace cannot show */
	struct rs_waits_report waits;		/* blocked behind walks, victims' ops */
};

/**
 * rs_report_new() - create an empty report
 * @opts: the options, copied; the strings and row_arg they point to are
 *	not, and must outlive the report. An empty grouping is --by kind, a
 *	hist_div of 0 is 1, a top_n of 0 keeps no slowest walk
 *
 * Return: the report, to be freed with rs_report_free(), or NULL when out
 * of memory.
 */
struct rs_report *rs_report_new(const struct rs_report_opts *opts);

/**
 * rs_report_free() - free a report, its groups, slowest walks and summaries
 * @r: the report; may be NULL
 */
void rs_report_free(struct rs_report *r);

/**
 * rs_report_add_file() - read one trace.dat into the report
 * @r: the report
 * @file: the path of the trace
 * @err: set when -1 is returned
 *
 * The file is read once, in a contained child process (trace_scan.h),
 * one pairing engine per buffer; every walk record goes to its group, the
 * paired ones (RS_WALK_OK) are offered to the slowest walks, and each is
 * passed to the row callback if there is one. The file's summary is
 * appended to @r->traces, with its walks whose purpose is a miss
 * (purpose.h) in purpose_misses, and its counters added to @r->totals.
 *
 * Return: 0, or -1 with @err set: the file is missing or unreadable, is
 * no trace, has no walk event formats, has no such --buffer, is damaged,
 * libtracecmd failed on it, memory ran out, or the row callback failed
 * (its errno, EIO when it set none). The walks read before the failure
 * stay in the groups and the slowest walks: after -1 the report is only
 * fit for rs_report_free().
 */
int rs_report_add_file(struct rs_report *r, const char *file, struct rs_error *err);

/**
 * rs_report_add_fd() - rs_report_add_file() of a file the caller opened
 * @r: the report
 * @fd: the open trace file, owned by the report from now on
 * @file: its name
 * @err: set when -1 is returned
 *
 * Return: as rs_report_add_file().
 */
int rs_report_add_fd(struct rs_report *r, int fd, const char *file, struct rs_error *err);

/**
 * rs_source_name() - the name of a set of sources, for reports
 * @sources: RS_SRC_* bits; others are ignored
 *
 * Return: "tracepoints", "kprobes", "tracepoints+kprobes" or "none", a
 * static string.
 */
const char *rs_source_name(unsigned int sources);

#endif
