// SPDX-License-Identifier: GPL-2.0-only
/*
 * KSM control: save the /sys/kernel/mm/ksm knobs we change, make ksmd scan
 * fast, and put every saved value back, also from a signal handler. The
 * saved values and each value written are noted in the journal of
 * `rmapstat record` (journal.h) before the knob changes, so that the next
 * run writes them back after a SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
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
static bool atexit_done;

/* Reads a small sysfs file into buf, NUL-terminated; returns 0 or -errno. */
static int read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	err = n < 0 ? -errno : n == 0 ? -ENODATA : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	return 0;
}

bool ksm_available(void)
{
	return access(KSM_DIR "run", F_OK) == 0;
}

int wl_read_ulong(const char *path, unsigned long *val)
{
	char buf[64], *end;
	int err;

	err = read_small(path, buf, sizeof(buf));
	if (err)
		return err;
	errno = 0;
	*val = strtoul(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

/* Async-signal-safe write of a short string; returns 0 or -errno. */
static int write_str(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

/* Reads a knob; for advisor_mode keeps only the [selected] word. */
static int read_knob(struct knob *k)
{
	char buf[64], *open_br, *close_br;
	int err;

	err = read_small(k->path, buf, sizeof(buf));
	if (err)
		return err;
	buf[strcspn(buf, "\n")] = '\0';
	open_br = strchr(buf, '[');
	close_br = open_br ? strchr(open_br, ']') : NULL;
	if (open_br && close_br) {
		*close_br = '\0';
		memmove(buf, open_br + 1, strlen(open_br + 1) + 1);
	}
	if (strlen(buf) >= sizeof(k->saved))
		return -EOVERFLOW;
	strcpy(k->saved, buf);
	return 0;
}

static int set_knob(struct knob *k, const char *val)
{
	int err;

	if (strcmp(k->saved, val) == 0 && !k->changed)
		return 0;
	/*
	 * Journal first: a SIGKILL after the write must find the value in it.
	 * Writing the saved value back needs no entry: a knob at its saved
	 * value is left alone by the sweep.
	 */
	if (strcmp(k->saved, val) && journal_set_value(k->path, val))
		return wl_fail(WL_ERR_SYSTEM, "%s", journal_error());
	k->changed = 1;	/* before the write: a signal may come in between */
	err = write_str(k->path, val);
	if (err)
		return wl_fail(err == -EACCES || err == -EPERM ?
			       WL_ERR_NOT_ROOT : WL_ERR_SYSTEM,
			       "cannot write %s to %s: %s%s", val, k->path,
			       strerror(-err),
			       err == -EACCES || err == -EPERM ?
			       " (run as root)" : "");
	return 0;
}

static void restore_knobs(bool keep_run)
{
	int i;

	for (i = 0; i < NR_KNOBS; i++) {
		if (keep_run && i == K_RUN)
			continue;
		if (!knobs[i].changed)
			continue;
		knobs[i].changed = 0;
		write_str(knobs[i].path, knobs[i].saved);
	}
}

static void restore_at_exit(void)
{
	ksm_knobs_restore();
}

int ksm_knobs_speed_up(unsigned int pages_to_scan, unsigned int sleep_ms)
{
	char val[32];
	int i, err;

	if (!ksm_available())
		return wl_fail(WL_ERR_NO_KSM, "%s is missing: the kernel has no KSM "
			       "(build it with CONFIG_KSM=y)", KSM_DIR);
	if (!saved) {
		for (i = 0; i < NR_KNOBS; i++) {
			err = read_knob(&knobs[i]);
			if (err == -ENOENT && knobs[i].optional) {
				knobs[i].path = NULL;
				continue;
			}
			if (err)
				return wl_fail(WL_ERR_SYSTEM, "cannot read %s: %s",
					       knobs[i].path, strerror(-err));
		}
		/* In restore order (see above), before the first knob changes. */
		for (i = 0; i < NR_KNOBS; i++)
			if (knobs[i].path && journal_add_value(knobs[i].path, knobs[i].saved))
				return wl_fail(WL_ERR_SYSTEM, "%s", journal_error());
		saved = true;
		if (!atexit_done && atexit(restore_at_exit) == 0)
			atexit_done = true;
	}
	if (knobs[K_ADVISOR].path && (err = set_knob(&knobs[K_ADVISOR], "none")))
		return err;
	snprintf(val, sizeof(val), "%u", pages_to_scan);
	if ((err = set_knob(&knobs[K_PAGES_TO_SCAN], val)))
		return err;
	snprintf(val, sizeof(val), "%u", sleep_ms);
	if ((err = set_knob(&knobs[K_SLEEP], val)))
		return err;
	return set_knob(&knobs[K_RUN], "1");
}

int ksm_knobs_pause(void)
{
	if (!saved)
		return wl_fail(WL_ERR_USAGE, "ksm_knobs_pause() before "
			       "ksm_knobs_speed_up()");
	restore_knobs(true);
	return set_knob(&knobs[K_RUN], "0");
}

void ksm_knobs_restore(void)
{
	restore_knobs(false);
}

int ksm_counters_read(struct ksm_counters *c)
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
	int err;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(path, sizeof(path), KSM_DIR "%s", fields[i].name);
		err = wl_read_ulong(path, (unsigned long *)((char *)c + fields[i].off));
		if (err == -ENOENT && !ksm_available())
			return wl_fail(WL_ERR_NO_KSM, "%s is missing: the kernel has "
				       "no KSM (build it with CONFIG_KSM=y)", KSM_DIR);
		if (err)
			return wl_fail(WL_ERR_SYSTEM, "cannot read %s: %s", path,
				       strerror(-err));
	}
	return 0;
}

long ksm_merging_pages(void)
{
	unsigned long val;

	if (wl_read_ulong("/proc/self/ksm_merging_pages", &val))
		return -1;
	return (long)val;
}
