/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef RMAPSTAT_H
#define RMAPSTAT_H

/* One entry point per subcommand, each in its own file. */
int record_main(int argc, char **argv);
int report_main(int argc, char **argv);
int compare_main(int argc, char **argv);

/*
 * Exit status of rmapstat (the table is also in rmapstat(1) and
 * rmapstat-record(1)). Environment errors have one code each so that
 * scripts (and the lab tests) can tell them apart; each comes with one
 * line on stderr that names the cause and the fix.
 *
 * `rmapstat record -- COMMAND` exits with COMMAND's status instead
 * (128 + N when a signal N killed it, 127 when it could not be run) once
 * the trace was written; a signal that stops a recording before its
 * workload or duration was over gives 128 + N as well.
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
	RS_EXIT_SIGNAL_BASE	= 128,	/* + signal number */
};

#endif
