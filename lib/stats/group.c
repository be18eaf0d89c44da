// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group.h"

static const char * const by_names[RS_BY_NR] = {
	[RS_BY_KIND] = "kind",
	[RS_BY_PURPOSE] = "purpose",
	[RS_BY_PID] = "pid",
	[RS_BY_CPU] = "cpu",
	[RS_BY_COMM] = "comm",
};

struct rs_groups {
	struct rs_group_spec spec;
	uint64_t log2_div;
	struct rs_group **buckets;
	size_t nbuckets;
	size_t count;
	struct rs_group *last;		/* the group of the last lookup */
};

const char *rs_by_name(enum rs_by by)
{
	return (unsigned int)by < RS_BY_NR ? by_names[by] : "?";
}

int rs_group_spec_parse(const char *s, struct rs_group_spec *spec)
{
	const char *p = s, *comma;
	unsigned int i, seen = 0;
	size_t len;

	memset(spec, 0, sizeof(*spec));
	while (*p) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		for (i = 0; i < RS_BY_NR; i++)
			if (strlen(by_names[i]) == len && !strncmp(p, by_names[i], len))
				break;
		if (i == RS_BY_NR || (seen & (1U << i)))
			return -1;
		seen |= 1U << i;
		spec->field[spec->n++] = i;
		if (!comma)
			break;
		p = comma + 1;
		if (!*p)
			return -1;
	}
	return spec->n ? 0 : -1;
}

void rs_group_spec_format(const struct rs_group_spec *spec, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < spec->n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? "," : "",
				 rs_by_name(spec->field[i]));
}

struct rs_groups *rs_groups_new(const struct rs_group_spec *spec, uint64_t log2_div)
{
	struct rs_groups *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->spec = *spec;
	g->log2_div = log2_div;
	g->nbuckets = 64;
	g->buckets = calloc(g->nbuckets, sizeof(*g->buckets));
	if (!g->buckets) {
		free(g);
		return NULL;
	}
	return g;
}

static void free_group(struct rs_group *gr)
{
	rs_stats_free(&gr->stats);
	free(gr->name);
	free((char *)gr->keys.purpose);
	free((char *)gr->keys.comm);
	free(gr);
}

void rs_groups_free(struct rs_groups *g)
{
	struct rs_group *gr, *next;
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->nbuckets; i++) {
		for (gr = g->buckets[i]; gr; gr = next) {
			next = gr->next;
			free_group(gr);
		}
	}
	free(g->buckets);
	free(g);
}

/* The group name: the spec's values joined by '/'. */
static void make_name(const struct rs_group_spec *spec, const struct rs_walk_keys *k,
		      char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < spec->n && used < len; i++) {
		const char *sep = i ? "/" : "";

		switch (spec->field[i]) {
		case RS_BY_KIND:
			used += snprintf(buf + used, len - used, "%s%s", sep, rs_kind_name(k->kind));
			break;
		case RS_BY_PURPOSE:
			used += snprintf(buf + used, len - used, "%s%s", sep,
					 k->purpose ? k->purpose : "unknown");
			break;
		case RS_BY_PID:
			used += snprintf(buf + used, len - used, "%s%d", sep, k->pid);
			break;
		case RS_BY_CPU:
			used += snprintf(buf + used, len - used, "%s%d", sep, k->cpu);
			break;
		case RS_BY_COMM:
			used += snprintf(buf + used, len - used, "%s%s", sep,
					 k->comm && *k->comm ? k->comm : "<...>");
			break;
		default:
			break;
		}
	}
}

static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

static int grow(struct rs_groups *g)
{
	size_t n = g->nbuckets * 2, i;
	struct rs_group **b = calloc(n, sizeof(*b));
	struct rs_group *gr, *next;

	if (!b)
		return -1;
	for (i = 0; i < g->nbuckets; i++) {
		for (gr = g->buckets[i]; gr; gr = next) {
			size_t h = str_hash(gr->name) & (n - 1);

			next = gr->next;
			gr->next = b[h];
			b[h] = gr;
		}
	}
	free(g->buckets);
	g->buckets = b;
	g->nbuckets = n;
	return 0;
}

/* Do the keys of a walk name group a (as far as the spec looks)? */
static bool same_keys(const struct rs_group_spec *spec, const struct rs_walk_keys *a,
		      const struct rs_walk_keys *k)
{
	unsigned int i;

	for (i = 0; i < spec->n; i++) {
		switch (spec->field[i]) {
		case RS_BY_KIND:
			if (a->kind != k->kind)
				return false;
			break;
		case RS_BY_PURPOSE:
			if (strcmp(a->purpose, k->purpose ? k->purpose : "unknown"))
				return false;
			break;
		case RS_BY_PID:
			if (a->pid != k->pid)
				return false;
			break;
		case RS_BY_CPU:
			if (a->cpu != k->cpu)
				return false;
			break;
		case RS_BY_COMM:
			if (strcmp(a->comm, k->comm && *k->comm ? k->comm : ""))
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

struct rs_group *rs_groups_get(struct rs_groups *g, const struct rs_walk_keys *k)
{
	char name[512];
	struct rs_group *gr;
	size_t h;

	if (g->last && same_keys(&g->spec, &g->last->keys, k))
		return g->last;
	make_name(&g->spec, k, name, sizeof(name));
	h = str_hash(name) & (g->nbuckets - 1);
	for (gr = g->buckets[h]; gr; gr = gr->next)
		if (!strcmp(gr->name, name))
			return g->last = gr;

	if (g->count >= g->nbuckets && grow(g))
		return NULL;
	gr = calloc(1, sizeof(*gr));
	if (!gr)
		return NULL;
	gr->name = strdup(name);
	gr->keys = *k;
	gr->keys.purpose = strdup(k->purpose ? k->purpose : "unknown");
	gr->keys.comm = strdup(k->comm ? k->comm : "");
	if (!gr->name || !gr->keys.purpose || !gr->keys.comm) {
		free_group(gr);
		errno = ENOMEM;
		return NULL;
	}
	rs_stats_init(&gr->stats, g->log2_div);
	h = str_hash(name) & (g->nbuckets - 1);
	gr->next = g->buckets[h];
	g->buckets[h] = gr;
	g->count++;
	return g->last = gr;
}

static int cmp_groups(const void *x, const void *y, void *arg)
{
	const struct rs_group_spec *sort_spec = arg;
	const struct rs_group *a = *(struct rs_group * const *)x;
	const struct rs_group *b = *(struct rs_group * const *)y;
	unsigned int i;
	int c = 0;

	for (i = 0; i < sort_spec->n && !c; i++) {
		switch (sort_spec->field[i]) {
		case RS_BY_KIND:
			c = (int)a->keys.kind - (int)b->keys.kind;
			break;
		case RS_BY_PURPOSE:
			c = strcmp(a->keys.purpose, b->keys.purpose);
			break;
		case RS_BY_PID:
			c = (a->keys.pid > b->keys.pid) - (a->keys.pid < b->keys.pid);
			break;
		case RS_BY_CPU:
			c = (a->keys.cpu > b->keys.cpu) - (a->keys.cpu < b->keys.cpu);
			break;
		case RS_BY_COMM:
			c = strcmp(a->keys.comm, b->keys.comm);
			break;
		default:
			break;
		}
	}
	return c ? c : strcmp(a->name, b->name);
}

struct rs_group **rs_groups_sorted(const struct rs_groups *g, size_t *n)
{
	struct rs_group **list, *gr;
	size_t i, k = 0;

	*n = 0;
	if (!g->count)
		return NULL;
	list = malloc(g->count * sizeof(*list));
	if (!list)
		return NULL;
	for (i = 0; i < g->nbuckets; i++)
		for (gr = g->buckets[i]; gr; gr = gr->next)
			list[k++] = gr;
	qsort_r(list, k, sizeof(*list), cmp_groups, (void *)&g->spec);
	*n = k;
	return list;
}
