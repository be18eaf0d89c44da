// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sweep of what killed recordings left in tracefs and next to their
 * output (sweep.h). It runs before a recording reads anything as "the
 * state before", and alone for `rmapstat record --cleanup`; each removal
 * is said on the log, since the user may wonder where an instance went.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>

#include "fsutil.h"
#include "kprobes.h"
#include "sweep.h"

/* Is pid a running rmapstat (and not a reused pid)? */
static bool rmapstat_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid == getpid())
		return true;
	if (kill(pid, 0) && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strncmp(comm, "rmapstat", 8);
}

int rs_sweep_instances(FILE *log, unsigned int *removed)
{
	struct tracefs_instance *inst;
	char **names;
	int i, live = 0;
	long pid;

	/* A basic regular expression: libtracefs compiles it without REG_EXTENDED. */
	names = tracefs_instances("^" INSTANCE_PREFIX "[0-9][0-9]*$");
	for (i = 0; names && names[i]; i++) {
		pid = strtol(names[i] + strlen(INSTANCE_PREFIX), NULL, 10);
		if (pid == getpid())
			continue;
		if (rmapstat_alive(pid)) {
			live++;
			continue;
		}
		inst = tracefs_instance_alloc(NULL, names[i]);
		if (!inst)
			continue;
		tracefs_trace_off(inst);
		tracefs_event_disable(inst, NULL, NULL);
		if (tracefs_instance_destroy(inst) == 0) {
			fprintf(log, "rmapstat: removed instance %s left by a killed run\n",
				names[i]);
			(*removed)++;
		}
		tracefs_instance_free(inst);
	}
	tracefs_list_free(names);
	return live;
}

int rs_sweep_kprobes(int live_others, FILE *log, unsigned int *removed,
		     struct rs_error *err)
{
	struct tracefs_dynevent **old;
	int n;

	old = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_KPROBE | TRACEFS_DYNEVENT_KRETPROBE,
				       KPROBE_SYSTEM);
	for (n = 0; old && old[n]; n++)
		;
	if (!n) {
		tracefs_dynevent_list_free(old);
		return 0;
	}
	if (live_others) {
		tracefs_dynevent_list_free(old);
		rs_error_status(err, RS_EXIT_BUSY, "wait for it to finish: kprobe events "
				"are global, one recording at a time", "the kprobe events "
				"%s:* belong to another running rmapstat record", KPROBE_SYSTEM);
		return -EBUSY;
	}
	/*
	 * Not forced: force also disables the events in the top instance,
	 * and writing their enable files resizes its ring buffer, which
	 * rmapstat never touches. The killed run's instance is gone already,
	 * so nothing holds them enabled.
	 */
	for (n = 0; old[n]; n++)
		if (tracefs_dynevent_destroy(old[n], false))
			tracefs_dynevent_destroy(old[n], true);
	tracefs_dynevent_list_free(old);
	fprintf(log, "rmapstat: removed kprobe events %s:* left by a killed run\n",
		KPROBE_SYSTEM);
	(*removed)++;
	return 0;
}

void rs_sweep_data_dirs(const char *dir, FILE *log)
{
	struct dirent *de;
	long pid;
	char *end;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, ".rmapstat-", 10))
			continue;
		pid = strtol(de->d_name + 10, &end, 10);
		if (end == de->d_name + 10 || *end != '-' || rmapstat_alive(pid))
			continue;
		if (rs_remove_flat_dir(dirfd(d), de->d_name) > 0)
			fprintf(log, "rmapstat: removed %s/%s left by a killed run\n",
				dir, de->d_name);
	}
	closedir(d);
}

void rs_sweep_tracefs(FILE *log, unsigned int *removed)
{
	const char *dir;

	*removed = 0;
	dir = tracefs_tracing_dir();
	if (!dir || !tracefs_dir_exists(NULL, "instances"))
		return;		/* no tracefs: nothing of ours in it */
	if (!rs_sweep_instances(log, removed))
		rs_sweep_kprobes(0, log, removed, NULL);
}
