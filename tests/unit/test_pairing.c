// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pairing engine on synthetic event streams: interleaved CPUs, nested
 * walks, a walk that ends on another CPU, missing start, missing end, a
 * superseded start, lost-event markers and ends whose start they dropped,
 * kprobe LIFO pairing, folding of rmap_walk_ksm/_anon/_file into their
 * rmap_walk or rmap_walk_locked (and walks seen only by those, where the
 * compiler inlined the dispatcher), and many walks in flight at once.
 *
 * The streams written by hand are one table of steps (an event with the
 * answer the engine must give, a lost marker, a check of the walks or
 * counters so far), one a line; the generated streams are functions.
 */
#include "pairing_steps.h"

/* The checks of one step only. */
static void walk_100_keeps_its_events(const struct run *r)
{
	const struct rs_walk *w = find(r, 100);

	CHECK(w && w->end.nr_visited == 7 && w->start.mapcount == 3);
}

static void walk_1000_changed_cpu(const struct run *r)
{
	const struct rs_walk *w = find(r, 1000);

	CHECK(w && w->start.cpu == 0 && w->end.cpu == 1);
}

static void out_is_inner_walk(const struct run *r)
{
	CHECK(r->out.start.rwc == 0xa100);
}

static void out_is_rmap_walk_anon(const struct run *r)
{
	CHECK(r->out.start.func == RS_FUNC_RMAP_WALK_ANON);
}

static void out_kind_raw_from_inner(const struct run *r)
{
	CHECK(r->out.start.kind_raw == RS_KIND_FILE && (r->out.start.has & RS_HAS_KIND));
}

static const struct step streams[] = {
	TEST("test_interleaved_cpus"),
	S(100, 0, 10, 0xa000, 1), S(150, 1, 20, 0xb000, 2), E(170, 1, 20, 0xb000, 2), E(400, 0, 10, 0xa000, 1),
	FLUSH,
	WALK(100, OK, 300), WALK(150, OK, 20), CALL(walk_100_keeps_its_events),
	COUNTERS("walks=2 paired=2 in_flight=0 max_in_flight=2"),

	TEST("test_ends_on_other_cpu"),
	S(1000, 0, 10, 0xa000, 1), E(987654321, 1, 10, 0xa000, 1),
	FLUSH,
	COUNTERS("walks=1"), WALK(1000, OK, 987654321 - 1000), CALL(walk_1000_changed_cpu),

	/* One task, two walks of different rwc, the second inside the first. */
	TEST("test_nested"),
	S(100, 0, 10, 0xa000, 5), S(200, 0, 10, 0xa100, 5),
	E_IS(250, 0, 10, 0xa100, 5, PAIRED, 50), CALL(out_is_inner_walk),
	E(900, 0, 10, 0xa000, 5),
	FLUSH,
	WALK(100, OK, 800), WALK(200, OK, 50), COUNTERS("paired=2 max_in_flight=2"),

	/* Same rwc and pfn in two tasks: the pid keeps them apart. */
	TEST("test_same_rwc_other_pid"),
	S(100, 0, 10, 0xa000, 5), S(110, 1, 11, 0xa000, 5), E(130, 1, 11, 0xa000, 5), E(500, 0, 10, 0xa000, 5),
	FLUSH,
	WALK(100, OK, 400), WALK(110, OK, 20), COUNTERS("paired=2"),

	TEST("test_missing_start"),
	E_IS(77, 1, 10, 0xa000, 1, NO_START, 0),
	FLUSH,
	COUNTERS("walks=1 no_start=1 paired=0"), WALK(77, NO_START, 0),

	TEST("test_missing_end"),
	S(100, 0, 10, 0xa000, 1), S(200, 1, 10, 0xb000, 1), E(300, 1, 10, 0xb000, 1),
	COUNTERS("walks=1"),
	FLUSH,
	COUNTERS("walks=2 no_end=1 in_flight=0"), WALK(100, NO_END, ANY),

	/* A second start of the same key: the first lost its end somewhere. */
	TEST("test_superseded"),
	S(100, 0, 10, 0xa000, 1), S(500, 0, 10, 0xa000, 1), E(520, 0, 10, 0xa000, 1),
	FLUSH,
	WALK(100, SUPERSEDED, ANY), WALK(500, OK, 20), COUNTERS("superseded=1"),

	/*
	 * Lost events on CPU 1: the walk that started there can never get a
	 * duration (its end may be among the lost events, and a later end of
	 * the same key must not pair with it); the walk on CPU 0 is not
	 * affected.
	 */
	TEST("test_lost_marker"),
	S(100, 1, 10, 0xa000, 1), S(110, 0, 20, 0xb000, 2), LOST(1, 150, 42),
	COUNTERS("walks=1"), WALK(100, LOST, ANY),
	E(160, 1, 10, 0xa000, 1), E(170, 0, 20, 0xb000, 2), LOST(0, 180, -1),
	FLUSH,
	WALK_START_LOST(160), WALK(110, OK, 60),
	COUNTERS("lost_walks=1 lost_markers=2 lost_events=42 lost_unknown=1 paired=1 no_start_lost=1"),

	/* A walk that migrated: started on CPU 0, lost events on CPU 1 later. */
	TEST("test_lost_other_cpu_keeps_migrated_walk"),
	S(100, 0, 10, 0xa000, 1), LOST(1, 120, 3), E(140, 1, 10, 0xa000, 1), FLUSH,
	WALK(100, OK, 40),

	/*
	 * An end whose start was dropped for lost events is told apart from
	 * one whose start was never seen, for tracepoints and kprobes; the
	 * engine forgets a dropped start once its end came, or a new start of
	 * its key shows that the end was lost too.
	 */
	TEST("test_end_of_lost_start"),
	S(100, 1, 10, 0xa000, 1), KIN(RMAP_WALK, 105, 1, 30, 0xc000), LOST(1, 150, 7),
	COUNTERS("lost_walks=2 in_flight=0"),
	E_IS(160, 1, 10, 0xa000, 1, START_LOST, 0),
	/* once: a second end of that key had no start at all */
	E_IS(170, 1, 10, 0xa000, 1, NO_START, 0),
	/* the pid is part of the key */
	KOUT_IS(RMAP_WALK, 175, 0, 31, NO_START, 0), KOUT_IS(RMAP_WALK, 180, 0, 30, START_LOST, 0),
	/* dropped, its end lost too: a new start of the key pairs normally */
	S(200, 0, 10, 0xb000, 2), LOST(-1, 250, -1), S(300, 1, 10, 0xb000, 2),
	E_IS(340, 1, 10, 0xb000, 2, PAIRED, 40), E_IS(350, 1, 10, 0xb000, 2, NO_START, 0),
	/* the end of the trace forgets dropped starts without a record */
	S(400, 0, 10, 0xd000, 3), LOST(0, 450, 1),
	FLUSH,
	COUNTERS("no_start=5 no_start_lost=2 lost_walks=4 no_end=0 walks=10"),

	/* Kprobes: per task and function, last in first out. */
	TEST("test_kprobe_lifo"),
	/* An entry whose kretprobe was missed, then a full walk of that task. */
	KIN(RMAP_WALK, 100, 0, 10, 0xa000), KIN(RMAP_WALK, 200, 1, 10, 0xa100),
	/* Another task interleaved, same function. */
	KIN(RMAP_WALK, 210, 0, 20, 0xb000),
	KOUT_IS(RMAP_WALK, 260, 1, 10, PAIRED, 60),
	KOUT(RMAP_WALK, 300, 0, 20),
	/* rmap_walk_locked of task 10 does not pair with rmap_walk frames. */
	KOUT(RMAP_WALK_LOCKED, 310, 0, 10),
	FLUSH,
	WALK(210, OK, 90), WALK(100, NO_END, ANY), WALK(310, NO_START, ANY), COUNTERS("paired=2"),

	/* rmap_walk_ksm inside rmap_walk (same task, same rwc) is one walk. */
	TEST("test_kprobe_nested_ksm"),
	KIN(RMAP_WALK, 100, 0, 10, 0xa000), KIN(RMAP_WALK_KSM, 110, 0, 10, 0xa000),
	KOUT_IS(RMAP_WALK_KSM, 5000, 1, 10, NESTED, 4890),
	KOUT_IS(RMAP_WALK, 5010, 1, 10, PAIRED, 4910), OUT_KIND(KSM),
	/* rmap_walk_ksm of another rwc is not folded */
	KIN(RMAP_WALK, 6000, 0, 10, 0xa000), KIN(RMAP_WALK_KSM, 6010, 0, 10, 0xbbbb),
	KOUT_IS(RMAP_WALK_KSM, 6020, 0, 10, PAIRED, ANY),
	KOUT(RMAP_WALK, 6030, 0, 10),
	FLUSH,
	COUNTERS("nested=1 paired=3"),

	/*
	 * rmap_walk and rmap_walk_locked may be inlined into their callers
	 * (stock 6.12: try_to_migrate, folio_referenced ... call
	 * rmap_walk_anon/_file and rmap_walk_ksm directly): whatever pairs the
	 * compiler left, every walk is counted once, as its outermost pair.
	 */
	TEST("test_kprobe_inlined_dispatch"),
	/* try_to_migrate -> rmap_walk_anon: the walk itself */
	KINK(RMAP_WALK_ANON, 100, 0, 10, 0xa000),
	KOUT_IS(RMAP_WALK_ANON, 400, 0, 10, PAIRED, 300), OUT_KIND(ANON), CALL(out_is_rmap_walk_anon),
	/* remove_migration_ptes -> rmap_walk -> rmap_walk_file */
	KINK(RMAP_WALK, 1000, 0, 10, 0xa100), KINK(RMAP_WALK_FILE, 1010, 0, 10, 0xa100),
	KOUT_IS(RMAP_WALK_FILE, 1500, 1, 10, NESTED, 490),
	KOUT_IS(RMAP_WALK, 1500, 1, 10, PAIRED, 500), OUT_KIND(FILE), CALL(out_kind_raw_from_inner),
	/* rmap_walk_locked -> rmap_walk_anon(locked) */
	KINK(RMAP_WALK_LOCKED, 2000, 1, 10, 0xa200), KINK(RMAP_WALK_ANON, 2005, 1, 10, 0xa200),
	KOUT_IS(RMAP_WALK_ANON, 2100, 1, 10, NESTED, ANY),
	KOUT_IS(RMAP_WALK_LOCKED, 2101, 1, 10, PAIRED, 101), OUT_KIND(ANON),
	/* try_to_migrate -> rmap_walk_ksm of a KSM folio: the walk itself */
	KINK(RMAP_WALK_KSM, 3000, 0, 10, 0xa300),
	KOUT_IS(RMAP_WALK_KSM, 3900, 0, 10, PAIRED, ANY), OUT_KIND(KSM),
	/* another task's rmap_walk_anon while this one is in rmap_walk */
	KINK(RMAP_WALK, 4000, 0, 10, 0xa400), KINK(RMAP_WALK_ANON, 4010, 1, 20, 0xa400),
	KOUT_IS(RMAP_WALK_ANON, 4050, 1, 20, PAIRED, ANY),
	/* an anon walk of another rwc inside an rmap_walk (its rmap_one walks again) */
	KINK(RMAP_WALK_ANON, 4100, 0, 10, 0xb400),
	KOUT_IS(RMAP_WALK_ANON, 4200, 0, 10, PAIRED, ANY),
	/* an inner pair that started before the outer one is not inside it */
	KINK(RMAP_WALK_FILE, 4300, 0, 30, 0xa400), KINK(RMAP_WALK, 4310, 0, 30, 0xa400),
	KOUT_IS(RMAP_WALK_FILE, 4320, 0, 30, PAIRED, ANY),
	KOUT_IS(RMAP_WALK, 4330, 0, 30, PAIRED, ANY),
	KOUT_IS(RMAP_WALK, 4500, 0, 10, PAIRED, 500),
	FLUSH,
	COUNTERS("nested=2 paired=9 in_flight=0 walks=11"),

	/*
	 * The outer rmap_walk was dropped for lost events: its inner pair is
	 * still part of that walk (nested, not a walk of its own), and the
	 * outer exit is the end of a lost start.
	 */
	TEST("test_kprobe_nested_in_lost_walk"),
	KINK(RMAP_WALK, 100, 0, 10, 0xa000), LOST(0, 105, 3), KINK(RMAP_WALK_ANON, 110, 0, 10, 0xa000),
	KOUT_IS(RMAP_WALK_ANON, 200, 0, 10, NESTED, ANY),
	KOUT_IS(RMAP_WALK, 201, 0, 10, START_LOST, 0),
	FLUSH,
	COUNTERS("paired=0 nested=1 lost_walks=1 no_start_lost=1"),
};


/* ---- generated streams ---- */

/* Dropped starts are remembered up to a bound, the newest ones. */
static void test_lost_starts_bounded(void)
{
	enum { N = RS_PAIRING_MAX_LOST_STARTS + 10, HALF = RS_PAIRING_MAX_LOST_STARTS / 2 };
	struct run r;
	size_t i;

	run_start(&r);
	for (i = 0; i < N; i++)
		feed(&r, tp(RS_EV_START, 1000 + i, 0, 10, 0xa000 + i * 64, 1));
	rs_pairing_lost(r.p, 0, 5000, 1);
	CHECK_EQ_U64(rs_pairing_counters(r.p)->lost_walks, N);
	/* the newest half are still known, the oldest are forgotten */
	CHECK(feed_answer(&r, tp(RS_EV_END, 6000, 0, 10, 0xa000 + (N - 1) * 64, 1)) ==
	      RS_FEED_START_LOST);
	CHECK(feed_answer(&r, tp(RS_EV_END, 6001, 0, 10, 0xa000 + (N - HALF) * 64, 1)) ==
	      RS_FEED_START_LOST);
	CHECK(feed_answer(&r, tp(RS_EV_END, 6002, 0, 10, 0xa000 + (N - HALF - 1) * 64, 1)) ==
	      RS_FEED_NO_START);
	CHECK(feed_answer(&r, tp(RS_EV_END, 6003, 0, 10, 0xa000, 1)) == RS_FEED_NO_START);
	/* new walks still pair */
	feed(&r, tp(RS_EV_START, 7000, 1, 10, 0xa000, 1));
	CHECK(feed_answer(&r, tp(RS_EV_END, 7010, 1, 10, 0xa000, 1)) == RS_FEED_PAIRED);
	rs_pairing_flush(r.p);
	expect_counters(&r, "no_start_lost=2");
	run_end(&r);
}

/* Lost exits pile up frames: the stack of one key stays bounded. */
static void test_kprobe_depth_bound(void)
{
	struct run r;
	int i;

	run_start(&r);
	for (i = 0; i < RS_KPROBE_MAX_DEPTH + 5; i++)
		feed(&r, kp(RS_EV_ENTRY, RS_FUNC_RMAP_WALK, 100 + i, 0, 10, 0xa000));
	CHECK_EQ_U64(rs_pairing_counters(r.p)->in_flight, RS_KPROBE_MAX_DEPTH);
	expect_counters(&r, "superseded=5");
	/* the oldest ones went first */
	CHECK(walk_is(&r, 100, RS_WALK_SUPERSEDED, ANY, false));
	CHECK(walk_is(&r, 104, RS_WALK_SUPERSEDED, ANY, false));
	CHECK(!find(&r, 105));
	rs_pairing_flush(r.p);
	CHECK_EQ_U64(rs_pairing_counters(r.p)->no_end, RS_KPROBE_MAX_DEPTH);
	run_end(&r);
}

/*
 * Many walks in flight at once (the hash table grows), ending in another
 * order on other CPUs: every one pairs with its own start.
 */
static void test_many_in_flight(void)
{
	enum { N = 20000 };
	struct run r;
	size_t i, ok = 0;
	unsigned int *order = malloc(N * sizeof(*order));

	run_start(&r);
	srand(12345);
	for (i = 0; i < N; i++) {
		feed(&r, tp(RS_EV_START, 1000 + i, i % 2, 100 + i % 7,
			    0xffffc90000000000ULL + i * 64, 0x1000 + i % 13));
		order[i] = i;
	}
	for (i = N - 1; i > 0; i--) {
		size_t j = (size_t)rand() % (i + 1);
		unsigned int t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	CHECK_EQ_U64(rs_pairing_counters(r.p)->in_flight, N);
	for (i = 0; i < N; i++) {
		unsigned int k = order[i];

		feed(&r, tp(RS_EV_END, 1000000 + i, (k + 1) % 2, 100 + k % 7,
			    0xffffc90000000000ULL + k * 64, 0x1000 + k % 13));
	}
	rs_pairing_flush(r.p);
	for (i = 0; i < r.n; i++) {
		const struct rs_walk *w = &r.w[i];

		if (w->status == RS_WALK_OK && w->start.rwc == w->end.rwc &&
		    w->duration_ns == w->end.ts - w->start.ts &&
		    w->start.ts == 1000 + (w->start.rwc - 0xffffc90000000000ULL) / 64)
			ok++;
	}
	CHECK_EQ_U64(ok, N);
	CHECK_EQ_U64(rs_pairing_counters(r.p)->max_in_flight, N);
	CHECK_EQ_U64(rs_pairing_counters(r.p)->in_flight, 0);
	free(order);
	run_end(&r);
}

/* Every event comes back exactly once, whatever happens to it. */
static void test_accounting(void)
{
	const struct rs_pairing_counters *k;
	size_t i, starts = 0, ends = 0;
	struct run r;

	run_start(&r);
	srand(99);
	for (i = 0; i < 5000; i++) {
		int pid = rand() % 4, cpu = rand() % 3;
		uint64_t rwc = 0xa000 + (rand() % 8) * 0x100;

		if (rand() % 100 < 2) {
			rs_pairing_lost(r.p, cpu, 100 + i, rand() % 5);
			continue;
		}
		if (rand() % 2) {
			feed(&r, tp(RS_EV_START, 100 + i, cpu, pid, rwc, 1));
			starts++;
		} else {
			feed(&r, tp(RS_EV_END, 100 + i, cpu, pid, rwc, 1));
			ends++;
		}
	}
	rs_pairing_flush(r.p);
	k = rs_pairing_counters(r.p);
	/* each paired walk holds a start and an end */
	CHECK_EQ_U64(k->paired * 2 + k->no_end + k->superseded + k->no_start + k->lost_walks,
		     starts + ends);
	CHECK_EQ_U64(k->paired + k->no_end + k->superseded + k->lost_walks, starts);
	CHECK_EQ_U64(k->paired + k->no_start, ends);
	CHECK_EQ_U64(r.n, k->paired + k->no_end + k->superseded + k->no_start + k->lost_walks);
	CHECK(k->no_start_lost <= k->no_start && k->no_start_lost <= k->lost_walks);
	for (i = 0; i < r.n; i++)
		if (r.w[i].status == RS_WALK_OK)
			CHECK(r.w[i].end.ts >= r.w[i].start.ts &&
			      r.w[i].start.pid == r.w[i].end.pid &&
			      r.w[i].start.rwc == r.w[i].end.rwc);
	run_end(&r);
}

/*
 * One walk of a folio through the engine: its start as the decoder makes
 * it from a trace whose start has nr_pages (nr_pages > 0) or from one
 * recorded before the field (0), its end with calls rmap_one() calls.
 */
static struct rs_walk folio_walk(enum rs_kind kind, int mapcount, unsigned int nr_pages,
				 unsigned int calls)
{
	struct rs_pairing *p = rs_pairing_new(NULL, NULL);
	struct rs_walk_event s = tp(RS_EV_START, 100, 0, 10, 0xa000, 0x1234);
	struct rs_walk_event e = tp(RS_EV_END, 250, 1, 10, 0xa000, 0x1234);
	struct rs_walk w;

	memset(&w, 0, sizeof(w));
	if (!p)
		abort();
	s.kind = e.kind = kind;
	s.kind_raw = e.kind_raw = kind;
	s.mapcount = mapcount;
	if (nr_pages) {
		s.nr_pages = nr_pages;
		s.has |= RS_HAS_NR_PAGES;
	}
	e.nr_rmap_one = calls;
	CHECK(rs_pairing_feed(p, &s, NULL) == RS_FEED_PENDING);
	CHECK(rs_pairing_feed(p, &e, &w) == RS_FEED_PAIRED);
	rs_pairing_free(p);
	return w;
}

/* Short: fewer rmap_one() calls than the mapcount at start, order-0 folios only. */
static void test_short(void)
{
	struct rs_walk w;

	/* order 0 (nr_pages 1): one call per mapping, whatever the kind */
	w = folio_walk(RS_KIND_ANON, 3, 1, 2);
	CHECK(rs_walk_is_short(&w) == 1);
	CHECK(w.start.nr_pages == 1 && (w.start.has & RS_HAS_NR_PAGES));
	w = folio_walk(RS_KIND_ANON, 3, 1, 3);
	CHECK(rs_walk_is_short(&w) == 0);
	w = folio_walk(RS_KIND_FILE, 2, 1, 1);
	CHECK(rs_walk_is_short(&w) == 1);
	w = folio_walk(RS_KIND_KSM, 256, 1, 255);
	CHECK(rs_walk_is_short(&w) == 1);
	/* a 64K folio mapped in one VMA: mapcount 16 (PTEs), one call; not short */
	w = folio_walk(RS_KIND_ANON, 16, 16, 1);
	CHECK(rs_walk_is_short(&w) == -1);
	CHECK(w.start.nr_pages == 16);
	w = folio_walk(RS_KIND_FILE, 512, 512, 0);
	CHECK(rs_walk_is_short(&w) == -1);
	/* nr_pages 0 is no folio: cannot tell */
	w = folio_walk(RS_KIND_ANON, 1, 0, 0);
	w.start.has |= RS_HAS_NR_PAGES;
	CHECK(rs_walk_is_short(&w) == -1);

	/* traces recorded before nr_pages: KSM folios are order-0, others unknown */
	w = folio_walk(RS_KIND_KSM, 3, 0, 2);
	CHECK(rs_walk_is_short(&w) == 1 && !(w.start.has & RS_HAS_NR_PAGES));
	w = folio_walk(RS_KIND_KSM, 3, 0, 3);
	CHECK(rs_walk_is_short(&w) == 0);
	w = folio_walk(RS_KIND_ANON, 3, 0, 2);
	CHECK(rs_walk_is_short(&w) == -1);
	w = folio_walk(RS_KIND_FILE, 3, 0, 2);
	CHECK(rs_walk_is_short(&w) == -1);
	w = folio_walk(RS_KIND_UNKNOWN, 3, 0, 2);
	CHECK(rs_walk_is_short(&w) == -1);
	w = folio_walk(RS_KIND_KSM, 3, 0, 2);
	w.start.has &= ~RS_HAS_KIND;
	CHECK(rs_walk_is_short(&w) == -1);

	/* no calls (kprobes), or not a walk that ran to its end */
	w = folio_walk(RS_KIND_ANON, 3, 1, 2);
	w.end.has &= ~RS_HAS_CALLS;
	CHECK(rs_walk_is_short(&w) == -1);
	w = folio_walk(RS_KIND_ANON, 3, 1, 2);
	w.start.has &= ~RS_HAS_MAPCOUNT;
	CHECK(rs_walk_is_short(&w) == -1);
	w = folio_walk(RS_KIND_ANON, 3, 1, 2);
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
	play(streams, sizeof(streams) / sizeof(streams[0]));
	RUN(test_lost_starts_bounded);
	RUN(test_kprobe_depth_bound);
	RUN(test_many_in_flight);
	RUN(test_accounting);
	RUN(test_short);
	return check_summary();
}
