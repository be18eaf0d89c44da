/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What earlier runs of `rmapstat record` left behind when they were killed
 * (SIGKILL, which no handler sees) and that a new run, or `rmapstat record
 * --cleanup`, removes: their tracefs instances rmapstat_<pid>, the
 * rmapstat:* kprobe events, and their staging folders .rmapstat-<pid>-*.
 * Found by name, with the pid in the name checked against the running
 * processes, so that it works without a journal too (a run killed before
 * its journal existed, or one of an older rmapstat). The journals
 * themselves are swept by journal_sweep() (journal.h).
 */
#ifndef RMAPSTAT_SWEEP_H
#define RMAPSTAT_SWEEP_H

#include <stdio.h>

#include "error.h"

/* The private instance of record pid N is INSTANCE_PREFIX "N". */
#define INSTANCE_PREFIX		"rmapstat_"

/**
 * rs_sweep_instances() - Remove the instances of dead runs.
 * @log: one line per instance removed.
 * @removed: incremented per instance removed.
 *
 * Return: the number of instances of other rmapstat records still running.
 */
int rs_sweep_instances(FILE *log, unsigned int *removed);

/**
 * rs_sweep_kprobes() - Remove the rmapstat:* kprobe events of a dead run.
 * @live_others: other rmapstat records running (rs_sweep_instances()).
 * @log: one line when they were removed.
 * @removed: incremented when they were removed.
 * @err: filled when they belong to a running record (RS_EXIT_BUSY).
 *
 * Kprobe events are global: with another record running they are its own.
 *
 * Return: 0, or -EBUSY when @live_others and there are rmapstat kprobes.
 */
int rs_sweep_kprobes(int live_others, FILE *log, unsigned int *removed,
		     struct rs_error *err);

/**
 * rs_sweep_data_dirs() - Remove the staging folders of dead runs.
 * @dir: the folder they are in (where a trace.dat was written).
 * @log: one line per folder removed.
 *
 * Those of runs without a journal: the journal sweep does the others. A
 * symbolic link of that name is not followed (@dir may be shared).
 */
void rs_sweep_data_dirs(const char *dir, FILE *log);

/**
 * rs_sweep_tracefs() - What a recording sweeps in tracefs, alone.
 * @log: one line per thing removed.
 * @removed: set to the number of things removed.
 *
 * The instances of dead runs and, when no other rmapstat records, the
 * kprobe events (rmapstat record --cleanup). Without tracefs there is
 * nothing to remove.
 */
void rs_sweep_tracefs(FILE *log, unsigned int *removed);

#endif
