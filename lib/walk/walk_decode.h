/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Decodes tep records of the walk events into struct rs_walk_event:
 *
 *   rmap:rmap_walk_start, rmap:rmap_walk_end	(kernel/patches/0001)
 *   rmapstat:rmap_walk_entry, rmap_walk_locked_entry, rmap_walk_ksm_entry
 *						(kprobes: folio rwc mapping rmap_one)
 *   rmapstat:rmap_walk_anon_entry, rmap_walk_file_entry
 *						(kprobes: the same and locked)
 *   rmapstat:rmap_walk_exit, rmap_walk_locked_exit, rmap_walk_ksm_exit,
 *   rmap_walk_anon_exit, rmap_walk_file_exit	(kretprobes, no arguments)
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
};

struct rs_decoder;

struct rs_decoder *rs_decoder_new(struct tep_handle *tep);
void rs_decoder_free(struct rs_decoder *d);

/* The sources whose event formats the tep handle holds (RS_SRC_* bits). */
unsigned int rs_decoder_sources(struct rs_decoder *d);

/*
 * Decode only these sources (default: all). A trace that has the rmap
 * tracepoints and the kprobes would otherwise count each walk twice.
 */
void rs_decoder_use(struct rs_decoder *d, unsigned int sources);

/*
 * 1: *ev filled (ts, cpu, pid, comm, type, func and the fields of the
 * event, with ev->has saying which); 0: not a walk event (or one of a
 * source not in use); -1: a walk event whose format lacks a field the
 * pairing needs (rs_decoder_error() says which).
 */
int rs_decode_record(struct rs_decoder *d, struct tep_record *rec,
		     struct rs_walk_event *ev);
/* The same when the caller already knows the event (plugin handlers). */
int rs_decode_event(struct rs_decoder *d, struct tep_event *event,
		    struct tep_record *rec, struct rs_walk_event *ev);

/* The last format problem, one line, or NULL. */
const char *rs_decoder_error(const struct rs_decoder *d);

/*
 * The events' fields that a source lacks, for reports: RS_HAS_* bits that
 * the events of this source never carry (kprobes: pfn, mapcount, counters).
 */
unsigned int rs_source_missing(unsigned int source);

#endif
