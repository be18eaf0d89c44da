// SPDX-License-Identifier: GPL-2.0-only
/*
 * The private tracefs instance of `rmapstat record` (session.h): its
 * setup (clock, sub-buffer and buffer size, the events), the order in
 * which a session is opened, started, stopped, written and closed, and
 * the undo steps of the instance itself. The kprobe fallback, the drain
 * and the sweep of earlier runs are kprobes.c, drain.c and sweep.c.
 *
 * Each change to tracefs is an undo step of the cleanup registry,
 * registered in the order of the changes, so that running the steps
 * newest first undoes them in an order the kernel accepts:
 *
 *	instance created	-> rmdir it (undo_instance)
 *	kprobes created		-> remove them (kprobes.c): the fallback's,
 *				   and the hold events of --waits
 *	events enabled		-> tracing off, every event off (undo_events)
 *	drain opened		-> close the ring buffers, remove the staging
 *				   folder (drain.c)
 *
 * A kprobe event cannot be removed while an instance has it enabled, and
 * an instance cannot be removed while a file of it is open (the drain's
 * trace_pipe_raw, the victims' trace_marker_raw: both are closed first).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "cleanup.h"
#include "drain.h"
#include "journal.h"
#include "kprobes.h"
#include "session.h"
#include "sweep.h"
#include "trace_writer.h"
#include "tracecmd_private.h"
#include "fsutil.h"

struct session {
	struct tracefs_instance *inst;
	char *name;
	enum session_source source;
	char *clock;
	char *clock_list;
	char **formats;			/* "system:event" of the enabled events */
	bool stopped;
	struct rs_kprobes kprobes;
	struct rs_layout layout;
	char *probes;			/* kprobes: what they read, and where */
	bool waits;			/* lock:contention_begin/end enabled */
	bool holds;			/* the hold events are to be made */
	/* trace_marker_raw: open between rs_session_marker_open() and stop */
	bool marker_open;
	atomic_ulong markers, markers_lost;
	atomic_int marker_errno;	/* of the last marker not written */
	struct rs_drain drain;
	/* The undo steps of the instance, prepared for a signal handler. */
	char inst_dir[PATH_MAX];
	char tracing_on[PATH_MAX + 16];
	char set_event[PATH_MAX + 16];
	int inst_step;
	int inst_err;			/* errno of the step's rmdir(), 0: removed */
	int events_step;
};

/*
 * rmdir of the instance fails with EBUSY while a file of it is open: when
 * the signal came as the drain thread was in a read of trace_pipe_raw, or
 * while libtracefs's splice pipe of a CPU still held its pages. Neither
 * can be closed from a signal handler, and the thread cannot be joined
 * there; the kernel closes them all when this process exits. So a child
 * removes the instance then: it waits until it is reparented, which
 * happens once this process is gone. _Fork() runs no atfork handler, so
 * it is async-signal-safe; the child only calls close, nanosleep, getppid,
 * rmdir and _exit.
 */
static void remove_instance_after_exit(const char *dir)
{
	const struct timespec tick = { 0, 1000 * 1000 };
	pid_t parent = getpid();
	int fd, i;

	if (_Fork() != 0)
		return;
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	for (i = 0; i < 5000 && getppid() == parent; i++)
		nanosleep(&tick, NULL);
	for (i = 0; i < 1000 && rmdir(dir) && errno == EBUSY; i++)
		nanosleep(&tick, NULL);
	_exit(0);
}

/* The instance's undo step: async-signal-safe. */
static void undo_instance(void *arg)
{
	struct session *s = arg;

	s->inst_err = 0;
	if (!rmdir(s->inst_dir) || errno == ENOENT)
		return;
	s->inst_err = errno;
	if (s->inst_err == EBUSY) {
		remove_instance_after_exit(s->inst_dir);
		s->inst_err = 0;
	}
}

/* The events' undo step: async-signal-safe. O_TRUNC on set_event disables all. */
static void undo_events(void *arg)
{
	struct session *s = arg;

	rs_value_write(s->tracing_on, "0", O_TRUNC);
	rs_value_write(s->set_event, "", O_TRUNC);
}

static int nomem(struct rs_error *err)
{
	rs_error_set(err, RS_FIX_MEMORY, "out of memory");
	return -ENOMEM;
}

static bool top_file_exists(const char *name)
{
	return tracefs_file_exists(NULL, name) || tracefs_dir_exists(NULL, name);
}

static int sub_buffer_size(struct tracefs_instance *inst)
{
	struct tep_handle *tep;
	char *buf;
	int len, size = -1;

	buf = tracefs_instance_file_read(inst, "events/header_page", &len);
	if (!buf)
		return -1;
	tep = tep_alloc();
	if (tep && !tep_parse_header_page(tep, buf, len, sizeof(long)))
		size = tep_get_sub_buffer_size(tep);
	tep_free(tep);
	free(buf);
	return size;
}

static int setup_clock(struct session *s, struct rs_error *err)
{
	static const char *const clocks[] = { "mono", "global" };
	size_t i;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		free(s->clock);
		tracefs_instance_file_write(s->inst, "trace_clock", clocks[i]);
		s->clock = tracefs_get_clock(s->inst);
		if (s->clock && !strcmp(s->clock, clocks[i]))
			return 0;
	}
	rs_error_set(err, NULL, "cannot set trace_clock of instance %s to mono or global (now %s)",
		     s->name, s->clock ? s->clock : "unreadable");
	return -EIO;
}

/* The data pages of the instance must be the size the file header says. */
static int setup_sub_buffer(struct session *s, int *size, struct rs_error *err)
{
	int top = sub_buffer_size(NULL);
	char kb[32];

	if (top <= 0) {
		rs_error_set(err, NULL, "cannot parse events/header_page of tracefs");
		return -EIO;
	}
	*size = sub_buffer_size(s->inst);
	if (*size != top && tracefs_file_exists(s->inst, "buffer_subbuf_size_kb")) {
		snprintf(kb, sizeof(kb), "%d", top / 1024);
		tracefs_instance_file_write(s->inst, "buffer_subbuf_size_kb", kb);
		*size = sub_buffer_size(s->inst);
	}
	if (*size != top) {
		rs_error_set(err, "reset buffer_subbuf_size_kb", "instance %s has %d-byte "
			     "sub-buffers, the top buffer %d", s->name, *size, top);
		return -EIO;
	}
	return 0;
}

static int choose_source(const struct session_opts *o, enum session_source *src,
			 struct rs_error *err)
{
	bool tp = top_file_exists("events/rmap/rmap_walk_start/format") &&
		  top_file_exists("events/rmap/rmap_walk_end/format");
	bool kp = top_file_exists("kprobe_events");

	if (o->no_rmap) {
		*src = SESSION_NO_RMAP;
	} else if (tp && !o->force_kprobes) {
		*src = SESSION_TRACEPOINTS;
	} else if (kp) {
		if (!o->force_kprobes)
			fprintf(stderr, "rmapstat: no rmap:rmap_walk_start/end tracepoints in this kernel: "
				"falling back to kprobes on rmap_walk, rmap_walk_locked, rmap_walk_ksm, rmap_walk_anon "
				"and rmap_walk_file (durations, pid, cpu, kind and purpose; VMA counts with --count-visits; "
				"no pfn or mapcount)\n");
		*src = SESSION_KPROBES;
	} else if (o->force_kprobes) {
		rs_error_status(err, RS_EXIT_NO_EVENTS, "build it with CONFIG_KPROBE_EVENTS=y",
				"--kprobes: this kernel has no kprobe events");
		return -ENOENT;
	} else {
		rs_error_status(err, RS_EXIT_NO_EVENTS, "boot a kernel with kernel/patches "
				"applied (./run-lab builds and boots one) or with "
				"CONFIG_KPROBE_EVENTS=y", "this kernel has neither the "
				"rmap:rmap_walk_start/end tracepoints nor kprobe events");
		return -ENOENT;
	}
	return 0;
}

/* "system:event", "system:*", "system/event" or "system". */
static int enable_event(struct session *s, const char *spec, struct rs_error *err)
{
	char *sys = strdup(spec), *ev, fix[PATH_MAX];
	int ret;

	if (!sys)
		return nomem(err);
	ev = strpbrk(sys, ":/");
	if (ev)
		*ev++ = '\0';
	if (ev && (!*ev || !strcmp(ev, "*")))
		ev = NULL;
	ret = *sys ? tracefs_event_enable(s->inst, sys, ev) : -1;
	free(sys);
	if (ret) {
		snprintf(fix, sizeof(fix), "see %s/available_events", tracefs_tracing_dir());
		rs_error_status(err, RS_EXIT_USAGE, fix, "no event %s in this kernel", spec);
		return -ENOENT;
	}
	return 0;
}

/* "system:event" of every event enabled: exactly the formats the file needs. */
static int read_formats(struct session *s, struct rs_error *err)
{
	char *list, *line, *save;
	size_t n = 0;

	list = tracefs_instance_file_read(s->inst, "set_event", NULL);
	if (!list || !*list) {
		free(list);
		rs_error_status(err, RS_EXIT_USAGE, "give --events (with --no-rmap)",
				"no event to record");
		return -ENOENT;
	}
	for (line = list; *line; line++)
		n += *line == '\n';
	s->formats = calloc(n + 2, sizeof(*s->formats));
	if (!s->formats) {
		free(list);
		return nomem(err);
	}
	n = 0;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (*line)
			s->formats[n++] = strdup(line);
	free(list);
	return 0;
}

static int enable_events(struct session *s, const struct session_opts *o,
			 struct rs_error *err)
{
	const char *const *e;
	int ret = 0;

	s->events_step = rs_cleanup_add(undo_events, s);
	if (s->events_step < 0) {
		rs_error_set(err, NULL, "too many cleanup steps for the events");
		return s->events_step;
	}
	if (s->source == SESSION_TRACEPOINTS)
		ret = enable_event(s, "rmap:rmap_walk_start", err) ?:
		      enable_event(s, "rmap:rmap_walk_end", err);
	/* The fallback's events, or (on tracepoint kernels) the holds alone. */
	if (!ret && (s->source == SESSION_KPROBES ||
		     rs_kprobes_count(&s->kprobes, RS_KPROBES_HOLDS)))
		ret = enable_event(s, KPROBE_SYSTEM ":*", err);
	if (!ret && s->waits)
		ret = enable_event(s, "lock:contention_begin", err) ?:
		      enable_event(s, "lock:contention_end", err);
	if (ret) {
		if (err && ret == -ENOENT)
			err->status = RS_EXIT_NO_EVENTS;
		return ret;
	}
	for (e = o->events; e && *e; e++) {
		ret = enable_event(s, *e, err);
		if (ret)
			return ret;
	}
	return read_formats(s, err);
}

/* Root and tracefs, or the exit status that says which is missing. */
static int check_env(struct rs_error *err)
{
	const char *dir;

	if (geteuid() != 0) {
		rs_error_status(err, RS_EXIT_NOT_ROOT, RS_FIX_ROOT,
				"recording needs root (tracefs, KSM and page_idle)");
		return -EPERM;
	}
	dir = tracefs_tracing_dir();
	if (!dir || !tracefs_dir_exists(NULL, "instances")) {
		rs_error_status(err, RS_EXIT_NO_TRACEFS, "mount -t tracefs nodev "
				"/sys/kernel/tracing (the kernel needs CONFIG_FTRACE=y)",
				"tracefs is not mounted and cannot be mounted");
		return -ENODEV;
	}
	return 0;
}

/*
 * What killed runs left (their instances, kprobes, journals), swept before
 * anything here is read as "the state before the recording"; then this
 * run's journal. *live is set to the other rmapstat records running.
 */
static int sweep_then_begin(const struct session *s, int *live, struct rs_error *err)
{
	unsigned int removed = 0;

	*live = rs_sweep_instances(stderr, &removed);
	/* A run with kprobes sweeps them in rs_kprobes_create(). */
	if (!*live && s->source != SESSION_KPROBES && !s->holds)
		rs_sweep_kprobes(0, stderr, &removed, NULL);
	/* What cannot be undone was said on stderr: it does not stop this run. */
	journal_sweep(JOURNAL_DIR, stderr, false, &removed);
	return journal_begin(JOURNAL_DIR, err);
}

/* The instance rmapstat_<pid>, journaled first, with tracing off. */
static int create_instance(struct session *s, struct rs_error *err)
{
	const char *dir = tracefs_tracing_dir();
	int ret;

	if (asprintf(&s->name, INSTANCE_PREFIX "%d", (int)getpid()) < 0) {
		s->name = NULL;
		return nomem(err);
	}
	snprintf(s->inst_dir, sizeof(s->inst_dir), "%s/instances/%s", dir, s->name);
	snprintf(s->tracing_on, sizeof(s->tracing_on), "%s/tracing_on", s->inst_dir);
	snprintf(s->set_event, sizeof(s->set_event), "%s/set_event", s->inst_dir);
	ret = journal_add_remove(s->inst_dir, JOURNAL_RM_RMDIR, "tracefs instance", err);
	if (ret)
		return ret;
	s->inst = tracefs_instance_create(s->name);
	if (!s->inst) {
		ret = errno ? -errno : -EIO;
		rs_error_set(err, NULL, "cannot create tracefs instance %s: %s",
			     s->inst_dir, strerror(-ret));
		return ret;
	}
	s->inst_step = rs_cleanup_add(undo_instance, s);
	if (s->inst_step < 0) {
		tracefs_instance_destroy(s->inst);
		rs_error_set(err, NULL, "too many cleanup steps for %s", s->inst_dir);
		return s->inst_step;
	}
	/* A new instance starts with tracing on: nothing is recorded before start. */
	tracefs_trace_off(s->inst);
	/* An instance of a dead run with our (reused) pid: start from nothing. */
	if (!tracefs_instance_is_new(s->inst))
		tracefs_event_disable(s->inst, NULL, NULL);
	return 0;
}

/* Before anything changes: without a layout the fallback cannot start. */
static int find_layout(struct session *s, const struct session_opts *o, struct rs_error *err)
{
	if (s->source != SESSION_KPROBES)
		return 0;
	if (o->layout)
		return rs_layout_parse(&s->layout, o->layout, err);
	return rs_layout_from_btf(&s->layout, NULL, err);
}

/*
 * --waits: the lock contention events must exist (they are what a wait
 * is); the hold events are made where they can be, else the waits are
 * attributed by time overlap, which this says in one line. Before
 * anything changes.
 */
static int plan_waits(struct session *s, const struct session_opts *o, struct rs_error *err)
{
	const char *fix = "CONFIG_DEBUG_INFO_BTF=y";
	char why[sizeof(err->what) + 64];
	struct rs_error e;

	if (!o->waits)
		return 0;
	if (o->no_rmap) {
		rs_error_status(err, RS_EXIT_USAGE, "drop --no-rmap", "lock waits are "
				"attributed to walks, which --no-rmap does not record");
		return -EINVAL;
	}
	if (!top_file_exists("events/lock/contention_begin/format") ||
	    !top_file_exists("events/lock/contention_end/format")) {
		rs_error_status(err, RS_EXIT_NO_EVENTS, "boot Linux 5.19 or later, which has "
				"them with any tracing config", "recording lock waits needs the "
				"lock:contention_begin and lock:contention_end tracepoints, "
				"which this kernel lacks");
		return -ENOENT;
	}
	s->waits = true;
	if (!top_file_exists("kprobe_events")) {
		snprintf(why, sizeof(why), "this kernel has no kprobe events");
		fix = "CONFIG_KPROBE_EVENTS=y";
	} else if (s->layout.hold.known) {
		s->holds = true;	/* the fallback's BTF had them */
		return 0;
	} else if (rs_layout_holds_from_btf(&s->layout, NULL, &e)) {
		if (e.status == RS_EXIT_NO_BTF)
			snprintf(why, sizeof(why), "no %s", RS_LAYOUT_BTF_PATH);
		else
			snprintf(why, sizeof(why), "%s", e.what);
	} else {
		s->holds = true;
		return 0;
	}
	fprintf(stderr, "rmapstat: lock waits are attributed to walks by time overlap only "
		"(overlap, not proven): %s; boot a kernel with %s for exact attribution\n",
		why, fix);
	return 0;
}

/*
 * The layout and the functions probed, said once on stderr and saved in
 * the trace.dat: what a kprobe trace means depends on them.
 */
static int describe_probes(struct session *s, struct rs_error *err)
{
	char layout[RS_LAYOUT_DESC_LEN], funcs[512], text[RS_TRACECMD_PROBES_MAX];
	unsigned int holds = rs_kprobes_count(&s->kprobes, RS_KPROBES_HOLDS);

	if (s->source != SESSION_KPROBES && !holds)
		return 0;
	/* The lock offsets are part of what the trace means only with holds. */
	if (!holds)
		s->layout.hold.known = false;
	rs_layout_describe(&s->layout, layout, sizeof(layout));
	rs_kprobes_functions(&s->kprobes, funcs, sizeof(funcs));
	snprintf(text, sizeof(text), "layout %s; probed%s", layout, funcs);
	s->probes = strdup(text);
	if (!s->probes)
		return nomem(err);
	fprintf(stderr, "rmapstat: %s: %s\n", s->source == SESSION_KPROBES ?
		"kprobe fallback" : "lock holds", s->probes);
	return 0;
}

/* Which kprobe events this session makes (RS_KPROBES_*). */
static unsigned int kprobes_wanted(const struct session *s, const struct session_opts *o)
{
	unsigned int which = 0;

	if (s->source == SESSION_KPROBES)
		which |= RS_KPROBES_WALKS | (o->count_visits ? RS_KPROBES_VISITS : 0);
	if (s->holds)
		which |= RS_KPROBES_HOLDS;
	return which;
}

int rs_session_open(const struct session_opts *o, struct session **sp, struct rs_error *err)
{
	unsigned int kb = o->buffer_kb ? o->buffer_kb : SESSION_DEFAULT_BUFFER_KB;
	const char *data_dir = o->data_dir ? o->data_dir : ".";
	int live, ret, subbuf_size;
	struct session *s;

	*sp = NULL;
	ret = check_env(err);
	if (ret)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return nomem(err);
	ret = choose_source(o, &s->source, err) ?:
	      find_layout(s, o, err) ?:
	      plan_waits(s, o, err) ?:
	      sweep_then_begin(s, &live, err) ?:
	      create_instance(s, err) ?:
	      setup_clock(s, err) ?:
	      setup_sub_buffer(s, &subbuf_size, err);
	if (ret)
		goto err;
	if (tracefs_instance_set_buffer_size(s->inst, kb, -1)) {
		ret = errno ? -errno : -EIO;
		rs_error_set(err, "try a smaller --buffer-kb", "cannot set the buffer of "
			     "instance %s to %u KiB per CPU: %s", s->name, kb, strerror(-ret));
		goto err;
	}
	if (kprobes_wanted(s, o)) {
		ret = rs_kprobes_create(&s->kprobes, &s->layout, kprobes_wanted(s, o), live,
					err) ?:
		      describe_probes(s, err);
		/*
		 * The BTF (megabytes of heap, so an anonymous mapping) goes
		 * before the workload maps: a mapping made next to it would
		 * share its anon_vma, and each walk would visit one VMA more.
		 */
		rs_layout_free(&s->layout);
		if (ret)
			goto err;
	}
	/* The BTF of plan_waits() goes before the workload maps too. */
	rs_layout_free(&s->layout);
	ret = enable_events(s, o, err);
	if (ret)
		goto err;
	rs_sweep_data_dirs(data_dir, stderr);
	ret = rs_drain_open(&s->drain, s->inst, s->name, data_dir, subbuf_size, err);
	if (ret)
		goto err;
	*sp = s;
	return 0;
err:
	rs_session_close(s, NULL);
	return ret;
}

int rs_session_marker_open(struct session *s, struct rs_error *err)
{
	int ret;

	if (s->marker_open)
		return 0;
	if (tracefs_binary_init(s->inst)) {
		ret = errno ? -errno : -EIO;
		rs_error_set(err, NULL, "cannot open trace_marker_raw of tracefs instance %s: %s",
			     s->name, strerror(-ret));
		return ret;
	}
	s->marker_open = true;
	return 0;
}

int rs_session_marker_write(struct session *s, const void *data, size_t len)
{
	int ret;

	atomic_fetch_add(&s->markers, 1);
	/* libtracefs would open it again: after stop nothing may be written. */
	if (!s->marker_open) {
		ret = -EBADF;
	} else {
		errno = 0;
		ret = tracefs_binary_write(s->inst, (void *)data, (int)len) ?
		      (errno ? -errno : -EIO) : 0;
	}
	if (ret) {
		atomic_fetch_add(&s->markers_lost, 1);
		atomic_store(&s->marker_errno, -ret);
	}
	return ret;
}

/* The marker's file, before the instance can go. */
static void marker_close(struct session *s)
{
	if (!s->marker_open)
		return;
	tracefs_binary_close(s->inst);
	s->marker_open = false;
}

int rs_session_start(struct session *s, struct rs_error *err)
{
	int ret;

	/* Whatever the enabling caught before now is not part of the run. */
	tracefs_instance_file_clear(s->inst, "trace");
	ret = rs_drain_start(&s->drain, err);
	if (ret)
		return ret;
	if (tracefs_trace_on(s->inst)) {
		rs_error_set(err, NULL, "cannot turn tracing on in instance %s", s->name);
		return -EIO;
	}
	return 0;
}

int rs_session_stop(struct session *s, struct rs_error *err)
{
	int ret;

	if (s->stopped)
		return 0;
	s->stopped = true;
	tracefs_trace_off(s->inst);
	marker_close(s);
	ret = rs_drain_stop(&s->drain, s->inst, err);
	s->clock_list = tracefs_instance_file_read(s->inst, "trace_clock", NULL);
	return ret;
}

unsigned long long rs_session_report_lost(const struct session *s, FILE *f)
{
	unsigned long markers = atomic_load(&s->markers);
	unsigned long lost = atomic_load(&s->markers_lost);
	unsigned long long total = 0;

	if (rs_kprobes_count(&s->kprobes, ~0U))
		total += rs_kprobes_report_misses(&s->kprobes, f);
	if (lost) {
		fprintf(f, "rmapstat: %lu of %lu markers were not written to trace_marker_raw: %s\n",
			lost, markers, strerror(atomic_load(&s->marker_errno)));
		total += lost;
	}
	return total + rs_drain_report_lost(&s->drain, f);
}

int rs_session_write(struct session *s, const char *output, const char *version,
		     struct rs_error *err)
{
	const struct rs_drain *d = &s->drain;
	struct trace_writer w = {
		.output = output,
		.events = (const char *const *)s->formats,
		.clock = s->clock,
		.clock_list = s->clock_list,
		.cpus = d->cpus,
		.version = version,
		.probes = s->probes,
		/* A SIGKILL while it is written leaves it to the staging folder's sweep. */
		.tmp_dir = d->dir,
	};
	char **files, **stats;
	int cpu, ret = 0;

	files = calloc(d->cpus, sizeof(*files));
	stats = calloc(d->cpus, sizeof(*stats));
	if (!files || !stats) {
		ret = nomem(err);
		goto out;
	}
	for (cpu = 0; cpu < d->cpus; cpu++) {
		files[cpu] = d->cpu[cpu].path;
		stats[cpu] = d->cpu[cpu].stats;
		if (d->cpu[cpu].fd >= 0 && fsync(d->cpu[cpu].fd) && errno != EINVAL) {
			ret = -errno;
			rs_error_set(err, NULL, "cannot save %s: %s", d->cpu[cpu].path,
				     strerror(-ret));
			goto out;
		}
	}
	w.cpu_files = files;
	w.cpu_stats = stats;
	ret = rs_trace_write(&w, err);
out:
	free(files);
	free(stats);
	return ret;
}

/* The instance's step, then what libtracefs holds of it. */
static int remove_instance(struct session *s, struct rs_error *err)
{
	char fix[PATH_MAX + 16];

	rs_cleanup_run(s->inst_step);
	s->inst_step = 0;
	tracefs_instance_free(s->inst);
	s->inst = NULL;
	if (!s->inst_err)
		return 0;
	snprintf(fix, sizeof(fix), "rmdir %s", s->inst_dir);
	rs_error_set(err, fix, "cannot remove tracefs instance %s: %s", s->name,
		     strerror(s->inst_err));
	return -s->inst_err;
}

int rs_session_close(struct session *s, struct rs_error *err)
{
	int ret, rk;
	size_t i;

	if (!s)
		return 0;
	rs_drain_close(&s->drain);
	if (s->inst)
		marker_close(s);
	rs_cleanup_run(s->events_step);
	rk = rs_kprobes_remove(&s->kprobes, err);
	ret = remove_instance(s, err) ?: rk;
	for (i = 0; s->formats && s->formats[i]; i++)
		free(s->formats[i]);
	free(s->formats);
	free(s->clock);
	free(s->clock_list);
	free(s->probes);
	rs_layout_free(&s->layout);
	free(s->name);
	free(s);
	return ret;
}

enum session_source rs_session_source(const struct session *s)
{
	return s->source;
}

const char *rs_session_instance_name(const struct session *s)
{
	return s->name;
}

const char *rs_session_clock(const struct session *s)
{
	return s->clock;
}

unsigned long long rs_session_bytes(const struct session *s)
{
	return rs_drain_bytes(&s->drain);
}

int rs_session_cpus(const struct session *s)
{
	return s->drain.cpus;
}
