// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "purpose.h"
#include "tep_guard.h"
#include "trace_input.h"
#include "walk_decode.h"
#include "walk_report.h"

/* State while one file is read. */
struct file_ctx {
	struct rs_report *r;
	struct rs_trace *trace;
	struct tep_handle *tep;
	struct rs_decoder *dec;
	struct rs_trace_summary *sum;
	struct rs_pairing **pairing;	/* per buffer */
	struct buffer_ctx *bctx;
	int error;			/* errno of a failure inside a callback */
	uint64_t memo_rmap_one;		/* rs_purpose_name() of the last walk */
	unsigned int memo_has;
	char memo_purpose[RS_PURPOSE_LEN];
};

struct buffer_ctx {
	struct file_ctx *fc;
	int buffer;
};

struct rs_report *rs_report_new(const struct rs_report_opts *opts)
{
	struct rs_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->opts = *opts;
	if (!r->opts.hist_div)
		r->opts.hist_div = 1;
	if (!r->opts.by.n) {
		r->opts.by.n = 1;
		r->opts.by.field[0] = RS_BY_KIND;
	}
	r->groups = rs_groups_new(&r->opts.by, r->opts.hist_div);
	if (!r->groups || rs_topn_init(&r->top, opts->top_n)) {
		rs_groups_free(r->groups);
		free(r);
		return NULL;
	}
	return r;
}

static void free_summary(struct rs_trace_summary *s)
{
	size_t i;

	for (i = 0; i < s->nr_buffers; i++) {
		free(s->buffers[i].name);
		free(s->buffers[i].clock);
	}
	free(s->buffers);
	free(s->file);
	free(s->uname);
	free(s->tracecmd_version);
	free(s->clock);
}

void rs_report_free(struct rs_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nr_traces; i++)
		free_summary(&r->traces[i]);
	free(r->traces);
	rs_groups_free(r->groups);
	rs_topn_free(&r->top);
	free(r);
}

const char *rs_source_name(unsigned int sources)
{
	switch (sources & (RS_SRC_TRACEPOINTS | RS_SRC_KPROBES)) {
	case RS_SRC_TRACEPOINTS:
		return "tracepoints";
	case RS_SRC_KPROBES:
		return "kprobes";
	case RS_SRC_TRACEPOINTS | RS_SRC_KPROBES:
		return "tracepoints+kprobes";
	default:
		return "none";
	}
}

static void add_counters(struct rs_pairing_counters *dst, const struct rs_pairing_counters *src)
{
	dst->events += src->events;
	dst->paired += src->paired;
	dst->nested += src->nested;
	dst->no_end += src->no_end;
	dst->superseded += src->superseded;
	dst->no_start += src->no_start;
	dst->no_start_lost += src->no_start_lost;
	dst->lost_walks += src->lost_walks;
	dst->lost_markers += src->lost_markers;
	dst->lost_events += src->lost_events;
	dst->lost_unknown += src->lost_unknown;
	dst->in_flight += src->in_flight;
	if (src->max_in_flight > dst->max_in_flight)
		dst->max_in_flight = src->max_in_flight;
}

static void on_walk(const struct rs_walk *w, void *arg)
{
	struct buffer_ctx *bc = arg;
	struct file_ctx *fc = bc->fc;
	struct rs_report *r = fc->r;
	const struct rs_walk_event *info = rs_walk_info(w);
	char purpose[RS_PURPOSE_LEN];
	struct rs_walk_keys keys;
	struct rs_group *g;

	if (fc->error)
		return;
	if (!fc->memo_purpose[0] || fc->memo_rmap_one != info->rmap_one ||
	    fc->memo_has != (info->has & RS_HAS_RMAP_ONE)) {
		rs_purpose_name(fc->tep, info, fc->memo_purpose, sizeof(fc->memo_purpose));
		fc->memo_rmap_one = info->rmap_one;
		fc->memo_has = info->has & RS_HAS_RMAP_ONE;
	}
	memcpy(purpose, fc->memo_purpose, sizeof(purpose));
	keys.kind = info->kind;
	keys.purpose = purpose;
	keys.pid = info->pid;
	keys.cpu = info->cpu;
	keys.comm = info->comm;
	g = rs_groups_get(r->groups, &keys);
	if (!g || rs_stats_add_walk(&g->stats, w)) {
		fc->error = ENOMEM;
		return;
	}
	if (w->status == RS_WALK_OK)
		rs_topn_offer(&r->top, w, purpose, fc->sum->file);
	if (r->opts.row_fn) {
		struct rs_row row = {
			.walk = w,
			.file = fc->sum->file,
			.buffer = fc->sum->buffers[bc->buffer].name,
			.purpose = purpose,
			.source = fc->sum->source,
		};

		if (r->opts.row_fn(&row, r->opts.row_arg))
			fc->error = errno ? errno : EIO;
	}
}

static int on_record(int buffer, struct tep_record *rec, void *arg)
{
	struct file_ctx *fc = arg;
	struct rs_trace_summary *sum = fc->sum;
	struct rs_walk_event ev;
	int ret;

	sum->records++;
	if (rec->missed_events)
		rs_pairing_lost(fc->pairing[buffer], rec->cpu, rec->ts, rec->missed_events);
	ret = rs_decode_record(fc->dec, rec, &ev);
	if (ret < 0)
		sum->undecodable++;
	if (ret <= 0)
		return fc->error ? -fc->error : 0;
	if (!sum->walk_events)
		sum->first_ts = ev.ts;
	sum->last_ts = ev.ts;
	sum->walk_events++;
	sum->buffers[buffer].walk_events++;
	if (rs_pairing_feed(fc->pairing[buffer], &ev, NULL) == RS_FEED_ERROR)
		fc->error = errno ? errno : ENOMEM;
	return fc->error ? -fc->error : 0;
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

static int read_file(struct file_ctx *fc, struct rs_error *err)
{
	struct rs_report *r = fc->r;
	struct rs_trace_summary *sum = fc->sum;
	const struct rs_trace_meta *meta = rs_trace_meta(fc->trace);
	unsigned long long mask = 0;
	int i, ret, chosen = -1;
	size_t b;

	sum->uname = dup_or_null(meta->uname);
	sum->tracecmd_version = dup_or_null(meta->tracecmd_version);
	sum->file_version = meta->file_version;
	sum->cpus = meta->cpus;

	fc->dec = rs_decoder_new(fc->tep);
	if (!fc->dec)
		goto nomem;
	sum->formats = rs_decoder_sources(fc->dec);
	if (!sum->formats) {
		if (rs_tep_guard_bad_formats())
			rs_error_set(err, "record it again; the file is damaged",
				     "damaged event formats in the file");
		else if (rs_decoder_error(fc->dec))
			rs_error_set(err, "record on a kernel with kernel/patches applied, or with `rmapstat record`",
				     "%s", rs_decoder_error(fc->dec));
		else
			rs_error_set(err, "record with `rmapstat record`, or `trace-cmd record -e rmap` on a kernel with kernel/patches (see ./run-lab)",
				     "no rmap walk events in this trace (neither rmap:rmap_walk_start/end nor the rmapstat kprobes)");
		return -1;
	}
	/* Both: the kprobes would count every walk a second time. */
	sum->source = sum->formats & RS_SRC_TRACEPOINTS ? RS_SRC_TRACEPOINTS : RS_SRC_KPROBES;
	rs_decoder_use(fc->dec, sum->source);

	if (r->opts.buffer) {
		chosen = rs_trace_find_buffer(fc->trace, r->opts.buffer);
		if (chosen < 0 || chosen >= 64) {
			char list[512], fix[600];

			buffer_list(fc->trace, list, sizeof(list));
			snprintf(fix, sizeof(fix), "buffers in this file: %s", list);
			rs_error_set(err, fix, "no buffer named '%s'", r->opts.buffer);
			return -1;
		}
		mask = 1ULL << chosen;
	} else {
		mask = ~0ULL;
	}

	sum->nr_buffers = meta->nr_buffers;
	sum->buffers = calloc(sum->nr_buffers, sizeof(*sum->buffers));
	fc->pairing = calloc(sum->nr_buffers, sizeof(*fc->pairing));
	fc->bctx = calloc(sum->nr_buffers, sizeof(*fc->bctx));
	if (!sum->buffers || !fc->pairing || !fc->bctx)
		goto nomem;
	for (b = 0; b < sum->nr_buffers; b++) {
		sum->buffers[b].name = strdup(rs_trace_buffer_name(fc->trace, b));
		sum->buffers[b].clock = strdup(rs_trace_buffer_clock(fc->trace, b));
		fc->bctx[b].fc = fc;
		fc->bctx[b].buffer = b;
		fc->pairing[b] = rs_pairing_new(on_walk, &fc->bctx[b]);
		if (!sum->buffers[b].name || !sum->buffers[b].clock || !fc->pairing[b])
			goto nomem;
	}

	ret = rs_trace_iterate(fc->trace, mask, on_record, fc);
	if (rs_tep_guard_damaged_pages() && !fc->error) {
		rs_error_set(err, "record it again; the file is damaged",
			     "damaged ring-buffer pages in the CPU data (events outside their page)");
		return -1;
	}
	for (b = 0; b < sum->nr_buffers && !fc->error; b++) {
		if (rs_pairing_flush(fc->pairing[b]))
			fc->error = ENOMEM;
	}
	if (ret < 0 && !fc->error)
		fc->error = -ret;
	if (fc->error) {
		rs_error_set(err, fc->error == ENOMEM ? "free some memory, or report fewer groups" :
			     "check the output (disk full? closed pipe?)",
			     "%s", strerror(fc->error));
		return -1;
	}

	for (b = 0; b < sum->nr_buffers; b++) {
		sum->buffers[b].pc = *rs_pairing_counters(fc->pairing[b]);
		add_counters(&sum->pc, &sum->buffers[b].pc);
	}
	/* The clock that matters: the first buffer with walks, else the top one. */
	i = chosen >= 0 ? chosen : 0;
	for (b = 0; b < sum->nr_buffers; b++) {
		if (sum->buffers[b].walk_events) {
			i = b;
			break;
		}
	}
	sum->clock = strdup(sum->buffers[i].clock);
	if (!sum->clock)
		goto nomem;
	add_counters(&r->totals, &sum->pc);
	r->sources |= sum->source;
	r->missing |= rs_source_missing(sum->source);
	return 0;
nomem:
	rs_error_set(err, "free some memory and try again", "out of memory");
	return -1;
}

int rs_report_add_file(struct rs_report *r, const char *file, struct rs_error *err)
{
	struct rs_trace_summary *traces;
	struct file_ctx fc;
	size_t b;
	int ret;

	memset(&fc, 0, sizeof(fc));
	fc.r = r;
	fc.trace = rs_trace_open(file, err);
	if (!fc.trace)
		return -1;
	fc.tep = rs_trace_tep(fc.trace);

	traces = realloc(r->traces, (r->nr_traces + 1) * sizeof(*traces));
	if (!traces) {
		rs_trace_close(fc.trace);
		rs_error_set(err, "free some memory and try again", "out of memory");
		return -1;
	}
	r->traces = traces;
	fc.sum = &r->traces[r->nr_traces];
	memset(fc.sum, 0, sizeof(*fc.sum));
	fc.sum->file = strdup(file);
	if (!fc.sum->file) {
		rs_trace_close(fc.trace);
		rs_error_set(err, "free some memory and try again", "out of memory");
		return -1;
	}
	r->nr_traces++;

	ret = read_file(&fc, err);

	if (fc.pairing)
		for (b = 0; b < fc.sum->nr_buffers; b++)
			rs_pairing_free(fc.pairing[b]);
	free(fc.pairing);
	free(fc.bctx);
	rs_decoder_free(fc.dec);
	rs_trace_close(fc.trace);
	if (ret) {
		free_summary(fc.sum);
		r->nr_traces--;
	}
	return ret;
}
