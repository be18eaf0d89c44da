/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cleanup registry of a live `rmapstat record`: the one list of what
 * this process must undo before it ends. Whoever changes something outside
 * the process (a KSM knob, a tracefs instance, kprobe events, a staging
 * folder, a temporary trace.dat, the journal) registers the step that
 * undoes it, at the latest right after the change (before it when the
 * step does no harm without it). The registry runs the steps newest
 * first, each exactly once, whichever comes first of:
 *
 *	- its owner, done with it on the normal path (rs_cleanup_run()),
 *	- the end of the run (rs_cleanup_run_all(), also called at exit()),
 *	- a signal handler that ends the process (rs_cleanup_run_all()).
 *
 * So a step is async-signal-safe: it may only call what a signal handler
 * may (open, write, close, unlink, rmdir, _Fork, ...) and only read
 * memory that stays valid while it is registered (prepared beforehand).
 *
 * The journal (journal.h) is the on-disk twin of this list, for SIGKILL,
 * which no handler sees: an owner notes its change in the journal before
 * making it, and journal_begin() registers the journal's own removal as
 * the first step, so that it runs last: the journal is forgotten only
 * once every other step has run. The steps of a recording, in the order
 * they are registered, and what the journal holds for each:
 *
 *	journal removal (journal.c)		-
 *	instance rmdir (record/session.c)	remove rmdir INSTANCE
 *	kprobe events (record/kprobes.c)	- (swept by name, sweep.h)
 *	events off (record/session.c)		- (gone with the instance)
 *	staging folder (record/drain.c)		remove dir FOLDER
 *	KSM knobs (workload/ksm_knobs.c)	value KNOB ORIGINAL LAST
 *	temporary trace.dat (trace_writer.c)	- (in the staging folder)
 *
 * The registry runs with every signal blocked while it changes the list
 * or runs a step, so a handler never sees a step half run; the steps of a
 * forked child are none (the list belongs to the process that made it).
 *
 * Typical use (record/session.c, workload/ksm_knobs.c):
 *
 *	mkdir(dir);
 *	s->undo = rs_cleanup_add(remove_dir, s);	// s stays valid
 *	...
 *	rs_cleanup_run(s->undo);			// the normal path
 *	free(s);
 *
 *	on_signal(): rs_cleanup_run_all(); _exit(128 + sig);
 */
#ifndef RS_CLEANUP_H
#define RS_CLEANUP_H

/* Steps registered at a time: journal, session (4), knobs, writer, and room. */
#define RS_CLEANUP_MAX_STEPS	16

/**
 * typedef rs_undo_fn - One undo step.
 * @arg: what rs_cleanup_add() was given.
 *
 * Async-signal-safe: it may run from a signal handler.
 */
typedef void (*rs_undo_fn)(void *arg);

/**
 * rs_cleanup_add() - Register an undo step.
 * @undo: the step.
 * @arg: its argument; must stay valid until the step ran or was dropped.
 *
 * The first step of a process also registers rs_cleanup_run_all() with
 * atexit(), so that exit() undoes what is left.
 *
 * Return: a handle (> 0) for rs_cleanup_run() and rs_cleanup_drop(), or
 * -ENOSPC when RS_CLEANUP_MAX_STEPS are registered.
 */
int rs_cleanup_add(rs_undo_fn undo, void *arg);

/**
 * rs_cleanup_run() - Run one step now, unless it has run.
 * @handle: what rs_cleanup_add() returned; <= 0 or a handle that ran or
 *          was dropped does nothing.
 *
 * Async-signal-safe. The step is forgotten afterwards.
 */
void rs_cleanup_run(int handle);

/**
 * rs_cleanup_drop() - Forget a step without running it.
 * @handle: as for rs_cleanup_run().
 *
 * For a change that is to stay (a trace.dat renamed to its name).
 * Async-signal-safe.
 */
void rs_cleanup_drop(int handle);

/**
 * rs_cleanup_run_all() - Run every step not run yet, newest first.
 *
 * Async-signal-safe; the signal handler of rmapstat record calls it, and
 * the normal path at its end. In a forked child it does nothing.
 */
void rs_cleanup_run_all(void);

/**
 * rs_cleanup_on_signals() - Undo everything, then die, on SIGINT, SIGTERM
 * or SIGHUP.
 *
 * For programs that have nothing to finish on a signal (the test
 * programs): the handler runs rs_cleanup_run_all() and re-raises the
 * signal with its default action, so the exit status still names it.
 * rmapstat record has its own handler, which finishes the trace on the
 * first signal.
 */
void rs_cleanup_on_signals(void);

#endif
