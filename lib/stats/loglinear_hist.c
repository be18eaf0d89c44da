// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "loglinear_hist.h"

void rs_llh_init(struct rs_llh *h)
{
	memset(h, 0, sizeof(*h));
}

void rs_llh_free(struct rs_llh *h)
{
	unsigned int i;

	for (i = 0; i < RS_LLH_NR_EXP; i++)
		free(h->block[i]);
	memset(h, 0, sizeof(*h));
}

static unsigned int exponent(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

static uint64_t *slot(struct rs_llh *h, uint64_t v, int alloc)
{
	unsigned int e, b;

	if (v < RS_LLH_EXACT)
		return &h->exact[v];
	e = exponent(v);
	b = e - RS_LLH_FIRST_EXP;
	if (!h->block[b]) {
		if (!alloc)
			return NULL;
		h->block[b] = calloc(RS_LLH_SUB, sizeof(uint64_t));
		if (!h->block[b])
			return NULL;
	}
	return &h->block[b][(v >> (e - RS_LLH_SUB_BITS)) & (RS_LLH_SUB - 1)];
}

int rs_llh_add(struct rs_llh *h, uint64_t value)
{
	uint64_t *c = slot(h, value, 1);

	if (!c) {
		errno = ENOMEM;
		return -1;
	}
	(*c)++;
	h->count++;
	return 0;
}

uint64_t rs_rank(uint64_t n, uint32_t per100k)
{
	uint64_t r;

	if (!n)
		return 0;
	/* ceil(n * per100k / 100000) without overflow for any n */
	r = (n / 100000) * per100k +
	    ((n % 100000) * per100k + 99999) / 100000;
	if (r < 1)
		r = 1;
	return r > n ? n : r;
}

uint64_t rs_llh_quantile(const struct rs_llh *h, uint32_t per100k)
{
	uint64_t rank = rs_rank(h->count, per100k), seen = 0;
	unsigned int i, j;

	if (!rank)
		return 0;
	for (i = 0; i < RS_LLH_EXACT; i++) {
		seen += h->exact[i];
		if (seen >= rank)
			return i;
	}
	for (i = 0; i < RS_LLH_NR_EXP; i++) {
		unsigned int e = i + RS_LLH_FIRST_EXP;
		uint64_t width = 1ULL << (e - RS_LLH_SUB_BITS);

		if (!h->block[i])
			continue;
		for (j = 0; j < RS_LLH_SUB; j++) {
			seen += h->block[i][j];
			if (seen >= rank) {
				uint64_t low = (uint64_t)(RS_LLH_SUB + j) << (e - RS_LLH_SUB_BITS);

				return low + (width - 1) / 2;
			}
		}
	}
	return 0;
}
