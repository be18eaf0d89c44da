// SPDX-License-Identifier: GPL-2.0-only
/*
 * ksm-smart-scan: what ksmd's smart scan skips after merged pages leave
 * the stable tree.
 *
 * The index series stores the page's linear index where an unstable
 * rmap_item keeps oldchecksum, age and remaining_skips, and resets it to
 * 0 when the item leaves the stable tree: such an item starts over from a
 * new item's state instead of the age it had before it was merged. This
 * measures what that changes: N pages filled alike are merged, then each
 * is written with content of its own (their COW is broken, the items
 * leave the stable tree when ksmd next sees them), and ksmd runs --scans
 * full scans. After each full scan the program prints the pages ksmd
 * skipped (/sys/kernel/mm/ksm/pages_skipped) and scanned since the write.
 *
 * Needs root, KSM with smart_scan=1 (the default since Linux 6.7).
 * Exit: 0 measured, 2 the scenario could not run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "ksm_prog.h"
#include "workload.h"

#define KSM_DIR "/sys/kernel/mm/ksm/"

static struct ksm_prog prog = { .name = "ksm-smart-scan", .timeout_s = 120 };

static long read_knob(const char *name)
{
	char path[128];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), KSM_DIR "%s", name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

static int usage(FILE *f, int status)
{
	fprintf(f, "usage: ksm-smart-scan [--pages N] [--scans N]\n"
		"  Merges N pages (default 4096), gives each its own content, and prints\n"
		"  ksmd's pages_skipped and pages_scanned after each of --scans (default\n"
		"  12) full scans. exit 0, 2 environment error\n");
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pages", required_argument, NULL, 'p' },
		{ "scans", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long pages = 4096, scans = 12, skipped0, scanned0, full0, full, i, mps, shared;
	struct workload_opts need;
	struct rs_error werr;
	size_t psize;
	char *map;
	int opt;

	while ((opt = getopt_long(argc, argv, "p:s:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			pages = strtol(optarg, NULL, 0);
			break;
		case 's':
			scans = strtol(optarg, NULL, 0);
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, KSM_PROG_ENV);
		}
	}
	if (pages < 2 || scans < 1)
		return usage(stderr, KSM_PROG_ENV);
	psize = (size_t)sysconf(_SC_PAGESIZE);
	rs_workload_opts_init(&need);
	if (rs_workload_check_env(&need, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	if (read_knob("smart_scan") != 1)
		return ksm_prog_env_error(&prog, "/sys/kernel/mm/ksm/smart_scan is not 1 "
					  "(needs Linux 6.7+ with its default)");
	rs_cleanup_on_signals();
	if (rs_ksm_knobs_speed_up(1000, 1, &werr))
		return ksm_prog_env_failed(&prog, &werr);
	if (ksm_prog_wait_merged(&prog, "other KSM users to go", 0, 0, 0, NULL, 0) < 0)
		return ksm_prog_env_error(&prog, "KSM counters are not 0: other KSM users on this system");

	map = mmap(NULL, pages * psize, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return ksm_prog_env_error(&prog, "mmap failed");
	if (madvise(map, pages * psize, MADV_NOHUGEPAGE) < 0 && errno != EINVAL)
		return ksm_prog_env_error(&prog, "madvise(MADV_NOHUGEPAGE) failed");
	memset(map, 0x5a, pages * psize);
	if (madvise(map, pages * psize, MADV_MERGEABLE) < 0)
		return ksm_prog_env_error(&prog, "madvise(MADV_MERGEABLE) failed");
	/* a KSM page takes at most max_page_sharing mappings */
	mps = read_knob("max_page_sharing");
	shared = mps > 1 ? (pages + mps - 1) / mps : 1;
	if (ksm_prog_wait_merged(&prog, "merge", shared, pages - shared, pages, NULL, 0) < 0)
		return ksm_prog_env_error(&prog, "KSM did not merge the pages in time");

	/* every page its own content: the items leave the stable tree */
	for (i = 0; i < pages; i++)
		memcpy(map + i * psize, &i, sizeof(i));
	skipped0 = read_knob("pages_skipped");
	scanned0 = read_knob("pages_scanned");
	full0 = read_knob("full_scans");
	printf("pages=%ld\n", pages);
	for (full = full0 + 1; full <= full0 + scans; full++) {
		ksm_prog_wait_full_scans(&prog, 1);
		printf("scan=%ld skipped=%ld scanned=%ld shared=%ld\n", full - full0,
		       read_knob("pages_skipped") - skipped0,
		       read_knob("pages_scanned") - scanned0,
		       read_knob("pages_shared"));
	}
	munmap(map, pages * psize);
	rs_ksm_knobs_restore();
	return 0;
}
