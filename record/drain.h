/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The drain of a recording: while it runs, a thread moves the whole
 * sub-buffers of each CPU's ring buffer (per_cpu/cpuN/trace_pipe_raw of
 * the instance) into a file per CPU in a staging folder next to the
 * output, so that a buffer smaller than the recording loses nothing; at
 * the end the rest is flushed and the ring buffer's counters of lost
 * events are read, for the trace.dat and for the user.
 */
#ifndef RMAPSTAT_DRAIN_H
#define RMAPSTAT_DRAIN_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "error.h"

struct tracefs_cpu;
struct tracefs_instance;

/**
 * struct rs_drain_cpu - One CPU's ring buffer and file.
 * @tcpu: libtracefs's reader of @raw_fd; NULL: the CPU has no buffer.
 * @raw_fd: per_cpu/cpuN/trace_pipe_raw, -1 once closed.
 * @fd: the data file.
 * @path: its name, in the staging folder.
 * @stats: per_cpu/cpuN/stats read at the end, saved in the trace.dat.
 * @bytes: drained so far.
 * @overrun: events the ring buffer overwrote (stats).
 * @commit_overrun: events lost while a commit was in progress (stats).
 * @dropped: events dropped with the buffer full (stats).
 */
struct rs_drain_cpu {
	struct tracefs_cpu *tcpu;
	volatile sig_atomic_t raw_fd;
	int fd;
	char *path;
	char *stats;
	unsigned long long bytes;
	unsigned long long overrun, commit_overrun, dropped;
};

/**
 * struct rs_drain - The drain of one recording.
 * @dir: the staging folder, .rmapstat-PID-XXXXXX next to the output.
 * @cpus: the CPUs (configured, possible or not).
 * @cpu: one per CPU.
 * @nr_files: data files created, the first of @cpu (for the undo step).
 * @subbuf_size: the ring buffer's sub-buffer size.
 * @buf: one sub-buffer, for the final flush.
 * @thread: the drain thread.
 * @running: @thread runs.
 * @wake: a pipe; a byte stops @thread.
 * @error: errno of a failed write of @thread.
 * @step: the undo step in the cleanup registry.
 */
struct rs_drain {
	char *dir;
	int cpus;
	struct rs_drain_cpu *cpu;
	volatile sig_atomic_t nr_files;
	int subbuf_size;
	void *buf;
	pthread_t thread;
	bool running;
	int wake[2];
	volatile int error;
	int step;
};

/**
 * rs_drain_open() - Make the staging folder and open every CPU.
 * @d: zeroed by the caller; filled.
 * @inst: the instance.
 * @inst_name: its name, for the messages.
 * @parent: where the staging folder goes (the output's folder).
 * @subbuf_size: the instance's sub-buffer size.
 * @err: filled on failure.
 *
 * The staging folder is noted in the journal, and its removal (data files
 * and folder, after closing the ring buffers) is an undo step of the
 * cleanup registry.
 *
 * Return: 0, or -errno.
 */
int rs_drain_open(struct rs_drain *d, struct tracefs_instance *inst, const char *inst_name,
		  const char *parent, int subbuf_size, struct rs_error *err);

/**
 * rs_drain_start() - Start the drain thread.
 * @d: the drain.
 * @err: filled on failure.
 *
 * The thread blocks every signal: they go to the main thread.
 *
 * Return: 0, or -errno.
 */
int rs_drain_start(struct rs_drain *d, struct rs_error *err);

/**
 * rs_drain_stop() - Stop the thread, drain the rest, read the counters.
 * @d: the drain.
 * @inst: the instance (tracing off already).
 * @err: filled on failure.
 *
 * Return: 0, or -errno when data could not be saved.
 */
int rs_drain_stop(struct rs_drain *d, struct tracefs_instance *inst, struct rs_error *err);

/**
 * rs_drain_report_lost() - Lost events per CPU.
 * @d: a stopped drain.
 * @f: one line per CPU that lost events, with the fix.
 *
 * Return: the events lost on every CPU.
 */
unsigned long long rs_drain_report_lost(const struct rs_drain *d, FILE *f);

/**
 * rs_drain_bytes() - What was drained.
 * @d: the drain.
 *
 * Return: the bytes of every CPU.
 */
unsigned long long rs_drain_bytes(const struct rs_drain *d);

/**
 * rs_drain_close() - Close everything, remove the staging folder, free.
 * @d: the drain (also one rs_drain_open() failed to make).
 */
void rs_drain_close(struct rs_drain *d);

#endif
