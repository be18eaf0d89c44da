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

/* 0, or -1 (ENOMEM). cap 0 keeps nothing. */
int rs_topn_init(struct rs_topn *t, size_t cap);
void rs_topn_free(struct rs_topn *t);
void rs_topn_offer(struct rs_topn *t, const struct rs_walk *w, const char *purpose,
		   const char *file);
/* Sorts the entries slowest first (the heap is no longer one afterwards). */
const struct rs_top_entry *rs_topn_sorted(struct rs_topn *t, size_t *n);

#endif
