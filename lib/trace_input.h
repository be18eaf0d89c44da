/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading trace.dat with libtracecmd: the top buffer and every instance
 * buffer (trace-cmd record -B, rmapstat record's private instance), all
 * records of all CPUs of the chosen buffers in timestamp order, one at a
 * time (tracecmd_iterate_events_multi), so memory does not depend on the
 * trace size. record->missed_events tells about events lost before it.
 */
#ifndef RS_TRACE_INPUT_H
#define RS_TRACE_INPUT_H

#include "error.h"

struct tep_handle;
struct tep_record;
struct rs_trace;

struct rs_trace_meta {
	const char *file;
	const char *uname;		/* NULL if not saved */
	const char *tracecmd_version;	/* NULL if not saved */
	unsigned long file_version;	/* 6, 7 */
	int cpus;
	int nr_buffers;			/* 1 (top) + instances */
};

/* NULL with *err set (missing file, not a trace-cmd file, damaged). */
struct rs_trace *rs_trace_open(const char *file, struct rs_error *err);
/*
 * Whether rs_trace_open() loads the trace in a child process first, so
 * that libtracecmd dying on a damaged file is an error, not rmapstat's
 * death (default on). The fuzz targets turn it off: they look for what
 * kills libtracecmd, for rs_trace_check() to refuse it with a precise
 * message.
 */
void rs_trace_set_load_in_child(int on);
void rs_trace_close(struct rs_trace *t);

struct tep_handle *rs_trace_tep(struct rs_trace *t);
const struct rs_trace_meta *rs_trace_meta(const struct rs_trace *t);
/* Buffer 0 is the top buffer, named ""; instances follow. */
const char *rs_trace_buffer_name(const struct rs_trace *t, int buffer);
/* Its trace clock ("mono", "local", ...), "unknown" if not saved. */
const char *rs_trace_buffer_clock(const struct rs_trace *t, int buffer);
/* Index of the buffer called name ("" or "top": the top one), or -1. */
int rs_trace_find_buffer(const struct rs_trace *t, const char *name);

/*
 * Calls fn for every record of the buffers in the mask (bit i: buffer i;
 * only the first 64 buffers can be chosen), in timestamp order. fn
 * returns 0 to go on; a negative value stops and is returned.
 */
typedef int (*rs_record_fn)(int buffer, struct tep_record *rec, void *arg);
int rs_trace_iterate(struct rs_trace *t, unsigned long long buffer_mask,
		     rs_record_fn fn, void *arg);

#endif
