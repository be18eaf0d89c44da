/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The recording session of `rmapstat record`: it owns a private tracefs
 * instance (never the top one) and, on kernels without the rmap
 * tracepoints, the kprobe fallback events (kprobes.h); with waits, the
 * lock contention events and the hold kprobes on any kernel. What it creates
 * it notes in the journal (journal.h) before, and registers the undo of
 * with the cleanup registry (cleanup.h) after, so that rs_session_close(),
 * a signal handler or the next run after a SIGKILL removes it.
 *
 *	rs_session_open()	the leftovers of killed runs swept (sweep.h,
 *				and the journals of journal.h), this run's
 *				journal begun, then instance "rmapstat_<pid>",
 *				tracing off, clock mono (else global), buffer
 *				size, rmap:* (or the rmapstat kprobes), the
 *				waits' events and the extra events enabled in
 *				it, the drain opened (drain.h)
 *	rs_session_marker_open()  trace_marker_raw of the instance opened,
 *				for rs_session_marker_write() (victim threads)
 *	rs_session_start()	tracing on; a thread drains the per-CPU ring
 *				buffers into files while it runs
 *	rs_session_stop()	tracing off, the marker closed, drains the
 *				rest, reads the lost-event counters
 *	rs_session_write()	trace.dat (trace_writer.h)
 *	rs_session_close()	drain, events, kprobes and instance removed
 *
 * Errors come back as a negative errno and a struct rs_error (error.h)
 * whose status is the exit status of rmapstat record (RS_EXIT_NOT_ROOT,
 * RS_EXIT_NO_TRACEFS, RS_EXIT_NO_EVENTS, RS_EXIT_BUSY, RS_EXIT_USAGE for
 * an unknown event, else RS_EXIT_FAILURE). What the session says on
 * stderr itself is progress: the kprobe fallback, what was swept, what
 * was lost.
 */
#ifndef RMAPSTAT_SESSION_H
#define RMAPSTAT_SESSION_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

/* What records the walks. */
enum session_source {
	SESSION_NO_RMAP,	/* --no-rmap: only the extra events */
	SESSION_TRACEPOINTS,	/* rmap:rmap_walk_start / rmap:rmap_walk_end */
	SESSION_KPROBES,	/* rmapstat:rmap_walk{,_locked,_ksm,_anon,_file}_entry / _exit */
};

#define SESSION_DEFAULT_BUFFER_KB	4096

/**
 * struct session_opts - What a session records, and where.
 * @buffer_kb: ring buffer per CPU in KiB; 0: SESSION_DEFAULT_BUFFER_KB.
 * @events: extra "system:event" to enable (NULL-terminated), or NULL.
 * @force_kprobes: the kprobes even when the tracepoints exist.
 * @no_rmap: record only @events.
 * @data_dir: where the staging folder goes (the output's folder); NULL: ".".
 * @layout: kprobe fallback: the layout stated by hand ("rmap_one=N,mapping=M",
 *          layout.h); NULL: from the kernel's BTF.
 * @count_visits: kprobe fallback: also count the VMAs each walk visits.
 * @waits: also record who waits for a lock (lock:contention_begin and
 *         lock:contention_end) and, where BTF and kprobe events allow,
 *         which lock each walk holds (rmapstat:hold_anon, hold_file).
 *         Not with @no_rmap (no walks to hold anything).
 */
struct session_opts {
	unsigned int buffer_kb;
	const char *const *events;
	bool force_kprobes;
	bool no_rmap;
	const char *data_dir;
	const char *layout;
	bool count_visits;
	bool waits;
};

struct session;

/**
 * rs_session_open() - Sweep, then set up the instance; tracing stays off.
 * @o: the options.
 * @sp: set to the session, or NULL on failure.
 * @err: filled on failure.
 *
 * With @o->waits, a kernel without lock:contention_begin/end fails with
 * RS_EXIT_NO_EVENTS. Where the hold events cannot be made (no BTF, no
 * kprobe events, an iterator that cannot be probed) it says so in one
 * line on stderr and goes on: the waits are then attributed to walks by
 * time overlap only.
 *
 * Return: 0, or -errno (what was set up is removed again).
 */
int rs_session_open(const struct session_opts *o, struct session **sp, struct rs_error *err);

/**
 * rs_session_marker_open() - Open the instance's trace_marker_raw.
 * @s: the session, before rs_session_start().
 * @err: filled on failure.
 *
 * Return: 0, or -errno.
 */
int rs_session_marker_open(struct session *s, struct rs_error *err);

/**
 * rs_session_marker_write() - Write one binary marker into the trace.
 * @s: a session whose marker is open.
 * @data: the marker (an ftrace:raw_data event: its first 4 bytes are the
 *        event's id, the rest its buf).
 * @len: its size, at least 4.
 *
 * Thread-safe: one write() each, which the kernel stamps with the trace
 * clock of the instance and the writing thread's pid. While tracing is
 * off the kernel drops it. Each marker that is not written is counted
 * for rs_session_report_lost(). Callers stop writing before
 * rs_session_stop() (it closes the marker).
 *
 * Return: 0, or -errno.
 */
int rs_session_marker_write(struct session *s, const void *data, size_t len);

/**
 * rs_session_start() - Clear the buffers, start draining, tracing on.
 * @s: the session.
 * @err: filled on failure.
 *
 * Return: 0, or -errno.
 */
int rs_session_start(struct session *s, struct rs_error *err);

/**
 * rs_session_stop() - Tracing off; drain what is left. Idempotent.
 * @s: the session.
 * @err: filled on failure.
 *
 * Return: 0, or -errno when data could not be saved.
 */
int rs_session_stop(struct session *s, struct rs_error *err);

/**
 * rs_session_write() - Write the recorded data as a trace.dat.
 * @s: a stopped session.
 * @output: the file.
 * @version: the writer's version saved in it.
 * @err: filled on failure.
 *
 * Return: 0, or -errno.
 */
int rs_session_write(struct session *s, const char *output, const char *version,
		     struct rs_error *err);

/**
 * rs_session_report_lost() - What the recording lost, one line each.
 * @s: a stopped session.
 * @f: where the lines go: kprobe hits missed, events lost per CPU,
 *     markers not written.
 *
 * Return: the total lost.
 */
unsigned long long rs_session_report_lost(const struct session *s, FILE *f);

/**
 * rs_session_close() - Remove drain, events, kprobes and instance; free.
 * @s: the session; NULL is fine.
 * @err: filled when something could not be removed (NULL is fine).
 *
 * Return: 0, or -errno when something stays (@err says how to remove it).
 */
int rs_session_close(struct session *s, struct rs_error *err);

/**
 * rs_session_source() - What records the walks.
 * @s: the session.
 *
 * Return: the source chosen by rs_session_open().
 */
enum session_source rs_session_source(const struct session *s);

/**
 * rs_session_instance_name() - The instance's name.
 * @s: the session.
 *
 * Return: "rmapstat_<pid>".
 */
const char *rs_session_instance_name(const struct session *s);

/**
 * rs_session_clock() - The trace clock of the instance.
 * @s: the session.
 *
 * Return: "mono" or "global".
 */
const char *rs_session_clock(const struct session *s);

/**
 * rs_session_bytes() - The event data drained.
 * @s: the session.
 *
 * Return: bytes, every CPU.
 */
unsigned long long rs_session_bytes(const struct session *s);

/**
 * rs_session_cpus() - The CPUs drained.
 * @s: the session.
 *
 * Return: their number (configured CPUs).
 */
int rs_session_cpus(const struct session *s);

#endif
