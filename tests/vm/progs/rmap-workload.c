// SPDX-License-Identifier: GPL-2.0-only
/*
 * rmap-workload: the guest driver of the VM tests over workload/workload.c.
 * Sets up a workload, fires the trigger and prints key=value lines.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "workload.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: rmap-workload [--workload ksm|anon|file|all] [--pages N] [--split|--no-split]\n"
"                     [--trigger migrate|idle|none] [--repeat N] [--page-index I]\n"
"                     [--merge-timeout S] [--dir DIR] [--quiet]\n"
"\n"
"Maps N pages per workload (default %lu), splits every other page with\n"
"mprotect (default), merges the ksm mapping with KSM, then triggers an rmap\n"
"walk on page I (default N/2) and prints key=value results on stdout.\n"
"The first mapping's values are printed without prefix, every mapping's with\n"
"its kind as prefix (ksm_vmas=...), every trigger as hitK_... lines.\n"
"KSM knobs are restored on exit, also on SIGINT/SIGTERM.\n"
"\n"
"exit status: 0 ok, 1 usage, 2 not root, 3 no KSM, 4 no page_idle,\n"
"5 one NUMA node, 6 KSM merge timeout, 7 no pfn, 8 move_pages failed,\n"
"9 interrupted, 10 other system error\n", WL_DEFAULT_PAGES);
}

/* The exit statuses of the usage text. */
enum {
	EXIT_USAGE = 1, EXIT_NOT_ROOT, EXIT_NO_KSM, EXIT_NO_PAGE_IDLE, EXIT_ONE_NODE,
	EXIT_MERGE_TIMEOUT, EXIT_NO_PFN, EXIT_MIGRATE, EXIT_INTERRUPTED, EXIT_SYSTEM,
};

/* The exit status of a workload function that returned ret with err. */
static int exit_status(int ret, const struct rs_error *err, const struct workload_opts *o)
{
	switch (err->status) {
	case RS_EXIT_USAGE:		return EXIT_USAGE;
	case RS_EXIT_NOT_ROOT:		return EXIT_NOT_ROOT;
	case RS_EXIT_NO_KSM:		return EXIT_NO_KSM;
	case RS_EXIT_NO_PAGE_IDLE:	return EXIT_NO_PAGE_IDLE;
	case RS_EXIT_ONE_NODE:		return EXIT_ONE_NODE;
	}
	switch (ret) {
	case -EINTR:			return EXIT_INTERRUPTED;
	case -ETIMEDOUT:		return EXIT_MERGE_TIMEOUT;
	case -ENXIO:			return EXIT_NO_PFN;
	case -ENOMEM:			return EXIT_SYSTEM;
	}
	return o->trigger == WL_TRIGGER_MIGRATE ? EXIT_MIGRATE : EXIT_SYSTEM;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *val)
{
	char *end;

	*val = strtoul(s, &end, 0);
	return *s && !*end && *s != '-' && *val <= max ? 0 : -1;
}

static void print_hit(const char *prefix, const struct workload_hit *h)
{
	printf("%skind=%s\n", prefix, rs_workload_kind_name(h->kind));
	printf("%spage_index=%lu\n", prefix, h->index);
	printf("%spfn_before=%#" PRIx64 "\n", prefix, h->pfn_before);
	printf("%spfn_after=%#" PRIx64 "\n", prefix, h->pfn_after);
	printf("%sksm_page=%d\n", prefix, h->ksm);
	printf("%smapcount=%ld\n", prefix, h->mapcount);
	printf("%snode_before=%d\n", prefix, h->node_before);
	printf("%snode_after=%d\n", prefix, h->node_after);
	printf("%strigger_seconds=%.3f\n", prefix, h->seconds);
	if (h->target_node >= 0) {
		printf("%starget_node=%d\n", prefix, h->target_node);
		printf("%smove_rc=%ld\n", prefix, h->move_rc);
		printf("%smove_status=%d\n", prefix, h->move_status);
		printf("%smove_attempts=%d\n", prefix, h->attempts);
		printf("%smoved=%d\n", prefix, h->moved);
	}
}

static void print_results(const struct workload *wl)
{
	const struct workload_map *first = NULL;
	struct ksm_counters end;
	char prefix[32];
	size_t i;
	int k;

	printf("workload_pages=%lu\n", wl->opts.pages);
	printf("split=%d\n", wl->opts.split);
	printf("trigger=%s\n", rs_workload_trigger_name(wl->opts.trigger));
	for (k = 0; k < WL_NR_KINDS; k++) {
		const struct workload_map *m = &wl->map[k];

		if (!m->addr)
			continue;
		if (!first)
			first = m;
		printf("%s_pages=%lu\n", rs_workload_kind_name(k), m->pages);
		printf("%s_vmas=%lu\n", rs_workload_kind_name(k), m->vmas);
	}
	if (first) {
		printf("pages=%lu\n", first->pages);
		printf("vmas=%lu\n", first->vmas);
	}
	if (wl->map[WL_KSM].addr) {
		printf("pages_shared=%lu\n", wl->ksm_merged.pages_shared);
		printf("pages_sharing=%lu\n", wl->ksm_merged.pages_sharing);
		printf("expected_sharing=%lu\n", wl->expected_sharing);
		printf("merged_pages=%lu\n", wl->merged_pages);
		printf("max_page_sharing=%lu\n", wl->ksm_merged.max_page_sharing);
		printf("full_scans=%lu\n",
		       wl->ksm_merged.full_scans - wl->ksm_before.full_scans);
		printf("merge_seconds=%.2f\n", wl->merge_seconds);
		if (rs_ksm_counters_read(&end, NULL) == 0) {
			printf("pages_shared_end=%lu\n", end.pages_shared);
			printf("pages_sharing_end=%lu\n", end.pages_sharing);
		}
		printf("unmerged_after=%lu\n", wl->unmerged_after);
	}
	for (i = 0; i < wl->nr_hits; i++) {
		if (i == 0)
			print_hit("", &wl->hits[0]);
		snprintf(prefix, sizeof(prefix), "hit%zu_", i);
		print_hit(prefix, &wl->hits[i]);
	}
	printf("hits=%zu\n", wl->nr_hits);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "workload", required_argument, NULL, 'w' },
		{ "pages", required_argument, NULL, 'p' },
		{ "split", no_argument, NULL, 's' },
		{ "no-split", no_argument, NULL, 'S' },
		{ "trigger", required_argument, NULL, 't' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "page-index", required_argument, NULL, 'i' },
		{ "merge-timeout", required_argument, NULL, 'T' },
		{ "dir", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct workload_opts o;
	struct workload wl;
	struct rs_error werr;
	unsigned long v;
	int c, err;

	rs_workload_opts_init(&o);
	while ((c = getopt_long(argc, argv, "w:p:sSt:r:i:T:d:qh", longopts, NULL)) != -1) {
		err = 0;
		switch (c) {
		case 'w':
			err = rs_workload_parse_kinds(optarg, &o.kinds, &werr);
			break;
		case 'p':
			err = parse_ulong(optarg, 1UL << 30, &o.pages) ? -EINVAL : 0;
			break;
		case 's':
			o.split = true;
			break;
		case 'S':
			o.split = false;
			break;
		case 't':
			err = rs_workload_parse_trigger(optarg, &o.trigger, &werr);
			break;
		case 'r':
			err = parse_ulong(optarg, WL_MAX_REPEAT, &v) ? -EINVAL : 0;
			o.repeat = (unsigned int)v;
			break;
		case 'i':
			err = parse_ulong(optarg, 1UL << 30, &v) ? -EINVAL : 0;
			o.page_index = (long)v;
			break;
		case 'T':
			err = parse_ulong(optarg, 86400, &v) ? -EINVAL : 0;
			o.merge_timeout = (unsigned int)v;
			break;
		case 'd':
			o.file_dir = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
		if (err) {
			if (c == 'w' || c == 't')
				fprintf(stderr, "rmap-workload: %s (%s)\n", werr.what, werr.fix);
			else
				fprintf(stderr, "rmap-workload: bad value '%s' for -%c\n",
					optarg, c);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	rs_cleanup_on_signals();

	err = rs_workload_setup(&wl, &o, &werr);
	if (!err)
		err = rs_workload_trigger(&wl, &werr);
	rs_workload_print_hits(&wl, stderr);
	print_results(&wl);
	if (err)
		fprintf(stderr, "rmap-workload: %s%s%s%s\n", werr.what, werr.fix[0] ? " (" : "",
			werr.fix, werr.fix[0] ? ")" : "");
	rs_workload_teardown(&wl);
	fflush(stdout);
	return err ? exit_status(err, &werr, &o) : 0;
}
