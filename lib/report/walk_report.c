// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "name_table.h"
#include "purpose.h"
#include "trace_input.h"
#include "walk_decode.h"
#include "walk_report.h"

/* State while one file is read: one pairing engine per buffer. */
struct file_ctx {
	struct rs_report *r;
	struct rs_trace_summary *sum;
	struct rs_name_table *purposes;	/* by rmap_one, from the reader */
	struct rs_pairing **pairing;
	struct rs_waits **waits;	/* per buffer; NULL: no lock events */
	struct buffer_ctx *bctx;
	size_t nr_pairing;
	int error;			/* errno of a failure while pairing */
	uint64_t memo_rmap_one;		/* the purpose of the last walk */
	unsigned int memo_has;
	const char *memo_purpose;
	char purpose_buf[RS_PURPOSE_LEN];
};

struct buffer_ctx {
	struct file_ctx *fc;
	size_t buffer;
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
	if (!r->groups || rs_topn_init(&r->top, opts->top_n) ||
	    rs_waits_report_init(&r->waits, opts->top_n ? opts->top_n : RS_REPORT_TOP_BLAMED)) {
		rs_groups_free(r->groups);
		rs_topn_free(&r->top);
		rs_waits_report_free(&r->waits);
		free(r);
		return NULL;
	}
	return r;
}

void rs_report_free(struct rs_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nr_traces; i++)
		rs_trace_summary_free(&r->traces[i]);
	free(r->traces);
	rs_groups_free(r->groups);
	rs_topn_free(&r->top);
	rs_waits_report_free(&r->waits);
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

/* Walks of one purpose come in runs: its name is looked up once per run. */
static const char *purpose_of(struct file_ctx *fc, const struct rs_walk_event *info)
{
	unsigned int has = info->has & RS_HAS_RMAP_ONE;

	if (fc->memo_purpose && fc->memo_rmap_one == info->rmap_one && fc->memo_has == has)
		return fc->memo_purpose;
	fc->memo_rmap_one = info->rmap_one;
	fc->memo_has = has;
	fc->memo_purpose = has ? rs_name_table_get(fc->purposes, info->rmap_one) : NULL;
	if (!fc->memo_purpose)
		fc->memo_purpose = rs_purpose_name(NULL, info, fc->purpose_buf,
						   sizeof(fc->purpose_buf));
	return fc->memo_purpose;
}

static void on_walk(const struct rs_walk *w, void *arg)
{
	struct buffer_ctx *bc = arg;
	struct file_ctx *fc = bc->fc;
	struct rs_report *r = fc->r;
	const struct rs_walk_event *info = rs_walk_info(w);
	struct rs_walk_keys keys;
	struct rs_group *g;
	const char *purpose;

	if (fc->error)
		return;
	purpose = purpose_of(fc, info);
	/* Per walk: a nested call is the walk of its outer one, counted there. */
	if (rs_purpose_missed(purpose) && w->status != RS_WALK_NESTED)
		fc->sum->purpose_misses++;
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
	if (fc->waits && rs_waits_walk(fc->waits[bc->buffer], w, NULL)) {
		fc->error = ENOMEM;
		return;
	}
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

static void on_wait(const struct rs_wait *w, void *arg)
{
	struct buffer_ctx *bc = arg;
	struct file_ctx *fc = bc->fc;

	if (!fc->error && rs_waits_report_wait(&fc->r->waits, w))
		fc->error = ENOMEM;
	if (!fc->error && fc->r->opts.wait_fn) {
		struct rs_wait_row row = {
			.wait = w,
			.file = fc->sum->file,
			.buffer = fc->sum->buffers[bc->buffer].name,
		};

		if (fc->r->opts.wait_fn(&row, fc->r->opts.wait_arg))
			fc->error = errno ? errno : EIO;
	}
}

static void on_collateral(const struct rs_collateral *c, void *arg)
{
	struct buffer_ctx *bc = arg;
	struct file_ctx *fc = bc->fc;

	if (!fc->error && rs_waits_report_walk(&fc->r->waits, c, purpose_of(fc, rs_walk_info(&c->walk)),
						 fc->sum->file))
		fc->error = ENOMEM;
}

static int on_head(const struct rs_trace_summary *sum, void *arg)
{
	struct file_ctx *fc = arg;
	size_t b;

	/* The lock waits, where the trace has them: one engine per buffer too. */
	if (sum->source & RS_SRC_LOCKS) {
		fc->waits = calloc(sum->nr_buffers, sizeof(*fc->waits));
		if (!fc->waits)
			return ENOMEM;
	}
	fc->pairing = calloc(sum->nr_buffers, sizeof(*fc->pairing));
	fc->bctx = calloc(sum->nr_buffers, sizeof(*fc->bctx));
	if (!fc->pairing || !fc->bctx)
		return ENOMEM;
	fc->nr_pairing = sum->nr_buffers;
	for (b = 0; b < sum->nr_buffers; b++) {
		fc->bctx[b].fc = fc;
		fc->bctx[b].buffer = b;
		fc->pairing[b] = rs_pairing_new(on_walk, &fc->bctx[b]);
		if (!fc->pairing[b])
			return ENOMEM;
		if (fc->waits) {
			fc->waits[b] = rs_waits_new(on_wait, on_collateral, &fc->bctx[b],
						    sum->source & RS_SRC_HOLDS);
			if (!fc->waits[b])
				return ENOMEM;
		}
	}
	return 0;
}

static int on_purpose(uint64_t rmap_one, const char *name, void *arg)
{
	struct file_ctx *fc = arg;

	fc->memo_purpose = NULL;	/* the table may move it */
	return rs_name_table_put(fc->purposes, rmap_one, name) ? ENOMEM : 0;
}

static void on_op(struct file_ctx *fc, const struct rs_walk_event *ev)
{
	struct rs_report *r = fc->r;
	struct rs_op_row row = { .op = ev, .file = fc->sum->file };

	if (rs_waits_report_op(&r->waits, ev, fc->sum->first_ts, &row.blocked_ns)) {
		fc->error = ENOMEM;
		return;
	}
	if (r->opts.op_fn && r->opts.op_fn(&row, r->opts.op_arg))
		fc->error = errno ? errno : EIO;
}

static int on_event(const struct rs_walk_event *ev, size_t buffer, void *arg)
{
	struct file_ctx *fc = arg;

	if (rs_pairing_feed(fc->pairing[buffer], ev, NULL) == RS_FEED_ERROR && !fc->error)
		fc->error = errno ? errno : ENOMEM;
	if (fc->waits && !fc->error && rs_waits_feed(fc->waits[buffer], ev))
		fc->error = ENOMEM;
	if (ev->type == RS_EV_OP && !fc->error)
		on_op(fc, ev);
	return fc->error;
}

static int on_lost(size_t buffer, int cpu, uint64_t ts, long long missed, void *arg)
{
	struct file_ctx *fc = arg;

	rs_pairing_lost(fc->pairing[buffer], cpu, ts, missed);
	if (fc->waits)
		rs_waits_lost(fc->waits[buffer], cpu, ts);
	return 0;
}

/* The walks still in flight, and the pairing counters into the summary. */
static int finish(struct file_ctx *fc, struct rs_error *err)
{
	struct rs_trace_summary *sum = fc->sum;
	size_t b;

	for (b = 0; b < fc->nr_pairing && !fc->error; b++) {
		if (rs_pairing_flush(fc->pairing[b]) ||
		    (fc->waits && rs_waits_flush(fc->waits[b])))
			fc->error = ENOMEM;
	}
	if (fc->error) {
		rs_error_set(err, fc->error == ENOMEM ? "free some memory, or report fewer groups" :
			     RS_FIX_OUTPUT,
			     "%s", strerror(fc->error));
		return -1;
	}
	for (b = 0; b < fc->nr_pairing; b++) {
		sum->buffers[b].pc = *rs_pairing_counters(fc->pairing[b]);
		rs_pairing_counters_add(&sum->pc, &sum->buffers[b].pc);
		if (fc->waits)
			rs_waits_report_counters(&fc->r->waits, rs_waits_counters(fc->waits[b]));
	}
	return 0;
}

int rs_report_add_file(struct rs_report *r, const char *file, struct rs_error *err)
{
	int fd = rs_trace_open_file(file, err);

	return fd < 0 ? -1 : rs_report_add_fd(r, fd, file, err);
}

int rs_report_add_fd(struct rs_report *r, int fd, const char *file, struct rs_error *err)
{
	static const struct rs_scan_ops ops = {
		.head = on_head,
		.purpose = on_purpose,
		.event = on_event,
		.lost = on_lost,
	};
	struct rs_scan_opts so = { .buffer = r->opts.buffer };
	struct rs_trace_summary *traces, *sum;
	struct file_ctx fc;
	size_t b;
	int ret;

	traces = realloc(r->traces, (r->nr_traces + 1) * sizeof(*traces));
	if (!traces) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		close(fd);
		return -1;
	}
	r->traces = traces;
	sum = &r->traces[r->nr_traces];
	memset(sum, 0, sizeof(*sum));
	memset(&fc, 0, sizeof(fc));
	fc.r = r;
	fc.sum = sum;
	fc.purposes = rs_name_table_new();
	if (!fc.purposes) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		close(fd);
		return -1;
	}
	ret = rs_scan_file_fd(fd, file, &so, &ops, &fc, sum, err);
	if (!ret)
		ret = finish(&fc, err);
	for (b = 0; b < fc.nr_pairing; b++) {
		rs_pairing_free(fc.pairing[b]);
		if (fc.waits)
			rs_waits_free(fc.waits[b]);
	}
	free(fc.pairing);
	free(fc.waits);
	free(fc.bctx);
	rs_name_table_free(fc.purposes);
	if (ret) {
		rs_trace_summary_free(sum);
		return -1;
	}
	r->nr_traces++;
	rs_pairing_counters_add(&r->totals, &sum->pc);
	r->sources |= sum->source;
	r->missing |= rs_source_missing(sum->source);
	return 0;
}
