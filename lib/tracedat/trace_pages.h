/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The records of a trace.dat read straight from its stored ring-buffer
 * pages, in time stamp order across every CPU of the chosen buffers: what
 * tracecmd_iterate_events_multi() does, without a malloc()ed record and a
 * peek at every CPU per record, which is most of the time a report takes.
 * Only for files whose pages are stored as they are (struct
 * rs_trace_layout.known); trace_input.c lets libtracecmd read the others.
 *
 * A page is parsed the way libtraceevent 1.7.1's kbuffer parses it (time
 * extends, absolute time stamps, padding, the missed-events count), in
 * the same walk that checks it: kbuffer trusts a page, and would read
 * outside a damaged one or loop on it; here every event lies inside the
 * page and every step moves forward, else the page is counted as damaged
 * and skipped. tests/cli compares every report with the one libtracecmd's
 * own iteration gives. Memory: one chunk of pages per CPU read, whatever
 * the trace's size.
 */
#ifndef RS_TRACE_PAGES_H
#define RS_TRACE_PAGES_H

#include "trace_check.h"

struct tep_handle;
struct tep_record;

/* As rs_record_fn of trace_input.h. */
typedef int (*rs_page_record_fn)(int buffer, struct tep_record *rec, void *arg);

/**
 * rs_pages_iterate() - call fn for every record of the chosen buffers
 * @fd: the trace file (read with pread())
 * @layout: where its pages are (@layout->known must be set)
 * @tep: the file's tep handle (long size, byte order, page format)
 * @buffer_of: for each buffer of @layout, the number fn gets for it, or
 *	-1 to leave it out
 * @fn: called with a record valid until it returns; 0 to go on, a
 *	negative value stops the iteration and is returned
 * @arg: its argument
 * @damaged: set to the number of pages skipped as damaged
 *
 * Return: 0, fn's negative value, -ENOMEM, -EIO (the file could not be
 * read) or -EINVAL (a page format this reader does not know).
 */
int rs_pages_iterate(int fd, const struct rs_trace_layout *layout,
		     struct tep_handle *tep, const int *buffer_of,
		     rs_page_record_fn fn, void *arg, unsigned long *damaged);

/**
 * rs_pages_check_first() - check the first page of every CPU's data
 * @fd: the trace file
 * @layout: where its pages are (@layout->known must be set)
 * @tep: the file's tep handle, its headers read
 *
 * libtracecmd parses these pages while it loads the file
 * (tracecmd_init_data()), before rs_pages_iterate() could check them.
 *
 * Return: the number of damaged ones, or -errno.
 */
int rs_pages_check_first(int fd, const struct rs_trace_layout *layout,
			 struct tep_handle *tep);

#endif
