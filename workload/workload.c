// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workloads of `rmapstat record`: one mapping of N pages per kind,
 * split into VMAs by mprotect(), and for KSM merged by ksmd before the
 * triggers (workload_trigger.c) make the kernel walk their rmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "test_hook.h"
#include "workload.h"
#include "workload_priv.h"

#define KSM_FILL		0x5a	/* not zero: use_zero_pages must not matter */
#define KSM_PAGES_TO_SCAN	10000
#define KSM_SLEEP_MS		1
#define PROGRESS_TTY_MS		250
#define PROGRESS_LOG_S		5

static const char *const kind_names[WL_NR_KINDS] = {
	[WL_KSM] = "ksm", [WL_ANON] = "anon", [WL_FILE] = "file",
};

static char errmsg[512];
static volatile sig_atomic_t stop_requested;

int wl_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return err;
}

const char *workload_error(void)
{
	return errmsg;
}

void workload_stop(void)
{
	stop_requested = 1;
}

bool workload_stopped(void)
{
	return stop_requested;
}

void workload_opts_init(struct workload_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->kinds = WL_MASK(WL_KSM);
	o->pages = WL_DEFAULT_PAGES;
	o->split = true;
	o->trigger = WL_TRIGGER_NONE;
	o->repeat = 1;
	o->page_index = -1;
	o->merge_timeout = WL_DEFAULT_MERGE_TIMEOUT;
}

const char *workload_kind_name(enum workload_kind kind)
{
	return kind < WL_NR_KINDS ? kind_names[kind] : "?";
}

const char *workload_trigger_name(enum workload_trigger t)
{
	switch (t) {
	case WL_TRIGGER_MIGRATE:
		return "migrate";
	case WL_TRIGGER_IDLE:
		return "idle";
	default:
		return "none";
	}
}

int workload_parse_kinds(const char *s, unsigned int *kinds)
{
	char buf[64], *tok, *save;
	unsigned int mask = 0;
	int k;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "all") == 0) {
			mask |= WL_ALL;
			continue;
		}
		for (k = 0; k < WL_NR_KINDS; k++)
			if (strcmp(tok, kind_names[k]) == 0)
				break;
		if (k == WL_NR_KINDS)
			goto bad;
		mask |= WL_MASK(k);
	}
	if (!mask)
		goto bad;
	*kinds = mask;
	return 0;
bad:
	return wl_fail(WL_ERR_USAGE, "unknown workload '%s': use ksm, anon, file "
		       "or all (or a comma list)", s);
}

int workload_parse_trigger(const char *s, enum workload_trigger *t)
{
	if (strcmp(s, "migrate") == 0)
		*t = WL_TRIGGER_MIGRATE;
	else if (strcmp(s, "idle") == 0)
		*t = WL_TRIGGER_IDLE;
	else if (strcmp(s, "none") == 0)
		*t = WL_TRIGGER_NONE;
	else
		return wl_fail(WL_ERR_USAGE, "unknown trigger '%s': use migrate, "
			       "idle or none", s);
	return 0;
}

static int numa_nodes_with_memory(void)
{
	if (numa_available() < 0)
		return 1;
	return numa_bitmask_weight(numa_all_nodes_ptr);
}

int workload_check_env(const struct workload_opts *o)
{
	if (o->pages < 2)
		return wl_fail(WL_ERR_USAGE, "--pages must be at least 2");
	if (o->page_index >= 0 && (unsigned long)o->page_index >= o->pages)
		return wl_fail(WL_ERR_USAGE, "page index %ld is outside the %lu "
			       "pages of the mapping", o->page_index, o->pages);
	if (o->repeat < 1 || o->repeat > WL_MAX_REPEAT)
		return wl_fail(WL_ERR_USAGE, "--repeat must be 1..%u", WL_MAX_REPEAT);
	if ((o->kinds & WL_MASK(WL_KSM) || o->trigger != WL_TRIGGER_NONE) &&
	    geteuid() != 0)
		return wl_fail(WL_ERR_NOT_ROOT, "the workloads need root (KSM knobs, "
			       "pfns from /proc/self/pagemap, move_pages of shared "
			       "pages): run as root");
	if (o->kinds & WL_MASK(WL_KSM) && !ksm_available())
		return wl_fail(WL_ERR_NO_KSM, "/sys/kernel/mm/ksm is missing: the "
			       "kernel has no KSM (build it with CONFIG_KSM=y, or use "
			       "--workload anon|file)");
	if (o->trigger == WL_TRIGGER_IDLE &&
	    access("/sys/kernel/mm/page_idle/bitmap", W_OK) != 0)
		return wl_fail(WL_ERR_NO_PAGE_IDLE, "/sys/kernel/mm/page_idle/bitmap "
			       "is missing: the kernel lacks CONFIG_IDLE_PAGE_TRACKING "
			       "(rebuild with it, or use --trigger migrate)");
	if (o->trigger == WL_TRIGGER_MIGRATE && numa_nodes_with_memory() < 2)
		return wl_fail(WL_ERR_ONE_NODE, "--trigger migrate needs two NUMA "
			       "nodes with memory, this machine has %d: use --trigger "
			       "idle", numa_nodes_with_memory());
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int sys_fail(const char *what, int err)
{
	if (err == ENOMEM && strncmp(what, "mprotect", 8) == 0)
		return wl_fail(WL_ERR_SYSTEM, "%s: %s: more VMAs than "
			       "/proc/sys/vm/max_map_count allows (raise it, or use "
			       "fewer --pages or --no-split)", what, strerror(err));
	if ((err == ENOSYS || err == EINVAL) && strncmp(what, "madvise", 7) == 0)
		return wl_fail(WL_ERR_SYSTEM, "%s: %s: the kernel lacks "
			       "CONFIG_ADVISE_SYSCALLS or CONFIG_KSM", what, strerror(err));
	return wl_fail(WL_ERR_SYSTEM, "%s: %s", what, strerror(err));
}

/* Opens an unlinked file of len bytes in dir for the file workload. */
static int open_backing_file(const char *dir, size_t len)
{
	char path[4096];
	int fd, err;

	if (!dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/rmapstat-workload-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -wl_fail(WL_ERR_SYSTEM, "cannot create a file in %s: %s "
				"(choose another directory)", dir, strerror(errno));
	unlink(path);
	/* reserve the blocks now: a full tmpfs would SIGBUS on first touch */
	err = posix_fallocate(fd, 0, (off_t)len);
	if (err && err != EOPNOTSUPP && err != EINVAL) {
		close(fd);
		return -wl_fail(WL_ERR_SYSTEM, "cannot allocate %zu bytes in %s: %s",
				len, dir, strerror(err));
	}
	if (ftruncate(fd, (off_t)len) < 0) {
		err = errno;
		close(fd);
		return -wl_fail(WL_ERR_SYSTEM, "ftruncate in %s: %s", dir, strerror(err));
	}
	return fd;
}

static void fill_pages(struct workload_map *m, size_t psize)
{
	unsigned long i;

	for (i = 0; i < m->pages; i++) {
		char *p = m->addr + i * psize;

		if (m->kind == WL_KSM) {
			memset(p, KSM_FILL, psize);
		} else {
			/* distinct content, so nothing could merge these */
			memset(p, 0xa5, psize);
			memcpy(p, &i, sizeof(i));
		}
	}
}

static int map_one(struct workload *wl, enum workload_kind kind)
{
	struct workload_map *m = &wl->map[kind];
	size_t len = wl->opts.pages * wl->page_size;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS, fd = -1;
	unsigned long i;
	char what[64];
	long n;

	m->kind = kind;
	m->pages = wl->opts.pages;
	if (kind == WL_FILE) {
		fd = open_backing_file(wl->opts.file_dir, len);
		if (fd < 0)
			return -fd;
		flags = MAP_SHARED;
	}
	m->fd = fd;
	m->addr = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (m->addr == MAP_FAILED) {
		m->addr = NULL;
		return sys_fail("mmap", errno);
	}
	/* order-0 pages: no THP would be split later or walked as one */
	if (kind != WL_FILE && madvise(m->addr, len, MADV_NOHUGEPAGE) < 0 &&
	    errno != EINVAL)
		return sys_fail("madvise(MADV_NOHUGEPAGE)", errno);
	/* touch first: all VMAs of the split then share one anon_vma */
	fill_pages(m, wl->page_size);
	if (wl->opts.split) {
		for (i = 1; i < m->pages; i += 2) {
			if (mprotect(m->addr + i * wl->page_size, wl->page_size,
				     PROT_READ) < 0) {
				snprintf(what, sizeof(what), "mprotect of %s page %lu",
					 kind_names[kind], i);
				return sys_fail(what, errno);
			}
		}
	}
	if (kind == WL_KSM && madvise(m->addr, len, MADV_MERGEABLE) < 0)
		return sys_fail("madvise(MADV_MERGEABLE)", errno);
	n = wl_count_vmas(m->addr, len);
	m->vmas = n > 0 ? (unsigned long)n : 0;
	return 0;
}

static void progress(const struct workload *wl, const struct ksm_counters *c,
		     long merged, double elapsed, bool tty, bool final)
{
	fprintf(stderr, "%sKSM merge: %ld/%lu pages merged, pages_sharing %lu "
		"(%lu before, +%lu expected), %lu full scans, %.1f s%s",
		tty ? "\r" : "", merged, wl->opts.pages, c->pages_sharing,
		wl->ksm_before.pages_sharing, wl->expected_sharing,
		c->full_scans - wl->ksm_before.full_scans, elapsed,
		tty && !final ? "  " : "\n");
}

/* Pages of the mapping that can end up merged: one odd page out stays alone. */
static unsigned long mergeable_target(unsigned long pages, unsigned long mps)
{
	if (mps >= 2 && pages % mps == 1)
		return pages - 1;
	return pages;
}

static int wait_for_merge(struct workload *wl)
{
	unsigned long pages = wl->opts.pages, mps, target;
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	bool tty = isatty(STDERR_FILENO) && !wl->opts.quiet;
	double start = now_seconds(), last = 0, elapsed;
	struct ksm_counters c;
	long merged = -1;
	bool done;
	int err;

	mps = wl->ksm_before.max_page_sharing ? wl->ksm_before.max_page_sharing : 256;
	wl->expected_sharing = pages - (pages + mps - 1) / mps;
	target = mergeable_target(pages, mps);
	for (;;) {
		if ((err = ksm_counters_read(&c)))
			return err;
		merged = ksm_merging_pages();
		elapsed = now_seconds() - start;
		if (merged >= 0)
			done = (unsigned long)merged >= target;
		else
			done = c.pages_sharing >= wl->ksm_before.pages_sharing +
						  wl->expected_sharing;
		if (!wl->opts.quiet && (done || elapsed - last >=
				(tty ? PROGRESS_TTY_MS / 1000.0 : PROGRESS_LOG_S))) {
			progress(wl, &c, merged, elapsed, tty, done);
			last = elapsed;
		}
		if (done)
			break;
		if (stop_requested) {
			if (tty)
				fputc('\n', stderr);
			return wl_fail(WL_ERR_INTERRUPTED, "interrupted while waiting "
				       "for KSM to merge");
		}
		if (elapsed >= wl->opts.merge_timeout) {
			if (tty)
				fputc('\n', stderr);
			return wl_fail(WL_ERR_MERGE_TIMEOUT, "KSM merged %ld of %lu pages "
				       "(pages_sharing +%lu of %lu expected, %lu full scans) "
				       "in %u s: raise --merge-timeout or lower --pages, and "
				       "check that nothing else changes /sys/kernel/mm/ksm",
				       merged, pages,
				       c.pages_sharing - wl->ksm_before.pages_sharing,
				       wl->expected_sharing,
				       c.full_scans - wl->ksm_before.full_scans,
				       wl->opts.merge_timeout);
		}
		nanosleep(&tick, NULL);
	}
	wl->ksm_merged = c;
	wl->merged_pages = merged >= 0 ? (unsigned long)merged :
			   c.pages_sharing - wl->ksm_before.pages_sharing;
	wl->merge_seconds = elapsed;
	return 0;
}

int workload_setup(struct workload *wl, const struct workload_opts *o)
{
	int k, err;

	memset(wl, 0, sizeof(*wl));
	for (k = 0; k < WL_NR_KINDS; k++)
		wl->map[k].fd = -1;
	wl->opts = *o;
	wl->page_size = (size_t)sysconf(_SC_PAGESIZE);
	if ((err = workload_check_env(o)))
		return err;
	if (o->kinds & WL_MASK(WL_KSM) && (err = ksm_counters_read(&wl->ksm_before)))
		return err;
	for (k = 0; k < WL_NR_KINDS; k++) {
		if (!(o->kinds & WL_MASK(k)))
			continue;
		if ((err = map_one(wl, k)))
			goto fail;
	}
	if (o->kinds & WL_MASK(WL_KSM)) {
		if ((err = ksm_knobs_speed_up(KSM_PAGES_TO_SCAN, KSM_SLEEP_MS)))
			goto fail;
		test_hook_pause("merge");
		if ((err = wait_for_merge(wl)))
			goto fail;
		/* merged: stop ksmd, the pages stay merged and it cannot race */
		if ((err = ksm_knobs_pause()))
			goto fail;
	}
	return 0;
fail:
	workload_teardown(wl);
	return err;
}

void workload_teardown(struct workload *wl)
{
	int k;

	for (k = 0; k < WL_NR_KINDS; k++) {
		struct workload_map *m = &wl->map[k];

		if (m->addr)
			munmap(m->addr, m->pages * wl->page_size);
		m->addr = NULL;
		if (m->fd >= 0)
			close(m->fd);
		m->fd = -1;
	}
	free(wl->hits);
	wl->hits = NULL;
	wl->nr_hits = 0;
	ksm_knobs_restore();
}
