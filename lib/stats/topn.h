/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The N slowest walks (`--top N`): a min-heap of N entries, so memory does
 * not grow with the trace. Ties in duration keep the earlier walk.
 */
#ifndef RS_TOPN_H
#define RS_TOPN_H

#include <stddef.h>

#include "pairing.h"
#include "purpose.h"

struct rs_top_entry {
	struct rs_walk walk;
	char purpose[RS_PURPOSE_LEN];
	const char *file;		/* owned by the caller, must outlive the heap */
};

struct rs_topn {
	size_t cap;
	size_t n;
	struct rs_top_entry *heap;
};

/**
 * rs_topn_init() - make an empty heap of the slowest walks
 * @t: the heap; zeroed first, so rs_topn_free() is safe even after a
 *	failure
 * @cap: how many walks to keep; 0 keeps nothing and allocates nothing
 *
 * Return: 0, or -1 with errno ENOMEM.
 */
int rs_topn_init(struct rs_topn *t, size_t cap);

/**
 * rs_topn_free() - free the heap
 * @t: the heap, left empty with a capacity of 0
 */
void rs_topn_free(struct rs_topn *t);

/**
 * rs_topn_offer() - offer a walk to the heap
 * @t: the heap
 * @w: the walk, copied if kept; its duration_ns ranks it, so the caller
 *	offers paired walks only
 * @purpose: its purpose, copied (cut to RS_PURPOSE_LEN - 1 bytes); NULL
 *	is ""
 * @file: the trace it comes from; the pointer is kept, not the string,
 *	so it must outlive the heap
 *
 * Kept while the heap is not full, or when @w is slower than the fastest
 * walk kept, which it replaces; of two walks as slow, the one that started
 * first stays. O(log cap).
 */
void rs_topn_offer(struct rs_topn *t, const struct rs_walk *w, const char *purpose,
		   const char *file);

/**
 * rs_topn_sorted() - the kept walks, slowest first
 * @t: the heap
 * @n: set to the number of entries
 *
 * Sorts the entries in place, O(cap log cap): the heap is no longer one
 * afterwards, so no rs_topn_offer() may follow.
 *
 * Return: the entries, owned by @t and valid until rs_topn_free(); NULL
 * when the capacity is 0.
 */
const struct rs_top_entry *rs_topn_sorted(struct rs_topn *t, size_t *n);

#endif
