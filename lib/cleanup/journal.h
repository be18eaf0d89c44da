/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The undo journal of `rmapstat record`: what a recording changed outside
 * itself, written down before the change, so that a run killed with
 * SIGKILL (which no handler sees) is undone by the next one.
 *
 * One small text file per recording process, DIR/PID (DIR is
 * JOURNAL_DIR, 0700, root's), rewritten atomically (a temporary file
 * renamed over it) each time an entry is added or changes. It holds:
 *
 *	- value entries: a file (a sysfs knob) with the value it had before
 *	  and the value this process wrote last. The value entry is written
 *	  before the knob, so the journal never knows less than the knob.
 *	- remove entries: a path this process created and removes when it
 *	  is done (a staging folder, a tracefs instance).
 *
 * The module knows nothing of KSM or tracefs: callers add entries in the
 * order they must be undone. It is the on-disk twin of the cleanup
 * registry (cleanup.h): journal_begin() registers the journal's removal
 * as the registry's first step, so that it runs last, once every undo
 * step of the live process has run.
 *
 * Typical use (record/session.c, workload/ksm_knobs.c):
 *
 *	journal_sweep(JOURNAL_DIR, stderr, false, &n);	// undo killed runs
 *	if (journal_begin(JOURNAL_DIR, err))
 *		return ...;
 *	journal_add_remove(inst_dir, JOURNAL_RM_RMDIR, "tracefs instance", err);
 *	mkdir(inst_dir) ...
 *	journal_add_value(knob, "100", err);	// original, in undo order
 *	journal_set_value(knob, "10000", err);	// before writing it
 *	write(knob, "10000") ...
 *	rs_cleanup_run_all();			// all undone, the journal last
 *
 * A stale journal is one whose process is gone: no /proc/PID, a zombie,
 * or a PID now used by another process (its start time differs from the
 * one in the journal). journal_sweep() undoes it: each value is written
 * back when the file still holds what the dead run wrote there (if
 * someone changed it since, it is left alone and that is said), then the
 * paths are removed; one line on the given stream per thing done.
 *
 * File format (version 1), one entry per line, fields separated by one
 * space, each field with '%', bytes up to ' ' and 0x7f written as %XX:
 *
 *	rmapstat-journal 1
 *	pid 1234
 *	start 56789			(field 22 of /proc/PID/stat)
 *	boot 0f1e...			(/proc/sys/kernel/random/boot_id)
 *	value PATH ORIGINAL LAST-WRITTEN
 *	remove file|dir|rmdir PATH WHAT
 */
#ifndef RMAPSTAT_JOURNAL_H
#define RMAPSTAT_JOURNAL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

/* Where rmapstat record keeps its journals (a tmpfs: gone at reboot). */
#define JOURNAL_DIR		"/run/rmapstat"

/* Entries per journal, values and removals together. */
#define JOURNAL_MAX_ENTRIES	16
/* Longest value (NUL included); sysfs knob values are short words. */
#define JOURNAL_VALUE_MAX	64

/* How a remove entry is undone. */
enum journal_rm {
	JOURNAL_RM_FILE,	/* unlink(PATH) */
	JOURNAL_RM_DIR,		/* unlink what is directly in PATH, then rmdir(PATH) */
	JOURNAL_RM_RMDIR,	/* rmdir(PATH) alone: a tracefs instance */
};

/**
 * journal_begin() - Start the journal of this process.
 * @dir: the journal folder, normally JOURNAL_DIR; created (mode 0700,
 *       with its parent when that is missing) if needed.
 * @err: filled on failure (may be NULL).
 *
 * Writes DIR/PID with no entry yet. The folder must be a real directory
 * owned by this user and writable by nobody else, since what a journal
 * names is written to or removed by root later. Calling it again while a
 * journal is open is an error. Registers journal_end() with the cleanup
 * registry.
 *
 * Return: 0, or -errno.
 */
int journal_begin(const char *dir, struct rs_error *err);

/**
 * journal_add_value() - Note a file this process is about to change.
 * @path: absolute path of the file (e.g. a sysfs knob).
 * @original: its value now, as rs_value_read() (fsutil.h) gives it.
 * @err: filled on failure (may be NULL).
 *
 * Value entries are undone in the order they were added, so add them in
 * the order they must be written back. Adding a path a second time
 * changes nothing (the first original stays). Without journal_begin()
 * this is a no-op that returns 0.
 *
 * Return: 0, or -errno.
 */
int journal_add_value(const char *path, const char *original, struct rs_error *err);

/**
 * journal_set_value() - Note the value about to be written to a file.
 * @path: a path given to journal_add_value() before.
 * @value: the value that will be written next.
 * @err: filled on failure (may be NULL).
 *
 * Call it before the write. Writing the original back needs no call: a
 * file that holds its original is left alone by journal_sweep(). Without
 * journal_begin() this is a no-op that returns 0.
 *
 * Return: 0, -ENOENT if @path was never added, or another -errno.
 */
int journal_set_value(const char *path, const char *value, struct rs_error *err);

/**
 * journal_add_remove() - Note a path this process is about to create.
 * @path: absolute path (relative paths are made absolute with getcwd()).
 * @how: how journal_sweep() removes it.
 * @what: a few words for the messages ("staging folder").
 * @err: filled on failure (may be NULL).
 *
 * Call it before creating @path when its name is known in advance, else
 * right after. Without journal_begin() this is a no-op that returns 0.
 *
 * Return: 0, or -errno.
 */
int journal_add_remove(const char *path, enum journal_rm how, const char *what,
		       struct rs_error *err);

/**
 * journal_end() - Forget the journal: everything in it was undone.
 *
 * Runs the journal's step of the cleanup registry now: removes DIR/PID
 * and its temporary file. Async-signal-safe (unlink() only) and
 * idempotent; a no-op without journal_begin(). A process that ends with
 * rs_cleanup_run_all() needs no call.
 */
void journal_end(void);

/**
 * journal_path() - The file of this process's journal.
 *
 * Return: DIR/PID, or NULL when no journal is open.
 */
const char *journal_path(void);

/**
 * journal_sweep() - Undo the journals of processes that are gone.
 * @dir: the journal folder (JOURNAL_DIR); a missing folder is no journal.
 * @log: where the lines go ("rmapstat: restored PATH VALUE (left at X by
 *       record pid N, killed)", "rmapstat: removed WHAT PATH (...)", and
 *       why something was left alone), one per thing.
 * @tell_live: also say which journals belong to running processes.
 * @done: set to the number of values restored and paths removed.
 *
 * Holds an flock() on @dir meanwhile, so two sweeps do not race. A value
 * is written back only if the file still holds the value the dead
 * process wrote last; a value another running process's journal also
 * names is left for later (its owner will write back what it saw, then a
 * later sweep what the dead one saw). A journal whose undo is incomplete
 * is rewritten with what is left, else removed. A journal of an earlier
 * boot has its values dropped (the reboot reset them) and its paths
 * removed. This process's own journal is never touched.
 *
 * Return: 0 when everything due was undone, or -1 when something failed
 * or was left (a line on @log says what, and how to fix it).
 */
int journal_sweep(const char *dir, FILE *log, bool tell_live, unsigned int *done);

/**
 * journal_pid_start() - The start time of a process, to tell reused PIDs.
 * @pid: the process.
 * @start: set to field 22 of /proc/PID/stat (clock ticks after boot).
 *
 * Return: 1 if @pid runs, 0 if it does not exist or is a zombie,
 * -errno if /proc/PID/stat cannot be read or parsed.
 */
int journal_pid_start(pid_t pid, unsigned long long *start);

#endif
