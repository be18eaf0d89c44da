// SPDX-License-Identifier: GPL-2.0-only
/*
 * LD_PRELOAD shim for `badinput.py child`: libtracecmd's
 * tracecmd_init_data() dies with the signal named in
 * RMAPSTAT_TEST_CRASH_SIGNAL (a number), the way libtracecmd 1.3.1 dies on
 * damaged headers nothing checks for yet. rmapstat loads every trace in a
 * child process first (lib/trace_input.c): the test checks that such a
 * death is one error line, not rmapstat's own.
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>

struct tracecmd_input;

int tracecmd_init_data(struct tracecmd_input *handle);

int tracecmd_init_data(struct tracecmd_input *handle)
{
	static int (*real)(struct tracecmd_input *);
	const char *sig = getenv("RMAPSTAT_TEST_CRASH_SIGNAL");

	if (sig) {
		signal(atoi(sig), SIG_DFL);
		raise(atoi(sig));
	}
	if (!real)
		real = (int (*)(struct tracecmd_input *))dlsym(RTLD_NEXT, "tracecmd_init_data");
	return real ? real(handle) : -1;
}
