// SPDX-License-Identifier: GPL-2.0-only
/*
 * ksm-mremap-test: migration of a KSM page whose mappings were moved by
 * mremap(). A walk that looks VMAs up by address >> PAGE_SHIFT instead of
 * the page's linear index misses them, so the page cannot be migrated.
 *
 * 32 alike pages, MADV_MERGEABLE, merged; the second half is mremap()ed
 * onto the first (MREMAP_MAYMOVE | MREMAP_FIXED). mremap unmerges the
 * moved pages and the first half goes away, leaving one VMA at the old
 * start whose vm_pgoff is still the index of the second half: every page
 * there has index == (address >> PAGE_SHIFT) + 16. KSM merges the 16 pages
 * again (pages_shared 1, pages_sharing 15); one of them is then moved to
 * the other NUMA node. PASS: it moved, and afterwards pages_shared == 1,
 * pages_sharing == 15 and the contents are intact.
 *
 * Exit: 0 PASS, 1 FAIL, 2 the scenario could not run (environment).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "workload.h"

#define PAGES		32
#define HALF		(PAGES / 2)
#define FILL		0x5a
#define EXIT_PASS	0
#define EXIT_FAIL	1
#define EXIT_ENV	2

static size_t psize;
static unsigned int timeout_s = 60;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int env_error(const char *msg)
{
	fprintf(stderr, "ksm-mremap-test: %s\n", msg);
	printf("ERROR: %s\n", msg);
	rs_ksm_knobs_restore();
	return EXIT_ENV;
}

/* env_error() with the message of a workload function's error. */
static int env_failed(const struct rs_error *err)
{
	char msg[sizeof(err->what) + sizeof(err->fix) + 4];

	snprintf(msg, sizeof(msg), err->fix[0] ? "%s (%s)" : "%s%.0s", err->what, err->fix);
	return env_error(msg);
}

/* Number of the n pages at p that map the same page frame as the first. */
static int same_pfn(const char *p, int n, uint64_t *pfn)
{
	uint64_t first, other;
	int i, same = 1;

	if (rs_page_pfn(p, &first, NULL))
		return 0;
	for (i = 1; i < n; i++)
		if (rs_page_pfn(p + i * psize, &other, NULL) == 0 && other == first)
			same++;
	if (pfn)
		*pfn = first;
	return same;
}

/*
 * Waits until the system-wide counters are shared/sharing, this process
 * has merging pages in KSM pages and, if all is set, all of its n pages map
 * one page frame; returns the seconds it took, or -1.
 */
static double wait_merged(const char *what, unsigned long shared,
			  unsigned long sharing, long merging, const char *all,
			  int n)
{
	double start = now(), last = -10;
	struct ksm_counters c;
	long m = -1;

	for (;;) {
		if (rs_ksm_counters_read(&c, NULL))
			return -1;
		m = rs_ksm_merging_pages();
		if (c.pages_shared == shared && c.pages_sharing == sharing &&
		    (m < 0 || m == merging) && (!all || same_pfn(all, n, NULL) == n))
			break;
		if (now() - start - last >= 5) {
			last = now() - start;
			fprintf(stderr, "ksm-mremap-test: %s: pages_shared %lu/%lu "
				"pages_sharing %lu/%lu merging %ld/%ld, %.0f s\n", what,
				c.pages_shared, shared, c.pages_sharing, sharing, m,
				merging, last);
		}
		if (now() - start >= timeout_s) {
			fprintf(stderr, "ksm-mremap-test: %s: timed out after %u s "
				"(pages_shared %lu pages_sharing %lu merging %ld)\n", what,
				timeout_s, c.pages_shared, c.pages_sharing, m);
			return -1;
		}
		sleep_ms(20);
	}
	return now() - start;
}

/* Lets ksmd finish n more full scans (bounded by timeout_s). */
static void wait_full_scans(unsigned long n)
{
	struct ksm_counters c;
	unsigned long first;
	double start = now();

	if (rs_ksm_counters_read(&c, NULL))
		return;
	first = c.full_scans;
	while (now() - start < timeout_s) {
		sleep_ms(20);
		if (rs_ksm_counters_read(&c, NULL) || c.full_scans >= first + n)
			return;
	}
}

static bool contents_ok(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != FILL)
			return false;
	return true;
}

/* Prints the usage to f and returns status, the exit status. */
static int usage(FILE *f, int status)
{
	fprintf(f, "usage: ksm-mremap-test [--no-premerge] [--timeout S]\n"
		"  Migrates a KSM page whose VMA mremap() moved (see the source).\n"
		"  exit 0 PASS, 1 FAIL, 2 environment error (not root, no KSM, one node)\n");
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-premerge", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct workload_hit hit = { .node_before = -1, .node_after = -1 };
	uint64_t pfn_before = 0, pfn_after = 0;
	bool premerge = true, pass = true;
	struct workload_opts need;
	struct ksm_counters c;
	struct rs_error werr;
	double merge_s, remerge_s;
	char *base, *moved;
	long vmas, merging;
	int opt, err, target, same;

	while ((opt = getopt_long(argc, argv, "nt:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			premerge = false;
			break;
		case 't':
			timeout_s = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, EXIT_ENV);
		}
	}
	psize = (size_t)sysconf(_SC_PAGESIZE);
	/* what rmapstat's KSM workload with --trigger migrate needs */
	rs_workload_opts_init(&need);
	need.trigger = WL_TRIGGER_MIGRATE;
	if (rs_workload_check_env(&need, &werr))
		return env_failed(&werr);
	rs_cleanup_on_signals();

	if (rs_ksm_knobs_speed_up(1000, 1, &werr))
		return env_failed(&werr);
	/* the counters below are system-wide: nobody else may use KSM */
	if (wait_merged("other KSM users to go", 0, 0, 0, NULL, 0) < 0)
		return env_error("KSM counters are not 0: other KSM users on this system");

	base = mmap(NULL, PAGES * psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return env_error("mmap failed");
	if (madvise(base, PAGES * psize, MADV_NOHUGEPAGE) < 0 && errno != EINVAL)
		return env_error("madvise(MADV_NOHUGEPAGE) failed");
	memset(base, FILL, PAGES * psize);
	if (madvise(base, PAGES * psize, MADV_MERGEABLE) < 0)
		return env_error("madvise(MADV_MERGEABLE) failed: kernel lacks CONFIG_ADVISE_SYSCALLS?");
	printf("pages=%d\n", PAGES);
	printf("base=%p\n", (void *)base);
	if (premerge) {
		merge_s = wait_merged("merge of 32 pages", 1, PAGES - 1, PAGES,
				      base, PAGES);
		if (merge_s < 0)
			return env_error("KSM did not merge the 32 pages in time (raise --timeout)");
		printf("premerge_seconds=%.2f\n", merge_s);
	}

	/* the second half onto the first: vm_pgoff keeps the old index */
	moved = mremap(base + HALF * psize, HALF * psize, HALF * psize,
		       MREMAP_MAYMOVE | MREMAP_FIXED, base);
	if (moved != base)
		return env_error("mremap(MREMAP_MAYMOVE|MREMAP_FIXED) failed");
	vmas = rs_count_vmas(moved, HALF * psize);
	printf("moved_vma=%p\n", (void *)moved);
	printf("moved_vmas=%ld\n", vmas);
	printf("index_minus_address_pages=%d\n", HALF);
	printf("old_range_vmas=%ld\n", rs_count_vmas(base + HALF * psize, HALF * psize));

	remerge_s = wait_merged("re-merge after mremap", 1, HALF - 1, HALF,
				moved, HALF);
	if (remerge_s < 0)
		return env_error("KSM did not merge the moved pages again in time (raise --timeout)");
	printf("remerge_seconds=%.2f\n", remerge_s);

	/* a page of the moved VMA; ksmd stopped so that it cannot race the move */
	if (rs_ksm_knobs_pause(&werr) || rs_page_pfn(moved, &pfn_before, &werr))
		return env_failed(&werr);
	hit.node_before = rs_page_node(moved);
	printf("page_index=0\n");
	printf("pfn_before=%#" PRIx64 "\n", pfn_before);
	printf("ksm_page_before=%d\n", rs_pfn_is_ksm(pfn_before));
	printf("mapcount_before=%ld\n", rs_pfn_mapcount(pfn_before));
	printf("node_before=%d\n", hit.node_before);
	if (hit.node_before < 0)
		return env_error("move_pages() cannot tell the node of the page");
	for (target = 0; target <= numa_max_node(); target++)
		if (target != hit.node_before &&
		    numa_bitmask_isbitset(numa_all_nodes_ptr, target))
			break;
	err = rs_page_migrate(moved, target, 5, &hit, &werr);
	if (err && (werr.status == RS_EXIT_NOT_ROOT || werr.status == RS_EXIT_ONE_NODE))
		return env_failed(&werr);
	if (rs_page_pfn(moved, &pfn_after, NULL))
		pfn_after = 0;
	printf("target_node=%d\n", target);
	printf("move_rc=%ld\n", hit.move_rc);
	printf("move_status=%d\n", hit.move_status);
	printf("move_attempts=%d\n", hit.attempts);
	printf("node_after=%d\n", hit.node_after);
	printf("pfn_after=%#" PRIx64 "\n", pfn_after);
	printf("ksm_page_after=%d\n", pfn_after ? rs_pfn_is_ksm(pfn_after) : -1);
	printf("mapcount_after=%ld\n", pfn_after ? rs_pfn_mapcount(pfn_after) : -1);
	if (err || !hit.moved || hit.move_status != target || hit.node_after != target) {
		printf("FAIL: the KSM page was not migrated to node %d "
		       "(move_pages rc %ld status %d%s, page on node %d, %d attempts)\n",
		       target, hit.move_rc, hit.move_status,
		       hit.move_status == -EINPROGRESS ? " = not written" : "",
		       hit.node_after, hit.attempts);
		pass = false;
	}

	/* ksmd scans again: a broken stable node would show in the counters */
	if (rs_ksm_knobs_speed_up(1000, 1, &werr))
		return env_failed(&werr);
	wait_full_scans(2);
	if (rs_ksm_counters_read(&c, &werr))
		return env_failed(&werr);
	merging = rs_ksm_merging_pages();
	printf("pages_shared=%lu\n", c.pages_shared);
	printf("pages_sharing=%lu\n", c.pages_sharing);
	printf("merging_pages=%ld\n", merging);
	if (c.pages_shared != 1 || c.pages_sharing != HALF - 1) {
		printf("FAIL: after the move pages_shared=%lu pages_sharing=%lu, "
		       "expected 1 and %d\n", c.pages_shared, c.pages_sharing, HALF - 1);
		pass = false;
	}
	same = same_pfn(moved, HALF, &pfn_after);
	printf("pages_on_pfn_after=%d\n", same);
	if (same != HALF) {
		printf("FAIL: only %d of the %d moved pages map the migrated KSM "
		       "page %#" PRIx64 "\n", same, HALF, pfn_after);
		pass = false;
	}
	if (!contents_ok(moved, HALF * psize)) {
		printf("FAIL: the moved pages lost their contents\n");
		pass = false;
	}
	munmap(moved, HALF * psize);
	rs_ksm_knobs_restore();
	printf("%s\n", pass ? "PASS" : "FAIL");
	return pass ? EXIT_PASS : EXIT_FAIL;
}
