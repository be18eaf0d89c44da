// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "log2_hist.h"

void rs_log2_init(struct rs_log2_hist *h, uint64_t div)
{
	memset(h, 0, sizeof(*h));
	h->div = div ? div : 1;
}

void rs_log2_add(struct rs_log2_hist *h, uint64_t value)
{
	uint64_t v = value / h->div;

	h->slot[v < 2 ? 0 : 63 - __builtin_clzll(v)]++;
}

uint64_t rs_log2_low(unsigned int i)
{
	return i ? 1ULL << i : 0;
}

uint64_t rs_log2_high(unsigned int i)
{
	if (!i)
		return 1;
	return i >= 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1;
}

int rs_log2_last(const struct rs_log2_hist *h)
{
	int i;

	for (i = RS_LOG2_SLOTS - 1; i >= 0; i--)
		if (h->slot[i])
			return i;
	return -1;
}
