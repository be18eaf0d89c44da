// SPDX-License-Identifier: GPL-2.0-only
/*
 * Layout of a version 6 file (trace-cmd's lib/trace-cmd/trace-input.c,
 * read_headers_v6(), handle_options(), read_cpu_data()):
 *
 *   "\027\010\104tracing" "6\0" endian(1) long_size(1) page_size(4)
 *   "header_page\0" size(8) data     "header_event\0" size(8) data
 *   ftrace events: count(4) { size(8) data }
 *   event systems: count(4) { name\0 count(4) { size(8) data } }
 *   kallsyms: size(4) data     printk: size(4) data     cmdlines: size(8) data
 *   cpus(4)
 *   "options  \0" { id(2) size(4) data } id 0     (BUFFER: offset(8) name\0)
 *   "flyrecord\0" cpus x { offset(8) size(8) } [trace clock: size(8) data]
 *   at each BUFFER offset: "flyrecord\0" cpus x { offset(8) size(8) }
 *
 * Version 7: see check_v7().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace_check.h"
#include "tracecmd_private.h"

#define OPTION_DONE		0
#define OPTION_DATE		1
#define OPTION_CPUSTAT		2
#define OPTION_BUFFER		3
#define OPTION_TRACECLOCK	4
#define OPTION_HOOK		6
#define OPTION_OFFSET		7
#define OPTION_CPUCOUNT		8
#define OPTION_PROCMAPS		10
#define OPTION_TIME_SHIFT	12
#define OPTION_TSC2NSEC		14
#define SECTION_COMPRESSED	1
#define MAX_SECTIONS		64
#define MAX_BUFFERS		256
#define MAX_CLOCK_TEXT		4096
#define MAX_CPUS		8192	/* CONFIG_NR_CPUS of x86_64 at most */

struct reader {
	int fd;
	uint64_t size;		/* of the file */
	uint64_t pos;
	int big_endian;
	uint32_t page_size;	/* of the ring buffer, from the header */
	int bad;
	struct rs_trace_layout *layout;	/* filled on the way, or NULL */
};

static int get(struct reader *r, void *buf, uint64_t n)
{
	if (r->bad || n > r->size || r->pos > r->size - n) {
		r->bad = 1;
		return -1;
	}
	if (pread(r->fd, buf, n, r->pos) != (ssize_t)n) {
		r->bad = 1;
		return -1;
	}
	r->pos += n;
	return 0;
}

static uint64_t num(struct reader *r, int bytes)
{
	unsigned char b[8];
	uint64_t v = 0;
	int i;

	if (get(r, b, bytes))
		return 0;
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)b[r->big_endian ? bytes - 1 - i : i] << (8 * i);
	return v;
}

static void skip(struct reader *r, uint64_t n)
{
	if (r->bad || n > r->size || r->pos > r->size - n)
		r->bad = 1;
	else
		r->pos += n;
}

static int expect(struct reader *r, const char *s, size_t n)
{
	char buf[16];

	if (get(r, buf, n))
		return -1;
	if (memcmp(buf, s, n)) {
		r->bad = 1;
		return -1;
	}
	return 0;
}

static void skip_string(struct reader *r)
{
	char c;

	do {
		if (get(r, &c, 1))
			return;
	} while (c);
}

void rs_trace_layout_free(struct rs_trace_layout *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr_buffers; i++) {
		free(l->buffers[i].name);
		free(l->buffers[i].cpus);
	}
	free(l->buffers);
	free(l->probes);
	memset(l, 0, sizeof(*l));
}

/* A new buffer of the layout; NULL (and the layout unknown) without memory. */
static struct rs_layout_buffer *layout_buffer(struct reader *r, const char *name,
					      uint32_t cpus)
{
	struct rs_trace_layout *l = r->layout;
	struct rs_layout_buffer *b;

	if (!l || !l->known)
		return NULL;
	b = realloc(l->buffers, (l->nr_buffers + 1) * sizeof(*b));
	if (!b)
		goto unknown;
	l->buffers = b;
	b = &l->buffers[l->nr_buffers];
	memset(b, 0, sizeof(*b));
	b->name = strdup(name);
	b->cpus = calloc(cpus ? cpus : 1, sizeof(*b->cpus));
	if (!b->name || !b->cpus) {
		free(b->name);
		free(b->cpus);
		goto unknown;
	}
	l->nr_buffers++;
	return b;
unknown:
	l->known = 0;
	return NULL;
}

static void layout_cpu(struct rs_layout_buffer *b, uint32_t cpu, uint64_t off, uint64_t size)
{
	if (b && size) {
		b->cpus[b->nr_cpus].cpu = cpu;
		b->cpus[b->nr_cpus].offset = off;
		b->cpus[b->nr_cpus].size = size;
		b->nr_cpus++;
	}
}

/* The string at the reader's position, consumed, into buf (cut to its size). */
static void get_string(struct reader *r, char *buf, size_t len)
{
	size_t n = 0;
	char c;

	do {
		if (get(r, &c, 1))
			break;
		if (n < len - 1)
			buf[n++] = c;
	} while (c);
	buf[n] = '\0';
}

/* Options that make libtracecmd move time stamps: the pages cannot be read as they are. */
static void layout_option(struct reader *r, uint16_t id)
{
	if (r->layout && (id == OPTION_DATE || id == OPTION_OFFSET ||
			  id == OPTION_TIME_SHIFT || id == OPTION_TSC2NSEC))
		r->layout->known = 0;
}

/*
 * A trace clock text ("local global [mono] ...") at the reader's position,
 * not consumed. libtracecmd 1.3.1 takes the first space-separated word that
 * starts with '[' and passes what strtok() finds in it between '[' and ']'
 * to sscanf(): a word made of brackets only ("[", "[]") is NULL there.
 */
static int clock_ok(const struct reader *r, uint64_t size)
{
	struct reader c = *r;
	char text[MAX_CLOCK_TEXT + 1], *word, *next = NULL;

	if (size > MAX_CLOCK_TEXT || get(&c, text, size))
		return 0;
	text[size] = '\0';
	for (word = strtok_r(text, " ", &next); word; word = strtok_r(NULL, " ", &next))
		if (*word == '[')
			return word[strspn(word, "[]")] != '\0';
	return 1;
}

/*
 * rmapstat's probes option at the reader's position, not consumed: one
 * NUL-terminated string of at most RS_TRACECMD_PROBES_MAX bytes. The first
 * goes into the layout (without memory, none does: it only describes).
 */
static int probes_ok(const struct reader *r, uint32_t size)
{
	struct reader p = *r;
	char text[RS_TRACECMD_PROBES_MAX];

	if (!size || size > sizeof(text) || get(&p, text, size) ||
	    memchr(text, '\0', size) != text + size - 1)
		return 0;
	if (r->layout && !r->layout->probes)
		r->layout->probes = strdup(text);
	return 1;
}

/*
 * The ring-buffer page size of the header: a power of two from 4 KiB (no
 * Linux page is smaller) to 1 MiB; the CPU data of uncompressed buffers
 * starts at multiples of it (trace-cmd writes it so, and libtracecmd
 * mmap()s it there: an instance buffer whose CPUs map in part fails to
 * load and is closed by libtracecmd itself, which crashes).
 */
static void page_size(struct reader *r)
{
	r->page_size = num(r, 4);
	if (r->page_size < 4096 || r->page_size > (1U << 20) ||
	    (r->page_size & (r->page_size - 1)))
		r->bad = 1;
	if (r->layout)
		r->layout->page_size = r->page_size;
}

/*
 * Options whose data libtracecmd 1.3.1 uses without looking at its size:
 * CPUSTAT writes a newline at data[size - 1] (size 0: a byte before the
 * buffer), PROCMAPS reads it there, CPUCOUNT reads 4 bytes.
 */
static int option_size_ok(uint16_t id, uint32_t size)
{
	switch (id) {
	case OPTION_CPUSTAT:
	case OPTION_PROCMAPS:
		return size >= 1;
	case OPTION_CPUCOUNT:
		return size >= 4;
	default:
		return 1;
	}
}

/* cpus x (offset, size) of one flyrecord section, all inside the file */
static void cpu_data(struct reader *r, uint32_t cpus, const char *name)
{
	struct rs_layout_buffer *b = layout_buffer(r, name, cpus);
	uint32_t i;

	for (i = 0; i < cpus && !r->bad; i++) {
		uint64_t off = num(r, 8), size = num(r, 8);

		if (size && (off > r->size || size > r->size - off || off % r->page_size))
			r->bad = 1;
		else
			layout_cpu(b, i, off, size);
	}
}

/*
 * The CPU data of a compressed buffer starts with its chunk table:
 * count(4) { compressed size(4) size(4) data } (the size the BUFFER option
 * gives does not count the table's 4-byte count). libtracecmd 1.3.1 takes
 * the count as it is (calloc() of up to 128 GB) and, for an instance
 * buffer, crashes in its own clean-up when that fails.
 */
static int chunks_ok(const struct reader *r, uint64_t off)
{
	struct reader c = *r;
	uint32_t count, i;

	c.pos = off;
	count = num(&c, 4);
	if (c.bad || count > (r->size - c.pos) / 8)
		return 0;
	for (i = 0; i < count && !c.bad; i++) {
		uint32_t zsize = num(&c, 4);

		num(&c, 4);
		skip(&c, zsize);
	}
	return !c.bad;
}

/*
 * A BUFFER option of version 7: flyrecord section offset(8) name\0
 * clock\0 page_size(4) cpus(4) { cpu(4) offset(8) size(8) }. Every CPU's
 * data inside the file (libtracecmd closes an instance buffer it cannot
 * load, and crashes doing so).
 */
static int buffer_ok(struct reader *r, uint64_t start, uint32_t size)
{
	struct reader b = *r;
	struct rs_layout_buffer *lb;
	char name[256];
	uint64_t section;
	uint32_t cpus, i;
	int compressed;

	b.pos = start;
	section = num(&b, 8);
	get_string(&b, name, sizeof(name));
	skip_string(&b);
	/* A buffer's own page size: the layout knows one for all. */
	if (num(&b, 4) != r->page_size && r->layout)
		r->layout->known = 0;
	cpus = num(&b, 4);
	if (b.bad || b.pos > start + size || cpus > size / 20)
		return 0;
	{
		struct reader h = *r;

		h.pos = section;
		num(&h, 2);
		compressed = num(&h, 2) & SECTION_COMPRESSED;
		if (h.bad)
			return 0;
	}
	if (compressed && r->layout)
		r->layout->known = 0;
	lb = layout_buffer(r, name, cpus);
	for (i = 0; i < cpus; i++) {
		uint64_t off, len;
		uint32_t cpu;

		/* libtracecmd makes room for CPUs 0..cpu */
		cpu = num(&b, 4);
		if (cpu >= MAX_CPUS)
			return 0;
		off = num(&b, 8);
		len = num(&b, 8);
		if (b.bad || b.pos > start + size)
			return 0;
		if (!len)
			continue;
		if (off > r->size || len > r->size - off)
			return 0;
		if (compressed ? !chunks_ok(r, off) : off % r->page_size != 0)
			return 0;
		layout_cpu(lb, cpu, off, len);
	}
	return 1;
}

/*
 * libtracecmd 1.3.1 looks for the strings section by walking every section
 * header from here to the end of the file: id(2) flags(2) name(4) size(8),
 * then lseek(size, SEEK_CUR). A size that is negative as an off_t goes
 * back, and the walk never ends. 1: every step goes forward.
 */
static int sections_move_on(const struct reader *r)
{
	struct reader w = *r;

	while (w.size - w.pos >= 16) {
		uint64_t size;

		skip(&w, 8);
		size = num(&w, 8);
		if (w.bad || (int64_t)size < 0)
			return 0;
		if (size > w.size - w.pos)
			break;		/* past the end: its read fails there */
		w.pos += size;
	}
	return 1;
}

/*
 * Version 7: "7\0" endian(1) long_size(1) page_size(4) compression\0
 * version\0 options_offset(8), then sections; an options section is
 * id 0, flags(2), name(4), size(8), { id(2) size(4) data }, and its DONE
 * option holds the offset of the next options section (0: none).
 * 1: fine (or not checkable here), 0: truncated or damaged, -1: a hook option.
 */
static int check_v7(struct reader *r)
{
	uint64_t next;
	int sections, compression;
	char name[8];

	r->big_endian = num(r, 1) != 0;
	skip(r, 1);
	page_size(r);
	/* "none": a section marked compressed is damaged */
	{
		struct reader peek = *r;

		compression = get(&peek, name, 5) || memcmp(name, "none", 5);
	}
	skip_string(r);
	skip_string(r);
	/*
	 * libtracecmd 1.3.1 frees the compression strings twice when this
	 * offset is cut off (tracecmd_alloc_fd(), SIGABRT).
	 */
	next = num(r, 8);
	if (r->bad || !sections_move_on(r))
		return 0;
	/*
	 * libtracecmd follows the chain of options sections by recursion:
	 * a chain that loops overflows its stack.
	 */
	for (sections = 0; next; sections++) {
		uint16_t id, flags;

		if (sections == MAX_SECTIONS)
			return 0;
		r->pos = next;
		next = 0;
		id = num(r, 2);
		flags = num(r, 2);
		skip(r, 4 + 8);
		if (!r->bad && !compression && (flags & SECTION_COMPRESSED))
			return 0;
		/* Compressed options cannot be read here; libtracecmd checks the rest. */
		if (r->bad || id != 0 || (flags & SECTION_COMPRESSED)) {
			if (r->layout)
				r->layout->known = 0;
			return 1;
		}
		for (;;) {
			uint16_t oid = num(r, 2);
			uint32_t size = num(r, 4);

			if (r->bad)
				return 1;
			if (oid == OPTION_HOOK)
				return -1;
			if (!option_size_ok(oid, size))
				return 0;
			/* libtracecmd 1.3.1 mallocs the size (up to 4 GiB), then leaks it. */
			if (size > r->size - r->pos)
				return 0;
			if (oid == 0) {
				next = size == 8 ? num(r, 8) : 0;
				break;
			}
			if (oid == OPTION_BUFFER && !buffer_ok(r, r->pos, size))
				return 0;
			if (oid == OPTION_TRACECLOCK && !clock_ok(r, size))
				return 0;
			if (oid == RS_TRACECMD_OPTION_RMAPSTAT_PROBES && !probes_ok(r, size))
				return 0;
			layout_option(r, oid);
			skip(r, size);
		}
	}
	return 1;
}

int rs_trace_check_fd(int fd, struct rs_trace_layout *layout, struct rs_error *err)
{
	uint64_t buffers[MAX_BUFFERS];
	char names[MAX_BUFFERS][64];
	unsigned int nr_buffers = 0, i;
	struct reader r = { .fd = -1 };
	uint32_t count, cpus, n;
	int clock = 0, ret = 0;
	struct stat st;
	char version[32];
	long file_version;
	uint16_t id;

	r.fd = fd;
	r.layout = layout;
	if (layout) {
		memset(layout, 0, sizeof(*layout));
		layout->known = 1;
	}
	if (fstat(r.fd, &st)) {
		rs_error_set(err, RS_FIX_PATH, "%s", strerror(errno));
		return -1;
	}
	r.size = st.st_size;
	if (expect(&r, "\027\010\104tracing", 10))
		goto bad;
	/* libtracecmd reads the version as a string and takes its number ("7ing" is 7). */
	for (i = 0; i < sizeof(version); i++) {
		if (get(&r, &version[i], 1))
			goto bad;
		if (!version[i])
			break;
	}
	if (i == sizeof(version))
		goto bad;		/* "6" or "7" in trace-cmd's files */
	file_version = strtol(version, NULL, 10);
	if (file_version == 7) {
		int v7 = check_v7(&r);

		if (v7 < 0)
			goto hook;
		if (v7 == 0)
			goto bad;
		goto out;
	}
	if (layout)
		layout->known = 0;	/* until the version 6 layout is read */
	if (file_version > 7)
		goto out;		/* libtracecmd rejects it */
	if (layout)
		layout->known = 1;
	/* Every version below 7 has the layout of version 6 for libtracecmd. */
	r.big_endian = num(&r, 1) != 0;
	skip(&r, 1);			/* long size */
	page_size(&r);
	expect(&r, "header_page\0", 12);
	skip(&r, num(&r, 8));
	expect(&r, "header_event\0", 13);
	skip(&r, num(&r, 8));
	count = num(&r, 4);
	for (n = 0; n < count && !r.bad; n++)
		skip(&r, num(&r, 8));
	count = num(&r, 4);
	for (n = 0; n < count && !r.bad; n++) {
		uint32_t events, e;

		skip_string(&r);
		events = num(&r, 4);
		for (e = 0; e < events && !r.bad; e++)
			skip(&r, num(&r, 8));
	}
	skip(&r, num(&r, 4));		/* kallsyms */
	skip(&r, num(&r, 4));		/* printk formats */
	skip(&r, num(&r, 8));		/* cmdlines */
	cpus = num(&r, 4);
	if (r.bad)
		goto bad;
	{
		char buf[10];

		if (get(&r, buf, 10))
			goto bad;
		if (!memcmp(buf, "options", 7)) {
			for (;;) {
				uint32_t size;
				uint64_t start;

				id = num(&r, 2);
				if (r.bad || id == OPTION_DONE)
					break;
				size = num(&r, 4);
				start = r.pos;
				if (id == OPTION_BUFFER && nr_buffers < MAX_BUFFERS) {
					buffers[nr_buffers] = num(&r, 8);
					get_string(&r, names[nr_buffers], sizeof(names[0]));
					nr_buffers++;
				} else if (id == OPTION_BUFFER && layout) {
					layout->known = 0;
				}
				layout_option(&r, id);
				if (id == OPTION_TRACECLOCK) {
					clock = 1;
					if (!clock_ok(&r, size))
						goto bad;
				}
				if (id == OPTION_HOOK)
					goto hook;
				if (!option_size_ok(id, size))
					goto bad;
				r.pos = start;
				skip(&r, size);
			}
			if (get(&r, buf, 10))
				goto bad;
		}
		if (!memcmp(buf, "latency", 7)) {
			if (layout)
				layout->known = 0;
			goto out;
		}
		if (memcmp(buf, "flyrecord", 10))
			goto bad;
	}
	cpu_data(&r, cpus, "");
	if (clock) {
		uint64_t size = num(&r, 8);

		if (!r.bad && !clock_ok(&r, size))
			goto bad;
		skip(&r, size);
	}
	for (i = 0; i < nr_buffers && !r.bad; i++) {
		r.pos = buffers[i];
		if (!expect(&r, "flyrecord\0", 10))
			cpu_data(&r, cpus, names[i]);
	}
	if (!r.bad)
		goto out;
bad:
	rs_error_set(err, "it was not completely written (disk full? recording interrupted?): record it again",
		     "truncated or damaged trace-cmd data file");
	goto fail;
hook:
	/* libtracecmd 1.3.1 dereferences NULL for a hook it cannot parse. */
	rs_error_set(err, "record without `trace-cmd record -H`",
		     "has a trace-cmd event hook option, which libtracecmd cannot read safely");
fail:
	rs_trace_layout_free(layout);
	ret = -1;
out:
	return ret;
}
