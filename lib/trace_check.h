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
 * Compressed version 7 options sections cannot be read here; libtracecmd
 * checks them.
 */
#ifndef RS_TRACE_CHECK_H
#define RS_TRACE_CHECK_H

#include "error.h"

/* 0: nothing found (or another file version); -1 with *err set. */
int rs_trace_check(const char *file, struct rs_error *err);

#endif
