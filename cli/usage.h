/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the three subcommands share on their command line: the help text,
 * the one-line usage errors (exit status 2), the options report and
 * compare both take.
 *
 * Every subcommand parses its arguments the same way: one params struct,
 * *_parse_args() with opterr off that returns 0 to go on, -1 after --help
 * (printed to stdout; the subcommand exits 0) or the exit status of a
 * usage error it printed; never exit() inside a parser.
 */
#ifndef RMAPSTAT_USAGE_H
#define RMAPSTAT_USAGE_H

#include <stdio.h>

#include "error.h"
#include "group.h"
#include "output.h"

/**
 * usage_print_lines() - print help text
 * @f: stdout for --help
 * @lines: NULL-terminated array of lines, printed one per line
 */
void usage_print_lines(FILE *f, const char *const *lines);

/**
 * usage_error() - one usage error line on stderr
 * @cmd: the subcommand
 * @code: what to return
 * @fmt: printf format of the message
 *
 * Prints "rmapstat CMD: MESSAGE (see rmapstat CMD --help)".
 *
 * Return: @code, the subcommand's exit status for usage errors.
 */
__attribute__((format(printf, 3, 4)))
int usage_error(const char *cmd, int code, const char *fmt, ...);

/**
 * usage_getopt_error() - the usage error of getopt_long() returning ':' or '?'
 * @cmd: the subcommand
 * @c: what getopt_long() returned (':' a missing argument, else unknown)
 * @argv: the arguments (optind is past the faulty one)
 *
 * Return: RS_EXIT_USAGE.
 */
int usage_getopt_error(const char *cmd, int c, char **argv);

/**
 * usage_opt_by() - the argument of --by
 * @cmd: the subcommand, for the error
 * @arg: e.g. "kind,purpose"
 * @by: set from it
 *
 * Return: 0, or RS_EXIT_USAGE after printing why not.
 */
int usage_opt_by(const char *cmd, const char *arg, struct rs_group_spec *by);

/**
 * usage_opt_units() - the argument of --units
 * @cmd: the subcommand, for the error
 * @arg: "ns", "us" or "ms"
 * @unit: set from it
 *
 * Return: 0, or RS_EXIT_USAGE after printing why not.
 */
int usage_opt_units(const char *cmd, const char *arg, enum rs_unit *unit);

#endif
