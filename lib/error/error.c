// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

void rs_error_status(struct rs_error *e, int status, const char *fix, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	snprintf(e->fix, sizeof(e->fix), "%s", fix ? fix : "");
	e->status = status;
}

int rs_error_print_file(const char *cmd, const char *file, const struct rs_error *e)
{
	fprintf(stderr, "rmapstat %s: %s%s%s", cmd, file ? file : "", file ? ": " : "", e->what);
	if (e->fix[0])
		fprintf(stderr, " (%s)", e->fix);
	fputc('\n', stderr);
	return e->status;
}

int rs_error_print(const char *cmd, const struct rs_error *e)
{
	return rs_error_print_file(cmd, NULL, e);
}
