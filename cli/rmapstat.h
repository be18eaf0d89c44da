/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef RMAPSTAT_H
#define RMAPSTAT_H

/*
 * One entry point per subcommand, each in its own file. main() passes the
 * command line from the subcommand's name on, in the way of rtla: argv[0]
 * is "record", "report" or "compare".
 */

/**
 * record_main() - rmapstat record
 * @argc: the number of arguments, the subcommand's name included
 * @argv: the arguments, argv[0] being "record"
 *
 * Records rmap walks in a private tracefs instance while a built-in
 * workload, a command, a fixed time or the user decides how long, and
 * writes them to a trace.dat; or, with --cleanup, undoes what an earlier
 * run left behind. --help prints the usage and exits the process with 0.
 *
 * Return: the exit status: an enum rmapstat_exit value (error.h), with
 * RS_EXIT_SIGNAL_BASE + N when signal N cut the recording short; or, once
 * the trace was written, the status of the command run after "--" (128 + N
 * when signal N killed it, 127 when it could not be run).
 */
int record_main(int argc, char **argv);

/**
 * report_main() - rmapstat report
 * @argc: the number of arguments, the subcommand's name included
 * @argv: the arguments, argv[0] being "report"
 *
 * Pairs the walk events of the trace.dat files given and prints the
 * statistics per group as text, JSON or CSV on stdout; errors go to
 * stderr, one line each.
 *
 * Return: the exit status: RS_EXIT_OK (--help included), or RS_EXIT_ERROR
 * (which is RS_EXIT_USAGE) for a bad command line or any other error.
 */
int report_main(int argc, char **argv);

/**
 * compare_main() - rmapstat compare
 * @argc: the number of arguments, the subcommand's name included
 * @argv: the arguments, argv[0] being "compare"
 *
 * Compares the per-group metrics of two runs, each a trace.dat or the
 * JSON of `rmapstat report --json`, and prints the comparison as text or
 * JSON on stdout; errors go to stderr, one line each.
 *
 * Return: the exit status: RS_EXIT_OK when no metric regressed (and for
 * --help), RS_EXIT_REGRESSION when one did, RS_EXIT_ERROR (which is
 * RS_EXIT_USAGE) for a bad command line or any other error.
 */
int compare_main(int argc, char **argv);

/* The exit statuses: enum rmapstat_exit of error.h. */
#include "error.h"

#endif
