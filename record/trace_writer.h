/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writes a trace.dat (file version 7, uncompressed) that trace-cmd 3.1.6
 * reads, from per-CPU ring-buffer pages drained from trace_pipe_raw.
 * The data goes in the file's top buffer. Saved with it: header page and
 * header event, the ftrace formats, the formats of the listed events,
 * kallsyms, printk formats, saved_cmdlines, the trace clock, uname,
 * the writer's version and the per-CPU ring-buffer stats.
 *
 * The file is written under a temporary name in the same directory (or in
 * tmp_dir, e.g. the recording's staging folder, which a later run sweeps
 * if this one is killed), read back with libtracecmd, and only then
 * renamed to its name: a failed or interrupted run never leaves a partial
 * file. While it exists, its removal is a step of the cleanup registry
 * (cleanup.h), so that a signal handler removes it too.
 */
#ifndef RMAPSTAT_TRACE_WRITER_H
#define RMAPSTAT_TRACE_WRITER_H

#include "error.h"

struct trace_writer {
	const char *output;		/* the file to create */
	const char *tracing_dir;	/* NULL: the mounted tracefs */
	const char *kallsyms;		/* NULL: /proc/kallsyms */
	const char *const *events;	/* NULL-terminated "system:event" formats to save */
	const char *clock;		/* clock of the data, e.g. "mono" */
	const char *clock_list;		/* trace_clock file text ("local [mono] ..."), or NULL */
	int cpus;
	char *const *cpu_files;		/* cpus files of whole ring-buffer pages */
	char *const *cpu_stats;		/* cpus texts of per_cpu/cpuN/stats, or NULL */
	const char *version;		/* saved as the writer's version, or NULL */
	const char *probes;		/* kprobe fallback: its layout and functions
					   (RS_TRACECMD_OPTION_RMAPSTAT_PROBES), or NULL */
	const char *tmp_dir;		/* where the temporary file goes (on the
					   file system of output), NULL: next to output */
};

/**
 * rs_trace_write() - Write a trace.dat.
 * @w: what goes in it, and where.
 * @err: filled on failure.
 *
 * Return: 0, or -errno (the temporary file is removed).
 */
int rs_trace_write(const struct trace_writer *w, struct rs_error *err);

#endif
