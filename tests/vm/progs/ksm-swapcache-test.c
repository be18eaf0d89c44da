// SPDX-License-Identifier: GPL-2.0-only
/*
 * ksm-swapcache-test: migration of a KSM page that mremap() moved while
 * its page table entry was a swap entry and the page was still in the
 * swap cache.
 *
 * mremap() unmerges the KSM pages of the range it moves (move_vma()'s
 * ksm_madvise(MADV_UNMERGEABLE)), but break_ksm() only sees present and
 * migration entries: a swap entry moves as it is. While the folio is in
 * the swap cache, the next fault maps that same KSM folio at the new
 * address (ksm_might_need_to_copy() does not copy a KSM folio that still
 * has its stable node), in a VMA whose vm_pgoff is the old index. The
 * rmap_items keep the index of the merge, so a walk that looks up only
 * that index in the anon_vma tree misses the mapping, and the page can
 * then be neither migrated nor reclaimed. A walk over [0, ULONG_MAX]
 * finds it by address.
 *
 * Three pages; X (page 0) and Z (page 2) alike, page 1 different;
 * MADV_MERGEABLE; ksmd merges X and Z into one KSM folio K, then is
 * paused so that it cannot scan in between. Then:
 *  1. vmsplice() Z into a pipe: the pipe's reference keeps K in the swap
 *     cache below (pageout() keeps a folio it could not free).
 *  2. munmap(X): K is mapped once, so MADV_PAGEOUT takes it (it leaves
 *     folios that are mapped more than once alone).
 *  3. madvise(Z, MADV_PAGEOUT): Z's PTE becomes a swap entry, K stays in
 *     the swap cache, still KSM.
 *  4. mremap(Z, X, MREMAP_MAYMOVE | MREMAP_FIXED): the swap entry moves to
 *     X, into a VMA whose vm_pgoff is Z's index.
 *  5. Read X: the fault maps K again, at X.
 *  6. Close the pipe; move_pages() X to the other NUMA node.
 * PASS: K moved, its contents intact. FAIL: it did not move.
 *
 * Needs root, KSM, two NUMA nodes and an active swap device.
 * Exit: 0 PASS, 1 FAIL, 2 the scenario could not run (environment).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cleanup.h"
#include "ksm_prog.h"
#include "workload.h"

#define FILL		0x5a
#define OTHER		0xa5
#define PM_PRESENT	(UINT64_C(1) << 63)
#define PM_SWAP		(UINT64_C(1) << 62)
#define KPF_SWAPCACHE	14
#define KPF_KSM		21

static size_t psize;
static struct ksm_prog prog = { .name = "ksm-swapcache-test", .timeout_s = 60 };

/* "present", "swap" or "none": what the page table holds for addr. */
static const char *pte_state(const void *addr)
{
	uint64_t ent;

	if (rs_pagemap_entry(addr, &ent))
		return "unknown";
	return ent & PM_PRESENT ? "present" : ent & PM_SWAP ? "swap" : "none";
}

/* Prints KEY_ksm=, KEY_swapcache= and KEY_mapcount= of pfn. */
static void print_pfn_state(const char *key, uint64_t pfn)
{
	uint64_t flags = 0;
	int ok = rs_pfn_flags(pfn, &flags) == 0;

	printf("%s_ksm=%d\n", key, ok ? (int)(flags >> KPF_KSM & 1) : -1);
	printf("%s_swapcache=%d\n", key, ok ? (int)(flags >> KPF_SWAPCACHE & 1) : -1);
	printf("%s_mapcount=%ld\n", key, rs_pfn_mapcount(pfn));
}

/* An active swap device: a header line and at least one more in /proc/swaps. */
static bool have_swap(void)
{
	char line[256];
	int lines = 0;
	FILE *f = fopen("/proc/swaps", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	return lines > 1;
}

static int usage(FILE *f, int status)
{
	fprintf(f, "usage: ksm-swapcache-test [--timeout S]\n"
		"  Migrates a KSM page that mremap() moved while it sat in the swap\n"
		"  cache (see the source). Needs root, KSM, 2 NUMA nodes, a swap device.\n"
		"  exit 0 PASS, 1 FAIL, 2 environment error\n");
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "fresh", no_argument, NULL, 'f' },
		{ "rescan", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct workload_hit hit = { .node_before = -1, .node_after = -1 };
	uint64_t pfn_k = 0, pfn_x = 0, pfn_after = 0;
	struct workload_opts need;
	struct rs_error werr;
	char *base, *x, *z, *moved;
	char *pair[2];
	struct iovec iov;
	int opt, err, target, pipefd[2];
	double merge_s;
	bool pass, fresh = false, rescan = false;

	while ((opt = getopt_long(argc, argv, "frt:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			fresh = true;
			break;
		case 'r':
			rescan = true;
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
	rs_workload_opts_init(&need);
	need.trigger = WL_TRIGGER_MIGRATE;
	if (rs_workload_check_env(&need, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	if (!have_swap())
		return ksm_prog_env_error(&prog, "no active swap device in /proc/swaps "
					  "(swapon one, e.g. zram: the VM test does)");
	rs_cleanup_on_signals();
	if (rs_ksm_knobs_speed_up(1000, 1, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	if (ksm_prog_wait_merged(&prog, "other KSM users to go", 0, 0, 0, NULL, 0) < 0)
		return ksm_prog_env_error(&prog, "KSM counters are not 0: other KSM users on this system");

	base = mmap(NULL, 3 * psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return ksm_prog_env_error(&prog, "mmap failed");
	if (madvise(base, 3 * psize, MADV_NOHUGEPAGE) < 0 && errno != EINVAL)
		return ksm_prog_env_error(&prog, "madvise(MADV_NOHUGEPAGE) failed");
	x = base;
	z = base + 2 * psize;
	memset(x, FILL, psize);
	memset(base + psize, OTHER, psize);
	memset(z, FILL, psize);
	if (madvise(base, 3 * psize, MADV_MERGEABLE) < 0)
		return ksm_prog_env_error(&prog, "madvise(MADV_MERGEABLE) failed");
	pair[0] = x;
	pair[1] = z;
	merge_s = ksm_prog_wait_merged(&prog, "merge of X and Z", 1, 1, 2, pair, 2);
	if (merge_s < 0)
		return ksm_prog_env_error(&prog, "KSM did not merge X and Z in time (raise --timeout)");
	if (rs_ksm_knobs_pause(&werr) || rs_page_pfn(z, &pfn_k, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	printf("merge_seconds=%.2f\n", merge_s);
	printf("pfn_k=%#" PRIx64 "\n", pfn_k);
	print_pfn_state("merged", pfn_k);

	/* 1. a reference the reclaim below cannot drop */
	if (pipe(pipefd) < 0)
		return ksm_prog_env_error(&prog, "pipe failed");
	iov.iov_base = z;
	iov.iov_len = psize;
	if (vmsplice(pipefd[1], &iov, 1, 0) != (ssize_t)psize)
		return ksm_prog_env_error(&prog, "vmsplice of Z into a pipe failed");

	/* 2. K mapped once */
	if (munmap(x, psize) < 0)
		return ksm_prog_env_error(&prog, "munmap of X failed");

	/* 3. Z's PTE a swap entry, K in the swap cache */
	if (madvise(z, psize, MADV_PAGEOUT) < 0)
		return ksm_prog_env_error(&prog, "madvise(MADV_PAGEOUT) failed (needs Linux 5.4+)");
	printf("z_after_pageout=%s\n", pte_state(z));
	print_pfn_state("pageout", pfn_k);
	if (strcmp(pte_state(z), "swap"))
		return ksm_prog_env_error(&prog, "MADV_PAGEOUT did not swap Z out");

	/* 4. the swap entry onto X, or with --fresh to an address no rmap_item has */
	if (fresh) {
		x = mmap(base - 1024 * psize, psize, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (x != base - 1024 * psize)
			return ksm_prog_env_error(&prog, "mmap failed");
	}
	moved = mremap(z, psize, psize, MREMAP_MAYMOVE | MREMAP_FIXED, x);
	if (moved != x)
		return ksm_prog_env_error(&prog, "mremap(MREMAP_MAYMOVE|MREMAP_FIXED) failed");
	printf("x_after_mremap=%s\n", pte_state(x));
	printf("x_pages_from_base=%ld\n", (long)(x - base) / (long)psize);
	printf("x_vmas=%ld\n", rs_count_vmas(x, psize));

	/* 5. the fault maps K back, at X */
	if (!ksm_prog_filled(x, psize, FILL)) {
		printf("FAIL: X lost its contents on the fault\n");
		return KSM_PROG_FAIL;
	}
	if (rs_page_pfn(x, &pfn_x, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	printf("pfn_x=%#" PRIx64 "\n", pfn_x);
	print_pfn_state("faulted", pfn_x);
	printf("same_folio=%d\n", pfn_x == pfn_k);

	/* with --rescan, ksmd gets two full scans to notice K at X */
	if (rescan) {
		if (rs_ksm_knobs_speed_up(1000, 1, &werr))
			return ksm_prog_env_failed(&prog, &werr);
		ksm_prog_wait_full_scans(&prog, 2);
		if (rs_ksm_knobs_pause(&werr))
			return ksm_prog_env_failed(&prog, &werr);
		printf("rescanned=1\n");
	}

	/* 6. nothing but the mapping at X holds K now */
	close(pipefd[0]);
	close(pipefd[1]);
	if (ksm_prog_migrate(&prog, x, &hit, &err))
		return KSM_PROG_ENV;
	target = hit.target_node;
	if (rs_page_pfn(x, &pfn_after, NULL))
		pfn_after = 0;
	printf("pfn_after=%#" PRIx64 "\n", pfn_after);
	pass = !err && hit.moved && hit.node_after == target;
	if (!pass)
		printf("FAIL: the page at X (pfn %#" PRIx64 ", %s) was not migrated to "
		       "node %d (move_pages rc %ld status %d, page on node %d, %d attempts)\n",
		       pfn_x, pfn_x == pfn_k ? "the KSM folio from the swap cache" :
		       "a copy", target, hit.move_rc, hit.move_status, hit.node_after,
		       hit.attempts);
	if (!ksm_prog_filled(x, psize, FILL)) {
		printf("FAIL: X lost its contents in the migration\n");
		pass = false;
	}
	munmap(base, 3 * psize);
	rs_ksm_knobs_restore();
	printf("%s\n", pass ? "PASS" : "FAIL");
	return pass ? KSM_PROG_PASS : KSM_PROG_FAIL;
}
