/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pairing engine tests' player: one engine and the walks it passed
 * on, events made as the decoder makes them, and tables of steps (an
 * event with the answer the engine must give, a lost marker, a check of
 * the walks or counters so far), one a line, played by play(). Shared by
 * test_pairing.c and test_pairing_visits.c; the functions are static
 * inline, each test program compiles the ones it uses.
 */
#ifndef RS_TEST_PAIRING_STEPS_H
#define RS_TEST_PAIRING_STEPS_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pairing.h"
/* One engine and every walk it passed on. */
struct run {
	struct rs_pairing *p;
	struct rs_walk *w;
	size_t n, cap;
	struct rs_walk out;		/* the walk of the last end fed with a step */
};

static inline void collect(const struct rs_walk *w, void *arg)
{
	struct run *r = arg;

	r->w = check_grow(r->w, r->n, &r->cap, sizeof(*r->w));
	r->w[r->n++] = *w;
}

static inline void run_start(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->p = rs_pairing_new(collect, r);
	if (!r->p)
		abort();
}

static inline void run_end(struct run *r)
{
	rs_pairing_free(r->p);
	free(r->w);
}

static inline struct rs_walk_event tp(enum rs_ev_type type, uint64_t ts, int cpu,
				      int pid, uint64_t rwc, uint64_t pfn)
{
	struct rs_walk_event ev = {
		.type = type, .ts = ts, .cpu = cpu, .pid = pid, .rwc = rwc, .pfn = pfn,
		.kind = RS_KIND_ANON, .has = RS_HAS_PFN | RS_HAS_RWC | RS_HAS_KIND,
	};

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

static inline struct rs_walk_event kp(enum rs_ev_type type, enum rs_func func,
				      uint64_t ts, int cpu, int pid, uint64_t rwc)
{
	struct rs_walk_event ev = {
		.type = type, .func = func, .ts = ts, .cpu = cpu, .pid = pid,
		.kind = RS_KIND_UNKNOWN,
	};

	if (type == RS_EV_ENTRY) {
		ev.rwc = rwc;
		ev.has = RS_HAS_RWC;
	}
	return ev;
}

/* An entry as walk_decode.c makes it: ksm/anon/file entries know their kind. */
static inline struct rs_walk_event kpe(enum rs_func func, uint64_t ts, int cpu, int pid,
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

/* A visit as walk_decode.c makes it: n VMAs (0: the NULL that ends a loop). */
static inline struct rs_walk_event visit(uint64_t ts, int cpu, int pid, unsigned int n)
{
	struct rs_walk_event ev = {
		.type = RS_EV_VISIT, .ts = ts, .cpu = cpu, .pid = pid, .kind = RS_KIND_ANON,
		.kind_raw = RS_KIND_ANON, .vma = n ? 0xffff888004a1b000ULL : 0, .nr_visited = n,
		.has = RS_HAS_KIND | RS_HAS_VMA | RS_HAS_VISITED,
	};

	return ev;
}

static inline void feed(struct run *r, struct rs_walk_event ev)
{
	CHECK(rs_pairing_feed(r->p, &ev, NULL) != RS_FEED_ERROR);
}

static inline int feed_answer(struct run *r, struct rs_walk_event ev)
{
	return rs_pairing_feed(r->p, &ev, NULL);
}

/* The walk with this start timestamp (or end timestamp for NO_START). */
static inline const struct rs_walk *find(const struct run *r, uint64_t ts)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (rs_walk_info(&r->w[i])->ts == ts)
			return &r->w[i];
	return NULL;
}

#define ANY UINT64_MAX
/* A walk without nr_visited (VISITED). */
#define NONE (-1)

/* The walk at ts was passed on with this status and duration (ANY: any). */
static inline bool walk_is(const struct run *r, uint64_t ts, enum rs_walk_status status,
			   uint64_t duration, bool start_lost)
{
	const struct rs_walk *w = find(r, ts);

	return w && w->status == status && (duration == ANY || w->duration_ns == duration) &&
	       w->start_lost == start_lost;
}

static const struct {
	const char *name;
	size_t offset;
} counter_fields[] = {
#define COUNTER(name) { #name, offsetof(struct rs_pairing_counters, name) },
	RS_PAIRING_SUMS(COUNTER)
	COUNTER(max_in_flight)
#undef COUNTER
};

/* The walk at ts has nr_visited n (NONE: says none). */
static inline bool walk_visited(const struct run *r, uint64_t ts, int n)
{
	const struct rs_walk *w = find(r, ts);

	if (!w)
		return false;
	if (n == NONE)
		return !(w->end.has & RS_HAS_VISITED);
	return (w->end.has & RS_HAS_VISITED) && w->end.nr_visited == (unsigned int)n;
}

/*
 * want is "name=value ...": each a counter of rs_pairing_counters, or
 * "walks", the number of walks passed on so far.
 */
static inline void expect_counters(const struct run *r, const char *want)
{
	const struct rs_pairing_counters *k = rs_pairing_counters(r->p);
	char name[32];
	unsigned long long value, got;
	int used;
	size_t i;

	while (sscanf(want, " %31[a-z_]=%llu%n", name, &value, &used) == 2) {
		want += used;
		if (!strcmp(name, "walks")) {
			got = r->n;
		} else {
			for (i = 0; i < sizeof(counter_fields) / sizeof(counter_fields[0]); i++)
				if (!strcmp(name, counter_fields[i].name))
					break;
			if (i == sizeof(counter_fields) / sizeof(counter_fields[0])) {
				fprintf(stderr, "no counter named %s\n", name);
				abort();
			}
			got = *(const uint64_t *)((const char *)k + counter_fields[i].offset);
		}
		check_count++;
		if (got != value) {
			check_failures++;
			fprintf(stderr, "counter %s == %llu, expected %llu\n", name, got, value);
		}
	}
	if (*want) {
		fprintf(stderr, "bad counters text at '%s'\n", want);
		abort();
	}
}

/* ---- the streams written by hand ---- */

enum op {
	OP_TEST,	/* a new engine for the test named name */
	OP_EVENT,	/* feed the event; has_want: the engine must answer want */
	OP_LOST,	/* rs_pairing_lost(cpu, ts, missed) */
	OP_FLUSH,	/* the end of the trace */
	OP_WALK,	/* walk_is(ts, want, duration, start_lost) */
	OP_COUNTERS,	/* expect_counters(name) */
	OP_OUT_KIND,	/* the walk of the last answer checked has kind want */
	OP_VISITED,	/* the walk at ts has nr_visited want (NONE: none) */
	OP_CALL,	/* a check of its own */
};

struct step {
	enum op op;
	const char *name;		/* TEST: the test; COUNTERS: the counters */
	enum rs_ev_type type;
	enum rs_func func;		/* RS_FUNC_NONE: a tracepoint event */
	bool kind_known;		/* a kprobe entry as walk_decode.c makes it */
	bool visits;			/* that, in a trace with visit events */
	unsigned int nr;		/* a visit: nr_visited */
	uint64_t ts;
	int cpu, pid;
	uint64_t rwc, pfn;
	bool has_want;
	int want;			/* EVENT: the answer; WALK: the status; OUT_KIND;
					   VISITED */
	uint64_t duration;		/* of the answer's walk, or of the WALK */
	long long missed;		/* LOST */
	bool start_lost;		/* WALK */
	void (*call)(const struct run *r);
};

#define EV(type_, func_, known_, ts_, cpu_, pid_, rwc_, pfn_) \
	.op = OP_EVENT, .type = type_, .func = func_, .kind_known = known_, .ts = ts_, \
	.cpu = cpu_, .pid = pid_, .rwc = rwc_, .pfn = pfn_
#define WANT(want_, duration_) .has_want = true, .want = RS_FEED_##want_, .duration = duration_

#define TEST(name_)	{ .op = OP_TEST, .name = name_ }
/* Tracepoint start and end; an end and the answer it must get. */
#define S(ts, cpu, pid, rwc, pfn) { EV(RS_EV_START, RS_FUNC_NONE, false, ts, cpu, pid, rwc, pfn) }
#define E(ts, cpu, pid, rwc, pfn) { EV(RS_EV_END, RS_FUNC_NONE, false, ts, cpu, pid, rwc, pfn) }
#define E_IS(ts, cpu, pid, rwc, pfn, want, duration) \
	{ EV(RS_EV_END, RS_FUNC_NONE, false, ts, cpu, pid, rwc, pfn), WANT(want, duration) }
/* Kprobe entry: KIN as kp() makes it (kind unknown), KINK as kpe(). Exit. */
#define KIN(func, ts, cpu, pid, rwc) \
	{ EV(RS_EV_ENTRY, RS_FUNC_##func, false, ts, cpu, pid, rwc, 0) }
#define KINK(func, ts, cpu, pid, rwc) \
	{ EV(RS_EV_ENTRY, RS_FUNC_##func, true, ts, cpu, pid, rwc, 0) }
/* KINV: a KINK in a trace with the visit events (RS_HAS_VISIT_COUNT). */
#define KINV(func, ts, cpu, pid, rwc) \
	{ EV(RS_EV_ENTRY, RS_FUNC_##func, true, ts, cpu, pid, rwc, 0), .visits = true }
#define KOUT(func, ts, cpu, pid) { EV(RS_EV_EXIT, RS_FUNC_##func, false, ts, cpu, pid, 0, 0) }
#define KOUT_IS(func, ts, cpu, pid, want, duration) \
	{ EV(RS_EV_EXIT, RS_FUNC_##func, false, ts, cpu, pid, 0, 0), WANT(want, duration) }
#define LOST(cpu_, ts_, missed_) { .op = OP_LOST, .cpu = cpu_, .ts = ts_, .missed = missed_ }
#define FLUSH		{ .op = OP_FLUSH }
#define WALK(ts_, status_, duration_) \
	{ .op = OP_WALK, .ts = ts_, .want = RS_WALK_##status_, .duration = duration_ }
/* An end whose start was dropped for lost events. */
#define WALK_START_LOST(ts_) \
	{ .op = OP_WALK, .ts = ts_, .want = RS_WALK_NO_START, .duration = 0, .start_lost = true }
#define COUNTERS(text)	{ .op = OP_COUNTERS, .name = text }
#define OUT_KIND(kind_)	{ .op = OP_OUT_KIND, .want = RS_KIND_##kind_ }
#define CALL(fn)	{ .op = OP_CALL, .call = fn }
/* A visit of n VMAs; one and the answer it must get (VISIT or VISIT_OUTSIDE). */
#define V(ts, cpu, pid, n) { EV(RS_EV_VISIT, RS_FUNC_NONE, false, ts, cpu, pid, 0, 0), .nr = n }
#define V_IS(ts, cpu, pid, n, want) \
	{ EV(RS_EV_VISIT, RS_FUNC_NONE, false, ts, cpu, pid, 0, 0), .nr = n, WANT(want, ANY) }
/* The walk whose start (or, without one, end) is at ts has n visits, or NONE. */
#define VISITED(ts_, n)	{ .op = OP_VISITED, .ts = ts_, .want = n }

static inline void step_check(bool ok, const char *test, const struct step *s, const char *what)
{
	static const char * const op_names[] = {
		[OP_EVENT] = "event", [OP_FLUSH] = "flush", [OP_WALK] = "walk",
		[OP_OUT_KIND] = "kind", [OP_VISITED] = "visited",
	};

	check_count++;
	if (ok)
		return;
	check_failures++;
	fprintf(stderr, "%s: %s at ts %llu: check failed: %s\n", test, op_names[s->op],
		(unsigned long long)s->ts, what);
}

#define STEP_CHECK(cond) step_check((cond), test, s, #cond)

/*
 * Feeds the event of s. An answer is checked with the walk it comes
 * with: paired or nested walks last from their start to this end, an
 * end without start has no duration and says whether its start was
 * dropped.
 */
static inline void play_event(struct run *r, const char *test, const struct step *s)
{
	struct rs_walk_event ev;
	int ret;

	if (s->type == RS_EV_VISIT)
		ev = visit(s->ts, s->cpu, s->pid, s->nr);
	else if (s->func == RS_FUNC_NONE)
		ev = tp(s->type, s->ts, s->cpu, s->pid, s->rwc, s->pfn);
	else if (s->kind_known)
		ev = kpe(s->func, s->ts, s->cpu, s->pid, s->rwc);
	else
		ev = kp(s->type, s->func, s->ts, s->cpu, s->pid, s->rwc);
	if (s->visits)
		ev.has |= RS_HAS_VISIT_COUNT;
	if (!s->has_want) {
		feed(r, ev);
		return;
	}
	ret = rs_pairing_feed(r->p, &ev, &r->out);
	STEP_CHECK(ret == s->want);
	if (ret == RS_FEED_PAIRED || ret == RS_FEED_NESTED) {
		STEP_CHECK(r->out.status == (ret == RS_FEED_PAIRED ? RS_WALK_OK : RS_WALK_NESTED));
		STEP_CHECK(r->out.end.ts == s->ts &&
			   r->out.duration_ns == r->out.end.ts - r->out.start.ts);
	} else if (ret == RS_FEED_NO_START || ret == RS_FEED_START_LOST) {
		STEP_CHECK(r->out.status == RS_WALK_NO_START);
		STEP_CHECK(r->out.start_lost == (ret == RS_FEED_START_LOST));
	}
	if (s->duration != ANY)
		STEP_CHECK(r->out.duration_ns == s->duration);
}

/* Plays the steps; prints each test as RUN() does. */
static inline void play(const struct step *steps, size_t n)
{
	const char *test = NULL;
	int before = 0;
	struct run r;
	size_t i;

	for (i = 0; i <= n; i++) {
		const struct step *s = &steps[i];

		if (i == n || s->op == OP_TEST) {
			if (test) {
				run_end(&r);
				printf("%s %s\n", check_failures == before ? "ok  " : "FAIL", test);
			}
			if (i == n)
				break;
			test = s->name;
			before = check_failures;
			run_start(&r);
			continue;
		}
		switch (s->op) {
		case OP_EVENT:
			play_event(&r, test, s);
			break;
		case OP_LOST:
			rs_pairing_lost(r.p, s->cpu, s->ts, s->missed);
			break;
		case OP_FLUSH:
			STEP_CHECK(rs_pairing_flush(r.p) == 0);
			break;
		case OP_WALK:
			STEP_CHECK(walk_is(&r, s->ts, s->want, s->duration, s->start_lost));
			break;
		case OP_COUNTERS:
			expect_counters(&r, s->name);
			break;
		case OP_OUT_KIND:
			STEP_CHECK(r.out.start.kind == (enum rs_kind)s->want);
			break;
		case OP_VISITED:
			STEP_CHECK(walk_visited(&r, s->ts, s->want));
			break;
		default:
			s->call(&r);
		}
	}
}

#endif
