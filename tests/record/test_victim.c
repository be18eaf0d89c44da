// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test of workload/victim.c, the victim threads of `rmapstat record
 * --victim`, on the build machine: an anon workload (no root, no KSM, no
 * trigger: the kernel walks nothing here, the threads do their operations
 * all the same) and a sink that collects the markers. For each victim:
 *
 *  - every operation reached the sink as a well-formed struct rs_op_marker
 *    (id, version, an operation of that victim, a thread's index, ret 0,
 *    start <= end, within the run), and the markers of each thread are in
 *    order, each operation starting after the one before ended;
 *  - the statistics count what the sink saw, and p99 and max are the exact
 *    nearest-rank values of the markers' latencies;
 *  - a munmap victim did whole cycles (munmap = mmap = fault);
 *  - after rs_victim_stop() no marker comes any more, the mapping has the
 *    VMAs it had, and each victim's page is mapped read-write (written);
 *  - a fork victim left no child behind;
 *  - rs_victim_print() prints "victim OP: N threads, K ops, p99 .., max ..";
 *  - an operation that fails stops its thread, reaches the sink with its
 *    -errno and comes back from rs_victim_stop() as RS_EXIT_WORKLOAD
 *    naming the operation and the page;
 *  - the teardown joins threads that still run, the cleanup registry's
 *    step stops them, and so does rs_workload_stop();
 *  - rs_victim_check_opts() refuses what --victim cannot do, with a fix.
 *
 * Needs neither root nor tracefs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cleanup.h"
#include "op_marker.h"
#include "workload.h"

#define PAGES		64
#define MAX_MARKERS	(1 << 20)

static struct {
	pthread_mutex_t lock;
	struct rs_op_marker *m;
	size_t n, dropped;
} sink_data = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void sink(const struct rs_op_marker *m, void *ctx)
{
	CHECK(ctx == &sink_data);
	pthread_mutex_lock(&sink_data.lock);
	if (sink_data.n < MAX_MARKERS)
		sink_data.m[sink_data.n++] = *m;
	else
		sink_data.dropped++;
	pthread_mutex_unlock(&sink_data.lock);
}

static size_t markers(void)
{
	size_t n;

	pthread_mutex_lock(&sink_data.lock);
	n = sink_data.n;
	pthread_mutex_unlock(&sink_data.lock);
	return n;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int setup(struct workload *wl, enum workload_victim victim, unsigned int threads)
{
	struct workload_opts o;
	struct rs_error err;
	int ret;

	rs_workload_opts_init(&o);
	o.kinds = WL_MASK(WL_ANON);
	o.pages = PAGES;
	ret = rs_workload_setup(wl, &o, &err);
	CHECKF(!ret, "setup: %s (%s)", err.what, err.fix);
	wl->opts.victim = victim;
	wl->opts.victim_threads = threads;
	sink_data.n = sink_data.dropped = 0;
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The markers of op: well formed, in order per thread; stats exact. */
static void check_op(const struct workload *wl, unsigned int op, unsigned int threads,
		     uint64_t t0, uint64_t t1, unsigned long *count)
{
	uint64_t *lat = malloc(sink_data.n * sizeof(*lat));
	uint64_t last_end[WL_MAX_VICTIM_THREADS] = { 0 };
	struct victim_stats st;
	size_t i, n = 0, bad = 0, unordered = 0;

	for (i = 0; i < sink_data.n; i++) {
		const struct rs_op_marker *m = &sink_data.m[i];

		if (m->op != op)
			continue;
		if (m->id != RS_OP_MARKER_ID || m->version != RS_OP_MARKER_VERSION ||
		    m->thread >= threads || m->ret || m->start_ns > m->end_ns ||
		    m->start_ns < t0 || m->end_ns > t1)
			bad++;
		else if (m->start_ns < last_end[m->thread])
			unordered++;
		if (m->thread < threads)
			last_end[m->thread] = m->end_ns;
		lat[n++] = m->end_ns - m->start_ns;
	}
	CHECKF(!bad, "%s: %zu markers malformed", rs_op_name(op), bad);
	CHECKF(!unordered, "%s: %zu operations began before the thread's last ended",
	       rs_op_name(op), unordered);
	CHECKF(n > 0, "%s: no operation", rs_op_name(op));
	CHECKF(!rs_victim_stats(wl, op, &st), "%s: no stats", rs_op_name(op));
	CHECK_EQ_U64(st.ops, n);
	CHECK_EQ_U64(st.failed, 0);
	CHECK_EQ_U64(st.threads, threads);
	if (n) {
		qsort(lat, n, sizeof(*lat), cmp_u64);
		/* nearest rank: the ceil(0.99 n)-th smallest */
		CHECK_EQ_U64(st.p99_ns, lat[(n * 99 + 99) / 100 - 1]);
		CHECK_EQ_U64(st.max_ns, lat[n - 1]);
	}
	*count = n;
	free(lat);
}

/* Each victim page mapped and writable; the mapping's VMAs as they were. */
static void check_mapping(struct workload *wl, long vmas, unsigned int threads)
{
	struct workload_map *m = &wl->map[WL_ANON];
	unsigned int t;

	CHECKF(m->addr, "the mapping is gone");
	if (!m->addr)
		return;
	CHECK_EQ_U64(rs_count_vmas(m->addr, m->pages * wl->page_size), vmas);
	for (t = 0; t < threads; t++) {
		volatile char *p = m->addr + (2 + 4 * t) * wl->page_size;

		*p = 7;		/* SIGSEGV here: the page was left read-only or unmapped */
		CHECK(*p == 7);
	}
}

static void check_print(struct workload *wl, const char *const *want, size_t nr)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	rs_victim_print(wl, f);
	fclose(f);
	for (i = 0; i < nr; i++)
		CHECKF(strstr(text, want[i]), "print: no '%s' in:\n%s", want[i], text);
	CHECKF(strstr(text, ", p99 ") && strstr(text, ", max "), "print:\n%s", text);
	printf("%s", text);
	free(text);
}

static void test_victim(enum workload_victim victim, unsigned int threads)
{
	struct workload wl;
	struct rs_error err;
	unsigned long n[RS_OP_NR] = { 0 };
	uint64_t t0, t1;
	size_t after;
	long vmas;
	int ret;

	if (setup(&wl, victim, threads))
		return;
	vmas = rs_count_vmas(wl.map[WL_ANON].addr, PAGES * wl.page_size);
	CHECK_EQ_U64(vmas, PAGES);
	t0 = now_ns();
	ret = rs_victim_start(&wl, sink, &sink_data, &err);
	CHECKF(!ret, "%s: start: %s", rs_workload_victim_name(victim), err.what);
	sleep_ms(300);
	ret = rs_victim_stop(&wl, &err);
	t1 = now_ns();
	CHECKF(!ret, "%s: stop: %s", rs_workload_victim_name(victim), err.what);
	after = markers();
	sleep_ms(50);
	CHECKF(markers() == after, "%s: markers after stop", rs_workload_victim_name(victim));
	CHECK(!sink_data.dropped);
	CHECK_EQ_U64(rs_victim_stop(&wl, NULL), 0);	/* idempotent */

	switch (victim) {
	case WL_VICTIM_MPROTECT: {
		static const char *const want[] = { "victim mprotect: " };

		check_op(&wl, RS_OP_MPROTECT, threads, t0, t1, &n[RS_OP_MPROTECT]);
		CHECK_EQ_U64(n[RS_OP_MPROTECT], after);
		/* each thread ends where it began: read-write, an even number of flips */
		CHECKF(n[RS_OP_MPROTECT] % 2 == 0, "odd number of mprotect flips");
		check_print(&wl, want, 1);
		break;
	}
	case WL_VICTIM_MUNMAP: {
		static const char *const want[] = {
			"victim munmap: ", "victim mmap: ", "victim fault: ",
		};

		check_op(&wl, RS_OP_MUNMAP, threads, t0, t1, &n[RS_OP_MUNMAP]);
		check_op(&wl, RS_OP_MMAP, threads, t0, t1, &n[RS_OP_MMAP]);
		check_op(&wl, RS_OP_FAULT, threads, t0, t1, &n[RS_OP_FAULT]);
		CHECK_EQ_U64(n[RS_OP_MUNMAP], n[RS_OP_MMAP]);
		CHECK_EQ_U64(n[RS_OP_MMAP], n[RS_OP_FAULT]);
		CHECK_EQ_U64(n[RS_OP_MUNMAP] * 3, after);
		check_print(&wl, want, 3);
		break;
	}
	default: {
		static const char *const want[] = { "victim fork: " };

		check_op(&wl, RS_OP_FORK, threads, t0, t1, &n[RS_OP_FORK]);
		CHECK_EQ_U64(n[RS_OP_FORK], after);
		CHECKF(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
		       "fork: a child is left");
		check_print(&wl, want, 1);
		break;
	}
	}
	check_mapping(&wl, vmas, victim == WL_VICTIM_FORK ? 0 : threads);
	rs_workload_teardown(&wl);
	CHECK(!wl.victim);
}

/* A page taken away under the thread: its next mprotect() fails, ENOMEM. */
static void test_failure(void)
{
	struct workload wl;
	struct rs_error err;
	struct victim_stats st;
	const struct rs_op_marker *last;
	int ret;

	if (setup(&wl, WL_VICTIM_MPROTECT, 1))
		return;
	CHECK(!rs_victim_start(&wl, sink, &sink_data, &err));
	sleep_ms(30);
	CHECK(!munmap(wl.map[WL_ANON].addr + 2 * wl.page_size, wl.page_size));
	sleep_ms(30);
	ret = rs_victim_stop(&wl, &err);
	CHECKF(ret == -ENOMEM && err.status == RS_EXIT_WORKLOAD &&
	       strstr(err.what, "victim thread 0: mprotect of page 2 failed"),
	       "failure: %d '%s'", ret, err.what);
	CHECK(rs_victim_stop(&wl, NULL) == -ENOMEM);	/* the same again */
	CHECK(!rs_victim_stats(&wl, RS_OP_MPROTECT, &st) && st.failed == 1);
	last = sink_data.n ? &sink_data.m[sink_data.n - 1] : NULL;
	CHECKF(last && last->ret == -ENOMEM && last->op == RS_OP_MPROTECT,
	       "the failed operation's marker: ret %d", last ? last->ret : 0);
	rs_workload_teardown(&wl);
}

/* Threads that still run when the teardown comes, or the cleanup registry. */
static void test_stop_paths(void)
{
	struct workload wl;
	struct rs_error err;
	size_t n;

	/* teardown with the threads running: joined before the munmap */
	if (setup(&wl, WL_VICTIM_MUNMAP, 4))
		return;
	CHECK(!rs_victim_start(&wl, sink, &sink_data, &err));
	sleep_ms(50);
	rs_workload_teardown(&wl);
	CHECK(!wl.victim && !wl.map[WL_ANON].addr);
	n = markers();
	sleep_ms(30);
	CHECKF(markers() == n, "teardown: markers after it");

	/* the registry's step (a signal handler runs it) stops them */
	if (setup(&wl, WL_VICTIM_MPROTECT, 2))
		return;
	CHECK(!rs_victim_start(&wl, sink, &sink_data, &err));
	sleep_ms(50);
	rs_cleanup_run_all();
	sleep_ms(30);
	n = markers();
	sleep_ms(30);
	/* at most the flip back to read-write of each thread after the step */
	CHECKF(markers() == n, "cleanup step: the threads go on");
	CHECK(!rs_victim_stop(&wl, &err));
	check_mapping(&wl, PAGES, 2);
	rs_workload_teardown(&wl);

	/* rs_workload_stop() (SIGINT): sticky, so the last of these tests */
	if (setup(&wl, WL_VICTIM_FORK, 2))
		return;
	CHECK(!rs_victim_start(&wl, sink, &sink_data, &err));
	sleep_ms(50);
	rs_workload_stop();
	sleep_ms(100);
	n = markers();
	sleep_ms(50);
	CHECKF(markers() == n, "rs_workload_stop: the threads go on");
	CHECK(!rs_victim_stop(&wl, &err));
	rs_workload_teardown(&wl);
}

static void expect_refused(const struct workload_opts *o, const char *what, const char *fix)
{
	struct rs_error err = { 0 };

	CHECKF(rs_victim_check_opts(o, &err) == -EINVAL, "accepted: want '%s'", what);
	CHECKF(err.status == RS_EXIT_USAGE && strstr(err.what, what) && strstr(err.fix, fix),
	       "refused with '%s' (%s), want '%s' (%s)", err.what, err.fix, what, fix);
}

static void test_check_opts(void)
{
	struct workload_opts o;
	struct rs_error err;
	enum workload_victim v;

	rs_workload_opts_init(&o);
	CHECK(o.victim == WL_VICTIM_NONE && o.victim_threads == 1);
	CHECK(!rs_victim_check_opts(&o, &err));
	CHECK(!rs_workload_parse_victim("munmap", &v, &err) && v == WL_VICTIM_MUNMAP);
	CHECK(rs_workload_parse_victim("mmap", &v, &err) == -EINVAL &&
	      err.status == RS_EXIT_USAGE);
	CHECK(!strcmp(rs_workload_victim_name(WL_VICTIM_FORK), "fork"));

	o.victim = WL_VICTIM_MPROTECT;
	expect_refused(&o, "no trigger", "--trigger migrate");
	o.trigger = WL_TRIGGER_MIGRATE;
	CHECK(!rs_victim_check_opts(&o, &err));
	o.kinds = WL_MASK(WL_FILE);
	expect_refused(&o, "ksm or anon", "--workload ksm");
	o.kinds = WL_MASK(WL_FILE) | WL_MASK(WL_ANON);
	CHECK(!rs_victim_check_opts(&o, &err));
	o.victim_threads = WL_MAX_VICTIM_THREADS + 1;
	expect_refused(&o, "--victim-threads must be", "");
	/* 100 pages: the migrated page is 50, thread 12's would be 50 */
	o.pages = 100;
	o.victim_threads = 12;
	CHECK(!rs_victim_check_opts(&o, &err));
	o.victim_threads = 13;
	expect_refused(&o, "page 50, which the trigger walks", "--victim-threads");
	/* idle from page 50, 60 pages: 50..99 and 0..9 */
	o.trigger = WL_TRIGGER_IDLE;
	o.repeat = 60;
	o.victim_threads = 1;
	expect_refused(&o, "page 2, which the trigger walks", "--repeat");
	o.repeat = 48;
	CHECK(!rs_victim_check_opts(&o, &err));
	o.pages = 40;
	o.repeat = 1;
	o.victim_threads = 10;		/* pages 2 .. 38 */
	CHECK(!rs_victim_check_opts(&o, &err));
	o.victim_threads = 11;		/* page 42 */
	expect_refused(&o, "which has 40", "--pages");
	/* fork needs no page */
	o.victim = WL_VICTIM_FORK;
	o.victim_threads = 64;
	CHECK(!rs_victim_check_opts(&o, &err));
}

int main(void)
{
	sink_data.m = calloc(MAX_MARKERS, sizeof(*sink_data.m));
	if (!sink_data.m)
		return 1;
	test_check_opts();
	test_victim(WL_VICTIM_MPROTECT, 1);
	test_victim(WL_VICTIM_MPROTECT, 4);
	test_victim(WL_VICTIM_MUNMAP, 2);
	test_victim(WL_VICTIM_FORK, 2);
	test_failure();
	test_stop_paths();
	free(sink_data.m);
	if (check_failures)
		fprintf(stderr, "%d of %d checks failed\n", check_failures, check_count);
	else
		printf("victim: all %d checks passed\n", check_count);
	return check_failures ? 1 : 0;
}
