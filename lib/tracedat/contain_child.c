// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reader child of rs_scan_file(): all the reading and decoding of a
 * trace.dat, under RLIMIT_DATA and RLIMIT_CPU, with stdout and stderr on
 * /dev/null (libtracecmd prints there whatever its log level). What
 * trace_scan.c's callbacks get goes to the parent as the messages of
 * contain_wire.h, events in batches.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "contain_wire.h"
#include "trace_scan.h"

struct writer {
	struct rs_ring_end *ring;
	int failed;
	unsigned int nr_batch;
	struct wire_event batch[BATCH];
};

static void w_bytes(struct writer *w, const void *p, size_t len)
{
	if (!w->failed && rs_ring_write(w->ring, p, len))
		w->failed = 1;
}

static void w_msg(struct writer *w, enum msg_type type, const void *p, size_t len)
{
	struct msg_hdr h = { .type = type, .len = len };

	w_bytes(w, &h, sizeof(h));
	w_bytes(w, p, len);
}

static size_t str_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n < MAX_STRING ? n : MAX_STRING;
}

/* A string as u32 length (UINT32_MAX: NULL) and its bytes. */
static void w_string(struct writer *w, const char *s)
{
	uint32_t n = s ? str_len(s) : UINT32_MAX;

	w_bytes(w, &n, sizeof(n));
	if (s)
		w_bytes(w, s, n);
}

static size_t string_size(const char *s)
{
	return sizeof(uint32_t) + str_len(s);
}

static int child_head(const struct rs_trace_summary *sum, void *arg)
{
	struct writer *w = arg;
	struct wire_head h = {
		.file_version = sum->file_version,
		.cpus = sum->cpus,
		.formats = sum->formats,
		.source = sum->source,
		.nr_buffers = sum->nr_buffers,
	};
	struct msg_hdr mh = { .type = MSG_HEAD };
	size_t i;

	if (sum->nr_buffers > MAX_BUFFERS)
		return E2BIG;
	mh.len = sizeof(h) + string_size(sum->uname) + string_size(sum->tracecmd_version) +
		 string_size(sum->probes);
	for (i = 0; i < sum->nr_buffers; i++)
		mh.len += string_size(sum->buffers[i].name) + string_size(sum->buffers[i].clock);
	if (mh.len > MAX_MSG)
		return E2BIG;
	w_bytes(w, &mh, sizeof(mh));
	w_bytes(w, &h, sizeof(h));
	w_string(w, sum->uname);
	w_string(w, sum->tracecmd_version);
	w_string(w, sum->probes);
	for (i = 0; i < sum->nr_buffers; i++) {
		w_string(w, sum->buffers[i].name);
		w_string(w, sum->buffers[i].clock);
	}
	return w->failed ? EPIPE : 0;
}

static void w_batch_flush(struct writer *w)
{
	if (!w->nr_batch)
		return;
	w_msg(w, MSG_EVENTS, w->batch, w->nr_batch * sizeof(w->batch[0]));
	w->nr_batch = 0;
}

static int child_purpose(uint64_t rmap_one, const char *name, void *arg)
{
	struct writer *w = arg;
	struct wire_purpose p = { .rmap_one = rmap_one };

	w_batch_flush(w);
	snprintf(p.name, sizeof(p.name), "%s", name);
	w_msg(w, MSG_PURPOSE, &p, sizeof(p));
	return w->failed ? EPIPE : 0;
}

static int child_event(const struct rs_walk_event *ev, size_t buffer, void *arg)
{
	struct writer *w = arg;
	struct wire_event *we = &w->batch[w->nr_batch++];

	we->buffer = buffer;
	we->pad = 0;
	memcpy(&we->ev, ev, sizeof(*ev));
	if (w->nr_batch == BATCH)
		w_batch_flush(w);
	return w->failed ? EPIPE : 0;
}

static int child_lost(size_t buffer, int cpu, uint64_t ts, long long missed, void *arg)
{
	struct writer *w = arg;
	struct wire_lost l = { .buffer = buffer, .cpu = cpu, .ts = ts, .missed = missed };

	w_batch_flush(w);
	w_msg(w, MSG_LOST, &l, sizeof(l));
	return w->failed ? EPIPE : 0;
}

static void child_done(struct writer *w, const struct rs_trace_summary *sum)
{
	struct wire_done d = {
		.records = sum->records,
		.walk_events = sum->walk_events,
		.undecodable = sum->undecodable,
		.first_ts = sum->first_ts,
		.last_ts = sum->last_ts,
		.clock_buffer = sum->clock_buffer,
		.nr_buffers = sum->nr_buffers,
	};
	struct msg_hdr mh = { .type = MSG_DONE };
	size_t i;

	w_batch_flush(w);
	mh.len = sizeof(d) + sum->nr_buffers * sizeof(struct wire_buffer_done);
	w_bytes(w, &mh, sizeof(mh));
	w_bytes(w, &d, sizeof(d));
	for (i = 0; i < sum->nr_buffers; i++) {
		struct wire_buffer_done b = {
			.walk_events = sum->buffers[i].walk_events,
		};

		w_bytes(w, &b, sizeof(b));
	}
}

/* A positive number from the environment, else def. */
static unsigned long env_limit(const char *name, unsigned long def)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoul(s, &end, 10);
	return *end || !v || errno ? def : v;
}

unsigned long rs_contain_memory_mb(void)
{
	return env_limit("RMAPSTAT_READ_MEMORY_MB", DEFAULT_MEMORY_MB);
}

/* Reading takes well under a second per 100 MiB: the limit leaves room for a slow machine. */
unsigned long rs_contain_cpu_s(int fd)
{
	unsigned long def = CPU_SECONDS_BASE;
	struct stat st;

	if (!fstat(fd, &st))
		def += (unsigned long)(st.st_size >> 20) / CPU_MB_PER_SECOND;
	return env_limit("RMAPSTAT_READ_CPU_SECONDS", def);
}

static void set_limit(int resource, rlim_t value)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl))
		return;
	if (rl.rlim_max != RLIM_INFINITY && value > rl.rlim_max)
		value = rl.rlim_max;
	rl.rlim_cur = value;
	setrlimit(resource, &rl);
}

static void quiet_child(void)
{
	int null = open("/dev/null", O_WRONLY);

	if (null < 0)
		return;
	/* RMAPSTAT_DEBUG: what libtracecmd says goes to stderr, never to the report. */
	dup2(getenv("RMAPSTAT_DEBUG") ? STDERR_FILENO : null, STDOUT_FILENO);
	if (!getenv("RMAPSTAT_DEBUG"))
		dup2(null, STDERR_FILENO);
	close(null);
}

void rs_contain_child(int fd, const char *file, const struct rs_scan_opts *opts,
		      struct rs_ring_end *ring, pid_t parent)
{
	static struct writer w;
	struct rs_scan_ops ops = {
		.head = child_head,
		.purpose = child_purpose,
		.event = child_event,
		.lost = child_lost,
	};
	struct rs_trace_summary sum;
	struct rs_error err;
	unsigned long mb = rs_contain_memory_mb();

	/* Not left behind when rmapstat is gone. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	signal(SIGPIPE, SIG_IGN);
	quiet_child();
	set_limit(RLIMIT_DATA, (rlim_t)mb << 20);
	set_limit(RLIMIT_CPU, rs_contain_cpu_s(fd));
	set_limit(RLIMIT_CORE, 0);

	memset(&sum, 0, sizeof(sum));
	memset(&err, 0, sizeof(err));	/* sent whole */
	w.ring = ring;
	if (rs_scan_fd(fd, file, opts, &ops, &w, &sum, &err)) {
		if (strstr(err.what, "out of memory") || errno == ENOMEM)
			rs_error_set(&err, "if the trace is sound, raise RMAPSTAT_READ_MEMORY_MB; else record it again",
				     "reading it took more than the %lu MiB rmapstat allows", mb);
		w_msg(&w, MSG_ERROR, &err, sizeof(err));
	} else {
		child_done(&w, &sum);
	}
	w_batch_flush(&w);
	rs_ring_flush(ring);
	/* _exit(): no atexit handlers, no stdio buffers of the parent flushed */
	_exit(w.failed ? 1 : 0);
}
