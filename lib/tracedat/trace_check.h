/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A structural check of trace-cmd data files before libtracecmd opens
 * them, for what libtracecmd 1.3.1 does not survive:
 *
 *  - version 6, truncated or damaged: it crashes in tracecmd_close() on
 *    its error path and prints "File possibly truncated" to stdout; every
 *    section and every buffer's CPU data must lie inside the file;
 *  - version 7 cut inside the options offset after the compression name:
 *    double free in tracecmd_alloc_fd();
 *  - version 7, a BUFFER option whose CPU data lies outside the file or
 *    whose chunk table (compressed data) does not fit in it: an instance
 *    buffer that fails to load is closed by libtracecmd, which crashes;
 *  - a HOOK option (trace-cmd record -H) it cannot parse: NULL dereference.
 *
 * On the way it picks up rmapstat's own option, which libtracecmd skips:
 * the description of the kprobe fallback (RS_TRACECMD_OPTION_RMAPSTAT_PROBES,
 * written by `rmapstat record` into version 7 files).
 *
 * Compressed version 7 options sections cannot be read here; libtracecmd
 * checks them.
 */
#ifndef RS_TRACE_CHECK_H
#define RS_TRACE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Where one CPU's ring-buffer pages are in the file. */
struct rs_layout_cpu {
	uint32_t cpu;
	uint64_t offset;		/* a multiple of the page size */
	uint64_t size;
};

struct rs_layout_buffer {
	char *name;			/* "" for the top buffer */
	uint32_t nr_cpus;		/* CPUs with data */
	struct rs_layout_cpu *cpus;
};

/**
 * struct rs_trace_layout - where the pages of a trace-cmd data file are,
 *	and what rmapstat recorded about its probes
 * @known: every buffer's CPU data was found uncompressed, with the page
 *	size of the header, and no option moves time stamps (DATE, OFFSET,
 *	TIME_SHIFT, TSC2NSEC): the pages can be read as they are stored
 * @page_size: of the ring buffer
 * @nr_buffers: the top buffer and the instances, in file order
 * @buffers: their CPU data
 * @probes: the kprobe fallback's layout and functions ("layout rmap_one=+16
 *	...; probed rmap_walk ..."), from the first probes option of an
 *	uncompressed version 7 options section; NULL when there is none
 *	(tracepoint traces, other recorders, version 6, compressed options)
 */
struct rs_trace_layout {
	int known;
	uint32_t page_size;
	size_t nr_buffers;
	struct rs_layout_buffer *buffers;
	char *probes;
};

/**
 * rs_trace_layout_free() - free what a layout points to
 * @l: the layout (may be NULL); the structure itself is the caller's
 */
void rs_trace_layout_free(struct rs_trace_layout *l);

/**
 * rs_trace_check_fd() - check the structure of a trace-cmd data file
 * @fd: the open file, read with pread() (its offset is not moved)
 * @layout: NULL, or filled with where the CPU data is and the probes
 *	option (free it with rs_trace_layout_free(); @layout->known says
 *	whether the CPU data is complete)
 * @err: set when -1 is returned
 *
 * Return: 0 when nothing was found (or another file version), -1 with
 * @err set.
 */
int rs_trace_check_fd(int fd, struct rs_trace_layout *layout, struct rs_error *err);

#endif
