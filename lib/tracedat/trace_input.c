// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace_check.h"
#include "trace_input.h"
#include "trace_pages.h"
#include "tracecmd_private.h"

struct rs_trace {
	int fd;				/* for trace_pages.c; libtracecmd has its own */
	struct rs_trace_layout layout;
	unsigned long damaged;		/* pages trace_pages.c skipped */
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

/* libtracecmd seeks and maps: a pipe would be read here and then be empty. */
static int not_seekable(int fd, struct rs_error *err)
{
	struct stat st;

	if (!fstat(fd, &st) && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode))) {
		rs_error_set(err, RS_FIX_SAVE_FILE,
			     "not a regular file (a pipe or a device): a trace.dat is read by seeking in it");
		return -1;
	}
	return 0;
}

int rs_trace_open_file(const char *file, struct rs_error *err)
{
	int fd, e;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		rs_error_set(err, e == ENOENT ?
			     "record one with `rmapstat record -o FILE`, or name an existing trace file" :
			     RS_FIX_PATH,
			     "%s", strerror(e));
		return -1;
	}
	if (not_seekable(fd, err)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Says what the file is when it is not a trace-cmd data file. */
static int check_magic(int fd, struct rs_error *err)
{
	char buf[16];
	ssize_t n;
	int i;

	n = pread(fd, buf, sizeof(buf), 0);
	if (n >= (ssize_t)sizeof(TRACECMD_MAGIC) && !memcmp(buf, TRACECMD_MAGIC, sizeof(TRACECMD_MAGIC)))
		return 0;
	for (i = 0; i < n && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r'); i++)
		;
	if (n < 0)
		rs_error_set(err, RS_FIX_PATH, "%s", strerror(errno));
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

/* A page size from 4 KiB to 1 MiB, a power of two, and a long of 4 or 8 bytes. */
static int page_format_ok(struct tracecmd_input *h)
{
	int page = tracecmd_page_size(h), lsize = tep_get_long_size(tracecmd_get_tep(h));

	return page >= 4096 && page <= (1 << 20) && !(page & (page - 1)) &&
	       (lsize == 4 || lsize == 8);
}

/*
 * tracecmd_open() step by step: a handle that failed to load is leaked, not
 * closed (tracecmd_close() of libtracecmd 1.3.1 crashes on it).
 */
static struct tracecmd_input *open_tracecmd(int fd, const struct rs_trace *t,
					     struct rs_error *err)
{
	struct tracecmd_input *h;
	int ret;

	h = tracecmd_alloc_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!h) {
		close(fd);
		rs_error_set(err, RS_FIX_LIBTRACECMD,
			     "libtracecmd cannot read its header (unsupported version or damaged)");
		return NULL;
	}
	if (tracecmd_read_headers(h, 0) < 0) {
		rs_error_set(err, RS_FIX_LIBTRACECMD,
			     "libtracecmd cannot read it (damaged or truncated)");
		return NULL;
	}
	/*
	 * libtracecmd loads no page without an 8-byte page timestamp; an
	 * instance buffer that fails there is closed by libtracecmd itself,
	 * which crashes.
	 */
	if (tep_get_header_timestamp_size(tracecmd_get_tep(h)) != 8) {
		rs_error_set(err, RS_FIX_DAMAGED,
			     "damaged header page format (no 8-byte page timestamp)");
		return NULL;
	}
	if (tep_is_old_format(tracecmd_get_tep(h)) || !page_format_ok(h)) {
		if (tep_is_old_format(tracecmd_get_tep(h)))
			rs_error_set(err, "record it on a kernel since 2.6.31",
				     "the ring-buffer page format of kernels before 2.6.31");
		else
			rs_error_set(err, RS_FIX_DAMAGED,
				     "damaged header: page size %d, long size %d",
				     tracecmd_page_size(h), tep_get_long_size(tracecmd_get_tep(h)));
		return NULL;
	}
	/* libtracecmd parses the first page of each CPU while it loads them. */
	if (t->layout.known && rs_pages_check_first(t->fd, &t->layout, tracecmd_get_tep(h)) > 0) {
		rs_error_set(err, RS_FIX_DAMAGED,
			     "damaged ring-buffer pages in the CPU data (events outside their page)");
		return NULL;
	}
	ret = tracecmd_init_data(h);
	if (ret < 0) {
		rs_error_set(err, RS_FIX_LIBTRACECMD,
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

struct rs_trace *rs_trace_open(const char *file, struct rs_error *err)
{
	int fd = rs_trace_open_file(file, err);

	return fd < 0 ? NULL : rs_trace_open_fd(fd, file, err);
}

struct rs_trace *rs_trace_open_fd(int fd, const char *file, struct rs_error *err)
{
	struct quiet q;
	struct rs_trace *t;
	int i, n;

	if (not_seekable(fd, err) || check_magic(fd, err)) {
		close(fd);
		return NULL;
	}
	/* libtracecmd reads from the current offset; the caller may have read some. */
	if (lseek(fd, 0, SEEK_SET) != 0) {
		rs_error_set(err, RS_FIX_SAVE_FILE,
			     "cannot seek in it (%s): a trace.dat is read by seeking in it",
			     strerror(errno));
		close(fd);
		return NULL;
	}

	if (!getenv("RMAPSTAT_DEBUG")) {
		tracecmd_set_loglevel(TEP_LOG_NONE);
		tep_set_loglevel(TEP_LOG_NONE);
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		goto nomem;
	}
	t->fd = -1;
	if (rs_trace_check_fd(fd, &t->layout, err)) {
		close(fd);
		rs_trace_close(t);
		return NULL;
	}
	t->file = strdup(file);
	/* libtracecmd closes the descriptor it gets: the pages are read with another. */
	t->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (!t->file || t->fd < 0) {
		close(fd);
		goto nomem;
	}
	quiet_begin(&q);
	t->top = open_tracecmd(fd, t, err);
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
			rs_error_set(err, RS_FIX_LIBTRACECMD,
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
	t->meta.probes = t->layout.probes;
	t->meta.file_version = tracecmd_get_in_file_version(t->top);
	t->meta.cpus = tracecmd_cpus(t->top);
	t->meta.nr_buffers = t->nr_buffers;
	return t;
nomem:
	rs_error_set(err, RS_FIX_MEMORY, "out of memory");
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
	rs_trace_layout_free(&t->layout);
	if (t->fd >= 0)
		close(t->fd);
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

/*
 * For each buffer of the layout, the rs_trace buffer it is (the same name)
 * if chosen, else -1. 0 when every chosen buffer is in the layout.
 */
static int map_buffers(const struct rs_trace *t, unsigned long long mask, int *buffer_of)
{
	const struct rs_trace_layout *l = &t->layout;
	int i, found;
	size_t b;

	for (b = 0; b < l->nr_buffers; b++)
		buffer_of[b] = -1;
	for (i = 0; i < t->nr_buffers && i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		found = 0;
		for (b = 0; b < l->nr_buffers && !found; b++) {
			if (buffer_of[b] < 0 && !strcmp(l->buffers[b].name, t->names[i])) {
				buffer_of[b] = i;
				found = 1;
			}
		}
		if (!found)
			return -1;
	}
	return 0;
}

int rs_trace_iterate(struct rs_trace *t, unsigned long long buffer_mask,
		     rs_record_fn fn, void *arg)
{
	struct tracecmd_input **list;
	int i, n = 0, ret, *buffer_of;

	if (t->layout.known && !getenv("RMAPSTAT_READ_WITH_LIBTRACECMD")) {
		buffer_of = calloc(t->layout.nr_buffers + 1, sizeof(*buffer_of));
		if (!buffer_of)
			return -ENOMEM;
		if (!map_buffers(t, buffer_mask, buffer_of)) {
			ret = rs_pages_iterate(t->fd, &t->layout, rs_trace_tep(t), buffer_of,
					       fn, arg, &t->damaged);
			free(buffer_of);
			return ret < 0 ? ret : 0;
		}
		free(buffer_of);
	}
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

unsigned long rs_trace_damaged_pages(const struct rs_trace *t)
{
	return t->damaged;
}
