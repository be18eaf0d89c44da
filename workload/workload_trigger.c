// SPDX-License-Identifier: GPL-2.0-only
/*
 * Triggers: make the kernel walk the rmap of one chosen page of each
 * workload mapping, by NUMA migration (move_pages) or by the page_idle
 * bitmap (page_idle_clear_pte_refs walks the rmap synchronously).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workload.h"
#include "workload_priv.h"

#define MIGRATE_ATTEMPTS 5


static int trigger_migrate(struct workload_hit *hit, struct rs_error *err)
{
	int target;

	hit->node_before = rs_page_node(hit->addr);
	if (hit->node_before < 0) {
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "cannot find the node of the "
				"page at %p: %s", hit->addr, strerror(-hit->node_before));
		return hit->node_before;
	}
	target = rs_other_node(hit->node_before);
	if (target < 0) {
		rs_error_status(err, RS_EXIT_ONE_NODE, "use --trigger idle", "no NUMA "
				"node other than %d has memory", hit->node_before);
		return -ENODEV;
	}
	return rs_page_migrate(hit->addr, target, MIGRATE_ATTEMPTS, hit, err);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int trigger_one(struct workload *wl, struct workload_map *m,
		       unsigned long index, struct workload_hit *hit, struct rs_error *err)
{
	double start;
	int ret, ksm;

	memset(hit, 0, sizeof(*hit));
	hit->kind = m->kind;
	hit->index = index;
	hit->addr = m->addr + index * wl->page_size;
	hit->node_before = hit->node_after = hit->target_node = -1;
	ret = rs_page_pfn(hit->addr, &hit->pfn_before, err);
	if (ret)
		return ret;
	ksm = rs_pfn_is_ksm(hit->pfn_before);
	hit->ksm = ksm > 0;
	hit->mapcount = rs_pfn_mapcount(hit->pfn_before);
	if (hit->mapcount < 0)
		hit->mapcount = -1;
	start = now_seconds();
	if (wl->opts.trigger == WL_TRIGGER_MIGRATE) {
		ret = trigger_migrate(hit, err);
	} else {
		hit->node_before = rs_page_node(hit->addr);
		ret = rs_page_idle_mark(hit->pfn_before, err);
		hit->node_after = rs_page_node(hit->addr);
	}
	hit->seconds = now_seconds() - start;
	if (ret)
		return ret;
	return rs_page_pfn(hit->addr, &hit->pfn_after, err);
}

int rs_workload_trigger(struct workload *wl, struct rs_error *err)
{
	unsigned long index;
	unsigned int r;
	size_t n = 0;
	long before;
	int k, ret;

	if (wl->opts.trigger == WL_TRIGGER_NONE)
		return 0;
	free(wl->hits);
	wl->nr_hits = 0;
	wl->hits = calloc((size_t)wl->opts.repeat * WL_NR_KINDS, sizeof(*wl->hits));
	if (!wl->hits) {
		rs_error_status(err, RS_EXIT_WORKLOAD, RS_FIX_MEMORY,
				"out of memory for %u triggers", wl->opts.repeat);
		return -ENOMEM;
	}
	before = wl->map[WL_KSM].addr ? rs_ksm_merging_pages() : -1;
	for (k = 0; k < WL_NR_KINDS; k++) {
		struct workload_map *m = &wl->map[k];

		if (!m->addr)
			continue;
		index = wl->opts.page_index >= 0 ? (unsigned long)wl->opts.page_index :
			m->pages / 2;
		for (r = 0; r < wl->opts.repeat; r++) {
			/* migrate: the same page back and forth; idle: next pages */
			unsigned long i = wl->opts.trigger == WL_TRIGGER_IDLE ?
					  (index + r) % m->pages : index;

			if (rs_workload_stopped()) {
				rs_error_status(err, RS_EXIT_SIGNAL_BASE + SIGINT, NULL,
						"interrupted after %zu of the triggers", n);
				return -EINTR;
			}
			ret = trigger_one(wl, m, i, &wl->hits[n], err);
			if (ret)
				return ret;
			wl->nr_hits = ++n;
		}
	}
	if (before >= 0) {
		long after = rs_ksm_merging_pages();

		wl->unmerged_after = after >= 0 && after < before ?
				     (unsigned long)(before - after) : 0;
	}
	return 0;
}

void rs_workload_print_hits(const struct workload *wl, FILE *f)
{
	const struct workload_hit *h;
	size_t i;

	for (i = 0; i < wl->nr_hits; i++) {
		h = &wl->hits[i];
		fprintf(f, "%s: %s page %lu pfn %#" PRIx64 " (%smapcount %ld)",
			rs_workload_trigger_name(wl->opts.trigger),
			rs_workload_kind_name(h->kind), h->index, h->pfn_before,
			h->ksm ? "KSM, " : "", h->mapcount);
		if (h->target_node < 0) {
			fprintf(f, " on node %d: marked idle in %.3f s\n",
				h->node_before, h->seconds);
			continue;
		}
		fprintf(f, " node %d -> %d: %s (move_pages rc %ld, status %d, "
			"%d attempt%s, %.3f s)", h->node_before, h->target_node,
			h->moved ? "moved" : "NOT moved", h->move_rc, h->move_status,
			h->attempts, h->attempts == 1 ? "" : "s", h->seconds);
		if (h->moved)
			fprintf(f, ", new pfn %#" PRIx64, h->pfn_after);
		fputc('\n', f);
	}
}
