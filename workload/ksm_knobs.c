// SPDX-License-Identifier: GPL-2.0-only
/*
 * KSM control: save the /sys/kernel/mm/ksm knobs we change, make ksmd scan
 * fast, and put every saved value back. The saved values and each value
 * written are noted in the journal of `rmapstat record` (journal.h) before
 * the knob changes, so that the next run writes them back after a
 * SIGKILL; the restore is a step of the cleanup registry (cleanup.h),
 * registered before the first change, so that a signal handler and exit()
 * write them back too.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "journal.h"
#include "fsutil.h"
#include "workload.h"
#include "workload_priv.h"

#define KSM_DIR "/sys/kernel/mm/ksm/"

struct knob {
	const char *path;
	char saved[32];			/* value to write back, NUL-terminated */
	volatile sig_atomic_t changed;	/* saved[] must be written back */
	bool optional;			/* absent on older kernels */
};

/*
 * Restore order matters: pages_to_scan can only be written while
 * advisor_mode is none, switching advisor_mode resets pages_to_scan, and
 * run goes last so ksmd stops only when everything else is back.
 */
enum { K_PAGES_TO_SCAN, K_SLEEP, K_ADVISOR, K_RUN, NR_KNOBS };

static struct knob knobs[NR_KNOBS] = {
	[K_PAGES_TO_SCAN] = { .path = KSM_DIR "pages_to_scan" },
	[K_SLEEP]	  = { .path = KSM_DIR "sleep_millisecs" },
	[K_ADVISOR]	  = { .path = KSM_DIR "advisor_mode", .optional = true },
	[K_RUN]		  = { .path = KSM_DIR "run" },
};

static bool saved;
/* The restore step in the cleanup registry while a knob may be changed. */
static volatile sig_atomic_t restore_step;

bool rs_ksm_available(void)
{
	return access(KSM_DIR "run", F_OK) == 0;
}

int rs_read_ulong(const char *path, unsigned long *val)
{
	char buf[64], *end;
	int err;

	err = rs_file_read(path, buf, sizeof(buf), 0);
	if (err)
		return err;
	errno = 0;
	*val = strtoul(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

/* Writes back the changed knobs, in order; run too unless keep_run. */
static void restore_knobs(bool keep_run)
{
	int i;

	for (i = 0; i < NR_KNOBS; i++) {
		if (keep_run && i == K_RUN)
			continue;
		if (!knobs[i].changed)
			continue;
		knobs[i].changed = 0;
		rs_value_write(knobs[i].path, knobs[i].saved, O_TRUNC);
	}
}

/* The registry step: async-signal-safe. */
static void restore_all(void *unused)
{
	restore_knobs(false);
}

static int set_knob(struct knob *k, const char *val, struct rs_error *err)
{
	int ret;

	if (strcmp(k->saved, val) == 0 && !k->changed)
		return 0;
	/*
	 * Journal first: a SIGKILL after the write must find the value in it.
	 * Writing the saved value back needs no entry: a knob at its saved
	 * value is left alone by the sweep.
	 */
	if (strcmp(k->saved, val)) {
		ret = journal_set_value(k->path, val, err);
		if (ret)
			return ret;
	}
	if (restore_step <= 0) {
		ret = rs_cleanup_add(restore_all, NULL);
		if (ret < 0) {
			rs_error_status(err, RS_EXIT_WORKLOAD, NULL,
					"too many cleanup steps to change %s", k->path);
			return ret;
		}
		restore_step = ret;
	}
	k->changed = 1;	/* before the write: a signal may come in between */
	ret = rs_value_write(k->path, val, O_TRUNC);
	if (ret == -EACCES || ret == -EPERM)
		rs_error_status(err, RS_EXIT_NOT_ROOT, RS_FIX_ROOT, "cannot write %s "
				"to %s: %s", val, k->path, strerror(-ret));
	else if (ret)
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "cannot write %s to %s: %s",
				val, k->path, strerror(-ret));
	return ret;
}

static int no_ksm(struct rs_error *err)
{
	rs_error_status(err, RS_EXIT_NO_KSM, "build it with CONFIG_KSM=y",
			"%s is missing: the kernel has no KSM", KSM_DIR);
	return -ENOENT;
}

/* Reads the knobs and notes them in the journal, in restore order. */
static int save_knobs(struct rs_error *err)
{
	int i, ret;

	for (i = 0; i < NR_KNOBS; i++) {
		ret = rs_value_read(knobs[i].path, knobs[i].saved, sizeof(knobs[i].saved));
		if (ret == -ENOENT && knobs[i].optional) {
			knobs[i].path = NULL;
			continue;
		}
		if (ret) {
			rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "cannot read %s: %s",
					knobs[i].path, strerror(-ret));
			return ret;
		}
	}
	/* Before the first knob changes. */
	for (i = 0; i < NR_KNOBS; i++) {
		if (!knobs[i].path)
			continue;
		ret = journal_add_value(knobs[i].path, knobs[i].saved, err);
		if (ret)
			return ret;
	}
	saved = true;
	return 0;
}

int rs_ksm_knobs_speed_up(unsigned int pages_to_scan, unsigned int sleep_ms,
			  struct rs_error *err)
{
	char val[32];
	int ret;

	if (!rs_ksm_available())
		return no_ksm(err);
	if (!saved) {
		ret = save_knobs(err);
		if (ret)
			return ret;
	}
	if (knobs[K_ADVISOR].path) {
		ret = set_knob(&knobs[K_ADVISOR], "none", err);
		if (ret)
			return ret;
	}
	snprintf(val, sizeof(val), "%u", pages_to_scan);
	ret = set_knob(&knobs[K_PAGES_TO_SCAN], val, err);
	if (ret)
		return ret;
	snprintf(val, sizeof(val), "%u", sleep_ms);
	ret = set_knob(&knobs[K_SLEEP], val, err);
	if (ret)
		return ret;
	return set_knob(&knobs[K_RUN], "1", err);
}

int rs_ksm_knobs_pause(struct rs_error *err)
{
	if (!saved) {
		rs_error_status(err, RS_EXIT_USAGE, NULL,
				"rs_ksm_knobs_pause() before rs_ksm_knobs_speed_up()");
		return -EINVAL;
	}
	restore_knobs(true);
	return set_knob(&knobs[K_RUN], "0", err);
}

void rs_ksm_knobs_restore(void)
{
	int step = restore_step;

	/* A later change registers the step again. */
	restore_step = 0;
	rs_cleanup_run(step);
}

int rs_ksm_counters_read(struct ksm_counters *c, struct rs_error *err)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "pages_shared", offsetof(struct ksm_counters, pages_shared) },
		{ "pages_sharing", offsetof(struct ksm_counters, pages_sharing) },
		{ "pages_unshared", offsetof(struct ksm_counters, pages_unshared) },
		{ "full_scans", offsetof(struct ksm_counters, full_scans) },
		{ "max_page_sharing", offsetof(struct ksm_counters, max_page_sharing) },
	};
	char path[128];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(path, sizeof(path), KSM_DIR "%s", fields[i].name);
		ret = rs_read_ulong(path, (unsigned long *)((char *)c + fields[i].off));
		if (ret == -ENOENT && !rs_ksm_available())
			return no_ksm(err);
		if (ret) {
			rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "cannot read %s: %s",
					path, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

long rs_ksm_merging_pages(void)
{
	unsigned long val;

	if (rs_read_ulong("/proc/self/ksm_merging_pages", &val))
		return -1;
	return (long)val;
}
