/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A log-linear histogram of unsigned 64-bit values (HdrHistogram-like):
 * values below 2^(RS_LLH_SUB_BITS + 1) have a bucket each; above, every
 * power-of-two range [2^e, 2^(e+1)) is cut into 2^RS_LLH_SUB_BITS equal
 * buckets. A bucket [low, low + width) with width = 2^(e - SUB_BITS) is
 * reported as its midpoint, so for any value v in it
 *
 *	|reported - v| < width / 2 <= v / 2^(SUB_BITS + 1) = v / 128
 *
 * i.e. a relative error below RS_LLH_REL_ERROR = 1/128 = 0.78125 %.
 * Memory is bounded and independent of the number of values: 128 exact
 * counters plus, per power of two actually used, 64 counters (at most 57
 * blocks of 512 bytes for the full 64-bit range).
 */
#ifndef RS_LOGLINEAR_HIST_H
#define RS_LOGLINEAR_HIST_H

#include <stdint.h>

#define RS_LLH_SUB_BITS		6
#define RS_LLH_SUB		(1U << RS_LLH_SUB_BITS)		/* 64 */
#define RS_LLH_EXACT		(2U * RS_LLH_SUB)		/* 128 */
#define RS_LLH_FIRST_EXP	(RS_LLH_SUB_BITS + 1)		/* 7 */
#define RS_LLH_NR_EXP		(64 - RS_LLH_FIRST_EXP)		/* 57 */
#define RS_LLH_REL_ERROR	(1.0 / RS_LLH_EXACT)		/* 0.0078125 */

struct rs_llh {
	uint64_t count;
	uint64_t exact[RS_LLH_EXACT];
	uint64_t *block[RS_LLH_NR_EXP];	/* RS_LLH_SUB counters, on demand */
};

/**
 * rs_llh_init() - make an empty histogram
 * @h: the histogram
 *
 * Allocates nothing: the blocks come with the first value of their power
 * of two.
 */
void rs_llh_init(struct rs_llh *h);

/**
 * rs_llh_free() - free the blocks of a histogram
 * @h: the histogram, left empty and ready for use again
 */
void rs_llh_free(struct rs_llh *h);

/**
 * rs_llh_add() - count one value
 * @h: the histogram
 * @value: the value
 *
 * O(1); the first value of a power of two at or above RS_LLH_EXACT
 * allocates its block.
 *
 * Return: 0, or -1 with errno ENOMEM when the block could not be
 * allocated (the value is then not counted).
 */
int rs_llh_add(struct rs_llh *h, uint64_t value);

/**
 * rs_llh_quantile() - a nearest-rank quantile of the values
 * @h: the histogram
 * @per100k: the quantile in 1/1000 of a percent: 50000 = p50,
 *	99900 = p99.9, 100000 = max
 *
 * The value of rank rs_rank(n, @per100k) = ceil(n * @per100k / 100000) in
 * the sorted values. Values below RS_LLH_EXACT are exact; above, the
 * midpoint of the bucket is returned, within RS_LLH_REL_ERROR of the true
 * value. Scans the buckets in order: bounded by RS_LLH_EXACT +
 * RS_LLH_NR_EXP * RS_LLH_SUB steps, whatever the number of values.
 *
 * Return: the quantile, or 0 when @h is empty.
 */
uint64_t rs_llh_quantile(const struct rs_llh *h, uint32_t per100k);

/**
 * rs_rank() - the nearest rank of a quantile
 * @n: the number of values
 * @per100k: the quantile in 1/1000 of a percent, as for rs_llh_quantile()
 *
 * ceil(@n * @per100k / 100000), computed without overflow for any @n.
 * Shared by rs_llh_quantile(), the exact percentiles of stats.h and the
 * tests, so that they all pick the same value.
 *
 * Return: the rank, from 1 to @n (clamped to these bounds); 0 when @n is 0.
 */
uint64_t rs_rank(uint64_t n, uint32_t per100k);

#endif
