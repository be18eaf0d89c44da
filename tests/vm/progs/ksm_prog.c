// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shared parts of the KSM scenario programs (ksm_prog.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ksm_prog.h"
#include "workload.h"

double ksm_prog_now(void)
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

int ksm_prog_env_error(const struct ksm_prog *p, const char *msg)
{
	fprintf(stderr, "%s: %s\n", p->name, msg);
	printf("ERROR: %s\n", msg);
	rs_ksm_knobs_restore();
	return KSM_PROG_ENV;
}

int ksm_prog_env_failed(const struct ksm_prog *p, const struct rs_error *err)
{
	char msg[sizeof(err->what) + sizeof(err->fix) + 4];

	snprintf(msg, sizeof(msg), err->fix[0] ? "%s (%s)" : "%s%.0s", err->what, err->fix);
	return ksm_prog_env_error(p, msg);
}

bool ksm_prog_filled(const char *p, size_t len, char byte)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != byte)
			return false;
	return true;
}

int ksm_prog_migrate(const struct ksm_prog *p, void *addr,
		     struct workload_hit *hit, int *err)
{
	struct rs_error werr;
	int target;

	hit->node_before = rs_page_node(addr);
	printf("node_before=%d\n", hit->node_before);
	if (hit->node_before < 0)
		return ksm_prog_env_error(p, "move_pages() cannot tell the node of the page");
	target = rs_other_node(hit->node_before);
	if (target < 0)
		return ksm_prog_env_error(p, "no other NUMA node with memory");
	*err = rs_page_migrate(addr, target, 5, hit, &werr);
	if (*err && (werr.status == RS_EXIT_NOT_ROOT || werr.status == RS_EXIT_ONE_NODE))
		return ksm_prog_env_failed(p, &werr);
	printf("target_node=%d\n", hit->target_node);
	printf("move_rc=%ld\n", hit->move_rc);
	printf("move_status=%d\n", hit->move_status);
	printf("move_attempts=%d\n", hit->attempts);
	printf("node_after=%d\n", hit->node_after);
	return 0;
}

int ksm_prog_same_pfn(char *const *pages, int n, uint64_t *pfn)
{
	uint64_t first, other;
	int i, same = 1;

	if (rs_page_pfn(pages[0], &first, NULL))
		return 0;
	for (i = 1; i < n; i++)
		if (rs_page_pfn(pages[i], &other, NULL) == 0 && other == first)
			same++;
	if (pfn)
		*pfn = first;
	return same;
}

double ksm_prog_wait_merged(const struct ksm_prog *p, const char *what,
			    unsigned long shared, unsigned long sharing,
			    long merging, char *const *pages, int n)
{
	double start = ksm_prog_now(), last = -10;
	struct ksm_counters c;
	long m = -1;

	for (;;) {
		if (rs_ksm_counters_read(&c, NULL))
			return -1;
		m = rs_ksm_merging_pages();
		if (c.pages_shared == shared && c.pages_sharing == sharing &&
		    (m < 0 || m == merging) &&
		    (!pages || ksm_prog_same_pfn(pages, n, NULL) == n))
			break;
		if (ksm_prog_now() - start - last >= 5) {
			last = ksm_prog_now() - start;
			fprintf(stderr, "%s: %s: pages_shared %lu/%lu pages_sharing "
				"%lu/%lu merging %ld/%ld, %.0f s\n", p->name, what,
				c.pages_shared, shared, c.pages_sharing, sharing, m,
				merging, last);
		}
		if (ksm_prog_now() - start >= p->timeout_s) {
			fprintf(stderr, "%s: %s: timed out after %u s (pages_shared "
				"%lu pages_sharing %lu merging %ld)\n", p->name, what,
				p->timeout_s, c.pages_shared, c.pages_sharing, m);
			return -1;
		}
		sleep_ms(20);
	}
	return ksm_prog_now() - start;
}

void ksm_prog_wait_full_scans(const struct ksm_prog *p, unsigned long n)
{
	struct ksm_counters c;
	unsigned long first;
	double start = ksm_prog_now();

	if (rs_ksm_counters_read(&c, NULL))
		return;
	first = c.full_scans;
	while (ksm_prog_now() - start < p->timeout_s) {
		sleep_ms(20);
		if (rs_ksm_counters_read(&c, NULL) || c.full_scans >= first + n)
			return;
	}
}
