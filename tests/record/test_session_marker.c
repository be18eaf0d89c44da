// SPDX-License-Identifier: GPL-2.0-only
/*
 * The markers of record/session.c on the build machine's kernel, as the
 * victims of `rmapstat record --victim` write them: a session that records
 * sched:sched_switch only (what --no-rmap records, which every kernel has)
 * opens its instance's trace_marker_raw; four threads write struct
 * rs_op_marker at once; the trace.dat the session writes holds each as an
 * ftrace:raw_data event of the writing thread's pid, with the id and the
 * bytes written, stamped by the instance's clock (mono, CLOCK_MONOTONIC)
 * after the marker's end_ns and before the write returned. A marker
 * written after the stop is refused and counted. A session with waits but
 * without walks is refused as a usage error and leaves nothing behind.
 *
 *   test-session-marker
 *
 * Needs root and tracefs (exit 77, skipped, otherwise). Not parallel: it
 * makes a tracefs instance and a journal in /run/rmapstat.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <trace-cmd.h>

#include "check.h"
#include "cleanup.h"
#include "op_marker.h"
#include "session.h"

#define THREADS		4
#define PER_THREAD	500

struct writer {
	struct session *s;
	unsigned int index;
	pid_t tid;
	uint64_t end[PER_THREAD];	/* the marker's end_ns */
	uint64_t after[PER_THREAD];	/* CLOCK_MONOTONIC once written */
	int failed;
	size_t seen;			/* read back */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *write_markers(void *arg)
{
	struct writer *w = arg;
	struct rs_op_marker m = {
		.id = RS_OP_MARKER_ID, .version = RS_OP_MARKER_VERSION,
		.op = RS_OP_MPROTECT, .thread = w->index,
	};
	int i;

	w->tid = (pid_t)syscall(SYS_gettid);
	for (i = 0; i < PER_THREAD; i++) {
		m.start_ns = now_ns();
		m.end_ns = w->end[i] = now_ns();
		m.ret = -i;	/* which one, for the check */
		if (rs_session_marker_write(w->s, &m, sizeof(m)))
			w->failed++;
		w->after[i] = now_ns();
	}
	return NULL;
}

static void check_record(struct tep_handle *tep, struct tep_record *rec,
			 struct writer *w, size_t *others)
{
	struct tep_event *ev = tep_find_event_by_record(tep, rec);
	struct tep_format_field *buf;
	struct rs_op_marker m;
	unsigned long long id;
	int pid, t, len;
	char *data;

	if (!ev || strcmp(ev->system, "ftrace") || strcmp(ev->name, "raw_data")) {
		++*others;
		return;
	}
	pid = tep_data_pid(tep, rec);
	for (t = 0; t < THREADS && w[t].tid != pid; t++)
		;
	CHECKF(t < THREADS, "a raw_data event of pid %d, no writer's", pid);
	if (t == THREADS)
		return;
	CHECKF(!tep_get_field_val(NULL, ev, "id", rec, &id, 0) && id == RS_OP_MARKER_ID,
	       "id %#llx", id);
	/* "char buf[]" of size 0: the rest of the record, as walk_decode.c reads it */
	buf = tep_find_field(ev, "buf");
	data = buf ? (char *)rec->data + buf->offset : NULL;
	len = buf ? rec->size - buf->offset : -1;
	CHECKF(data && len >= (int)(sizeof(m) - sizeof(m.id)), "buf of %d bytes", len);
	if (!data || len < (int)(sizeof(m) - sizeof(m.id)))
		return;
	m.id = (uint32_t)id;
	memcpy((char *)&m + sizeof(m.id), data, sizeof(m) - sizeof(m.id));
	CHECKF(m.version == RS_OP_MARKER_VERSION && m.op == RS_OP_MPROTECT &&
	       m.thread == (uint32_t)t, "marker of thread %u, op %u", m.thread, m.op);
	/* written in order: the seen-th of the thread is its seen-th marker */
	CHECKF(-m.ret == (int)w[t].seen, "thread %d: marker %d where %zu was due", t,
	       -m.ret, w[t].seen);
	if (-m.ret == (int)w[t].seen && w[t].seen < PER_THREAD) {
		CHECKF(m.end_ns == w[t].end[w[t].seen], "thread %d: end_ns changed", t);
		CHECKF(rec->ts >= m.end_ns && rec->ts <= w[t].after[w[t].seen],
		       "thread %d marker %zu: stamped %llu, not in [%llu, %llu]: clocks apart",
		       t, w[t].seen, rec->ts, (unsigned long long)m.end_ns,
		       (unsigned long long)w[t].after[w[t].seen]);
	}
	w[t].seen++;
}

struct reader {
	struct writer *w;
	size_t others;
};

static int one_record(struct tracecmd_input *in, struct tep_record *rec, int cpu, void *arg)
{
	struct reader *r = arg;

	check_record(tracecmd_get_tep(in), rec, r->w, &r->others);
	return 0;
}

static void read_back(const char *file, struct writer *w)
{
	struct tracecmd_input *in = tracecmd_open(file, TRACECMD_FL_LOAD_NO_PLUGINS);
	struct reader r = { .w = w };
	int t;

	CHECKF(in, "libtracecmd cannot open %s", file);
	if (!in)
		return;
	CHECKF(tep_find_event_by_name(tracecmd_get_tep(in), "ftrace", "raw_data"),
	       "no raw_data format");
	/* in timestamp order, every CPU */
	tracecmd_iterate_events(in, NULL, 0, one_record, &r);
	for (t = 0; t < THREADS; t++)
		CHECKF(w[t].seen == PER_THREAD, "thread %d: %zu of %d markers in the trace",
		       t, w[t].seen, PER_THREAD);
	printf("read back %d x %d markers, %zu other events\n", THREADS, PER_THREAD, r.others);
	tracecmd_close(in);
}

static void test_markers(const char *dir)
{
	static const char *const events[] = { "sched:sched_switch", NULL };
	struct session_opts o = { .buffer_kb = 1024, .events = events, .no_rmap = true,
				  .data_dir = dir };
	struct writer w[THREADS] = { 0 };
	pthread_t tid[THREADS];
	struct rs_op_marker late = { .id = RS_OP_MARKER_ID };
	struct session *s;
	struct rs_error err;
	char out[512], *lost = NULL;
	size_t len = 0;
	FILE *f;
	int t;

	snprintf(out, sizeof(out), "%s/markers.dat", dir);
	if (rs_session_open(&o, &s, &err)) {
		CHECKF(0, "open: %s (%s)", err.what, err.fix);
		return;
	}
	CHECKF(!strcmp(rs_session_clock(s), "mono"), "clock %s", rs_session_clock(s));
	CHECKF(rs_session_marker_write(s, &late, sizeof(late)) == -EBADF,
	       "a marker before the marker was opened");
	CHECKF(!rs_session_marker_open(s, &err), "marker open: %s", err.what);
	CHECKF(!rs_session_start(s, &err), "start: %s", err.what);
	for (t = 0; t < THREADS; t++) {
		w[t].s = s;
		w[t].index = t;
		pthread_create(&tid[t], NULL, write_markers, &w[t]);
	}
	for (t = 0; t < THREADS; t++) {
		pthread_join(tid[t], NULL);
		CHECKF(!w[t].failed, "thread %d: %d markers not written", t, w[t].failed);
	}
	CHECKF(!rs_session_stop(s, &err), "stop: %s", err.what);
	CHECKF(rs_session_marker_write(s, &late, sizeof(late)) == -EBADF,
	       "a marker after the stop");
	f = open_memstream(&lost, &len);
	rs_session_report_lost(s, f);
	fclose(f);
	CHECKF(strstr(lost, "rmapstat: 2 of 2002 markers were not written to trace_marker_raw"),
	       "report_lost: '%s'", lost);
	free(lost);
	CHECKF(!rs_session_write(s, out, "rmapstat test", &err), "write: %s", err.what);
	CHECKF(!rs_session_close(s, &err), "close: %s", err.what);
	read_back(out, w);
	unlink(out);
}

/* waits attribute waits to walks: without walks a usage error, nothing made. */
static void test_waits_without_walks(const char *dir)
{
	static const char *const events[] = { "sched:sched_switch", NULL };
	struct session_opts o = { .events = events, .no_rmap = true, .waits = true,
				  .data_dir = dir };
	struct session *s = (struct session *)&o;
	struct rs_error err;
	char inst[64];
	struct stat st;

	CHECKF(rs_session_open(&o, &s, &err) == -EINVAL && !s && err.status == RS_EXIT_USAGE &&
	       strstr(err.fix, "--no-rmap"), "waits + no_rmap: '%s' (%s)", err.what, err.fix);
	snprintf(inst, sizeof(inst), "/sys/kernel/tracing/instances/rmapstat_%d", (int)getpid());
	CHECKF(stat(inst, &st) && errno == ENOENT, "%s left", inst);
}

int main(void)
{
	char dir[] = "/tmp/rmapstat-test-marker.XXXXXX";

	if (geteuid() != 0 || access("/sys/kernel/tracing/instances", F_OK)) {
		printf("SKIP: needs root and tracefs at /sys/kernel/tracing\n");
		return 77;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_waits_without_walks(dir);
	test_markers(dir);
	rs_cleanup_run_all();
	rmdir(dir);
	if (check_failures)
		fprintf(stderr, "%d failure(s)\n", check_failures);
	else
		printf("session-marker: all %d checks passed\n", check_count);
	return check_failures ? 1 : 0;
}
