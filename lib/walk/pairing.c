// SPDX-License-Identifier: GPL-2.0-only
/*
 * Walks in flight live in a chained hash table keyed by (tag, pid, a, b):
 * tracepoints use tag 0, a = rwc, b = pfn; kprobes use tag = probed
 * function, a = b = 0, and keep several frames per key, the newest (highest
 * sequence number) on top. The tag is not hashed: every kprobe frame of a
 * task is in the bucket of its pid, so the innermost frame a visit counts
 * into, and the outer frame an inner pair folds into, are one bucket away.
 *
 * Starts dropped for lost events stay in the table as "lost" entries (not
 * in flight, never paired): their end, when it comes, is told apart from
 * an end whose start was never seen.
 *
 * Visits and lost events: a frame's count is exact only if no visit of it
 * was lost. Each frame keeps the CPUs its task was seen on since it
 * started (cpu % 64, entry, visits, exits); events lost on one of those
 * make its count unknown, and so do events lost on a CPU before the task
 * is first seen there (lost_at). What no record shows (a task whose every
 * event on a CPU was lost, or a loss reported only after the walk ended)
 * goes unnoticed, as an end lost on a CPU the walk did not start on does.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
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
	bool lost;			/* dropped for lost events: a key to recognise */
	bool visits_unknown;		/* some of its visits may have been lost */
	uint64_t visits;		/* kprobe frame: visits counted into it */
	uint64_t cpus;			/* 1 << (cpu % 64) of the CPUs its task was seen on */
	struct rs_walk_event start;
};

struct rs_pairing {
	struct rs_pending **buckets;
	size_t nbuckets;		/* power of two */
	struct rs_pending *free_list;
	uint64_t seq;
	size_t nr_lost;			/* lost entries in the table */
	uint64_t lost_at[64];		/* per cpu % 64: seq when events were last lost */
	rs_walk_fn fn;
	void *arg;
	struct rs_pairing_counters c;
};

#define RS_PAIRING_MIN_BUCKETS	64

static size_t key_hash(const struct rs_key *k, size_t nbuckets)
{
	/* One mix of the fields but the tag, each spread by a different odd multiplier. */
	uint64_t h = rs_mix64(k->a ^ (k->b * 0x9e3779b97f4a7c15ULL) ^
			   ((uint64_t)(uint32_t)k->pid * 0xc2b2ae3d27d4eb4fULL));

	return h & (nbuckets - 1);
}

/* The bucket of every kprobe frame of task pid. */
static struct rs_pending *task_frames(const struct rs_pairing *p, int pid)
{
	struct rs_key k = { .tag = RS_FUNC_RMAP_WALK, .pid = pid };

	return p->buckets[key_hash(&k, p->nbuckets)];
}

static bool frame_of(const struct rs_pending *e, int pid)
{
	return e->key.tag != RS_FUNC_NONE && e->key.pid == pid && !e->lost;
}

static uint64_t cpu_bit(int cpu)
{
	return 1ULL << ((unsigned int)cpu % 64);
}

/*
 * Task pid was seen on cpu: its frames in flight that did not know it yet
 * learn it, and lose their visit count if events were lost there since
 * they started.
 */
static void saw_cpu(struct rs_pairing *p, int pid, int cpu)
{
	uint64_t bit = cpu_bit(cpu);
	struct rs_pending *e;

	for (e = task_frames(p, pid); e; e = e->next) {
		if (!frame_of(e, pid) || (e->cpus & bit))
			continue;
		e->cpus |= bit;
		if (p->lost_at[(unsigned int)cpu % 64] >= e->seq)
			e->visits_unknown = true;
	}
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

	if (p->c.in_flight + p->nr_lost >= p->nbuckets && grow(p))
		return -1;
	e = p->free_list;
	if (e)
		p->free_list = e->next;
	else if (!(e = malloc(sizeof(*e))))
		return -1;
	e->key = *k;
	e->seq = ++p->seq;
	e->lost = false;
	e->visits_unknown = false;
	e->visits = 0;
	e->cpus = cpu_bit(ev->cpu);
	e->start = *ev;
	h = key_hash(k, p->nbuckets);
	e->next = p->buckets[h];
	p->buckets[h] = e;
	if (++p->c.in_flight > p->c.max_in_flight)
		p->c.max_in_flight = p->c.in_flight;
	return 0;
}

/*
 * The newest (or with oldest set, the oldest) entry of key k in flight (or
 * with lost set, dropped for lost events), and its link.
 */
static struct rs_pending **find_entry(struct rs_pairing *p, const struct rs_key *k,
				      bool lost, int oldest, size_t *count)
{
	struct rs_pending **link, **best = NULL;
	size_t n = 0;

	for (link = &p->buckets[key_hash(k, p->nbuckets)]; *link; link = &(*link)->next) {
		if ((*link)->lost != lost || !key_eq(&(*link)->key, k))
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

static struct rs_pending **find(struct rs_pairing *p, const struct rs_key *k,
				int oldest, size_t *count)
{
	return find_entry(p, k, false, oldest, count);
}

static void unlink_entry(struct rs_pairing *p, struct rs_pending **link)
{
	struct rs_pending *e = *link;

	*link = e->next;
	e->next = p->free_list;
	p->free_list = e;
	if (e->lost)
		p->nr_lost--;
	else
		p->c.in_flight--;
}

/* Forgets every start of key k dropped for lost events. */
static void forget_lost(struct rs_pairing *p, const struct rs_key *k)
{
	struct rs_pending **link;

	while (p->nr_lost && (link = find_entry(p, k, true, 0, NULL)))
		unlink_entry(p, link);
}

static int by_seq_value(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/*
 * Keeps the newest keep of the starts dropped for lost events; all of
 * them go when there is no memory to sort them.
 */
static void trim_lost(struct rs_pairing *p, size_t keep)
{
	struct rs_pending **link;
	uint64_t *seqs, threshold = UINT64_MAX;
	size_t i, n = 0;

	if (p->nr_lost <= keep)
		return;
	seqs = malloc(p->nr_lost * sizeof(*seqs));
	if (seqs) {
		for (i = 0; i < p->nbuckets; i++)
			for (link = &p->buckets[i]; *link; link = &(*link)->next)
				if ((*link)->lost)
					seqs[n++] = (*link)->seq;
		qsort(seqs, n, sizeof(*seqs), by_seq_value);
		threshold = keep ? seqs[n - keep] : UINT64_MAX;
		free(seqs);
	}
	for (i = 0; i < p->nbuckets; i++) {
		for (link = &p->buckets[i]; *link; ) {
			if ((*link)->lost && (*link)->seq < threshold)
				unlink_entry(p, link);
			else
				link = &(*link)->next;
		}
	}
}

static void emit(struct rs_pairing *p, struct rs_walk *w)
{
	/* The counter of each status, in the order of enum rs_walk_status. */
	uint64_t * const count[] = {
		[RS_WALK_OK] = &p->c.paired,
		[RS_WALK_NESTED] = &p->c.nested,
		[RS_WALK_NO_END] = &p->c.no_end,
		[RS_WALK_SUPERSEDED] = &p->c.superseded,
		[RS_WALK_NO_START] = &p->c.no_start,
		[RS_WALK_LOST] = &p->c.lost_walks,
	};

	if ((unsigned int)w->status < RS_WALK_STATUS_NR)
		(*count[w->status])++;
	if (w->status == RS_WALK_NO_START && w->start_lost)
		p->c.no_start_lost++;
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
	/* A new start of the key: the end of a dropped one was lost too. */
	forget_lost(p, &k);
	if (ev->type == RS_EV_START) {
		link = find(p, &k, 0, NULL);
		if (link)
			drop(p, link, RS_WALK_SUPERSEDED);
	} else {
		saw_cpu(p, ev->pid, ev->cpu);
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
 * The frame of rmap_walk or rmap_walk_locked of task pid that is the
 * newest started before seq, in flight or dropped for lost events (its
 * inner pair is still the same walk, whose start is gone): NULL if none.
 */
static struct rs_pending *outer_frame(struct rs_pairing *p, int pid, uint64_t seq)
{
	struct rs_pending *e, *best = NULL;

	for (e = task_frames(p, pid); e; e = e->next) {
		if ((e->key.tag == RS_FUNC_RMAP_WALK || e->key.tag == RS_FUNC_RMAP_WALK_LOCKED) &&
		    e->key.pid == pid && e->seq < seq && (!best || e->seq > best->seq))
			best = e;
	}
	return best;
}

/*
 * A kprobe rmap_walk_ksm, _anon or _file pair (the frame that was *inner)
 * inside an rmap_walk or rmap_walk_locked of the same task and rwc: the
 * outer frame is the walk, and takes the kind the inner function walks
 * and its visits; this one is nested.
 */
static int fold_nested(struct rs_pairing *p, const struct rs_pending *inner_frame)
{
	const struct rs_walk_event *inner = &inner_frame->start;
	enum rs_kind kind = rs_func_kind(inner->func);
	struct rs_pending *outer;

	if (kind == RS_KIND_UNKNOWN)
		return 0;	/* a tracepoint, or rmap_walk(_locked) itself */
	outer = outer_frame(p, inner->pid, inner_frame->seq);
	if (!outer)
		return 0;
	if ((inner->has & RS_HAS_RWC) && (outer->start.has & RS_HAS_RWC) &&
	    inner->rwc != outer->start.rwc)
		return 0;
	outer->visits += inner_frame->visits;
	outer->visits_unknown |= inner_frame->visits_unknown;
	outer->start.kind = kind;
	outer->start.kind_raw = kind;
	outer->start.has |= RS_HAS_KIND;
	return 1;
}

/*
 * The visits counted into a kprobe walk go to its end, if its entry said
 * the trace has them and none may have been lost.
 */
static void end_visits(struct rs_pairing *p, struct rs_walk *w, const struct rs_pending *frame)
{
	if (!(w->start.has & RS_HAS_VISIT_COUNT))
		return;
	if (frame->visits_unknown) {
		p->c.visits_incomplete++;
		return;
	}
	w->end.nr_visited = frame->visits > UINT32_MAX ? UINT32_MAX : (unsigned int)frame->visits;
	w->end.has |= RS_HAS_VISITED;
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
		link = p->nr_lost ? find_entry(p, &k, true, 0, NULL) : NULL;
		if (link) {
			/* Its start was dropped for lost events: now it is done. */
			unlink_entry(p, link);
			w.start_lost = true;
			result = RS_FEED_START_LOST;
		}
	} else {
		w.start = (*link)->start;
		w.duration_ns = ev->ts >= w.start.ts ? ev->ts - w.start.ts : 0;
		if (ev->type == RS_EV_EXIT) {
			saw_cpu(p, ev->pid, ev->cpu);
			end_visits(p, &w, *link);
		}
		/* before the unlink: the frame hands its visits on */
		if (ev->type == RS_EV_EXIT && fold_nested(p, *link)) {
			w.status = RS_WALK_NESTED;
			result = RS_FEED_NESTED;
		} else {
			w.status = RS_WALK_OK;
			result = RS_FEED_PAIRED;
		}
		unlink_entry(p, link);
		/* A start that did not know its kind takes the end's. */
		if (w.start.kind == RS_KIND_UNKNOWN && ev->kind != RS_KIND_UNKNOWN &&
		    (ev->has & RS_HAS_KIND)) {
			w.start.kind = ev->kind;
			w.start.kind_raw = ev->kind_raw;
			w.start.has |= RS_HAS_KIND;
		}
	}
	emit(p, &w);
	if (out)
		*out = w;
	return result;
}

/* The hot path of a trace with visits: one bucket, one increment. */
static int feed_visit(struct rs_pairing *p, const struct rs_walk_event *ev)
{
	struct rs_pending *e, *top = NULL;

	p->c.visits += ev->nr_visited;
	for (e = task_frames(p, ev->pid); e; e = e->next)
		if (frame_of(e, ev->pid) && (!top || e->seq > top->seq))
			top = e;
	if (!top) {
		p->c.visits_outside += ev->nr_visited;
		return RS_FEED_VISIT_OUTSIDE;
	}
	if (!(top->cpus & cpu_bit(ev->cpu)))
		saw_cpu(p, ev->pid, ev->cpu);
	if (!(ev->has & RS_HAS_VISITED))
		top->visits_unknown = true;	/* a record too short to say */
	top->visits += ev->nr_visited;
	return RS_FEED_VISIT;
}

int rs_pairing_feed(struct rs_pairing *p, const struct rs_walk_event *ev,
		    struct rs_walk *out)
{
	switch (ev->type) {
	case RS_EV_VISIT:
		return feed_visit(p, ev);
	case RS_EV_START:
	case RS_EV_ENTRY:
		p->c.events++;
		return feed_start(p, ev);
	case RS_EV_END:
	case RS_EV_EXIT:
		p->c.events++;
		return feed_end(p, ev, out);
	case RS_EV_HOLD:
	case RS_EV_WAIT:
	case RS_EV_WAKE:
	case RS_EV_OP:
		return RS_FEED_OTHER;
	case RS_EV_NR:
		break;
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

/* Emits a start in flight as status. */
static void emit_start(struct rs_pairing *p, const struct rs_pending *e,
		       enum rs_walk_status status)
{
	struct rs_walk w;

	memset(&w, 0, sizeof(w));
	w.status = status;
	w.start = e->start;
	emit(p, &w);
}

/*
 * Every start in flight matching cpu (all if cpu < 0) goes to fn as
 * status, oldest first. RS_WALK_LOST keeps them in the table as lost
 * entries, other statuses remove them. -1: no memory, nothing done.
 */
static int drop_all(struct rs_pairing *p, int cpu, enum rs_walk_status status)
{
	bool keep = status == RS_WALK_LOST;
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
			if (e->lost || (cpu >= 0 && e->start.cpu != cpu)) {
				link = &e->next;
				continue;
			}
			p->c.in_flight--;
			list[n++] = e;
			if (keep) {
				e->lost = true;
				p->nr_lost++;
				link = &e->next;
			} else {
				*link = e->next;
			}
		}
	}
	qsort(list, n, sizeof(*list), by_seq);
	for (i = 0; i < n; i++) {
		emit_start(p, list[i], status);
		if (!keep) {
			list[i]->next = p->free_list;
			p->free_list = list[i];
		}
	}
	free(list);
	return 0;
}

void rs_pairing_lost(struct rs_pairing *p, int cpu, uint64_t ts, long long missed)
{
	struct rs_pending *e;
	size_t i;

	(void)ts;	/* every start in flight on that CPU is older than ts */
	/* Visits of the walks whose task was on that CPU may be among them. */
	for (i = 0; i < p->nbuckets; i++)
		for (e = p->buckets[i]; e; e = e->next)
			if (cpu < 0 || (e->cpus & cpu_bit(cpu)))
				e->visits_unknown = true;
	for (i = 0; i < 64; i++)
		if (cpu < 0 || (unsigned int)cpu % 64 == i)
			p->lost_at[i] = p->seq;
	p->c.lost_markers++;
	if (missed > 0)
		p->c.lost_events += (uint64_t)missed;
	else
		p->c.lost_unknown++;
	if (drop_all(p, cpu, RS_WALK_LOST)) {
		/* No memory for the ordered list: drop them unordered. */
		for (i = 0; i < p->nbuckets; i++) {
			for (e = p->buckets[i]; e; e = e->next) {
				if (e->lost || (cpu >= 0 && e->start.cpu != cpu))
					continue;
				e->lost = true;
				p->c.in_flight--;
				p->nr_lost++;
				emit_start(p, e, RS_WALK_LOST);
			}
		}
	}
	if (p->nr_lost > RS_PAIRING_MAX_LOST_STARTS)
		trim_lost(p, RS_PAIRING_MAX_LOST_STARTS / 2);
}

int rs_pairing_flush(struct rs_pairing *p)
{
	if (drop_all(p, -1, RS_WALK_NO_END)) {
		errno = ENOMEM;
		return -1;
	}
	trim_lost(p, 0);
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

	return rs_enum_name(names, RS_WALK_STATUS_NR, status, "?");
}

const struct rs_walk_event *rs_walk_info(const struct rs_walk *w)
{
	return w->status == RS_WALK_NO_START ? &w->end : &w->start;
}

/*
 * Whether the walk's folio is known to be order-0: its nr_pages says so, or,
 * in a trace recorded before the start carried nr_pages, its kind is KSM
 * (KSM merges only order-0 folios).
 */
static bool order0(const struct rs_walk_event *start)
{
	if (start->has & RS_HAS_NR_PAGES)
		return start->nr_pages == 1;
	return (start->has & RS_HAS_KIND) && start->kind == RS_KIND_KSM;
}

int rs_walk_is_short(const struct rs_walk *w)
{
	if (w->status != RS_WALK_OK && w->status != RS_WALK_NESTED)
		return -1;
	if (!(w->start.has & RS_HAS_MAPCOUNT) || !(w->end.has & RS_HAS_CALLS))
		return -1;
	/* A large folio's mapcount counts PTEs, not the rmap_one() calls it takes. */
	if (!order0(&w->start))
		return -1;
	return (long long)w->end.nr_rmap_one < (long long)w->start.mapcount;
}

void rs_pairing_counters_add(struct rs_pairing_counters *dst,
			     const struct rs_pairing_counters *src)
{
#define ADD(name)	dst->name += src->name;
	RS_PAIRING_SUMS(ADD)
#undef ADD
	if (src->max_in_flight > dst->max_in_flight)
		dst->max_in_flight = src->max_in_flight;
}
