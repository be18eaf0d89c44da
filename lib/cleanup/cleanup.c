// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cleanup registry: see cleanup.h. A fixed array, since a signal
 * handler cannot allocate, used as a stack: steps that ran or were dropped
 * on top are freed, so that a process that registers and drops a step per
 * file it writes does not run out. Handles are serial numbers, never
 * reused, so a stale handle finds nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "cleanup.h"

enum step_state {
	STEP_FREE,
	STEP_ARMED,	/* registered, not run yet */
	STEP_DONE,	/* ran or dropped; freed once nothing above is armed */
};

struct step {
	rs_undo_fn undo;
	void *arg;
	int handle;
	volatile sig_atomic_t state;
};

static struct step steps[RS_CLEANUP_MAX_STEPS];
static volatile sig_atomic_t nr_steps;
static volatile pid_t owner;		/* the process the steps belong to */
static int last_handle;
static bool atexit_done;

/*
 * Every signal blocked: a handler that runs the registry never finds it
 * half changed or a step half run. pthread_sigmask() is async-signal-safe.
 */
static void block_signals(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, old);
}

static void unblock_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static struct step *find(int handle)
{
	int i;

	if (handle <= 0 || owner != getpid())
		return NULL;
	for (i = 0; i < nr_steps; i++)
		if (steps[i].handle == handle && steps[i].state == STEP_ARMED)
			return &steps[i];
	return NULL;
}

static void run_step(struct step *st)
{
	/* Done first: a step runs once even if it ends the process. */
	st->state = STEP_DONE;
	st->undo(st->arg);
}

static void pop_done(void)
{
	while (nr_steps > 0 && steps[nr_steps - 1].state == STEP_DONE) {
		steps[nr_steps - 1].state = STEP_FREE;
		nr_steps--;
	}
}

static void run_all_at_exit(void)
{
	rs_cleanup_run_all();
}

int rs_cleanup_add(rs_undo_fn undo, void *arg)
{
	struct step *st;
	sigset_t old;
	int handle;

	block_signals(&old);
	if (owner != getpid()) {
		/* A forked child: the steps it inherited are its parent's. */
		nr_steps = 0;
		owner = getpid();
	}
	if (nr_steps == RS_CLEANUP_MAX_STEPS) {
		unblock_signals(&old);
		return -ENOSPC;
	}
	st = &steps[nr_steps];
	st->undo = undo;
	st->arg = arg;
	st->handle = handle = ++last_handle;
	st->state = STEP_ARMED;
	nr_steps = nr_steps + 1;
	if (!atexit_done)
		atexit_done = atexit(run_all_at_exit) == 0;
	unblock_signals(&old);
	return handle;
}

/* Ends step handle: runs it (run) or only forgets it. */
static void end_step(int handle, bool run)
{
	struct step *st;
	sigset_t old;

	block_signals(&old);
	st = find(handle);
	if (st) {
		if (run)
			run_step(st);
		else
			st->state = STEP_DONE;
		pop_done();
	}
	unblock_signals(&old);
}

void rs_cleanup_run(int handle)
{
	end_step(handle, true);
}

void rs_cleanup_drop(int handle)
{
	end_step(handle, false);
}

void rs_cleanup_run_all(void)
{
	sigset_t old;
	int i;

	block_signals(&old);
	if (owner == getpid()) {
		for (i = nr_steps; i-- > 0;)
			if (steps[i].state == STEP_ARMED)
				run_step(&steps[i]);
		pop_done();
	}
	unblock_signals(&old);
}

static void undo_and_die(int sig)
{
	rs_cleanup_run_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void rs_cleanup_on_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = undo_and_die };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}
