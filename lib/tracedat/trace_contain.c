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
 * (shm_ring.h, messages of contain_wire.h), while the caller pairs and
 * counts on the other core. This file is the parent's side.
 *
 * The parent trusts nothing it receives: every message has a bounded
 * length, every index and enum is checked, every string is cut to its
 * buffer. A child that ends without DONE or ERROR is one error line that
 * says how it ended.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contain_wire.h"
#include "trace_input.h"
#include "trace_scan.h"

static int contained = 1;

void rs_scan_set_contained(int on)
{
	contained = on;
}

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
	if (get_string(&p, end, &sum->uname) || get_string(&p, end, &sum->tracecmd_version) ||
	    get_string(&p, end, &sum->probes))
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
		if (we.buffer >= pa->sum->nr_buffers || (unsigned int)ev->type >= RS_EV_NR ||
		    (unsigned int)ev->func >= RS_FUNC_NR || (unsigned int)ev->kind >= RS_KIND_NR ||
		    ev->cpu < 0)
			return -1;
		ev->comm[RS_COMM_LEN - 1] = '\0';
		ev->locked = !!*(volatile unsigned char *)&ev->locked;	/* a bool is 0 or 1 */
		pa->errnum = pa->ops->event(ev, we.buffer, pa->arg);
	}
	return 0;
}

/* A fixed-size message after HEAD: copied out of the ring; -1 when it is not one. */
static int take(const struct parent *pa, const unsigned char *p, size_t len, void *out,
		size_t size)
{
	if (!pa->have_head || len != size)
		return -1;
	memcpy(out, p, size);
	return 0;
}

static int on_purpose(struct parent *pa, const unsigned char *p, size_t len)
{
	struct wire_purpose wp;

	if (take(pa, p, len, &wp, sizeof(wp)))
		return -1;
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

	if (take(pa, p, len, &l, sizeof(l)))
		return -1;
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

	cpu_s = rs_contain_cpu_s(fd);
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
		rs_contain_child(fd, file, opts, &prod, self);
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
		child_failed(status, cpu_s, rs_contain_memory_mb(), err);
		return -1;
	}
	return 0;
}
