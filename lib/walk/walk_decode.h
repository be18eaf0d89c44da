/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decodes tep records of the walk events into struct rs_walk_event:
 *
 *   rmap:rmap_walk_start, rmap:rmap_walk_end	(kernel/patches/0001; the start
 *						with nr_pages, or without it as
 *						recorded before it was added)
 *   rmapstat:rmap_walk_entry, rmap_walk_locked_entry, rmap_walk_ksm_entry
 *						(kprobes: folio rwc mapping rmap_one)
 *   rmapstat:rmap_walk_anon_entry, rmap_walk_file_entry
 *						(kprobes: the same and locked)
 *   rmapstat:rmap_walk_exit, rmap_walk_locked_exit, rmap_walk_ksm_exit,
 *   rmap_walk_anon_exit, rmap_walk_file_exit	(kretprobes, no arguments)
 *   rmapstat:visit_anon_first, visit_anon_next, visit_file_first,
 *   visit_file_next				(kretprobes: vma, RS_VISIT_EVENTS)
 *   rmapstat:hold_anon, hold_file		(kprobes: base off, RS_HOLD_EVENTS)
 *   lock:contention_begin, contention_end	(lock_addr flags, lock_addr ret)
 *   ftrace:raw_data				(trace_marker_raw; only the
 *						markers of op_marker.h)
 *
 * The visit events are a source of their own (RS_SRC_VISITS): decoded only
 * when it is in use, they are what lets the pairing count nr_visited for
 * the kprobe walks. The decoder tells the pairing through the walks'
 * entries: a kprobe entry carries RS_HAS_VISIT_COUNT when the visit
 * events of its kind (both iterators of its tree) are in the trace and
 * decoded, so a walk that visited nothing says 0, and one whose visits
 * the trace cannot see says nothing.
 *
 * Holds, waits, wakes and ops are no walk events: the pairing ignores
 * them, the waits engine (waits.h) and the report's victim section use
 * them. A hold's lock is base + off; a raw_data record whose id is not
 * RS_OP_MARKER_ID, or whose marker is short or of another version, is
 * not an op (return 0: another program's marker).
 *
 * Event and field lookups are done once and cached. The lookup is lazy (on
 * first use, and again when the tep handle learns new events), so a
 * libtraceevent plugin can create the decoder in its loader, before
 * trace-cmd has parsed the event formats, and decode in its handlers.
 */
#ifndef RS_WALK_DECODE_H
#define RS_WALK_DECODE_H

#include "walk_event.h"

struct tep_handle;
struct tep_event;
struct tep_record;

/* Sources of walk events, as bits. */
enum rs_source {
	RS_SRC_NONE = 0,
	RS_SRC_TRACEPOINTS = 1U << 0,
	RS_SRC_KPROBES = 1U << 1,
	RS_SRC_VISITS = 1U << 2,	/* the visit events of the kprobe walks */
	RS_SRC_LOCKS = 1U << 3,		/* lock:contention_begin/_end (waits, wakes) */
	RS_SRC_HOLDS = 1U << 4,		/* rmapstat:hold_* (the walks' locks) */
	RS_SRC_OPS = 1U << 5,		/* ftrace:raw_data of victim threads (op_marker.h) */
};

/* The sources whose events are walks: a trace needs one of them. */
#define RS_SRC_WALKS	(RS_SRC_TRACEPOINTS | RS_SRC_KPROBES)
/* The sources of the waits engine (waits.h) and of the victims' operations. */
#define RS_SRC_WAITS	(RS_SRC_LOCKS | RS_SRC_HOLDS | RS_SRC_OPS)

struct rs_decoder;

/**
 * rs_decoder_event() - one of the events the decoder knows, by index
 * @i: 0, 1, ... until -1 comes back
 * @system: set to its system ("rmap", "rmapstat")
 * @name: set to its name ("rmap_walk_start", "rmap_walk_ksm_entry", ...)
 * @type: set to what it is in a walk (start, end, entry, exit, visit)
 *
 * The one list of walk events, visit events included: the plugin
 * registers its handlers from it.
 *
 * Return: 0, or -1 when @i is past the last event.
 */
int rs_decoder_event(size_t i, const char **system, const char **name,
		     enum rs_ev_type *type);

/**
 * rs_decoder_new() - create a decoder for the events of a tep handle
 * @tep: the handle whose event formats the records follow; not owned, it
 *	must outlive the decoder
 *
 * Looks nothing up yet (see the top of this file): the handle may still
 * be empty. Every source is in use until rs_decoder_use() says otherwise.
 *
 * Return: the decoder, to be freed with rs_decoder_free(), or NULL when
 * out of memory.
 */
struct rs_decoder *rs_decoder_new(struct tep_handle *tep);

/**
 * rs_decoder_free() - free a decoder
 * @d: the decoder; may be NULL
 *
 * The tep handle is left alone.
 */
void rs_decoder_free(struct rs_decoder *d);

/**
 * rs_decoder_sources() - the sources of walk events a trace can give
 * @d: the decoder
 *
 * Looks the events up again if the tep handle learned new ones since the
 * last lookup. A source counts when one of its events is there with every
 * field the pairing needs (a tracepoint without pfn or rwc does not).
 * RS_SRC_VISITS counts only with RS_SRC_KPROBES (visits are counted into
 * kprobe walks), and when both visit events of one tree (anon or file)
 * are there with their vma field. RS_SRC_HOLDS, RS_SRC_LOCKS and
 * RS_SRC_OPS count with or without walk events (RS_SRC_OPS in nearly every
 * trace: trace-cmd and rmapstat record save the ftrace formats).
 *
 * Return: the RS_SRC_* bits of the sources whose event formats the tep
 * handle holds; RS_SRC_NONE when it holds none.
 */
unsigned int rs_decoder_sources(struct rs_decoder *d);

/**
 * rs_decoder_use() - choose the sources to decode
 * @d: the decoder
 * @sources: RS_SRC_* bits; the events of other sources decode as "not a
 *	walk event"
 *
 * The default is every source. A trace that has the rmap tracepoints and
 * the kprobes would otherwise count each walk twice. Kprobe entries carry
 * RS_HAS_VISIT_COUNT only while RS_SRC_VISITS is in use.
 */
void rs_decoder_use(struct rs_decoder *d, unsigned int sources);

/**
 * rs_decode_record() - decode a record into a walk event
 * @d: the decoder
 * @rec: the record, of the decoder's tep handle
 * @ev: filled when 1 is returned, left untouched otherwise
 *
 * Fills ts, cpu, pid, comm, type, func and the fields the event carries,
 * with @ev->has saying which; a kprobe entry gets the kind its function
 * or its folio's mapping tells, and RS_HAS_VISIT_COUNT as the top of this
 * file says. A visit event (RS_EV_VISIT) gets vma, nr_visited 1 for a
 * non-NULL vma (0 for NULL) and the kind of its tree (RS_KIND_ANON or
 * RS_KIND_FILE). The events are looked up only if no
 * lookup was done yet (the formats of a file do not change while it is
 * read), and each record's event id is matched through a small cache:
 * this is the hot path of a report.
 *
 * Return: 1 when @ev was filled; 0 when the record is not a walk event or
 * one of a source not in use; -1 for a walk event whose format lacks a
 * field the pairing needs (rs_decoder_error() says which).
 */
int rs_decode_record(struct rs_decoder *d, struct tep_record *rec,
		     struct rs_walk_event *ev);

/**
 * rs_decode_event() - rs_decode_record() when the event is known
 * @d: the decoder
 * @event: the event of @rec, as libtraceevent found it
 * @rec: the record
 * @ev: as for rs_decode_record()
 *
 * For libtraceevent plugin handlers, which are given the event. Unlike
 * rs_decode_record(), every call looks the events up again if the tep
 * handle learned new ones, so a decoder created before trace-cmd parsed
 * the event formats still finds them.
 *
 * Return: as rs_decode_record(); 0 as well when @event is no walk event.
 */
int rs_decode_event(struct rs_decoder *d, struct tep_event *event,
		    struct tep_record *rec, struct rs_walk_event *ev);

/**
 * rs_decoder_error() - the last format problem the decoder found
 * @d: the decoder
 *
 * Return: one line naming the event and the missing field, owned by the
 * decoder and valid until the next lookup or rs_decoder_free(); NULL when
 * no lookup found a problem.
 */
const char *rs_decoder_error(const struct rs_decoder *d);

/**
 * rs_source_missing() - the event fields a source never carries
 * @source: RS_SRC_* bits
 *
 * For reports, to say which columns a trace cannot fill: the kprobes
 * carry no pfn, mapcount, nr_pages, nr_visited or nr_rmap_one (nr_visited
 * they do with RS_SRC_VISITS); the tracepoints no folio address. The
 * tracepoints' nr_pages is not counted missing: only the traces recorded
 * before the field was added lack it, which a source does not tell.
 *
 * Return: the RS_HAS_* bits that some source in @source never carries
 * (the union over those sources); 0 for RS_SRC_NONE.
 */
unsigned int rs_source_missing(unsigned int source);

#endif
