/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one tracefs wrapper of rmapstat: it owns a private tracefs instance
 * (never the top one) and, on kernels without the rmap tracepoints, the
 * kprobe fallback events. Everything it creates it destroys again in
 * session_close(), and session_emergency_cleanup() does the same from a
 * signal handler.
 *
 *	session_open()	the leftovers of killed runs swept (their instances,
 *			kprobes, and what their journals name, journal.h),
 *			this run's journal begun, then
 *			instance "rmapstat_<pid>", tracing off, clock mono
 *			(else global), buffer size, rmap:* (or the rmapstat
 *			kprobes) and the extra events enabled in it
 *	session_start()	tracing on; a thread drains the per-CPU ring
 *			buffers into files while it runs
 *	session_stop()	tracing off, drains the rest, reads the lost-event
 *			counters
 *	session_write()	trace.dat (trace_writer.h)
 *	session_close()	instance, dynamic events and data files removed
 */
#ifndef RMAPSTAT_TRACEFS_SESSION_H
#define RMAPSTAT_TRACEFS_SESSION_H

#include <stdbool.h>
#include <stdio.h>

/* What records the walks. */
enum session_source {
	SESSION_NO_RMAP,	/* --no-rmap: only the extra events */
	SESSION_TRACEPOINTS,	/* rmap:rmap_walk_start / rmap:rmap_walk_end */
	SESSION_KPROBES,	/* rmapstat:rmap_walk{,_locked,_ksm,_anon,_file}_entry / _exit */
};

/* The kprobe fallback (fixed names, see Documentation/rmapstat-record.1). */
#define SESSION_KPROBE_SYSTEM	"rmapstat"
#define SESSION_KPROBE_ARGS \
	"folio=%di:x64 rwc=%si:x64 mapping=+24(%di):x64 rmap_one=+16(%si):x64"
/* rmap_walk_anon/_file(folio, rwc, locked) */
#define SESSION_KPROBE_WALK_ARGS	SESSION_KPROBE_ARGS " locked=%dx:u8"

#define SESSION_DEFAULT_BUFFER_KB	4096

struct session_opts {
	unsigned int buffer_kb;		/* per CPU; 0: SESSION_DEFAULT_BUFFER_KB */
	const char *const *events;	/* extra "system:event" (NULL-terminated) or NULL */
	bool force_kprobes;		/* kprobes even when the tracepoints exist */
	bool no_rmap;			/* record only the extra events */
	const char *data_dir;		/* where per-CPU data is drained to; NULL: "." */
};

struct session;

/* Returns RS_EXIT_OK and *sp, or an RS_EXIT_* code after one line on stderr. */
int session_open(const struct session_opts *o, struct session **sp);
/* Clears the buffers, turns tracing on and starts draining; RS_EXIT_*. */
int session_start(struct session *s);
/* Turns tracing off and drains what is left; RS_EXIT_*. Idempotent. */
int session_stop(struct session *s);
/* Writes the recorded data as a trace.dat; RS_EXIT_*. After session_stop(). */
int session_write(struct session *s, const char *output, const char *version);
/* Lost events per CPU, one line each, to f; returns the total lost. */
unsigned long long session_report_lost(const struct session *s, FILE *f);
/* Removes instance, dynamic events and data files; frees s. NULL is fine. */
void session_close(struct session *s);

/* Async-signal-safe version of session_close() for a process about to die. */
void session_emergency_cleanup(void);

/*
 * What session_open() does first, alone (rmapstat record --cleanup): the
 * instances of rmapstat processes that are gone and, when no other
 * rmapstat records, the kprobe events, each removal said on stderr and
 * counted in *removed. Without tracefs there is nothing to remove.
 * Returns RS_EXIT_OK.
 */
int session_sweep(unsigned int *removed);

enum session_source session_source(const struct session *s);
const char *session_instance_name(const struct session *s);
const char *session_clock(const struct session *s);
unsigned long long session_bytes(const struct session *s);
int session_cpus(const struct session *s);

#endif
