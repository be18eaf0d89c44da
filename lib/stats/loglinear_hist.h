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

void rs_llh_init(struct rs_llh *h);
void rs_llh_free(struct rs_llh *h);
/* 0, or -1 when a new block could not be allocated (errno ENOMEM). */
int rs_llh_add(struct rs_llh *h, uint64_t value);
int rs_llh_merge(struct rs_llh *dst, const struct rs_llh *src);

/*
 * Nearest-rank quantile: the value of rank ceil(n * per100k / 100000) in
 * the sorted values (per100k: 50000 = p50, 99900 = p99.9, 100000 = max),
 * within RS_LLH_REL_ERROR. 0 when empty.
 */
uint64_t rs_llh_quantile(const struct rs_llh *h, uint32_t per100k);

/* The rank used above, shared with tests and exact computations. */
uint64_t rs_rank(uint64_t n, uint32_t per100k);

#endif
