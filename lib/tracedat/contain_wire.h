/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The messages between the reader child (contain_child.c) and the parent
 * (trace_contain.c), through the shared ring of shm_ring.h:
 *
 *   HEAD      the summary's metadata and buffers, once, first
 *   PURPOSE   the name of an rmap_one address, once per address
 *   EVENTS    up to BATCH walk events, struct rs_walk_event as it is
 *   LOST      events lost on a buffer's CPU
 *   DONE      the counters at the end, last
 *   ERROR     an rs_error instead of DONE
 *
 * Both sides run the same binary, so structures travel as they are; the
 * parent checks every length, index and enum of what it receives.
 */
#ifndef RS_CONTAIN_WIRE_H
#define RS_CONTAIN_WIRE_H

#include <assert.h>
#include <stdint.h>
#include <sys/types.h>

#include "shm_ring.h"
#include "purpose.h"
#include "trace_scan.h"

enum msg_type {
	MSG_HEAD = 1,
	MSG_PURPOSE,
	MSG_EVENTS,
	MSG_LOST,
	MSG_DONE,
	MSG_ERROR,
};

struct msg_hdr {
	uint32_t type;
	uint32_t len;			/* of the payload that follows */
};

#define BATCH		512
#define MAX_STRING	4096
#define MAX_BUFFERS	4096
/* The largest message: the ring hands over at most this in one piece. */
#define MAX_MSG		(RS_RING_MAX_PEEK - sizeof(struct msg_hdr))

/* The child's limits: a trace needs far less; a damaged one can ask for anything. */
#define DEFAULT_MEMORY_MB	2048
#define CPU_SECONDS_BASE	10
#define CPU_MB_PER_SECOND	8

struct wire_head {
	uint64_t file_version;
	int32_t cpus;
	uint32_t formats;
	uint32_t source;
	uint32_t nr_buffers;
	/* then uname, tracecmd_version, probes, and name + clock of each buffer: strings */
};

struct wire_purpose {
	uint64_t rmap_one;
	char name[RS_PURPOSE_LEN];
};

/* A walk event and its buffer: copied, not converted (both sides run one binary). */
struct wire_event {
	uint32_t buffer;
	uint32_t pad;
	struct rs_walk_event ev;
};

/* A full batch is one message: a field added to rs_walk_event must keep it so. */
static_assert(BATCH * sizeof(struct wire_event) <= MAX_MSG, "a batch of events fits one message");

struct wire_lost {
	uint32_t buffer;
	int32_t cpu;
	uint64_t ts;
	int64_t missed;
};

struct wire_buffer_done {
	uint64_t walk_events;
};

struct wire_done {
	uint64_t records;
	uint64_t walk_events;
	uint64_t undecodable;
	uint64_t first_ts, last_ts;
	uint32_t clock_buffer;		/* whose clock is the trace's */
	uint32_t nr_buffers;
	/* then nr_buffers x struct wire_buffer_done */
};

/**
 * rs_contain_child() - the reader child: read the file, answer through the ring
 * @fd: the trace file, opened by the parent
 * @file: its name, for the summary
 * @opts: which buffer to read
 * @ring: the producer's end of the ring
 * @parent: the parent's pid (the child ends when the parent is gone)
 *
 * Sets its limits, runs rs_scan_fd() and sends what the callbacks get.
 * Never returns.
 */
__attribute__((noreturn))
void rs_contain_child(int fd, const char *file, const struct rs_scan_opts *opts,
		      struct rs_ring_end *ring, pid_t parent);

/**
 * rs_contain_memory_mb() - the child's RLIMIT_DATA, in MiB
 *
 * Return: RMAPSTAT_READ_MEMORY_MB, else 2048.
 */
unsigned long rs_contain_memory_mb(void);

/**
 * rs_contain_cpu_s() - the child's RLIMIT_CPU, in seconds
 * @fd: the trace file (its size adds a second per 8 MiB)
 *
 * Return: RMAPSTAT_READ_CPU_SECONDS, else 10 + 1 per 8 MiB of the file.
 */
unsigned long rs_contain_cpu_s(int fd);

#endif
