// SPDX-License-Identifier: GPL-2.0-only
/*
 * LD_PRELOAD shim for `badinput.py child`: libtracecmd's
 * tracecmd_init_data() misbehaves the way libtracecmd 1.3.1 does on
 * damaged headers nothing checks for yet, as RMAPSTAT_TEST_CRASH_SIGNAL
 * says:
 *   a number   dies of that signal
 *   loop       never returns (burns CPU time)
 *   alloc      allocates and touches memory until malloc() fails, then
 *              uses the NULL it got
 * rmapstat reads every trace in a child process with a memory and a
 * CPU-time limit (lib/tracedat/trace_contain.c): the test checks that each is one
 * error line, not rmapstat's own end, nor the machine's memory.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct tracecmd_input;

int tracecmd_init_data(struct tracecmd_input *handle);

int tracecmd_init_data(struct tracecmd_input *handle)
{
	static int (*real)(struct tracecmd_input *);
	const char *sig = getenv("RMAPSTAT_TEST_CRASH_SIGNAL");

	if (sig && !strcmp(sig, "loop")) {
		for (volatile unsigned long i = 0;; i++)
			;
	} else if (sig && !strcmp(sig, "alloc")) {
		for (;;) {
			char *p = malloc(1 << 20);

			memset(p, 1, 1 << 20);	/* NULL at the limit: SIGSEGV */
		}
	} else if (sig) {
		signal(atoi(sig), SIG_DFL);
		raise(atoi(sig));
	}
	if (!real)
		real = (int (*)(struct tracecmd_input *))dlsym(RTLD_NEXT, "tracecmd_init_data");
	return real ? real(handle) : -1;
}
