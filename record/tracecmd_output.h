/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trace.dat writer of libtracecmd.
 *
 * libtracecmd.so.1 (trace-cmd 3.1.6, pkg-config libtracecmd 1.3.1) exports
 * these functions, but its public header <trace-cmd.h> does not declare
 * them: they live in trace-cmd's private header
 * lib/trace-cmd/include/private/trace-cmd-private.h. The prototypes below
 * are copied from that header of v3.1.6 (implementations in
 * lib/trace-cmd/trace-output.c), and so are the option ids, which are
 * part of the trace.dat file format (Documentation/trace-cmd/
 * trace-cmd.dat.v7.5.txt). This is the only place rmapstat declares them;
 * cli/test_tracecmd_output.c checks that each one links and writes a file
 * libtracecmd reads back.
 */
#ifndef RMAPSTAT_TRACECMD_OUTPUT_H
#define RMAPSTAT_TRACECMD_OUTPUT_H

#include <stdbool.h>
#include <trace-cmd.h>

struct tracecmd_output;
struct tracecmd_option;

/* One event glob ("system/event", "system:event") of the formats to save. */
struct tracecmd_event_list {
	struct tracecmd_event_list	*next;
	const char			*glob;
};

/* Option ids of the trace.dat format (enum in trace-cmd-private.h). */
enum {
	RS_TRACECMD_OPTION_CPUSTAT	= 2,
	RS_TRACECMD_OPTION_TRACECLOCK	= 4,
	RS_TRACECMD_OPTION_UNAME	= 5,
	RS_TRACECMD_OPTION_VERSION	= 9,
};

struct tracecmd_output *tracecmd_output_create_fd(int fd);
int tracecmd_output_set_version(struct tracecmd_output *handle, int file_version);
int tracecmd_output_set_trace_dir(struct tracecmd_output *handle, const char *tracing_dir);
int tracecmd_output_set_kallsyms(struct tracecmd_output *handle, const char *kallsyms);
void tracecmd_set_quiet(struct tracecmd_output *handle, bool set_quiet);
void tracecmd_set_out_clock(struct tracecmd_output *handle, const char *clock);
int tracecmd_output_write_headers(struct tracecmd_output *handle,
				  struct tracecmd_event_list *list);
struct tracecmd_option *tracecmd_add_option(struct tracecmd_output *handle,
					    unsigned short id, int size,
					    const void *data);
int tracecmd_write_cmdlines(struct tracecmd_output *handle);
int tracecmd_append_cpu_data(struct tracecmd_output *handle,
			     int cpus, char * const *cpu_data_files);
void tracecmd_output_close(struct tracecmd_output *handle);

#endif
