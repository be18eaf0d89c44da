// SPDX-License-Identifier: GPL-2.0-only
/*
 * Page helpers of the workloads: pfn from /proc/self/pagemap, KSM flag from
 * /proc/kpageflags, NUMA node and migration with move_pages(), the
 * page_idle bitmap, and VMAs counted in /proc/self/maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"
#include "workload_priv.h"

#define PM_PFN_MASK	((UINT64_C(1) << 55) - 1)
#define PM_PRESENT	(UINT64_C(1) << 63)
#define KPF_KSM		21
#define PAGE_IDLE_BITMAP "/sys/kernel/mm/page_idle/bitmap"

static int pread_u64(const char *path, off_t off, uint64_t *val)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, val, sizeof(*val), off);
	if (n < 0)
		err = -errno;
	else if (n != sizeof(*val))
		err = -ENODATA;
	close(fd);
	return err;
}

int rs_pagemap_entry(const void *addr, uint64_t *ent)
{
	long psize = sysconf(_SC_PAGESIZE);

	return pread_u64("/proc/self/pagemap",
			 (off_t)((uintptr_t)addr / psize) * sizeof(*ent), ent);
}

int rs_pfn_flags(uint64_t pfn, uint64_t *flags)
{
	return pread_u64("/proc/kpageflags", (off_t)(pfn * sizeof(*flags)), flags);
}

int rs_page_pfn(const void *addr, uint64_t *pfn, struct rs_error *err)
{
	uint64_t ent;
	int ret;

	ret = rs_pagemap_entry(addr, &ent);
	if (ret) {
		rs_error_status(err, RS_EXIT_WORKLOAD, "the kernel needs "
				"CONFIG_PROC_PAGE_MONITOR=y", "cannot read "
				"/proc/self/pagemap: %s", strerror(-ret));
		return -ENXIO;
	}
	if (!(ent & PM_PRESENT)) {
		rs_error_status(err, RS_EXIT_WORKLOAD, "swapped out or never touched",
				"page at %p is not present in /proc/self/pagemap", addr);
		return -ENXIO;
	}
	*pfn = ent & PM_PFN_MASK;
	if (*pfn == 0) {
		rs_error_status(err, RS_EXIT_NOT_ROOT, RS_FIX_ROOT, "/proc/self/pagemap "
				"hides page frame numbers from this user");
		return -EPERM;
	}
	return 0;
}

long rs_pfn_mapcount(uint64_t pfn)
{
	uint64_t count;
	int err;

	err = pread_u64("/proc/kpagecount", (off_t)(pfn * sizeof(count)), &count);
	return err ? err : (long)count;
}

int rs_pfn_is_ksm(uint64_t pfn)
{
	uint64_t flags;
	long count;
	int err;

	err = rs_pfn_flags(pfn, &flags);
	if (err)
		return err;
	if (!((flags >> KPF_KSM) & 1))
		return 0;
	count = rs_pfn_mapcount(pfn);
	if (count < 0)
		return (int)count;
	return count > 1;
}

int rs_other_node(int from)
{
	int n, max = numa_max_node();

	for (n = 1; n <= max + 1; n++) {
		int cand = (from + n) % (max + 1);

		if (cand != from && numa_bitmask_isbitset(numa_all_nodes_ptr, cand))
			return cand;
	}
	return -1;
}

int rs_page_node(void *addr)
{
	int status = -EFAULT;

	if (numa_move_pages(0, 1, &addr, NULL, &status, 0) < 0)
		return -errno;
	return status;
}

long rs_count_vmas(const void *addr, size_t len)
{
	uintptr_t lo = (uintptr_t)addr, hi = lo + len;
	unsigned long start, end;
	char line[512];
	long count = 0;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		if (start < hi && end > lo)
			count++;
		/* a line longer than the buffer: skip its tail */
		while (!strchr(line, '\n') && fgets(line, sizeof(line), f))
			;
	}
	fclose(f);
	return count;
}

int rs_page_idle_mark(uint64_t pfn, struct rs_error *err)
{
	uint64_t word = UINT64_C(1) << (pfn % 64);
	ssize_t n;
	int fd, ret;

	fd = open(PAGE_IDLE_BITMAP, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			rs_error_status(err, RS_EXIT_NO_PAGE_IDLE, "rebuild with it, or "
					"use --trigger migrate", "%s is missing: the kernel "
					"lacks CONFIG_IDLE_PAGE_TRACKING", PAGE_IDLE_BITMAP);
		else
			rs_error_status(err, ret == -EACCES ? RS_EXIT_NOT_ROOT :
					RS_EXIT_WORKLOAD, NULL, "cannot open %s: %s",
					PAGE_IDLE_BITMAP, strerror(-ret));
		return ret;
	}
	n = pwrite(fd, &word, sizeof(word), (off_t)(pfn / 64 * sizeof(word)));
	ret = n < 0 ? -errno : -EIO;
	close(fd);
	/*
	 * page_idle_bitmap_write() counts only whole 64-page chunks: for the
	 * last, partial chunk below max_pfn it marks the pages (the walk
	 * happens) and returns 0.
	 */
	if (n != sizeof(word) && n != 0) {
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "writing pfn %#" PRIx64
				" to %s: %s", pfn, PAGE_IDLE_BITMAP, n < 0 ?
				strerror(-ret) : "short write");
		return ret;
	}
	return 0;
}

int rs_page_migrate(void *addr, int node, int attempts, struct workload_hit *hit,
		    struct rs_error *err)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };
	int status;
	long rc = 0;

	hit->target_node = node;
	hit->moved = false;
	hit->attempts = 0;
	while (hit->attempts < attempts) {
		/* the kernel writes status only for a page it handled */
		status = -EINPROGRESS;
		hit->attempts++;
		rc = numa_move_pages(0, 1, &addr, &node, &status, MPOL_MF_MOVE_ALL);
		if (rc < 0) {
			rc = -errno;
			if (rc == -EPERM) {
				rs_error_status(err, RS_EXIT_NOT_ROOT, RS_FIX_ROOT,
						"move_pages(MPOL_MF_MOVE_ALL) needs CAP_SYS_NICE");
				return -EPERM;
			}
			if (rc == -ENOSYS) {
				rs_error_status(err, RS_EXIT_ONE_NODE, "use --trigger idle",
						"move_pages() is not implemented: the kernel "
						"lacks CONFIG_MIGRATION/CONFIG_NUMA");
				return -ENOSYS;
			}
		}
		hit->move_rc = rc;
		hit->move_status = status;
		hit->node_after = rs_page_node(addr);
		if (rc == 0 && status == node && hit->node_after == node) {
			hit->moved = true;
			return 0;
		}
		nanosleep(&pause, NULL);
	}
	if (rc < 0) {
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "move_pages() of the page "
				"at %p to node %d failed %d times: %s", addr, node,
				attempts, strerror((int)-rc));
		return (int)rc;
	}
	return 0;
}
