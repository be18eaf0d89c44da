/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Groups of walks for `--by kind|purpose|pid|cpu|comm` (or a comma list of
 * them, e.g. kind,purpose): a hash table from the walk's key values to the
 * group's statistics, and the order in which reports list the groups.
 */
#ifndef RS_GROUP_H
#define RS_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"
#include "walk_event.h"

enum rs_by { RS_BY_KIND, RS_BY_PURPOSE, RS_BY_PID, RS_BY_CPU, RS_BY_COMM, RS_BY_NR };

struct rs_group_spec {
	unsigned int n;
	enum rs_by field[RS_BY_NR];
};

/**
 * rs_group_spec_parse() - parse the argument of --by
 * @s: one field name or a comma list of them: "kind", "purpose,pid"
 * @spec: filled with the fields in the order given; zeroed first, so it
 *	is not valid when -1 is returned
 *
 * The order matters: the reports sort the groups by the first field, then
 * by the next.
 *
 * Return: 0, or -1 for an unknown or repeated name, an empty name
 * ("kind,", ",kind") or an empty @s.
 */
int rs_group_spec_parse(const char *s, struct rs_group_spec *spec);

/**
 * rs_group_spec_format() - write a grouping as --by takes it
 * @spec: the grouping
 * @buf: where to write the names, joined by ',': "kind,purpose"
 * @len: size of @buf; the text is cut to fit, always NUL-terminated when
 *	@len is not 0
 */
void rs_group_spec_format(const struct rs_group_spec *spec, char *buf, size_t len);

/**
 * rs_by_name() - the name --by gives a grouping field
 * @by: the field
 *
 * Return: "kind", "purpose", "pid", "cpu" or "comm", a static string; "?"
 * for a value out of range.
 */
const char *rs_by_name(enum rs_by by);

/* The values a walk is grouped by. cpu: where the walk started. */
struct rs_walk_keys {
	enum rs_kind kind;
	const char *purpose;
	int pid;
	int cpu;
	const char *comm;
};

struct rs_group {
	char *name;			/* values of the spec's fields, joined by '/' */
	struct rs_walk_keys keys;	/* only the spec's fields are meaningful */
	struct rs_stats stats;
	struct rs_group *next;		/* hash chain */
};

struct rs_groups;

/**
 * rs_groups_new() - create an empty table of groups
 * @spec: the fields to group by (copied)
 * @log2_div: unit divisor of the groups' log2 histograms (rs_stats_init())
 *
 * Return: the table, to be freed with rs_groups_free(), or NULL when out
 * of memory.
 */
struct rs_groups *rs_groups_new(const struct rs_group_spec *spec, uint64_t log2_div);

/**
 * rs_groups_free() - free a table of groups, its groups and their statistics
 * @g: the table; may be NULL
 *
 * Every struct rs_group it returned is gone afterwards.
 */
void rs_groups_free(struct rs_groups *g);

/**
 * rs_groups_get() - the group of a walk's key values
 * @g: the table
 * @k: the walk's values; only the fields of the spec are looked at. The
 *	strings are copied: a NULL purpose counts as "unknown", a NULL or
 *	empty comm is named "<...>"
 *
 * Creates the group, with empty statistics, on first use. The group of
 * the previous call is checked first, as walks of one group come in runs;
 * otherwise it is an expected O(1) look-up in a hash table that doubles as
 * it fills.
 *
 * Return: the group, valid until rs_groups_free(); NULL with errno ENOMEM
 * when a new group could not be allocated.
 */
struct rs_group *rs_groups_get(struct rs_groups *g, const struct rs_walk_keys *k);

/**
 * rs_groups_sorted() - the groups in report order
 * @g: the table
 * @n: set to the number of groups in the array, 0 when NULL is returned
 *
 * Sorted by the spec's fields in their order (kind: KSM, ANON, FILE,
 * unknown; pid, cpu: numeric; purpose, comm: by name), then by group
 * name. O(n log n).
 *
 * Return: a malloc()ed array of the groups, which stay the table's: the
 * caller frees the array only. NULL when the table is empty or out of
 * memory (check *@n).
 */
struct rs_group **rs_groups_sorted(const struct rs_groups *g, size_t *n);

#endif
