// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace.dat writer on top of libtracecmd's output API (see
 * tracecmd_private.h for why it is declared there).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "test_hook.h"
#include "trace_writer.h"
#include "tracecmd_private.h"

#define TRACE_FILE_VERSION	7

/* The undo step of a write in progress: its temporary file goes. */
static void remove_tmp(void *path)
{
	unlink(path);
}

/*
 * "<dir>/.<base>.XXXXXX" next to output, or in tmp_dir (on the same file
 * system), so that rename() is atomic.
 */
static int make_tmp_path(char *tmp, size_t size, const char *output, const char *tmp_dir)
{
	const char *slash = strrchr(output, '/');
	int n;

	if (tmp_dir)
		n = snprintf(tmp, size, "%s/.%s.XXXXXX", tmp_dir, slash ? slash + 1 : output);
	else if (slash)
		n = snprintf(tmp, size, "%.*s/.%s.XXXXXX", (int)(slash - output), output,
			     slash + 1);
	else
		n = snprintf(tmp, size, ".%s.XXXXXX", output);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static struct tracecmd_event_list *event_list(const char *const *events)
{
	struct tracecmd_event_list *list = NULL, *item;
	size_t n = 0;

	while (events && events[n])
		n++;
	while (n--) {
		item = calloc(1, sizeof(*item));
		if (!item)
			break;
		item->glob = events[n];
		item->next = list;
		list = item;
	}
	return list;
}

static void free_event_list(struct tracecmd_event_list *list)
{
	struct tracecmd_event_list *next;

	for (; list; list = next) {
		next = list->next;
		free(list);
	}
}

static void add_string_option(struct tracecmd_output *out, unsigned short id,
			      const char *s)
{
	if (s)
		tracecmd_add_option(out, id, strlen(s) + 1, s);
}

static void add_options(struct tracecmd_output *out, const struct trace_writer *w)
{
	struct utsname u;
	char *s;
	int i;

	add_string_option(out, RS_TRACECMD_OPTION_TRACECLOCK, w->clock_list);
	if (!uname(&u) &&
	    asprintf(&s, "%s %s %s %s", u.sysname, u.nodename, u.release, u.machine) > 0) {
		add_string_option(out, RS_TRACECMD_OPTION_UNAME, s);
		free(s);
	}
	add_string_option(out, RS_TRACECMD_OPTION_VERSION, w->version);
	add_string_option(out, RS_TRACECMD_OPTION_RMAPSTAT_PROBES, w->probes);

	/* The same text as trace-cmd record saves: "CPU: N\n" + stats file. */
	for (i = 0; w->cpu_stats && i < w->cpus; i++) {
		if (asprintf(&s, "CPU: %d\n%s", i, w->cpu_stats[i] ? w->cpu_stats[i] : "") < 0)
			continue;
		add_string_option(out, RS_TRACECMD_OPTION_CPUSTAT, s);
		free(s);
	}
}

/* Writes everything into fd; 0 or -1 with a message in *what. */
static int write_file(int fd, const struct trace_writer *w, const char **what)
{
	struct tracecmd_event_list *list;
	struct tracecmd_output *out;
	int ofd, ret = -1;

	/* libtracecmd closes the descriptor it is given: give it a copy. */
	ofd = dup(fd);
	if (ofd < 0) {
		*what = "dup";
		return -1;
	}
	out = tracecmd_output_create_fd(ofd);
	if (!out) {
		close(ofd);
		*what = "creating the output handle";
		return -1;
	}
	tracecmd_set_quiet(out, true);

	list = event_list(w->events);
	if (tracecmd_output_set_version(out, TRACE_FILE_VERSION) ||
	    tracecmd_output_set_trace_dir(out, w->tracing_dir) ||
	    tracecmd_output_set_kallsyms(out, w->kallsyms)) {
		*what = "setting up the output handle";
		goto out;
	}
	if (tracecmd_output_write_headers(out, list)) {
		*what = "writing headers, event formats, kallsyms and printk formats";
		goto out;
	}
	add_options(out, w);
	tracecmd_set_out_clock(out, w->clock);
	if (tracecmd_write_cmdlines(out)) {
		*what = "writing saved_cmdlines";
		goto out;
	}
	if (tracecmd_append_cpu_data(out, w->cpus, w->cpu_files)) {
		*what = "writing the per-CPU data";
		goto out;
	}
	ret = 0;
out:
	/* Writes the options and strings sections of a version 7 file. */
	tracecmd_output_close(out);
	free_event_list(list);
	return ret;
}

/* The file must open in libtracecmd the way trace-cmd report opens it. */
static int read_back(const char *path)
{
	struct tracecmd_input *in;

	/*
	 * Quiet: libtracecmd warns of an option it does not know, such as
	 * rmapstat's own, which it skips; a file it cannot open is the error.
	 */
	tracecmd_set_loglevel(TEP_LOG_NONE);
	in = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!in)
		return -1;
	tracecmd_close(in);
	return 0;
}

/* Writes and checks the file tmp (its descriptor fd); NULL, or what failed. */
static const char *write_tmp(int fd, const char *tmp, const struct trace_writer *w)
{
	const char *what = NULL;
	mode_t mask;

	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask))
		what = "fchmod";
	errno = 0;
	if (!what && write_file(fd, w, &what) == 0) {
		if (fsync(fd))
			what = "fsync";
	}
	if (close(fd) && !what)
		what = "close";
	if (!what)
		test_hook_pause("write");
	if (!what && read_back(tmp))
		what = "reading the file back with libtracecmd";
	if (!what && rename(tmp, w->output))
		what = "rename";
	return what;
}

int rs_trace_write(const struct trace_writer *w, struct rs_error *err)
{
	char tmp[PATH_MAX];
	int fd, step, ret, errnum;
	const char *what;

	if (make_tmp_path(tmp, sizeof(tmp), w->output, w->tmp_dir)) {
		rs_error_set(err, NULL, "output name too long: %s", w->output);
		return -ENAMETOOLONG;
	}
	/* Registered first: a signal right after mkstemp() must find it. */
	step = rs_cleanup_add(remove_tmp, tmp);
	if (step < 0) {
		rs_error_set(err, NULL, "too many cleanup steps to write %s", w->output);
		return step;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		rs_cleanup_drop(step);
		rs_error_set(err, "choose a writable directory with -o",
			     "cannot create a file next to %s: %s", w->output,
			     strerror(-ret));
		return ret;
	}
	what = write_tmp(fd, tmp, w);
	if (what) {
		errnum = errno;
		rs_cleanup_run(step);
		rs_error_set(err, NULL, "cannot write %s: %s%s%s", w->output, what,
			     errnum ? ": " : "", errnum ? strerror(errnum) : "");
		return errnum ? -errnum : -EIO;
	}
	rs_cleanup_drop(step);		/* renamed: it is the trace.dat now */
	return 0;
}
