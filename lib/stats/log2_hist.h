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

/**
 * rs_log2_init() - make an empty histogram
 * @h: the histogram; nothing is allocated, there is nothing to free
 * @div: unit divisor of the values added (1 ns, 1000 us, 1000000 ms); 0
 *	is taken as 1
 */
void rs_log2_init(struct rs_log2_hist *h, uint64_t div);

/**
 * rs_log2_add() - count one value
 * @h: the histogram
 * @value: the value, divided by the histogram's divisor (rounded down)
 *	before it is put in its slot
 */
void rs_log2_add(struct rs_log2_hist *h, uint64_t value);

/**
 * rs_log2_low() - the lowest value of a slot
 * @i: the slot, below RS_LOG2_SLOTS
 *
 * Return: the lowest value slot @i holds, in divided units: 0 for slot 0,
 * 2^@i above.
 */
uint64_t rs_log2_low(unsigned int i);

/**
 * rs_log2_high() - the highest value of a slot
 * @i: the slot
 *
 * Return: the highest value slot @i holds, in divided units: 1 for slot 0,
 * 2^(@i + 1) - 1 above; UINT64_MAX for the last slot (and beyond).
 */
uint64_t rs_log2_high(unsigned int i);

/**
 * rs_log2_last() - the last slot with a count
 * @h: the histogram
 *
 * The display prints the slots up to this one.
 *
 * Return: the index of the last slot with a count, or -1 when @h is empty.
 */
int rs_log2_last(const struct rs_log2_hist *h);

#endif
