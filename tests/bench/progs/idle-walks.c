// SPDX-License-Identifier: GPL-2.0-only
/*
 * idle-walks: make the kernel walk the rmap of many pages, fast, and time it.
 *
 * Maps --pages anonymous pages, finds their pfns in /proc/self/pagemap and
 * then, --passes times, marks all of them idle in
 * /sys/kernel/mm/page_idle/bitmap. For every set bit the kernel runs
 * page_idle_clear_pte_refs() -> rmap_walk() synchronously, in the writing
 * task: one pass = one rmap walk per mapped page. The bits go in as few
 * write() calls as the pfns allow (runs of contiguous 64-bit words), so the
 * time of a pass is almost all walk time.
 *
 * With --toggle FILE (an events/.../enable file of a tracefs instance) the
 * passes alternate between "1" and "0" written to FILE, in ABBA order
 * (on off off on, off on on off, ...) after one untimed warm-up pass, so
 * that a slow drift of the machine weighs on both sides alike.
 *
 * Output (stdout), one key=value or pass line each:
 *   pages=N pfns=N words=N writes_per_pass=N
 *   pass=I events=on|off|- ns=T walks=N
 * Exit status: 0 done, 1 a system call failed (one line on stderr), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BITMAP_PATH	"/sys/kernel/mm/page_idle/bitmap"
#define PAGEMAP_PATH	"/proc/self/pagemap"
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define MAX_PASSES	100000
#define STR_(x)		#x
#define STR(x)		STR_(x)

struct word {
	uint64_t index;		/* pfn / 64 */
	uint64_t mask;		/* pfn % 64 bits set */
};

/* A run of consecutive words, written with one pwrite() (or a few). */
struct run {
	size_t first;		/* index into the word array */
	size_t count;
};

struct opts {
	unsigned long pages;
	unsigned long passes;
	const char *toggle;
	bool quiet;
	unsigned long pause_ms;		/* between passes: lets a recorder drain */
};

/*
 * The options: getopt's tables, the help text and the range of each
 * number all come from this one table.
 */
static const struct optdef {
	int key;
	const char *name;
	const char *arg;		/* the argument's name; NULL: a flag */
	unsigned long max;		/* a number 1..max, stored at field; 0: not a number */
	size_t field;
	const char *help;		/* lines after the first start with a tab */
} optdefs[] = {
	{ 'p', "pages", "N", 1UL << 30, offsetof(struct opts, pages), "pages to map (default 10000)" },
	{ 'n', "passes", "N", MAX_PASSES, offsetof(struct opts, passes),
	  "timed passes (default 10, at most " STR(MAX_PASSES) ")" },
	{ 't', "toggle", "FILE", 0, 0, "write 1/0 to FILE before each pass, in ABBA order,\n"
	  "\tafter an untimed warm-up pass (tracefs enable file)" },
	{ 'P', "pause-ms", "N", 60000, offsetof(struct opts, pause_ms),
	  "sleep N ms after each pass (a recorder draining the\n"
	  "\tring buffer catches up: no events lost in long runs)" },
	{ 'q', "quiet", NULL, 0, 0, "only the summary lines, no pass lines" },
	{ 'h', "help", NULL, 0, 0, "this text" },
};

#define NR_OPTS (sizeof(optdefs) / sizeof(optdefs[0]))

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: idle-walks [--pages N] [--passes N] [--toggle ENABLE_FILE] [--pause-ms N] [--quiet]\n"
	      "\n"
	      "  Maps N anonymous pages and marks them idle in " BITMAP_PATH "\n"
	      "  --passes times: each pass is one rmap walk per page.\n"
	      "\n", f);
	for (i = 0; i < NR_OPTS; i++) {
		const struct optdef *d = &optdefs[i];
		int width = fprintf(f, "  -%c, --%s %s", d->key, d->name, d->arg ? d->arg : "");
		const char *h;

		fprintf(f, "%*s", width < 25 ? 25 - width : 1, "");
		for (h = d->help; *h; h++) {
			if (*h == '\t')
				fprintf(f, "%25s", "");
			else
				fputc(*h, f);
		}
		fputc('\n', f);
	}
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "idle-walks: %s %s: %s%s\n", what, path, strerror(errno),
		errno == EACCES || errno == EPERM ? " (run as root)" :
		errno == ENOENT && strcmp(path, BITMAP_PATH) == 0 ?
		" (the kernel needs CONFIG_IDLE_PAGE_TRACKING)" : "");
	return 1;
}

static int parse_ulong(const char *s, const char *opt, unsigned long max,
		       unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > max) {
		fprintf(stderr, "idle-walks: --%s must be a number 1..%lu, not '%s'\n",
			opt, max, s);
		return 2;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	struct option longopts[NR_OPTS + 1];
	char shortopts[2 * NR_OPTS + 1], *sp = shortopts;
	const struct optdef *d;
	size_t i;
	int c, err;

	for (i = 0; i < NR_OPTS; i++) {
		d = &optdefs[i];
		longopts[i] = (struct option){ d->name, d->arg ? required_argument : no_argument,
					       NULL, d->key };
		*sp++ = (char)d->key;
		if (d->arg)
			*sp++ = ':';
	}
	memset(&longopts[NR_OPTS], 0, sizeof(longopts[NR_OPTS]));
	*sp = '\0';

	*o = (struct opts){ .pages = 10000, .passes = 10 };
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		for (d = optdefs; d < optdefs + NR_OPTS && d->key != c; d++)
			;
		if (d == optdefs + NR_OPTS) {		/* getopt said why */
			usage(stderr);
			return 2;
		}
		if (d->max) {
			err = parse_ulong(optarg, d->name, d->max,
					  (unsigned long *)((char *)o + d->field));
			if (err)
				return err;
		} else if (c == 't') {
			o->toggle = optarg;
		} else if (c == 'q') {
			o->quiet = true;
		} else {
			usage(stdout);
			exit(0);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "idle-walks: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Reads the pfns of the n pages at addr, sorted; returns how many are present. */
static long read_pfns(const char *addr, unsigned long n, size_t psize, uint64_t *pfns)
{
	uint64_t *pm;
	unsigned long i;
	long have = 0;
	off_t off = (off_t)((uintptr_t)addr / psize) * 8;
	size_t len = n * 8, done = 0;
	ssize_t r;
	int fd;

	fd = open(PAGEMAP_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -fail("cannot open", PAGEMAP_PATH);
	pm = malloc(len);
	if (!pm) {
		close(fd);
		fprintf(stderr, "idle-walks: out of memory for %lu pagemap entries\n", n);
		return -1;
	}
	while (done < len) {
		r = pread(fd, (char *)pm + done, len - done, off + (off_t)done);
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			free(pm);
			close(fd);
			return -fail("cannot read", PAGEMAP_PATH);
		}
		done += (size_t)r;
	}
	close(fd);
	for (i = 0; i < n; i++) {
		if (!(pm[i] & PM_PRESENT) || !(pm[i] & PM_PFN_MASK))
			continue;
		pfns[have++] = pm[i] & PM_PFN_MASK;
	}
	free(pm);
	if (!have) {
		fprintf(stderr, "idle-walks: %s shows no pfns (run as root)\n", PAGEMAP_PATH);
		return -1;
	}
	qsort(pfns, (size_t)have, sizeof(*pfns), cmp_u64);
	return have;
}

/* Folds sorted pfns into words; returns the number of words. */
static size_t fold_words(const uint64_t *pfns, long n, struct word *w)
{
	size_t nw = 0;
	long i;

	for (i = 0; i < n; i++) {
		uint64_t idx = pfns[i] / 64;

		if (!nw || w[nw - 1].index != idx) {
			w[nw].index = idx;
			w[nw].mask = 0;
			nw++;
		}
		w[nw - 1].mask |= 1ULL << (pfns[i] % 64);
	}
	return nw;
}

static size_t make_runs(const struct word *w, size_t nw, struct run *runs)
{
	size_t i, nr = 0;

	for (i = 0; i < nw; i++) {
		if (nr && w[i].index == w[i - 1].index + 1) {
			runs[nr - 1].count++;
			continue;
		}
		runs[nr].first = i;
		runs[nr].count = 1;
		nr++;
	}
	return nr;
}

/* One pass: every run written to the bitmap; short writes continue. */
static int mark_idle(int fd, const uint64_t *masks, const struct word *w,
		     const struct run *runs, size_t nr)
{
	size_t i, done, len;
	ssize_t r;
	off_t off;

	for (i = 0; i < nr; i++) {
		len = runs[i].count * 8;
		off = (off_t)(w[runs[i].first].index * 8);
		for (done = 0; done < len; done += (size_t)r) {
			r = pwrite(fd, (const char *)(masks + runs[i].first) + done,
				   len - done, off + (off_t)done);
			if (r <= 0) {
				if (r == 0)
					errno = EIO;
				return fail("cannot write", BITMAP_PATH);
			}
		}
	}
	return 0;
}

static int write_toggle(const char *path, bool on)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return fail("cannot open", path);
	r = write(fd, on ? "1" : "0", 1);
	if (r != 1) {
		if (r >= 0)
			errno = EIO;
		close(fd);
		return fail("cannot write", path);
	}
	close(fd);
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ABBA: pass i (0-based) of a toggled run has the events on? */
static bool pass_on(unsigned long i)
{
	static const bool pattern[4] = { true, false, false, true };

	return pattern[i % 4] ^ ((i / 4) % 2);
}

static int run_passes(const struct opts *o, int fd, const uint64_t *masks,
		      const struct word *w, const struct run *runs, size_t nr,
		      long walks)
{
	unsigned long i;
	uint64_t t0, t1;
	bool on = false;
	int err;

	if (o->toggle) {
		/* warm-up: caches, the first tracepoint hit, young bits */
		if ((err = mark_idle(fd, masks, w, runs, nr)))
			return err;
	}
	for (i = 0; i < o->passes; i++) {
		if (o->toggle) {
			on = pass_on(i);
			if ((err = write_toggle(o->toggle, on)))
				return err;
		}
		t0 = now_ns();
		if ((err = mark_idle(fd, masks, w, runs, nr)))
			return err;
		t1 = now_ns();
		if (!o->quiet)
			printf("pass=%lu events=%s ns=%" PRIu64 " walks=%ld\n", i,
			       o->toggle ? (on ? "on" : "off") : "-", t1 - t0, walks);
		if (o->pause_ms) {
			struct timespec ts = {
				.tv_sec = o->pause_ms / 1000,
				.tv_nsec = (long)(o->pause_ms % 1000) * 1000000L,
			};

			while (nanosleep(&ts, &ts) && errno == EINTR)
				;
		}
	}
	if (o->toggle && (err = write_toggle(o->toggle, false)))
		return err;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	size_t psize = (size_t)sysconf(_SC_PAGESIZE), nw, nr, i;
	uint64_t *pfns = NULL, *masks = NULL;
	struct word *w = NULL;
	struct run *runs = NULL;
	char *addr;
	long have;
	int fd = -1, ret;

	if ((ret = parse_args(argc, argv, &o)))
		return ret;
	addr = mmap(NULL, o.pages * psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (addr == MAP_FAILED)
		return fail("cannot mmap", "anonymous pages");
	/* order-0 folios: one walk per page, not one per huge page */
	if (madvise(addr, o.pages * psize, MADV_NOHUGEPAGE) < 0 && errno != EINVAL)
		return fail("cannot madvise(MADV_NOHUGEPAGE)", "anonymous pages");
	for (i = 0; i < o.pages; i++)
		memset(addr + i * psize, (int)(i & 0xff) | 1, psize);

	ret = 1;
	pfns = calloc(o.pages, sizeof(*pfns));
	w = calloc(o.pages, sizeof(*w));
	runs = calloc(o.pages, sizeof(*runs));
	masks = calloc(o.pages, sizeof(*masks));
	if (!pfns || !w || !runs || !masks) {
		fprintf(stderr, "idle-walks: out of memory for %lu pages\n", o.pages);
		goto out;
	}
	have = read_pfns(addr, o.pages, psize, pfns);
	if (have < 0)
		goto out;
	nw = fold_words(pfns, have, w);
	nr = make_runs(w, nw, runs);
	for (i = 0; i < nw; i++)
		masks[i] = w[i].mask;

	fd = open(BITMAP_PATH, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fail("cannot open", BITMAP_PATH);
		goto out;
	}
	printf("pages=%lu\npfns=%ld\nwords=%zu\nwrites_per_pass=%zu\n",
	       o.pages, have, nw, nr);
	fflush(stdout);
	ret = run_passes(&o, fd, masks, w, runs, nr, have);
out:
	if (fd >= 0)
		close(fd);
	free(pfns);
	free(w);
	free(runs);
	free(masks);
	munmap(addr, o.pages * psize);
	return ret;
}
