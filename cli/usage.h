/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef RMAPSTAT_USAGE_H
#define RMAPSTAT_USAGE_H

#include <stdio.h>

/* Print a NULL-terminated array of help lines, one per line. */
void usage_print_lines(FILE *f, const char *const *lines);

/*
 * One line on stderr, "rmapstat CMD: <message> (see rmapstat CMD --help)";
 * returns code, the subcommand's exit status for usage errors.
 */
__attribute__((format(printf, 3, 4)))
int usage_error(const char *cmd, int code, const char *fmt, ...);

#endif
