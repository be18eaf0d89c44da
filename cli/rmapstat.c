// SPDX-License-Identifier: GPL-2.0-only
/*
 * rmapstat: measure the kernel's reverse-map walks.
 *
 * Dispatches `rmapstat COMMAND ...` to the subcommand's *_main(), in the
 * way of rtla: argv[0] of the subcommand is its own name.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "rmapstat.h"

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "record",  record_main,  "record rmap walks in a private tracefs instance to trace.dat" },
	{ "report",  report_main,  "pair the walks of trace.dat files and show their statistics" },
	{ "compare", compare_main, "compare two recordings or reports, for regression gates" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"rmapstat version " RMAPSTAT_VERSION "\n"
		"\n"
		"  usage: rmapstat COMMAND [ARGS...]\n"
		"         rmapstat COMMAND --help\n"
		"\n"
		"  commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "     %-8s - %s\n", commands[i].name, commands[i].help);
	fprintf(f,
		"\n"
		"  options:\n"
		"     -h, --help      show this help\n"
		"     -V, --version   show the version\n"
		"\n"
		"  See rmapstat(1) for the exit status table.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return RS_EXIT_USAGE;
	}

	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return RS_EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("rmapstat " RMAPSTAT_VERSION "\n");
		return RS_EXIT_OK;
	}

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);

	fprintf(stderr, "rmapstat: unknown command '%s'; run 'rmapstat --help' for the list\n",
		argv[1]);
	return RS_EXIT_USAGE;
}
