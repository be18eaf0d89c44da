// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

const uint32_t rs_pct_per100k[RS_NR_PCT] = { 50000, 90000, 99000, 99900 };
const char * const rs_pct_name[RS_NR_PCT] = { "p50", "p90", "p99", "p99.9" };

#define VALUES_FIRST	16

void rs_stats_init(struct rs_stats *s, uint64_t log2_div)
{
	memset(s, 0, sizeof(*s));
	rs_llh_init(&s->llh);
	rs_log2_init(&s->log2, log2_div);
	s->values_cap = VALUES_FIRST;	/* allocated on first use */
}

void rs_stats_free(struct rs_stats *s)
{
	rs_llh_free(&s->llh);
	free(s->values);
	s->values = NULL;
}

static void drop_values(struct rs_stats *s)
{
	free(s->values);
	s->values = NULL;
	s->values_cap = 0;
}

/* Keeps value while the group is small enough; -1 on ENOMEM. */
static int keep_value(struct rs_stats *s, uint64_t ns)
{
	size_t n = s->count;	/* before this walk */

	if (!s->values_cap)
		return 0;
	if (n >= RS_STATS_EXACT_MAX) {
		drop_values(s);
		return 0;
	}
	if (!s->values || n == s->values_cap) {
		size_t cap = s->values ? s->values_cap * 2 : s->values_cap;
		uint64_t *v = realloc(s->values, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return -1;
		}
		s->values = v;
		s->values_cap = cap;
	}
	s->values[n] = ns;
	s->values_sorted = 0;
	return 0;
}

int rs_stats_add_ns(struct rs_stats *s, uint64_t ns)
{
	double delta;

	if (rs_llh_add(&s->llh, ns) || keep_value(s, ns))
		return -1;
	rs_log2_add(&s->log2, ns);
	if (!s->count || ns < s->min)
		s->min = ns;
	if (ns > s->max)
		s->max = ns;
	s->count++;
	s->total += ns;
	delta = (double)ns - s->mean;
	s->mean += delta / (double)s->count;
	s->m2 += delta * ((double)ns - s->mean);
	return 0;
}

int rs_stats_add_walk(struct rs_stats *s, const struct rs_walk *w)
{
	int is_short;

	if (w->status != RS_WALK_OK) {
		if ((unsigned int)w->status < RS_WALK_STATUS_NR)
			s->status[w->status]++;
		return 0;
	}
	if (rs_stats_add_ns(s, w->duration_ns))
		return -1;
	s->status[RS_WALK_OK]++;
	/* kprobes with --count-visits count the VMAs, not the calls */
	if (w->end.has & RS_HAS_VISITED) {
		s->with_counters++;
		s->visited += w->end.nr_visited;
		if (w->end.has & RS_HAS_CALLS) {
			s->with_calls++;
			s->calls += w->end.nr_rmap_one;
		}
	}
	is_short = rs_walk_is_short(w);
	if (is_short >= 0) {
		s->order0++;
		s->short_walks += is_short;
	}
	return 0;
}

double rs_stats_stddev(const struct rs_stats *s)
{
	if (s->count < 2)
		return 0;
	return sqrt(s->m2 / (double)(s->count - 1));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int rs_stats_pct_exact(const struct rs_stats *s)
{
	return s->count && s->values && s->values_cap;
}

uint64_t rs_stats_pct(struct rs_stats *s, enum rs_pct p)
{
	uint64_t v;

	if (!s->count)
		return 0;
	if (rs_stats_pct_exact(s)) {
		if (!s->values_sorted) {
			qsort(s->values, s->count, sizeof(*s->values), cmp_u64);
			s->values_sorted = 1;
		}
		return s->values[rs_rank(s->count, rs_pct_per100k[p]) - 1];
	}
	v = rs_llh_quantile(&s->llh, rs_pct_per100k[p]);
	if (v < s->min)
		v = s->min;
	if (v > s->max)
		v = s->max;
	return v;
}

uint64_t rs_stats_unmatched(const struct rs_stats *s)
{
	return s->status[RS_WALK_NO_END] + s->status[RS_WALK_SUPERSEDED] +
	       s->status[RS_WALK_NO_START] + s->status[RS_WALK_LOST];
}
