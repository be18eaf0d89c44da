/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small hash table of names by a 64-bit key: the purpose name of each
 * rmap_one address, the comm of each pid. Both sides of trace_contain.c
 * keep one: the reader sends a name once, the first time a key comes up.
 */
#ifndef RS_NAME_TABLE_H
#define RS_NAME_TABLE_H

#include <stdint.h>

struct rs_name_table;

/**
 * rs_name_table_new() - an empty table
 *
 * Return: the table, or NULL without memory.
 */
struct rs_name_table *rs_name_table_new(void);

/**
 * rs_name_table_free() - free a table and its names
 * @t: the table (may be NULL)
 */
void rs_name_table_free(struct rs_name_table *t);

/**
 * rs_name_table_get() - the name stored for a key
 * @t: the table
 * @key: the key
 *
 * Return: the name (valid until the table is freed), or NULL.
 */
const char *rs_name_table_get(const struct rs_name_table *t, uint64_t key);

/**
 * rs_name_table_put() - store a copy of a name for a key
 * @t: the table
 * @key: the key; a name stored for it before is replaced
 * @name: the name
 *
 * Return: 0, or -ENOMEM.
 */
int rs_name_table_put(struct rs_name_table *t, uint64_t key, const char *name);

#endif
