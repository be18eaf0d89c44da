/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pairing engine: turns a stream of walk events (walk_event.h) in
 * timestamp order into walks with exact durations. It is a pure data
 * structure (no libtraceevent): feed it one event at a time, from a trace
 * file reader or from a libtraceevent plugin handler.
 *
 * Tracepoints: a walk is (rmap_walk_start, rmap_walk_end) with the same
 * key rwc + pfn + pid, wherever the events ran: walks interleave on all
 * CPUs, a task may migrate between start and end, walks of one task may
 * nest (their rwc differ).
 *
 * Kprobe fallback: the kretprobe has no rwc, so entries and exits pair per
 * pid and probed function, last in first out. rmap_walk and
 * rmap_walk_locked dispatch to rmap_walk_ksm, rmap_walk_anon or
 * rmap_walk_file, but a compiler may inline the dispatcher into its
 * callers, which then call those directly: a walk is the outermost pair of
 * a task. A ksm/anon/file pair that runs inside an rmap_walk or
 * rmap_walk_locked of the same task and rwc is the same walk seen one level
 * down: it is reported as RS_WALK_NESTED (and gives the outer walk its
 * kind), so that statistics count every walk once whichever functions the
 * compiler kept; one that runs on its own is the walk (RS_WALK_OK).
 *
 * Visits (kprobe fallback): the tracepoints' end says how many VMAs a walk
 * visited (nr_visited); a kprobe exit cannot. Kretprobes on the interval-
 * tree iterators (RS_EV_VISIT, walk_event.h) can: a visit event on task
 * pid adds its nr_visited to the innermost kprobe frame in flight on pid
 * (the newest entry of that task whose exit has not come). A task runs
 * one thing at a time, so that frame is the walk the iterator works for.
 * When an inner ksm/anon/file pair folds into its rmap_walk(_locked) as
 * RS_WALK_NESTED, its visits go to the outer frame too: the NESTED walk
 * carries its own visits, the OK walk (the one statistics count) all of
 * them. A kprobe walk whose entry carries RS_HAS_VISIT_COUNT (the decoder
 * sets it when the trace has the visit events of the walk's kind:
 * walk_decode.h) gets them as end.nr_visited with RS_HAS_VISITED, 0
 * included; without it (no visit events in the trace) its end stays as
 * the exit left it. Tracepoint walks never take visits. A visit with no
 * kprobe frame in flight on its task (iterators called outside a walk,
 * or in a walk whose entry was not seen or was dropped for lost events)
 * is counted in visits_outside. A walk whose visits may have been lost
 * (events lost on a CPU its task was seen on while it ran: pairing.c)
 * gets no nr_visited and is counted in visits_incomplete.
 *
 * Nothing is dropped silently: every start and end comes back exactly once
 * through the callback, paired or with the reason it could not be paired;
 * every visit is counted into a walk or in visits_outside. Memory is
 * proportional to the walks in flight (plus a bounded number of keys of
 * starts dropped for lost events), not to the trace size: a visit is a
 * lookup in one bucket and an addition.
 *
 *	struct rs_pairing *p = rs_pairing_new(on_walk, ctx);
 *	for each record in timestamp order:
 *		if (record->missed_events)
 *			rs_pairing_lost(p, record->cpu, record->ts, record->missed_events);
 *		if (rs_decode_record(dec, record, &ev) == 1)
 *			rs_pairing_feed(p, &ev, NULL);
 *	rs_pairing_flush(p);		// starts still in flight -> RS_WALK_NO_END
 *	rs_pairing_free(p);
 */
#ifndef RS_PAIRING_H
#define RS_PAIRING_H

#include <stdint.h>

#include "walk_event.h"

/* A task cannot nest rmap_walk in itself: deeper stacks mean lost exits. */
#define RS_KPROBE_MAX_DEPTH	16

/*
 * Starts dropped for lost events whose end may still come: the most
 * remembered (the oldest are forgotten first; their end is then an end
 * whose start was never seen).
 */
#define RS_PAIRING_MAX_LOST_STARTS	1024

enum rs_walk_status {
	RS_WALK_OK,		/* start and end paired; duration_ns valid */
	RS_WALK_NESTED,		/* kprobe rmap_walk_ksm/anon/file inside its rmap_walk(_locked) (paired) */
	RS_WALK_NO_END,		/* start still in flight when the trace ended */
	RS_WALK_SUPERSEDED,	/* start replaced by a newer start of the same key */
	RS_WALK_NO_START,	/* end without a start (start_lost: it was dropped) */
	RS_WALK_LOST,		/* start dropped: events were lost on its CPU */
	RS_WALK_STATUS_NR
};

struct rs_walk {
	enum rs_walk_status status;
	struct rs_walk_event start;	/* valid unless status == RS_WALK_NO_START */
	struct rs_walk_event end;	/* valid for OK, NESTED and NO_START */
	uint64_t duration_ns;		/* end.ts - start.ts for OK and NESTED, else 0 */
	/*
	 * RS_WALK_NO_START only: the start was in the trace but dropped as
	 * RS_WALK_LOST (events were lost on its CPU after it), as opposed to
	 * a start never seen (before the trace began, or itself lost).
	 */
	bool start_lost;
};

/*
 * The counters that add up across buffers and files, X(name) each; the
 * struct below holds them, then max_in_flight (the larger one is kept).
 */
#define RS_PAIRING_SUMS(X)						\
	X(events)		/* starts and ends fed (visits: below) */ \
	X(paired)		/* RS_WALK_OK */			\
	X(nested)		/* RS_WALK_NESTED */			\
	X(no_end)		/* RS_WALK_NO_END */			\
	X(superseded)		/* RS_WALK_SUPERSEDED */		\
	X(no_start)		/* RS_WALK_NO_START */			\
	X(no_start_lost)	/* of those, start_lost (RS_FEED_START_LOST) */ \
	X(lost_walks)		/* RS_WALK_LOST */			\
	X(lost_markers)		/* rs_pairing_lost() calls */		\
	X(lost_events)		/* sum of the known missed-event counts */ \
	X(lost_unknown)		/* markers whose count was not known */	\
	X(in_flight)		/* starts waiting for their end now */	\
	X(visits)		/* VMAs visited: nr_visited of the visits fed */ \
	X(visits_outside)	/* of those, no kprobe walk in flight on the task */ \
	X(visits_incomplete)	/* kprobe walks paired without nr_visited: lost */

#define RS_PAIRING_FIELD(name)	uint64_t name;
struct rs_pairing_counters {
	RS_PAIRING_SUMS(RS_PAIRING_FIELD)
	uint64_t max_in_flight;		/* the most there ever were */
};
#undef RS_PAIRING_FIELD

/* Feed results: what happened to the event just fed. */
enum rs_feed_result {
	RS_FEED_ERROR = -1,		/* out of memory (errno set) */
	RS_FEED_PENDING = 0,		/* a start: kept until its end comes */
	RS_FEED_PAIRED,			/* an end that closed a walk: *out is it */
	RS_FEED_NESTED,			/* same, RS_WALK_NESTED */
	RS_FEED_NO_START,		/* an end whose start was never seen: *out says so */
	RS_FEED_START_LOST,		/* an end whose start was dropped for lost events
					   (RS_WALK_NO_START with start_lost) */
	RS_FEED_VISIT,			/* a visit, counted into a kprobe walk in flight */
	RS_FEED_VISIT_OUTSIDE,		/* a visit with no kprobe walk in flight on its
					   task (visits_outside) */
	RS_FEED_OTHER,			/* a hold, wait, wake or op: not the pairing's
					   (waits.h), ignored */
};

typedef void (*rs_walk_fn)(const struct rs_walk *walk, void *arg);

struct rs_pairing;

/**
 * rs_pairing_new() - create an empty pairing engine
 * @fn: called with every walk record the engine finishes (see the top of
 *	this file for when); may be NULL when the caller only wants the
 *	counters or the *out copies of rs_pairing_feed()
 * @arg: passed to @fn unchanged
 *
 * The walk passed to @fn is valid only during the call: @fn copies what
 * it keeps. @fn must not feed the engine that called it.
 *
 * Return: the engine, to be freed with rs_pairing_free(), or NULL when
 * out of memory.
 */
struct rs_pairing *rs_pairing_new(rs_walk_fn fn, void *arg);

/**
 * rs_pairing_free() - free a pairing engine
 * @p: the engine; may be NULL
 *
 * Starts still in flight are freed without a call to fn: call
 * rs_pairing_flush() first to have them reported as RS_WALK_NO_END.
 */
void rs_pairing_free(struct rs_pairing *p);

/**
 * rs_pairing_feed() - feed one walk event to the engine
 * @p: the engine
 * @ev: the event, copied; events must come in timestamp order
 * @out: where to copy the finished walk for an end; may be NULL, and is
 *	left untouched for a start
 *
 * A start (RS_EV_START, RS_EV_ENTRY) is kept until its end comes. A
 * tracepoint start that finds one of the same key in flight passes the
 * older one to fn as RS_WALK_SUPERSEDED first; a kprobe entry that finds
 * RS_KPROBE_MAX_DEPTH frames of its task and function in flight passes the
 * oldest of them as RS_WALK_SUPERSEDED. An end (RS_EV_END, RS_EV_EXIT)
 * closes the newest start of its key: the walk goes to fn and, if @out is
 * not NULL, to *@out as well. An end that comes before its start (clocks
 * of two CPUs that disagree) gets duration_ns 0. A visit (RS_EV_VISIT)
 * adds @ev->nr_visited to the innermost kprobe walk in flight on @ev->pid
 * (see the top of this file), allocates nothing and is not kept. A reader
 * may merge consecutive visits of one task on one CPU into one event with
 * their sum as nr_visited, as long as nothing else is fed between them
 * (no other event, no rs_pairing_lost()). A visit without RS_HAS_VISITED
 * (its record did not say) leaves its walk's count unknown.
 *
 * Return: an enum rs_feed_result: RS_FEED_PENDING for a start;
 * RS_FEED_PAIRED, RS_FEED_NESTED, RS_FEED_NO_START or RS_FEED_START_LOST
 * for an end; RS_FEED_VISIT or RS_FEED_VISIT_OUTSIDE for a visit;
 * RS_FEED_OTHER for a hold, wait, wake or op, which it ignores;
 * RS_FEED_ERROR with errno ENOMEM when a start could not be stored (it is
 * not kept), or with errno EINVAL when @ev->type is not an enum
 * rs_ev_type.
 */
int rs_pairing_feed(struct rs_pairing *p, const struct rs_walk_event *ev,
		    struct rs_walk *out);

/**
 * rs_pairing_lost() - tell the engine that events were lost on a CPU
 * @p: the engine
 * @cpu: the CPU whose events were lost, or < 0 when it is not known
 * @ts: the timestamp of the first record after the loss (not used:
 *	every start in flight on @cpu is older)
 * @missed: the number of events lost, or -1 (any value <= 0) when it is
 *	not known; counted in lost_events or lost_unknown
 *
 * Every start that ran on @cpu and is still in flight may have lost its
 * end: each goes to fn as RS_WALK_LOST, oldest first, and can no longer
 * pair (a later end becomes RS_WALK_NO_START with start_lost, fed as
 * RS_FEED_START_LOST), so no walk ever gets a duration spanning a gap in
 * the trace. The visit counts of the kprobe walks still in flight whose
 * task was seen on @cpu become unknown (visits_incomplete), as do those
 * of walks whose task is first seen on @cpu later. With @cpu < 0 every
 * start in flight is dropped. The engine
 * remembers the keys of dropped starts until their end comes, a new start
 * of the same key shows the end was lost too, or more than
 * RS_PAIRING_MAX_LOST_STARTS are waiting (all but the newest
 * RS_PAIRING_MAX_LOST_STARTS / 2 are then forgotten). Out of memory, the
 * starts are still dropped, in no particular order.
 */
void rs_pairing_lost(struct rs_pairing *p, int cpu, uint64_t ts, long long missed);

/**
 * rs_pairing_flush() - end of the trace: report the starts in flight
 * @p: the engine
 *
 * Every start in flight goes to fn as RS_WALK_NO_END, oldest first, and
 * the keys of starts dropped for lost events are forgotten. The engine is
 * then empty and may be fed again.
 *
 * Return: 0, or -1 with errno ENOMEM when the starts could not be ordered;
 * nothing was reported then, and they are still in flight.
 */
int rs_pairing_flush(struct rs_pairing *p);

/**
 * rs_pairing_counters() - the counters of an engine
 * @p: the engine
 *
 * Return: the engine's own counters, updated by every later call on it
 * and valid until rs_pairing_free().
 */
const struct rs_pairing_counters *rs_pairing_counters(const struct rs_pairing *p);

/**
 * rs_walk_status_name() - the name of a walk status, for reports
 * @status: the status
 *
 * Return: "ok", "nested", "no_end", "superseded", "no_start" or "lost", a
 * static string; "?" for a value out of range.
 */
const char *rs_walk_status_name(enum rs_walk_status status);

/**
 * rs_walk_info() - the event that describes a walk record
 * @w: the walk record
 *
 * Task, CPU, kind and purpose of a walk are those of its start; an end
 * without a start (RS_WALK_NO_START) only has its end to tell them.
 *
 * Return: &@w->end for RS_WALK_NO_START, else &@w->start.
 */
const struct rs_walk_event *rs_walk_info(const struct rs_walk *w);

/**
 * rs_walk_is_short() - did a walk visit fewer mappings than the folio had?
 * @w: the walk record
 *
 * A walk of an order-0 folio is short when its end counted fewer
 * rmap_one() calls (nr_rmap_one) than the mapcount its start saw: such a
 * folio takes one call per mapping. A large folio's mapcount counts its
 * PTEs (a 64K folio mapped once in one VMA: mapcount 16, one call), so
 * the comparison says nothing there. The folio is order-0 when the start
 * says nr_pages 1; a start without nr_pages (a trace recorded before the
 * field) is order-0 only for a KSM walk, as KSM merges only order-0
 * folios.
 *
 * Return: 1 short, 0 not, -1 cannot tell: the walk is not paired (neither
 * RS_WALK_OK nor RS_WALK_NESTED), its start has no mapcount or its end no
 * nr_rmap_one (kprobes carry neither), or its folio is not known to be
 * order-0 (nr_pages other than 1, or no nr_pages and not KSM).
 */
int rs_walk_is_short(const struct rs_walk *w);

/**
 * rs_pairing_counters_add() - add one set of pairing counters to another
 * @dst: the sum
 * @src: what is added (max_in_flight: the larger one is kept)
 */
void rs_pairing_counters_add(struct rs_pairing_counters *dst,
			     const struct rs_pairing_counters *src);

#endif
