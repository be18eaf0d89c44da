// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"

/* Bytes pending before the producer publishes them. */
#define PUBLISH_EVERY	(RS_RING_SIZE / 16)

/*
 * head: bytes the producer has published; tail: bytes the consumer has
 * given back. Each side sets its *_waiting flag, then looks at the other
 * counter again before it sleeps on its pipe; the other side stores its
 * counter, then takes the flag and, if it was set, writes one byte to that
 * pipe (sequentially consistent, so that no wake-up is lost).
 */
struct rs_ring_shared {
	_Alignas(64) _Atomic uint64_t head;
	_Alignas(64) _Atomic uint64_t tail;
	_Alignas(64) _Atomic int consumer_waiting;
	_Alignas(64) _Atomic int producer_waiting;
	_Alignas(64) unsigned char data[RS_RING_SIZE];
};

int rs_ring_create(struct rs_ring_end *producer, struct rs_ring_end *consumer)
{
	struct rs_ring_shared *sh;
	int to_consumer[2], to_producer[2];

	memset(producer, 0, sizeof(*producer));
	memset(consumer, 0, sizeof(*consumer));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -errno;
	if (pipe2(to_consumer, O_CLOEXEC)) {
		munmap(sh, sizeof(*sh));
		return -errno;
	}
	if (pipe2(to_producer, O_CLOEXEC)) {
		int e = errno;

		close(to_consumer[0]);
		close(to_consumer[1]);
		munmap(sh, sizeof(*sh));
		return -e;
	}
	producer->sh = consumer->sh = sh;
	producer->wake_peer = to_consumer[1];
	producer->wait_fd = to_producer[0];
	consumer->wake_peer = to_producer[1];
	consumer->wait_fd = to_consumer[0];
	return 0;
}

void rs_ring_forget(struct rs_ring_end *e)
{
	if (e->wake_peer >= 0)
		close(e->wake_peer);
	if (e->wait_fd >= 0)
		close(e->wait_fd);
	e->wake_peer = e->wait_fd = -1;
	e->sh = NULL;
	free(e->scratch);
	e->scratch = NULL;
}

void rs_ring_close(struct rs_ring_end *e)
{
	struct rs_ring_shared *sh = e->sh;

	rs_ring_forget(e);
	if (sh)
		munmap(sh, sizeof(*sh));
}

static void wake(_Atomic int *waiting, int fd)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_exchange(waiting, 0)) {
		ssize_t n;

		do
			n = write(fd, "w", 1);
		while (n < 0 && errno == EINTR);
	}
}

/*
 * How long a side waits awake for the other before it sleeps on its pipe.
 * Both sides run at once, each on its own CPU, and hand over a few hundred
 * chunks a second: a sleep costs a wake-up through the scheduler (tens of
 * microseconds, more in a virtual machine whose idle CPU halts), and
 * hundreds of them were a fifth of a report's time.
 */
#define SPIN_NS		50000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* Waits up to SPIN_NS for *counter to differ from seen; true when it did. */
static bool spin_while_equal(_Atomic uint64_t *counter, uint64_t seen)
{
	uint64_t until = 0;
	unsigned int i;

	for (i = 0;; i++) {
		if (atomic_load_explicit(counter, memory_order_acquire) != seen)
			return true;
		if (i % 256 == 0) {
			uint64_t t = now_ns();

			if (!until)
				until = t + SPIN_NS;
			else if (t >= until)
				return false;
		}
		cpu_relax();
	}
}

/* Sleeps until the other side wakes it; 0, or -1 when the other side is gone. */
static int sleep_on(int fd)
{
	char buf[64];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -1;
}

void rs_ring_flush(struct rs_ring_end *e)
{
	if (e->published == e->pos)
		return;
	atomic_store_explicit(&e->sh->head, e->pos, memory_order_release);
	e->published = e->pos;
	wake(&e->sh->consumer_waiting, e->wake_peer);
}

/* Room for at least one byte; 0, or -EPIPE. */
static int wait_room(struct rs_ring_end *e)
{
	struct rs_ring_shared *sh = e->sh;

	for (;;) {
		uint64_t tail = atomic_load_explicit(&sh->tail, memory_order_acquire);

		if (e->pos - tail < RS_RING_SIZE)
			return 0;
		rs_ring_flush(e);
		if (spin_while_equal(&sh->tail, tail))
			continue;
		atomic_store(&sh->producer_waiting, 1);
		if (e->pos - atomic_load(&sh->tail) < RS_RING_SIZE) {
			atomic_store(&sh->producer_waiting, 0);
			return 0;
		}
		if (sleep_on(e->wait_fd))
			return -EPIPE;
	}
}

int rs_ring_write(struct rs_ring_end *e, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n) {
		uint64_t tail;
		size_t at, room, chunk;
		int ret = wait_room(e);

		if (ret)
			return ret;
		tail = atomic_load_explicit(&e->sh->tail, memory_order_acquire);
		at = e->pos % RS_RING_SIZE;
		room = RS_RING_SIZE - (size_t)(e->pos - tail);
		chunk = RS_RING_SIZE - at;		/* up to the end of the ring */
		if (chunk > room)
			chunk = room;
		if (chunk > n)
			chunk = n;
		memcpy(e->sh->data + at, b, chunk);
		e->pos += chunk;
		b += chunk;
		n -= chunk;
		if (e->pos - e->published >= PUBLISH_EVERY)
			rs_ring_flush(e);
	}
	return 0;
}

/* Bytes published and not consumed; -1 when the counters are impossible. */
static int64_t available(struct rs_ring_end *e)
{
	uint64_t head = atomic_load_explicit(&e->sh->head, memory_order_acquire);

	if (head < e->pos || head - e->pos > RS_RING_SIZE)
		return -1;
	return (int64_t)(head - e->pos);
}

int rs_ring_peek(struct rs_ring_end *e, size_t n, const void **p)
{
	struct rs_ring_shared *sh = e->sh;
	size_t at = e->pos % RS_RING_SIZE;
	int64_t avail;

	if (n > RS_RING_MAX_PEEK)
		return -EPROTO;
	for (;;) {
		avail = available(e);
		if (avail < 0)
			return -EPROTO;
		if ((size_t)avail >= n)
			break;
		if (spin_while_equal(&sh->head, e->pos + (uint64_t)avail))
			continue;
		atomic_store(&sh->consumer_waiting, 1);
		avail = available(e);
		if (avail < 0)
			return -EPROTO;
		if ((size_t)avail >= n) {
			atomic_store(&sh->consumer_waiting, 0);
			break;
		}
		if (sleep_on(e->wait_fd)) {
			/* Gone: what it published before is all there is. */
			avail = available(e);
			if (avail < 0)
				return -EPROTO;
			if ((size_t)avail < n)
				return 1;
			break;
		}
	}
	if (at + n <= RS_RING_SIZE) {
		*p = sh->data + at;
		return 0;
	}
	if (!e->scratch) {
		e->scratch = malloc(RS_RING_MAX_PEEK);
		if (!e->scratch)
			return -ENOMEM;
	}
	memcpy(e->scratch, sh->data + at, RS_RING_SIZE - at);
	memcpy(e->scratch + (RS_RING_SIZE - at), sh->data, n - (RS_RING_SIZE - at));
	*p = e->scratch;
	return 0;
}

void rs_ring_consume(struct rs_ring_end *e, size_t n)
{
	e->pos += n;
	atomic_store_explicit(&e->sh->tail, e->pos, memory_order_release);
	wake(&e->sh->producer_waiting, e->wake_peer);
}
