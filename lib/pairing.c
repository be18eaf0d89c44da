// SPDX-License-Identifier: GPL-2.0-only
/*
 * Walks in flight live in a chained hash table keyed by (tag, pid, a, b):
 * tracepoints use tag 0, a = rwc, b = pfn; kprobes use tag = probed
 * function, a = b = 0, and keep several frames per key, the newest (highest
 * sequence number) on top.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pairing.h"

struct rs_key {
	uint32_t tag;
	int32_t pid;
	uint64_t a;
	uint64_t b;
};

struct rs_pending {
	struct rs_pending *next;
	struct rs_key key;
	uint64_t seq;
	struct rs_walk_event start;
};

struct rs_pairing {
	struct rs_pending **buckets;
	size_t nbuckets;		/* power of two */
	struct rs_pending *free_list;
	uint64_t seq;
	rs_walk_fn fn;
	void *arg;
	struct rs_pairing_counters c;
};

#define RS_PAIRING_MIN_BUCKETS	64

static uint64_t mix64(uint64_t x)
{
	/* splitmix64 finalizer */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static size_t key_hash(const struct rs_key *k, size_t nbuckets)
{
	uint64_t h = mix64(k->a ^ mix64(k->b ^ mix64(((uint64_t)k->tag << 32) |
						      (uint32_t)k->pid)));

	return h & (nbuckets - 1);
}

static int key_eq(const struct rs_key *x, const struct rs_key *y)
{
	return x->tag == y->tag && x->pid == y->pid && x->a == y->a && x->b == y->b;
}

static void key_of(const struct rs_walk_event *ev, struct rs_key *k)
{
	memset(k, 0, sizeof(*k));
	k->pid = ev->pid;
	if (ev->type == RS_EV_START || ev->type == RS_EV_END) {
		k->a = ev->rwc;
		k->b = ev->pfn;
	} else {
		k->tag = ev->func;
	}
}

struct rs_pairing *rs_pairing_new(rs_walk_fn fn, void *arg)
{
	struct rs_pairing *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->nbuckets = RS_PAIRING_MIN_BUCKETS;
	p->buckets = calloc(p->nbuckets, sizeof(*p->buckets));
	if (!p->buckets) {
		free(p);
		return NULL;
	}
	p->fn = fn;
	p->arg = arg;
	return p;
}

void rs_pairing_free(struct rs_pairing *p)
{
	struct rs_pending *e, *next;
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nbuckets; i++) {
		for (e = p->buckets[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	for (e = p->free_list; e; e = next) {
		next = e->next;
		free(e);
	}
	free(p->buckets);
	free(p);
}

static int grow(struct rs_pairing *p)
{
	size_t n = p->nbuckets * 2, i;
	struct rs_pending **b = calloc(n, sizeof(*b));
	struct rs_pending *e, *next;

	if (!b)
		return -1;
	for (i = 0; i < p->nbuckets; i++) {
		for (e = p->buckets[i]; e; e = next) {
			size_t h = key_hash(&e->key, n);

			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	}
	free(p->buckets);
	p->buckets = b;
	p->nbuckets = n;
	return 0;
}

static int insert(struct rs_pairing *p, const struct rs_key *k,
		  const struct rs_walk_event *ev)
{
	struct rs_pending *e;
	size_t h;

	if (p->c.in_flight >= p->nbuckets && grow(p))
		return -1;
	e = p->free_list;
	if (e)
		p->free_list = e->next;
	else if (!(e = malloc(sizeof(*e))))
		return -1;
	e->key = *k;
	e->seq = ++p->seq;
	e->start = *ev;
	h = key_hash(k, p->nbuckets);
	e->next = p->buckets[h];
	p->buckets[h] = e;
	if (++p->c.in_flight > p->c.max_in_flight)
		p->c.max_in_flight = p->c.in_flight;
	return 0;
}

/* The newest (or with oldest set, the oldest) entry of key k, and its link. */
static struct rs_pending **find(struct rs_pairing *p, const struct rs_key *k,
				int oldest, size_t *count)
{
	struct rs_pending **link, **best = NULL;
	size_t n = 0;

	for (link = &p->buckets[key_hash(k, p->nbuckets)]; *link; link = &(*link)->next) {
		if (!key_eq(&(*link)->key, k))
			continue;
		n++;
		if (!best || (oldest ? (*link)->seq < (*best)->seq
				     : (*link)->seq > (*best)->seq))
			best = link;
	}
	if (count)
		*count = n;
	return best;
}

static void unlink_entry(struct rs_pairing *p, struct rs_pending **link)
{
	struct rs_pending *e = *link;

	*link = e->next;
	e->next = p->free_list;
	p->free_list = e;
	p->c.in_flight--;
}

static void emit(struct rs_pairing *p, struct rs_walk *w)
{
	switch (w->status) {
	case RS_WALK_OK:
		p->c.paired++;
		break;
	case RS_WALK_NESTED:
		p->c.nested++;
		break;
	case RS_WALK_NO_END:
		p->c.no_end++;
		break;
	case RS_WALK_SUPERSEDED:
		p->c.superseded++;
		break;
	case RS_WALK_NO_START:
		p->c.no_start++;
		break;
	case RS_WALK_LOST:
		p->c.lost_walks++;
		break;
	default:
		break;
	}
	if (p->fn)
		p->fn(w, p->arg);
}

/* Emits the start at *link with status and removes it. */
static void drop(struct rs_pairing *p, struct rs_pending **link,
		 enum rs_walk_status status)
{
	struct rs_walk w;

	memset(&w, 0, sizeof(w));
	w.status = status;
	w.start = (*link)->start;
	unlink_entry(p, link);
	emit(p, &w);
}

static int feed_start(struct rs_pairing *p, const struct rs_walk_event *ev)
{
	struct rs_pending **link;
	struct rs_key k;
	size_t n;

	key_of(ev, &k);
	if (ev->type == RS_EV_START) {
		link = find(p, &k, 0, NULL);
		if (link)
			drop(p, link, RS_WALK_SUPERSEDED);
	} else {
		link = find(p, &k, 1, &n);
		if (n >= RS_KPROBE_MAX_DEPTH)
			drop(p, link, RS_WALK_SUPERSEDED);
	}
	if (insert(p, &k, ev)) {
		errno = ENOMEM;
		return RS_FEED_ERROR;
	}
	return RS_FEED_PENDING;
}

/*
 * A kprobe rmap_walk_ksm that pairs inside an rmap_walk of the same task and
 * rwc: the outer frame is a KSM walk and this one is nested.
 */
static int fold_nested(struct rs_pairing *p, const struct rs_walk_event *inner)
{
	struct rs_pending **link;
	struct rs_key k;

	if (inner->func != RS_FUNC_RMAP_WALK_KSM)
		return 0;
	memset(&k, 0, sizeof(k));
	k.tag = RS_FUNC_RMAP_WALK;
	k.pid = inner->pid;
	link = find(p, &k, 0, NULL);
	if (!link)
		return 0;
	if ((inner->has & RS_HAS_RWC) && ((*link)->start.has & RS_HAS_RWC) &&
	    inner->rwc != (*link)->start.rwc)
		return 0;
	(*link)->start.kind = RS_KIND_KSM;
	(*link)->start.has |= RS_HAS_KIND;
	return 1;
}

static int feed_end(struct rs_pairing *p, const struct rs_walk_event *ev,
		    struct rs_walk *out)
{
	struct rs_pending **link;
	struct rs_walk w;
	struct rs_key k;
	int result;

	memset(&w, 0, sizeof(w));
	w.end = *ev;
	key_of(ev, &k);
	link = find(p, &k, 0, NULL);
	if (!link) {
		w.status = RS_WALK_NO_START;
		result = RS_FEED_NO_START;
	} else {
		w.start = (*link)->start;
		unlink_entry(p, link);
		w.duration_ns = ev->ts >= w.start.ts ? ev->ts - w.start.ts : 0;
		if (ev->type == RS_EV_EXIT && fold_nested(p, &w.start)) {
			w.status = RS_WALK_NESTED;
			result = RS_FEED_NESTED;
		} else {
			w.status = RS_WALK_OK;
			result = RS_FEED_PAIRED;
		}
		/* A start that did not know its kind takes the end's. */
		if (w.start.kind == RS_KIND_UNKNOWN && (ev->has & RS_HAS_KIND))
			w.start.kind = ev->kind;
	}
	emit(p, &w);
	if (out)
		*out = w;
	return result;
}

int rs_pairing_feed(struct rs_pairing *p, const struct rs_walk_event *ev,
		    struct rs_walk *out)
{
	p->c.events++;
	switch (ev->type) {
	case RS_EV_START:
	case RS_EV_ENTRY:
		return feed_start(p, ev);
	case RS_EV_END:
	case RS_EV_EXIT:
		return feed_end(p, ev, out);
	}
	errno = EINVAL;
	return RS_FEED_ERROR;
}

static int by_seq(const void *x, const void *y)
{
	const struct rs_pending *a = *(struct rs_pending * const *)x;
	const struct rs_pending *b = *(struct rs_pending * const *)y;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Removes every start matching (cpu, or all if cpu < 0), oldest first. */
static int drop_all(struct rs_pairing *p, int cpu, enum rs_walk_status status)
{
	struct rs_pending **list, **link, *e;
	size_t n = 0, i;

	if (!p->c.in_flight)
		return 0;
	list = malloc(p->c.in_flight * sizeof(*list));
	if (!list)
		return -1;
	for (i = 0; i < p->nbuckets; i++) {
		for (link = &p->buckets[i]; *link; ) {
			e = *link;
			if (cpu >= 0 && e->start.cpu != cpu) {
				link = &e->next;
				continue;
			}
			*link = e->next;
			p->c.in_flight--;
			list[n++] = e;
		}
	}
	qsort(list, n, sizeof(*list), by_seq);
	for (i = 0; i < n; i++) {
		struct rs_walk w;

		memset(&w, 0, sizeof(w));
		w.status = status;
		w.start = list[i]->start;
		list[i]->next = p->free_list;
		p->free_list = list[i];
		emit(p, &w);
	}
	free(list);
	return 0;
}

void rs_pairing_lost(struct rs_pairing *p, int cpu, uint64_t ts, long long missed)
{
	(void)ts;	/* every start in flight on that CPU is older than ts */
	p->c.lost_markers++;
	if (missed > 0)
		p->c.lost_events += (uint64_t)missed;
	else
		p->c.lost_unknown++;
	if (drop_all(p, cpu, RS_WALK_LOST)) {
		/* No memory for the ordered list: drop them unordered. */
		struct rs_pending **link;
		size_t i;

		for (i = 0; i < p->nbuckets; i++) {
			for (link = &p->buckets[i]; *link; ) {
				if (cpu < 0 || (*link)->start.cpu == cpu)
					drop(p, link, RS_WALK_LOST);
				else
					link = &(*link)->next;
			}
		}
	}
}

int rs_pairing_flush(struct rs_pairing *p)
{
	if (drop_all(p, -1, RS_WALK_NO_END)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

const struct rs_pairing_counters *rs_pairing_counters(const struct rs_pairing *p)
{
	return &p->c;
}

const char *rs_walk_status_name(enum rs_walk_status status)
{
	static const char * const names[] = {
		[RS_WALK_OK] = "ok",
		[RS_WALK_NESTED] = "nested",
		[RS_WALK_NO_END] = "no_end",
		[RS_WALK_SUPERSEDED] = "superseded",
		[RS_WALK_NO_START] = "no_start",
		[RS_WALK_LOST] = "lost",
	};

	if ((unsigned int)status >= RS_WALK_STATUS_NR)
		return "?";
	return names[status];
}

const struct rs_walk_event *rs_walk_info(const struct rs_walk *w)
{
	return w->status == RS_WALK_NO_START ? &w->end : &w->start;
}

int rs_walk_is_short(const struct rs_walk *w)
{
	if (w->status != RS_WALK_OK && w->status != RS_WALK_NESTED)
		return -1;
	if (!(w->start.has & RS_HAS_MAPCOUNT) || !(w->end.has & RS_HAS_CALLS))
		return -1;
	return (long long)w->end.nr_rmap_one < (long long)w->start.mapcount;
}
