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

static const char *const trigger_names[WL_NR_TRIGGERS] = {
	[WL_TRIGGER_NONE] = "none", [WL_TRIGGER_MIGRATE] = "migrate",
	[WL_TRIGGER_IDLE] = "idle",
};

static volatile sig_atomic_t stop_requested;

void rs_workload_stop(void)
{
	stop_requested = 1;
}

bool rs_workload_stopped(void)
{
	return stop_requested;
}

void rs_workload_opts_init(struct workload_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->kinds = WL_MASK(WL_KSM);
	o->pages = WL_DEFAULT_PAGES;
	o->split = true;
	o->trigger = WL_TRIGGER_NONE;
	o->repeat = 1;
	o->page_index = -1;
	o->merge_timeout = WL_DEFAULT_MERGE_TIMEOUT;
	o->victim = WL_VICTIM_NONE;
	o->victim_threads = 1;
}

const char *rs_workload_kind_name(enum workload_kind kind)
{
	return kind < WL_NR_KINDS ? kind_names[kind] : "?";
}

const char *rs_workload_trigger_name(enum workload_trigger t)
{
	return t < WL_NR_TRIGGERS ? trigger_names[t] : "none";
}

int rs_workload_parse_kinds(const char *s, unsigned int *kinds, struct rs_error *err)
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
	rs_error_status(err, RS_EXIT_USAGE, "use ksm, anon, file or all (or a comma list)",
			"unknown workload '%s'", s);
	return -EINVAL;
}

int rs_workload_parse_trigger(const char *s, enum workload_trigger *t, struct rs_error *err)
{
	int i;

	for (i = 0; i < WL_NR_TRIGGERS; i++) {
		if (strcmp(s, trigger_names[i]) == 0) {
			*t = i;
			return 0;
		}
	}
	rs_error_status(err, RS_EXIT_USAGE, "use migrate, idle or none",
			"unknown trigger '%s'", s);
	return -EINVAL;
}

static int numa_nodes_with_memory(void)
{
	if (numa_available() < 0)
		return 1;
	return numa_bitmask_weight(numa_all_nodes_ptr);
}

int rs_workload_check_env(const struct workload_opts *o, struct rs_error *err)
{
	if (o->pages < 2) {
		rs_error_status(err, RS_EXIT_USAGE, NULL, "--pages must be at least 2");
		return -EINVAL;
	}
	if (o->page_index >= 0 && (unsigned long)o->page_index >= o->pages) {
		rs_error_status(err, RS_EXIT_USAGE, NULL, "page index %ld is outside "
				"the %lu pages of the mapping", o->page_index, o->pages);
		return -EINVAL;
	}
	if (o->repeat < 1 || o->repeat > WL_MAX_REPEAT) {
		rs_error_status(err, RS_EXIT_USAGE, NULL, "--repeat must be 1..%u",
				WL_MAX_REPEAT);
		return -EINVAL;
	}
	if (rs_victim_check_opts(o, err))
		return -EINVAL;
	if ((o->kinds & WL_MASK(WL_KSM) || o->trigger != WL_TRIGGER_NONE) &&
	    geteuid() != 0) {
		rs_error_status(err, RS_EXIT_NOT_ROOT, RS_FIX_ROOT, "the workloads need "
				"root (KSM knobs, pfns from /proc/self/pagemap, "
				"move_pages of shared pages)");
		return -EPERM;
	}
	if (o->kinds & WL_MASK(WL_KSM) && !rs_ksm_available()) {
		rs_error_status(err, RS_EXIT_NO_KSM, "build it with CONFIG_KSM=y, or use "
				"--workload anon|file", "/sys/kernel/mm/ksm is missing: "
				"the kernel has no KSM");
		return -ENOENT;
	}
	if (o->trigger == WL_TRIGGER_IDLE &&
	    access("/sys/kernel/mm/page_idle/bitmap", W_OK) != 0) {
		rs_error_status(err, RS_EXIT_NO_PAGE_IDLE, "rebuild with it, or use "
				"--trigger migrate", "/sys/kernel/mm/page_idle/bitmap "
				"is missing: the kernel lacks CONFIG_IDLE_PAGE_TRACKING");
		return -ENOENT;
	}
	if (o->trigger == WL_TRIGGER_MIGRATE && numa_nodes_with_memory() < 2) {
		rs_error_status(err, RS_EXIT_ONE_NODE, "use --trigger idle", "--trigger "
				"migrate needs two NUMA nodes with memory, this machine "
				"has %d", numa_nodes_with_memory());
		return -ENODEV;
	}
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A failed system call of the setup; errnum is its errno. */
static int sys_fail(const char *what, int errnum, struct rs_error *err)
{
	if (errnum == ENOMEM && strncmp(what, "mprotect", 8) == 0)
		rs_error_status(err, RS_EXIT_WORKLOAD, "raise it, or use fewer --pages "
				"or --no-split", "%s: %s: more VMAs than "
				"/proc/sys/vm/max_map_count allows", what, strerror(errnum));
	else if ((errnum == ENOSYS || errnum == EINVAL) && strncmp(what, "madvise", 7) == 0)
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "%s: %s: the kernel lacks "
				"CONFIG_ADVISE_SYSCALLS or CONFIG_KSM", what, strerror(errnum));
	else
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "%s: %s", what, strerror(errnum));
	return -errnum;
}

/* Opens an unlinked file of len bytes in dir for the file workload. */
static int open_backing_file(const char *dir, size_t len, struct rs_error *err)
{
	char path[4096];
	int fd, ret;

	if (!dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/rmapstat-workload-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		rs_error_status(err, RS_EXIT_WORKLOAD, "choose another directory",
				"cannot create a file in %s: %s", dir, strerror(-ret));
		return ret;
	}
	unlink(path);
	/* reserve the blocks now: a full tmpfs would SIGBUS on first touch */
	ret = posix_fallocate(fd, 0, (off_t)len);
	if (ret && ret != EOPNOTSUPP && ret != EINVAL) {
		close(fd);
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "cannot allocate %zu bytes "
				"in %s: %s", len, dir, strerror(ret));
		return -ret;
	}
	if (ftruncate(fd, (off_t)len) < 0) {
		ret = -errno;
		close(fd);
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "ftruncate in %s: %s", dir,
				strerror(-ret));
		return ret;
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

static int map_one(struct workload *wl, enum workload_kind kind, struct rs_error *err)
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
		fd = open_backing_file(wl->opts.file_dir, len, err);
		if (fd < 0)
			return fd;
		flags = MAP_SHARED;
	}
	m->fd = fd;
	m->addr = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (m->addr == MAP_FAILED) {
		m->addr = NULL;
		return sys_fail("mmap", errno, err);
	}
	/* order-0 pages: no THP would be split later or walked as one */
	if (kind != WL_FILE && madvise(m->addr, len, MADV_NOHUGEPAGE) < 0 &&
	    errno != EINVAL)
		return sys_fail("madvise(MADV_NOHUGEPAGE)", errno, err);
	/* touch first: all VMAs of the split then share one anon_vma */
	fill_pages(m, wl->page_size);
	if (wl->opts.split) {
		for (i = 1; i < m->pages; i += 2) {
			if (mprotect(m->addr + i * wl->page_size, wl->page_size,
				     PROT_READ) < 0) {
				snprintf(what, sizeof(what), "mprotect of %s page %lu",
					 kind_names[kind], i);
				return sys_fail(what, errno, err);
			}
		}
	}
	if (kind == WL_KSM && madvise(m->addr, len, MADV_MERGEABLE) < 0)
		return sys_fail("madvise(MADV_MERGEABLE)", errno, err);
	n = rs_count_vmas(m->addr, len);
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

static int wait_for_merge(struct workload *wl, struct rs_error *err)
{
	unsigned long pages = wl->opts.pages, mps, target;
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	bool tty = isatty(STDERR_FILENO) && !wl->opts.quiet;
	double start = now_seconds(), last = 0, elapsed;
	struct ksm_counters c;
	long merged = -1;
	bool done;
	int ret;

	mps = wl->ksm_before.max_page_sharing ? wl->ksm_before.max_page_sharing : 256;
	wl->expected_sharing = pages - (pages + mps - 1) / mps;
	target = mergeable_target(pages, mps);
	for (;;) {
		ret = rs_ksm_counters_read(&c, err);
		if (ret)
			return ret;
		merged = rs_ksm_merging_pages();
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
			rs_error_status(err, RS_EXIT_SIGNAL_BASE + SIGINT, NULL,
					"interrupted while waiting for KSM to merge");
			return -EINTR;
		}
		if (elapsed >= wl->opts.merge_timeout) {
			if (tty)
				fputc('\n', stderr);
			rs_error_status(err, RS_EXIT_WORKLOAD, "raise --merge-timeout or "
					"lower --pages, and check that nothing else changes "
					"/sys/kernel/mm/ksm", "KSM merged %ld of %lu pages "
					"(pages_sharing +%lu of %lu expected, %lu full scans) "
					"in %u s", merged, pages,
					c.pages_sharing - wl->ksm_before.pages_sharing,
					wl->expected_sharing,
					c.full_scans - wl->ksm_before.full_scans,
					wl->opts.merge_timeout);
			return -ETIMEDOUT;
		}
		nanosleep(&tick, NULL);
	}
	wl->ksm_merged = c;
	wl->merged_pages = merged >= 0 ? (unsigned long)merged :
			   c.pages_sharing - wl->ksm_before.pages_sharing;
	wl->merge_seconds = elapsed;
	return 0;
}

int rs_workload_setup(struct workload *wl, const struct workload_opts *o, struct rs_error *err)
{
	int k, ret;

	memset(wl, 0, sizeof(*wl));
	for (k = 0; k < WL_NR_KINDS; k++)
		wl->map[k].fd = -1;
	wl->opts = *o;
	wl->page_size = (size_t)sysconf(_SC_PAGESIZE);
	ret = rs_workload_check_env(o, err);
	if (ret)
		return ret;
	if (o->kinds & WL_MASK(WL_KSM)) {
		ret = rs_ksm_counters_read(&wl->ksm_before, err);
		if (ret)
			return ret;
	}
	for (k = 0; k < WL_NR_KINDS; k++) {
		if (!(o->kinds & WL_MASK(k)))
			continue;
		ret = map_one(wl, k, err);
		if (ret)
			goto fail;
	}
	if (o->kinds & WL_MASK(WL_KSM)) {
		ret = rs_ksm_knobs_speed_up(KSM_PAGES_TO_SCAN, KSM_SLEEP_MS, err);
		if (ret)
			goto fail;
		test_hook_pause("merge");
		ret = wait_for_merge(wl, err) ?:
		      /* merged: stop ksmd, the pages stay merged and it cannot race */
		      rs_ksm_knobs_pause(err);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	rs_workload_teardown(wl);
	return ret;
}

void rs_workload_teardown(struct workload *wl)
{
	int k;

	/* The threads change the mapping: they go before it. */
	rs_victim_free(wl);
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
	rs_ksm_knobs_restore();
}
