// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event-parse.h>

#include "name_table.h"
#include "purpose.h"
#include "topn.h"
#include "trace_input.h"
#include "trace_scan.h"
#include "walk_decode.h"

/* State of one pass. */
struct scan {
	const struct rs_scan_ops *ops;
	void *arg;
	struct rs_trace *trace;
	struct tep_handle *tep;
	struct rs_decoder *dec;
	struct rs_trace_summary *sum;
	struct rs_name_table *named;	/* rmap_one addresses named to the caller */
	uint64_t last_named;		/* the last of them, the common case */
	int have_last;
	int error;			/* errno of a callback */
};

void rs_trace_summary_free(struct rs_trace_summary *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; s->buffers && i < s->nr_buffers; i++) {
		free(s->buffers[i].name);
		free(s->buffers[i].clock);
	}
	free(s->buffers);
	free(s->file);
	free(s->uname);
	free(s->tracecmd_version);
	free(s->probes);
	free(s->clock);
	memset(s, 0, sizeof(*s));
}

/* Names the event's rmap_one to the caller the first time it comes up. */
static int name_purpose(struct scan *s, const struct rs_walk_event *ev)
{
	char name[RS_PURPOSE_LEN];

	if (!(ev->has & RS_HAS_RMAP_ONE) || (s->have_last && s->last_named == ev->rmap_one))
		return 0;
	s->last_named = ev->rmap_one;
	s->have_last = 1;
	if (rs_name_table_get(s->named, ev->rmap_one))
		return 0;
	rs_purpose_name(s->tep, ev, name, sizeof(name));
	if (rs_name_table_put(s->named, ev->rmap_one, name))
		return ENOMEM;
	return s->ops->purpose ? s->ops->purpose(ev->rmap_one, name, s->arg) : 0;
}

static int on_record(int buffer, struct tep_record *rec, void *arg)
{
	struct scan *s = arg;
	struct rs_trace_summary *sum = s->sum;
	struct rs_walk_event ev;
	int ret;

	sum->records++;
	if (rec->missed_events && s->ops->lost) {
		s->error = s->ops->lost(buffer, rec->cpu, rec->ts, rec->missed_events, s->arg);
		if (s->error)
			return -s->error;
	}
	ret = rs_decode_record(s->dec, rec, &ev);
	if (ret < 0)
		sum->undecodable++;
	if (ret <= 0)
		return 0;
	/*
	 * Only starts and ends are walk events: the pairing counts visits,
	 * holds, waits and ops are the waits engine's (waits.h).
	 */
	if (ev.type <= RS_EV_EXIT) {
		if (!sum->walk_events)
			sum->first_ts = ev.ts;
		sum->last_ts = ev.ts;
		sum->walk_events++;
		sum->buffers[buffer].walk_events++;
	}
	s->error = name_purpose(s, &ev);
	if (!s->error)
		s->error = s->ops->event(&ev, buffer, s->arg);
	return s->error ? -s->error : 0;
}

static void buffer_list(struct rs_trace *t, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < rs_trace_meta(t)->nr_buffers && used < len; i++) {
		const char *name = rs_trace_buffer_name(t, i);

		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 *name ? name : "top");
	}
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The summary's head: metadata, source, buffers. 0, or -1 with *err set. */
static int scan_head(struct scan *s, const struct rs_scan_opts *o,
		     unsigned long long *mask, int *chosen, struct rs_error *err)
{
	struct rs_trace_summary *sum = s->sum;
	const struct rs_trace_meta *meta = rs_trace_meta(s->trace);
	size_t b;

	sum->uname = dup_or_null(meta->uname);
	sum->tracecmd_version = dup_or_null(meta->tracecmd_version);
	sum->probes = dup_or_null(meta->probes);
	sum->file_version = meta->file_version;
	sum->cpus = meta->cpus;

	s->dec = rs_decoder_new(s->tep);
	s->named = rs_name_table_new();
	if (!s->dec || !s->named)
		goto nomem;
	sum->formats = rs_decoder_sources(s->dec);
	if (!(sum->formats & RS_SRC_WALKS)) {
		if (rs_decoder_error(s->dec))
			rs_error_set(err, "record on a kernel with kernel/patches applied, or with `rmapstat record`",
				     "%s", rs_decoder_error(s->dec));
		else
			rs_error_set(err, "record with `rmapstat record`, or `trace-cmd record -e rmap` on a kernel with kernel/patches (see ./run-lab)",
				     "no rmap walk events in this trace (neither rmap:rmap_walk_start/end nor the rmapstat kprobes)");
		return -1;
	}
	/*
	 * Both: the kprobes would count every walk a second time. The visit
	 * events count only into the kprobe walks. Holds, waits and ops go
	 * with either: they are no walks.
	 */
	sum->source = (sum->formats & RS_SRC_TRACEPOINTS ? RS_SRC_TRACEPOINTS :
		       sum->formats & (RS_SRC_KPROBES | RS_SRC_VISITS)) |
		      (sum->formats & RS_SRC_WAITS);
	rs_decoder_use(s->dec, sum->source);

	*chosen = -1;
	*mask = ~0ULL;
	if (o && o->buffer) {
		*chosen = rs_trace_find_buffer(s->trace, o->buffer);
		if (*chosen < 0 || *chosen >= 64) {
			char list[512], fix[600];

			buffer_list(s->trace, list, sizeof(list));
			snprintf(fix, sizeof(fix), "buffers in this file: %s", list);
			rs_error_set(err, fix, "no buffer named '%s'", o->buffer);
			return -1;
		}
		*mask = 1ULL << *chosen;
	}

	sum->nr_buffers = meta->nr_buffers;
	sum->buffers = calloc(sum->nr_buffers, sizeof(*sum->buffers));
	if (!sum->buffers)
		goto nomem;
	for (b = 0; b < sum->nr_buffers; b++) {
		sum->buffers[b].name = strdup(rs_trace_buffer_name(s->trace, b));
		sum->buffers[b].clock = strdup(rs_trace_buffer_clock(s->trace, b));
		if (!sum->buffers[b].name || !sum->buffers[b].clock)
			goto nomem;
	}
	return 0;
nomem:
	rs_error_set(err, RS_FIX_MEMORY, "out of memory");
	return -1;
}

static int scan_records(struct scan *s, unsigned long long mask, int chosen,
			struct rs_error *err)
{
	struct rs_trace_summary *sum = s->sum;
	size_t b, first = chosen >= 0 ? (size_t)chosen : 0;
	int ret;

	ret = rs_trace_iterate(s->trace, mask, on_record, s);
	if (ret < 0 && !s->error)
		s->error = -ret;
	if (s->error) {
		rs_error_set(err, s->error == ENOMEM ? "free some memory, or report fewer groups" :
			     s->error == EIO ? "check the file and the disk it is on" :
			     RS_FIX_OUTPUT,
			     "%s", strerror(s->error));
		return -1;
	}
	if (rs_trace_damaged_pages(s->trace)) {
		rs_error_set(err, RS_FIX_DAMAGED,
			     "damaged ring-buffer pages in the CPU data (events outside their page)");
		return -1;
	}
	/* The clock that matters: the first buffer with walks, else the top one. */
	for (b = 0; b < sum->nr_buffers; b++) {
		if (sum->buffers[b].walk_events) {
			first = b;
			break;
		}
	}
	sum->clock_buffer = first;
	sum->clock = strdup(sum->buffers[first].clock);
	if (!sum->clock) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		return -1;
	}
	return 0;
}

int rs_scan_fd(int fd, const char *file, const struct rs_scan_opts *opts,
	       const struct rs_scan_ops *ops, void *arg,
	       struct rs_trace_summary *sum, struct rs_error *err)
{
	unsigned long long mask;
	struct scan s;
	int ret, chosen;

	memset(&s, 0, sizeof(s));
	s.ops = ops;
	s.arg = arg;
	s.sum = sum;
	if (!sum->file)
		sum->file = strdup(file);
	s.trace = rs_trace_open_fd(fd, file, err);
	if (!s.trace)
		return -1;
	s.tep = rs_trace_tep(s.trace);

	ret = scan_head(&s, opts, &mask, &chosen, err);
	if (!ret && ops->head) {
		s.error = ops->head(sum, arg);
		if (s.error) {
			rs_error_set(err, s.error == ENOMEM ? RS_FIX_MEMORY :
				     RS_FIX_OUTPUT,
				     "%s", strerror(s.error));
			ret = -1;
		}
	}
	if (!ret)
		ret = scan_records(&s, mask, chosen, err);

	rs_name_table_free(s.named);
	rs_decoder_free(s.dec);
	rs_trace_close(s.trace);
	return ret;
}
