// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topn.h"

int rs_topn_init(struct rs_topn *t, size_t cap)
{
	memset(t, 0, sizeof(*t));
	t->cap = cap;
	if (!cap)
		return 0;
	t->heap = calloc(cap, sizeof(*t->heap));
	return t->heap ? 0 : -1;
}

void rs_topn_free(struct rs_topn *t)
{
	free(t->heap);
	memset(t, 0, sizeof(*t));
}

/* a ranks below b: shorter, or as long and later. */
static int below(const struct rs_top_entry *a, const struct rs_top_entry *b)
{
	if (a->walk.duration_ns != b->walk.duration_ns)
		return a->walk.duration_ns < b->walk.duration_ns;
	return a->walk.start.ts > b->walk.start.ts;
}

static void swap(struct rs_top_entry *a, struct rs_top_entry *b)
{
	struct rs_top_entry tmp = *a;

	*a = *b;
	*b = tmp;
}

static void sift_down(struct rs_top_entry *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && below(&h[l], &h[m]))
			m = l;
		if (r < n && below(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		swap(&h[i], &h[m]);
		i = m;
	}
}

static void sift_up(struct rs_top_entry *h, size_t i)
{
	while (i && below(&h[i], &h[(i - 1) / 2])) {
		swap(&h[i], &h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

void rs_topn_offer(struct rs_topn *t, const struct rs_walk *w, const char *purpose,
		   const char *file)
{
	struct rs_top_entry e;

	if (!t->cap)
		return;
	e.walk = *w;
	snprintf(e.purpose, sizeof(e.purpose), "%s", purpose ? purpose : "");
	e.file = file;
	if (t->n < t->cap) {
		t->heap[t->n] = e;
		sift_up(t->heap, t->n++);
	} else if (below(&t->heap[0], &e)) {
		t->heap[0] = e;
		sift_down(t->heap, t->n, 0);
	}
}

static int slowest_first(const void *x, const void *y)
{
	const struct rs_top_entry *a = x, *b = y;

	return below(a, b) ? 1 : below(b, a) ? -1 : 0;
}

const struct rs_top_entry *rs_topn_sorted(struct rs_topn *t, size_t *n)
{
	qsort(t->heap, t->n, sizeof(*t->heap), slowest_first);
	*n = t->n;
	return t->heap;
}
