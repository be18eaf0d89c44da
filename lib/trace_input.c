// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tep_guard.h"
#include "trace_check.h"
#include "trace_input.h"
#include "tracecmd_extra.h"

struct rs_trace {
	struct tracecmd_input *top;
	int nr_buffers;
	struct tracecmd_input **handles;	/* [0] = top */
	char **names;
	struct rs_trace_meta meta;
	char *file;
	/* iteration */
	rs_record_fn fn;
	void *arg;
};

static const char TRACECMD_MAGIC[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };

/* Says what the file is when it is not a trace-cmd data file. */
static int check_magic(const char *file, struct rs_error *err)
{
	struct stat st;
	char buf[16];
	ssize_t n;
	int fd, i;

	fd = open(file, O_RDONLY);
	if (fd < 0) {
		int e = errno;

		rs_error_set(err, e == ENOENT ?
			     "record one with `rmapstat record -o FILE`, or name an existing trace file" :
			     "check the path and its permissions",
			     "%s", strerror(e));
		return -1;
	}
	/* libtracecmd seeks and maps: a pipe would be read here and then be empty. */
	if (!fstat(fd, &st) && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode))) {
		close(fd);
		rs_error_set(err, "save the trace to a file first",
			     "not a regular file (a pipe or a device): a trace.dat is read by seeking in it");
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n >= (ssize_t)sizeof(TRACECMD_MAGIC) && !memcmp(buf, TRACECMD_MAGIC, sizeof(TRACECMD_MAGIC)))
		return 0;
	for (i = 0; i < n && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r'); i++)
		;
	if (n < 0)
		rs_error_set(err, "check the path and its permissions", "%s", strerror(errno));
	else if (n == 0)
		rs_error_set(err, "the recording did not finish; record again",
			     "empty file");
	else if (i < n && buf[i] == '{')
		rs_error_set(err, "report JSON is read by `rmapstat compare`; give `rmapstat report` a trace.dat",
			     "is JSON, not a trace-cmd data file");
	else
		rs_error_set(err, "give a trace.dat written by `rmapstat record` or `trace-cmd record`",
			     "not a trace-cmd data file");
	return -1;
}

/*
 * While libtracecmd 1.3.1 loads a file it writes to stdout ("File possibly
 * truncated") and to stderr (perror("mmap"), "Can not mmap file"),
 * whatever its log level: stdout may be the report and an error is one
 * line, so both point to /dev/null meanwhile (not with RMAPSTAT_DEBUG).
 */
struct quiet {
	int out, err;
};

static void quiet_begin(struct quiet *q)
{
	int null;

	q->out = q->err = -1;
	if (getenv("RMAPSTAT_DEBUG"))
		return;
	fflush(stdout);
	fflush(stderr);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null < 0)
		return;
	q->out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	q->err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (q->out >= 0)
		dup2(null, STDOUT_FILENO);
	if (q->err >= 0)
		dup2(null, STDERR_FILENO);
	close(null);
}

static void quiet_end(struct quiet *q)
{
	fflush(stdout);
	fflush(stderr);
	if (q->out >= 0) {
		dup2(q->out, STDOUT_FILENO);
		close(q->out);
	}
	if (q->err >= 0) {
		dup2(q->err, STDERR_FILENO);
		close(q->err);
	}
}

/*
 * tracecmd_open() step by step: a handle that failed to load is leaked, not
 * closed (tracecmd_close() of libtracecmd 1.3.1 crashes on it).
 */
static struct tracecmd_input *open_tracecmd(const char *file, struct rs_error *err)
{
	struct tracecmd_input *h;
	int fd, ret;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rs_error_set(err, "check the path and its permissions", "%s", strerror(errno));
		return NULL;
	}
	rs_tep_guard_reset();
	h = tracecmd_alloc_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!h) {
		close(fd);
		rs_error_set(err, "record it again; `trace-cmd report FILE` shows what libtracecmd says",
			     "libtracecmd cannot read its header (unsupported version or damaged)");
		return NULL;
	}
	if (tracecmd_read_headers(h, 0) < 0) {
		rs_error_set(err, "record it again; `trace-cmd report FILE` shows what libtracecmd says",
			     "libtracecmd cannot read it (damaged or truncated)");
		return NULL;
	}
	/*
	 * libtracecmd loads no page without an 8-byte page timestamp; an
	 * instance buffer that fails there is closed by libtracecmd itself,
	 * which crashes.
	 */
	if (tep_get_header_timestamp_size(tracecmd_get_tep(h)) != 8) {
		rs_error_set(err, "record it again; the file is damaged",
			     "damaged header page format (no 8-byte page timestamp)");
		return NULL;
	}
	if (rs_tep_guard_setup(tracecmd_get_tep(h), tracecmd_page_size(h))) {
		if (tep_is_old_format(tracecmd_get_tep(h)))
			rs_error_set(err, "record it on a kernel since 2.6.31",
				     "the ring-buffer page format of kernels before 2.6.31");
		else
			rs_error_set(err, "record it again; the file is damaged",
				     "damaged header: page size %d, long size %d",
				     tracecmd_page_size(h), tep_get_long_size(tracecmd_get_tep(h)));
		return NULL;
	}
	ret = tracecmd_init_data(h);
	if (ret < 0) {
		rs_error_set(err, "record it again; `trace-cmd report FILE` shows what libtracecmd says",
			     "libtracecmd cannot read it (damaged or truncated)");
		return NULL;
	}
	if (ret > 0) {
		/* Loaded completely (tracecmd_close() is safe), but no per-CPU data. */
		tracecmd_close(h);
		rs_error_set(err, "record the rmap events with `rmapstat record` or `trace-cmd record -e rmap`",
			     "a latency tracer's trace (no per-CPU event data)");
		return NULL;
	}
	return h;
}

static struct rs_trace *open_trace(const char *file, struct rs_error *err);

static int child_load = 1;

/*
 * Loading reads the headers, and decompresses the CPU data of version 7
 * files with compression (to temporary files): seconds for a large trace.
 */
#define LOAD_TIMEOUT	300

void rs_trace_set_load_in_child(int on)
{
	child_load = on;
}

/*
 * libtracecmd 1.3.1 trusts the headers it reads. rs_trace_check() and the
 * checks in open_tracecmd() refuse what is known to crash it, but fuzzing
 * keeps finding new ways (tests/fuzz/README.md). So the file is first
 * loaded the same way in a child process: when that dies, the file is
 * refused with one line instead of rmapstat dying with it. Loading is
 * deterministic, so the real load that follows does not crash either.
 * 0: go on (also when the child could not be started), -1 with *err set.
 */
static int load_in_child(const char *file, struct rs_error *err)
{
	struct rs_error ignored;
	int status, null;
	pid_t pid;

	if (!child_load)
		return 0;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		struct rs_trace *t;

		if (!getenv("RMAPSTAT_DEBUG")) {
			null = open("/dev/null", O_WRONLY);
			if (null >= 0) {
				dup2(null, STDOUT_FILENO);
				dup2(null, STDERR_FILENO);
			}
		}
		/* Not left behind when rmapstat is gone. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* A load that loops (something nothing checks for yet) ends too. */
		alarm(LOAD_TIMEOUT);
		t = open_trace(file, &ignored);
		rs_trace_close(t);
		/* _exit(): no atexit handlers, no stdio buffers of the parent flushed */
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		rs_error_set(err, "record it again; the file is damaged",
			     "libtracecmd did not finish loading it in %d s", LOAD_TIMEOUT);
	} else if (WIFSIGNALED(status)) {
		const char *sig = sigabbrev_np(WTERMSIG(status));

		rs_error_set(err, "record it again; the file is damaged",
			     "libtracecmd crashed loading it (signal %d%s%s)", WTERMSIG(status),
			     sig ? ", SIG" : "", sig ? sig : "");
	} else {
		rs_error_set(err, "record it again; the file is damaged",
			     "libtracecmd failed loading it (exit status %d)", WEXITSTATUS(status));
	}
	return -1;
}

struct rs_trace *rs_trace_open(const char *file, struct rs_error *err)
{
	if (check_magic(file, err) || rs_trace_check(file, err) || load_in_child(file, err))
		return NULL;
	return open_trace(file, err);
}

static struct rs_trace *open_trace(const char *file, struct rs_error *err)
{
	struct quiet q;
	struct rs_trace *t;
	int i, n;

	if (!getenv("RMAPSTAT_DEBUG")) {
		tracecmd_set_loglevel(TEP_LOG_NONE);
		tep_set_loglevel(TEP_LOG_NONE);
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	t->file = strdup(file);
	if (!t->file)
		goto nomem;
	quiet_begin(&q);
	t->top = open_tracecmd(file, err);
	quiet_end(&q);
	if (!t->top) {
		rs_trace_close(t);
		return NULL;
	}
	n = tracecmd_buffer_instances(t->top);
	if (n < 0)
		n = 0;
	t->handles = calloc(n + 1, sizeof(*t->handles));
	t->names = calloc(n + 1, sizeof(*t->names));
	if (!t->handles || !t->names)
		goto nomem;
	t->handles[0] = t->top;
	t->names[0] = strdup("");
	if (!t->names[0])
		goto nomem;
	t->nr_buffers = 1;
	for (i = 0; i < n; i++) {
		const char *name = tracecmd_buffer_instance_name(t->top, i);
		struct tracecmd_input *h;

		quiet_begin(&q);
		h = tracecmd_buffer_instance_handle(t->top, i);
		quiet_end(&q);

		if (!h) {
			rs_error_set(err, "record it again; `trace-cmd report FILE` shows what libtracecmd says",
				     "cannot read instance buffer '%s'", name ? name : "?");
			rs_trace_close(t);
			return NULL;
		}
		t->handles[t->nr_buffers] = h;
		t->names[t->nr_buffers] = strdup(name ? name : "?");
		if (!t->names[t->nr_buffers++])
			goto nomem;
	}
	t->meta.file = t->file;
	t->meta.uname = tracecmd_get_uname(t->top);
	t->meta.tracecmd_version = tracecmd_get_version(t->top);
	t->meta.file_version = tracecmd_get_in_file_version(t->top);
	t->meta.cpus = tracecmd_cpus(t->top);
	t->meta.nr_buffers = t->nr_buffers;
	return t;
nomem:
	rs_error_set(err, "free some memory and try again", "out of memory");
	rs_trace_close(t);
	return NULL;
}

void rs_trace_close(struct rs_trace *t)
{
	int i;

	if (!t)
		return;
	for (i = t->nr_buffers - 1; i >= 1; i--)
		tracecmd_close(t->handles[i]);
	if (t->top)
		tracecmd_close(t->top);
	if (t->names)
		for (i = 0; i < t->nr_buffers; i++)
			free(t->names[i]);
	free(t->names);
	free(t->handles);
	free(t->file);
	free(t);
}

struct tep_handle *rs_trace_tep(struct rs_trace *t)
{
	return tracecmd_get_tep(t->top);
}

const struct rs_trace_meta *rs_trace_meta(const struct rs_trace *t)
{
	return &t->meta;
}

const char *rs_trace_buffer_name(const struct rs_trace *t, int buffer)
{
	return buffer >= 0 && buffer < t->nr_buffers ? t->names[buffer] : NULL;
}

const char *rs_trace_buffer_clock(const struct rs_trace *t, int buffer)
{
	const char *clock;

	if (buffer < 0 || buffer >= t->nr_buffers)
		return "unknown";
	clock = tracecmd_get_trace_clock(t->handles[buffer]);
	if (!clock)
		clock = tracecmd_get_trace_clock(t->top);
	return clock && *clock ? clock : "unknown";
}

int rs_trace_find_buffer(const struct rs_trace *t, const char *name)
{
	int i;

	if (!strcmp(name, "top"))
		name = "";
	for (i = 0; i < t->nr_buffers; i++)
		if (!strcmp(t->names[i], name))
			return i;
	return -1;
}

static int iterate_cb(struct tracecmd_input *handle, struct tep_record *rec,
		      int cpu, void *data)
{
	struct rs_trace *t = data;
	int i;

	(void)cpu;	/* the nth CPU of all handles: use rec->cpu */
	for (i = 0; i < t->nr_buffers; i++)
		if (t->handles[i] == handle)
			return t->fn(i, rec, t->arg);
	return 0;
}

int rs_trace_iterate(struct rs_trace *t, unsigned long long buffer_mask,
		     rs_record_fn fn, void *arg)
{
	struct tracecmd_input **list;
	int i, n = 0, ret;

	list = calloc(t->nr_buffers, sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (i = 0; i < t->nr_buffers && i < 64; i++)
		if (buffer_mask & (1ULL << i))
			list[n++] = t->handles[i];
	t->fn = fn;
	t->arg = arg;
	ret = n ? tracecmd_iterate_events_multi(list, n, iterate_cb, t) : 0;
	free(list);
	return ret < 0 ? ret : 0;
}
