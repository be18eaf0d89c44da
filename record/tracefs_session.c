// SPDX-License-Identifier: GPL-2.0-only
/*
 * The private tracefs instance of `rmapstat record` and the kprobe
 * fallback; see tracefs_session.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <event-parse.h>
#include <tracefs.h>

#include "journal.h"
#include "rmapstat.h"
#include "trace_writer.h"
#include "tracefs_session.h"

#define INSTANCE_PREFIX		"rmapstat_"
#define DRAIN_INTERVAL_MS	100

struct kprobe_def {
	const char *event;
	const char *func;
	const char *args;	/* entry: fetch args; NULL for the kretprobe */
	/*
	 * NULL: the probe must exist. Else the function may be missing
	 * (inlined away, or not built) and this says what that costs; the
	 * entry comes first, its kretprobe is skipped with it.
	 */
	const char *optional;
};

/*
 * Entry probes carry the args, kretprobes none. rmap_walk and
 * rmap_walk_locked dispatch to rmap_walk_ksm/_anon/_file, which pair inside
 * them (lib/walk/pairing.h); callers into which the compiler inlined the
 * dispatcher (try_to_migrate, folio_referenced, ... in mm/rmap.c) call
 * the static rmap_walk_anon/_file directly: only their probes see those.
 */
static const struct kprobe_def kprobe_defs[] = {
	{ "rmap_walk_entry",		"rmap_walk",		SESSION_KPROBE_ARGS, NULL },
	{ "rmap_walk_exit",		"rmap_walk",		NULL, NULL },
	{ "rmap_walk_locked_entry",	"rmap_walk_locked",	SESSION_KPROBE_ARGS, NULL },
	{ "rmap_walk_locked_exit",	"rmap_walk_locked",	NULL, NULL },
	{ "rmap_walk_ksm_entry",	"rmap_walk_ksm",	SESSION_KPROBE_ARGS,
	  "KSM walks are not told apart (a kernel without CONFIG_KSM has none)" },
	{ "rmap_walk_ksm_exit",		"rmap_walk_ksm",	NULL, NULL },
	{ "rmap_walk_anon_entry",	"rmap_walk_anon",	SESSION_KPROBE_WALK_ARGS,
	  "anonymous walks of callers that inlined rmap_walk (try_to_migrate, folio_referenced, ...) are not seen" },
	{ "rmap_walk_anon_exit",	"rmap_walk_anon",	NULL, NULL },
	{ "rmap_walk_file_entry",	"rmap_walk_file",	SESSION_KPROBE_WALK_ARGS,
	  "file walks of callers that inlined rmap_walk (try_to_migrate, folio_referenced, ...) are not seen" },
	{ "rmap_walk_file_exit",	"rmap_walk_file",	NULL, NULL },
};
#define NR_KPROBES	(sizeof(kprobe_defs) / sizeof(kprobe_defs[0]))

struct cpu_data {
	struct tracefs_cpu *tcpu;	/* NULL: CPU has no buffer (not possible) */
	int raw_fd;			/* per_cpu/cpuN/trace_pipe_raw */
	int fd;				/* data file */
	char *path;
	char *stats;			/* per_cpu/cpuN/stats at stop */
	unsigned long long bytes;
	unsigned long long overrun, commit_overrun, dropped;
};

struct session {
	struct tracefs_instance *inst;
	char *name;
	enum session_source source;
	char *clock;
	char *clock_list;
	struct tracefs_dynevent *kprobes[NR_KPROBES];
	char **formats;			/* "system:event" of the enabled events */
	char *data_dir;			/* our directory of per-CPU files */
	int cpus;
	int subbuf_size;
	void *buf;			/* one sub-buffer, for the final flush */
	struct cpu_data *cpu;
	pthread_t reader;
	bool reader_running;
	bool stopped;
	int wake[2];			/* wakes the reader to stop */
	volatile int reader_error;	/* errno of a failed drain */
};

/*
 * What session_emergency_cleanup() needs, prepared in advance so that the
 * signal handler only calls close/open/write/unlink/rmdir.
 */
static struct {
	char inst_dir[PATH_MAX];
	char kprobe_events[PATH_MAX];
	char kprobe_del[NR_KPROBES][96];
	volatile sig_atomic_t nr_kprobe_del;
	char data_dir[PATH_MAX];
	char (*cpu_paths)[PATH_MAX];
	int *raw_fds;
	volatile sig_atomic_t cpus;
	volatile sig_atomic_t armed;
} em;

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("rmapstat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static bool top_file_exists(const char *name)
{
	return tracefs_file_exists(NULL, name) || tracefs_dir_exists(NULL, name);
}

/* Is pid a running rmapstat (and not a reused pid)? */
static bool rmapstat_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid == getpid())
		return true;
	if (kill(pid, 0) && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strncmp(comm, "rmapstat", 8);
}

/*
 * Instances rmapstat_<pid> left by a killed run are removed (counted in
 * *removed); returns the number of other live rmapstat instances.
 */
static int sweep_instances(unsigned int *removed)
{
	struct tracefs_instance *inst;
	char **names;
	int i, live = 0;
	long pid;

	/* A basic regular expression: libtracefs compiles it without REG_EXTENDED. */
	names = tracefs_instances("^" INSTANCE_PREFIX "[0-9][0-9]*$");
	for (i = 0; names && names[i]; i++) {
		pid = strtol(names[i] + strlen(INSTANCE_PREFIX), NULL, 10);
		if (pid == getpid())
			continue;
		if (rmapstat_alive(pid)) {
			live++;
			continue;
		}
		inst = tracefs_instance_alloc(NULL, names[i]);
		if (!inst)
			continue;
		tracefs_trace_off(inst);
		tracefs_event_disable(inst, NULL, NULL);
		if (tracefs_instance_destroy(inst) == 0) {
			fprintf(stderr, "rmapstat: removed instance %s left by a killed run\n",
				names[i]);
			(*removed)++;
		}
		tracefs_instance_free(inst);
	}
	tracefs_list_free(names);
	return live;
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

static int setup_clock(struct session *s)
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
	return fail(RS_EXIT_FAILURE, "cannot set trace_clock of instance %s to mono or global (now %s)",
		    s->name, s->clock ? s->clock : "unreadable");
}

/* The data pages of the instance must be the size the file header says. */
static int setup_sub_buffer(struct session *s)
{
	int top = sub_buffer_size(NULL);
	char kb[32];

	if (top <= 0)
		return fail(RS_EXIT_FAILURE, "cannot parse events/header_page of tracefs");
	s->subbuf_size = sub_buffer_size(s->inst);
	if (s->subbuf_size != top &&
	    tracefs_file_exists(s->inst, "buffer_subbuf_size_kb")) {
		snprintf(kb, sizeof(kb), "%d", top / 1024);
		tracefs_instance_file_write(s->inst, "buffer_subbuf_size_kb", kb);
		s->subbuf_size = sub_buffer_size(s->inst);
	}
	if (s->subbuf_size != top)
		return fail(RS_EXIT_FAILURE, "instance %s has %d-byte sub-buffers, the top buffer %d; reset buffer_subbuf_size_kb",
			    s->name, s->subbuf_size, top);
	return 0;
}

static enum session_source choose_source(const struct session_opts *o, int *code)
{
	bool tp = top_file_exists("events/rmap/rmap_walk_start/format") &&
		  top_file_exists("events/rmap/rmap_walk_end/format");
	bool kp = top_file_exists("kprobe_events");

	*code = RS_EXIT_OK;
	if (o->no_rmap)
		return SESSION_NO_RMAP;
	if (tp && !o->force_kprobes)
		return SESSION_TRACEPOINTS;
	if (kp) {
		if (!o->force_kprobes)
			fprintf(stderr, "rmapstat: no rmap:rmap_walk_start/end tracepoints in this kernel: "
				"falling back to kprobes on rmap_walk, rmap_walk_locked, rmap_walk_ksm, rmap_walk_anon "
				"and rmap_walk_file (durations, pid, cpu, kind and purpose only; no pfn, mapcount or VMA counts)\n");
		return SESSION_KPROBES;
	}
	if (o->force_kprobes)
		*code = fail(RS_EXIT_NO_EVENTS, "--kprobes: this kernel has no kprobe events; build it with CONFIG_KPROBE_EVENTS=y");
	else
		*code = fail(RS_EXIT_NO_EVENTS, "this kernel has neither the rmap:rmap_walk_start/end tracepoints nor kprobe events; "
			     "boot a kernel with kernel/patches applied (./run-lab builds and boots one) or with CONFIG_KPROBE_EVENTS=y");
	return SESSION_NO_RMAP;
}

static void arm_kprobe_cleanup(void)
{
	const char *dir = tracefs_tracing_dir();
	size_t i;

	snprintf(em.kprobe_events, sizeof(em.kprobe_events), "%s/kprobe_events", dir);
	for (i = 0; i < NR_KPROBES; i++)
		snprintf(em.kprobe_del[i], sizeof(em.kprobe_del[i]), "-:%s/%s\n",
			 SESSION_KPROBE_SYSTEM, kprobe_defs[i].event);
}

/*
 * Existing rmapstat kprobes: a killed run's (removed, counted in *removed)
 * or a live run's (busy).
 */
static int sweep_kprobes(int live_others, unsigned int *removed)
{
	struct tracefs_dynevent **old;
	int n;

	old = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_KPROBE | TRACEFS_DYNEVENT_KRETPROBE,
				       SESSION_KPROBE_SYSTEM);
	for (n = 0; old && old[n]; n++)
		;
	if (!n) {
		tracefs_dynevent_list_free(old);
		return 0;
	}
	if (live_others) {
		tracefs_dynevent_list_free(old);
		return fail(RS_EXIT_BUSY, "the kprobe events %s:* belong to another running rmapstat record; "
			    "wait for it to finish (kprobe events are global, one recording at a time)",
			    SESSION_KPROBE_SYSTEM);
	}
	/*
	 * Not forced: force also disables the events in the top instance,
	 * and writing their enable files resizes its ring buffer, which
	 * rmapstat never touches. The killed run's instance is gone already,
	 * so nothing holds them enabled.
	 */
	for (n = 0; old[n]; n++)
		if (tracefs_dynevent_destroy(old[n], false))
			tracefs_dynevent_destroy(old[n], true);
	tracefs_dynevent_list_free(old);
	fprintf(stderr, "rmapstat: removed kprobe events %s:* left by a killed run\n",
		SESSION_KPROBE_SYSTEM);
	(*removed)++;
	return 0;
}

/*
 * The kernel's reason from tracefs_error_last() (error_log: "[ts]
 * trace_kprobe: error: REASON", then the command), as one line; in place.
 * Without one, strerror(errnum).
 */
static const char *kprobe_error_reason(char *err, int errnum)
{
	char *reason, *nl;

	if (!err)
		return strerror(errnum);
	reason = strstr(err, "error: ");
	reason = reason ? reason + strlen("error: ") : err;
	nl = strchr(reason, '\n');
	if (nl)
		*nl = '\0';
	return reason;
}

static int create_kprobes(struct session *s, int live_others)
{
	const struct kprobe_def *d;
	struct tracefs_dynevent *ev;
	const char *skip = NULL;	/* function whose entry probe failed */
	unsigned int removed = 0;
	char *err;
	size_t i;
	int ret, errnum;

	ret = sweep_kprobes(live_others, &removed);
	if (ret)
		return ret;
	arm_kprobe_cleanup();

	for (i = 0; i < NR_KPROBES; i++) {
		d = &kprobe_defs[i];
		if (skip && !strcmp(d->func, skip))
			continue;
		if (!d->args)
			ev = tracefs_kretprobe_alloc(SESSION_KPROBE_SYSTEM, d->event, d->func, NULL, 0);
		else
			ev = tracefs_kprobe_alloc(SESSION_KPROBE_SYSTEM, d->event, d->func, d->args);
		if (!ev)
			return fail(RS_EXIT_FAILURE, "cannot allocate kprobe %s: %s", d->event, strerror(errno));
		tracefs_error_clear(NULL);
		if (tracefs_dynevent_create(ev)) {
			errnum = errno;
			err = tracefs_error_last(NULL);
			tracefs_dynevent_free(ev);
			if (d->optional) {
				/* Inlined into every caller, or not built (CONFIG_KSM=n). */
				fprintf(stderr, "rmapstat: no kprobe on %s (%s): %s\n",
					d->func, kprobe_error_reason(err, errnum), d->optional);
				free(err);
				skip = d->func;
				continue;
			}
			ret = fail(RS_EXIT_NO_EVENTS, "cannot create kprobe %s on %s: %s; the kernel needs CONFIG_KPROBE_EVENTS=y and the symbol %s",
				   d->event, d->func, kprobe_error_reason(err, errnum), d->func);
			free(err);
			return ret;
		}
		s->kprobes[i] = ev;
		em.nr_kprobe_del = i + 1;
	}
	return 0;
}

/* "system:event", "system:*", "system/event" or "system". */
static int enable_event(struct session *s, const char *spec)
{
	char *sys = strdup(spec), *ev;
	int ret;

	if (!sys)
		return fail(RS_EXIT_FAILURE, "out of memory");
	ev = strpbrk(sys, ":/");
	if (ev)
		*ev++ = '\0';
	if (ev && (!*ev || !strcmp(ev, "*")))
		ev = NULL;
	ret = *sys ? tracefs_event_enable(s->inst, sys, ev) : -1;
	free(sys);
	if (ret)
		return fail(RS_EXIT_USAGE, "no event %s in this kernel; see %s/available_events",
			    spec, tracefs_tracing_dir());
	return 0;
}

static int enable_events(struct session *s, const struct session_opts *o)
{
	const char *const *e;
	char *list, *line, *save;
	size_t n = 0;
	int ret;

	if (s->source == SESSION_TRACEPOINTS)
		ret = enable_event(s, "rmap:rmap_walk_start") ?: enable_event(s, "rmap:rmap_walk_end");
	else if (s->source == SESSION_KPROBES)
		ret = enable_event(s, SESSION_KPROBE_SYSTEM ":*");
	else
		ret = 0;
	if (ret)
		return ret == RS_EXIT_USAGE ? RS_EXIT_NO_EVENTS : ret;
	for (e = o->events; e && *e; e++) {
		ret = enable_event(s, *e);
		if (ret)
			return ret;
	}

	/* What is enabled now is exactly the formats the file needs. */
	list = tracefs_instance_file_read(s->inst, "set_event", NULL);
	if (!list || !*list) {
		free(list);
		return fail(RS_EXIT_USAGE, "no event to record: give --events (with --no-rmap)");
	}
	for (line = list; *line; line++)
		n += *line == '\n';
	s->formats = calloc(n + 2, sizeof(*s->formats));
	if (!s->formats) {
		free(list);
		return fail(RS_EXIT_FAILURE, "out of memory");
	}
	n = 0;
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (*line)
			s->formats[n++] = strdup(line);
	free(list);
	return 0;
}

/*
 * Data directories .rmapstat-<pid>-XXXXXX of killed runs in dir are
 * removed with what is in them (per-CPU files, a temporary trace.dat):
 * those of runs without a journal, the journal sweep did the others. A
 * symbolic link of that name is not followed (dir may be shared).
 */
static void sweep_data_dirs(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de, *fe;
	DIR *d, *sub;
	long pid;
	char *end;
	int fd;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, ".rmapstat-", 10))
			continue;
		pid = strtol(de->d_name + 10, &end, 10);
		if (end == de->d_name + 10 || *end != '-' || rmapstat_alive(pid))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		sub = fdopendir(fd);
		if (!sub) {
			close(fd);
			continue;
		}
		while ((fe = readdir(sub)))
			if (strcmp(fe->d_name, ".") && strcmp(fe->d_name, ".."))
				unlinkat(dirfd(sub), fe->d_name, 0);
		closedir(sub);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR))
			fprintf(stderr, "rmapstat: removed %s left by a killed run\n", path);
	}
	closedir(d);
}

static int open_cpus(struct session *s, const struct session_opts *o)
{
	char path[PATH_MAX];
	int cpu;

	sweep_data_dirs(o->data_dir ? o->data_dir : ".");
	snprintf(path, sizeof(path), "%s/.rmapstat-%d-XXXXXX",
		 o->data_dir ? o->data_dir : ".", (int)getpid());
	if (!mkdtemp(path))
		return fail(RS_EXIT_FAILURE, "cannot create a data directory in %s: %s; choose a writable directory with -o",
			    o->data_dir ? o->data_dir : ".", strerror(errno));
	s->data_dir = strdup(path);
	snprintf(em.data_dir, sizeof(em.data_dir), "%s", path);
	/* Its name is known only now: a SIGKILL before this leaves it to sweep_data_dirs(). */
	if (journal_add_remove(path, JOURNAL_RM_DIR, "staging folder"))
		return fail(RS_EXIT_FAILURE, "%s", journal_error());

	s->cpus = sysconf(_SC_NPROCESSORS_CONF);
	if (s->cpus < 1)
		s->cpus = 1;
	s->cpu = calloc(s->cpus, sizeof(*s->cpu));
	em.cpu_paths = calloc(s->cpus, sizeof(*em.cpu_paths));
	em.raw_fds = calloc(s->cpus, sizeof(*em.raw_fds));
	s->buf = malloc(s->subbuf_size);
	if (!s->data_dir || !s->cpu || !em.cpu_paths || !em.raw_fds || !s->buf)
		return fail(RS_EXIT_FAILURE, "out of memory");
	for (cpu = 0; cpu < s->cpus; cpu++) {
		s->cpu[cpu].fd = -1;
		s->cpu[cpu].raw_fd = -1;
		em.raw_fds[cpu] = -1;
	}

	for (cpu = 0; cpu < s->cpus; cpu++) {
		struct cpu_data *c = &s->cpu[cpu];

		if (asprintf(&c->path, "%s/cpu%d", s->data_dir, cpu) < 0) {
			c->path = NULL;
			return fail(RS_EXIT_FAILURE, "out of memory");
		}
		snprintf(em.cpu_paths[cpu], PATH_MAX, "%s", c->path);
		c->fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		em.cpus = cpu + 1;
		if (c->fd < 0)
			return fail(RS_EXIT_FAILURE, "cannot create %s: %s", c->path, strerror(errno));

		snprintf(path, sizeof(path), "per_cpu/cpu%d/trace_pipe_raw", cpu);
		if (!tracefs_file_exists(s->inst, path))
			continue;	/* not a possible CPU: its file stays empty */
		c->raw_fd = tracefs_instance_file_open(s->inst, path, O_RDONLY | O_NONBLOCK);
		if (c->raw_fd < 0)
			return fail(RS_EXIT_FAILURE, "cannot open %s of instance %s: %s",
				    path, s->name, strerror(errno));
		fcntl(c->raw_fd, F_SETFD, FD_CLOEXEC);
		em.raw_fds[cpu] = c->raw_fd;
		c->tcpu = tracefs_cpu_alloc_fd(c->raw_fd, s->subbuf_size, true);
		if (!c->tcpu)
			return fail(RS_EXIT_FAILURE, "out of memory");
	}
	return 0;
}

int session_open(const struct session_opts *o, struct session **sp)
{
	unsigned int kb = o->buffer_kb ? o->buffer_kb : SESSION_DEFAULT_BUFFER_KB;
	unsigned int removed = 0;
	struct session *s;
	const char *dir;
	int live, ret;

	*sp = NULL;
	if (geteuid() != 0)
		return fail(RS_EXIT_NOT_ROOT, "recording needs root (tracefs, KSM and page_idle); run it with sudo");
	dir = tracefs_tracing_dir();
	if (!dir || !tracefs_dir_exists(NULL, "instances"))
		return fail(RS_EXIT_NO_TRACEFS, "tracefs is not mounted and cannot be mounted; "
			    "mount -t tracefs nodev /sys/kernel/tracing (the kernel needs CONFIG_FTRACE=y)");

	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(RS_EXIT_FAILURE, "out of memory");
	s->wake[0] = s->wake[1] = -1;
	s->source = choose_source(o, &ret);
	if (ret)
		goto err;

	live = sweep_instances(&removed);
	/* The kprobes of a killed run (a kprobe run sweeps them in create_kprobes()). */
	if (!live && s->source != SESSION_KPROBES)
		sweep_kprobes(0, &removed);
	/*
	 * The KSM knobs and staging folders of killed runs, from their journals;
	 * before anything here is read as "the value before the recording".
	 * What cannot be undone was said on stderr: it does not stop this run.
	 */
	journal_sweep(JOURNAL_DIR, stderr, false, &removed);
	if (journal_begin(JOURNAL_DIR)) {
		ret = fail(RS_EXIT_FAILURE, "%s", journal_error());
		goto err;
	}

	if (asprintf(&s->name, INSTANCE_PREFIX "%d", (int)getpid()) < 0) {
		s->name = NULL;
		ret = fail(RS_EXIT_FAILURE, "out of memory");
		goto err;
	}
	snprintf(em.inst_dir, sizeof(em.inst_dir), "%s/instances/%s", dir, s->name);
	if (journal_add_remove(em.inst_dir, JOURNAL_RM_RMDIR, "tracefs instance")) {
		ret = fail(RS_EXIT_FAILURE, "%s", journal_error());
		goto err;
	}
	s->inst = tracefs_instance_create(s->name);
	if (!s->inst) {
		ret = fail(RS_EXIT_FAILURE, "cannot create tracefs instance %s/instances/%s: %s",
			   dir, s->name, strerror(errno));
		goto err;
	}
	em.armed = 1;
	/* A new instance starts with tracing on: nothing is recorded before start. */
	tracefs_trace_off(s->inst);
	/* An instance of a dead run with our (reused) pid: start from nothing. */
	if (!tracefs_instance_is_new(s->inst))
		tracefs_event_disable(s->inst, NULL, NULL);

	ret = setup_clock(s) ?: setup_sub_buffer(s);
	if (ret)
		goto err;
	if (tracefs_instance_set_buffer_size(s->inst, kb, -1)) {
		ret = fail(RS_EXIT_FAILURE, "cannot set the buffer of instance %s to %u KiB per CPU: %s; try a smaller --buffer-kb",
			   s->name, kb, strerror(errno));
		goto err;
	}
	if (s->source == SESSION_KPROBES) {
		ret = create_kprobes(s, live);
		if (ret)
			goto err;
	}
	ret = enable_events(s, o) ?: open_cpus(s, o);
	if (ret)
		goto err;
	if (pipe2(s->wake, O_CLOEXEC)) {
		ret = fail(RS_EXIT_FAILURE, "pipe: %s", strerror(errno));
		goto err;
	}
	*sp = s;
	return RS_EXIT_OK;
err:
	session_close(s);
	return ret;
}

/*
 * Moves whole sub-buffers of one CPU to its file (flush: also the last,
 * partly filled one); buf holds one sub-buffer. -errno on a write error.
 */
static int drain_cpu(struct cpu_data *c, void *buf, bool flush)
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

/* Drains every CPU each DRAIN_INTERVAL_MS until woken through s->wake. */
static void *reader(void *arg)
{
	struct session *s = arg;
	struct pollfd pfd = { .fd = s->wake[0], .events = POLLIN };
	void *buf = malloc(s->subbuf_size);
	int cpu, ret;

	if (!buf) {
		s->reader_error = ENOMEM;
		return NULL;
	}
	for (;;) {
		for (cpu = 0; cpu < s->cpus; cpu++) {
			ret = drain_cpu(&s->cpu[cpu], buf, false);
			if (ret) {
				s->reader_error = -ret;
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

int session_start(struct session *s)
{
	sigset_t all, old;
	int ret;

	/* Whatever the enabling caught before now is not part of the run. */
	tracefs_instance_file_clear(s->inst, "trace");

	/* Signals go to the main thread, never to the reader. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&s->reader, NULL, reader, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return fail(RS_EXIT_FAILURE, "cannot start the reader thread: %s", strerror(ret));
	s->reader_running = true;

	if (tracefs_trace_on(s->inst))
		return fail(RS_EXIT_FAILURE, "cannot turn tracing on in instance %s", s->name);
	return RS_EXIT_OK;
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

int session_stop(struct session *s)
{
	char path[64];
	char c = 1;
	int cpu, ret = RS_EXIT_OK;

	if (s->stopped)
		return RS_EXIT_OK;
	s->stopped = true;
	tracefs_trace_off(s->inst);
	if (s->reader_running) {
		if (write(s->wake[1], &c, 1) < 0)
			ret = fail(RS_EXIT_FAILURE, "cannot wake the reader thread: %s", strerror(errno));
		pthread_join(s->reader, NULL);
		s->reader_running = false;
	}
	if (s->reader_error)
		ret = fail(RS_EXIT_FAILURE, "cannot save the trace data in %s: %s",
			   s->data_dir, strerror(s->reader_error));

	for (cpu = 0; cpu < s->cpus; cpu++) {
		struct cpu_data *d = &s->cpu[cpu];

		/* Full pages still in the splice pipe first, then the rest. */
		if (drain_cpu(d, s->buf, false) || drain_cpu(d, s->buf, true))
			ret = fail(RS_EXIT_FAILURE, "cannot save the trace data in %s: %s",
				   d->path, strerror(errno));
		snprintf(path, sizeof(path), "per_cpu/cpu%d/stats", cpu);
		d->stats = tracefs_instance_file_read(s->inst, path, NULL);
		if (d->stats) {
			parse_stat(d->stats, "overrun: ", &d->overrun);
			parse_stat(d->stats, "commit overrun: ", &d->commit_overrun);
			parse_stat(d->stats, "dropped events: ", &d->dropped);
		}
	}
	s->clock_list = tracefs_instance_file_read(s->inst, "trace_clock", NULL);
	return ret;
}

/* Kprobe hits the kernel could not record (kretprobe instances exhausted). */
static unsigned long long report_kprobe_misses(const struct session *s, FILE *f)
{
	unsigned long long hits, missed, total = 0;
	char *profile, *line, *save, name[128];
	size_t i;

	if (s->source != SESSION_KPROBES)
		return 0;
	profile = tracefs_instance_file_read(NULL, "kprobe_profile", NULL);
	for (line = profile ? strtok_r(profile, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%127s %llu %llu", name, &hits, &missed) != 3 || !missed)
			continue;
		for (i = 0; i < NR_KPROBES; i++) {
			if (!s->kprobes[i] || strcmp(name, kprobe_defs[i].event))
				continue;
			fprintf(f, "rmapstat: kprobe %s:%s missed %llu times (%llu hits)\n",
				SESSION_KPROBE_SYSTEM, name, missed, hits);
			total += missed;
		}
	}
	free(profile);
	return total;
}

unsigned long long session_report_lost(const struct session *s, FILE *f)
{
	unsigned long long total = report_kprobe_misses(s, f), lost;
	int cpu;

	for (cpu = 0; cpu < s->cpus; cpu++) {
		const struct cpu_data *d = &s->cpu[cpu];

		lost = d->overrun + d->commit_overrun + d->dropped;
		if (!lost)
			continue;
		total += lost;
		fprintf(f, "rmapstat: CPU %d lost %llu events (overrun %llu, commit overrun %llu, dropped %llu); "
			"a larger --buffer-kb keeps them\n",
			cpu, lost, d->overrun, d->commit_overrun, d->dropped);
	}
	return total;
}

int session_write(struct session *s, const char *output, const char *version)
{
	struct trace_writer w = {
		.output = output,
		.events = (const char *const *)s->formats,
		.clock = s->clock,
		.clock_list = s->clock_list,
		.cpus = s->cpus,
		.version = version,
		/* A SIGKILL while it is written leaves it to the staging folder's sweep. */
		.tmp_dir = s->data_dir,
	};
	char **files, **stats;
	int cpu, ret;

	files = calloc(s->cpus, sizeof(*files));
	stats = calloc(s->cpus, sizeof(*stats));
	if (!files || !stats) {
		free(files);
		free(stats);
		return fail(RS_EXIT_FAILURE, "out of memory");
	}
	for (cpu = 0; cpu < s->cpus; cpu++) {
		files[cpu] = s->cpu[cpu].path;
		stats[cpu] = s->cpu[cpu].stats;
		if (s->cpu[cpu].fd >= 0 && fsync(s->cpu[cpu].fd) && errno != EINVAL) {
			free(files);
			free(stats);
			return fail(RS_EXIT_FAILURE, "cannot save %s: %s", s->cpu[cpu].path, strerror(errno));
		}
	}
	w.cpu_files = files;
	w.cpu_stats = stats;
	ret = trace_writer_write(&w) ? RS_EXIT_FAILURE : RS_EXIT_OK;
	free(files);
	free(stats);
	return ret;
}

static void remove_instance(struct session *s)
{
	int cpu;

	em.armed = 0;
	for (cpu = 0; s->cpu && cpu < s->cpus; cpu++) {
		if (s->cpu[cpu].tcpu)
			tracefs_cpu_close(s->cpu[cpu].tcpu);	/* closes raw_fd */
		else if (s->cpu[cpu].raw_fd >= 0)
			close(s->cpu[cpu].raw_fd);
		s->cpu[cpu].tcpu = NULL;
		s->cpu[cpu].raw_fd = -1;
		if (em.raw_fds)
			em.raw_fds[cpu] = -1;
	}
	if (!s->inst)
		return;
	tracefs_trace_off(s->inst);
	tracefs_event_disable(s->inst, NULL, NULL);
	if (tracefs_instance_destroy(s->inst))
		fprintf(stderr, "rmapstat: cannot remove tracefs instance %s: %s; rmdir %s/instances/%s\n",
			s->name, strerror(errno), tracefs_tracing_dir(), s->name);
	tracefs_instance_free(s->inst);
	s->inst = NULL;
}

static void remove_kprobes(struct session *s)
{
	size_t i;

	em.nr_kprobe_del = 0;
	for (i = NR_KPROBES; i-- > 0;) {
		if (!s->kprobes[i])
			continue;
		if (tracefs_dynevent_destroy(s->kprobes[i], false) &&
		    tracefs_dynevent_destroy(s->kprobes[i], true))
			fprintf(stderr, "rmapstat: cannot remove kprobe event %s:%s: %s; echo '-:%s/%s' >> %s/kprobe_events\n",
				SESSION_KPROBE_SYSTEM, kprobe_defs[i].event, strerror(errno),
				SESSION_KPROBE_SYSTEM, kprobe_defs[i].event, tracefs_tracing_dir());
		tracefs_dynevent_free(s->kprobes[i]);
		s->kprobes[i] = NULL;
	}
}

static void remove_data(struct session *s)
{
	int cpu;

	for (cpu = 0; s->cpu && cpu < s->cpus; cpu++) {
		if (s->cpu[cpu].fd >= 0)
			close(s->cpu[cpu].fd);
		if (s->cpu[cpu].path)
			unlink(s->cpu[cpu].path);
		free(s->cpu[cpu].path);
		free(s->cpu[cpu].stats);
	}
	em.cpus = 0;
	if (s->data_dir)
		rmdir(s->data_dir);
	em.data_dir[0] = '\0';
}

void session_close(struct session *s)
{
	size_t i;

	if (!s)
		return;
	if (s->reader_running)
		session_stop(s);
	remove_instance(s);
	remove_kprobes(s);
	remove_data(s);

	for (i = 0; s->formats && s->formats[i]; i++)
		free(s->formats[i]);
	free(s->formats);
	free(s->cpu);
	free(em.cpu_paths);
	free(em.raw_fds);
	em.cpu_paths = NULL;
	em.raw_fds = NULL;
	if (s->wake[0] >= 0)
		close(s->wake[0]);
	if (s->wake[1] >= 0)
		close(s->wake[1]);
	free(s->buf);
	free(s->data_dir);
	free(s->clock);
	free(s->clock_list);
	free(s->name);
	free(s);
}

static void write_file(const char *dir, const char *name, const char *val, int flags)
{
	char path[PATH_MAX];
	size_t d = strlen(dir), n = strlen(name);
	int fd;

	if (d + n + 2 > sizeof(path))
		return;
	memcpy(path, dir, d);
	path[d] = '/';
	memcpy(path + d + 1, name, n + 1);
	fd = open(path, O_WRONLY | flags);
	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0) {
		/* nothing more to do from a signal handler */
	}
	close(fd);
}

/*
 * rmdir of the instance fails with EBUSY while a file of it is open, e.g.
 * when the drain thread is in a read as the second signal arrives. Then a
 * child removes the instance once this process has exited and the kernel
 * has closed its files (the child is reparented after that). Only
 * async-signal-safe calls.
 */
static void remove_instance_after_exit(void)
{
	const struct timespec tick = { 0, 1000 * 1000 };
	pid_t parent = getpid();
	int fd, i;

	if (fork() != 0)
		return;
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	for (i = 0; i < 5000 && getppid() == parent; i++)
		nanosleep(&tick, NULL);
	for (i = 0; i < 1000 && rmdir(em.inst_dir) && errno == EBUSY; i++)
		nanosleep(&tick, NULL);
	_exit(0);
}

void session_emergency_cleanup(void)
{
	int cpu, fd, cpus = em.cpus;
	sig_atomic_t i;

	for (cpu = 0; em.raw_fds && cpu < cpus; cpu++)
		if (em.raw_fds[cpu] >= 0)
			close(em.raw_fds[cpu]);
	if (em.armed) {
		write_file(em.inst_dir, "tracing_on", "0", O_TRUNC);
		write_file(em.inst_dir, "set_event", "", O_TRUNC);	/* disables all */
		if (rmdir(em.inst_dir) && errno == EBUSY)
			remove_instance_after_exit();
		em.armed = 0;
	}
	if (em.nr_kprobe_del) {
		/* O_APPEND: opening kprobe_events with O_TRUNC would remove every kprobe. */
		fd = open(em.kprobe_events, O_WRONLY | O_APPEND);
		for (i = em.nr_kprobe_del; fd >= 0 && i-- > 0;)
			if (write(fd, em.kprobe_del[i], strlen(em.kprobe_del[i])) < 0)
				continue;
		if (fd >= 0)
			close(fd);
		em.nr_kprobe_del = 0;
	}
	for (cpu = 0; em.cpu_paths && cpu < cpus; cpu++)
		unlink(em.cpu_paths[cpu]);
	if (em.data_dir[0])
		rmdir(em.data_dir);
}

int session_sweep(unsigned int *removed)
{
	const char *dir;
	int live;

	*removed = 0;
	dir = tracefs_tracing_dir();
	if (!dir || !tracefs_dir_exists(NULL, "instances"))
		return RS_EXIT_OK;	/* no tracefs: nothing of ours in it */
	live = sweep_instances(removed);
	if (!live)
		sweep_kprobes(0, removed);
	return RS_EXIT_OK;
}

enum session_source session_source(const struct session *s)
{
	return s->source;
}

const char *session_instance_name(const struct session *s)
{
	return s->name;
}

const char *session_clock(const struct session *s)
{
	return s->clock;
}

unsigned long long session_bytes(const struct session *s)
{
	unsigned long long sum = 0;
	int cpu;

	for (cpu = 0; cpu < s->cpus; cpu++)
		sum += s->cpu[cpu].bytes;
	return sum;
}

int session_cpus(const struct session *s)
{
	return s->cpus;
}
