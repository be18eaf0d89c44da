/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Power-of-two histogram for the `--hist` display, bcc/bpftrace style:
 * slot 0 holds 0 and 1, slot k >= 1 holds [2^k, 2^(k+1) - 1]. Values are
 * divided by a unit divisor first (1 for ns, 1000 for us, 1000000 for ms).
 */
#ifndef RS_LOG2_HIST_H
#define RS_LOG2_HIST_H

#include <stdint.h>

#define RS_LOG2_SLOTS	64

struct rs_log2_hist {
	uint64_t div;
	uint64_t slot[RS_LOG2_SLOTS];
};

void rs_log2_init(struct rs_log2_hist *h, uint64_t div);
void rs_log2_add(struct rs_log2_hist *h, uint64_t value);
void rs_log2_merge(struct rs_log2_hist *dst, const struct rs_log2_hist *src);
/* Bounds of slot i in divided units. */
uint64_t rs_log2_low(unsigned int i);
uint64_t rs_log2_high(unsigned int i);
/* Index of the last slot with a count, -1 if empty. */
int rs_log2_last(const struct rs_log2_hist *h);

#endif
