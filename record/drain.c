// SPDX-License-Identifier: GPL-2.0-only
/*
 * The per-CPU drain and the loss accounting of a recording (drain.h).
 * trace_pipe_raw is read without blocking, whole sub-buffers at a time
 * (tracefs_cpu_buffered_read()), every DRAIN_INTERVAL_MS and at the end
 * with a flush of the partly filled one. The staging folder is removed by
 * an undo step of the cleanup registry, also from a signal handler: it
 * closes the ring buffers first (their instance cannot be removed while
 * they are open), then removes the files and the folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>

#include "cleanup.h"
#include "drain.h"
#include "journal.h"

#define DRAIN_INTERVAL_MS	100

/* The undo step: async-signal-safe. */
static void undo_data(void *arg)
{
	struct rs_drain *d = arg;
	int cpu, nr = d->nr_files, fd;

	for (cpu = 0; cpu < nr; cpu++) {
		fd = d->cpu[cpu].raw_fd;
		d->cpu[cpu].raw_fd = -1;
		if (fd >= 0)
			close(fd);
		unlink(d->cpu[cpu].path);
	}
	rmdir(d->dir);
}

/* The staging folder .rmapstat-PID-XXXXXX in parent, journaled, its undo step. */
static int make_dir(struct rs_drain *d, const char *parent, struct rs_error *err)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/.rmapstat-%d-XXXXXX", parent, (int)getpid());
	if (!mkdtemp(path)) {
		ret = -errno;
		rs_error_set(err, "choose a writable directory with -o",
			     "cannot create a data directory in %s: %s", parent,
			     strerror(-ret));
		return ret;
	}
	d->dir = strdup(path);
	if (!d->dir) {
		rmdir(path);
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		return -ENOMEM;
	}
	d->step = rs_cleanup_add(undo_data, d);
	if (d->step < 0) {
		rmdir(path);
		rs_error_set(err, NULL, "too many cleanup steps for %s", path);
		return d->step;
	}
	/* Its name is known only now: a SIGKILL before this leaves it to rs_sweep_data_dirs(). */
	return journal_add_remove(path, JOURNAL_RM_DIR, "staging folder", err);
}

/* CPU cpu's data file and ring buffer. */
static int open_cpu(struct rs_drain *d, int cpu, struct tracefs_instance *inst,
		    const char *inst_name, struct rs_error *err)
{
	struct rs_drain_cpu *c = &d->cpu[cpu];
	char path[64];
	int ret, fd;

	if (asprintf(&c->path, "%s/cpu%d", d->dir, cpu) < 0) {
		c->path = NULL;
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		return -ENOMEM;
	}
	/* Published once whole: the undo step reads c->path and c->raw_fd. */
	atomic_signal_fence(memory_order_seq_cst);
	d->nr_files = cpu + 1;
	c->fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (c->fd < 0) {
		ret = -errno;
		rs_error_set(err, NULL, "cannot create %s: %s", c->path, strerror(-ret));
		return ret;
	}

	snprintf(path, sizeof(path), "per_cpu/cpu%d/trace_pipe_raw", cpu);
	if (!tracefs_file_exists(inst, path))
		return 0;	/* not a possible CPU: its file stays empty */
	fd = tracefs_instance_file_open(inst, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		ret = errno ? -errno : -EIO;
		rs_error_set(err, NULL, "cannot open %s of instance %s: %s", path,
			     inst_name, strerror(-ret));
		return ret;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	c->raw_fd = fd;
	c->tcpu = tracefs_cpu_alloc_fd(fd, d->subbuf_size, true);
	if (!c->tcpu) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int rs_drain_open(struct rs_drain *d, struct tracefs_instance *inst, const char *inst_name,
		  const char *parent, int subbuf_size, struct rs_error *err)
{
	int cpu, ret;

	d->wake[0] = d->wake[1] = -1;
	d->subbuf_size = subbuf_size;
	d->cpus = sysconf(_SC_NPROCESSORS_CONF);
	if (d->cpus < 1)
		d->cpus = 1;
	d->cpu = calloc(d->cpus, sizeof(*d->cpu));
	d->buf = malloc(subbuf_size);
	if (!d->cpu || !d->buf) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		return -ENOMEM;
	}
	for (cpu = 0; cpu < d->cpus; cpu++) {
		d->cpu[cpu].fd = -1;
		d->cpu[cpu].raw_fd = -1;
	}
	ret = make_dir(d, parent, err);
	for (cpu = 0; !ret && cpu < d->cpus; cpu++)
		ret = open_cpu(d, cpu, inst, inst_name, err);
	if (ret)
		return ret;
	if (pipe2(d->wake, O_CLOEXEC)) {
		ret = -errno;
		rs_error_set(err, NULL, "pipe: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * Moves whole sub-buffers of one CPU to its file (flush: also the last,
 * partly filled one); buf holds one sub-buffer. -errno on a write error.
 */
static int drain_cpu(struct rs_drain_cpu *c, void *buf, bool flush)
{
	ssize_t n, w, off;

	if (!c->tcpu)
		return 0;
	for (;;) {
		if (flush)
			n = tracefs_cpu_flush(c->tcpu, buf);
		else
			n = tracefs_cpu_buffered_read(c->tcpu, buf, true);
		if (n <= 0)
			return 0;	/* empty (EAGAIN) or no full page yet */
		for (off = 0; off < n; off += w) {
			w = write(c->fd, (char *)buf + off, n - off);
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w <= 0)
				return w < 0 ? -errno : -EIO;
		}
		c->bytes += n;
	}
}

/* Drains every CPU each DRAIN_INTERVAL_MS until woken through d->wake. */
static void *drain_thread(void *arg)
{
	struct rs_drain *d = arg;
	struct pollfd pfd = { .fd = d->wake[0], .events = POLLIN };
	void *buf = malloc(d->subbuf_size);
	int cpu, ret;

	if (!buf) {
		d->error = ENOMEM;
		return NULL;
	}
	for (;;) {
		for (cpu = 0; cpu < d->cpus; cpu++) {
			ret = drain_cpu(&d->cpu[cpu], buf, false);
			if (ret) {
				d->error = -ret;
				goto out;
			}
		}
		if (poll(&pfd, 1, DRAIN_INTERVAL_MS) > 0)
			break;
	}
out:
	free(buf);
	return NULL;
}

int rs_drain_start(struct rs_drain *d, struct rs_error *err)
{
	sigset_t all, old;
	int ret;

	/* Signals go to the main thread, never to the drain. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&d->thread, NULL, drain_thread, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		rs_error_set(err, NULL, "cannot start the reader thread: %s", strerror(ret));
		return -ret;
	}
	d->running = true;
	return 0;
}

static void parse_stat(const char *stats, const char *key, unsigned long long *val)
{
	const char *p = stats;
	size_t len = strlen(key);

	while ((p = strstr(p, key))) {
		if (p == stats || p[-1] == '\n') {
			*val = strtoull(p + len, NULL, 10);
			return;
		}
		p += len;
	}
}

/* Stops the thread; -errno if it could not be woken or failed to save. */
static int stop_thread(struct rs_drain *d, struct rs_error *err)
{
	int ret = 0;
	char c = 1;

	if (!d->running)
		return 0;
	if (write(d->wake[1], &c, 1) < 0) {
		ret = -errno;
		rs_error_set(err, NULL, "cannot wake the reader thread: %s", strerror(-ret));
	}
	pthread_join(d->thread, NULL);
	d->running = false;
	if (d->error && !ret) {
		ret = -d->error;
		rs_error_set(err, NULL, "cannot save the trace data in %s: %s", d->dir,
			     strerror(d->error));
	}
	return ret;
}

int rs_drain_stop(struct rs_drain *d, struct tracefs_instance *inst, struct rs_error *err)
{
	int cpu, saved, ret = stop_thread(d, err);
	char path[64];

	for (cpu = 0; cpu < d->cpus; cpu++) {
		struct rs_drain_cpu *c = &d->cpu[cpu];

		/* Full pages still in the splice pipe first, then the rest. */
		saved = drain_cpu(c, d->buf, false) ?: drain_cpu(c, d->buf, true);
		if (saved && !ret) {
			ret = saved;
			rs_error_set(err, NULL, "cannot save the trace data in %s: %s",
				     c->path, strerror(-saved));
		}
		snprintf(path, sizeof(path), "per_cpu/cpu%d/stats", cpu);
		c->stats = tracefs_instance_file_read(inst, path, NULL);
		if (c->stats) {
			parse_stat(c->stats, "overrun: ", &c->overrun);
			parse_stat(c->stats, "commit overrun: ", &c->commit_overrun);
			parse_stat(c->stats, "dropped events: ", &c->dropped);
		}
	}
	return ret;
}

unsigned long long rs_drain_report_lost(const struct rs_drain *d, FILE *f)
{
	unsigned long long total = 0, lost;
	int cpu;

	for (cpu = 0; cpu < d->cpus; cpu++) {
		const struct rs_drain_cpu *c = &d->cpu[cpu];

		lost = c->overrun + c->commit_overrun + c->dropped;
		if (!lost)
			continue;
		total += lost;
		fprintf(f, "rmapstat: CPU %d lost %llu events (overrun %llu, commit overrun %llu, dropped %llu); "
			"a larger --buffer-kb keeps them\n",
			cpu, lost, c->overrun, c->commit_overrun, c->dropped);
	}
	return total;
}

unsigned long long rs_drain_bytes(const struct rs_drain *d)
{
	unsigned long long sum = 0;
	int cpu;

	for (cpu = 0; cpu < d->cpus; cpu++)
		sum += d->cpu[cpu].bytes;
	return sum;
}

void rs_drain_close(struct rs_drain *d)
{
	int cpu, fd;

	if (!d->cpus)
		return;		/* never opened */
	stop_thread(d, NULL);
	for (cpu = 0; d->cpu && cpu < d->cpus; cpu++) {
		struct rs_drain_cpu *c = &d->cpu[cpu];

		/* No longer the undo step's to close. */
		fd = c->raw_fd;
		c->raw_fd = -1;
		if (c->tcpu)
			tracefs_cpu_close(c->tcpu);	/* closes fd */
		else if (fd >= 0)
			close(fd);
		c->tcpu = NULL;
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
	}
	rs_cleanup_run(d->step);
	d->step = 0;
	for (cpu = 0; d->cpu && cpu < d->cpus; cpu++) {
		free(d->cpu[cpu].path);
		free(d->cpu[cpu].stats);
	}
	free(d->cpu);
	d->cpu = NULL;
	if (d->wake[0] >= 0)
		close(d->wake[0]);
	if (d->wake[1] >= 0)
		close(d->wake[1]);
	free(d->buf);
	free(d->dir);
	d->dir = NULL;
	d->cpus = 0;
}
