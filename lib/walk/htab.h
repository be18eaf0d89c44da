/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A chained hash table of intrusive nodes keyed by a 64-bit number, for
 * the engines of lib/walk (waits.c: tasks by pid, locks by address): the
 * caller embeds a struct rs_hnode in its object, walks a key's chain and
 * compares the keys itself (several objects may share a key). Nothing is
 * allocated per node; the bucket array doubles as the nodes outnumber it.
 */
#ifndef RS_HTAB_H
#define RS_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct rs_hnode {
	struct rs_hnode *next;
	uint64_t key;
};

struct rs_htab {
	struct rs_hnode **b;
	size_t n;			/* buckets, a power of two */
	size_t count;			/* nodes */
};

/**
 * rs_mix64() - spread the bits of a key over a word (splitmix64 finalizer)
 * @x: the key
 *
 * Keys that differ in a few low or high bits (pids, aligned addresses)
 * land in different buckets of a power-of-two table.
 *
 * Return: the mixed value.
 */
static inline uint64_t rs_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/**
 * rs_htab_init() - an empty table
 * @t: the table
 * @buckets: its first size, a power of two
 *
 * Return: 0, or -1 when out of memory.
 */
int rs_htab_init(struct rs_htab *t, size_t buckets);

/**
 * rs_htab_free() - free the buckets (the nodes are the caller's)
 * @t: the table
 */
void rs_htab_free(struct rs_htab *t);

/**
 * rs_htab_add() - add a node under a key
 * @t: the table
 * @node: the node, not in any table
 * @key: its key
 *
 * The table grows when it has as many nodes as buckets; out of memory it
 * keeps its size (longer chains, nothing lost).
 */
void rs_htab_add(struct rs_htab *t, struct rs_hnode *node, uint64_t key);

/**
 * rs_htab_del() - remove a node
 * @t: the table
 * @node: a node of @t
 */
void rs_htab_del(struct rs_htab *t, struct rs_hnode *node);

/**
 * rs_htab_chain() - the chain a key is in
 * @t: the table
 * @key: the key
 *
 * Return: the first node of the chain, whose nodes have @key and other
 * keys: the caller compares.
 */
struct rs_hnode *rs_htab_chain(const struct rs_htab *t, uint64_t key);

#endif
