// SPDX-License-Identifier: GPL-2.0-only
/*
 * rs_scan_file(): the pass of trace_scan.c in a child process.
 *
 * libtracecmd 1.3.1 and libtraceevent trust the file they read: damaged
 * headers have made them crash, loop and allocate gigabytes. The parent
 * opens the file (the only open), forks, and the child does all the
 * reading and decoding under RLIMIT_DATA and RLIMIT_CPU, with stdout and
 * stderr on /dev/null (libtracecmd prints there whatever its log level).
 * It sends what the caller's callbacks get through a shared-memory ring
 * (shm_ring.h), while the caller pairs and counts on the other core:
 *
 *   HEAD      the summary's metadata and buffers, once, first
 *   PURPOSE   the name of an rmap_one address, once per address
 *   EVENTS    up to BATCH walk events, struct rs_walk_event as it is
 *   LOST      events lost on a buffer's CPU
 *   DONE      the counters at the end, last
 *   ERROR     an rs_error instead of DONE
 *
 * The parent trusts nothing it receives: every message has a bounded
 * length, every index and enum is checked, every string is cut to its
 * buffer. A child that ends without DONE or ERROR is one error line that
 * says how it ended. Both sides run the same binary, so structures travel
 * as they are.
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
#include <sys/wait.h>
#include <unistd.h>

#include "shm_ring.h"
#include "topn.h"
#include "trace_input.h"
#include "trace_scan.h"

enum msg_type {
	MSG_HEAD = 1,
	MSG_PURPOSE,
	MSG_EVENTS,
	MSG_LOST,
	MSG_DONE,
	MSG_ERROR,
};

struct msg_hdr {
	uint32_t type;
	uint32_t len;			/* of the payload that follows */
};

#define BATCH		512
#define MAX_STRING	4096
#define MAX_BUFFERS	4096
/* The largest message: the ring hands over at most this in one piece. */
#define MAX_MSG		(RS_RING_MAX_PEEK - sizeof(struct msg_hdr))

/* The child's limits: a trace needs far less; a damaged one can ask for anything. */
#define DEFAULT_MEMORY_MB	2048
#define CPU_SECONDS_BASE	10
#define CPU_MB_PER_SECOND	8

struct wire_head {
	uint64_t file_version;
	int32_t cpus;
	uint32_t formats;
	uint32_t source;
	uint32_t nr_buffers;
	/* then uname, tracecmd_version, and name + clock of each buffer: strings */
};

struct wire_purpose {
	uint64_t rmap_one;
	char name[RS_PURPOSE_LEN];
};

/* A walk event and its buffer: copied, not converted (both sides run one binary). */
struct wire_event {
	uint32_t buffer;
	uint32_t pad;
	struct rs_walk_event ev;
};

struct wire_lost {
	uint32_t buffer;
	int32_t cpu;
	uint64_t ts;
	int64_t missed;
};

struct wire_buffer_done {
	uint64_t walk_events;
};

struct wire_done {
	uint64_t records;
	uint64_t walk_events;
	uint64_t undecodable;
	uint64_t first_ts, last_ts;
	uint32_t clock_buffer;		/* whose clock is the trace's */
	uint32_t nr_buffers;
	/* then nr_buffers x struct wire_buffer_done */
};

static int contained = 1;

void rs_scan_set_contained(int on)
{
	contained = on;
}

/* ------------------------------------------------------------ the child */

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
	mh.len = sizeof(h) + string_size(sum->uname) + string_size(sum->tracecmd_version);
	for (i = 0; i < sum->nr_buffers; i++)
		mh.len += string_size(sum->buffers[i].name) + string_size(sum->buffers[i].clock);
	if (mh.len > MAX_MSG)
		return E2BIG;
	w_bytes(w, &mh, sizeof(mh));
	w_bytes(w, &h, sizeof(h));
	w_string(w, sum->uname);
	w_string(w, sum->tracecmd_version);
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

static unsigned long memory_limit_mb(void)
{
	return env_limit("RMAPSTAT_READ_MEMORY_MB", DEFAULT_MEMORY_MB);
}

/* Reading takes well under a second per 100 MiB: the limit leaves room for a slow machine. */
static unsigned long cpu_limit_s(int fd)
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

static __attribute__((noreturn))
void child_main(int fd, const char *file, const struct rs_scan_opts *opts,
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
	unsigned long mb = memory_limit_mb();

	/* Not left behind when rmapstat is gone. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	signal(SIGPIPE, SIG_IGN);
	quiet_child();
	set_limit(RLIMIT_DATA, (rlim_t)mb << 20);
	set_limit(RLIMIT_CPU, cpu_limit_s(fd));
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

/* ----------------------------------------------------------- the parent */

/* A string of the payload [*p, end); 0, or -1 when it does not fit. */
static int get_string(const unsigned char **p, const unsigned char *end, char **out)
{
	uint32_t n;

	*out = NULL;
	if (end - *p < (ptrdiff_t)sizeof(n))
		return -1;
	memcpy(&n, *p, sizeof(n));
	*p += sizeof(n);
	if (n == UINT32_MAX)
		return 0;
	if (n > MAX_STRING || end - *p < (ptrdiff_t)n)
		return -1;
	*out = strndup((const char *)*p, n);
	*p += n;
	return *out ? 0 : -1;
}

struct parent {
	const struct rs_scan_ops *ops;
	void *arg;
	struct rs_trace_summary *sum;
	int have_head, done;
	int errnum;			/* of a callback */
	int garbled;			/* the child sent something impossible */
	struct rs_error child_err;
	int have_err;
};

static int on_head(struct parent *pa, const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	struct rs_trace_summary *sum = pa->sum;
	struct wire_head h;
	uint32_t i;

	if (pa->have_head || len < sizeof(h))
		return -1;
	memcpy(&h, p, sizeof(h));
	p += sizeof(h);
	if (h.nr_buffers == 0 || h.nr_buffers > MAX_BUFFERS)
		return -1;
	sum->file_version = h.file_version;
	sum->cpus = h.cpus;
	sum->formats = h.formats;
	sum->source = h.source;
	if (get_string(&p, end, &sum->uname) || get_string(&p, end, &sum->tracecmd_version))
		return -1;
	sum->buffers = calloc(h.nr_buffers, sizeof(*sum->buffers));
	if (!sum->buffers)
		return -1;
	sum->nr_buffers = h.nr_buffers;
	for (i = 0; i < h.nr_buffers; i++) {
		struct rs_buffer_summary *b = &sum->buffers[i];

		if (get_string(&p, end, &b->name) || get_string(&p, end, &b->clock) ||
		    !b->name || !b->clock)
			return -1;
	}
	pa->have_head = 1;
	if (pa->ops->head)
		pa->errnum = pa->ops->head(sum, pa->arg);
	return 0;
}

/* The events of an EVENTS message, checked, to the caller. */
static int on_events(struct parent *pa, const unsigned char *p, size_t len)
{
	struct wire_event we;
	size_t i, n = len / sizeof(we);

	if (!pa->have_head || !n || len % sizeof(we) || n > BATCH)
		return -1;
	for (i = 0; i < n && !pa->errnum; i++) {
		struct rs_walk_event *ev = &we.ev;

		memcpy(&we, p + i * sizeof(we), sizeof(we));
		if (we.buffer >= pa->sum->nr_buffers || (unsigned int)ev->type > RS_EV_EXIT ||
		    (unsigned int)ev->func >= RS_FUNC_NR || (unsigned int)ev->kind >= RS_KIND_NR ||
		    ev->cpu < 0)
			return -1;
		ev->comm[RS_COMM_LEN - 1] = '\0';
		ev->locked = !!*(volatile unsigned char *)&ev->locked;	/* a bool is 0 or 1 */
		pa->errnum = pa->ops->event(ev, we.buffer, pa->arg);
	}
	return 0;
}

static int on_purpose(struct parent *pa, const unsigned char *p, size_t len)
{
	struct wire_purpose wp;

	if (!pa->have_head || len != sizeof(wp))
		return -1;
	memcpy(&wp, p, sizeof(wp));
	wp.name[RS_PURPOSE_LEN - 1] = '\0';
	if (!wp.name[0])
		return -1;
	if (pa->ops->purpose)
		pa->errnum = pa->ops->purpose(wp.rmap_one, wp.name, pa->arg);
	return 0;
}

static int on_lost(struct parent *pa, const unsigned char *p, size_t len)
{
	struct wire_lost l;

	if (!pa->have_head || len != sizeof(l))
		return -1;
	memcpy(&l, p, sizeof(l));
	if (l.buffer >= pa->sum->nr_buffers)
		return -1;
	if (pa->ops->lost)
		pa->errnum = pa->ops->lost(l.buffer, l.cpu, l.ts, l.missed, pa->arg);
	return 0;
}

static int on_done(struct parent *pa, const unsigned char *p, size_t len)
{
	struct rs_trace_summary *sum = pa->sum;
	struct wire_done d;
	uint32_t i;

	if (!pa->have_head || len < sizeof(d))
		return -1;
	memcpy(&d, p, sizeof(d));
	p += sizeof(d);
	if (d.nr_buffers != sum->nr_buffers || d.clock_buffer >= sum->nr_buffers ||
	    len != sizeof(d) + d.nr_buffers * sizeof(struct wire_buffer_done))
		return -1;
	sum->records = d.records;
	sum->walk_events = d.walk_events;
	sum->undecodable = d.undecodable;
	sum->first_ts = d.first_ts;
	sum->last_ts = d.last_ts;
	for (i = 0; i < d.nr_buffers; i++) {
		struct wire_buffer_done b;

		memcpy(&b, p, sizeof(b));
		p += sizeof(b);
		sum->buffers[i].walk_events = b.walk_events;
	}
	sum->clock_buffer = d.clock_buffer;
	sum->clock = strdup(sum->buffers[d.clock_buffer].clock);
	if (!sum->clock)
		return -1;
	pa->done = 1;
	return 0;
}

static int on_error(struct parent *pa, const unsigned char *p, size_t len)
{
	if (len != sizeof(pa->child_err))
		return -1;
	memcpy(&pa->child_err, p, sizeof(pa->child_err));
	pa->child_err.what[sizeof(pa->child_err.what) - 1] = '\0';
	pa->child_err.fix[sizeof(pa->child_err.fix) - 1] = '\0';
	pa->have_err = 1;
	return 0;
}

typedef int (*msg_fn)(struct parent *pa, const unsigned char *p, size_t len);

static const msg_fn handlers[] = {
	[MSG_HEAD] = on_head,
	[MSG_PURPOSE] = on_purpose,
	[MSG_EVENTS] = on_events,
	[MSG_LOST] = on_lost,
	[MSG_DONE] = on_done,
	[MSG_ERROR] = on_error,
};

/* rs_ring_peek(); 0, else the reading ends (the child is gone, or garbled). */
static int peek(struct parent *pa, struct rs_ring_end *ring, size_t n, const void **p)
{
	int ret = rs_ring_peek(ring, n, p);

	if (ret == -ENOMEM)
		pa->errnum = ENOMEM;
	else if (ret < 0)
		pa->garbled = 1;
	return ret;
}

/* Reads the child's messages until it is done, fails, or a callback fails. */
static void receive(struct parent *pa, struct rs_ring_end *ring)
{
	const void *p;
	struct msg_hdr h;
	msg_fn fn;

	while (!pa->done && !pa->have_err && !pa->errnum && !pa->garbled) {
		if (peek(pa, ring, sizeof(h), &p))
			break;
		memcpy(&h, p, sizeof(h));
		fn = h.type < sizeof(handlers) / sizeof(handlers[0]) ? handlers[h.type] : NULL;
		if (h.len > MAX_MSG || !fn) {
			pa->garbled = 1;
			break;
		}
		if (peek(pa, ring, sizeof(h) + h.len, &p))
			break;
		if (fn(pa, (const unsigned char *)p + sizeof(h), h.len))
			pa->garbled = 1;
		rs_ring_consume(ring, sizeof(h) + h.len);
	}
}

/* What became of a child that did not say DONE or ERROR. */
static void child_failed(int status, unsigned long cpu_s, unsigned long mb, struct rs_error *err)
{
	const char *fix = RS_FIX_DAMAGED;

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU) {
		rs_error_set(err, fix, "libtracecmd did not finish reading it in %lu s of CPU time",
			     cpu_s);
	} else if (WIFSIGNALED(status)) {
		const char *sig = sigabbrev_np(WTERMSIG(status));

		rs_error_set(err, fix, "libtracecmd crashed reading it (signal %d%s%s)",
			     WTERMSIG(status), sig ? ", SIG" : "", sig ? sig : "");
	} else {
		rs_error_set(err, fix, "libtracecmd failed reading it (exit status %d, memory limit %lu MiB)",
			     WIFEXITED(status) ? WEXITSTATUS(status) : -1, mb);
	}
}

int rs_scan_file(const char *file, const struct rs_scan_opts *opts,
		 const struct rs_scan_ops *ops, void *arg,
		 struct rs_trace_summary *sum, struct rs_error *err)
{
	int fd = rs_trace_open_file(file, err);

	if (fd < 0) {
		if (!sum->file)
			sum->file = strdup(file);
		return -1;
	}
	return rs_scan_file_fd(fd, file, opts, ops, arg, sum, err);
}

int rs_scan_file_fd(int fd, const char *file, const struct rs_scan_opts *opts,
		    const struct rs_scan_ops *ops, void *arg,
		    struct rs_trace_summary *sum, struct rs_error *err)
{
	struct rs_ring_end prod, cons;
	struct parent pa;
	int status, ret;
	unsigned long cpu_s;
	pid_t pid, self = getpid();

	if (!sum->file) {
		sum->file = strdup(file);
		if (!sum->file) {
			rs_error_set(err, RS_FIX_MEMORY, "out of memory");
			close(fd);
			return -1;
		}
	}
	if (!contained)
		return rs_scan_fd(fd, file, opts, ops, arg, sum, err);

	cpu_s = cpu_limit_s(fd);
	ret = rs_ring_create(&prod, &cons);
	if (ret) {
		rs_error_set(err, "free some memory or file descriptors and try again",
			     "shared memory for the reader: %s", strerror(-ret));
		close(fd);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		rs_error_set(err, RS_FIX_MEMORY, "fork: %s", strerror(errno));
		close(fd);
		rs_ring_forget(&prod);
		rs_ring_close(&cons);
		return -1;
	}
	if (pid == 0) {
		rs_ring_forget(&cons);
		child_main(fd, file, opts, &prod, self);
	}
	close(fd);
	rs_ring_forget(&prod);

	memset(&pa, 0, sizeof(pa));
	pa.ops = ops;
	pa.arg = arg;
	pa.sum = sum;
	receive(&pa, &cons);
	rs_ring_close(&cons);
	if (!pa.done && !pa.have_err) {
		/* A callback failed, or the child sent garbage: it has nothing more to say. */
		if (pa.errnum || pa.garbled)
			kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = 0;
			break;
		}
	}
	if (pa.errnum) {
		rs_error_set(err, pa.errnum == ENOMEM ? "free some memory, or report fewer groups" :
			     RS_FIX_OUTPUT,
			     "%s", strerror(pa.errnum));
		return -1;
	}
	if (pa.have_err) {
		*err = pa.child_err;
		return -1;
	}
	if (pa.garbled) {
		rs_error_set(err, RS_FIX_DAMAGED,
			     "the process reading it sent a malformed result");
		return -1;
	}
	if (!pa.done) {
		child_failed(status, cpu_s, memory_limit_mb(), err);
		return -1;
	}
	return 0;
}
