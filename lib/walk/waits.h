/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who waited behind the walks: attributes lock waits (lock:contention_begin
 * and _end, RS_EV_WAIT and RS_EV_WAKE) to the rmap walks that held the
 * lock. Like the pairing engine (pairing.h) it is a pure data structure fed
 * one event at a time in timestamp order, by the report and by the plugin.
 *
 * A walk takes the lock of the tree it iterates for read: the anon_vma
 * root's rwsem (anon and KSM walks; a KSM walk one per rmap_item, each
 * released before the next is taken) or the mapping's i_mmap_rwsem (file
 * walks). Whoever wants it for write meanwhile (mprotect, munmap, mmap
 * next to it, fork, exit of a task of that anon_vma) waits until the walk
 * releases it: a direct victim. Readers that come after a waiting writer
 * queue behind it (the rwsem is fair to writers): indirect victims.
 *
 * Holds. A walk is a frame from its start (RS_EV_START or RS_EV_ENTRY) to
 * its record from the pairing engine (rs_waits_walk(): the record whose
 * start has the frame's pid, ts, type, func, rwc and pfn); when several
 * frames of one task are open, the outermost is the walk (a kprobe
 * rmap_walk_anon inside rmap_walk is the same walk). An RS_EV_HOLD event
 * on a task with an open frame starts a hold of ev->lock by that walk; a
 * task has one hold at a time, which ends at
 *  - the next RS_EV_HOLD of the same task (KSM: the next rmap_item's lock),
 *  - an RS_EV_WAIT of the holder itself to read a lock without spinning
 *    (RS_LCB_F_READ without RS_LCB_F_SPIN: it released the one it held and
 *    waits for the next rmap_item's, which may be the same lock again);
 *    its waits to write or to spin keep the hold,
 *  - the end of the walk (its record: the end's ts; for a record without
 *    end, no end, superseded or lost, the last ts the engine had seen when
 *    the record came), or
 *  - events lost on the CPU where the task was last seen (below).
 * The holder's own RS_EV_WAKE after such a read wait starts a hold of that
 * lock at once: the walk holds it from its wake, while its hold event
 * comes only when it starts to iterate, and a writer that queues in
 * between waits behind the walk.
 * An RS_EV_HOLD on a task with no open frame (the iterators have other
 * callers) is counted in holds_outside and changes nothing.
 *
 * Waits. An RS_EV_WAIT opens a wait of ev->pid for ev->lock with
 * ev->lock_flags; the RS_EV_WAKE of the same pid and lock closes it. A
 * task may have waits for several locks open (a spin on an rwsem's
 * wait_lock inside its wait for the rwsem is a wait of its own); a second
 * RS_EV_WAIT of the same pid and lock before the wake (a mutex traces one
 * when it starts to spin and one when it goes to sleep) continues the
 * open wait with the new flags. A wake with no open wait of its pid and
 * lock is counted in wakes_unmatched.
 *
 * Only a wait for a sleeping reader-writer lock (RS_LCB_F_READ or
 * RS_LCB_F_WRITE without RS_LCB_F_SPIN: the walks' locks are rwsems) of a
 * task that had no walk frame open when it began can be blamed on a walk.
 * Waits for spinning locks, waits that are neither read nor write (a
 * mutex), and waits of a walk's own task are never blamed (RS_WAIT_OTHER).
 *
 * The blocked time of a wait that can be blamed is the part of [begin,
 * end] during which some walk of another task held that lock (the union
 * of those holds' intervals), counted from when it could be blamed (a
 * wait continued from a spin: from the RS_EV_WAIT that slept). The walk
 * blamed is the one whose holds covered the most of it; ties go to the
 * walk whose hold ended last (a hold still running when the wait ends
 * ends then), then to the walk that started last. Its cause:
 *  - RS_WAIT_DIRECT: blocked time > 0 and not RS_WAIT_INDIRECT: the waiter
 *    wanted the lock for write (RS_LCB_F_WRITE), or for read with no
 *    writer waiting for it;
 *  - RS_WAIT_INDIRECT: blocked time > 0, the waiter wanted it for read
 *    (RS_LCB_F_READ), and when it began another task had a wait for the
 *    same lock with RS_LCB_F_WRITE open: it queued behind that writer;
 *  - RS_WAIT_OTHER: it cannot be blamed, or no walk held the lock while it
 *    waited: blocked time 0, no walk, RS_PROOF_NONE.
 * Proof: holds prove which walk held the lock (RS_PROOF_LOCK). A trace
 * without hold events (rs_waits_new() with holds false: the kprobes were
 * not recorded) can only show that a walk of another task was running:
 * then the walk (outermost open frame) of each task holds every lock, from
 * its start to its record (or to events lost on the CPU where its task was
 * last seen); if its record comes while inner frames of its task are still
 * open, the outermost of those holds from then. Hold events are then only
 * counted. The waits so attributed say RS_PROOF_OVERLAP ("overlap, not
 * proven").
 *
 * A wait goes to on_wait when its wake comes, when rs_waits_lost() drops
 * it, or at rs_waits_flush() (complete false for those two: the wake was
 * not seen). A walk that was blamed for at least one wait goes to on_walk
 * once, with its collateral, when its record has come and no open wait
 * that its holds covered (that may still be blamed on it) is left: from
 * the call that closes the last of those waits, right after its on_wait,
 * or from rs_waits_walk() if none is open. At rs_waits_flush(), after
 * every open wait went to on_wait.
 *
 * Lost events: rs_waits_lost() ends the open waits of tasks last seen on
 * that CPU (every open wait for cpu < 0) at the last ts the engine saw
 * before the loss: each is blamed as the trace showed it, goes to on_wait
 * with complete false, and is counted in waits_lost; its wake, if it
 * comes, finds no open wait (wakes_unmatched). The holds of tasks last
 * seen on that CPU (every hold for cpu < 0) end then too; their walks keep
 * their frames, and a next hold event starts a new hold. A task was last
 * seen on the CPU of its latest event of any type. Call rs_pairing_lost()
 * first: the walks it drops (RS_WALK_LOST) end through rs_waits_walk().
 *
 * Memory: proportional to the open frames, holds and waits (each open wait
 * keeps one entry per walk whose holds covered it), and to the walks kept
 * after their record for open waits that may still be blamed on them;
 * nothing grows with the trace's length.
 *
 *	w = rs_waits_new(on_wait, on_walk, ctx, holds_in_trace);
 *	pairing callback:	rs_waits_walk(w, walk, NULL);
 *	for each event:		rs_pairing_feed(p, ev, NULL) for walk events,
 *				then rs_waits_feed(w, ev) for every event
 *	on lost events:		rs_pairing_lost(); rs_waits_lost()
 *	at the end:		rs_pairing_flush(p); rs_waits_flush(w);
 */
#ifndef RS_WAITS_H
#define RS_WAITS_H

#include <stdbool.h>
#include <stdint.h>

#include "pairing.h"
#include "walk_event.h"

enum rs_wait_cause {
	RS_WAIT_DIRECT,		/* a walk held the lock it waited for */
	RS_WAIT_INDIRECT,	/* a reader queued behind a writer that waited */
	RS_WAIT_OTHER,		/* no walk held it meanwhile, or not a wait
				   a walk can cause (see above) */
	RS_WAIT_CAUSE_NR
};

enum rs_wait_proof {
	RS_PROOF_NONE,		/* RS_WAIT_OTHER */
	RS_PROOF_LOCK,		/* a hold event named the lock */
	RS_PROOF_OVERLAP,	/* only time overlap: "overlap, not proven" */
	RS_PROOF_NR
};

/* One wait for a lock, as it is passed to on_wait. */
struct rs_wait {
	int pid;			/* the waiter */
	int cpu;			/* where it began waiting */
	char comm[RS_COMM_LEN];
	uint64_t lock;
	unsigned int flags;		/* RS_LCB_F_* */
	uint64_t begin, end;		/* end: the wake's ts, or (complete false)
					   the last ts the engine saw, at flush
					   or before the loss that dropped it */
	bool complete;			/* the wake was seen */
	enum rs_wait_cause cause;
	enum rs_wait_proof proof;
	uint64_t blocked_ns;		/* of end - begin, the time walks of other
					   tasks held the lock (RS_WAIT_OTHER: 0) */
	int walk_pid;			/* the walk blamed (RS_WAIT_OTHER: 0, 0) */
	uint64_t walk_ts;		/* its start's ts (for a walk without
					   start: its end's); with walk_pid the
					   walk's identity */
};

/* A walk and the waits blamed on it, as it is passed to on_walk. */
struct rs_collateral {
	/*
	 * The walk record from the pairing (rs_waits_walk()); status
	 * RS_WALK_NO_END with only start filled in when the engine was
	 * flushed before the record came.
	 */
	struct rs_walk walk;
	unsigned int direct, indirect;	/* waits blamed, by cause */
	uint64_t direct_ns, indirect_ns; /* their blocked_ns */
	uint64_t max_ns;		/* the longest blocked_ns of one wait */
	unsigned int tasks;		/* distinct waiters */
	enum rs_wait_proof proof;	/* RS_PROOF_OVERLAP if any wait was only
					   that, else RS_PROOF_LOCK */
};

/*
 * What a walk's waiters had waited by the time its record came: the waits
 * blamed on it that had closed, and the open ones that would be blamed on
 * it if they ended at the walk's end (an open wait may still go to
 * another walk that holds its lock longer).
 */
struct rs_waiters {
	unsigned int waiters;		/* waits blamed on it so far, open or closed */
	uint64_t waited_ns;		/* their blocked time up to the walk's end */
};

#define RS_WAITS_SUMS(X)						\
	X(waits)		/* waits passed to on_wait */		\
	X(waits_direct)		/* of those, by cause */		\
	X(waits_indirect)						\
	X(waits_other)							\
	X(waits_open)		/* flushed without their wake */	\
	X(waits_lost)		/* dropped by rs_waits_lost() */	\
	X(wakes_unmatched)	/* a wake without an open wait */	\
	X(holds)		/* hold events inside a walk */		\
	X(holds_outside)	/* hold events with no walk in flight */ \
	X(blocked_direct_ns)						\
	X(blocked_indirect_ns)						\
	X(walks_blamed)		/* walks passed to on_walk */

#define RS_WAITS_FIELD(name)	uint64_t name;
struct rs_waits_counters {
	RS_WAITS_SUMS(RS_WAITS_FIELD)
};
#undef RS_WAITS_FIELD

typedef void (*rs_wait_fn)(const struct rs_wait *wait, void *arg);
typedef void (*rs_collateral_fn)(const struct rs_collateral *c, void *arg);

struct rs_waits;

/**
 * rs_waits_new() - create an empty attribution engine
 * @on_wait: called with every wait (see the top of this file); may be NULL
 * @on_walk: called with every walk that was blamed for a wait; may be NULL
 * @arg: passed to both unchanged
 * @holds: the trace has the hold events (RS_PROOF_LOCK); false: attribute
 *	by time overlap (RS_PROOF_OVERLAP)
 *
 * The structs passed to the callbacks are valid only during the call.
 * The callbacks must not feed the engine.
 *
 * Return: the engine, to be freed with rs_waits_free(), or NULL when out
 * of memory.
 */
struct rs_waits *rs_waits_new(rs_wait_fn on_wait, rs_collateral_fn on_walk, void *arg,
			      bool holds);

/**
 * rs_waits_free() - free an engine without flushing it
 * @w: the engine; may be NULL
 */
void rs_waits_free(struct rs_waits *w);

/**
 * rs_waits_feed() - feed one event
 * @w: the engine
 * @ev: any walk event, in timestamp order; the engine uses RS_EV_START,
 *	RS_EV_ENTRY (frames), RS_EV_HOLD, RS_EV_WAIT and RS_EV_WAKE; of the
 *	others only the ts (the last ts seen) and, for a task it tracks, the
 *	CPU (where the task was last seen)
 *
 * Return: 0, or -1 with errno ENOMEM: the frame or wait is not kept, or a
 * hold or wait is missing from some of the waits it overlaps.
 */
int rs_waits_feed(struct rs_waits *w, const struct rs_walk_event *ev);

/**
 * rs_waits_walk() - a walk record of the pairing engine
 * @w: the engine
 * @walk: every record the pairing engine passes to its callback; the one
 *	of RS_WALK_OK or RS_WALK_NESTED closes the frame opened by its start
 *	(same pid and start ts), the others (no end, superseded, lost) close
 *	their start's frame as well; a record without a start
 *	(RS_WALK_NO_START) has no frame and is ignored
 * @so_far: if not NULL, filled with what the walk's waiters had waited by
 *	its end (the plugin prints it on the end event): struct rs_waiters;
 *	zero for a record that closes no frame, or a frame that held nothing
 *	(the inner pair of a nested kprobe walk)
 *
 * The frame's hold ends with it (see the top of this file); the walk
 * goes to on_walk from here if it was blamed and no wait is left open
 * that may still be blamed on it.
 *
 * Return: 0, or -1 with errno ENOMEM (holds false only: the frames left
 * of its task do not hold the lock of some open wait).
 */
int rs_waits_walk(struct rs_waits *w, const struct rs_walk *walk, struct rs_waiters *so_far);

/**
 * rs_waits_lost() - events were lost on a CPU
 * @w: the engine
 * @cpu: the CPU, or < 0 when not known
 * @ts: the time of the first record after the loss (not used: what ends
 *	ends at the last ts seen, what the trace shows of it)
 *
 * See the top of this file.
 */
void rs_waits_lost(struct rs_waits *w, int cpu, uint64_t ts);

/**
 * rs_waits_flush() - end of the trace
 * @w: the engine
 *
 * The open waits go to on_wait (complete false, end the last ts seen),
 * oldest first, then the walks with collateral not passed yet to on_walk,
 * oldest first; a walk whose record never came has status RS_WALK_NO_END
 * and only its start (call rs_pairing_flush() first to give it its
 * record). The engine is then empty and may be fed again.
 *
 * Return: 0; it allocates nothing and cannot fail.
 */
int rs_waits_flush(struct rs_waits *w);

/**
 * rs_waits_counters() - the engine's counters
 * @w: the engine
 *
 * Return: its counters, valid until rs_waits_free().
 */
const struct rs_waits_counters *rs_waits_counters(const struct rs_waits *w);

/**
 * rs_waits_counters_add() - add one set of counters to another
 * @dst: the sum
 * @src: what is added
 */
void rs_waits_counters_add(struct rs_waits_counters *dst, const struct rs_waits_counters *src);

/**
 * rs_wait_cause_name() - "direct", "indirect" or "other"; "?" out of range
 * @cause: the cause
 *
 * Return: a static string.
 */
const char *rs_wait_cause_name(enum rs_wait_cause cause);

/**
 * rs_wait_proof_name() - "none", "lock" or "overlap"; "?" out of range
 * @proof: the proof
 *
 * Return: a static string.
 */
const char *rs_wait_proof_name(enum rs_wait_proof proof);

#endif
