// SPDX-License-Identifier: GPL-2.0-only
/*
 * Visit counting of the pairing engine on synthetic event streams: visits
 * go to the innermost kprobe walk in flight on their task (an inner pair
 * that folds into its rmap_walk hands its visits on), to no walk of
 * another task, to visits_outside when the task has none; walks of traces
 * without visit events and tracepoint walks are left as they were; a walk
 * whose visits may have been lost (events lost on a CPU its task was seen
 * on, before or after) says none.
 *
 * Steps as in test_pairing.c (pairing_steps.h); KINV is a kprobe entry in
 * a trace with visit events, V a visit, VISITED the count a walk ended
 * with.
 */
#include "pairing_steps.h"

static const struct step streams[] = {
	TEST("test_visits_counted"),
	KINV(RMAP_WALK_ANON, 100, 0, 10, 0xa000),
	V_IS(110, 0, 10, 1, VISIT), V(120, 0, 10, 1), V(125, 0, 10, 0),
	KOUT_IS(RMAP_WALK_ANON, 130, 0, 10, PAIRED, 30),
	/* none: 0, not unknown */
	KINV(RMAP_WALK_FILE, 200, 0, 10, 0xa100), KOUT(RMAP_WALK_FILE, 210, 0, 10),
	/* a reader's merged visits count as many */
	KINV(RMAP_WALK_KSM, 300, 1, 10, 0xa200), V(310, 1, 10, 4096), V(311, 1, 10, 1),
	KOUT(RMAP_WALK_KSM, 320, 1, 10),
	FLUSH,
	VISITED(100, 2), VISITED(200, 0), VISITED(300, 4097),
	COUNTERS("visits=4099 visits_outside=0 visits_incomplete=0 events=6 paired=3"),

	/* Visits of other tasks, or of no walk, are not counted into a walk. */
	TEST("test_visits_per_task"),
	V_IS(50, 0, 10, 1, VISIT_OUTSIDE),
	KINV(RMAP_WALK_ANON, 100, 0, 10, 0xa000), KINV(RMAP_WALK_FILE, 105, 1, 20, 0xb000),
	V(110, 0, 10, 1), V(111, 1, 20, 1), V(112, 1, 20, 1), V_IS(113, 2, 30, 1, VISIT_OUTSIDE),
	KOUT(RMAP_WALK_ANON, 120, 0, 10), V_IS(125, 0, 10, 1, VISIT_OUTSIDE),
	KOUT(RMAP_WALK_FILE, 130, 1, 20),
	FLUSH,
	VISITED(100, 1), VISITED(105, 2),
	COUNTERS("visits=6 visits_outside=3 paired=2"),

	/*
	 * rmap_walk -> rmap_walk_ksm: the inner pair carries its own visits,
	 * the walk (the outer exit, the one statistics count) all of them.
	 */
	TEST("test_visits_nested"),
	KINV(RMAP_WALK, 100, 0, 10, 0xa000), V(105, 0, 10, 1),
	KINV(RMAP_WALK_KSM, 110, 0, 10, 0xa000), V(120, 0, 10, 1), V(121, 0, 10, 1), V(122, 0, 10, 1),
	KOUT_IS(RMAP_WALK_KSM, 130, 0, 10, NESTED, 20), VISITED(110, 3),
	V(135, 0, 10, 1),
	KOUT_IS(RMAP_WALK, 140, 0, 10, PAIRED, 40), VISITED(100, 5),
	/* a walk of another rwc inside an rmap_walk is a walk of its own */
	KINV(RMAP_WALK, 200, 0, 10, 0xa000), V(205, 0, 10, 1),
	KINV(RMAP_WALK_ANON, 210, 0, 10, 0xb000), V(220, 0, 10, 1), V(221, 0, 10, 1),
	KOUT_IS(RMAP_WALK_ANON, 230, 0, 10, PAIRED, 20), VISITED(210, 2),
	KOUT_IS(RMAP_WALK, 240, 0, 10, PAIRED, 40), VISITED(200, 1),
	FLUSH,
	COUNTERS("visits=8 visits_outside=0 nested=1 paired=3"),

	/*
	 * No visit events in the trace (entries without RS_HAS_VISIT_COUNT):
	 * kprobe walks say nothing, tracepoint walks keep their own count.
	 */
	TEST("test_visits_not_in_trace"),
	KINK(RMAP_WALK_ANON, 100, 0, 10, 0xa000), KOUT(RMAP_WALK_ANON, 110, 0, 10),
	S(200, 0, 10, 0xa000, 5), V_IS(205, 0, 10, 1, VISIT_OUTSIDE), E(210, 0, 10, 0xa000, 5),
	FLUSH,
	VISITED(100, NONE), VISITED(200, 7),
	COUNTERS("visits=1 visits_outside=1 visits_incomplete=0 paired=2"),

	/* Lost on the walk's CPU: the walk is dropped, its visits are outside. */
	TEST("test_visits_lost_walk"),
	KINV(RMAP_WALK_ANON, 100, 0, 10, 0xa000), V(110, 0, 10, 1), LOST(0, 120, 5),
	V_IS(130, 0, 10, 1, VISIT_OUTSIDE), KOUT_IS(RMAP_WALK_ANON, 140, 0, 10, START_LOST, 0),
	FLUSH,
	WALK(100, LOST, ANY), VISITED(140, NONE),
	COUNTERS("visits=2 visits_outside=1 lost_walks=1 visits_incomplete=0"),

	/*
	 * Lost on a CPU the walk's task was seen on, not its start's: it
	 * still pairs (as test_lost_other_cpu_keeps_migrated_walk), its
	 * visit count does not. Lost on a CPU it never was on: exact.
	 */
	TEST("test_visits_lost_where_task_was"),
	KINV(RMAP_WALK_ANON, 100, 0, 10, 0xa000), V(110, 1, 10, 1), LOST(1, 120, 5), V(130, 1, 10, 1),
	KOUT_IS(RMAP_WALK_ANON, 140, 1, 10, PAIRED, 40),
	KINV(RMAP_WALK_ANON, 200, 0, 10, 0xa100), V(210, 0, 10, 1), LOST(1, 220, 5), V(230, 0, 10, 1),
	KOUT_IS(RMAP_WALK_ANON, 240, 0, 10, PAIRED, 40),
	FLUSH,
	VISITED(100, NONE), VISITED(200, 2),
	COUNTERS("visits=4 visits_incomplete=1 paired=2"),

	/*
	 * Lost on a CPU before the task shows up there: its visits there may
	 * be among the lost ones (a visit, or only its exit, says it was
	 * there). A walk that started after the loss is not concerned.
	 */
	TEST("test_visits_lost_before_task_came"),
	KINV(RMAP_WALK_ANON, 100, 0, 10, 0xa000), LOST(1, 105, -1), V(110, 1, 10, 1),
	KOUT(RMAP_WALK_ANON, 120, 1, 10),
	KINV(RMAP_WALK_FILE, 200, 0, 10, 0xa100), V(205, 0, 10, 1), LOST(1, 207, 2),
	KOUT(RMAP_WALK_FILE, 210, 1, 10),
	KINV(RMAP_WALK_FILE, 300, 0, 20, 0xb000), V(305, 1, 20, 1), KOUT(RMAP_WALK_FILE, 310, 1, 20),
	FLUSH,
	VISITED(100, NONE), VISITED(200, NONE), VISITED(300, 1),
	COUNTERS("visits=3 visits_incomplete=2 paired=3"),

	/*
	 * The inner pair's visits may have been lost: the nested walk and
	 * the walk it folds into say none. An inner pair dropped for lost
	 * events takes its visits away from the outer walk, which says none.
	 */
	TEST("test_visits_lost_inner"),
	KINV(RMAP_WALK, 100, 0, 10, 0xa000), KINV(RMAP_WALK_KSM, 110, 0, 10, 0xa000),
	V(120, 1, 10, 1), LOST(1, 125, 1), V(130, 1, 10, 1),
	KOUT_IS(RMAP_WALK_KSM, 140, 1, 10, NESTED, 30), KOUT_IS(RMAP_WALK, 150, 1, 10, PAIRED, 50),
	KINV(RMAP_WALK, 200, 0, 10, 0xa100), KINV(RMAP_WALK_FILE, 210, 1, 10, 0xa100),
	V(220, 1, 10, 1), LOST(1, 225, 1), V_IS(230, 1, 10, 1, VISIT),
	KOUT_IS(RMAP_WALK_FILE, 240, 1, 10, START_LOST, 0), KOUT_IS(RMAP_WALK, 250, 1, 10, PAIRED, 50),
	FLUSH,
	VISITED(110, NONE), VISITED(100, NONE), WALK(210, LOST, ANY), VISITED(200, NONE),
	COUNTERS("visits=4 visits_outside=0 visits_incomplete=3 nested=1 paired=2"),

	/* Lost on an unknown CPU: every walk in flight is dropped. */
	TEST("test_visits_lost_anywhere"),
	KINV(RMAP_WALK_ANON, 100, 0, 10, 0xa000), KINV(RMAP_WALK_FILE, 105, 1, 20, 0xb000),
	V(110, 0, 10, 1), LOST(-1, 120, -1),
	V_IS(130, 0, 10, 1, VISIT_OUTSIDE), V_IS(131, 1, 20, 1, VISIT_OUTSIDE),
	KINV(RMAP_WALK_ANON, 200, 2, 10, 0xa100), V(210, 3, 10, 1), KOUT(RMAP_WALK_ANON, 220, 3, 10),
	FLUSH,
	VISITED(200, 1),
	COUNTERS("visits=4 visits_outside=2 lost_walks=2 paired=1 visits_incomplete=0"),
};

/* A kprobe entry as walk_decode.c makes it in a trace with visit events. */
static struct rs_walk_event kpv(enum rs_func func, uint64_t ts, int cpu, int pid, uint64_t rwc)
{
	struct rs_walk_event ev = kpe(func, ts, cpu, pid, rwc);

	ev.has |= RS_HAS_VISIT_COUNT;
	return ev;
}

/* A visit whose record was too short to say whether it visited one. */
static struct rs_walk_event mute(struct rs_walk_event ev)
{
	ev.has &= ~RS_HAS_VISITED;
	return ev;
}

/* Feeds the exit of func on task 10; the walk goes to r->out. */
static int exit_answer(struct run *r, enum rs_func func, uint64_t ts)
{
	struct rs_walk_event ev = kp(RS_EV_EXIT, func, ts, 0, 10, 0);

	return rs_pairing_feed(r->p, &ev, &r->out);
}

/* A visit that cannot say whether it visited one: its walk cannot say either. */
static void test_visit_unknown(void)
{
	struct run r;

	run_start(&r);
	/* an entry without RS_HAS_VISIT_COUNT: nothing to say, nothing incomplete */
	feed(&r, kpe(RS_FUNC_RMAP_WALK_ANON, 100, 0, 10, 0xa000));
	CHECK(feed_answer(&r, mute(visit(110, 0, 10, 0))) == RS_FEED_VISIT);
	CHECK(exit_answer(&r, RS_FUNC_RMAP_WALK_ANON, 120) == RS_FEED_PAIRED);
	CHECK(!(r.out.end.has & RS_HAS_VISITED));
	expect_counters(&r, "visits=0 visits_incomplete=0");
	feed(&r, kpv(RS_FUNC_RMAP_WALK_ANON, 200, 0, 10, 0xa000));
	feed(&r, mute(visit(210, 0, 10, 1)));
	CHECK(exit_answer(&r, RS_FUNC_RMAP_WALK_ANON, 220) == RS_FEED_PAIRED);
	CHECK(!(r.out.end.has & RS_HAS_VISITED));
	expect_counters(&r, "visits_incomplete=1");
	/* in an inner pair: the walk it folds into cannot say either */
	feed(&r, kpv(RS_FUNC_RMAP_WALK, 300, 0, 10, 0xa100));
	feed(&r, kpv(RS_FUNC_RMAP_WALK_KSM, 305, 0, 10, 0xa100));
	feed(&r, mute(visit(310, 0, 10, 1)));
	CHECK(exit_answer(&r, RS_FUNC_RMAP_WALK_KSM, 320) == RS_FEED_NESTED);
	CHECK(exit_answer(&r, RS_FUNC_RMAP_WALK, 330) == RS_FEED_PAIRED);
	CHECK(!(r.out.end.has & RS_HAS_VISITED));
	expect_counters(&r, "visits_incomplete=3");
	run_end(&r);
}

/*
 * A million visits of one walk among a few other tasks' walks: counted
 * exactly, and the engine holds no more than the walks in flight.
 */
static void test_many_visits(void)
{
	enum { N = 1000000, TASKS = 8 };
	struct run r;
	int t;
	size_t i;

	run_start(&r);
	for (t = 0; t < TASKS; t++)
		feed(&r, kpv(RS_FUNC_RMAP_WALK_KSM, 100 + t, t % 2, 10 + t, 0xa000 + t));
	for (i = 0; i < N; i++)
		feed(&r, visit(1000 + i, (int)(i % TASKS) % 2, 10 + (int)(i % TASKS), 1));
	for (t = 0; t < TASKS; t++)
		feed(&r, kp(RS_EV_EXIT, RS_FUNC_RMAP_WALK_KSM, 2000000 + t, t % 2, 10 + t, 0));
	for (t = 0; t < TASKS; t++)
		CHECK(walk_visited(&r, 100 + t, N / TASKS));
	CHECK_EQ_U64(rs_pairing_counters(r.p)->max_in_flight, TASKS);
	CHECK_EQ_U64(rs_pairing_counters(r.p)->visits, N);
	run_end(&r);
}

int main(void)
{
	play(streams, sizeof(streams) / sizeof(streams[0]));
	RUN(test_visit_unknown);
	RUN(test_many_visits);
	return check_summary();
}
