/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libtracecmd.so.1 (trace-cmd 3.1.6, libtracecmd 1.3.1) exports these
 * functions, but its public header trace-cmd.h does not declare them
 * (they are in trace-cmd's private header). Signatures as in
 * lib/trace-cmd/trace-input.c; tests/unit/test_trace_input.c checks that
 * they answer for a file whose content is known.
 */
#ifndef RS_TRACECMD_EXTRA_H
#define RS_TRACECMD_EXTRA_H

#include <trace-cmd.h>

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

#endif
