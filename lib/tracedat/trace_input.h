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

/**
 * rs_trace_open_file() - open a trace file for reading
 * @file: its path
 * @err: set on error
 *
 * Return: the descriptor (O_CLOEXEC), or -1 with @err set: missing,
 * unreadable, or a pipe or device (libtracecmd seeks in the file).
 */
int rs_trace_open_file(const char *file, struct rs_error *err);

/**
 * rs_trace_open_fd() - load a trace with libtracecmd
 * @fd: from rs_trace_open_file(); owned by the trace from now on (closed
 *	on error too)
 * @file: its name, for messages
 * @err: set on error
 *
 * Says what the file is when it is not a trace-cmd data file, refuses the
 * damage rs_trace_check_fd() finds, then loads the headers and every
 * buffer. A damaged file may still crash libtracecmd: trace_scan.h runs
 * this in a contained child process.
 *
 * Return: the trace, or NULL with @err set.
 */
struct rs_trace *rs_trace_open_fd(int fd, const char *file, struct rs_error *err);

/* rs_trace_open_file() and rs_trace_open_fd(). */
struct rs_trace *rs_trace_open(const char *file, struct rs_error *err);
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

/**
 * rs_trace_damaged_pages() - pages the last rs_trace_iterate() skipped
 * @t: the trace
 *
 * Files whose pages are stored as they are (struct rs_trace_layout) are
 * read page by page with kbuffer (trace_pages.h), each page checked
 * first; libtracecmd reads the others (compressed, time stamps moved by
 * options), and a damaged page can crash it (trace_scan.h contains that).
 * RMAPSTAT_READ_WITH_LIBTRACECMD=1 in the environment makes libtracecmd
 * read every file (for comparisons).
 *
 * Return: the number of damaged pages found and skipped.
 */
unsigned long rs_trace_damaged_pages(const struct rs_trace *t);

#endif
