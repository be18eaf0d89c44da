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

/* One walk record as it is found, for per-walk output (CSV). */
struct rs_row {
	const struct rs_walk *walk;
	const char *file;
	const char *buffer;		/* "" for the top buffer */
	const char *purpose;
	unsigned int source;		/* RS_SRC_* */
};
typedef int (*rs_row_fn)(const struct rs_row *row, void *arg);

struct rs_report_opts {
	struct rs_group_spec by;
	uint64_t hist_div;		/* unit of the log2 histograms (1 = ns) */
	size_t top_n;			/* slowest walks to keep */
	const char *buffer;		/* read only this buffer; NULL: all */
	rs_row_fn row_fn;		/* NULL, or called for every walk record */
	void *row_arg;
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
};

struct rs_report *rs_report_new(const struct rs_report_opts *opts);
void rs_report_free(struct rs_report *r);

/*
 * Reads a trace.dat into the report. 0, or -1 with *err set: unreadable
 * file, no walk events formats in it, no such --buffer, or a failed row
 * callback (its errno).
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

/* "tracepoints", "kprobes", "tracepoints+kprobes", "none" */
const char *rs_source_name(unsigned int sources);

#endif
