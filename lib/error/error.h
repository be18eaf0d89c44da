/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The error model of rmapstat, for lib/, record/, workload/ and cli/ alike.
 *
 * A function that can fail returns 0 (or a count) on success and a negative
 * errno on failure, and fills a struct rs_error when the caller gave one:
 * what went wrong, what to do about it, and the exit status rmapstat gives
 * for it. The front end prints it as one line, "rmapstat CMD: WHAT (FIX)",
 * and exits with that status. The fix texts used in more than one place
 * are the RS_FIX_* below; the exit statuses are the table of rmapstat(1).
 */
#ifndef RS_ERROR_H
#define RS_ERROR_H

/*
 * Exit status of rmapstat (the table is also in rmapstat(1) and
 * rmapstat-record(1)). Environment errors have one code each so that
 * scripts (and the lab tests) can tell them apart; each comes with one
 * line on stderr that names the cause and the fix.
 *
 * `rmapstat record -- COMMAND` exits with COMMAND's status instead
 * (128 + N when a signal N killed it, 127 when it could not be run) once
 * the trace was written; a signal that stops a recording before its
 * workload or duration was over gives 128 + N as well. report exits 2 on
 * any error; compare exits 1 for a regression and 2 on any error.
 */
enum rmapstat_exit {
	RS_EXIT_OK		= 0,	/* done (compare: no regression) */
	RS_EXIT_FAILURE		= 1,	/* run-time failure: I/O, tracefs write, trace.dat */
	RS_EXIT_USAGE		= 2,	/* bad command line, unknown event */
	RS_EXIT_NOT_ROOT	= 3,	/* tracing and the workloads need root */
	RS_EXIT_NO_TRACEFS	= 4,	/* tracefs not mounted and not mountable */
	RS_EXIT_NO_EVENTS	= 5,	/* no rmap tracepoints and no kprobe events */
	RS_EXIT_ONE_NODE	= 6,	/* --trigger migrate on a single NUMA node */
	RS_EXIT_NO_KSM		= 7,	/* CONFIG_KSM=n (no /sys/kernel/mm/ksm) */
	RS_EXIT_NO_PAGE_IDLE	= 8,	/* CONFIG_IDLE_PAGE_TRACKING=n */
	RS_EXIT_WORKLOAD	= 9,	/* workload failed: KSM merge timeout, move_pages, pagemap */
	RS_EXIT_BUSY		= 10,	/* another rmapstat record owns the kprobe events */
	RS_EXIT_NO_BTF		= 11,	/* kprobe fallback: no BTF and no --layout */
	RS_EXIT_SIGNAL_BASE	= 128,	/* + signal number */
	/* compare's own statuses */
	RS_EXIT_REGRESSION	= 1,	/* compare: a gate failed */
	RS_EXIT_ERROR		= 2,	/* report and compare: any error */
};

/* Fix texts given by more than one error. */
#define RS_FIX_MEMORY		"free some memory and try again"
#define RS_FIX_DAMAGED		"record it again; the file is damaged"
#define RS_FIX_LIBTRACECMD	"record it again; `trace-cmd report FILE` shows what libtracecmd says"
#define RS_FIX_JSON_AGAIN	"re-create it with `rmapstat report --json`"
#define RS_FIX_GIVE_INPUT	"give a trace.dat or the output of `rmapstat report --json`"
#define RS_FIX_SAVE_FILE	"save the trace to a file first"
#define RS_FIX_PATH		"check the path and its permissions"
#define RS_FIX_OUTPUT		"check the output (disk full? closed pipe?)"
#define RS_FIX_ROOT		"run it as root (sudo rmapstat record ...)"

/**
 * struct rs_error - one error, as the user reads it
 * @what: what went wrong
 * @fix: what to do about it ("" when there is nothing to add)
 * @status: the exit status rmapstat gives for it (enum rmapstat_exit)
 */
struct rs_error {
	char what[256];
	char fix[256];
	int status;
};

/**
 * rs_error_status() - fill an error with its own exit status
 * @e: the error (may be NULL: nothing is done)
 * @status: an enum rmapstat_exit value
 * @fix: what to do about it (an RS_FIX_* or a text of its own; NULL: "")
 * @fmt: printf format of what went wrong
 */
__attribute__((format(printf, 4, 5)))
void rs_error_status(struct rs_error *e, int status, const char *fix, const char *fmt, ...);

/**
 * rs_error_set() - fill an error of status RS_EXIT_FAILURE
 * @e: the error (may be NULL: nothing is done)
 * @fix: what to do about it (an RS_FIX_* or a text of its own; NULL: "")
 * @...: printf format of what went wrong, and its arguments
 */
#define rs_error_set(e, fix, ...) rs_error_status(e, RS_EXIT_FAILURE, fix, __VA_ARGS__)

/**
 * rs_error_print() - print "rmapstat CMD: WHAT (FIX)" on stderr
 * @cmd: the subcommand ("record", "report", "compare")
 * @e: the error
 *
 * Return: @e's exit status.
 */
int rs_error_print(const char *cmd, const struct rs_error *e);

/**
 * rs_error_print_file() - print "rmapstat CMD: FILE: WHAT (FIX)" on stderr
 * @cmd: the subcommand
 * @file: the file the error is about (NULL: as rs_error_print())
 * @e: the error
 *
 * Return: @e's exit status.
 */
int rs_error_print_file(const char *cmd, const char *file, const struct rs_error *e);

#endif
