// SPDX-License-Identifier: GPL-2.0-only
/*
 * The victims of `rmapstat record --victim`: threads that, while the
 * trigger makes the kernel walk the rmap of a page of the workload
 * mapping, change that same mapping over and over, so that each of their
 * operations needs its anon_vma's lock for write. A walk holds that lock
 * (the root anon_vma's rwsem) for read; each operation that comes while a
 * walk runs waits until the walk lets go of it.
 *
 * The mapping is the workload's KSM mapping, or its anonymous one. With
 * --split (the default) every page of it is one VMA, odd pages read-only
 * and even pages read-write, and all of them share one anon_vma, since
 * the pages were touched before the split. Thread t works on the even
 * page 2 + 4t (victim_page()): far from the triggered page in the middle,
 * and with neighbours of its own, so that the threads do not merge each
 * other's VMAs. Which lock each step takes, as mm/vma.c, mm/mmap.c,
 * mm/rmap.c and kernel/fork.c of Linux 6.1 to 7.3 take it:
 *
 *  mprotect  the page flips between PROT_READ and PROT_READ | PROT_WRITE,
 *	      one mprotect() per operation. To PROT_READ it merges with its
 *	      two read-only neighbours (vma_merge_existing_range() ->
 *	      commit_merge() -> vma_prepare(): anon_vma_lock_write()); back
 *	      to read-write it is split out again (__split_vma():
 *	      anon_vma_clone() and vma_prepare(), each with the lock for
 *	      write). A thread that stops with its page read-only makes it
 *	      read-write again, one operation more.
 *  munmap    three operations per cycle: munmap() of the page (the VMA is
 *	      unlinked from the anon_vma's tree, unlink_anon_vmas(): the
 *	      root's lock for write); mmap() of it again, MAP_FIXED_NOREPLACE,
 *	      with the madvise() flags of the mapping (MADV_NOHUGEPAGE and,
 *	      for KSM, MADV_MERGEABLE: anon_vma_compatible() reuses a
 *	      neighbour's anon_vma only for equal flags); no anon_vma yet, so
 *	      no lock; then the first write (the fault runs
 *	      __anon_vma_prepare(), which finds the neighbour's anon_vma
 *	      with find_mergeable_anon_vma() and links the VMA into it under
 *	      anon_vma_lock_write()). A cycle is always finished: the page
 *	      is mapped, in the same anon_vma, whenever the thread stops.
 *  fork      fork(); the child _exit()s at once; the thread waits for it.
 *	      dup_mmap() clones every VMA of the process: anon_vma_fork() ->
 *	      anon_vma_clone() takes each anon_vma's root lock for write, and
 *	      so does linking the child's new anon_vma, whose root is the
 *	      parent's; the child's exit unlinks them all again
 *	      (unlink_anon_vmas(), the root's lock for write) before the
 *	      thread's waitpid() returns. One operation is fork + waitpid.
 *
 * With --no-split the mapping is one VMA and the same operations split
 * it and merge it again, with the same lock.
 *
 * Each operation is timed with CLOCK_MONOTONIC before and after and goes
 * to the caller's sink as a struct rs_op_marker (rmapstat record writes it
 * into the trace); the threads also keep every latency, for the exact
 * percentiles of rs_victim_print(). The threads of one process share its
 * mmap_lock, which each operation takes for write: with several threads,
 * the others queue on it behind the one that waits for the anon_vma lock.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "op_marker.h"
#include "workload.h"
#include "workload_priv.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000	/* Linux 4.17 */
#endif

#define SAMPLES_FIRST		4096

static const char *const victim_names[WL_NR_VICTIMS] = {
	[WL_VICTIM_NONE] = "none", [WL_VICTIM_MPROTECT] = "mprotect",
	[WL_VICTIM_MUNMAP] = "munmap", [WL_VICTIM_FORK] = "fork",
};

/* The latencies of one operation of one thread, in ns. */
struct samples {
	uint64_t *ns;
	size_t n, cap;
};

struct victim_thread {
	struct victim *v;
	pthread_t tid;
	bool started;
	unsigned int index;
	char *page;			/* mprotect, munmap: its page */
	bool read_only;			/* mprotect: the page is PROT_READ now */
	bool hole;			/* munmap: the page is not mapped now */
	struct samples s[RS_OP_NR];
	unsigned long failed[RS_OP_NR];
	int err;			/* the -errno that stopped it, 0: none */
	enum rs_op err_op;
};

struct victim {
	enum workload_victim kind;
	struct workload_map *map;
	size_t psize;
	unsigned int nr;
	struct victim_thread *t;
	rs_victim_sink sink;
	void *ctx;
	/* Set by rs_victim_stop() and by the undo step, from a signal handler too. */
	atomic_int stop;
	int step;
	bool joined;
	int ret;			/* what rs_victim_stop() returned */
};

const char *rs_workload_victim_name(enum workload_victim v)
{
	return v < WL_NR_VICTIMS ? victim_names[v] : "none";
}

int rs_workload_parse_victim(const char *s, enum workload_victim *v, struct rs_error *err)
{
	int i;

	for (i = WL_VICTIM_MPROTECT; i < WL_NR_VICTIMS; i++) {
		if (strcmp(s, victim_names[i]) == 0) {
			*v = i;
			return 0;
		}
	}
	rs_error_status(err, RS_EXIT_USAGE, "use mprotect, munmap or fork",
			"unknown victim '%s'", s);
	return -EINVAL;
}

/*
 * Page 2 + 4t: even (read-write under --split), never the first, and
 * four apart, so that no two threads share a read-only neighbour.
 */
static unsigned long victim_page(unsigned int thread)
{
	return 2 + 4UL * thread;
}

/* Is page index of a mapping of o one that the trigger walks? */
static bool triggered(const struct workload_opts *o, unsigned long index)
{
	unsigned long first = o->page_index >= 0 ? (unsigned long)o->page_index : o->pages / 2;

	if (o->trigger == WL_TRIGGER_NONE)
		return false;
	if (o->trigger == WL_TRIGGER_IDLE)
		return (index + o->pages - first) % o->pages < o->repeat;
	return index == first;
}

/*
 * What the threads need to run at all: a kind they know, a mapping they
 * can change, a page each that the trigger does not walk.
 */
static int check_threads(const struct workload_opts *o, struct rs_error *err)
{
	const char *fix = o->trigger == WL_TRIGGER_IDLE ?
			  "use more --pages, fewer --victim-threads or a smaller --repeat" :
			  "use more --pages or fewer --victim-threads";
	unsigned long last;
	unsigned int t;

	if (o->victim <= WL_VICTIM_NONE || o->victim >= WL_NR_VICTIMS) {
		rs_error_status(err, RS_EXIT_USAGE, "use mprotect, munmap or fork",
				"unknown victim %d", (int)o->victim);
		return -EINVAL;
	}
	if (!(o->kinds & (WL_MASK(WL_KSM) | WL_MASK(WL_ANON)))) {
		rs_error_status(err, RS_EXIT_USAGE, "use --workload ksm or --workload anon",
				"--victim changes the ksm or anon mapping, and the workload "
				"has neither");
		return -EINVAL;
	}
	if (o->victim_threads < 1 || o->victim_threads > WL_MAX_VICTIM_THREADS) {
		rs_error_status(err, RS_EXIT_USAGE, NULL, "--victim-threads must be 1..%d",
				WL_MAX_VICTIM_THREADS);
		return -EINVAL;
	}
	if (o->victim == WL_VICTIM_FORK)
		return 0;
	last = victim_page(o->victim_threads - 1);
	if (last >= o->pages) {
		rs_error_status(err, RS_EXIT_USAGE, fix, "--victim-threads %u work on pages 2, 6, ... %lu of the "
				"mapping, which has %lu", o->victim_threads, last, o->pages);
		return -EINVAL;
	}
	for (t = 0; t < o->victim_threads; t++) {
		if (triggered(o, victim_page(t))) {
			rs_error_status(err, RS_EXIT_USAGE, fix, "victim thread %u would "
					"work on page %lu, which the trigger walks", t,
					victim_page(t));
			return -EINVAL;
		}
	}
	return 0;
}

int rs_victim_check_opts(const struct workload_opts *o, struct rs_error *err)
{
	if (o->victim == WL_VICTIM_NONE)
		return 0;
	if (o->trigger == WL_TRIGGER_NONE) {
		rs_error_status(err, RS_EXIT_USAGE, "add --trigger migrate or --trigger idle",
				"--victim runs while the trigger makes the kernel walk, and "
				"there is no trigger");
		return -EINVAL;
	}
	return check_threads(o, err);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool stopping(const struct victim *v)
{
	return atomic_load(&v->stop) || rs_workload_stopped();
}

static int samples_add(struct samples *s, uint64_t ns)
{
	uint64_t *grown;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : SAMPLES_FIRST;
		grown = realloc(s->ns, cap * sizeof(*s->ns));
		if (!grown)
			return -ENOMEM;
		s->ns = grown;
		s->cap = cap;
	}
	s->ns[s->n++] = ns;
	return 0;
}

/*
 * One operation done: its marker to the sink, its latency kept. A failed
 * one stops the thread: 0 to go on, else the -errno.
 */
static int done(struct victim_thread *t, enum rs_op op, uint64_t start, uint64_t end, int ret)
{
	struct rs_op_marker m = {
		.id = RS_OP_MARKER_ID,
		.version = RS_OP_MARKER_VERSION,
		.op = (uint16_t)op,
		.thread = t->index,
		.ret = ret,
		.start_ns = start,
		.end_ns = end,
	};

	if (t->v->sink)
		t->v->sink(&m, t->v->ctx);
	if (!ret)
		ret = samples_add(&t->s[op], end - start);
	else
		t->failed[op]++;
	if (ret) {
		t->err = ret;
		t->err_op = op;
	}
	return ret;
}

static int op_mprotect(struct victim_thread *t)
{
	int prot = t->read_only ? PROT_READ | PROT_WRITE : PROT_READ;
	uint64_t start, end;
	int ret;

	start = now_ns();
	ret = mprotect(t->page, t->v->psize, prot) ? -errno : 0;
	end = now_ns();
	if (!ret)
		t->read_only = !t->read_only;
	return done(t, RS_OP_MPROTECT, start, end, ret);
}

/*
 * The page mapped again where it was, with the flags of the rest of the
 * mapping (map_one() of workload.c): without them its first fault would
 * not reuse the mapping's anon_vma. NOREPLACE: should anything of this
 * process have been mapped into the hole meanwhile, it stays untouched.
 */
static int remap(struct victim_thread *t)
{
	size_t len = t->v->psize;
	void *p;

	p = mmap(t->page, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (p != t->page) {
		/* A kernel before 4.17 took NOREPLACE for a hint. */
		munmap(p, len);
		return -EEXIST;
	}
	t->hole = false;
	if (madvise(t->page, len, MADV_NOHUGEPAGE) && errno != EINVAL)
		return -errno;
	if (t->v->map->kind == WL_KSM && madvise(t->page, len, MADV_MERGEABLE))
		return -errno;
	return 0;
}

static int cycle_munmap(struct victim_thread *t)
{
	uint64_t start, end;
	int ret;

	start = now_ns();
	ret = munmap(t->page, t->v->psize) ? -errno : 0;
	end = now_ns();
	if (!ret)
		t->hole = true;
	ret = done(t, RS_OP_MUNMAP, start, end, ret);
	if (ret)
		return ret;
	start = now_ns();
	ret = remap(t);
	end = now_ns();
	ret = done(t, RS_OP_MMAP, start, end, ret);
	if (ret)
		return ret;
	start = now_ns();
	*(volatile char *)t->page = 1;
	end = now_ns();
	return done(t, RS_OP_FAULT, start, end, 0);
}

static int op_fork(struct victim_thread *t)
{
	uint64_t start, end;
	int ret = 0, status;
	pid_t pid;

	start = now_ns();
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		ret = -errno;
	} else {
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				ret = -errno;
				break;
			}
		}
	}
	end = now_ns();
	return done(t, RS_OP_FORK, start, end, ret);
}

static void *victim_thread(void *arg)
{
	struct victim_thread *t = arg;
	struct victim *v = t->v;
	int ret = 0;

	while (!ret && !stopping(v)) {
		switch (v->kind) {
		case WL_VICTIM_MPROTECT:
			ret = op_mprotect(t);
			break;
		case WL_VICTIM_MUNMAP:
			ret = cycle_munmap(t);
			break;
		default:
			ret = op_fork(t);
			break;
		}
	}
	/* The page as it was: read-write, between its read-only neighbours. */
	if (!ret && t->read_only)
		op_mprotect(t);
	return NULL;
}

/* The undo step: async-signal-safe, the threads stop after their operation. */
static void undo_victims(void *arg)
{
	struct victim *v = arg;

	atomic_store(&v->stop, 1);
}

static void victim_free(struct victim *v)
{
	unsigned int i;
	int op;

	if (!v)
		return;
	for (i = 0; i < v->nr; i++)
		for (op = 0; op < RS_OP_NR; op++)
			free(v->t[i].s[op].ns);
	free(v->t);
	free(v);
}

int rs_victim_start(struct workload *wl, rs_victim_sink sink, void *ctx, struct rs_error *err)
{
	const struct workload_opts *o = &wl->opts;
	sigset_t all, old;
	struct victim *v;
	unsigned int i;
	int ret;

	if (o->victim == WL_VICTIM_NONE)
		return 0;
	/* Not the trigger: rs_victim_check_opts() asks for one for the walks' sake. */
	ret = check_threads(o, err);
	if (ret)
		return ret;
	if (wl->victim) {
		rs_error_set(err, NULL, "the victim threads are running already");
		return -EBUSY;
	}
	v = calloc(1, sizeof(*v));
	if (v)
		v->t = calloc(o->victim_threads, sizeof(*v->t));
	if (!v || !v->t) {
		victim_free(v);
		rs_error_status(err, RS_EXIT_WORKLOAD, RS_FIX_MEMORY, "out of memory for "
				"%u victim threads", o->victim_threads);
		return -ENOMEM;
	}
	v->kind = o->victim;
	v->map = wl->map[WL_KSM].addr ? &wl->map[WL_KSM] : &wl->map[WL_ANON];
	v->psize = wl->page_size;
	v->nr = o->victim_threads;
	v->sink = sink;
	v->ctx = ctx;
	if (!v->map->addr) {
		victim_free(v);
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "--victim: the workload is not "
				"set up (no ksm or anon mapping)");
		return -EINVAL;
	}
	v->step = rs_cleanup_add(undo_victims, v);
	if (v->step < 0) {
		ret = v->step;
		victim_free(v);
		rs_error_set(err, NULL, "too many cleanup steps for the victim threads");
		return ret;
	}
	wl->victim = v;
	/* Signals go to the thread that waits for them, not to a victim. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < v->nr; i++) {
		struct victim_thread *t = &v->t[i];

		t->v = v;
		t->index = i;
		if (v->kind != WL_VICTIM_FORK)
			t->page = v->map->addr + victim_page(i) * v->psize;
		ret = -pthread_create(&t->tid, NULL, victim_thread, t);
		if (ret)
			break;
		t->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		rs_victim_stop(wl, NULL);
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "cannot start victim thread %u: %s",
				i, strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * Pages munmap victims could not map again: something else of this
 * process took their place. The teardown's munmap() of the whole mapping
 * would unmap that too, so the mapping goes now, around those pages, and
 * the teardown has nothing left to unmap.
 */
static void give_up_mapping(struct victim *v)
{
	struct workload_map *m = v->map;
	char *from = m->addr, *end = m->addr + m->pages * v->psize;
	unsigned int i;

	/* The threads' pages rise with their index. */
	for (i = 0; i < v->nr; i++) {
		if (!v->t[i].hole)
			continue;
		if (v->t[i].page > from)
			munmap(from, (size_t)(v->t[i].page - from));
		from = v->t[i].page + v->psize;
	}
	if (from < end)
		munmap(from, (size_t)(end - from));
	m->addr = NULL;
}

int rs_victim_stop(struct workload *wl, struct rs_error *err)
{
	struct victim *v = wl->victim;
	struct victim_thread *t, *first = NULL;
	unsigned int i, holes = 0;

	if (!v)
		return 0;
	if (v->joined)
		return v->ret;
	rs_cleanup_run(v->step);	/* sets stop */
	atomic_store(&v->stop, 1);
	for (i = 0; i < v->nr; i++) {
		t = &v->t[i];
		if (t->started)
			pthread_join(t->tid, NULL);
		t->started = false;
		if (t->hole && remap(t) == 0)
			*(volatile char *)t->page = 1;
		holes += t->hole;
		if (t->err && !first)
			first = t;
	}
	v->joined = true;
	if (holes)
		give_up_mapping(v);
	if (!first)
		return v->ret = 0;
	if (first->err == -EEXIST && first->err_op == RS_OP_MMAP)
		rs_error_status(err, RS_EXIT_WORKLOAD, "run it again", "victim thread %u: "
				"another mapping of this process took the place of page %lu "
				"between munmap() and mmap()", first->index,
				(unsigned long)((first->page - v->map->addr) / v->psize));
	else if (first->page)
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "victim thread %u: %s of page "
				"%lu failed: %s", first->index, rs_op_name(first->err_op),
				(unsigned long)((first->page - v->map->addr) / v->psize),
				strerror(-first->err));
	else
		rs_error_status(err, RS_EXIT_WORKLOAD, NULL, "victim thread %u: %s failed: %s",
				first->index, rs_op_name(first->err_op), strerror(-first->err));
	return v->ret = first->err;
}

void rs_victim_free(struct workload *wl)
{
	rs_victim_stop(wl, NULL);
	victim_free(wl->victim);
	wl->victim = NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int rs_victim_stats(const struct workload *wl, unsigned int op, struct victim_stats *st)
{
	const struct victim *v = wl->victim;
	uint64_t *all;
	size_t n = 0, i;
	unsigned int t;

	memset(st, 0, sizeof(*st));
	if (!v || op >= RS_OP_NR || !v->joined)
		return -ENOENT;
	st->threads = v->nr;
	for (t = 0; t < v->nr; t++) {
		n += v->t[t].s[op].n;
		st->failed += v->t[t].failed[op];
	}
	st->ops = n;
	if (!n)
		return 0;
	all = malloc(n * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (t = 0, n = 0; t < v->nr; t++) {
		memcpy(all + n, v->t[t].s[op].ns, v->t[t].s[op].n * sizeof(*all));
		n += v->t[t].s[op].n;
	}
	qsort(all, n, sizeof(*all), cmp_u64);
	/* Nearest rank: the smallest latency that 99 % of the operations did not exceed. */
	i = (n * 99 + 99) / 100;
	st->p99_ns = all[i - 1];
	st->max_ns = all[n - 1];
	free(all);
	return 0;
}

/* "0.21 ms", "2.31 s", "3.4 us": three digits or so, in the unit people read. */
static void fmt_ns(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000ULL)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 10000)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.1f us", ns / 1e3);
}

/* The operations a victim does, in the order it does them. */
static const enum rs_op victim_ops[WL_NR_VICTIMS][4] = {
	[WL_VICTIM_MPROTECT] = { RS_OP_MPROTECT, RS_OP_NR },
	[WL_VICTIM_MUNMAP] = { RS_OP_MUNMAP, RS_OP_MMAP, RS_OP_FAULT, RS_OP_NR },
	[WL_VICTIM_FORK] = { RS_OP_FORK, RS_OP_NR },
};

void rs_victim_print(const struct workload *wl, FILE *f)
{
	const struct victim *v = wl->victim;
	struct victim_stats st;
	char p99[32], max[32];
	const enum rs_op *op;

	if (!v || !v->joined)
		return;
	for (op = victim_ops[v->kind]; *op != RS_OP_NR; op++) {
		if (rs_victim_stats(wl, *op, &st)) {
			fprintf(f, "victim %s: out of memory for the statistics\n",
				rs_op_name(*op));
			continue;
		}
		fprintf(f, "victim %s: %u thread%s, %lu ops", rs_op_name(*op), st.threads,
			st.threads == 1 ? "" : "s", st.ops);
		if (st.ops) {
			fmt_ns(st.p99_ns, p99, sizeof(p99));
			fmt_ns(st.max_ns, max, sizeof(max));
			fprintf(f, ", p99 %s, max %s", p99, max);
		}
		if (st.failed)
			fprintf(f, ", %lu failed", st.failed);
		fputc('\n', f);
	}
}
