/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A byte stream from one process to another through shared memory: what a
 * pipe does for trace_contain.c's reader and its parent, without copying
 * every byte into the kernel and out again and without a system call per
 * write. A pipe beside it only wakes the side that waits (a byte when
 * there is something to see); the producer's end of it closing is how the
 * consumer learns that the producer is gone, whatever way it ended.
 *
 * Made with rs_ring_create() before fork(); then each process keeps its
 * end, lets go of the other one with rs_ring_forget(), and closes its own
 * with rs_ring_close() when done. The consumer trusts
 * nothing of the shared state: a producer that writes garbage into the
 * counters makes rs_ring_peek() fail, never read outside the ring.
 */
#ifndef RS_SHM_RING_H
#define RS_SHM_RING_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the ring; the largest item a consumer can peek at is half of it. */
#define RS_RING_SIZE		(4U << 20)
#define RS_RING_MAX_PEEK	(RS_RING_SIZE / 2)

struct rs_ring_shared;

/* One process's end. */
struct rs_ring_end {
	struct rs_ring_shared *sh;
	int wake_peer;			/* write end of the pipe to the other side */
	int wait_fd;			/* read end of the pipe from the other side */
	uint64_t pos;			/* producer: bytes written; consumer: consumed */
	uint64_t published;		/* producer: bytes made visible */
	unsigned char *scratch;		/* consumer: an item that wraps, put together */
};

/**
 * rs_ring_create() - the shared ring and both ends
 * @producer: set up for the process that writes
 * @consumer: set up for the process that reads
 *
 * Return: 0, or -errno (no memory, no file descriptors).
 */
int rs_ring_create(struct rs_ring_end *producer, struct rs_ring_end *consumer);

/**
 * rs_ring_close() - let go of this process's end
 * @e: the end (its descriptors closed, the mapping of this process removed)
 */
void rs_ring_close(struct rs_ring_end *e);

/**
 * rs_ring_forget() - after fork(), let go of the end the other process uses
 * @e: that end (its descriptors closed in this process; the mapping stays,
 *	this process's own end uses it)
 */
void rs_ring_forget(struct rs_ring_end *e);

/**
 * rs_ring_write() - append bytes, waiting for room
 * @e: the producer's end
 * @p: the bytes
 * @n: how many
 *
 * Bytes become visible to the consumer at the latest when
 * RS_RING_SIZE / 16 of them are pending, and at rs_ring_flush().
 *
 * Return: 0, or -EPIPE when the consumer is gone.
 */
int rs_ring_write(struct rs_ring_end *e, const void *p, size_t n);

/**
 * rs_ring_flush() - make every byte written visible to the consumer
 * @e: the producer's end
 */
void rs_ring_flush(struct rs_ring_end *e);

/**
 * rs_ring_peek() - the next n bytes, contiguous, waiting until they are there
 * @e: the consumer's end
 * @n: at most RS_RING_MAX_PEEK
 * @p: set to them; valid until rs_ring_consume()
 *
 * Return: 0; 1 when the producer ended before writing them; -EPROTO when
 * the shared counters are impossible; -ENOMEM.
 */
int rs_ring_peek(struct rs_ring_end *e, size_t n, const void **p);

/**
 * rs_ring_consume() - give the first n bytes back to the producer
 * @e: the consumer's end
 * @n: at most what the last rs_ring_peek() asked for
 */
void rs_ring_consume(struct rs_ring_end *e, size_t n);

#endif
