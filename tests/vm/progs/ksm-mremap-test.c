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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "ksm_prog.h"
#include "workload.h"

#define PAGES		32
#define HALF		(PAGES / 2)
#define FILL		0x5a

static size_t psize;
static struct ksm_prog prog = { .name = "ksm-mremap-test", .timeout_s = 60 };

/* The n consecutive pages at p, for ksm_prog_same_pfn(). */
static char **page_list(char *p, int n)
{
	static char *pages[PAGES];
	int i;

	for (i = 0; i < n; i++)
		pages[i] = p + i * psize;
	return pages;
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
			prog.timeout_s = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, KSM_PROG_ENV);
		}
	}
	psize = (size_t)sysconf(_SC_PAGESIZE);
	/* what rmapstat's KSM workload with --trigger migrate needs */
	rs_workload_opts_init(&need);
	need.trigger = WL_TRIGGER_MIGRATE;
	if (rs_workload_check_env(&need, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	rs_cleanup_on_signals();

	if (rs_ksm_knobs_speed_up(1000, 1, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	/* the counters below are system-wide: nobody else may use KSM */
	if (ksm_prog_wait_merged(&prog, "other KSM users to go", 0, 0, 0, NULL, 0) < 0)
		return ksm_prog_env_error(&prog, "KSM counters are not 0: other KSM users on this system");

	base = mmap(NULL, PAGES * psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return ksm_prog_env_error(&prog, "mmap failed");
	if (madvise(base, PAGES * psize, MADV_NOHUGEPAGE) < 0 && errno != EINVAL)
		return ksm_prog_env_error(&prog, "madvise(MADV_NOHUGEPAGE) failed");
	memset(base, FILL, PAGES * psize);
	if (madvise(base, PAGES * psize, MADV_MERGEABLE) < 0)
		return ksm_prog_env_error(&prog, "madvise(MADV_MERGEABLE) failed: kernel lacks CONFIG_ADVISE_SYSCALLS?");
	printf("pages=%d\n", PAGES);
	printf("base=%p\n", (void *)base);
	if (premerge) {
		merge_s = ksm_prog_wait_merged(&prog, "merge of 32 pages", 1, PAGES - 1,
					       PAGES, page_list(base, PAGES), PAGES);
		if (merge_s < 0)
			return ksm_prog_env_error(&prog, "KSM did not merge the 32 pages in time (raise --timeout)");
		printf("premerge_seconds=%.2f\n", merge_s);
	}

	/* the second half onto the first: vm_pgoff keeps the old index */
	moved = mremap(base + HALF * psize, HALF * psize, HALF * psize,
		       MREMAP_MAYMOVE | MREMAP_FIXED, base);
	if (moved != base)
		return ksm_prog_env_error(&prog, "mremap(MREMAP_MAYMOVE|MREMAP_FIXED) failed");
	vmas = rs_count_vmas(moved, HALF * psize);
	printf("moved_vma=%p\n", (void *)moved);
	printf("moved_vmas=%ld\n", vmas);
	printf("index_minus_address_pages=%d\n", HALF);
	printf("old_range_vmas=%ld\n", rs_count_vmas(base + HALF * psize, HALF * psize));

	remerge_s = ksm_prog_wait_merged(&prog, "re-merge after mremap", 1, HALF - 1,
					 HALF, page_list(moved, HALF), HALF);
	if (remerge_s < 0)
		return ksm_prog_env_error(&prog, "KSM did not merge the moved pages again in time (raise --timeout)");
	printf("remerge_seconds=%.2f\n", remerge_s);

	/* a page of the moved VMA; ksmd stopped so that it cannot race the move */
	if (rs_ksm_knobs_pause(&werr) || rs_page_pfn(moved, &pfn_before, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	printf("page_index=0\n");
	printf("pfn_before=%#" PRIx64 "\n", pfn_before);
	printf("ksm_page_before=%d\n", rs_pfn_is_ksm(pfn_before));
	printf("mapcount_before=%ld\n", rs_pfn_mapcount(pfn_before));
	if (ksm_prog_migrate(&prog, moved, &hit, &err))
		return KSM_PROG_ENV;
	target = hit.target_node;
	if (rs_page_pfn(moved, &pfn_after, NULL))
		pfn_after = 0;
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
		return ksm_prog_env_failed(&prog, &werr);
	ksm_prog_wait_full_scans(&prog, 2);
	if (rs_ksm_counters_read(&c, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	merging = rs_ksm_merging_pages();
	printf("pages_shared=%lu\n", c.pages_shared);
	printf("pages_sharing=%lu\n", c.pages_sharing);
	printf("merging_pages=%ld\n", merging);
	if (c.pages_shared != 1 || c.pages_sharing != HALF - 1) {
		printf("FAIL: after the move pages_shared=%lu pages_sharing=%lu, "
		       "expected 1 and %d\n", c.pages_shared, c.pages_sharing, HALF - 1);
		pass = false;
	}
	same = ksm_prog_same_pfn(page_list(moved, HALF), HALF, &pfn_after);
	printf("pages_on_pfn_after=%d\n", same);
	if (same != HALF) {
		printf("FAIL: only %d of the %d moved pages map the migrated KSM "
		       "page %#" PRIx64 "\n", same, HALF, pfn_after);
		pass = false;
	}
	if (!ksm_prog_filled(moved, HALF * psize, FILL)) {
		printf("FAIL: the moved pages lost their contents\n");
		pass = false;
	}
	munmap(moved, HALF * psize);
	rs_ksm_knobs_restore();
	printf("%s\n", pass ? "PASS" : "FAIL");
	return pass ? KSM_PROG_PASS : KSM_PROG_FAIL;
}
