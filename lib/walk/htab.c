// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>

#include "htab.h"

static size_t slot(size_t n, uint64_t key)
{
	return rs_mix64(key) & (n - 1);
}

int rs_htab_init(struct rs_htab *t, size_t buckets)
{
	t->n = buckets;
	t->count = 0;
	t->b = calloc(t->n, sizeof(*t->b));
	return t->b ? 0 : -1;
}

void rs_htab_free(struct rs_htab *t)
{
	free(t->b);
	t->b = NULL;
	t->n = t->count = 0;
}

static void grow(struct rs_htab *t)
{
	size_t n = t->n * 2, i;
	struct rs_hnode **b = calloc(n, sizeof(*b));
	struct rs_hnode *e, *next;

	if (!b)
		return;
	for (i = 0; i < t->n; i++) {
		for (e = t->b[i]; e; e = next) {
			size_t h = slot(n, e->key);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(t->b);
	t->b = b;
	t->n = n;
}

void rs_htab_add(struct rs_htab *t, struct rs_hnode *node, uint64_t key)
{
	size_t h;

	if (t->count >= t->n)
		grow(t);
	node->key = key;
	h = slot(t->n, key);
	node->next = t->b[h];
	t->b[h] = node;
	t->count++;
}

void rs_htab_del(struct rs_htab *t, struct rs_hnode *node)
{
	struct rs_hnode **link = &t->b[slot(t->n, node->key)];

	while (*link != node)
		link = &(*link)->next;
	*link = node->next;
	t->count--;
}

struct rs_hnode *rs_htab_chain(const struct rs_htab *t, uint64_t key)
{
	return t->b[slot(t->n, key)];
}
