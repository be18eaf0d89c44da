/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One pass over one trace.dat: it is opened (trace_input.h), its records
 * read in time stamp order (trace_pages.h, or libtracecmd) and decoded
 * (walk_decode.h), and the walk events handed to the caller with the
 * names of their purposes. What the file says about itself ends up in a
 * struct rs_trace_summary.
 *
 * The file is untrusted and libtracecmd 1.3.1 trusts it: rs_scan_file()
 * runs the pass in a child process with a memory and a CPU-time limit
 * (trace_contain.c) and receives the events through a pipe, so that a
 * file that makes libtracecmd crash, loop or allocate without bound is
 * one error, not rmapstat's end; the caller pairs them meanwhile, on the
 * other core. rs_scan_fd() is the same pass in the calling process, for
 * the child and for the fuzz targets.
 */
#ifndef RS_TRACE_SCAN_H
#define RS_TRACE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "pairing.h"
#include "walk_event.h"

struct rs_buffer_summary {
	char *name;			/* "" for the top buffer */
	char *clock;
	uint64_t walk_events;
	struct rs_pairing_counters pc;
};

struct rs_trace_summary {
	char *file;
	char *uname;			/* NULL if not saved */
	char *tracecmd_version;		/* NULL if not saved */
	char *probes;			/* rmapstat record's kprobe fallback: its
					   layout and functions; NULL if not saved */
	unsigned long file_version;
	int cpus;
	char *clock;			/* of the (first) buffer with walk events */
	size_t clock_buffer;		/* that buffer */
	unsigned int formats;		/* RS_SRC_* whose event formats are in the file */
	unsigned int source;		/* RS_SRC_* decoded */
	uint64_t records;		/* records read, all events */
	uint64_t walk_events;
	uint64_t undecodable;		/* walk events whose format lacks fields */
	uint64_t first_ts, last_ts;	/* of the walk events */
	size_t nr_buffers;
	struct rs_buffer_summary *buffers;
	struct rs_pairing_counters pc;	/* all buffers */
	uint64_t purpose_misses;	/* walks whose rmap_one is not a function
					   (purpose.h), the nested ones not counted */
};

struct rs_scan_opts {
	const char *buffer;		/* read only this buffer; NULL: all */
};

/**
 * struct rs_scan_ops - what the pass hands to its caller, in trace order
 * @head: once, before anything else, when the summary holds the file's
 *	metadata, its source and its buffers' names and clocks
 * @purpose: the name of an rmap_one address (kallsyms of the file), once
 *	per address, before the first event that carries it
 * @event: every walk event of the chosen buffers, in time stamp order,
 *	with the index of its buffer in the summary
 * @lost: events were lost on that buffer's CPU before time stamp @ts
 *	(@missed: how many, -1 when not known)
 *
 * Each returns 0 to go on, else a positive errno that ends the pass.
 * The caller pairs the events (pairing.h); the counters of the summary
 * that come from pairing, and purpose_misses, are the caller's to fill.
 */
struct rs_scan_ops {
	int (*head)(const struct rs_trace_summary *sum, void *arg);
	int (*purpose)(uint64_t rmap_one, const char *name, void *arg);
	int (*event)(const struct rs_walk_event *ev, size_t buffer, void *arg);
	int (*lost)(size_t buffer, int cpu, uint64_t ts, long long missed, void *arg);
};

/**
 * rs_scan_file() - read a trace.dat once, in a contained child process
 * @file: its path
 * @opts: which buffer to read
 * @ops: the callbacks, called in the calling process
 * @arg: their argument
 * @sum: zeroed by the caller; filled (file included), even on error, and
 *	freed with rs_trace_summary_free()
 * @err: set when -1 is returned
 *
 * Return: 0, or -1 with @err set: the file is missing, not a trace, has no
 * walk event formats, no such buffer, it is damaged, libtracecmd failed on
 * it (crashed, used up its memory or CPU-time limit), or a callback
 * failed (its errno).
 */
int rs_scan_file(const char *file, const struct rs_scan_opts *opts,
		 const struct rs_scan_ops *ops, void *arg,
		 struct rs_trace_summary *sum, struct rs_error *err);

/**
 * rs_scan_file_fd() - rs_scan_file() of a file the caller opened
 * @fd: from rs_trace_open_file() or the caller's own open(); owned by the
 *	pass from now on (closed on error too); read from offset 0
 * @file: its name, for the summary and messages
 * @opts, @ops, @arg, @sum, @err: as for rs_scan_file()
 *
 * For callers that looked into the file first (compare tells a trace from
 * report JSON by its first bytes): the file is opened once.
 *
 * Return: as rs_scan_file().
 */
int rs_scan_file_fd(int fd, const char *file, const struct rs_scan_opts *opts,
		    const struct rs_scan_ops *ops, void *arg,
		    struct rs_trace_summary *sum, struct rs_error *err);

/**
 * rs_scan_fd() - the same pass in the calling process
 * @fd: the open trace file; rs_scan_fd() owns it and closes it
 * @file: its name, for the summary
 * @opts, @ops, @arg, @sum, @err: as for rs_scan_file()
 *
 * A damaged file can crash libtracecmd here: only for callers that are
 * contained themselves.
 *
 * Return: as rs_scan_file().
 */
int rs_scan_fd(int fd, const char *file, const struct rs_scan_opts *opts,
	       const struct rs_scan_ops *ops, void *arg,
	       struct rs_trace_summary *sum, struct rs_error *err);

/**
 * rs_scan_set_contained() - whether rs_scan_file() uses a child process
 * @on: 1 (the default) or 0
 *
 * 0 makes rs_scan_file() call rs_scan_fd() in the calling process: for the
 * fuzz targets, which look for what kills libtracecmd.
 */
void rs_scan_set_contained(int on);

/**
 * rs_trace_summary_free() - free what a summary points to
 * @s: the summary; the structure itself is the caller's
 */
void rs_trace_summary_free(struct rs_trace_summary *s);

#endif
