/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The functions of libtracecmd that rmapstat calls and that its public
 * header <trace-cmd.h> does not declare.
 *
 * libtracecmd.so.1 (trace-cmd 3.1.6, pkg-config libtracecmd 1.3.1, Debian
 * 12) exports them; they are declared in trace-cmd's private header
 * lib/trace-cmd/include/private/trace-cmd-private.h, from which the
 * prototypes below are copied, and so are the option ids, which are part
 * of the trace.dat file format (Documentation/trace-cmd/
 * trace-cmd.dat.v7.5.txt). This is the only place rmapstat declares them.
 * meson.build checks with cc.links() that each one links against the
 * libtracecmd found, and stops at configure time with the name of the one
 * that does not; tests/record/test_trace_writer.c and tests/unit/test_report.c
 * check that they write and read what is expected.
 */
#ifndef RS_TRACECMD_PRIVATE_H
#define RS_TRACECMD_PRIVATE_H

#include <stdbool.h>
#include <trace-cmd.h>

/* ---------------------------------------------------------- reading */

/*
 * tracecmd_open() = tracecmd_alloc_fd() + tracecmd_read_headers(handle, 0)
 * + tracecmd_init_data(). Called one by one, a file that fails to load is
 * not passed to tracecmd_close(), which crashes on such half-loaded
 * handles in 1.3.1. (state: enum tracecmd_file_states, 0 = read all.)
 */
struct tracecmd_input *tracecmd_alloc_fd(int fd, int flags);
int tracecmd_read_headers(struct tracecmd_input *handle, int state);
int tracecmd_cpus(struct tracecmd_input *handle);
int tracecmd_page_size(struct tracecmd_input *handle);
unsigned long tracecmd_get_in_file_version(struct tracecmd_input *handle);
const char *tracecmd_get_trace_clock(struct tracecmd_input *handle);
const char *tracecmd_get_uname(struct tracecmd_input *handle);
const char *tracecmd_get_version(struct tracecmd_input *handle);

/* ---------------------------------------------------------- writing */

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
	/*
	 * rmapstat's own: the kprobe fallback's layout and functions, a
	 * string. Far above trace-cmd's ids, which libtracecmd skips when
	 * it does not know them.
	 */
	RS_TRACECMD_OPTION_RMAPSTAT_PROBES = 0x7273,
};

/*
 * The largest probes option, its NUL included: `rmapstat record` writes
 * at most 1023 characters. A longer one, or one that is not a single
 * NUL-terminated string, is damage.
 */
#define RS_TRACECMD_PROBES_MAX	1024

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
