// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "name_table.h"

struct entry {
	uint64_t key;
	char *name;			/* NULL: a free slot */
};

struct rs_name_table {
	size_t size;			/* a power of two */
	size_t used;
	struct entry *slots;
};

struct rs_name_table *rs_name_table_new(void)
{
	struct rs_name_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->size = 64;
	t->slots = calloc(t->size, sizeof(*t->slots));
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void rs_name_table_free(struct rs_name_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->size; i++)
		free(t->slots[i].name);
	free(t->slots);
	free(t);
}

static size_t hash(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return key;
}

/* The slot of key, or the free slot where it would go. */
static struct entry *find(const struct rs_name_table *t, uint64_t key)
{
	size_t i = hash(key) & (t->size - 1);

	while (t->slots[i].name && t->slots[i].key != key)
		i = (i + 1) & (t->size - 1);
	return &t->slots[i];
}

const char *rs_name_table_get(const struct rs_name_table *t, uint64_t key)
{
	return find(t, key)->name;
}

static int grow(struct rs_name_table *t)
{
	struct rs_name_table bigger = { .size = t->size * 2 };
	size_t i;

	bigger.slots = calloc(bigger.size, sizeof(*bigger.slots));
	if (!bigger.slots)
		return -ENOMEM;
	for (i = 0; i < t->size; i++)
		if (t->slots[i].name)
			*find(&bigger, t->slots[i].key) = t->slots[i];
	free(t->slots);
	t->slots = bigger.slots;
	t->size = bigger.size;
	return 0;
}

int rs_name_table_put(struct rs_name_table *t, uint64_t key, const char *name)
{
	struct entry *e;
	char *copy;

	if ((t->used + 1) * 2 > t->size && grow(t))
		return -ENOMEM;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	e = find(t, key);
	if (e->name) {
		free(e->name);
	} else {
		e->key = key;
		t->used++;
	}
	e->name = copy;
	return 0;
}
