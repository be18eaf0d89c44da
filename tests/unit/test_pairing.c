// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pairing engine on synthetic event streams: interleaved CPUs, nested
 * walks, a walk that ends on another CPU, missing start, missing end, a
 * superseded start, lost-event markers and ends whose start they dropped,
 * kprobe LIFO pairing, folding of rmap_walk_ksm/_anon/_file into their
 * rmap_walk or rmap_walk_locked (and walks seen only by those, where the
 * compiler inlined the dispatcher), and many walks in flight at once.
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
	CHECK(find(&c, 160) && find(&c, 160)->status == RS_WALK_NO_START &&
	      find(&c, 160)->start_lost);
	CHECK(find(&c, 110) && find(&c, 110)->status == RS_WALK_OK &&
	      find(&c, 110)->duration_ns == 60);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_walks, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_markers, 2);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_events, 42);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_unknown, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->no_start_lost, 1);
	teardown(p, &c);
}

/*
 * An end whose start was dropped for lost events is told apart from one
 * whose start was never seen, for tracepoints and kprobes; the engine
 * forgets a dropped start once its end came, or a new start of its key
 * shows that the end was lost too.
 */
static void test_end_of_lost_start(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	struct rs_walk_event e;
	struct rs_walk out;

	feed(p, tp(RS_EV_START, 100, 1, 10, 0xa000, 1));
	feed(p, kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK, 105, 1, 30, 0xc000));
	rs_pairing_lost(p, 1, 150, 7);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_walks, 2);
	CHECK_EQ_U64(rs_pairing_counters(p)->in_flight, 0);

	e = tp(RS_EV_END, 160, 1, 10, 0xa000, 1);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_START_LOST);
	CHECK(out.status == RS_WALK_NO_START && out.start_lost && out.duration_ns == 0);
	/* once: a second end of that key had no start at all */
	e = tp(RS_EV_END, 170, 1, 10, 0xa000, 1);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_NO_START);
	CHECK(out.status == RS_WALK_NO_START && !out.start_lost);
	/* the pid is part of the key */
	e = kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK, 175, 0, 31, 0);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_NO_START);
	e = kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK, 180, 0, 30, 0);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_START_LOST);
	CHECK(out.start_lost);

	/* dropped, its end lost too: a new start of the key pairs normally */
	feed(p, tp(RS_EV_START, 200, 0, 10, 0xb000, 2));
	rs_pairing_lost(p, -1, 250, -1);
	feed(p, tp(RS_EV_START, 300, 1, 10, 0xb000, 2));
	e = tp(RS_EV_END, 340, 1, 10, 0xb000, 2);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_PAIRED);
	CHECK(out.duration_ns == 40);
	e = tp(RS_EV_END, 350, 1, 10, 0xb000, 2);
	CHECK(rs_pairing_feed(p, &e, &out) == RS_FEED_NO_START);

	/* the end of the trace forgets dropped starts without a record */
	feed(p, tp(RS_EV_START, 400, 0, 10, 0xd000, 3));
	rs_pairing_lost(p, 0, 450, 1);
	CHECK(rs_pairing_flush(p) == 0);
	CHECK_EQ_U64(rs_pairing_counters(p)->no_start, 5);
	CHECK_EQ_U64(rs_pairing_counters(p)->no_start_lost, 2);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_walks, 4);
	CHECK_EQ_U64(rs_pairing_counters(p)->no_end, 0);
	CHECK_EQ_U64(c.n, 4 + 5 + 1);
	teardown(p, &c);
}

/* Dropped starts are remembered up to a bound, the newest ones. */
static void test_lost_starts_bounded(void)
{
	enum { N = RS_PAIRING_MAX_LOST_STARTS + 10 };
	struct collected c;
	struct rs_pairing *p = setup(&c);
	struct rs_walk_event e;
	size_t i;

	for (i = 0; i < N; i++)
		feed(p, tp(RS_EV_START, 1000 + i, 0, 10, 0xa000 + i * 64, 1));
	rs_pairing_lost(p, 0, 5000, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_walks, N);
	/* the newest half are still known, the oldest are forgotten */
	e = tp(RS_EV_END, 6000, 0, 10, 0xa000 + (N - 1) * 64, 1);
	CHECK(rs_pairing_feed(p, &e, NULL) == RS_FEED_START_LOST);
	e = tp(RS_EV_END, 6001, 0, 10, 0xa000 + (N - RS_PAIRING_MAX_LOST_STARTS / 2) * 64, 1);
	CHECK(rs_pairing_feed(p, &e, NULL) == RS_FEED_START_LOST);
	e = tp(RS_EV_END, 6002, 0, 10, 0xa000 + (N - RS_PAIRING_MAX_LOST_STARTS / 2 - 1) * 64, 1);
	CHECK(rs_pairing_feed(p, &e, NULL) == RS_FEED_NO_START);
	e = tp(RS_EV_END, 6003, 0, 10, 0xa000, 1);
	CHECK(rs_pairing_feed(p, &e, NULL) == RS_FEED_NO_START);
	/* new walks still pair */
	feed(p, tp(RS_EV_START, 7000, 1, 10, 0xa000, 1));
	e = tp(RS_EV_END, 7010, 1, 10, 0xa000, 1);
	CHECK(rs_pairing_feed(p, &e, NULL) == RS_FEED_PAIRED);
	rs_pairing_flush(p);
	CHECK_EQ_U64(rs_pairing_counters(p)->no_start_lost, 2);
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

/* An entry as walk_decode.c makes it: ksm/anon/file entries know their kind. */
static struct rs_walk_event kpe(enum rs_func func, uint64_t ts, int cpu, int pid,
				uint64_t rwc)
{
	struct rs_walk_event ev = kp(RS_EV_ENTRY, func, ts, cpu, pid, rwc);

	ev.kind = rs_func_kind(func);
	if (ev.kind != RS_KIND_UNKNOWN) {
		ev.kind_raw = ev.kind;
		ev.has |= RS_HAS_KIND;
	}
	return ev;
}

static int feed_exit(struct rs_pairing *p, enum rs_func func, uint64_t ts, int cpu,
		     int pid, struct rs_walk *out)
{
	struct rs_walk_event e = kp(RS_EV_EXIT, func, ts, cpu, pid, 0);

	return rs_pairing_feed(p, &e, out);
}

/*
 * rmap_walk and rmap_walk_locked may be inlined into their callers (stock
 * 6.12: try_to_migrate, folio_referenced ... call rmap_walk_anon/_file and
 * rmap_walk_ksm directly): whatever pairs the compiler left, every walk is
 * counted once, as its outermost pair.
 */
static void test_kprobe_inlined_dispatch(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	struct rs_walk out;

	/* try_to_migrate -> rmap_walk_anon: the walk itself */
	feed(p, kpe(RS_FUNC_RMAP_WALK_ANON, 100, 0, 10, 0xa000));
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK_ANON, 400, 0, 10, &out) == RS_FEED_PAIRED);
	CHECK(out.status == RS_WALK_OK && out.duration_ns == 300 &&
	      out.start.kind == RS_KIND_ANON && out.start.func == RS_FUNC_RMAP_WALK_ANON);

	/* remove_migration_ptes -> rmap_walk -> rmap_walk_file */
	feed(p, kpe(RS_FUNC_RMAP_WALK, 1000, 0, 10, 0xa100));
	feed(p, kpe(RS_FUNC_RMAP_WALK_FILE, 1010, 0, 10, 0xa100));
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK_FILE, 1500, 1, 10, &out) == RS_FEED_NESTED);
	CHECK(out.status == RS_WALK_NESTED && out.duration_ns == 490);
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK, 1500, 1, 10, &out) == RS_FEED_PAIRED);
	CHECK(out.duration_ns == 500 && out.start.kind == RS_KIND_FILE &&
	      out.start.kind_raw == RS_KIND_FILE && (out.start.has & RS_HAS_KIND));

	/* rmap_walk_locked -> rmap_walk_anon(locked) */
	feed(p, kpe(RS_FUNC_RMAP_WALK_LOCKED, 2000, 1, 10, 0xa200));
	feed(p, kpe(RS_FUNC_RMAP_WALK_ANON, 2005, 1, 10, 0xa200));
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK_ANON, 2100, 1, 10, &out) == RS_FEED_NESTED);
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK_LOCKED, 2101, 1, 10, &out) == RS_FEED_PAIRED);
	CHECK(out.duration_ns == 101 && out.start.kind == RS_KIND_ANON);

	/* try_to_migrate -> rmap_walk_ksm of a KSM folio: the walk itself */
	feed(p, kpe(RS_FUNC_RMAP_WALK_KSM, 3000, 0, 10, 0xa300));
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK_KSM, 3900, 0, 10, &out) == RS_FEED_PAIRED);
	CHECK(out.start.kind == RS_KIND_KSM);

	/* another task's rmap_walk_anon while this one is in rmap_walk */
	feed(p, kpe(RS_FUNC_RMAP_WALK, 4000, 0, 10, 0xa400));
	feed(p, kpe(RS_FUNC_RMAP_WALK_ANON, 4010, 1, 20, 0xa400));
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK_ANON, 4050, 1, 20, &out) == RS_FEED_PAIRED);
	/* an anon walk of another rwc inside an rmap_walk (its rmap_one walks again) */
	feed(p, kpe(RS_FUNC_RMAP_WALK_ANON, 4100, 0, 10, 0xb400));
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK_ANON, 4200, 0, 10, &out) == RS_FEED_PAIRED);
	/* an inner pair that started before the outer one is not inside it */
	feed(p, kpe(RS_FUNC_RMAP_WALK_FILE, 4300, 0, 30, 0xa400));
	feed(p, kpe(RS_FUNC_RMAP_WALK, 4310, 0, 30, 0xa400));
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK_FILE, 4320, 0, 30, &out) == RS_FEED_PAIRED);
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK, 4330, 0, 30, &out) == RS_FEED_PAIRED);
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK, 4500, 0, 10, &out) == RS_FEED_PAIRED);
	CHECK(out.duration_ns == 500);

	rs_pairing_flush(p);
	CHECK_EQ_U64(rs_pairing_counters(p)->nested, 2);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 9);
	CHECK_EQ_U64(rs_pairing_counters(p)->in_flight, 0);
	CHECK_EQ_U64(c.n, 11);
	teardown(p, &c);
}

/*
 * The outer rmap_walk was dropped for lost events: its inner pair is still
 * part of that walk (nested, not a walk of its own), and the outer exit is
 * the end of a lost start.
 */
static void test_kprobe_nested_in_lost_walk(void)
{
	struct collected c;
	struct rs_pairing *p = setup(&c);
	struct rs_walk out;

	feed(p, kpe(RS_FUNC_RMAP_WALK, 100, 0, 10, 0xa000));
	rs_pairing_lost(p, 0, 105, 3);
	feed(p, kpe(RS_FUNC_RMAP_WALK_ANON, 110, 0, 10, 0xa000));
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK_ANON, 200, 0, 10, &out) == RS_FEED_NESTED);
	CHECK(feed_exit(p, RS_FUNC_RMAP_WALK, 201, 0, 10, &out) == RS_FEED_START_LOST);
	rs_pairing_flush(p);
	CHECK_EQ_U64(rs_pairing_counters(p)->paired, 0);
	CHECK_EQ_U64(rs_pairing_counters(p)->nested, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->lost_walks, 1);
	CHECK_EQ_U64(rs_pairing_counters(p)->no_start_lost, 1);
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
	CHECK(k->no_start_lost <= k->no_start && k->no_start_lost <= k->lost_walks);
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
	RUN(test_end_of_lost_start);
	RUN(test_lost_starts_bounded);
	RUN(test_kprobe_lifo);
	RUN(test_kprobe_nested_ksm);
	RUN(test_kprobe_inlined_dispatch);
	RUN(test_kprobe_nested_in_lost_walk);
	RUN(test_kprobe_depth_bound);
	RUN(test_many_in_flight);
	RUN(test_accounting);
	RUN(test_short);
	return check_summary();
}
