// SPDX-License-Identifier: GPL-2.0-only
/* Help text and usage errors shared by the subcommands. */
#include <stdarg.h>
#include <stdio.h>

#include "usage.h"

void usage_print_lines(FILE *f, const char *const *lines)
{
	for (; *lines; lines++)
		fprintf(f, "%s\n", *lines);
}

int usage_error(const char *cmd, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rmapstat %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see rmapstat %s --help)\n", cmd);
	return code;
}
