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
	const char *probes;		/* the kprobe fallback's description
					   (struct rs_trace_layout), or NULL */
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

/**
 * rs_trace_open() - open and load a trace file
 * @file: its path
 * @err: set on error
 *
 * rs_trace_open_file() then rs_trace_open_fd(), in this process: callers
 * that must survive a damaged file use trace_scan.h instead.
 *
 * Return: the trace, to be closed with rs_trace_close(), or NULL with
 * @err set, for any of the reasons of those two.
 */
struct rs_trace *rs_trace_open(const char *file, struct rs_error *err);

/**
 * rs_trace_close() - close a trace and free everything it holds
 * @t: the trace; may be NULL
 *
 * The tep handle, the meta data and the buffer names go with it.
 */
void rs_trace_close(struct rs_trace *t);

/**
 * rs_trace_tep() - the trace's event formats
 * @t: the trace
 *
 * Return: the tep handle of the top buffer, owned by @t and valid until
 * rs_trace_close(); its event formats serve every buffer.
 */
struct tep_handle *rs_trace_tep(struct rs_trace *t);

/**
 * rs_trace_meta() - what the file says about itself
 * @t: the trace
 *
 * Return: the meta data, owned by @t, strings included, and valid until
 * rs_trace_close().
 */
const struct rs_trace_meta *rs_trace_meta(const struct rs_trace *t);

/**
 * rs_trace_buffer_name() - the name of a buffer
 * @t: the trace
 * @buffer: its index: 0 is the top buffer, the instances follow
 *
 * Return: the name, owned by @t: "" for the top buffer, the instance's
 * name (or "?" when the file does not say it) for the others; NULL for an
 * index out of range.
 */
const char *rs_trace_buffer_name(const struct rs_trace *t, int buffer);

/**
 * rs_trace_buffer_clock() - the trace clock of a buffer
 * @t: the trace
 * @buffer: its index, as for rs_trace_buffer_name()
 *
 * An instance that did not save its clock has the top buffer's.
 *
 * Return: the clock ("mono", "local", ...), owned by @t and valid until
 * rs_trace_close(); the static "unknown" when it was not saved or @buffer
 * is out of range.
 */
const char *rs_trace_buffer_clock(const struct rs_trace *t, int buffer);

/**
 * rs_trace_find_buffer() - the index of a buffer by name
 * @t: the trace
 * @name: the buffer's name; "" or "top" for the top buffer
 *
 * Return: the index, or -1 when the trace has no such buffer.
 */
int rs_trace_find_buffer(const struct rs_trace *t, const char *name);

/* fn of rs_trace_iterate(): the record's buffer index, the record, arg. */
typedef int (*rs_record_fn)(int buffer, struct tep_record *rec, void *arg);

/**
 * rs_trace_iterate() - call fn for every record of the chosen buffers
 * @t: the trace
 * @buffer_mask: bit i chooses buffer i; only the first 64 buffers can be
 *	chosen, bits of buffers the trace lacks are ignored
 * @fn: called for every record, in timestamp order across all CPUs and
 *	the chosen buffers, with a record valid until it returns; returns 0
 *	to go on, a negative value to stop
 * @arg: passed to @fn unchanged
 *
 * One record at a time, so memory does not depend on the trace size.
 * Which reader reads the file, and what becomes of damaged pages, is
 * said at rs_trace_damaged_pages().
 *
 * Return: 0 once every record was passed to @fn, @fn's negative value
 * when it stopped, -ENOMEM, or the error of the reader: -EIO or -EINVAL
 * from the page reader (rs_pages_iterate()), -1 from libtracecmd.
 */
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
