// SPDX-License-Identifier: GPL-2.0-only
/*
 * Three objects carry the state: a task (keyed by pid) has its stack of
 * open walk frames, at most one hold and the CPU it was last seen on; a
 * walk is one frame, kept after its record while waits may still be
 * blamed on it; a wait (keyed by its lock) is open until its wake. Three
 * chained hash tables find them: tasks by pid, holding tasks by lock,
 * open waits by lock. Walks and waits are also on lists in the order
 * they began, which is the order flush and lost events pass them on in.
 *
 * A hold does not keep a history of intervals. Each open wait keeps one
 * candidate per walk that held its lock while it waited: the time that
 * walk's holds covered of the wait, and whether one covers it now. The
 * union of the candidates' intervals is summed as it goes (the time
 * during which at least one of them was open), which events in time
 * order allow. When the wait closes, the candidate with the most
 * coverage is blamed; its node becomes the walk's record of that waiter,
 * for the count of distinct tasks, so closing a wait allocates nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "waits.h"

#define RS_WAITS_MIN_BUCKETS	64

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* A circular list with a sentinel: the engine's walks, its open waits. */
struct list {
	struct list *prev, *next;
};

/* A freed object, kept for the next allocation of its kind. */
struct spare {
	struct spare *next;
};

/*
 * One walk whose hold covered part of an open wait; after the wait
 * closed, on the walk it was blamed on, one distinct waiter (pid).
 */
struct cand {
	struct cand *next;
	struct walk *walk;
	int pid;
	bool open;			/* a hold of the walk covers the wait now */
	uint64_t since;			/* open: from when */
	uint64_t cover;			/* closed intervals, summed */
	uint64_t last_end;		/* when the last closed interval ended */
};

struct walk {
	struct list all;
	struct walk *outer;		/* the frame of its task opened before it */
	uint64_t seq;
	bool open;			/* its record has not come */
	unsigned int nr_cands;		/* open waits it has a candidate in */
	struct cand *waiters;		/* distinct tasks blamed on it */
	struct rs_collateral c;
};

struct task {
	struct rs_hnode by_pid;
	struct rs_hnode by_lock;		/* in holders while hold is set */
	int pid;
	int cpu;			/* where it was last seen */
	struct walk *top;		/* innermost open frame */
	struct walk *hold;		/* the walk whose hold it runs, or NULL */
	unsigned int nr_waits;
};

struct wait {
	struct rs_hnode by_lock;
	struct list all;
	struct task *task;
	struct rs_wait w;
	bool own_walk;			/* its task had a walk frame open */
	bool behind_writer;		/* a reader that began behind a waiting writer */
	unsigned int nr_open;		/* candidates open */
	uint64_t union_ns;		/* union of the closed stretches */
	uint64_t union_since;		/* nr_open > 0: since when one is open */
	struct cand *cands;
};

struct rs_waits {
	struct rs_htab tasks;		/* by pid */
	struct rs_htab holders;		/* tasks with a hold, by lock (overlap: 0) */
	struct rs_htab waits;		/* open waits, by lock */
	struct list walks;		/* oldest first */
	struct list wait_list;		/* oldest first */
	struct spare *spare_tasks, *spare_walks, *spare_waits, *spare_cands;
	uint64_t seq;
	uint64_t last_ts;		/* the latest ts seen */
	bool holds;
	bool flushing;			/* walks wait until every wait is passed on */
	rs_wait_fn on_wait;
	rs_collateral_fn on_walk;
	void *arg;
	struct rs_waits_counters c;
};

static void list_init(struct list *l)
{
	l->prev = l->next = l;
}

static void list_add_tail(struct list *l, struct list *head)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

static void list_del(struct list *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
}

static void *take(struct spare **spares, size_t size)
{
	struct spare *s = *spares;

	if (!s)
		return malloc(size);
	*spares = s->next;
	return s;
}

static void give(struct spare **spares, void *p)
{
	struct spare *s = p;

	s->next = *spares;
	*spares = s;
}

static void free_spares(struct spare *s)
{
	struct spare *next;

	for (; s; s = next) {
		next = s->next;
		free(s);
	}
}

static int enomem(void)
{
	errno = ENOMEM;
	return -1;
}

static uint64_t span(uint64_t from, uint64_t to)
{
	return to > from ? to - from : 0;
}

static uint64_t pid_key(int pid)
{
	return (uint32_t)pid;
}

static struct task *task_find(const struct rs_waits *w, int pid)
{
	struct rs_hnode *n;

	for (n = rs_htab_chain(&w->tasks, pid_key(pid)); n; n = n->next) {
		struct task *t = container_of(n, struct task, by_pid);

		if (t->pid == pid)
			return t;
	}
	return NULL;
}

static struct task *task_get(struct rs_waits *w, int pid, int cpu)
{
	struct task *t = task_find(w, pid);

	if (t)
		return t;
	t = take(&w->spare_tasks, sizeof(*t));
	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->cpu = cpu;
	rs_htab_add(&w->tasks, &t->by_pid, pid_key(pid));
	return t;
}

/* A task with nothing open is forgotten: memory follows what is in flight. */
static void task_put(struct rs_waits *w, struct task *t)
{
	if (t->top || t->hold || t->nr_waits)
		return;
	rs_htab_del(&w->tasks, &t->by_pid);
	give(&w->spare_tasks, t);
}

static struct walk *outermost(const struct task *t)
{
	struct walk *f = t->top;

	while (f && f->outer)
		f = f->outer;
	return f;
}

/* The lock a wait or hold is filed under: in overlap mode a walk holds them all. */
static uint64_t hold_key(const struct rs_waits *w, uint64_t lock)
{
	return w->holds ? lock : 0;
}

/*
 * Only waits to sleep on a reader-writer lock can be a walk's doing: the
 * walks' locks are rw_semaphores.
 */
static bool sleeping(unsigned int flags)
{
	return (flags & (RS_LCB_F_READ | RS_LCB_F_WRITE)) && !(flags & RS_LCB_F_SPIN);
}

static bool blamable(const struct wait *wt)
{
	return !wt->own_walk && sleeping(wt->w.flags);
}

static struct cand *cand_of(const struct wait *wt, const struct walk *walk)
{
	struct cand *c;

	for (c = wt->cands; c && c->walk != walk; c = c->next)
		;
	return c;
}

/* A hold of walk covers the wait from ts on (not before the wait began). */
static int cover_open(struct rs_waits *w, struct wait *wt, struct walk *walk, uint64_t ts)
{
	struct cand *c = cand_of(wt, walk);

	if (c && c->open)
		return 0;
	if (!c) {
		c = take(&w->spare_cands, sizeof(*c));
		if (!c)
			return -1;
		memset(c, 0, sizeof(*c));
		c->walk = walk;
		c->next = wt->cands;
		wt->cands = c;
		walk->nr_cands++;
	}
	if (ts < wt->w.begin)
		ts = wt->w.begin;
	c->open = true;
	c->since = ts;
	if (wt->nr_open++ == 0)
		wt->union_since = ts;
	return 0;
}

static void cand_close(struct wait *wt, struct cand *c, uint64_t ts)
{
	if (!c->open)
		return;
	c->open = false;
	c->cover += span(c->since, ts);
	c->last_end = ts > c->since ? ts : c->since;
	if (--wt->nr_open == 0)
		wt->union_ns += span(wt->union_since, ts);
}

/* A candidate's coverage and last end as of t, open intervals ending at t. */
static void cand_at(const struct cand *c, uint64_t t, uint64_t *cover, uint64_t *last_end)
{
	*cover = c->cover;
	*last_end = c->last_end;
	if (c->open) {
		*cover += span(c->since, t);
		*last_end = t > c->since ? t : c->since;
	}
}

static uint64_t union_at(const struct wait *wt, uint64_t t)
{
	return wt->union_ns + (wt->nr_open ? span(wt->union_since, t) : 0);
}

/*
 * The walk a wait is blamed on as of t: the most coverage, then the hold
 * that ended last, then the walk that started last. NULL when no walk
 * covered any of it; *cover is the winner's coverage.
 */
static struct cand *pick(const struct wait *wt, uint64_t t, uint64_t *cover)
{
	struct cand *c, *best = NULL;
	uint64_t best_cover = 0, best_end = 0, cv, end;

	for (c = wt->cands; c; c = c->next) {
		cand_at(c, t, &cv, &end);
		if (!cv)
			continue;
		if (best && (cv < best_cover || (cv == best_cover &&
		    (end < best_end || (end == best_end && c->walk->seq < best->walk->seq)))))
			continue;
		best = c;
		best_cover = cv;
		best_end = end;
	}
	*cover = best_cover;
	return best;
}

/* Opens (start) or closes the interval of task t's hold in one wait. */
static int hold_wait(struct rs_waits *w, struct task *t, struct wait *wt, uint64_t ts,
		     bool start)
{
	struct cand *c;

	if (!start) {
		c = cand_of(wt, t->hold);
		if (c)
			cand_close(wt, c, ts);
		return 0;
	}
	if (wt->task == t || !blamable(wt))
		return 0;
	return cover_open(w, wt, t->hold, ts);
}

/* The same for every open wait the hold covers: those of its lock, or all. */
static int hold_waits(struct rs_waits *w, struct task *t, uint64_t ts, bool start)
{
	uint64_t key = t->by_lock.key;
	struct rs_hnode *n;
	struct list *l;
	int ret = 0;

	if (!w->holds) {
		for (l = w->wait_list.next; l != &w->wait_list; l = l->next)
			ret |= hold_wait(w, t, container_of(l, struct wait, all), ts, start);
		return ret;
	}
	for (n = rs_htab_chain(&w->waits, key); n; n = n->next)
		if (n->key == key)
			ret |= hold_wait(w, t, container_of(n, struct wait, by_lock), ts, start);
	return ret;
}

static int start_hold(struct rs_waits *w, struct task *t, struct walk *walk, uint64_t lock,
		      uint64_t ts)
{
	t->hold = walk;
	rs_htab_add(&w->holders, &t->by_lock, hold_key(w, lock));
	return hold_waits(w, t, ts, true);
}

static void end_hold(struct rs_waits *w, struct task *t, uint64_t ts)
{
	if (!t->hold)
		return;
	hold_waits(w, t, ts, false);
	rs_htab_del(&w->holders, &t->by_lock);
	t->hold = NULL;
}

/* A new wait: every walk of another task that holds its lock covers it. */
static int attach_holders(struct rs_waits *w, struct wait *wt, uint64_t ts)
{
	uint64_t key = hold_key(w, wt->w.lock);
	struct rs_hnode *n;
	int ret = 0;

	for (n = rs_htab_chain(&w->holders, key); n; n = n->next) {
		struct task *t = container_of(n, struct task, by_lock);

		if (n->key == key && t != wt->task && cover_open(w, wt, t->hold, ts))
			ret = -1;
	}
	return ret;
}

/* A reader that finds another task waiting to write queues behind it. */
static bool writer_waiting(const struct rs_waits *w, const struct wait *wt)
{
	uint64_t lock = wt->w.lock;
	struct rs_hnode *n;

	if (!(wt->w.flags & RS_LCB_F_READ))
		return false;
	for (n = rs_htab_chain(&w->waits, lock); n; n = n->next) {
		const struct wait *o = container_of(n, struct wait, by_lock);

		if (n->key == lock && o->task != wt->task && (o->w.flags & RS_LCB_F_WRITE))
			return true;
	}
	return false;
}

static struct wait *wait_find(const struct rs_waits *w, int pid, uint64_t lock)
{
	struct rs_hnode *n;

	for (n = rs_htab_chain(&w->waits, lock); n; n = n->next) {
		struct wait *wt = container_of(n, struct wait, by_lock);

		if (n->key == lock && wt->w.pid == pid)
			return wt;
	}
	return NULL;
}

static bool has_waiter(const struct walk *walk, int pid)
{
	const struct cand *c;

	for (c = walk->waiters; c; c = c->next)
		if (c->pid == pid)
			return true;
	return false;
}

/*
 * A walk is done once its record has come and no open wait can still be
 * blamed on it: it goes to on_walk if it was blamed for any, and is freed.
 */
static void walk_done(struct rs_waits *w, struct walk *f)
{
	struct cand *c, *next;

	if (f->open || f->nr_cands || w->flushing)
		return;
	if (f->c.direct || f->c.indirect) {
		w->c.walks_blamed++;
		if (w->on_walk)
			w->on_walk(&f->c, w->arg);
	}
	for (c = f->waiters; c; c = next) {
		next = c->next;
		give(&w->spare_cands, c);
	}
	list_del(&f->all);
	give(&w->spare_walks, f);
}

static void count_wait(struct rs_waits *w, const struct rs_wait *out)
{
	w->c.waits++;
	switch (out->cause) {
	case RS_WAIT_DIRECT:
		w->c.waits_direct++;
		w->c.blocked_direct_ns += out->blocked_ns;
		break;
	case RS_WAIT_INDIRECT:
		w->c.waits_indirect++;
		w->c.blocked_indirect_ns += out->blocked_ns;
		break;
	default:
		w->c.waits_other++;
	}
}

/* The collateral of the walk a wait was blamed on. */
static void blame(struct walk *f, const struct rs_wait *out)
{
	struct rs_collateral *c = &f->c;

	if (out->cause == RS_WAIT_INDIRECT) {
		c->indirect++;
		c->indirect_ns += out->blocked_ns;
	} else {
		c->direct++;
		c->direct_ns += out->blocked_ns;
	}
	if (out->blocked_ns > c->max_ns)
		c->max_ns = out->blocked_ns;
	if (out->proof == RS_PROOF_OVERLAP || c->proof == RS_PROOF_NONE)
		c->proof = out->proof;
}

/*
 * The wait ends at end: blamed, passed to on_wait, then its candidates
 * let go of their walks (the one blamed may go to on_walk now), and it
 * is freed. counter: waits_open or waits_lost for a wait without wake.
 */
static void finish_wait(struct rs_waits *w, struct wait *wt, uint64_t end, bool complete,
			uint64_t *counter)
{
	struct rs_wait out = wt->w;
	struct cand *c, *next, *best = NULL;
	uint64_t cover = 0;

	for (c = wt->cands; c; c = c->next)
		cand_close(wt, c, end);
	out.end = end;
	out.complete = complete;
	if (blamable(wt))
		best = pick(wt, end, &cover);
	if (best) {
		out.cause = wt->behind_writer ? RS_WAIT_INDIRECT : RS_WAIT_DIRECT;
		out.proof = w->holds ? RS_PROOF_LOCK : RS_PROOF_OVERLAP;
		/* not less than the winner's share when clocks of two CPUs disagree */
		out.blocked_ns = wt->union_ns > cover ? wt->union_ns : cover;
		out.walk_pid = best->walk->c.walk.start.pid;
		out.walk_ts = best->walk->c.walk.start.ts;
		blame(best->walk, &out);
	} else {
		out.cause = RS_WAIT_OTHER;
		out.proof = RS_PROOF_NONE;
		out.blocked_ns = 0;
		out.walk_pid = 0;
		out.walk_ts = 0;
	}
	count_wait(w, &out);
	if (counter)
		(*counter)++;
	if (w->on_wait)
		w->on_wait(&out, w->arg);

	rs_htab_del(&w->waits, &wt->by_lock);
	list_del(&wt->all);
	for (c = wt->cands; c; c = next) {
		struct walk *f = c->walk;

		next = c->next;
		f->nr_cands--;
		if (c == best && !has_waiter(f, out.pid)) {
			c->pid = out.pid;
			c->next = f->waiters;
			f->waiters = c;
			f->c.tasks++;
		} else {
			give(&w->spare_cands, c);
		}
		walk_done(w, f);
	}
	wt->task->nr_waits--;
	task_put(w, wt->task);
	give(&w->spare_waits, wt);
}

struct rs_waits *rs_waits_new(rs_wait_fn on_wait, rs_collateral_fn on_walk, void *arg,
			      bool holds)
{
	struct rs_waits *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	if (rs_htab_init(&w->tasks, RS_WAITS_MIN_BUCKETS) ||
	    rs_htab_init(&w->holders, RS_WAITS_MIN_BUCKETS) ||
	    rs_htab_init(&w->waits, RS_WAITS_MIN_BUCKETS)) {
		rs_htab_free(&w->tasks);
		rs_htab_free(&w->holders);
		rs_htab_free(&w->waits);
		free(w);
		return NULL;
	}
	list_init(&w->walks);
	list_init(&w->wait_list);
	w->on_wait = on_wait;
	w->on_walk = on_walk;
	w->arg = arg;
	w->holds = holds;
	return w;
}

void rs_waits_free(struct rs_waits *w)
{
	struct rs_hnode *n, *next_node;
	struct cand *c, *next_cand;
	struct list *l, *next;
	size_t i;

	if (!w)
		return;
	for (l = w->walks.next; l != &w->walks; l = next) {
		struct walk *f = container_of(l, struct walk, all);

		next = l->next;
		for (c = f->waiters; c; c = next_cand) {
			next_cand = c->next;
			free(c);
		}
		free(f);
	}
	for (l = w->wait_list.next; l != &w->wait_list; l = next) {
		struct wait *wt = container_of(l, struct wait, all);

		next = l->next;
		for (c = wt->cands; c; c = next_cand) {
			next_cand = c->next;
			free(c);
		}
		free(wt);
	}
	for (i = 0; i < w->tasks.n; i++) {
		for (n = w->tasks.b[i]; n; n = next_node) {
			next_node = n->next;
			free(container_of(n, struct task, by_pid));
		}
	}
	free_spares(w->spare_tasks);
	free_spares(w->spare_walks);
	free_spares(w->spare_waits);
	free_spares(w->spare_cands);
	rs_htab_free(&w->tasks);
	rs_htab_free(&w->holders);
	rs_htab_free(&w->waits);
	free(w);
}

static int feed_frame(struct rs_waits *w, const struct rs_walk_event *ev)
{
	struct task *t = task_get(w, ev->pid, ev->cpu);
	struct walk *f;
	bool first;

	if (!t)
		return enomem();
	f = take(&w->spare_walks, sizeof(*f));
	if (!f) {
		task_put(w, t);
		return enomem();
	}
	memset(f, 0, sizeof(*f));
	f->seq = ++w->seq;
	f->open = true;
	/* what on_walk says if the record never comes */
	f->c.walk.status = RS_WALK_NO_END;
	f->c.walk.start = *ev;
	first = !t->top;
	f->outer = t->top;
	t->top = f;
	list_add_tail(&f->all, &w->walks);
	/* overlap mode: the walk holds "the lock" of every wait from its start */
	if (!w->holds && first && start_hold(w, t, f, 0, ev->ts))
		return enomem();
	return 0;
}

static int feed_hold(struct rs_waits *w, const struct rs_walk_event *ev)
{
	struct task *t = task_find(w, ev->pid);
	struct walk *f = t ? outermost(t) : NULL;

	if (!f) {
		w->c.holds_outside++;
		return 0;
	}
	w->c.holds++;
	if (!w->holds)
		return 0;
	/* one hold per task: a KSM walk released the previous rmap_item's lock */
	end_hold(w, t, ev->ts);
	if (start_hold(w, t, f, ev->lock, ev->ts))
		return enomem();
	return 0;
}

static int feed_wait(struct rs_waits *w, const struct rs_walk_event *ev)
{
	struct wait *wt = wait_find(w, ev->pid, ev->lock);
	struct task *t;

	if (wt) {
		/*
		 * A mutex traces contention_begin when it starts to spin and
		 * again when it goes to sleep, then one contention_end: one
		 * wait, which now waits the new way.
		 */
		wt->w.flags = ev->lock_flags;
		if (!wt->behind_writer)
			wt->behind_writer = writer_waiting(w, wt);
		if (blamable(wt) && attach_holders(w, wt, ev->ts))
			return enomem();
		return 0;
	}
	t = task_get(w, ev->pid, ev->cpu);
	if (!t)
		return enomem();
	/* A holder that sleeps to read a lock has let go of the one it held. */
	if (w->holds && t->hold && (ev->lock_flags & RS_LCB_F_READ) &&
	    !(ev->lock_flags & RS_LCB_F_SPIN))
		end_hold(w, t, ev->ts);
	wt = take(&w->spare_waits, sizeof(*wt));
	if (!wt) {
		task_put(w, t);
		return enomem();
	}
	memset(wt, 0, sizeof(*wt));
	wt->task = t;
	t->nr_waits++;
	wt->w.pid = ev->pid;
	wt->w.cpu = ev->cpu;
	memcpy(wt->w.comm, ev->comm, sizeof(wt->w.comm));
	wt->w.comm[sizeof(wt->w.comm) - 1] = '\0';
	wt->w.lock = ev->lock;
	wt->w.flags = ev->lock_flags;
	wt->w.begin = ev->ts;
	wt->own_walk = t->top != NULL;
	wt->behind_writer = writer_waiting(w, wt);
	rs_htab_add(&w->waits, &wt->by_lock, ev->lock);
	list_add_tail(&wt->all, &w->wait_list);
	if (blamable(wt) && attach_holders(w, wt, ev->ts))
		return enomem();
	return 0;
}

static int feed_wake(struct rs_waits *w, const struct rs_walk_event *ev)
{
	struct wait *wt = wait_find(w, ev->pid, ev->lock);
	struct task *t;
	bool took_read;
	struct walk *f;

	if (!wt) {
		w->c.wakes_unmatched++;
		return 0;
	}
	/* before the wait is gone: a task with a walk open stays (task_put()) */
	t = wt->task;
	f = outermost(t);
	took_read = sleeping(wt->w.flags) && (wt->w.flags & RS_LCB_F_READ);
	finish_wait(w, wt, ev->ts, true, NULL);
	/*
	 * A walk that slept to read a lock holds it from its wake on: the
	 * hold event comes only when it starts to iterate, and a writer that
	 * queued meanwhile waits behind the walk from here (a KSM walk's next
	 * rmap_item, taken while a victim was still queued).
	 */
	if (w->holds && took_read && f) {
		end_hold(w, t, ev->ts);
		if (start_hold(w, t, f, ev->lock, ev->ts))
			return enomem();
	}
	return 0;
}

int rs_waits_feed(struct rs_waits *w, const struct rs_walk_event *ev)
{
	struct task *t;

	if (ev->ts > w->last_ts)
		w->last_ts = ev->ts;
	t = task_find(w, ev->pid);
	if (t)
		t->cpu = ev->cpu;
	switch (ev->type) {
	case RS_EV_START:
	case RS_EV_ENTRY:
		return feed_frame(w, ev);
	case RS_EV_HOLD:
		return feed_hold(w, ev);
	case RS_EV_WAIT:
		return feed_wait(w, ev);
	case RS_EV_WAKE:
		return feed_wake(w, ev);
	default:
		return 0;
	}
}

/* The frame a record closes: the newest of its task opened by its start. */
static struct walk *frame_of(const struct task *t, const struct rs_walk_event *start)
{
	struct walk *f;

	for (f = t->top; f; f = f->outer) {
		const struct rs_walk_event *s = &f->c.walk.start;

		if (s->ts == start->ts && s->type == start->type && s->func == start->func &&
		    s->rwc == start->rwc && s->pfn == start->pfn)
			return f;
	}
	return NULL;
}

static void unlink_frame(struct task *t, struct walk *f)
{
	struct walk **link = &t->top;

	while (*link != f)
		link = &(*link)->outer;
	*link = f->outer;
	f->outer = NULL;
}

/*
 * What the waits blamed on walk f come to at t: the closed ones, and the
 * open ones it would be blamed for if they closed now.
 */
static void waiters_at(const struct rs_waits *w, const struct walk *f, uint64_t t,
		       struct rs_waiters *out)
{
	const struct list *l;
	uint64_t cover, blocked;

	out->waiters = f->c.direct + f->c.indirect;
	out->waited_ns = f->c.direct_ns + f->c.indirect_ns;
	if (!f->nr_cands)
		return;
	for (l = w->wait_list.next; l != &w->wait_list; l = l->next) {
		const struct wait *wt = container_of(l, const struct wait, all);
		const struct cand *best;

		if (!blamable(wt))
			continue;
		best = pick(wt, t, &cover);
		if (!best || best->walk != f)
			continue;
		blocked = union_at(wt, t);
		out->waiters++;
		out->waited_ns += blocked > cover ? blocked : cover;
	}
}

int rs_waits_walk(struct rs_waits *w, const struct rs_walk *walk, struct rs_waiters *so_far)
{
	struct task *t;
	struct walk *f;
	uint64_t end;
	bool held;
	int ret = 0;

	if (so_far)
		memset(so_far, 0, sizeof(*so_far));
	if (walk->status == RS_WALK_NO_START)
		return 0;
	t = task_find(w, walk->start.pid);
	f = t ? frame_of(t, &walk->start) : NULL;
	if (!f)
		return 0;
	if (walk->status == RS_WALK_OK || walk->status == RS_WALK_NESTED) {
		end = walk->end.ts;
		if (end > w->last_ts)
			w->last_ts = end;
	} else {
		/* no end: the walk is known to be over now */
		end = w->last_ts;
	}
	held = t->hold == f;
	if (held)
		end_hold(w, t, end);
	if (so_far)
		waiters_at(w, f, end, so_far);
	unlink_frame(t, f);
	f->open = false;
	f->c.walk = *walk;
	/* overlap mode: the frames left are still a walk of that task */
	if (!w->holds && held && t->top && start_hold(w, t, outermost(t), 0, end))
		ret = enomem();
	walk_done(w, f);
	task_put(w, t);
	return ret;
}

void rs_waits_lost(struct rs_waits *w, int cpu, uint64_t ts)
{
	struct list *l, *next;
	struct rs_hnode *n, *next_node;
	size_t i;

	(void)ts;	/* what was lost came after the last ts seen */
	for (l = w->wait_list.next; l != &w->wait_list; l = next) {
		struct wait *wt = container_of(l, struct wait, all);

		next = l->next;
		if (cpu < 0 || wt->task->cpu == cpu)
			finish_wait(w, wt, w->last_ts, false, &w->c.waits_lost);
	}
	for (i = 0; i < w->holders.n; i++) {
		for (n = w->holders.b[i]; n; n = next_node) {
			struct task *t = container_of(n, struct task, by_lock);

			next_node = n->next;
			if (cpu < 0 || t->cpu == cpu)
				end_hold(w, t, w->last_ts);
		}
	}
}

int rs_waits_flush(struct rs_waits *w)
{
	struct rs_hnode *n, *next_node;
	struct list *l, *next;
	size_t i;

	/* every wait first, then every walk, as the header promises */
	w->flushing = true;
	for (l = w->wait_list.next; l != &w->wait_list; l = next) {
		next = l->next;
		finish_wait(w, container_of(l, struct wait, all), w->last_ts, false,
			    &w->c.waits_open);
	}
	for (l = w->walks.next; l != &w->walks; l = l->next) {
		struct walk *f = container_of(l, struct walk, all);
		struct task *t;

		if (!f->open)
			continue;
		t = task_find(w, f->c.walk.start.pid);
		if (t->hold == f)
			end_hold(w, t, w->last_ts);
		unlink_frame(t, f);
		f->open = false;
	}
	w->flushing = false;
	for (l = w->walks.next; l != &w->walks; l = next) {
		next = l->next;
		walk_done(w, container_of(l, struct walk, all));
	}
	for (i = 0; i < w->tasks.n; i++) {
		for (n = w->tasks.b[i]; n; n = next_node) {
			next_node = n->next;
			task_put(w, container_of(n, struct task, by_pid));
		}
	}
	return 0;
}

const struct rs_waits_counters *rs_waits_counters(const struct rs_waits *w)
{
	return &w->c;
}

void rs_waits_counters_add(struct rs_waits_counters *dst, const struct rs_waits_counters *src)
{
#define ADD(name)	dst->name += src->name;
	RS_WAITS_SUMS(ADD)
#undef ADD
}

const char *rs_wait_cause_name(enum rs_wait_cause cause)
{
	static const char * const names[] = {
		[RS_WAIT_DIRECT] = "direct",
		[RS_WAIT_INDIRECT] = "indirect",
		[RS_WAIT_OTHER] = "other",
	};

	return rs_enum_name(names, RS_WAIT_CAUSE_NR, cause, "?");
}

const char *rs_wait_proof_name(enum rs_wait_proof proof)
{
	static const char * const names[] = {
		[RS_PROOF_NONE] = "none",
		[RS_PROOF_LOCK] = "lock",
		[RS_PROOF_OVERLAP] = "overlap",
	};

	return rs_enum_name(names, RS_PROOF_NR, proof, "?");
}
