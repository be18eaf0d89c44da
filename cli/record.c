// SPDX-License-Identifier: GPL-2.0-only
/*
 * rmapstat record: record rmap walks in a private tracefs instance while a
 * built-in workload, a command, a fixed time or the user (Ctrl-C) decides
 * how long, and save them as a trace.dat that trace-cmd reads.
 *
 * record_main() -> record_parse_args() -> record_run(), in the way of rtla.
 * The backend (record/, workload/) fills a struct rs_error and this file
 * prints it; what the recording changed outside the process is undone by
 * the cleanup registry (cleanup.h), at the end of the run or from the
 * signal handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "journal.h"
#include "rmapstat.h"
#include "layout.h"
#include "op_marker.h"
#include "session.h"
#include "sweep.h"
#include "test_hook.h"
#include "usage.h"
#include "workload.h"

struct record_params {
	const char *output;
	bool workload;			/* a built-in workload runs */
	struct workload_opts wl;
	double duration;		/* seconds; 0: none */
	char **events;			/* extra events, NULL-terminated */
	size_t nr_events;
	unsigned int buffer_kb;
	bool force_kprobes;
	bool no_rmap;
	const char *layout;
	bool count_visits;
	bool waits;			/* --waits, or implied by --victim */
	char **command;			/* after "--", NULL-terminated; NULL: none */
	bool cleanup;			/* --cleanup: undo killed runs, nothing else */
	int nr_opts;			/* options given (--cleanup takes no other) */
};

/* How the recording ends. */
enum record_end {
	END_SIGNAL,	/* Ctrl-C or SIGTERM: that is the plan */
	END_DURATION,	/* --duration elapsed (after the workload, if any) */
	END_COMMAND,	/* -- COMMAND exited */
	END_WORKLOAD,	/* the triggers are done */
};

static volatile sig_atomic_t stop_signal;
static volatile pid_t child_pid;

static void record_usage(FILE *f)
{
	fprintf(f,
"usage: rmapstat record [-o FILE] [--workload ksm|anon|file|all] [--pages N]\n"
"                       [--split|--no-split] [--trigger migrate|idle] [--repeat N]\n"
"                       [--duration SEC] [--events SYS:EVENT,...] [--buffer-kb N]\n"
"                       [--kprobes|--no-rmap] [--layout rmap_one=N,mapping=M]\n"
"                       [--count-visits] [--merge-timeout SEC] [--quiet]\n"
"                       [--victim mprotect|munmap|fork] [--victim-threads N]\n"
"                       [--waits] [-- COMMAND ARGS...]\n"
"       rmapstat record --cleanup\n"
"\n"
"  Records rmap:rmap_walk_start/end (or, on kernels without them, kprobes on\n"
"  rmap_walk*) in a private tracefs instance and writes a trace.dat.\n"
"\n"
"  -o, --output FILE        trace file to write (default trace.dat)\n"
"  -w, --workload KINDS     ksm, anon, file, all or a comma list: one mapping\n"
"                           of --pages pages each (default ksm)\n"
"  -p, --pages N            pages per mapping (default %lu)\n"
"      --split, --no-split  mprotect every other page into its own VMA (default on)\n"
"  -t, --trigger WHAT       migrate: move a page to another NUMA node;\n"
"                           idle: mark it in /sys/kernel/mm/page_idle/bitmap\n"
"  -r, --repeat N           triggers per mapping (default 1)\n"
"      --merge-timeout SEC  give up waiting for KSM after SEC (default %d)\n"
"      --victim OP          while the triggers run, threads repeat OP on the\n"
"                           walked ksm (or anon) mapping and time it:\n"
"                           mprotect, munmap (munmap, mmap, fault) or fork;\n"
"                           one line of latencies per operation at the end;\n"
"                           implies --waits\n"
"      --victim-threads N   victim threads (default 1, at most %d)\n"
"  -d, --duration SEC       record SEC seconds (after the workload, if any)\n"
"  -e, --events LIST        also record these events (sched:sched_switch,ksm:*)\n"
"  -b, --buffer-kb N        ring buffer per CPU in KiB (default %d)\n"
"      --kprobes            use the kprobe fallback even if the tracepoints exist\n"
"      --no-rmap            record only the --events\n"
"      --layout SPEC        kprobe fallback on a kernel without BTF: the byte\n"
"                           offsets of rwc->rmap_one and folio->mapping,\n"
"                           e.g. rmap_one=16,mapping=24 (default: from BTF)\n"
"      --count-visits       kprobe fallback: count the VMAs each walk visits\n"
"                           (one kretprobe hit per VMA: slows long walks)\n"
"      --waits              also record lock waits (lock:contention_begin/end)\n"
"                           and, with BTF, the lock each walk holds (kprobes\n"
"                           rmapstat:hold_anon, hold_file)\n"
"  -q, --quiet              no workload progress line\n"
"      --cleanup            only undo what killed recordings left: write back\n"
"                           the KSM knobs they changed (from their journals in\n"
"                           " JOURNAL_DIR "), remove their tracefs instances,\n"
"                           kprobe events and staging folders; say each\n"
"  -h, --help               show this help\n"
"\n"
"  Without a workload, command or duration it records until Ctrl-C.\n"
"  Every recording does what --cleanup does before it starts.\n"
"  The workload options imply --workload ksm. See rmapstat-record(1).\n",
		WL_DEFAULT_PAGES, WL_DEFAULT_MERGE_TIMEOUT, WL_MAX_VICTIM_THREADS,
		SESSION_DEFAULT_BUFFER_KB);
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *val)
{
	char *end;

	errno = 0;
	*val = strtoul(s, &end, 0);
	return errno || end == s || *end || *s == '-' || *val > max ? -1 : 0;
}

static int add_events(struct record_params *p, const char *list)
{
	char *copy = strdup(list), *tok, *save;
	char **ev;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		ev = realloc(p->events, (p->nr_events + 2) * sizeof(*ev));
		if (!ev)
			break;
		p->events = ev;
		p->events[p->nr_events] = strdup(tok);
		p->events[++p->nr_events] = NULL;
	}
	free(copy);
	return 0;
}

enum {
	OPT_SPLIT = 256,
	OPT_NO_SPLIT,
	OPT_KPROBES,
	OPT_NO_RMAP,
	OPT_MERGE_TIMEOUT,
	OPT_CLEANUP,
	OPT_LAYOUT,
	OPT_COUNT_VISITS,
	OPT_VICTIM,
	OPT_VICTIM_THREADS,
	OPT_WAITS,
};

/* 0 to go on, -1 after --help, RS_EXIT_USAGE after a usage error. */
static int record_parse_args(int argc, char **argv, struct record_params *p)
{
	static const struct option longopts[] = {
		{ "output",		required_argument,	NULL, 'o' },
		{ "workload",		required_argument,	NULL, 'w' },
		{ "pages",		required_argument,	NULL, 'p' },
		{ "split",		no_argument,		NULL, OPT_SPLIT },
		{ "no-split",		no_argument,		NULL, OPT_NO_SPLIT },
		{ "trigger",		required_argument,	NULL, 't' },
		{ "repeat",		required_argument,	NULL, 'r' },
		{ "merge-timeout",	required_argument,	NULL, OPT_MERGE_TIMEOUT },
		{ "duration",		required_argument,	NULL, 'd' },
		{ "events",		required_argument,	NULL, 'e' },
		{ "buffer-kb",		required_argument,	NULL, 'b' },
		{ "kprobes",		no_argument,		NULL, OPT_KPROBES },
		{ "no-rmap",		no_argument,		NULL, OPT_NO_RMAP },
		{ "quiet",		no_argument,		NULL, 'q' },
		{ "cleanup",		no_argument,		NULL, OPT_CLEANUP },
		{ "help",		no_argument,		NULL, 'h' },
		{ "layout",		required_argument,	NULL, OPT_LAYOUT },
		{ "count-visits",	no_argument,		NULL, OPT_COUNT_VISITS },
		{ "victim",		required_argument,	NULL, OPT_VICTIM },
		{ "victim-threads",	required_argument,	NULL, OPT_VICTIM_THREADS },
		{ "waits",		no_argument,		NULL, OPT_WAITS },
		{ NULL, 0, NULL, 0 },
	};
	struct rs_layout layout;
	struct rs_error lerr;
	bool threads_given = false;
	unsigned long val;
	char *end;
	int c;

	memset(p, 0, sizeof(*p));
	p->output = "trace.dat";
	rs_workload_opts_init(&p->wl);
	optind = 1;
	opterr = 0;

	/* "+": stop at the first non-option, so COMMAND keeps its options. */
	while ((c = getopt_long(argc, argv, "+:o:w:p:t:r:d:e:b:qh", longopts, NULL)) != -1) {
		p->nr_opts++;
		switch (c) {
		case 'o':
			p->output = optarg;
			break;
		case 'w':
			if (rs_workload_parse_kinds(optarg, &p->wl.kinds, NULL))
				return usage_error("record", RS_EXIT_USAGE, "unknown --workload '%s' (ksm, anon, file, all)", optarg);
			p->workload = true;
			break;
		case 'p':
			if (parse_ulong(optarg, LONG_MAX, &val) || val < 2)
				return usage_error("record", RS_EXIT_USAGE, "--pages '%s' is not a number of at least 2", optarg);
			p->wl.pages = val;
			p->workload = true;
			break;
		case OPT_SPLIT:
		case OPT_NO_SPLIT:
			p->wl.split = c == OPT_SPLIT;
			p->workload = true;
			break;
		case 't':
			if (rs_workload_parse_trigger(optarg, &p->wl.trigger, NULL))
				return usage_error("record", RS_EXIT_USAGE, "unknown --trigger '%s' (migrate, idle)", optarg);
			p->workload = true;
			break;
		case 'r':
			if (parse_ulong(optarg, WL_MAX_REPEAT, &val) || val < 1)
				return usage_error("record", RS_EXIT_USAGE, "--repeat '%s' is not a number from 1 to " "100000", optarg);
			p->wl.repeat = val;
			p->workload = true;
			break;
		case OPT_MERGE_TIMEOUT:
			if (parse_ulong(optarg, 86400, &val) || val < 1)
				return usage_error("record", RS_EXIT_USAGE, "--merge-timeout '%s' is not a number of seconds (1..86400)", optarg);
			p->wl.merge_timeout = val;
			p->workload = true;
			break;
		case 'd':
			errno = 0;
			p->duration = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(p->duration > 0) || !isfinite(p->duration))
				return usage_error("record", RS_EXIT_USAGE, "--duration '%s' is not a positive number of seconds", optarg);
			break;
		case 'e':
			if (add_events(p, optarg))
				return usage_error("record", RS_EXIT_USAGE, "out of memory for --events '%s'", optarg);
			break;
		case 'b':
			if (parse_ulong(optarg, UINT_MAX, &val) || val < 4)
				return usage_error("record", RS_EXIT_USAGE, "--buffer-kb '%s' is not a number of KiB (at least 4)", optarg);
			p->buffer_kb = val;
			break;
		case OPT_KPROBES:
			p->force_kprobes = true;
			break;
		case OPT_NO_RMAP:
			p->no_rmap = true;
			break;
		case OPT_LAYOUT:
			if (rs_layout_parse(&layout, optarg, &lerr))
				return usage_error("record", RS_EXIT_USAGE, "%s (%s)", lerr.what, lerr.fix);
			p->layout = optarg;
			break;
		case OPT_COUNT_VISITS:
			p->count_visits = true;
			break;
		case OPT_VICTIM:
			if (rs_workload_parse_victim(optarg, &p->wl.victim, NULL))
				return usage_error("record", RS_EXIT_USAGE, "unknown --victim '%s' (mprotect, munmap, fork)", optarg);
			p->workload = true;
			break;
		case OPT_VICTIM_THREADS:
			if (parse_ulong(optarg, WL_MAX_VICTIM_THREADS, &val) || val < 1)
				return usage_error("record", RS_EXIT_USAGE, "--victim-threads '%s' is not a number from 1 to %d", optarg, WL_MAX_VICTIM_THREADS);
			p->wl.victim_threads = val;
			threads_given = true;
			break;
		case OPT_WAITS:
			p->waits = true;
			break;
		case 'q':
			p->wl.quiet = true;
			break;
		case OPT_CLEANUP:
			p->cleanup = true;
			break;
		case 'h':
			record_usage(stdout);
			return -1;
		case ':':
			return usage_error("record", RS_EXIT_USAGE, "%s needs an argument", argv[optind - 1]);
		default:
			return usage_error("record", RS_EXIT_USAGE, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (p->cleanup && (p->nr_opts > 1 || optind < argc))
		return usage_error("record", RS_EXIT_USAGE, "--cleanup takes no other option or command");
	if (optind < argc) {
		/* getopt_long consumed "--" if it was there. */
		if (strcmp(argv[optind - 1], "--"))
			return usage_error("record", RS_EXIT_USAGE, "unexpected argument '%s' (a command goes after --)", argv[optind]);
		p->command = argv + optind;
	}
	if (p->command && p->duration)
		return usage_error("record", RS_EXIT_USAGE, "--duration and a command exclude each other; the command's run is the duration");
	if (p->force_kprobes && p->no_rmap)
		return usage_error("record", RS_EXIT_USAGE, "--kprobes and --no-rmap exclude each other");
	if ((p->layout || p->count_visits) && p->no_rmap)
		return usage_error("record", RS_EXIT_USAGE, "--layout and --count-visits are for the kprobe fallback, which --no-rmap turns off");
	if (p->no_rmap && !p->nr_events)
		return usage_error("record", RS_EXIT_USAGE, "--no-rmap records only --events, and none was given");
	if (threads_given && p->wl.victim == WL_VICTIM_NONE)
		return usage_error("record", RS_EXIT_USAGE, "--victim-threads needs --victim (mprotect, munmap or fork)");
	if ((p->waits || p->wl.victim != WL_VICTIM_NONE) && p->no_rmap)
		return usage_error("record", RS_EXIT_USAGE, "%s attributes lock waits to walks, which --no-rmap does not record: drop --no-rmap",
				   p->waits ? "--waits" : "--victim");
	if (rs_victim_check_opts(&p->wl, &lerr))
		return usage_error("record", RS_EXIT_USAGE, "%s (%s)", lerr.what, lerr.fix);
	/* Who waited behind the walks is what a victim is for. */
	if (p->wl.victim != WL_VICTIM_NONE)
		p->waits = true;
	if (!*p->output)
		return usage_error("record", RS_EXIT_USAGE, "empty --output");
	return 0;
}

/*
 * Prints the error of a failed workload function (ret its -errno) and
 * returns the exit status: the error's, or 128 + N for the signal N that
 * stopped the workload.
 */
static int workload_failed(int ret, const struct rs_error *err)
{
	int status = rs_error_print("record", err);

	if (ret == -EINTR)
		status = RS_EXIT_SIGNAL_BASE + (stop_signal ? stop_signal : SIGINT);
	return status;
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] = "rmapstat: second signal: cleaned up, exiting without a trace\n";

	if (stop_signal) {
		/*
		 * Second signal: undo what is ours right here and leave. The
		 * registry holds every step, the journal's last.
		 */
		rs_cleanup_run_all();
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* nothing to do */
		}
		_exit(RS_EXIT_SIGNAL_BASE + sig);
	}
	stop_signal = sig;
	rs_workload_stop();
	/* A terminal's Ctrl-C reaches the command too; kill(1) only reaches us. */
	if (child_pid > 0 && si->si_code != SI_KERNEL)
		kill(child_pid, sig);
}

static void set_signals(bool on)
{
	struct sigaction sa = { 0 };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;

	if (on) {
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: waits return EINTR */
	} else {
		sa.sa_handler = SIG_DFL;
	}
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Forks COMMAND before anything is mapped or traced; it waits on *gate and
 * execs when a byte arrives, or exits 127 on EOF (recording failed).
 */
static pid_t fork_command(char **command, int *gate)
{
	int fds[2];
	pid_t pid;
	char go;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &go, 1) != 1)
			_exit(127);
		/*
		 * The command gets the signals record passes on, also when
		 * rmapstat itself started with them ignored (a background job).
		 */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(command[0], command);
		fprintf(stderr, "rmapstat: cannot run %s: %s; check the name and PATH\n",
			command[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	*gate = fds[1];
	return pid;
}

/* Exit status of the command in the shell's way. */
static int wait_command(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return RS_EXIT_FAILURE;
	}
	child_pid = 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return RS_EXIT_SIGNAL_BASE + WTERMSIG(status);
}

/* Waits for a signal, or for seconds (> 0) to pass; true if a signal came. */
static bool wait_stop(double seconds)
{
	struct timespec end, now, left;
	sigset_t block, old;
	bool timed = seconds > 0;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)seconds;
	end.tv_nsec += (long)((seconds - (time_t)seconds) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	while (!stop_signal) {
		if (!timed) {
			sigsuspend(&old);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			break;
		ppoll(NULL, 0, &left, &old);	/* returns early on a signal */
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return stop_signal != 0;
}

/* The directory of path, for the data files next to the output. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, slash - path);
}

/* The victims' sink: each operation into the trace, as ftrace:raw_data. */
static void write_marker(const struct rs_op_marker *m, void *ctx)
{
	rs_session_marker_write(ctx, m, sizeof(*m));
}

/*
 * The victim threads around the triggers: started right before them,
 * stopped right after. Returns the exit status of the first failure
 * (printed), 0 if none.
 */
static int run_triggers(struct workload *wl, struct session *s)
{
	struct rs_error err, verr;
	int ret, vret;

	ret = rs_victim_start(wl, write_marker, s, &err);
	if (!ret)
		ret = rs_workload_trigger(wl, &err);
	rs_workload_print_hits(wl, stderr);
	vret = rs_victim_stop(wl, &verr);
	rs_victim_print(wl, stderr);
	if (ret)
		ret = workload_failed(ret, &err);
	if (vret) {
		vret = rs_error_print("record", &verr);
		if (!ret)
			ret = vret;
	}
	return ret;
}

static const char *source_name(enum session_source src)
{
	switch (src) {
	case SESSION_TRACEPOINTS:	return "rmap tracepoints";
	case SESSION_KPROBES:		return "kprobe fallback";
	default:			return "no rmap events";
	}
}

static int record_run(struct record_params *p)
{
	struct session_opts so = {
		.buffer_kb = p->buffer_kb,
		.events = (const char *const *)p->events,
		.force_kprobes = p->force_kprobes,
		.no_rmap = p->no_rmap,
		.layout = p->layout,
		.count_visits = p->count_visits,
		.waits = p->waits,
	};
	struct session *s = NULL;
	struct workload wl;
	bool wl_set_up = false;
	enum record_end end = END_SIGNAL;
	/* Nothing else ends it: Ctrl-C is the plan, not an interruption. */
	bool until_signal = !p->command && !p->duration &&
			    (!p->workload || p->wl.trigger == WL_TRIGGER_NONE);
	int ret, wret = RS_EXIT_OK, cmd_status = 0, gate = -1, stopped_by = 0;
	struct rs_error err;
	struct timespec t0, t1;
	char *dir;

	if (p->workload && rs_workload_check_env(&p->wl, &err))
		return rs_error_print("record", &err);
	dir = dir_of(p->output);
	if (!dir)
		return RS_EXIT_FAILURE;
	so.data_dir = dir;

	if (p->command) {
		child_pid = fork_command(p->command, &gate);
		if (child_pid < 0) {
			rs_error_set(&err, NULL, "cannot fork for %s: %s", p->command[0],
				     strerror(errno));
			free(dir);
			return rs_error_print("record", &err);
		}
	}
	set_signals(true);

	if (rs_session_open(&so, &s, &err)) {
		ret = rs_error_print("record", &err);
		goto out;
	}
	if (p->workload && !stop_signal) {
		ret = rs_workload_setup(&wl, &p->wl, &err);
		if (ret) {
			/* rs_workload_setup() undid itself. */
			ret = workload_failed(ret, &err);
			goto out;
		}
		wl_set_up = true;
		if (p->wl.victim != WL_VICTIM_NONE && rs_session_marker_open(s, &err)) {
			ret = rs_error_print("record", &err);
			goto out;
		}
	}
	if (stop_signal) {
		ret = RS_EXIT_SIGNAL_BASE + stop_signal;
		fprintf(stderr, "rmapstat: interrupted before recording started; no trace written\n");
		goto out;
	}

	if (rs_session_start(s, &err)) {
		ret = rs_error_print("record", &err);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fprintf(stderr, "rmapstat: recording in tracefs instance %s (clock %s, %s)%s\n",
		rs_session_instance_name(s), rs_session_clock(s),
		source_name(rs_session_source(s)), until_signal ? "; Ctrl-C stops" : "");
	if (p->wl.victim != WL_VICTIM_NONE && strcmp(rs_session_clock(s), "mono"))
		fprintf(stderr, "rmapstat: trace clock %s, not mono: the victims' operation "
			"times (CLOCK_MONOTONIC) cannot be lined up with the trace\n",
			rs_session_clock(s));

	if (p->workload && p->wl.trigger != WL_TRIGGER_NONE) {
		wret = run_triggers(&wl, s);
		end = END_WORKLOAD;
	}
	test_hook_pause("record");
	if (p->command && !stop_signal && !wret) {
		if (write(gate, "g", 1) != 1) {
			ret = RS_EXIT_FAILURE;
			goto out;
		}
		close(gate);
		gate = -1;
		cmd_status = wait_command(child_pid);
		end = END_COMMAND;
	} else if (p->duration && !wret) {
		end = wait_stop(p->duration) ? END_SIGNAL : END_DURATION;
	} else if (end != END_WORKLOAD && !stop_signal) {
		wait_stop(0);
		end = END_SIGNAL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* A signal that comes while the trace is written does not cut anything short. */
	stopped_by = stop_signal;

	ret = rs_session_stop(s, &err);
	rs_session_report_lost(s, stderr);
	if (!ret)
		ret = rs_session_write(s, p->output, "rmapstat " RMAPSTAT_VERSION, &err);
	if (ret)
		ret = rs_error_print("record", &err);
	else
		fprintf(stderr, "rmapstat: wrote %s: %.1f KiB of events from %d CPUs in %.3f s\n",
			p->output, rs_session_bytes(s) / 1024.0, rs_session_cpus(s),
			(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);

	/* The outcome of the run, once the trace is safe. */
	if (!ret && wret)
		ret = wret;
	else if (!ret && end == END_COMMAND)
		ret = cmd_status;
	else if (!ret && stopped_by && !until_signal)
		ret = RS_EXIT_SIGNAL_BASE + stopped_by;		/* cut short */
out:
	if (gate >= 0)
		close(gate);		/* a command still waiting exits 127 */
	if (child_pid > 0)
		wait_command(child_pid);
	/* Undone in the reverse order of the setup: the workload, the session. */
	if (wl_set_up)
		rs_workload_teardown(&wl);
	if (rs_session_close(s, &err))
		rs_error_print("record", &err);
	/* What is left, the journal last: the next run has nothing to sweep. */
	rs_cleanup_run_all();
	set_signals(false);
	free(dir);
	return ret;
}

/*
 * rmapstat record --cleanup: what rs_session_open() sweeps first, alone.
 * Exit 0 when everything due was undone (or nothing was), 1 when something
 * could not be (each said on stderr with its fix).
 */
static int record_cleanup(void)
{
	unsigned int removed = 0, restored = 0;
	struct rs_error err;
	int ret;

	if (geteuid() != 0) {
		rs_error_status(&err, RS_EXIT_NOT_ROOT, RS_FIX_ROOT, "--cleanup needs root "
				"(it writes /sys/kernel/mm/ksm and removes tracefs instances)");
		return rs_error_print("record", &err);
	}
	rs_sweep_tracefs(stderr, &removed);
	ret = journal_sweep(JOURNAL_DIR, stderr, true, &restored);
	if (!ret && !removed && !restored)
		fprintf(stderr, "rmapstat: nothing to clean up\n");
	return ret ? RS_EXIT_FAILURE : RS_EXIT_OK;
}

int record_main(int argc, char **argv)
{
	struct record_params p;
	size_t i;
	int ret;

	ret = record_parse_args(argc, argv, &p);
	if (!ret)
		ret = p.cleanup ? record_cleanup() : record_run(&p);
	else if (ret < 0)
		ret = RS_EXIT_OK;	/* --help */
	for (i = 0; i < p.nr_events; i++)
		free(p.events[i]);
	free(p.events);
	return ret;
}
