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

int wl_page_pfn(const void *addr, uint64_t *pfn)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t ent;
	int err;

	err = pread_u64("/proc/self/pagemap",
			(off_t)((uintptr_t)addr / psize) * sizeof(ent), &ent);
	if (err)
		return wl_fail(WL_ERR_NO_PFN, "cannot read /proc/self/pagemap: %s "
			       "(the kernel needs CONFIG_PROC_PAGE_MONITOR=y)",
			       strerror(-err));
	if (!(ent & PM_PRESENT))
		return wl_fail(WL_ERR_NO_PFN, "page at %p is not present in "
			       "/proc/self/pagemap (swapped out or never touched)",
			       addr);
	*pfn = ent & PM_PFN_MASK;
	if (*pfn == 0)
		return wl_fail(WL_ERR_NOT_ROOT, "/proc/self/pagemap hides page "
			       "frame numbers from this user: run as root");
	return 0;
}

long wl_pfn_mapcount(uint64_t pfn)
{
	uint64_t count;
	int err;

	err = pread_u64("/proc/kpagecount", (off_t)(pfn * sizeof(count)), &count);
	return err ? err : (long)count;
}

int wl_pfn_is_ksm(uint64_t pfn)
{
	uint64_t flags;
	long count;
	int err;

	err = pread_u64("/proc/kpageflags", (off_t)(pfn * sizeof(flags)), &flags);
	if (err)
		return err;
	if (!((flags >> KPF_KSM) & 1))
		return 0;
	count = wl_pfn_mapcount(pfn);
	if (count < 0)
		return (int)count;
	return count > 1;
}

int wl_page_node(void *addr)
{
	int status = -EFAULT;

	if (numa_move_pages(0, 1, &addr, NULL, &status, 0) < 0)
		return -errno;
	return status;
}

long wl_count_vmas(const void *addr, size_t len)
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

int wl_page_idle_mark(uint64_t pfn)
{
	uint64_t word = UINT64_C(1) << (pfn % 64);
	ssize_t n;
	int fd;

	fd = open(PAGE_IDLE_BITMAP, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return wl_fail(WL_ERR_NO_PAGE_IDLE, "%s is missing: the kernel "
				       "lacks CONFIG_IDLE_PAGE_TRACKING (rebuild with it, "
				       "or use --trigger migrate)", PAGE_IDLE_BITMAP);
		return wl_fail(errno == EACCES ? WL_ERR_NOT_ROOT : WL_ERR_SYSTEM,
			       "cannot open %s: %s", PAGE_IDLE_BITMAP, strerror(errno));
	}
	n = pwrite(fd, &word, sizeof(word), (off_t)(pfn / 64 * sizeof(word)));
	close(fd);
	/*
	 * page_idle_bitmap_write() counts only whole 64-page chunks: for the
	 * last, partial chunk below max_pfn it marks the pages (the walk
	 * happens) and returns 0.
	 */
	if (n != sizeof(word) && n != 0)
		return wl_fail(WL_ERR_SYSTEM, "writing pfn %#" PRIx64 " to %s: %s",
			       pfn, PAGE_IDLE_BITMAP, n < 0 ? strerror(errno) :
			       "short write");
	return 0;
}

int wl_page_migrate(void *addr, int node, int attempts, struct workload_hit *hit)
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
			if (rc == -EPERM)
				return wl_fail(WL_ERR_NOT_ROOT, "move_pages(MPOL_MF_MOVE_ALL) "
					       "needs CAP_SYS_NICE: run as root");
			if (rc == -ENOSYS)
				return wl_fail(WL_ERR_ONE_NODE, "move_pages() is not "
					       "implemented: the kernel lacks "
					       "CONFIG_MIGRATION/CONFIG_NUMA (use --trigger idle)");
		}
		hit->move_rc = rc;
		hit->move_status = status;
		hit->node_after = wl_page_node(addr);
		if (rc == 0 && status == node && hit->node_after == node) {
			hit->moved = true;
			return 0;
		}
		nanosleep(&pause, NULL);
	}
	if (rc < 0)
		return wl_fail(WL_ERR_MIGRATE, "move_pages() of the page at %p to "
			       "node %d failed %d times: %s", addr, node, attempts,
			       strerror((int)-rc));
	return 0;
}
