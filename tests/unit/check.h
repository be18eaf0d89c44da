/* SPDX-License-Identifier: GPL-2.0-only */
/* Minimal checks for the unit tests: report every failure, exit 1 at the end. */
#ifndef RS_TEST_CHECK_H
#define RS_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failures;
static int check_count;

#define CHECK(cond) do {						\
	check_count++;							\
	if (!(cond)) {							\
		check_failures++;					\
		fprintf(stderr, "%s:%d: %s: check failed: %s\n",	\
			__FILE__, __LINE__, __func__, #cond);		\
	}								\
} while (0)

/* CHECK() with a message of its own, printf-style, after the condition. */
#define CHECKF(cond, ...) do {						\
	check_count++;							\
	if (!(cond)) {							\
		check_failures++;					\
		fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, __func__); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define CHECK_EQ_U64(a, b) do {						\
	unsigned long long _a = (a), _b = (b);				\
	check_count++;							\
	if (_a != _b) {							\
		check_failures++;					\
		fprintf(stderr, "%s:%d: %s: %s == %llu, expected %s == %llu\n", \
			__FILE__, __LINE__, __func__, #a, _a, #b, _b);	\
	}								\
} while (0)

#define RUN(test) do {							\
	int _before = check_failures;					\
	test();								\
	printf("%s %s\n", check_failures == _before ? "ok  " : "FAIL", #test); \
} while (0)

/*
 * Room for one more element at the end of array (n in use, *cap allocated,
 * each size bytes): the array, moved if it had to grow. Aborts when out of
 * memory: a test cannot go on without it.
 */
static inline void *check_grow(void *array, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return array;
	*cap = *cap ? 2 * *cap : 16;
	array = realloc(array, *cap * size);
	if (!array)
		abort();
	return array;
}

static inline int check_summary(void)
{
	printf("%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
