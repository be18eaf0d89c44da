/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A structural check of trace-cmd data files of format version 6 before
 * libtracecmd opens them: libtracecmd 1.3.1 crashes (in tracecmd_close(),
 * on its error path) on a truncated or damaged version 6 file, and prints
 * "File possibly truncated" to stdout. Version 7 files are left to
 * libtracecmd, which rejects damaged ones cleanly.
 */
#ifndef RS_TRACE_CHECK_H
#define RS_TRACE_CHECK_H

#include "error.h"

/*
 * 0: a version 6 file whose sections and CPU data all lie inside the file,
 * or a file of another version (not checked here); -1 with *err set.
 */
int rs_trace_check_v6(const char *file, struct rs_error *err);

#endif
