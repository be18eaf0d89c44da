// SPDX-License-Identifier: GPL-2.0-only
/*
 * One CSV line per walk record (RFC 4180): the walks as they are paired,
 * and the starts and ends that could not be, with their status. Fields a
 * record does not have are empty; so is short where rs_walk_is_short()
 * cannot tell. Columns added later go at the end, so that readers that
 * take them by position keep working.
 */
#include <inttypes.h>
#include <string.h>

#include "format.h"
#include "walk_decode.h"

static void csv_string(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int rs_output_csv_header(FILE *f)
{
	fputs("status,file,buffer,start_ns,end_ns,duration_ns,start_cpu,end_cpu,pid,comm,"
	      "kind,purpose,rmap_one,pfn,rwc,folio,func,locked,mapcount,nr_visited,"
	      "nr_rmap_one,short,nr_pages\n", f);
	return ferror(f) ? -1 : 0;
}

/* A number the record may not have: the field is empty then. */
static void csv_u64(FILE *f, bool has, const char *fmt, uint64_t v)
{
	if (has)
		fprintf(f, fmt, v);
	fputc(',', f);
}

static void csv_int(FILE *f, bool has, long long v)
{
	if (has)
		fprintf(f, "%lld", v);
	fputc(',', f);
}

int rs_output_csv_row(FILE *f, const struct rs_row *row)
{
	const struct rs_walk *w = row->walk;
	const struct rs_walk_event *i = rs_walk_info(w);
	bool has_start = w->status != RS_WALK_NO_START;
	bool has_end = w->status == RS_WALK_OK || w->status == RS_WALK_NESTED ||
		       w->status == RS_WALK_NO_START;
	int is_short = rs_walk_is_short(w);

	fprintf(f, "%s,", rs_walk_status_name(w->status));
	csv_string(f, row->file);
	fputc(',', f);
	csv_string(f, rs_buffer_label(row->buffer));
	fputc(',', f);
	csv_u64(f, has_start, "%" PRIu64, w->start.ts);
	csv_u64(f, has_end, "%" PRIu64, w->end.ts);
	csv_u64(f, has_start && has_end, "%" PRIu64, w->duration_ns);
	csv_int(f, has_start, w->start.cpu);
	csv_int(f, has_end, w->end.cpu);
	csv_int(f, true, i->pid);
	csv_string(f, i->comm);
	fprintf(f, ",%s,", rs_kind_name(i->kind));
	csv_string(f, row->purpose);
	fputc(',', f);
	csv_u64(f, i->has & RS_HAS_RMAP_ONE, "0x%" PRIx64, i->rmap_one);
	csv_u64(f, i->has & RS_HAS_PFN, "0x%" PRIx64, i->pfn);
	csv_u64(f, i->has & RS_HAS_RWC, "0x%" PRIx64, i->rwc);
	csv_u64(f, i->has & RS_HAS_FOLIO, "0x%" PRIx64, i->folio);
	fprintf(f, "%s,", rs_func_name(i->func));
	csv_int(f, i->has & RS_HAS_LOCKED, i->locked);
	csv_int(f, has_start && (w->start.has & RS_HAS_MAPCOUNT), w->start.mapcount);
	csv_int(f, has_end && (w->end.has & RS_HAS_VISITED), w->end.nr_visited);
	csv_int(f, has_end && (w->end.has & RS_HAS_CALLS), w->end.nr_rmap_one);
	if (is_short >= 0)
		fprintf(f, "%d", is_short);
	fputc(',', f);
	if (has_start && (w->start.has & RS_HAS_NR_PAGES))
		fprintf(f, "%u", w->start.nr_pages);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* ---------------------------------------------------------- waits */

int rs_output_csv_waits_header(FILE *f)
{
	fputs("file,buffer,pid,comm,cpu,lock,flags,begin_ns,end_ns,wait_ns,complete,cause,"
	      "proof,blocked_ns,walk_pid,walk_start_ns\n", f);
	return ferror(f) ? -1 : 0;
}

/* LCB_F_* as the kernel's contention_begin prints them: "WRITE", "READ|SPIN". */
static void csv_lock_flags(FILE *f, unsigned int flags)
{
	static const char * const names[] = { "SPIN", "READ", "WRITE", "RT", "PERCPU", "MUTEX" };
	bool first = true;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & (1U << i)))
			continue;
		fprintf(f, "%s%s", first ? "" : "|", names[i]);
		first = false;
	}
	if (flags >> i)
		fprintf(f, "%s0x%x", first ? "" : "|", flags >> i << i);
	fputc(',', f);
}

int rs_output_csv_wait_row(FILE *f, const struct rs_wait_row *row)
{
	const struct rs_wait *w = row->wait;
	bool blamed = w->cause != RS_WAIT_OTHER;

	csv_string(f, row->file);
	fputc(',', f);
	csv_string(f, rs_buffer_label(row->buffer));
	fprintf(f, ",%d,", w->pid);
	csv_string(f, w->comm);
	fprintf(f, ",%d,0x%" PRIx64 ",", w->cpu, w->lock);
	csv_lock_flags(f, w->flags);
	fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%d,%s,%s,%" PRIu64 ",", w->begin, w->end,
		w->end - w->begin, w->complete, rs_wait_cause_name(w->cause),
		rs_wait_proof_name(w->proof), w->blocked_ns);
	csv_int(f, blamed, w->walk_pid);
	if (blamed)
		fprintf(f, "%" PRIu64, w->walk_ts);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* ---------------------------------------------------------- victim operations */

int rs_output_csv_ops_header(FILE *f)
{
	fputs("file,pid,comm,thread,op,start_ns,end_ns,duration_ns,ret,blocked_ns\n", f);
	return ferror(f) ? -1 : 0;
}

int rs_output_csv_op_row(FILE *f, const struct rs_op_row *row)
{
	const struct rs_walk_event *o = row->op;

	csv_string(f, row->file);
	fprintf(f, ",%d,", o->pid);
	csv_string(f, o->comm);
	fprintf(f, ",%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%d,%" PRIu64 "\n", o->op_thread,
		rs_op_name(o->op), o->op_start, o->op_end,
		o->op_end > o->op_start ? o->op_end - o->op_start : 0, o->op_ret, row->blocked_ns);
	return ferror(f) ? -1 : 0;
}
