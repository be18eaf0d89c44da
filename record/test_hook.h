/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TEST HOOK, for tests/vm/test_kill.py only: with RMAPSTAT_TEST_PAUSE=PHASE
 * in its environment, rmapstat record says "rmapstat: test hook: paused at
 * PHASE (pid N)" on stderr when it reaches PHASE and waits there for a
 * signal, so that a test can SIGKILL it at a known point instead of after
 * a lucky sleep. Without the variable it does nothing. Phases:
 *
 *	merge	the KSM knobs are sped up, the merge wait begins (workload.c)
 *	record	tracing is on and the triggers have run (record.c)
 *	write	the trace.dat is written under its temporary name, not yet
 *		read back and renamed (trace_writer.c)
 *
 * Header-only, so that trace_writer.c keeps building on its own
 * (test_trace_writer).
 */
#ifndef RMAPSTAT_TEST_HOOK_H
#define RMAPSTAT_TEST_HOOK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void test_hook_pause(const char *phase)
{
	const char *want = getenv("RMAPSTAT_TEST_PAUSE");

	if (!want || strcmp(want, phase))
		return;
	fprintf(stderr, "rmapstat: test hook: paused at %s (pid %d)\n", phase, (int)getpid());
	fflush(stderr);
	pause();	/* returns after a signal handler ran */
}

#endif
