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

/* "kind", "purpose,pid" ...: 0, or -1 for an unknown or repeated name. */
int rs_group_spec_parse(const char *s, struct rs_group_spec *spec);
/* "kind,purpose" */
void rs_group_spec_format(const struct rs_group_spec *spec, char *buf, size_t len);
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

struct rs_groups *rs_groups_new(const struct rs_group_spec *spec, uint64_t log2_div);
void rs_groups_free(struct rs_groups *g);
/* The group of these key values, created empty on first use; NULL: ENOMEM. */
struct rs_group *rs_groups_get(struct rs_groups *g, const struct rs_walk_keys *k);
/*
 * The groups in report order (kind: KSM, ANON, FILE, unknown; pid, cpu:
 * numeric; purpose, comm: by name), as a malloc()ed array; NULL when
 * empty or out of memory (check *n).
 */
struct rs_group **rs_groups_sorted(const struct rs_groups *g, size_t *n);

#endif
