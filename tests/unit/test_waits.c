// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lock-wait attribution engine on synthetic event streams, wired as
 * waits.h says: walk events go to a real pairing engine first, whose
 * callback hands every walk record to rs_waits_walk(); every event then
 * goes to rs_waits_feed(). Each test checks the waits passed to on_wait
 * (cause, proof, blocked time, the walk blamed), the collateral passed to
 * on_walk, what rs_waits_walk() said at each walk's end, the order of
 * the callbacks and the counters, as exact numbers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pairing.h"
#include "waits.h"

#define L1	0xffff888004a10008ULL
#define L2	0xffff888004a20008ULL
#define L3	0xffff888004a30008ULL

#define RD	RS_LCB_F_READ
#define WR	RS_LCB_F_WRITE
#define SPIN	RS_LCB_F_SPIN

/* A walk record and what rs_waits_walk() said of its waiters. */
struct record {
	struct rs_walk walk;
	struct rs_waiters so_far;
};

struct run {
	struct rs_pairing *p;
	struct rs_waits *w;
	struct rs_wait *waits;
	size_t nw, capw;
	struct rs_collateral *colls;
	size_t nc, capc;
	struct record *recs;
	size_t nr, capr;
	/* the callbacks in order: R record, W wait, C collateral */
	char log[64];
	size_t nlog;
};

static void log_call(struct run *r, char c)
{
	if (r->nlog < sizeof(r->log) - 1)
		r->log[r->nlog++] = c;
}

static void on_record(const struct rs_walk *walk, void *arg)
{
	struct run *r = arg;
	struct record *rec;

	r->recs = check_grow(r->recs, r->nr, &r->capr, sizeof(*r->recs));
	rec = &r->recs[r->nr++];
	rec->walk = *walk;
	/* before the call: the walk's collateral may come out of it */
	log_call(r, 'R');
	CHECK(rs_waits_walk(r->w, walk, &rec->so_far) == 0);
}

static void on_wait(const struct rs_wait *wait, void *arg)
{
	struct run *r = arg;

	r->waits = check_grow(r->waits, r->nw, &r->capw, sizeof(*r->waits));
	r->waits[r->nw++] = *wait;
	log_call(r, 'W');
}

static void on_walk(const struct rs_collateral *c, void *arg)
{
	struct run *r = arg;

	r->colls = check_grow(r->colls, r->nc, &r->capc, sizeof(*r->colls));
	r->colls[r->nc++] = *c;
	log_call(r, 'C');
}

static void run_start(struct run *r, bool holds)
{
	memset(r, 0, sizeof(*r));
	r->p = rs_pairing_new(on_record, r);
	r->w = rs_waits_new(on_wait, on_walk, r, holds);
	if (!r->p || !r->w)
		abort();
}

static void run_end(struct run *r)
{
	rs_pairing_free(r->p);
	rs_waits_free(r->w);
	free(r->waits);
	free(r->colls);
	free(r->recs);
}

/* ---- events, as the decoder makes them ---- */

static struct rs_walk_event ev_at(enum rs_ev_type type, uint64_t ts, int cpu, int pid)
{
	struct rs_walk_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.ts = ts;
	ev.cpu = cpu;
	ev.pid = pid;
	ev.kind = RS_KIND_UNKNOWN;
	snprintf(ev.comm, sizeof(ev.comm), "task-%d", pid);
	return ev;
}

/* Tracepoint start and end of an anon walk (rwc, and pfn 0x1000). */
static struct rs_walk_event tp(enum rs_ev_type type, uint64_t ts, int cpu, int pid,
			       uint64_t rwc, enum rs_kind kind)
{
	struct rs_walk_event ev = ev_at(type, ts, cpu, pid);

	ev.rwc = rwc;
	ev.pfn = 0x1000;
	ev.kind = kind;
	ev.kind_raw = kind;
	ev.has = RS_HAS_PFN | RS_HAS_RWC | RS_HAS_KIND;
	return ev;
}

static struct rs_walk_event kprobe(enum rs_ev_type type, enum rs_func func, uint64_t ts,
				   int cpu, int pid, uint64_t rwc)
{
	struct rs_walk_event ev = ev_at(type, ts, cpu, pid);

	ev.func = func;
	if (type == RS_EV_ENTRY) {
		ev.rwc = rwc;
		ev.has = RS_HAS_RWC;
		ev.kind = rs_func_kind(func);
		if (ev.kind != RS_KIND_UNKNOWN) {
			ev.kind_raw = ev.kind;
			ev.has |= RS_HAS_KIND;
		}
	}
	return ev;
}

static struct rs_walk_event lock_ev(enum rs_ev_type type, uint64_t ts, int cpu, int pid,
				    uint64_t lock, unsigned int flags)
{
	struct rs_walk_event ev = ev_at(type, ts, cpu, pid);

	ev.lock = lock;
	ev.lock_flags = flags;
	ev.has = RS_HAS_LOCK;
	return ev;
}

static void feed(struct run *r, struct rs_walk_event ev)
{
	if (ev.type <= RS_EV_VISIT)
		CHECK(rs_pairing_feed(r->p, &ev, NULL) != RS_FEED_ERROR);
	CHECK(rs_waits_feed(r->w, &ev) == 0);
}

static void start(struct run *r, uint64_t ts, int cpu, int pid, uint64_t rwc)
{
	feed(r, tp(RS_EV_START, ts, cpu, pid, rwc, RS_KIND_ANON));
}

static void start_ksm(struct run *r, uint64_t ts, int cpu, int pid, uint64_t rwc)
{
	feed(r, tp(RS_EV_START, ts, cpu, pid, rwc, RS_KIND_KSM));
}

static void end(struct run *r, uint64_t ts, int cpu, int pid, uint64_t rwc)
{
	feed(r, tp(RS_EV_END, ts, cpu, pid, rwc, RS_KIND_ANON));
}

static void entry(struct run *r, enum rs_func func, uint64_t ts, int cpu, int pid, uint64_t rwc)
{
	feed(r, kprobe(RS_EV_ENTRY, func, ts, cpu, pid, rwc));
}

static void exit_(struct run *r, enum rs_func func, uint64_t ts, int cpu, int pid)
{
	feed(r, kprobe(RS_EV_EXIT, func, ts, cpu, pid, 0));
}

static void hold(struct run *r, uint64_t ts, int cpu, int pid, uint64_t lock)
{
	feed(r, lock_ev(RS_EV_HOLD, ts, cpu, pid, lock, 0));
}

static void wait_(struct run *r, uint64_t ts, int cpu, int pid, uint64_t lock, unsigned int flags)
{
	feed(r, lock_ev(RS_EV_WAIT, ts, cpu, pid, lock, flags));
}

static void wake(struct run *r, uint64_t ts, int cpu, int pid, uint64_t lock)
{
	feed(r, lock_ev(RS_EV_WAKE, ts, cpu, pid, lock, 0));
}

/* An event the engine does not use: it only moves "the last ts seen". */
static void other(struct run *r, uint64_t ts, int cpu, int pid)
{
	feed(r, ev_at(RS_EV_OP, ts, cpu, pid));
}

static void lost(struct run *r, int cpu, uint64_t ts)
{
	rs_pairing_lost(r->p, cpu, ts, 5);
	rs_waits_lost(r->w, cpu, ts);
}

static void flush(struct run *r)
{
	CHECK(rs_pairing_flush(r->p) == 0);
	CHECK(rs_waits_flush(r->w) == 0);
}

/* ---- checks ---- */

static const struct rs_wait *find_wait(const struct run *r, int pid, uint64_t begin)
{
	size_t i;

	for (i = 0; i < r->nw; i++)
		if (r->waits[i].pid == pid && r->waits[i].begin == begin)
			return &r->waits[i];
	return NULL;
}

/*
 * The wait of pid that began at begin was passed on once, ending at end,
 * with this cause, proof, blocked time and walk (walk_pid, walk_ts).
 */
static bool wait_is(const struct run *r, int pid, uint64_t begin, uint64_t end_ts,
		    bool complete, enum rs_wait_cause cause, enum rs_wait_proof proof,
		    uint64_t blocked, int walk_pid, uint64_t walk_ts)
{
	const struct rs_wait *w = find_wait(r, pid, begin);
	size_t i, n = 0;

	for (i = 0; i < r->nw; i++)
		n += r->waits[i].pid == pid && r->waits[i].begin == begin;
	if (w && n == 1 && w->end == end_ts && w->complete == complete && w->cause == cause &&
	    w->proof == proof && w->blocked_ns == blocked && w->walk_pid == walk_pid &&
	    w->walk_ts == walk_ts)
		return true;
	if (!w) {
		fprintf(stderr, "  no wait of pid %d at %llu\n", pid, (unsigned long long)begin);
		return false;
	}
	fprintf(stderr, "  wait of pid %d at %llu (x%zu): end %llu complete %d %s %s "
		"blocked %llu walk %d/%llu\n", pid, (unsigned long long)begin, n,
		(unsigned long long)w->end, w->complete, rs_wait_cause_name(w->cause),
		rs_wait_proof_name(w->proof), (unsigned long long)w->blocked_ns, w->walk_pid,
		(unsigned long long)w->walk_ts);
	return false;
}

/* The collateral of the walk of pid that started at ts, passed on exactly once. */
static const struct rs_collateral *find_coll(const struct run *r, int pid, uint64_t ts)
{
	const struct rs_collateral *found = NULL;
	size_t i, n = 0;

	for (i = 0; i < r->nc; i++) {
		if (r->colls[i].walk.start.pid == pid && r->colls[i].walk.start.ts == ts) {
			found = &r->colls[i];
			n++;
		}
	}
	return n == 1 ? found : NULL;
}

static bool coll_is(const struct run *r, int pid, uint64_t ts, enum rs_walk_status status,
		    unsigned int direct, uint64_t direct_ns, unsigned int indirect,
		    uint64_t indirect_ns, uint64_t max_ns, unsigned int tasks,
		    enum rs_wait_proof proof)
{
	const struct rs_collateral *c = find_coll(r, pid, ts);

	if (c && c->walk.status == status && c->direct == direct && c->direct_ns == direct_ns &&
	    c->indirect == indirect && c->indirect_ns == indirect_ns && c->max_ns == max_ns &&
	    c->tasks == tasks && c->proof == proof)
		return true;
	if (!c) {
		fprintf(stderr, "  no single collateral of walk %d/%llu\n", pid,
			(unsigned long long)ts);
		return false;
	}
	fprintf(stderr, "  collateral of walk %d/%llu: %s direct %u/%llu indirect %u/%llu "
		"max %llu tasks %u %s\n", pid, (unsigned long long)ts,
		rs_walk_status_name(c->walk.status), c->direct, (unsigned long long)c->direct_ns,
		c->indirect, (unsigned long long)c->indirect_ns, (unsigned long long)c->max_ns,
		c->tasks, rs_wait_proof_name(c->proof));
	return false;
}

/* What rs_waits_walk() said for the record of pid's walk started at ts, with status. */
static bool so_far_is(const struct run *r, int pid, uint64_t ts, enum rs_walk_status status,
		      unsigned int waiters, uint64_t waited_ns)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		const struct record *rec = &r->recs[i];

		if (rec->walk.start.pid != pid || rec->walk.start.ts != ts ||
		    rec->walk.status != status)
			continue;
		if (rec->so_far.waiters == waiters && rec->so_far.waited_ns == waited_ns)
			return true;
		fprintf(stderr, "  so far of walk %d/%llu: %u waiters, %llu ns\n", pid,
			(unsigned long long)ts, rec->so_far.waiters,
			(unsigned long long)rec->so_far.waited_ns);
		return false;
	}
	fprintf(stderr, "  no %s record of walk %d/%llu\n", rs_walk_status_name(status), pid,
		(unsigned long long)ts);
	return false;
}

static bool log_is(const struct run *r, const char *want)
{
	if (r->nlog == strlen(want) && !memcmp(r->log, want, r->nlog))
		return true;
	fprintf(stderr, "  callbacks %.*s, expected %s\n", (int)r->nlog, r->log, want);
	return false;
}

static const struct {
	const char *name;
	size_t offset;
} counter_fields[] = {
#define COUNTER(name) { #name, offsetof(struct rs_waits_counters, name) },
	RS_WAITS_SUMS(COUNTER)
#undef COUNTER
};

/* want is "name=value ...", each a counter of rs_waits_counters; the others are 0. */
static void expect_counters(const struct rs_waits_counters *k, const char *want)
{
	size_t nf = sizeof(counter_fields) / sizeof(counter_fields[0]), i;
	unsigned long long value[sizeof(counter_fields) / sizeof(counter_fields[0])] = { 0 };
	unsigned long long v, got;
	char name[32];
	int used;

	while (sscanf(want, " %31[a-z_]=%llu%n", name, &v, &used) == 2) {
		want += used;
		for (i = 0; i < nf && strcmp(name, counter_fields[i].name); i++)
			;
		if (i == nf) {
			fprintf(stderr, "no counter named %s\n", name);
			abort();
		}
		value[i] = v;
	}
	if (*want) {
		fprintf(stderr, "bad counters text at '%s'\n", want);
		abort();
	}
	for (i = 0; i < nf; i++) {
		got = *(const uint64_t *)((const char *)k + counter_fields[i].offset);
		CHECKF(got == value[i], "counter %s == %llu, expected %llu",
		       counter_fields[i].name, got, value[i]);
	}
}

/* ---- the tests ---- */

/*
 * An anon walk holds its anon_vma's lock; mprotect waits to write it.
 * It waited from its begin to the walk's end; the walk's collateral comes
 * once, after both the walk's record and the wake.
 */
static void test_anon_direct(void)
{
	struct run r;

	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 150, 1, 20, L1, WR);
	end(&r, 400, 0, 10, 0xa000);
	CHECK(r.nc == 0 && r.nw == 0);
	CHECK(so_far_is(&r, 10, 100, RS_WALK_OK, 1, 250));
	wake(&r, 420, 1, 20, L1);
	CHECK(wait_is(&r, 20, 150, 420, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 250, 10, 100));
	CHECK(r.nw == 1 && !strcmp(r.waits[0].comm, "task-20") && r.waits[0].cpu == 1 &&
	      r.waits[0].lock == L1 && r.waits[0].flags == WR);
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 1, 250, 0, 0, 250, 1, RS_PROOF_LOCK));
	CHECK(r.nc == 1 && r.colls[0].walk.duration_ns == 300 && r.colls[0].walk.end.ts == 400);
	CHECK(log_is(&r, "RWC"));
	flush(&r);
	CHECK(r.nc == 1 && log_is(&r, "RWC"));
	expect_counters(rs_waits_counters(r.w),
			"waits=1 waits_direct=1 holds=1 blocked_direct_ns=250 walks_blamed=1");
	run_end(&r);
}

/*
 * A KSM walk takes the lock of each rmap_item's anon_vma in turn: a hold
 * ends at the next hold, at the walk's own wait to read the next lock,
 * and at the walk's end. Waiters on each lock get the part their lock
 * was held; the walk's own wait is not blamed on anyone.
 */
static void test_ksm_locks_in_turn(void)
{
	struct run r;

	run_start(&r, true);
	start_ksm(&r, 100, 0, 10, 0xb000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 150, 1, 20, L1, WR);
	hold(&r, 200, 0, 10, L2);		/* L1 released */
	wake(&r, 210, 1, 20, L1);
	wait_(&r, 250, 1, 21, L2, WR);
	wait_(&r, 300, 0, 10, L3, RD);		/* L2 released; L3 held by no walk */
	wait_(&r, 320, 1, 23, L3, WR);
	wake(&r, 330, 1, 21, L2);
	wake(&r, 350, 0, 10, L3);
	hold(&r, 350, 0, 10, L3);
	wake(&r, 380, 1, 23, L3);
	wait_(&r, 400, 1, 22, L3, WR);
	end(&r, 500, 0, 10, 0xb000);
	CHECK(so_far_is(&r, 10, 100, RS_WALK_OK, 4, 230));
	CHECK(r.nc == 0);
	wake(&r, 520, 1, 22, L3);
	flush(&r);

	CHECK(wait_is(&r, 20, 150, 210, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 50, 10, 100));
	CHECK(wait_is(&r, 21, 250, 330, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 50, 10, 100));
	CHECK(wait_is(&r, 10, 300, 350, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 23, 320, 380, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 30, 10, 100));
	CHECK(wait_is(&r, 22, 400, 520, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 100, 10, 100));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 4, 230, 0, 0, 100, 4, RS_PROOF_LOCK));
	CHECK(r.nc == 1 && r.colls[0].walk.start.kind == RS_KIND_KSM);
	CHECK(log_is(&r, "WWWWRWC"));
	expect_counters(rs_waits_counters(r.w),
			"waits=5 waits_direct=4 waits_other=1 holds=3 blocked_direct_ns=230 "
			"walks_blamed=1");
	run_end(&r);
}

/*
 * Kprobes: rmap_walk, and rmap_walk_anon inside it. The hold belongs to
 * the outer walk: it outlives the inner pair's (nested) record and ends
 * with the outer one's.
 */
/*
 * A walk that slept to read its next lock holds it from the wake, not only
 * from its hold event: a writer that queues in between waits behind it.
 */
static void test_hold_from_wake(void)
{
	struct run r;

	run_start(&r, true);
	start_ksm(&r, 100, 0, 10, 0xb000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 300, 0, 10, L2, RD);		/* L1 released, L2 wanted */
	wake(&r, 350, 0, 10, L2);		/* L2 held from here */
	wait_(&r, 360, 1, 20, L2, WR);
	hold(&r, 400, 0, 10, L2);
	end(&r, 500, 0, 10, 0xb000);
	wake(&r, 510, 1, 20, L2);
	flush(&r);
	CHECK(wait_is(&r, 10, 300, 350, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 20, 360, 510, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 140, 10, 100));
	run_end(&r);

	/* a walk's sleep to write starts no hold */
	run_start(&r, true);
	start_ksm(&r, 100, 0, 10, 0xb000);
	wait_(&r, 120, 0, 10, L2, WR);
	wake(&r, 130, 0, 10, L2);
	wait_(&r, 140, 1, 20, L2, WR);
	wake(&r, 160, 1, 20, L2);
	end(&r, 200, 0, 10, 0xb000);
	flush(&r);
	CHECK(wait_is(&r, 20, 140, 160, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	run_end(&r);
}

static void test_nested_kprobes(void)
{
	struct run r;

	run_start(&r, true);
	entry(&r, RS_FUNC_RMAP_WALK, 100, 0, 10, 0xc000);
	entry(&r, RS_FUNC_RMAP_WALK_ANON, 105, 0, 10, 0xc000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 150, 1, 20, L1, WR);
	exit_(&r, RS_FUNC_RMAP_WALK_ANON, 300, 0, 10);
	wait_(&r, 302, 1, 21, L1, WR);
	exit_(&r, RS_FUNC_RMAP_WALK, 310, 0, 10);
	wake(&r, 320, 1, 20, L1);
	wake(&r, 330, 1, 21, L1);
	flush(&r);

	CHECK(so_far_is(&r, 10, 105, RS_WALK_NESTED, 0, 0));
	CHECK(so_far_is(&r, 10, 100, RS_WALK_OK, 2, 168));
	CHECK(wait_is(&r, 20, 150, 320, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 160, 10, 100));
	CHECK(wait_is(&r, 21, 302, 330, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 8, 10, 100));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 2, 168, 0, 0, 160, 2, RS_PROOF_LOCK));
	CHECK(r.nc == 1 && r.colls[0].walk.start.func == RS_FUNC_RMAP_WALK &&
	      r.colls[0].walk.start.kind == RS_KIND_ANON);
	CHECK(log_is(&r, "RRWWC"));
	expect_counters(rs_waits_counters(r.w),
			"waits=2 waits_direct=2 holds=1 blocked_direct_ns=168 walks_blamed=1");
	run_end(&r);
}

/* Waits that began before the walk took the lock: only the covered part counts. */
static void test_wait_before_hold(void)
{
	struct run r;

	run_start(&r, true);
	wait_(&r, 50, 1, 20, L1, WR);
	wait_(&r, 60, 1, 21, L1, WR);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 120, 0, 10, L1);
	wake(&r, 200, 1, 21, L1);
	end(&r, 400, 0, 10, 0xa000);
	wake(&r, 450, 1, 20, L1);
	flush(&r);

	CHECK(wait_is(&r, 21, 60, 200, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 80, 10, 100));
	CHECK(wait_is(&r, 20, 50, 450, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 280, 10, 100));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 2, 360, 0, 0, 280, 2, RS_PROOF_LOCK));
	run_end(&r);
}

/*
 * A reader that begins while a writer waits queues behind it (indirect);
 * one that began before any writer waited is direct.
 */
static void test_indirect(void)
{
	struct run r;

	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 150, 1, 20, L1, WR);
	wait_(&r, 160, 2, 30, L1, RD);
	end(&r, 400, 0, 10, 0xa000);
	wake(&r, 410, 1, 20, L1);
	wake(&r, 420, 2, 30, L1);
	flush(&r);
	CHECK(wait_is(&r, 20, 150, 410, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 250, 10, 100));
	CHECK(wait_is(&r, 30, 160, 420, true, RS_WAIT_INDIRECT, RS_PROOF_LOCK, 240, 10, 100));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 1, 250, 1, 240, 250, 2, RS_PROOF_LOCK));
	CHECK(log_is(&r, "RWWC"));
	expect_counters(rs_waits_counters(r.w),
			"waits=2 waits_direct=1 waits_indirect=1 holds=1 blocked_direct_ns=250 "
			"blocked_indirect_ns=240 walks_blamed=1");
	run_end(&r);

	/* a reader with no writer waiting, and one that came before the writer */
	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 140, 2, 31, L1, RD);
	wait_(&r, 150, 1, 20, L1, WR);
	end(&r, 400, 0, 10, 0xa000);
	wake(&r, 405, 2, 31, L1);
	wake(&r, 410, 1, 20, L1);
	/* the writer has gone: a new reader waits direct */
	start(&r, 500, 0, 11, 0xa100);
	hold(&r, 510, 0, 11, L1);
	wait_(&r, 520, 2, 32, L1, RD);
	end(&r, 600, 0, 11, 0xa100);
	wake(&r, 610, 2, 32, L1);
	flush(&r);
	CHECK(wait_is(&r, 31, 140, 405, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 260, 10, 100));
	CHECK(wait_is(&r, 20, 150, 410, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 250, 10, 100));
	CHECK(wait_is(&r, 32, 520, 610, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 80, 11, 500));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 2, 510, 0, 0, 260, 2, RS_PROOF_LOCK));
	CHECK(coll_is(&r, 11, 500, RS_WALK_OK, 1, 80, 0, 0, 80, 1, RS_PROOF_LOCK));
	expect_counters(rs_waits_counters(r.w),
			"waits=3 waits_direct=3 holds=2 blocked_direct_ns=590 walks_blamed=2");
	run_end(&r);
}

/*
 * Never blamed: waits of a task that is in a walk itself, waits that spin,
 * waits that are not for a reader-writer lock (a mutex). The holder's own
 * write wait and spins keep its hold; two contention_begin of one task and
 * lock (a mutex spins, then sleeps) are one wait; a spin inside a wait for
 * another lock is a wait of its own.
 */
static void test_never_blamed(void)
{
	struct run r;

	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	start(&r, 120, 3, 11, 0xa100);			/* a walk of another task */
	wait_(&r, 130, 3, 11, L1, WR);			/* ... waits: its own task's */
	wake(&r, 140, 3, 11, L1);
	wait_(&r, 150, 1, 20, L1, SPIN | WR);
	wake(&r, 160, 1, 20, L1);
	wait_(&r, 200, 0, 10, L2, WR);			/* the holder writes elsewhere */
	wake(&r, 210, 0, 10, L2);
	wait_(&r, 212, 0, 10, L3, SPIN | RD);		/* ... spins to read */
	wake(&r, 214, 0, 10, L3);
	wait_(&r, 220, 1, 21, L1, WR);
	wait_(&r, 225, 1, 21, L2, SPIN);		/* a spin inside that wait */
	wake(&r, 226, 1, 21, L2);
	wait_(&r, 230, 2, 22, L1, RS_LCB_F_MUTEX);
	wake(&r, 240, 2, 22, L1);
	wait_(&r, 250, 2, 24, L1, SPIN | WR);		/* spins ... */
	wait_(&r, 260, 2, 24, L1, WR);			/* ... then sleeps */
	end(&r, 300, 0, 10, 0xa000);
	wake(&r, 310, 1, 21, L1);
	wake(&r, 320, 2, 24, L1);
	end(&r, 330, 3, 11, 0xa100);
	flush(&r);

	CHECK(wait_is(&r, 11, 130, 140, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 20, 150, 160, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 10, 200, 210, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 10, 212, 214, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 21, 225, 226, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 22, 230, 240, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	/* the hold went on through the holder's write wait and spin */
	CHECK(wait_is(&r, 21, 220, 310, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 80, 10, 100));
	/* blocked from when it slept */
	CHECK(wait_is(&r, 24, 250, 320, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 40, 10, 100));
	CHECK(r.nw == 8 && find_wait(&r, 24, 250)->flags == WR);
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 2, 120, 0, 0, 80, 2, RS_PROOF_LOCK));
	CHECK(r.nc == 1);
	expect_counters(rs_waits_counters(r.w),
			"waits=8 waits_direct=2 waits_other=6 holds=1 blocked_direct_ns=120 "
			"walks_blamed=1");
	run_end(&r);
}

/*
 * Two walks hold one lock for read at once: the blocked time is the union
 * of their holds, the blame goes to the one that covered most of the
 * wait, on a tie to the one whose hold ended last.
 */
static void test_two_readers(void)
{
	struct run r;

	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 150, 2, 20, L1, WR);
	start(&r, 190, 1, 11, 0xa100);
	hold(&r, 200, 1, 11, L1);
	end(&r, 300, 0, 10, 0xa000);
	end(&r, 350, 1, 11, 0xa100);
	wake(&r, 400, 2, 20, L1);
	flush(&r);
	/* 150..300 and 200..350: 150 each, union 200; 11 ended last */
	CHECK(wait_is(&r, 20, 150, 400, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 200, 11, 190));
	CHECK(coll_is(&r, 11, 190, RS_WALK_OK, 1, 200, 0, 0, 200, 1, RS_PROOF_LOCK));
	CHECK(r.nc == 1);
	/* at 300 walk 10 led (150 to 100); at 350 they tie and 11 ended last */
	CHECK(so_far_is(&r, 10, 100, RS_WALK_OK, 1, 150));
	CHECK(so_far_is(&r, 11, 190, RS_WALK_OK, 1, 200));
	expect_counters(rs_waits_counters(r.w),
			"waits=1 waits_direct=1 holds=2 blocked_direct_ns=200 walks_blamed=1");
	run_end(&r);

	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 150, 2, 20, L1, WR);
	start(&r, 240, 1, 11, 0xa100);
	hold(&r, 250, 1, 11, L1);
	end(&r, 300, 0, 10, 0xa000);
	end(&r, 320, 1, 11, 0xa100);
	wake(&r, 330, 2, 20, L1);
	flush(&r);
	/* 150 against 70: walk 10, though 11 ended last */
	CHECK(wait_is(&r, 20, 150, 330, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 170, 10, 100));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 1, 170, 0, 0, 170, 1, RS_PROOF_LOCK));
	CHECK(r.nc == 1);
	run_end(&r);
}

/* Hold events with no walk in flight on their task change nothing. */
static void test_holds_outside(void)
{
	struct run r;

	run_start(&r, true);
	hold(&r, 100, 0, 10, L1);
	wait_(&r, 150, 1, 20, L1, WR);
	start(&r, 160, 0, 10, 0xa000);
	end(&r, 170, 0, 10, 0xa000);
	hold(&r, 180, 0, 10, L1);			/* after its walk ended */
	wait_(&r, 190, 2, 21, L2, WR);
	hold(&r, 195, 2, 21, L2);			/* a task with a wait, no walk */
	wake(&r, 200, 1, 20, L1);
	wake(&r, 210, 2, 21, L2);
	flush(&r);
	CHECK(wait_is(&r, 20, 150, 200, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 21, 190, 210, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(r.nc == 0);
	expect_counters(rs_waits_counters(r.w), "waits=2 waits_other=2 holds_outside=3");
	run_end(&r);
}

/*
 * No hold events in the trace: a wait to sleep on a lock overlapping the
 * walk of another task is that walk's, "overlap, not proven", whatever
 * the lock; spins and the walk's own waits are not. Nested kprobe frames
 * are one walk.
 */
static void test_overlap(void)
{
	struct run r;

	run_start(&r, false);
	wait_(&r, 50, 1, 23, L3, WR);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);			/* counted, not used */
	wake(&r, 120, 1, 23, L3);
	wait_(&r, 150, 1, 20, L1, WR);
	wait_(&r, 160, 2, 21, L1, SPIN | WR);
	wake(&r, 170, 2, 21, L1);
	wait_(&r, 200, 0, 10, L2, WR);
	wake(&r, 210, 0, 10, L2);
	wait_(&r, 300, 2, 22, L2, RD);
	wake(&r, 350, 2, 22, L2);
	end(&r, 400, 0, 10, 0xa000);
	CHECK(so_far_is(&r, 10, 100, RS_WALK_OK, 3, 320));
	wake(&r, 450, 1, 20, L1);

	entry(&r, RS_FUNC_RMAP_WALK, 500, 0, 11, 0xc000);
	entry(&r, RS_FUNC_RMAP_WALK_ANON, 505, 0, 11, 0xc000);
	wait_(&r, 550, 1, 24, L1, WR);
	exit_(&r, RS_FUNC_RMAP_WALK_ANON, 600, 0, 11);
	exit_(&r, RS_FUNC_RMAP_WALK, 700, 0, 11);
	wake(&r, 800, 1, 24, L1);
	flush(&r);

	CHECK(wait_is(&r, 23, 50, 120, true, RS_WAIT_DIRECT, RS_PROOF_OVERLAP, 20, 10, 100));
	CHECK(wait_is(&r, 20, 150, 450, true, RS_WAIT_DIRECT, RS_PROOF_OVERLAP, 250, 10, 100));
	CHECK(wait_is(&r, 21, 160, 170, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 10, 200, 210, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(wait_is(&r, 22, 300, 350, true, RS_WAIT_DIRECT, RS_PROOF_OVERLAP, 50, 10, 100));
	CHECK(wait_is(&r, 24, 550, 800, true, RS_WAIT_DIRECT, RS_PROOF_OVERLAP, 150, 11, 500));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 3, 320, 0, 0, 250, 3, RS_PROOF_OVERLAP));
	CHECK(coll_is(&r, 11, 500, RS_WALK_OK, 1, 150, 0, 0, 150, 1, RS_PROOF_OVERLAP));
	CHECK(so_far_is(&r, 11, 505, RS_WALK_NESTED, 0, 0));
	CHECK(so_far_is(&r, 11, 500, RS_WALK_OK, 1, 150));
	expect_counters(rs_waits_counters(r.w),
			"waits=6 waits_direct=4 waits_other=2 holds=1 blocked_direct_ns=470 "
			"walks_blamed=2");
	run_end(&r);
}

/*
 * Events lost on CPU 1: the open waits of tasks last seen there end
 * (incomplete, at the last ts seen) and their wakes find nothing; the
 * hold of a task last seen there ends; a walk that started there is
 * dropped by the pairing, which ends its hold too.
 */
static void test_lost(void)
{
	struct run r;

	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 1, 10, L1);			/* the walk's task moved to CPU 1 */
	start(&r, 120, 1, 11, 0xa100);
	hold(&r, 130, 1, 11, L2);
	wait_(&r, 140, 0, 22, L2, WR);
	wait_(&r, 150, 1, 20, L1, WR);
	wait_(&r, 160, 0, 21, L1, WR);
	other(&r, 200, 0, 99);
	lost(&r, 1, 300);
	CHECK(wait_is(&r, 20, 150, 200, false, RS_WAIT_DIRECT, RS_PROOF_LOCK, 50, 10, 100));
	CHECK(r.nw == 1 && r.nc == 0);
	CHECK(so_far_is(&r, 11, 120, RS_WALK_LOST, 1, 60));
	wake(&r, 320, 1, 20, L1);			/* already passed on */
	wake(&r, 330, 0, 21, L1);
	wake(&r, 340, 0, 22, L2);
	end(&r, 350, 1, 11, 0xa100);			/* its start was dropped */
	end(&r, 400, 0, 10, 0xa000);
	flush(&r);

	CHECK(wait_is(&r, 21, 160, 330, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 40, 10, 100));
	CHECK(wait_is(&r, 22, 140, 340, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 60, 11, 120));
	CHECK(coll_is(&r, 11, 120, RS_WALK_LOST, 1, 60, 0, 0, 60, 1, RS_PROOF_LOCK));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 2, 90, 0, 0, 50, 2, RS_PROOF_LOCK));
	CHECK(so_far_is(&r, 10, 100, RS_WALK_OK, 2, 90));
	CHECK(log_is(&r, "RWWWCRRC"));
	expect_counters(rs_waits_counters(r.w),
			"waits=3 waits_direct=3 waits_lost=1 wakes_unmatched=1 holds=2 "
			"blocked_direct_ns=150 walks_blamed=2");
	run_end(&r);

	/* CPU not known: every open wait and every hold */
	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 150, 1, 20, L1, WR);
	wait_(&r, 160, 2, 21, L2, WR);
	rs_waits_lost(r.w, -1, 250);			/* the walk's start stays */
	wait_(&r, 260, 1, 22, L1, WR);
	wake(&r, 270, 1, 20, L1);
	wake(&r, 280, 1, 22, L1);
	end(&r, 300, 0, 10, 0xa000);
	flush(&r);
	CHECK(wait_is(&r, 20, 150, 160, false, RS_WAIT_DIRECT, RS_PROOF_LOCK, 10, 10, 100));
	CHECK(wait_is(&r, 21, 160, 160, false, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	/* the hold ended at the loss: nothing covered this one */
	CHECK(wait_is(&r, 22, 260, 280, true, RS_WAIT_OTHER, RS_PROOF_NONE, 0, 0, 0));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 1, 10, 0, 0, 10, 1, RS_PROOF_LOCK));
	expect_counters(rs_waits_counters(r.w),
			"waits=3 waits_direct=1 waits_other=2 waits_lost=2 wakes_unmatched=1 "
			"holds=1 blocked_direct_ns=10 walks_blamed=1");
	run_end(&r);
}

/*
 * The end of the trace: open waits end at the last ts seen (incomplete),
 * then the walks go to on_walk: a walk the pairing flushed as no_end, one
 * whose record never came (no_end, start only), one that ended but had a
 * wait still open.
 */
static void test_flush(void)
{
	struct run r;

	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 150, 1, 20, L1, WR);
	other(&r, 500, 0, 99);
	flush(&r);
	CHECK(so_far_is(&r, 10, 100, RS_WALK_NO_END, 1, 350));
	CHECK(wait_is(&r, 20, 150, 500, false, RS_WAIT_DIRECT, RS_PROOF_LOCK, 350, 10, 100));
	CHECK(coll_is(&r, 10, 100, RS_WALK_NO_END, 1, 350, 0, 0, 350, 1, RS_PROOF_LOCK));
	CHECK(log_is(&r, "RWC"));
	expect_counters(rs_waits_counters(r.w),
			"waits=1 waits_direct=1 waits_open=1 holds=1 blocked_direct_ns=350 "
			"walks_blamed=1");
	run_end(&r);

	/* rs_waits_flush() alone: walk 10's record never comes */
	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	start(&r, 120, 1, 11, 0xa100);
	hold(&r, 130, 1, 11, L2);
	wait_(&r, 150, 2, 20, L1, WR);
	wait_(&r, 160, 3, 21, L2, WR);
	end(&r, 300, 1, 11, 0xa100);
	other(&r, 600, 0, 99);
	CHECK(rs_waits_flush(r.w) == 0);
	CHECK(wait_is(&r, 20, 150, 600, false, RS_WAIT_DIRECT, RS_PROOF_LOCK, 450, 10, 100));
	CHECK(wait_is(&r, 21, 160, 600, false, RS_WAIT_DIRECT, RS_PROOF_LOCK, 140, 11, 120));
	CHECK(coll_is(&r, 10, 100, RS_WALK_NO_END, 1, 450, 0, 0, 450, 1, RS_PROOF_LOCK));
	CHECK(coll_is(&r, 11, 120, RS_WALK_OK, 1, 140, 0, 0, 140, 1, RS_PROOF_LOCK));
	CHECK(r.nc == 2 && r.colls[0].walk.start.pid == 10 && r.colls[0].walk.end.ts == 0 &&
	      r.colls[0].walk.start.rwc == 0xa000 && r.colls[0].walk.duration_ns == 0);
	CHECK(log_is(&r, "RWWCC"));
	expect_counters(rs_waits_counters(r.w),
			"waits=2 waits_direct=2 waits_open=2 holds=2 blocked_direct_ns=590 "
			"walks_blamed=2");
	/* empty now: a new stream starts from nothing */
	start(&r, 700, 0, 12, 0xa200);
	hold(&r, 710, 0, 12, L1);
	wait_(&r, 720, 2, 20, L1, WR);
	end(&r, 730, 0, 12, 0xa200);
	wake(&r, 740, 2, 20, L1);
	CHECK(wait_is(&r, 20, 720, 740, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 10, 12, 700));
	CHECK(coll_is(&r, 12, 700, RS_WALK_OK, 1, 10, 0, 0, 10, 1, RS_PROOF_LOCK));
	run_end(&r);
}

/*
 * What a walk's end says of its waiters (the plugin prints it): the waits
 * blamed on it so far, closed or open, and their blocked time up to its
 * end; an open wait is counted where it would be blamed if it closed then.
 */
static void test_so_far(void)
{
	struct run r;

	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	start(&r, 105, 1, 11, 0xa100);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 150, 2, 20, L1, WR);
	wake(&r, 200, 2, 20, L1);
	wait_(&r, 250, 2, 21, L1, WR);
	hold(&r, 300, 1, 11, L1);
	end(&r, 400, 0, 10, 0xa000);
	end(&r, 600, 1, 11, 0xa100);
	wake(&r, 700, 2, 21, L1);
	flush(&r);
	/* at 400: 20 (50) closed, 21 open, 150 by walk 10 against 100 */
	CHECK(so_far_is(&r, 10, 100, RS_WALK_OK, 2, 200));
	/* at 600: 21 is walk 11's now (300 against 150), blocked 250..600 */
	CHECK(so_far_is(&r, 11, 105, RS_WALK_OK, 1, 350));
	CHECK(wait_is(&r, 20, 150, 200, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 50, 10, 100));
	CHECK(wait_is(&r, 21, 250, 700, true, RS_WAIT_DIRECT, RS_PROOF_LOCK, 350, 11, 105));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 1, 50, 0, 0, 50, 1, RS_PROOF_LOCK));
	CHECK(coll_is(&r, 11, 105, RS_WALK_OK, 1, 350, 0, 0, 350, 1, RS_PROOF_LOCK));
	/* walk 10's collateral waited for wait 21, which might have been its */
	CHECK(log_is(&r, "WRRWCC"));
	run_end(&r);

	/* a waiter blamed twice on one walk is one task */
	run_start(&r, true);
	start(&r, 100, 0, 10, 0xa000);
	hold(&r, 110, 0, 10, L1);
	wait_(&r, 120, 2, 20, L1, WR);
	wake(&r, 130, 2, 20, L1);
	wait_(&r, 140, 2, 20, L1, RD);
	wake(&r, 170, 2, 20, L1);
	end(&r, 200, 0, 10, 0xa000);
	flush(&r);
	CHECK(so_far_is(&r, 10, 100, RS_WALK_OK, 2, 40));
	CHECK(coll_is(&r, 10, 100, RS_WALK_OK, 2, 40, 0, 0, 30, 1, RS_PROOF_LOCK));
	run_end(&r);

	/* a record without a start has no frame and says nothing */
	run_start(&r, true);
	end(&r, 100, 0, 10, 0xa000);
	CHECK(so_far_is(&r, 0, 0, RS_WALK_NO_START, 0, 0));
	run_end(&r);
}

static void test_names_and_counters(void)
{
	struct rs_waits_counters a, b;

	CHECK(!strcmp(rs_wait_cause_name(RS_WAIT_DIRECT), "direct"));
	CHECK(!strcmp(rs_wait_cause_name(RS_WAIT_INDIRECT), "indirect"));
	CHECK(!strcmp(rs_wait_cause_name(RS_WAIT_OTHER), "other"));
	CHECK(!strcmp(rs_wait_cause_name(RS_WAIT_CAUSE_NR), "?"));
	CHECK(!strcmp(rs_wait_cause_name((enum rs_wait_cause)-1), "?"));
	CHECK(!strcmp(rs_wait_proof_name(RS_PROOF_NONE), "none"));
	CHECK(!strcmp(rs_wait_proof_name(RS_PROOF_LOCK), "lock"));
	CHECK(!strcmp(rs_wait_proof_name(RS_PROOF_OVERLAP), "overlap"));
	CHECK(!strcmp(rs_wait_proof_name(RS_PROOF_NR), "?"));

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.waits = 3;
	a.blocked_direct_ns = 100;
	b.waits = 4;
	b.walks_blamed = 2;
	b.blocked_direct_ns = 23;
	b.wakes_unmatched = 1;
	rs_waits_counters_add(&a, &b);
	expect_counters(&a, "waits=7 walks_blamed=2 blocked_direct_ns=123 wakes_unmatched=1");
	rs_waits_free(NULL);
}

int main(void)
{
	RUN(test_anon_direct);
	RUN(test_ksm_locks_in_turn);
	RUN(test_hold_from_wake);
	RUN(test_nested_kprobes);
	RUN(test_wait_before_hold);
	RUN(test_indirect);
	RUN(test_never_blamed);
	RUN(test_two_readers);
	RUN(test_holds_outside);
	RUN(test_overlap);
	RUN(test_lost);
	RUN(test_flush);
	RUN(test_so_far);
	RUN(test_names_and_counters);
	return check_summary();
}
