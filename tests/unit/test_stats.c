// SPDX-License-Identifier: GPL-2.0-only
/*
 * Percentiles of the log-linear histogram against an exact sort of the
 * same random data: every reported percentile must lie within the stated
 * relative error (RS_LLH_REL_ERROR = 1/128) of the exact nearest-rank
 * value. Also min, max, mean and stddev (exact), merging, the rank
 * definition and the log2 display histogram.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "log2_hist.h"
#include "loglinear_hist.h"
#include "stats.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static double unit_rand(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ceil(n * per100k / 100000), at least 1: computed independently */
static uint64_t exact_rank(uint64_t n, uint32_t per100k)
{
	unsigned __int128 r = ((unsigned __int128)n * per100k + 99999) / 100000;

	return r < 1 ? 1 : (uint64_t)r;
}

static struct rs_walk walk_of(uint64_t ns)
{
	struct rs_walk w;

	memset(&w, 0, sizeof(w));
	w.status = RS_WALK_OK;
	w.start.ts = 1;
	w.end.ts = 1 + ns;
	w.duration_ns = ns;
	return w;
}

static const uint32_t per100k[] = { 1, 25000, 50000, 90000, 99000, 99900, 99990, 100000 };

/* Checks one data set; v is sorted in place. */
static void check_set(const char *name, uint64_t *v, size_t n)
{
	struct rs_stats s;
	double mean = 0, m2 = 0, worst = 0;
	size_t i, k;

	rs_stats_init(&s, 1);
	for (i = 0; i < n; i++) {
		struct rs_walk w = walk_of(v[i]);

		CHECK(rs_stats_add_walk(&s, &w) == 0);
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	for (k = 0; k < sizeof(per100k) / sizeof(per100k[0]); k++) {
		uint64_t exact = v[exact_rank(n, per100k[k]) - 1];
		uint64_t got = rs_llh_quantile(&s.llh, per100k[k]);
		double err = exact ? fabs((double)got - (double)exact) / (double)exact
				   : (double)(got != 0);

		CHECK_EQ_U64(rs_rank(n, per100k[k]), exact_rank(n, per100k[k]));
		if (err > worst)
			worst = err;
		if (err > RS_LLH_REL_ERROR) {
			check_failures++;
			fprintf(stderr, "%s: n=%zu p=%u/100000: histogram %llu, exact %llu, error %.5f%% > %.5f%%\n",
				name, n, per100k[k], (unsigned long long)got,
				(unsigned long long)exact, err * 100, RS_LLH_REL_ERROR * 100);
		}
		check_count++;
	}
	/*
	 * The reported percentiles: exact up to RS_STATS_EXACT_MAX walks,
	 * beyond from the histogram, clamped to [min, max], within the bound.
	 */
	CHECK(rs_stats_pct_exact(&s) == (n <= RS_STATS_EXACT_MAX));
	for (k = 0; k < RS_NR_PCT; k++) {
		uint64_t exact = v[exact_rank(n, rs_pct_per100k[k]) - 1];
		uint64_t got = rs_stats_pct(&s, k);

		CHECK(got >= v[0] && got <= v[n - 1]);
		if (n <= RS_STATS_EXACT_MAX)
			CHECK_EQ_U64(got, exact);
		else
			CHECK(fabs((double)got - (double)exact) <= (double)exact * RS_LLH_REL_ERROR);
	}
	CHECK_EQ_U64(s.count, n);
	CHECK_EQ_U64(s.min, v[0]);
	CHECK_EQ_U64(s.max, v[n - 1]);
	CHECK_EQ_U64(rs_stats_pct(&s, RS_P50) <= s.max, 1);
	for (i = 0; i < n; i++) {
		double d = (double)v[i] - mean;

		mean += d / (double)(i + 1);
		m2 += d * ((double)v[i] - mean);
	}
	CHECK(fabs(s.mean - mean) <= 1e-9 * (mean + 1));
	if (n > 1)
		CHECK(fabs(rs_stats_stddev(&s) - sqrt(m2 / (double)(n - 1))) <=
		      1e-6 * (sqrt(m2 / (double)(n - 1)) + 1));
	else
		CHECK(rs_stats_stddev(&s) == 0);
	printf("  %-22s n=%-7zu worst relative error %.4f%% (bound %.4f%%)\n",
	       name, n, worst * 100, RS_LLH_REL_ERROR * 100);
	rs_stats_free(&s);
}

static void test_percentiles_random(void)
{
	static const size_t sizes[] = { 1, 2, 3, 10, 999, 1024, 1025, 100000 };
	size_t si, i;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		size_t n = sizes[si];
		uint64_t *v = malloc(n * sizeof(*v));

		for (i = 0; i < n; i++)
			v[i] = rnd() % 1000000000ULL;
		check_set("uniform 0..1s", v, n);
		for (i = 0; i < n; i++)
			v[i] = (uint64_t)exp(7.0 + 6.0 * unit_rand() + 2.0 * unit_rand());
		check_set("log-spread 1us..1s", v, n);
		for (i = 0; i < n; i++)
			v[i] = rnd() % 300;
		check_set("small 0..299 ns", v, n);
		for (i = 0; i < n; i++)
			v[i] = (rnd() >> (rnd() % 64));
		check_set("full 64-bit range", v, n);
		free(v);
	}
}

/* Values on and next to the bucket edges, and a constant. */
static void test_percentiles_edges(void)
{
	uint64_t v[64 * 3 + 8];
	size_t n = 0;
	int e;

	for (e = 1; e < 64; e++) {
		v[n++] = (1ULL << e) - 1;
		v[n++] = 1ULL << e;
		v[n++] = (1ULL << e) + 1;
	}
	v[n++] = UINT64_MAX;
	v[n++] = 0;
	check_set("power-of-two edges", v, n);
	for (n = 0; n < 50; n++)
		v[n] = 404123456;
	check_set("constant", v, 50);
}

/* Below 128 ns every value has its own bucket: exact. */
static void test_exact_small(void)
{
	struct rs_llh h;
	uint64_t i;

	rs_llh_init(&h);
	for (i = 0; i < 128; i++)
		rs_llh_add(&h, i);
	for (i = 1; i <= 128; i++)
		CHECK_EQ_U64(rs_llh_quantile(&h, (uint32_t)(i * 100000 / 128)), i - 1);
	rs_llh_free(&h);
	rs_llh_init(&h);
	CHECK_EQ_U64(rs_llh_quantile(&h, 50000), 0);
	rs_llh_free(&h);
}

/* Only paired walks have durations; the rest is counted by status. */
static void test_status_counts(void)
{
	struct rs_stats s;
	struct rs_walk w = walk_of(500);

	rs_stats_init(&s, 1);
	rs_stats_add_walk(&s, &w);
	w.status = RS_WALK_NO_END;
	rs_stats_add_walk(&s, &w);
	w.status = RS_WALK_LOST;
	rs_stats_add_walk(&s, &w);
	w.status = RS_WALK_NESTED;
	rs_stats_add_walk(&s, &w);
	CHECK_EQ_U64(s.count, 1);
	CHECK_EQ_U64(rs_stats_unmatched(&s), 2);
	CHECK_EQ_U64(s.status[RS_WALK_NESTED], 1);
	rs_stats_free(&s);
}

/*
 * Short walks are counted among the walks rs_walk_is_short() can judge
 * (order0); one it cannot is neither short nor "not short".
 */
static void test_short_counts(void)
{
	struct rs_stats s;
	struct rs_walk w = walk_of(500);

	rs_stats_init(&s, 1);
	w.start.has = RS_HAS_MAPCOUNT | RS_HAS_KIND | RS_HAS_NR_PAGES;
	w.end.has = RS_HAS_VISITED | RS_HAS_CALLS;
	w.start.kind = RS_KIND_ANON;
	w.start.mapcount = 16;
	w.start.nr_pages = 16;		/* a large folio: cannot tell */
	w.end.nr_rmap_one = 1;
	rs_stats_add_walk(&s, &w);
	CHECK_EQ_U64(s.order0, 0);
	CHECK_EQ_U64(s.short_walks, 0);
	w.start.nr_pages = 1;		/* order 0, 1 call of 16: short */
	rs_stats_add_walk(&s, &w);
	w.end.nr_rmap_one = 16;		/* not short */
	rs_stats_add_walk(&s, &w);
	CHECK_EQ_U64(s.order0, 2);
	CHECK_EQ_U64(s.short_walks, 1);
	CHECK_EQ_U64(s.with_calls, 3);
	rs_stats_free(&s);
}

static void test_log2(void)
{
	struct rs_log2_hist h;

	rs_log2_init(&h, 1000);
	rs_log2_add(&h, 0);		/* 0 us */
	rs_log2_add(&h, 1999);		/* 1 us */
	rs_log2_add(&h, 2000);		/* 2 us */
	rs_log2_add(&h, 3999);		/* 3 us */
	rs_log2_add(&h, 4000);		/* 4 us */
	rs_log2_add(&h, 1000000);	/* 1000 us: [512, 1023] */
	CHECK_EQ_U64(h.slot[0], 2);
	CHECK_EQ_U64(h.slot[1], 2);
	CHECK_EQ_U64(h.slot[2], 1);
	CHECK_EQ_U64(h.slot[9], 1);
	CHECK(rs_log2_last(&h) == 9);
	CHECK_EQ_U64(rs_log2_low(9), 512);
	CHECK_EQ_U64(rs_log2_high(9), 1023);
	CHECK_EQ_U64(rs_log2_low(0), 0);
	CHECK_EQ_U64(rs_log2_high(0), 1);
}

int main(void)
{
	RUN(test_percentiles_random);
	RUN(test_percentiles_edges);
	RUN(test_exact_small);
	RUN(test_status_counts);
	RUN(test_short_counts);
	RUN(test_log2);
	return check_summary();
}
