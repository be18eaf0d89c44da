// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>

#include "trace_pages.h"

/* The ring buffer's page header and event header (kernel/trace/ring_buffer.c). */
#define COMMIT_MASK		((1U << 27) - 1)
#define MISSING_EVENTS		(1ULL << 31)
#define MISSING_STORED		(1ULL << 30)
#define TYPE_PADDING		29
#define TYPE_TIME_EXTEND	30
#define TYPE_TIME_STAMP		31

/* Pages read per pread() of one CPU's data. */
#define CHUNK			(256 * 1024)

struct page_format {
	unsigned int page_size;
	int long_size;
	bool big_endian;
	bool native;			/* the byte order of this machine */
};

struct stream {
	int buffer;			/* what fn gets */
	int cpu;
	uint64_t off, end;		/* the part of the CPU data not read yet */
	unsigned char *chunk;
	size_t chunk_len, page;		/* bytes in chunk, offset of the next page */
	/* the page being read */
	const unsigned char *events;	/* its first event header */
	unsigned int commit;		/* bytes of events */
	unsigned int pos;		/* offset of the next event header */
	long long page_missed;		/* events lost before the page (-1: unknown) */
	/* the current record */
	void *data;			/* NULL: none left */
	unsigned long long ts;
	int size;
	long long missed;
};

static inline uint64_t rd(const struct page_format *pf, const unsigned char *p, int n)
{
	uint64_t v = 0;
	uint32_t v32;
	int i;

	if (pf->native) {
		if (n == 4) {
			memcpy(&v32, p, 4);
			return v32;
		}
		if (n == 8) {
			memcpy(&v, p, 8);
			return v;
		}
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)p[pf->big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

/*
 * The stream's next record on its page, as kbuffer of libtraceevent 1.7.1
 * returns it (kbuffer_next_event(), kbuffer_event_size(),
 * kbuffer_missed_events()): time extends, absolute time stamps and padding
 * move the time stamp and are skipped. Every step is bounded by the page:
 * a step outside it makes the page damaged. 1: a record, 0: the page is
 * done, -1: damaged.
 */
static int page_next(const struct page_format *pf, struct stream *s)
{
	unsigned int max = pf->page_size - (pf->long_size == 8 ? 16 : 12);

	while (s->pos < s->commit) {
		unsigned int curr = s->pos, word, type_len, delta, len;
		const unsigned char *ev = s->events + curr;

		if (max - curr < 4)
			return -1;
		word = rd(pf, ev, 4);
		type_len = pf->big_endian ? word >> 27 : word & 0x1f;
		delta = pf->big_endian ? word & ((1U << 27) - 1) : word >> 5;
		switch (type_len) {
		case TYPE_PADDING:
			if (max - curr < 8)
				return -1;
			len = rd(pf, ev + 4, 4);
			if (len > max - curr - 4)
				return -1;
			s->ts += delta;
			s->pos = curr + 4 + len;
			continue;
		case TYPE_TIME_EXTEND:
		case TYPE_TIME_STAMP:
			if (max - curr < 8)
				return -1;
			len = rd(pf, ev + 4, 4);
			if (type_len == TYPE_TIME_STAMP)
				s->ts = ((unsigned long long)len << 27) + delta;
			else
				s->ts += ((unsigned long long)len << 27) + delta;
			s->pos = curr + 8;
			continue;
		case 0:
			if (max - curr < 8)
				return -1;
			len = rd(pf, ev + 4, 4);
			if (len < 4 + 8 || len - 4 > max - curr - 8 ||
			    ((len - 4 + 3) & ~3U) > max - curr - 8)
				return -1;
			s->size = (len - 4 + 3) & ~3U;
			s->data = (void *)(ev + 8);
			s->pos = curr + 8 + s->size;
			break;
		default:
			if (type_len < 2 || type_len * 4 > max - curr - 4)
				return -1;
			s->size = type_len * 4;
			s->data = (void *)(ev + 4);
			s->pos = curr + 4 + s->size;
			break;
		}
		s->ts += delta;
		/* Like kbuffer: the loss is told with a record at the page's very start. */
		s->missed = curr == 0 ? s->page_missed : 0;
		return 1;
	}
	return 0;
}

/* Makes page the stream's page; -1 when its header is damaged. */
static int load_page(const struct page_format *pf, struct stream *s, const unsigned char *page)
{
	unsigned int start = pf->long_size == 8 ? 16 : 12, max = pf->page_size - start;
	uint64_t flags;

	s->ts = rd(pf, page, 8);
	flags = rd(pf, page + 8, pf->long_size);
	s->commit = flags & COMMIT_MASK;
	s->events = page + start;
	s->pos = 0;
	s->page_missed = 0;
	if (s->commit > max)
		return -1;
	if (flags & MISSING_EVENTS) {
		if (!(flags & MISSING_STORED))
			s->page_missed = -1;
		else if ((unsigned int)pf->long_size > max - s->commit)
			return -1;
		else
			s->page_missed = rd(pf, s->events + s->commit, pf->long_size);
	}
	return 0;
}

/* Walks a whole page: every event inside it, every step forward. */
static bool page_ok(const struct page_format *pf, const unsigned char *page)
{
	struct stream s;
	int ret;

	memset(&s, 0, sizeof(s));
	if (load_page(pf, &s, page))
		return false;
	while ((ret = page_next(pf, &s)) > 0)
		;
	return ret == 0;
}

/* Loads the stream's next page with a record; 0, or -errno. s->data NULL: no more. */
static int next_page(int fd, const struct page_format *pf, struct stream *s,
		     unsigned long *damaged)
{
	for (;;) {
		const unsigned char *page;
		int ret;

		if (s->page + pf->page_size > s->chunk_len) {
			size_t want = s->end - s->off < CHUNK ? s->end - s->off : CHUNK;
			ssize_t n;

			want -= want % pf->page_size;	/* a page cut off at the end is no page */
			s->page = 0;
			s->chunk_len = 0;
			if (!want) {
				s->data = NULL;
				return 0;
			}
			n = pread(fd, s->chunk, want, s->off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < (ssize_t)pf->page_size)
				return -EIO;
			s->chunk_len = n - n % pf->page_size;
			s->off += s->chunk_len;
		}
		page = s->chunk + s->page;
		s->page += pf->page_size;
		if (load_page(pf, s, page)) {
			(*damaged)++;
			continue;
		}
		ret = page_next(pf, s);
		if (ret > 0)
			return 0;
		if (ret < 0)
			(*damaged)++;
	}
}

static int advance(int fd, const struct page_format *pf, struct stream *s,
		   unsigned long *damaged)
{
	int ret = page_next(pf, s);

	if (ret > 0)
		return 0;
	if (ret < 0)
		(*damaged)++;
	return next_page(fd, pf, s, damaged);
}

/* Min-heap of stream indexes by (time stamp, index): the order of libtracecmd. */
static bool before(const struct stream *st, int a, int b)
{
	return st[a].ts < st[b].ts || (st[a].ts == st[b].ts && a < b);
}

static void sift_down(const struct stream *st, int *heap, int n, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < n && before(st, heap[l], heap[m]))
			m = l;
		if (r < n && before(st, heap[r], heap[m]))
			m = r;
		if (m == i)
			return;
		t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

static int merge(int fd, const struct page_format *pf, struct stream *st, int n,
		 rs_page_record_fn fn, void *arg, unsigned long *damaged)
{
	struct tep_record rec;
	int *heap, nh = 0, i, ret = 0;

	heap = calloc(n ? n : 1, sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (st[i].data)
			heap[nh++] = i;
	for (i = nh / 2 - 1; i >= 0; i--)
		sift_down(st, heap, nh, i);
	memset(&rec, 0, sizeof(rec));
	while (nh) {
		struct stream *s = &st[heap[0]];

		rec.ts = s->ts;
		rec.cpu = s->cpu;
		rec.data = s->data;
		rec.size = s->size;
		rec.missed_events = s->missed;
		ret = fn(s->buffer, &rec, arg);
		if (ret < 0)
			break;
		ret = advance(fd, pf, s, damaged);
		if (ret < 0)
			break;
		if (!s->data)
			heap[0] = heap[--nh];
		if (nh > 1)
			sift_down(st, heap, nh, 0);
	}
	free(heap);
	return ret;
}

/* The page format of the file, 0; -EINVAL when this reader does not know it. */
static int page_format(const struct rs_trace_layout *layout, struct tep_handle *tep,
		       struct page_format *pf)
{
	pf->page_size = layout->page_size;
	pf->long_size = tep_get_long_size(tep);
	pf->big_endian = tep_is_file_bigendian(tep);
	pf->native = pf->big_endian == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	if (tep_is_old_format(tep) || (pf->long_size != 4 && pf->long_size != 8) ||
	    pf->page_size < 4096 || pf->page_size > CHUNK || (pf->page_size & (pf->page_size - 1)))
		return -EINVAL;
	return 0;
}

int rs_pages_check_first(int fd, const struct rs_trace_layout *layout,
			 struct tep_handle *tep)
{
	struct page_format pf;
	unsigned char *page;
	size_t b, c;
	int bad = 0;

	if (page_format(layout, tep, &pf))
		return -EINVAL;
	page = malloc(pf.page_size);
	if (!page)
		return -ENOMEM;
	for (b = 0; b < layout->nr_buffers; b++) {
		const struct rs_layout_buffer *lb = &layout->buffers[b];

		for (c = 0; c < lb->nr_cpus; c++) {
			if (lb->cpus[c].size < pf.page_size)
				continue;
			if (pread(fd, page, pf.page_size, lb->cpus[c].offset) != (ssize_t)pf.page_size) {
				free(page);
				return -EIO;
			}
			bad += !page_ok(&pf, page);
		}
	}
	free(page);
	return bad;
}

int rs_pages_iterate(int fd, const struct rs_trace_layout *layout,
		     struct tep_handle *tep, const int *buffer_of,
		     rs_page_record_fn fn, void *arg, unsigned long *damaged)
{
	struct page_format pf;
	struct stream *st;
	size_t b, c, n = 0, nr = 0;
	int ret = 0;

	*damaged = 0;
	if (page_format(layout, tep, &pf))
		return -EINVAL;

	for (b = 0; b < layout->nr_buffers; b++)
		if (buffer_of[b] >= 0)
			nr += layout->buffers[b].nr_cpus;
	st = calloc(nr ? nr : 1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	for (b = 0; b < layout->nr_buffers && !ret; b++) {
		const struct rs_layout_buffer *lb = &layout->buffers[b];

		if (buffer_of[b] < 0)
			continue;
		for (c = 0; c < lb->nr_cpus && !ret; c++) {
			struct stream *s = &st[n++];

			s->buffer = buffer_of[b];
			s->cpu = lb->cpus[c].cpu;
			s->off = lb->cpus[c].offset;
			s->end = lb->cpus[c].offset + lb->cpus[c].size;
			s->chunk = malloc(CHUNK);
			if (!s->chunk)
				ret = -ENOMEM;
			else
				ret = next_page(fd, &pf, s, damaged);
		}
	}
	if (!ret)
		ret = merge(fd, &pf, st, n, fn, arg, damaged);
	for (c = 0; c < n; c++)
		free(st[c].chunk);
	free(st);
	return ret;
}
