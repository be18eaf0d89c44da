/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Statistics of one group of walks: count, min, max, mean and standard
 * deviation (Welford, exact), percentiles (exact while the group has at
 * most RS_STATS_EXACT_MAX walks, whose durations are kept; beyond, from the
 * log-linear histogram, error bound in loglinear_hist.h), a log2 histogram
 * for display, the work the walks did (tracepoint traces) and the events
 * of the group that could not be paired.
 */
#ifndef RS_STATS_H
#define RS_STATS_H

#include <stdint.h>

#include "log2_hist.h"
#include "loglinear_hist.h"
#include "pairing.h"

/* Up to this many walks per group, percentiles are exact. */
#define RS_STATS_EXACT_MAX	1024

/* Percentiles reported, in 1/1000 of a percent (rs_llh_quantile). */
enum rs_pct { RS_P50, RS_P90, RS_P99, RS_P999, RS_NR_PCT };
extern const uint32_t rs_pct_per100k[RS_NR_PCT];
extern const char * const rs_pct_name[RS_NR_PCT];	/* "p50" ... "p99.9" */

struct rs_stats {
	/* durations of paired walks (RS_WALK_OK), ns */
	uint64_t count;
	uint64_t min;
	uint64_t max;
	uint64_t total;
	double mean;
	double m2;			/* Welford: sum of squared deviations */
	struct rs_llh llh;
	struct rs_log2_hist log2;
	uint64_t *values;		/* the durations while count <= RS_STATS_EXACT_MAX */
	size_t values_cap;		/* 0 once there were more */
	int values_sorted;
	/* work, over the paired walks that carry the counters */
	uint64_t with_counters;
	uint64_t visited;		/* sum of nr_visited */
	uint64_t calls;			/* sum of nr_rmap_one */
	uint64_t with_mapcount;		/* walks where "short" can be decided */
	uint64_t short_walks;		/* nr_rmap_one < mapcount at start */
	/* events of this group that are not a paired walk, by status */
	uint64_t status[RS_WALK_STATUS_NR];
};

void rs_stats_init(struct rs_stats *s, uint64_t log2_div);
void rs_stats_free(struct rs_stats *s);
/* Accounts one walk record of any status; -1 on ENOMEM. */
int rs_stats_add_walk(struct rs_stats *s, const struct rs_walk *w);
int rs_stats_merge(struct rs_stats *dst, const struct rs_stats *src);

/* Sample standard deviation (n - 1), 0 below two walks. */
double rs_stats_stddev(const struct rs_stats *s);
/*
 * Nearest-rank percentile: exact while rs_stats_pct_exact(), else from the
 * histogram, clamped to [min, max] (which only brings it closer).
 */
uint64_t rs_stats_pct(struct rs_stats *s, enum rs_pct p);
int rs_stats_pct_exact(const struct rs_stats *s);
/* Events not paired: no_end + superseded + no_start + lost. */
uint64_t rs_stats_unmatched(const struct rs_stats *s);

#endif
