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
	uint64_t with_counters;		/* walks with nr_visited */
	uint64_t visited;		/* sum of nr_visited */
	uint64_t with_calls;		/* of those, with nr_rmap_one (not kprobes) */
	uint64_t calls;			/* sum of nr_rmap_one */
	/* walks rs_walk_is_short() can judge: order-0 folios with mapcount and calls */
	uint64_t order0;
	uint64_t short_walks;		/* of those, nr_rmap_one < mapcount at start */
	/* events of this group that are not a paired walk, by status */
	uint64_t status[RS_WALK_STATUS_NR];
};

/**
 * rs_stats_init() - make empty statistics
 * @s: the statistics
 * @log2_div: unit divisor of the log2 histogram (rs_log2_init())
 *
 * Allocates nothing: the kept durations and the histogram blocks come
 * with the walks.
 */
void rs_stats_init(struct rs_stats *s, uint64_t log2_div);

/**
 * rs_stats_free() - free what the statistics allocated
 * @s: the statistics; rs_stats_init() again before any other use
 */
void rs_stats_free(struct rs_stats *s);

/**
 * rs_stats_add_walk() - account one walk record of any status
 * @s: the statistics
 * @w: the walk record, from the pairing engine
 *
 * A paired walk (RS_WALK_OK) adds its duration to every statistic, its
 * nr_visited to the work when its end carries it (and nr_rmap_one when it
 * carries that too: kprobe walks count only the VMAs), and counts as short
 * or not when rs_walk_is_short() can tell (@s->order0, @s->short_walks;
 * a walk it cannot judge is in neither). Any other
 * status (RS_WALK_NESTED included: its outer walk is the one measured) is
 * only counted in @s->status. Amortized O(1): the kept durations double
 * their array up to RS_STATS_EXACT_MAX and are then dropped.
 *
 * Return: 0, or -1 with errno ENOMEM; the walk is then not accounted,
 * except possibly in the log-linear histogram.
 */
int rs_stats_add_walk(struct rs_stats *s, const struct rs_walk *w);

/**
 * rs_stats_add_ns() - account one duration that is no walk
 * @s: the statistics
 * @ns: the duration, e.g. of a lock wait or of a victim's operation
 *
 * Adds @ns to count, min, max, total, mean, the percentiles and the
 * histograms as rs_stats_add_walk() adds a paired walk's duration; the
 * work and status counters stay as they are.
 *
 * Return: 0, or -1 with errno ENOMEM; as for rs_stats_add_walk().
 */
int rs_stats_add_ns(struct rs_stats *s, uint64_t ns);

/**
 * rs_stats_stddev() - the standard deviation of the durations
 * @s: the statistics
 *
 * Return: the sample standard deviation (divided by n - 1) in ns, or 0
 * below two paired walks.
 */
double rs_stats_stddev(const struct rs_stats *s);

/**
 * rs_stats_pct() - a percentile of the durations
 * @s: the statistics; not const, the kept durations are sorted in place
 * @p: the percentile, below RS_NR_PCT
 *
 * Nearest rank (rs_rank()): exact while rs_stats_pct_exact(), the kept
 * durations being sorted on the first call after a change (O(n log n),
 * n <= RS_STATS_EXACT_MAX); else from the log-linear histogram, within
 * RS_LLH_REL_ERROR and clamped to [min, max] (which only brings it
 * closer).
 *
 * Return: the percentile in ns, or 0 when there is no paired walk.
 */
uint64_t rs_stats_pct(struct rs_stats *s, enum rs_pct p);

/**
 * rs_stats_sortable() - statistics of a const report, for rs_stats_pct()
 * @s: the statistics
 *
 * A percentile sorts the durations the statistics keep, which changes no
 * value: the output layer, which is given a const report, reads its
 * percentiles through this.
 *
 * Return: @s.
 */
static inline struct rs_stats *rs_stats_sortable(const struct rs_stats *s)
{
	return (struct rs_stats *)s;
}

/**
 * rs_stats_pct_exact() - are the percentiles exact?
 * @s: the statistics
 *
 * Return: 1 when rs_stats_pct() picks from the kept durations (at least
 * one paired walk and no more than RS_STATS_EXACT_MAX), 0 when it uses
 * the histogram or there is no paired walk.
 */
int rs_stats_pct_exact(const struct rs_stats *s);

/**
 * rs_stats_unmatched() - the records of the group that could not be paired
 * @s: the statistics
 *
 * Return: the records that could not be paired: no_end + superseded +
 * no_start + lost (nested walks are paired and not counted).
 */
uint64_t rs_stats_unmatched(const struct rs_stats *s);

#endif
