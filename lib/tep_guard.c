// SPDX-License-Identifier: GPL-2.0-only
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <event-parse.h>
#include <kbuffer.h>

#include "tep_guard.h"

#define COMMIT_MASK		((1U << 27) - 1)
#define MISSING_EVENTS		(1ULL << 31)
#define MISSING_STORED		(1ULL << 30)
#define TYPE_PADDING		29
#define TYPE_TIME_EXTEND	30
#define TYPE_TIME_STAMP		31
#define MIN_PAGE		4096
#define MAX_PAGE		(1 << 20)

static struct {
	int active;
	int page_size;
	int long_size;
	int big_endian;		/* of the file */
	unsigned long damaged;
	unsigned long bad_formats;
} g;

/* An empty page: header only, commit 0. */
static uint64_t empty_page[4];

void rs_tep_guard_reset(void)
{
	memset(&g, 0, sizeof(g));
}

int rs_tep_guard_setup(struct tep_handle *tep, int page_size)
{
	g.page_size = page_size;
	g.long_size = tep_get_long_size(tep);
	g.big_endian = tep_is_file_bigendian(tep);
	/* The old (pre-2.6.31) page format has no commit field to check. */
	g.active = !tep_is_old_format(tep) && page_size >= MIN_PAGE && page_size <= MAX_PAGE &&
		   !(page_size & (page_size - 1)) && (g.long_size == 4 || g.long_size == 8);
	return g.active ? 0 : -1;
}

unsigned long rs_tep_guard_damaged_pages(void)
{
	return g.damaged;
}

unsigned long rs_tep_guard_bad_formats(void)
{
	return g.bad_formats;
}

static uint64_t rd(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[g.big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

/*
 * kbuffer's reading of a page, bounded: every event it would return lies in
 * the page and holds at least the common fields (type, flags, preempt
 * count, pid: 8 bytes), every step moves forward.
 */
static int page_ok(const unsigned char *page)
{
	unsigned int start = g.long_size == 8 ? 16 : 12;
	unsigned int max = (unsigned int)g.page_size - start, size, next = 0;
	const unsigned char *data = page + start;
	uint64_t flags = rd(page + 8, g.long_size);

	size = flags & COMMIT_MASK;
	if (size > max)
		return 0;
	if ((flags & MISSING_EVENTS) && (flags & MISSING_STORED) && (unsigned int)g.long_size > max - size)
		return 0;
	while (next < size) {
		unsigned int curr = next, type_len, len;

		if (max - curr < 4)
			return 0;
		type_len = rd(data + curr, 4);
		type_len = g.big_endian ? type_len >> 27 : type_len & 0x1f;
		switch (type_len) {
		case TYPE_PADDING:
			if (max - curr < 8)
				return 0;
			len = rd(data + curr + 4, 4);
			if (len > max - curr - 4)
				return 0;
			next = curr + 4 + len;
			break;
		case TYPE_TIME_EXTEND:
		case TYPE_TIME_STAMP:
			if (max - curr < 8)
				return 0;
			next = curr + 8;
			break;
		case 0:
			if (max - curr < 8)
				return 0;
			len = rd(data + curr + 4, 4);
			if (len < 4 + 8 || len - 4 > max - curr - 8 ||
			    ((len - 4 + 3) & ~3U) > max - curr - 8)
				return 0;
			next = curr + 8 + ((len - 4 + 3) & ~3U);
			break;
		default:
			if (type_len < 2 || type_len * 4 > max - curr - 4)
				return 0;
			next = curr + 4 + type_len * 4;
			break;
		}
	}
	return 1;
}

/* Exported from the executable (the library is built with hidden symbols). */
__attribute__((visibility("default")))
int kbuffer_load_subbuffer(struct kbuffer *kbuf, void *subbuffer);

int kbuffer_load_subbuffer(struct kbuffer *kbuf, void *subbuffer)
{
	static int (*real)(struct kbuffer *, void *);

	if (!real) {
		real = (int (*)(struct kbuffer *, void *))dlsym(RTLD_NEXT, "kbuffer_load_subbuffer");
		if (!real)
			return -1;
	}
	if (g.active && subbuffer && !page_ok(subbuffer)) {
		g.damaged++;
		/* Same timestamp, no events. */
		memcpy(empty_page, subbuffer, 8);
		return real(kbuf, empty_page);
	}
	return real(kbuf, subbuffer);
}

/*
 * "field:TYPE NAME[N];\toffset:..." up to the ';' with its brackets
 * closed: event_read_fields() passes NULL to strcmp() when a '[' is not.
 */
static bool read_field(const char *p, const char *end)
{
	const char *semi = memchr(p, ';', end - p), *q;
	int depth = 0;

	if (!semi)
		return false;
	for (q = p; q < semi; q++) {
		if (*q == '[')
			depth++;
		else if (*q == ']' && --depth < 0)
			return false;
	}
	return depth == 0;
}

static bool fields_ok(const char *buf, size_t size)
{
	const char *end = buf + size, *p = buf;

	while ((p = memmem(p, end - p, "field:", 6))) {
		p += 6;
		if (!read_field(p, end))
			return false;
	}
	return true;
}

/* Exported from the executable (the library is built with hidden symbols). */
__attribute__((visibility("default")))
enum tep_errno tep_parse_event(struct tep_handle *tep, const char *buf,
			       unsigned long size, const char *sys);

enum tep_errno tep_parse_event(struct tep_handle *tep, const char *buf,
			       unsigned long size, const char *sys)
{
	static enum tep_errno (*real)(struct tep_handle *, const char *, unsigned long,
				      const char *);
	static const char no_print[] = "print fmt: \"\"\n";
	const char *fmt;
	enum tep_errno ret;
	char *copy;
	size_t head;

	if (!real) {
		real = (enum tep_errno (*)(struct tep_handle *, const char *, unsigned long,
					   const char *))dlsym(RTLD_NEXT, "tep_parse_event");
		if (!real)
			return TEP_ERRNO__PARSE_EVENT_FAILED;
	}
	if (!buf)
		return real(tep, buf, size, sys);
	fmt = memmem(buf, size, "print fmt:", 10);
	head = fmt ? (size_t)(fmt - buf) : size;
	if (!fields_ok(buf, head)) {
		g.bad_formats++;
		return TEP_ERRNO__READ_FORMAT_FAILED;
	}
	/* rmapstat never prints an event: the print format is not parsed. */
	if (!fmt)
		return real(tep, buf, size, sys);
	copy = malloc(head + sizeof(no_print));
	if (!copy)
		return TEP_ERRNO__MEM_ALLOC_FAILED;
	memcpy(copy, buf, head);
	memcpy(copy + head, no_print, sizeof(no_print));
	ret = real(tep, copy, head + sizeof(no_print) - 1, sys);
	free(copy);
	return ret;
}
