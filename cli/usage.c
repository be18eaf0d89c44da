// SPDX-License-Identifier: GPL-2.0-only
/* Help text, usage errors and the options the subcommands share. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

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

int usage_getopt_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return usage_error(cmd, RS_EXIT_USAGE, "%s needs an argument", argv[optind - 1]);
	return usage_error(cmd, RS_EXIT_USAGE, "unknown option '%s'", argv[optind - 1]);
}

int usage_opt_by(const char *cmd, const char *arg, struct rs_group_spec *by)
{
	if (rs_group_spec_parse(arg, by))
		return usage_error(cmd, RS_EXIT_USAGE, "--by '%s': use kind, purpose, pid, cpu or comm, or a comma list of them",
				   arg);
	return 0;
}

int usage_opt_units(const char *cmd, const char *arg, enum rs_unit *unit)
{
	if (rs_unit_parse(arg, unit))
		return usage_error(cmd, RS_EXIT_USAGE, "--units '%s': use ns, us or ms", arg);
	return 0;
}
