// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pairing engine on synthetic event streams: interleaved CPUs, nested
 * walks, a walk that ends on another CPU, missing start, missing end, a
 * superseded start, lost-event markers, kprobe LIFO pairing and folding of
 * rmap_walk_ksm into its rmap_walk, and many walks in flight at once.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pairing.h"

struct collected {
	struct rs_walk *w;
	size_t n, cap;
};

static void collect(const struct rs_walk *w, void *arg)
{
	struct collected *c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->w = realloc(c->w, c->cap * sizeof(*c->w));
		if (!c->w)
			abort();
	}
	c->w[c->n++] = *w;
}

static struct rs_walk_event tp(enum rs_ev_type type, uint64_t ts, int cpu, int pid,
			       uint64_t rwc, uint64_t pfn)
{
	struct rs_walk_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.ts = ts;
	ev.cpu = cpu;
	ev.pid = pid;
	ev.rwc = rwc;
	ev.pfn = pfn;
	ev.kind = RS_KIND_ANON;
	ev.has = RS_HAS_PFN | RS_HAS_RWC | RS_HAS_KIND;
	if (type == RS_EV_START) {
		ev.mapcount = 3;
		ev.has |= RS_HAS_MAPCOUNT;
	} else {
		ev.nr_visited = 7;
		ev.nr_rmap_one = 2;
		ev.has |= RS_HAS_VISITED | RS_HAS_CALLS;
	}
	return ev;
}

static struct rs_walk_event kp(enum rs_ev_type type, enum rs_func func, uint64_t ts,
			       int cpu, int pid, uint64_t rwc)
{
	struct rs_walk_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.func = func;
	ev.ts = ts;
	ev.cpu = cpu;
	ev.pid = pid;
	ev.kind = RS_KIND_UNKNOWN;
	if (type == RS_EV_ENTRY) {
		ev.rwc = rwc;
		ev.has = RS_HAS_RWC;
	}
	return ev;
}

static struct rs_pairing *setup(struct collected *c)
{
	memset(c, 0, sizeof(*c));
	return rs_pairing_new(collect, c);
}

static void feed(struct rs_pairing *p, struct rs_walk_event ev)
{
	CHECK(rs_pairing_feed(p, &ev, NULL) != RS_FEED_ERROR);
}

/* The walk with this start timestamp (or end timestamp for NO_START). */
static const struct rs_walk *find(const struct collected *c, uint64_t ts)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (rs_walk_info(&c->w[i])->ts == ts)
			return &c->w[i];
	return NULL;
}

static void teardown(struct rs_pairing *p, struct collected *c)
{
	rs_pairing_free(p);
	free(c->w);
}

static void test_interleaved_cpus(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	const struct rs_walk *a, *b;

	feed(p, tp(RS_EV_START, 100, 0, 10, 0xa000, 1));
	feed(p, tp(RS_EV_START, 150, 1, 20, 0xb000, 2));
	feed(p, tp(RS_EV_END, 170, 1, 20, 0xb000, 2));
	feed(p, tp(RS_EV_END, 400, 0, 10, 0xa000, 1));
	CHECK(rs_pairing_flush(p) == 0);
	CHECK_EQ_U64(c.n, 2);
	a = find(&c, 100);
	b = find(&c, 150);
	CHECK(a && a->status == RS_WALK_OK && a->duration_ns == 300);
	CHECK(b && b->status == RS_WALK_OK && b->duration_ns == 20);
	CHECK(a && a->end.nr_visited == 7 && a->start.mapcount == 3);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 2);
	CHECK_EQ_U64(rs_pairing_counters(p)->in_flight, 0);
	CHECK_EQ_U64(rs_pairing_counters(p)->max_in_flight, 2);
	teardown(p, &c);
}

static void test_ends_on_other_cpu(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	const struct rs_walk *w;

	feed(p, tp(RS_EV_START, 1000, 0, 10, 0xa000, 1));
	feed(p, tp(RS_EV_END, 987654321, 1, 10, 0xa000, 1));
	rs_pairing_flush(p);
	CHECK_EQ_U64(c.n, 1);
	w = find(&c, 1000);
	CHECK(w && w->status == RS_WALK_OK);
	CHECK(w && w->duration_ns == 987654321 - 1000);
	CHECK(w && w->start.cpu == 0 && w->end.cpu == 1);
	teardown(p, &c);
}

/* One task, two walks of different rwc, the second inside the first. */
static void test_nested(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	const struct rs_walk *outer, *inner;
	struct rs_walk out;

	feed(p, tp(RS_EV_START, 100, 0, 10, 0xa000, 5));
	feed(p, tp(RS_EV_START, 200, 0, 10, 0xa100, 5));
	{
		struct rs_walk_event e = tp(RS_EV_END, 250, 0, 10, 0xa100, 5);

		CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_PAIRED);
		CHECK(out.duration_ns == 50 && out.start.rwc == 0xa100);
	}
	feed(p, tp(RS_EV_END, 900, 0, 10, 0xa000, 5));
	rs_pairing_flush(p);
	outer = find(&c, 100);
	inner = find(&c, 200);
	CHECK(outer && outer->status == RS_WALK_OK && outer->duration_ns == 800);
	CHECK(inner && inner->status == RS_WALK_OK && inner->duration_ns == 50);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 2);
	CHECK_EQ_U64(rs_pairing_counters(p)->max_in_flight, 2);
	teardown(p, &c);
}

/* Same rwc and pfn in two tasks: the pid keeps them apart. */
static void test_same_rwc_other_pid(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);

	feed(p, tp(RS_EV_START, 100, 0, 10, 0xa000, 5));
	feed(p, tp(RS_EV_START, 110, 1, 11, 0xa000, 5));
	feed(p, tp(RS_EV_END, 130, 1, 11, 0xa000, 5));
	feed(p, tp(RS_EV_END, 500, 0, 10, 0xa000, 5));
	rs_pairing_flush(p);
	CHECK(find(&c, 100) && find(&c, 100)->duration_ns == 400);
	CHECK(find(&c, 110) && find(&c, 110)->duration_ns == 20);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 2);
	teardown(p, &c);
}

static void test_missing_start(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	struct rs_walk out;
	struct rs_walk_event e = tp(RS_EV_END, 77, 1, 10, 0xa000, 1);

	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_NO_START);
	CHECK(out.status == RS_WALK_NO_START && out.duration_ns == 0);
	rs_pairing_flush(p);
	CHECK_EQ_U64(c.n, 1);
	CHECK(c.n == 1 && c.w[0].status == RS_WALK_NO_START && c.w[0].end.ts == 77);
	CHECK_EQ_U64(rs_pairing_counters(p)->no_start, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 0);
	teardown(p, &c);
}

static void test_missing_end(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);

	feed(p, tp(RS_EV_START, 100, 0, 10, 0xa000, 1));
	feed(p, tp(RS_EV_START, 200, 1, 10, 0xb000, 1));
	feed(p, tp(RS_EV_END, 300, 1, 10, 0xb000, 1));
	CHECK_EQ_U64(c.n, 1);
	rs_pairing_flush(p);
	CHECK_EQ_U64(c.n, 2);
	CHECK(find(&c, 100) && find(&c, 100)->status == RS_WALK_NO_END);
	CHECK_EQ_U64(rs_pairing_counters(p)->no_end, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->in_flight, 0);
	teardown(p, &c);
}

/* A second start of the same key: the first lost its end somewhere. */
static void test_superseded(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);

	feed(p, tp(RS_EV_START, 100, 0, 10, 0xa000, 1));
	feed(p, tp(RS_EV_START, 500, 0, 10, 0xa000, 1));
	feed(p, tp(RS_EV_END, 520, 0, 10, 0xa000, 1));
	rs_pairing_flush(p);
	CHECK(find(&c, 100) && find(&c, 100)->status == RS_WALK_SUPERSEDED);
	CHECK(find(&c, 500) && find(&c, 500)->status == RS_WALK_OK &&
	      find(&c, 500)->duration_ns == 20);
	CHECK_EQ_U64(rs_pairing_counters(p)->superseded, 1);
	teardown(p, &c);
}

/*
 * Lost events on CPU 1: the walk that started there can never get a
 * duration (its end may be among the lost events, and a later end of the
 * same key must not pair with it); the walk on CPU 0 is not affected.
 */
static void test_lost_marker(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);

	feed(p, tp(RS_EV_START, 100, 1, 10, 0xa000, 1));
	feed(p, tp(RS_EV_START, 110, 0, 20, 0xb000, 2));
	rs_pairing_lost(p, 1, 150, 42);
	CHECK_EQ_U64(c.n, 1);
	CHECK(find(&c, 100) && find(&c, 100)->status == RS_WALK_LOST);
	feed(p, tp(RS_EV_END, 160, 1, 10, 0xa000, 1));
	feed(p, tp(RS_EV_END, 170, 0, 20, 0xb000, 2));
	rs_pairing_lost(p, 0, 180, -1);
	rs_pairing_flush(p);
	CHECK(find(&c, 160) && find(&c, 160)->status == RS_WALK_NO_START);
	CHECK(find(&c, 110) && find(&c, 110)->status == RS_WALK_OK &&
	      find(&c, 110)->duration_ns == 60);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_walks, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_markers, 2);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_events, 42);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_unknown, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 1);
	teardown(p, &c);
}

/* A walk that migrated: started on CPU 0, lost events on CPU 1 later. */
static void test_lost_other_cpu_keeps_migrated_walk(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);

	feed(p, tp(RS_EV_START, 100, 0, 10, 0xa000, 1));
	rs_pairing_lost(p, 1, 120, 3);
	feed(p, tp(RS_EV_END, 140, 1, 10, 0xa000, 1));
	rs_pairing_flush(p);
	CHECK(find(&c, 100) && find(&c, 100)->status == RS_WALK_OK &&
	      find(&c, 100)->duration_ns == 40);
	teardown(p, &c);
}

/* Kprobes: per task and function, last in first out. */
static void test_kprobe_lifo(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	struct rs_walk out;
	struct rs_walk_event e;

	/* An entry whose kretprobe was missed, then a full walk of that task. */
	feed(p, kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK, 100, 0, 10, 0xa000));
	feed(p, kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK, 200, 1, 10, 0xa100));
	/* Another task interleaved, same function. */
	feed(p, kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK, 210, 0, 20, 0xb000));
	e = kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK, 260, 1, 10, 0);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_PAIRED);
	CHECK(out.start.ts == 200 && out.duration_ns == 60);
	feed(p, kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK, 300, 0, 20, 0));
	/* rmap_walk_locked of task 10 does not pair with rmap_walk frames. */
	feed(p, kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK_LOCKED, 310, 0, 10, 0));
	rs_pairing_flush(p);
	CHECK(find(&c, 210) && find(&c, 210)->duration_ns == 90);
	CHECK(find(&c, 100) && find(&c, 100)->status == RS_WALK_NO_END);
	CHECK(find(&c, 310) && find(&c, 310)->status == RS_WALK_NO_START);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 2);
	teardown(p, &c);
}

/* rmap_walk_ksm inside rmap_walk (same task, same rwc) is one walk. */
static void test_kprobe_nested_ksm(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	struct rs_walk_event e;
	struct rs_walk out;

	e = kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK, 100, 0, 10, 0xa000);
	e.kind = RS_KIND_UNKNOWN;
	feed(p, e);
	feed(p, kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK_KSM, 110, 0, 10, 0xa000));
	e = kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK_KSM, 5000, 1, 10, 0);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_NESTED);
	CHECK(out.status == RS_WALK_NESTED && out.duration_ns == 4890);
	e = kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK, 5010, 1, 10, 0);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_PAIRED);
	CHECK(out.duration_ns == 4910);
	CHECK(out.start.kind == RS_KIND_KSM);
	/* rmap_walk_ksm of another rwc is not folded */
	feed(p, kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK, 6000, 0, 10, 0xa000));
	feed(p, kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK_KSM, 6010, 0, 10, 0xbbbb));
	e = kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK_KSM, 6020, 0, 10, 0);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_PAIRED);
	feed(p, kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK, 6030, 0, 10, 0));
	rs_pairing_flush(p);
	CHECK_EQ_U64(rs_pairing_counters(p)->nested, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 3);
	teardown(p, &c);
}

/* Lost exits pile up frames: the stack of one key stays bounded. */
static void test_kprobe_depth_bound(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	int i;

	for (i = 0; i < RS_KPROBE_MAX_DEPTH + 5; i++)
		feed(p, kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK, 100 + i, 0, 10, 0xa000));
	CHECK_EQ_U64(rs_pairing_counters(p)->in_flight, RS_KPROBE_MAX_DEPTH);
	CHECK_EQ_U64(rs_pairing_counters(p)->superseded, 5);
	/* the oldest ones went first */
	CHECK(find(&c, 100) && find(&c, 100)->status == RS_WALK_SUPERSEDED);
	CHECK(find(&c, 104) && find(&c, 104)->status == RS_WALK_SUPERSEDED);
	CHECK(!find(&c, 105));
	rs_pairing_flush(p);
	CHECK_EQ_U64(rs_pairing_counters(p)->no_end, RS_KPROBE_MAX_DEPTH);
	teardown(p, &c);
}

/*
 * Many walks in flight at once (the hash table grows), ending in another
 * order on other CPUs: every one pairs with its own start.
 */
static void test_many_in_flight(void)
{
	enum { N = 20000 };
	struct collected c;
	struct rs_pairing *p = setup(&c);
	size_t i, ok = 0;
	unsigned int *order = malloc(N * sizeof(*order));

	srand(12345);
	for (i = 0; i < N; i++) {
		feed(p, tp(RS_EV_START, 1000 + i, i % 2, 100 + i % 7,
			   0xffffc90000000000ULL + i * 64, 0x1000 + i % 13));
		order[i] = i;
	}
	for (i = N - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1);
		unsigned int t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	CHECK_EQ_U64(rs_pairing_counters(p)->in_flight, N);
	for (i = 0; i < N; i++) {
		unsigned int k = order[i];

		feed(p, tp(RS_EV_END, 1000000 + i, (k + 1) % 2, 100 + k % 7,
			   0xffffc90000000000ULL + k * 64, 0x1000 + k % 13));
	}
	rs_pairing_flush(p);
	for (i = 0; i < c.n; i++) {
		const struct rs_walk *w = &c.w[i];

		if (w->status == RS_WALK_OK && w->start.rwc == w->end.rwc &&
		    w->duration_ns == w->end.ts - w->start.ts &&
		    w->start.ts == 1000 + (w->start.rwc - 0xffffc90000000000ULL) / 64)
			ok++;
	}
	CHECK_EQ_U64(ok, N);
	CHECK_EQ_U64(rs_pairing_counters(p)->max_in_flight, N);
	CHECK_EQ_U64(rs_pairing_counters(p)->in_flight, 0);
	free(order);
	teardown(p, &c);
}

/* Every event comes back exactly once, whatever happens to it. */
static void test_accounting(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	const struct rs_pairing_counters *k;
	size_t i, starts = 0, ends = 0;

	srand(99);
	for (i = 0; i < 5000; i++) {
		int pid = rand() % 4, cpu = rand() % 3;
		uint64_t rwc = 0xa000 + (rand() % 8) * 0x100;

		if (rand() % 100 < 2) {
			rs_pairing_lost(p, cpu, 100 + i, rand() % 5);
			continue;
		}
		if (rand() % 2) {
			feed(p, tp(RS_EV_START, 100 + i, cpu, pid, rwc, 1));
			starts++;
		} else {
			feed(p, tp(RS_EV_END, 100 + i, cpu, pid, rwc, 1));
			ends++;
		}
	}
	rs_pairing_flush(p);
	k = rs_pairing_counters(p);
	/* each paired walk holds a start and an end */
	CHECK_EQ_U64(k->paired * 2 + k->no_end + k->superseded + k->no_start + k->lost_walks,
		     starts + ends);
	CHECK_EQ_U64(k->paired + k->no_end + k->superseded + k->lost_walks, starts);
	CHECK_EQ_U64(k->paired + k->no_start, ends);
	CHECK_EQ_U64(c.n, k->paired + k->no_end + k->superseded + k->no_start + k->lost_walks);
	for (i = 0; i < c.n; i++)
		if (c.w[i].status == RS_WALK_OK)
			CHECK(c.w[i].end.ts >= c.w[i].start.ts &&
			      c.w[i].start.pid == c.w[i].end.pid &&
			      c.w[i].start.rwc == c.w[i].end.rwc);
	teardown(p, &c);
}

static void test_short(void)
{
	struct rs_walk w;

	memset(&w, 0, sizeof(w));
	w.status = RS_WALK_OK;
	w.start = tp(RS_EV_START, 1, 0, 1, 1, 1);
	w.end = tp(RS_EV_END, 2, 0, 1, 1, 1);
	w.start.mapcount = 3;
	w.end.nr_rmap_one = 2;
	CHECK(rs_walk_is_short(&w) == 1);
	w.end.nr_rmap_one = 3;
	CHECK(rs_walk_is_short(&w) == 0);
	w.end.has &= ~RS_HAS_CALLS;
	CHECK(rs_walk_is_short(&w) == -1);
	w.status = RS_WALK_NO_END;
	CHECK(rs_walk_is_short(&w) == -1);
	CHECK(!strcmp(rs_walk_status_name(RS_WALK_LOST), "lost"));
	CHECK(rs_kind_from_mapping(0xffff888003a1c003ULL) == RS_KIND_KSM);
	CHECK(rs_kind_from_mapping(0xffff888003a1c001ULL) == RS_KIND_ANON);
	CHECK(rs_kind_from_mapping(0xffff888003a1c000ULL) == RS_KIND_FILE);
	CHECK(rs_kind_from_mapping(0) == RS_KIND_UNKNOWN);
}

int main(void)
{
	RUN(test_interleaved_cpus);
	RUN(test_ends_on_other_cpu);
	RUN(test_nested);
	RUN(test_same_rwc_other_pid);
	RUN(test_missing_start);
	RUN(test_missing_end);
	RUN(test_superseded);
	RUN(test_lost_marker);
	RUN(test_lost_other_cpu_keeps_migrated_walk);
	RUN(test_kprobe_lifo);
	RUN(test_kprobe_nested_ksm);
	RUN(test_kprobe_depth_bound);
	RUN(test_many_in_flight);
	RUN(test_accounting);
	RUN(test_short);
	return check_summary();
}
