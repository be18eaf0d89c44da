// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <event-parse.h>

#include "op_marker.h"
#include "walk_decode.h"

enum {
	F_PFN, F_RWC, F_RMAP_ONE, F_KIND, F_MAPCOUNT, F_NR_PAGES, F_LOCKED,
	F_VISITED, F_CALLS, F_FOLIO, F_MAPPING, F_VMA,
	F_LOCK_ADDR, F_FLAGS, F_RET, F_BASE, F_OFF, F_ID, F_NR
};

/* Each field the decoder reads: its name in the event format, its RS_HAS_* bit. */
static const struct {
	const char *name;
	unsigned int has;
} fields[F_NR] = {
	[F_PFN]		= { "pfn",		RS_HAS_PFN },
	[F_RWC]		= { "rwc",		RS_HAS_RWC },
	[F_RMAP_ONE]	= { "rmap_one",		RS_HAS_RMAP_ONE },
	[F_KIND]	= { "kind",		RS_HAS_KIND },
	[F_MAPCOUNT]	= { "mapcount",		RS_HAS_MAPCOUNT },
	[F_NR_PAGES]	= { "nr_pages",		RS_HAS_NR_PAGES },
	[F_LOCKED]	= { "locked",		RS_HAS_LOCKED },
	[F_VISITED]	= { "nr_visited",	RS_HAS_VISITED },
	[F_CALLS]	= { "nr_rmap_one",	RS_HAS_CALLS },
	[F_FOLIO]	= { "folio",		RS_HAS_FOLIO },
	[F_MAPPING]	= { "mapping",		0 },
	[F_VMA]		= { RS_VISIT_FIELD,	RS_HAS_VMA },
	/* holds, waits, wakes and ops: decode_lock() and decode_op() say what they had */
	[F_LOCK_ADDR]	= { "lock_addr",	0 },
	[F_FLAGS]	= { "flags",		0 },
	[F_RET]		= { "ret",		0 },
	[F_BASE]	= { RS_HOLD_BASE,	0 },
	[F_OFF]		= { RS_HOLD_OFF,	0 },
	[F_ID]		= { "id",		0 },
};

struct known_event {
	const char *system;
	const char *name;
	enum rs_ev_type type;
	enum rs_func func;
	unsigned int source;
	unsigned int required;		/* F_* bits the pairing cannot do without */
	enum rs_kind tree;		/* a visit event: the tree it iterates */
};

#define BIT(f)	(1U << (f))

/* The entry and exit events rmapstat record puts on a walk function. */
#define KPROBE_PAIR(id, fn)							\
	{ "rmapstat", #fn "_entry", RS_EV_ENTRY, RS_FUNC_##id, RS_SRC_KPROBES, 0,	\
	  RS_KIND_UNKNOWN },								\
	{ "rmapstat", #fn "_exit", RS_EV_EXIT, RS_FUNC_##id, RS_SRC_KPROBES, 0,	\
	  RS_KIND_UNKNOWN },

/* A visit event: without its vma it cannot say whether it visited one. */
#define VISIT_EVENT(tree_, name)						\
	{ "rmapstat", #name, RS_EV_VISIT, RS_FUNC_NONE, RS_SRC_VISITS, BIT(F_VMA), \
	  RS_KIND_##tree_ },

/* A hold event: the lock is base + off, so it needs both. */
#define HOLD_EVENT(tree_, name)							\
	{ "rmapstat", #name, RS_EV_HOLD, RS_FUNC_NONE, RS_SRC_HOLDS,		\
	  BIT(F_BASE) | BIT(F_OFF), RS_KIND_##tree_ },

static const struct known_event known[] = {
	{ "rmap", "rmap_walk_start", RS_EV_START, RS_FUNC_NONE,
	  RS_SRC_TRACEPOINTS, BIT(F_PFN) | BIT(F_RWC), RS_KIND_UNKNOWN },
	{ "rmap", "rmap_walk_end", RS_EV_END, RS_FUNC_NONE,
	  RS_SRC_TRACEPOINTS, BIT(F_PFN) | BIT(F_RWC), RS_KIND_UNKNOWN },
	RS_WALK_FUNCS(KPROBE_PAIR)
	RS_VISIT_EVENTS(VISIT_EVENT)
	RS_HOLD_EVENTS(HOLD_EVENT)
	{ "lock", "contention_begin", RS_EV_WAIT, RS_FUNC_NONE, RS_SRC_LOCKS,
	  BIT(F_LOCK_ADDR) | BIT(F_FLAGS), RS_KIND_UNKNOWN },
	{ "lock", "contention_end", RS_EV_WAKE, RS_FUNC_NONE, RS_SRC_LOCKS,
	  BIT(F_LOCK_ADDR), RS_KIND_UNKNOWN },
	{ "ftrace", "raw_data", RS_EV_OP, RS_FUNC_NONE, RS_SRC_OPS,
	  BIT(F_ID), RS_KIND_UNKNOWN },
};

#define NR_KNOWN	(sizeof(known) / sizeof(known[0]))

struct cached_event {
	struct tep_event *event;	/* NULL: not in this trace */
	struct tep_format_field *field[F_NR];
	struct tep_format_field *buf;	/* raw_data: its dynamic array */
	int usable;
	/* the F_* the format has, in order: the fields decode() reads */
	unsigned char present[F_NR];
	unsigned char nr_present;
	/* where they are: a record of at least min_size holds them all */
	unsigned short off[F_NR];
	unsigned char size[F_NR];
	unsigned int min_size;
	unsigned int has_all;		/* RS_HAS_* of the present fields */
	/*
	 * The tracepoint's own layout (kernel/patches/0001): pfn, rwc and
	 * rmap_one of 8 bytes, kind (and mapcount and maybe nr_pages, or
	 * nr_visited and nr_rmap_one) of 4, locked of 1, in this machine's
	 * byte order. decode_straight() then reads them in one straight line.
	 */
	bool straight;
};

/* A common field (type, pid) read in place: the same in every event. */
struct common_field {
	struct tep_format_field *field;	/* NULL: not found, use libtraceevent */
};

struct rs_decoder {
	struct tep_handle *tep;
	int nr_events;			/* tep_get_events_count() at last lookup */
	unsigned int sources;
	unsigned int use;
	/* 1 << RS_KIND_ANON, _FILE: the trees whose visit events are all usable */
	unsigned int visit_trees;
	bool native;			/* the trace has this machine's byte order */
	struct cached_event ev[NR_KNOWN];
	struct common_field type, pid;
	bool type_at_0;			/* common_type native, 2 bytes at offset 0 */
	bool pid_at_4;			/* common_pid native, 4 bytes at offset 4 */
	/* event id -> index in known[] (-1: no walk event), for recent ids */
	int id_cache_id[16];
	int id_cache_idx[16];
	/* comm of the last pid looked up: walks of one task come in runs */
	int memo_pid;
	bool memo_valid;
	char memo_comm[RS_COMM_LEN];
	char err[256];
};

struct rs_decoder *rs_decoder_new(struct tep_handle *tep)
{
	struct rs_decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->tep = tep;
	d->nr_events = -1;
	d->use = RS_SRC_WALKS | RS_SRC_VISITS | RS_SRC_WAITS;
	return d;
}

int rs_decoder_event(size_t i, const char **system, const char **name,
		     enum rs_ev_type *type)
{
	if (i >= NR_KNOWN)
		return -1;
	*system = known[i].system;
	*name = known[i].name;
	*type = known[i].type;
	return 0;
}

void rs_decoder_free(struct rs_decoder *d)
{
	free(d);
}

/*
 * The fields and sizes decode_straight() reads, and no others. A start
 * may lack nr_pages: the traces recorded before the field was added.
 */
static bool straight_layout(const struct known_event *k, const struct cached_event *c)
{
	static const unsigned char start[F_NR] = {
		[F_PFN] = 8, [F_RWC] = 8, [F_RMAP_ONE] = 8, [F_KIND] = 4,
		[F_MAPCOUNT] = 4, [F_NR_PAGES] = 4, [F_LOCKED] = 1,
	};
	static const unsigned char end[F_NR] = {
		[F_PFN] = 8, [F_RWC] = 8, [F_RMAP_ONE] = 8, [F_KIND] = 4,
		[F_VISITED] = 4, [F_CALLS] = 4, [F_LOCKED] = 1,
	};
	const unsigned char *want = k->type == RS_EV_START ? start : end;
	int f;

	if (k->source != RS_SRC_TRACEPOINTS)
		return false;
	for (f = 0; f < F_NR; f++)
		if ((c->field[f] ? c->size[f] : 0) != want[f] &&
		    !(f == F_NR_PAGES && !c->field[f]))
			return false;
	return true;
}

/*
 * The trees whose visits the trace has, and RS_SRC_VISITS in the sources
 * only with them and with the kprobe walks they are counted into: one
 * iterator of a tree missing would undercount every walk of that tree.
 */
static void visit_sources(struct rs_decoder *d)
{
	unsigned int missing = 0;
	size_t i;

	for (i = 0; i < NR_KNOWN; i++) {
		if (known[i].type != RS_EV_VISIT)
			continue;
		if (d->ev[i].usable)
			d->visit_trees |= 1U << known[i].tree;
		else
			missing |= 1U << known[i].tree;
	}
	d->visit_trees &= ~missing;
	if (!d->visit_trees || !(d->sources & RS_SRC_KPROBES))
		d->sources &= ~RS_SRC_VISITS;
}

/* Whether the visits of a kprobe walk of this kind are in the trace and decoded. */
static bool visits_counted(const struct rs_decoder *d, enum rs_kind kind)
{
	unsigned int trees = kind == RS_KIND_FILE ? 1U << RS_KIND_FILE :
			     kind == RS_KIND_UNKNOWN ? 1U << RS_KIND_ANON | 1U << RS_KIND_FILE :
			     1U << RS_KIND_ANON;	/* KSM walks iterate the anon tree */

	return (d->use & RS_SRC_VISITS) && (d->visit_trees & trees) == trees;
}

/* Whose format an event lacking a field is not: for the error line. */
static const char *format_origin(const struct known_event *k)
{
	switch (k->source) {
	case RS_SRC_VISITS:
		return "a kretprobe with " RS_VISIT_FETCHARG;
	case RS_SRC_HOLDS:
		return "a kprobe with " RS_HOLD_BASE " and " RS_HOLD_OFF;
	case RS_SRC_LOCKS:
	case RS_SRC_OPS:
		return "Linux 5.19 or later";
	default:
		return "kernel/patches/0001";
	}
}

static void resolve(struct rs_decoder *d)
{
	int nr = tep_get_events_count(d->tep);
	size_t i, f;

	if (nr == d->nr_events)
		return;
	d->nr_events = nr;
	d->sources = 0;
	d->visit_trees = 0;
	d->native = tep_is_file_bigendian(d->tep) == tep_is_local_bigendian(d->tep);
	d->type.field = NULL;
	d->pid.field = NULL;
	d->type_at_0 = false;
	d->pid_at_4 = false;
	d->memo_valid = false;
	for (i = 0; i < 16; i++)
		d->id_cache_id[i] = -1;
	for (i = 0; i < NR_KNOWN; i++) {
		struct cached_event *c = &d->ev[i];

		memset(c, 0, sizeof(*c));
		c->event = tep_find_event_by_name(d->tep, known[i].system, known[i].name);
		if (!c->event)
			continue;
		c->usable = 1;
		for (f = 0; f < F_NR; f++) {
			c->field[f] = tep_find_field(c->event, fields[f].name);
			/* Only numbers: a string "kind" (other series) is no kind. */
			if (c->field[f] && (c->field[f]->flags &
					    (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC |
					     TEP_FIELD_IS_STRING)))
				c->field[f] = NULL;
			if (!c->field[f] && (known[i].required & BIT(f))) {
				c->usable = 0;
				snprintf(d->err, sizeof(d->err),
					 "%s:%s has no field '%s' (this is not the event format of %s)",
					 known[i].system, known[i].name, fields[f].name,
					 format_origin(&known[i]));
			}
		}
		for (f = 0; f < F_NR; f++) {
			struct tep_format_field *fl = c->field[f];

			if (!fl)
				continue;
			c->present[c->nr_present++] = f;
			c->has_all |= fields[f].has;
			/* Fast path only for what read_field() reads in place. */
			if (fl->offset < 0 || fl->offset > 0xffff ||
			    (fl->size != 1 && fl->size != 2 && fl->size != 4 && fl->size != 8)) {
				c->min_size = UINT32_MAX;
				continue;
			}
			c->off[f] = fl->offset;
			c->size[f] = fl->size;
			if (c->min_size != UINT32_MAX &&
			    (unsigned int)fl->offset + fl->size > c->min_size)
				c->min_size = fl->offset + fl->size;
		}
		if (known[i].type == RS_EV_OP) {
			c->buf = tep_find_field(c->event, "buf");
			if (!c->buf || !(c->buf->flags & TEP_FIELD_IS_ARRAY))
				c->usable = 0;
		}
		c->straight = c->usable && d->native && c->min_size != UINT32_MAX && straight_layout(&known[i], c);
		if (c->usable)
			d->sources |= known[i].source;
		if (!d->type.field) {
			d->type.field = tep_find_common_field(c->event, "common_type");
			d->pid.field = tep_find_common_field(c->event, "common_pid");
			d->type_at_0 = d->native && d->type.field && d->type.field->offset == 0 &&
				       d->type.field->size == 2;
			d->pid_at_4 = d->native && d->pid.field && d->pid.field->offset == 4 &&
				      d->pid.field->size == 4;
		}
	}
	visit_sources(d);
}

unsigned int rs_decoder_sources(struct rs_decoder *d)
{
	resolve(d);
	return d->sources;
}

void rs_decoder_use(struct rs_decoder *d, unsigned int sources)
{
	d->use = sources;
}

const char *rs_decoder_error(const struct rs_decoder *d)
{
	return d->err[0] ? d->err : NULL;
}

unsigned int rs_source_missing(unsigned int source)
{
	unsigned int missing = 0;

	if (source & RS_SRC_KPROBES)
		missing |= RS_HAS_PFN | RS_HAS_MAPCOUNT | RS_HAS_NR_PAGES | RS_HAS_CALLS |
			   (source & RS_SRC_VISITS ? 0 : RS_HAS_VISITED);
	if (source & RS_SRC_TRACEPOINTS)
		missing |= RS_HAS_FOLIO;
	return missing;
}

/* A number of 1, 2, 4 or 8 bytes at p, maybe unaligned, in this machine's byte order. */
static inline __attribute__((always_inline))
unsigned long long read_native(const unsigned char *p, unsigned int size)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 1:
		memcpy(&v8, p, 1);
		return v8;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

/*
 * A number field of the record. The fields are read in place (what
 * tep_read_number_field() does, without its per-call overhead: it is the
 * hot path of a report) when the file has this machine's byte order.
 */
static inline __attribute__((always_inline))
int read_field(const struct rs_decoder *d, struct tep_format_field *fl,
	       struct tep_record *rec, unsigned long long *val)
{
	if (!fl)
		return 0;
	if ((unsigned int)fl->offset + (unsigned int)fl->size > (unsigned int)rec->size)
		return 0;
	if (!d->native || (fl->size != 1 && fl->size != 2 && fl->size != 4 && fl->size != 8))
		return tep_read_number_field(fl, rec->data, val) == 0;
	*val = read_native((const unsigned char *)rec->data + fl->offset, fl->size);
	return 1;
}

/* common_pid and common_type in place, as tep_data_pid()/tep_data_type() read them. */
static int data_pid(const struct rs_decoder *d, struct tep_record *rec)
{
	unsigned long long v;
	int32_t pid;

	if (d->pid_at_4 && rec->size >= 8) {
		memcpy(&pid, (const char *)rec->data + 4, 4);
		return pid;
	}
	if (d->pid.field && read_field(d, d->pid.field, rec, &v))
		return (int)(int32_t)v;
	return tep_data_pid(d->tep, rec);
}

static int data_type(const struct rs_decoder *d, struct tep_record *rec)
{
	unsigned long long v;
	uint16_t t;

	/* common_type: 2 bytes at 0 in every format trace-cmd has met */
	if (d->type_at_0 && rec->size >= 2) {
		memcpy(&t, rec->data, 2);
		return t;
	}
	if (d->type.field && read_field(d, d->type.field, rec, &v))
		return (int)v;
	return tep_data_type(d->tep, rec);
}

/* The task of the event: the pid in place, its comm looked up once per run. */
static void decode_task(struct rs_decoder *d, struct tep_record *rec, struct rs_walk_event *ev)
{
	const char *comm;

	ev->pid = data_pid(d, rec);
	if (!d->memo_valid || d->memo_pid != ev->pid) {
		comm = tep_data_comm_from_pid(d->tep, ev->pid);
		d->memo_pid = ev->pid;
		d->memo_valid = true;
		memset(d->memo_comm, 0, sizeof(d->memo_comm));
		if (comm)
			strncpy(d->memo_comm, comm, sizeof(d->memo_comm) - 1);
	}
	memcpy(ev->comm, d->memo_comm, sizeof(ev->comm));
}

/*
 * The tracepoint's own layout: every field of @ev written here, none read
 * through libtraceevent. The common case, so no memset() first.
 */
/* Whether event i of this record is decoded by decode_straight(): in use, usable, whole. */
static inline bool takes_straight(const struct rs_decoder *d, size_t i,
				  const struct tep_record *rec)
{
	const struct cached_event *c = &d->ev[i];

	/* straight implies usable (resolve()) */
	return c->straight && (known[i].source & d->use) &&
	       (unsigned int)rec->size >= c->min_size;
}

static inline __attribute__((always_inline))
int decode_straight(struct rs_decoder *d, size_t i, struct tep_record *rec,
		    struct rs_walk_event *ev)
{
	const struct cached_event *c = &d->ev[i];
	const unsigned char *data = rec->data;
	bool start = known[i].type == RS_EV_START;
	uint32_t kind = read_native(data + c->off[F_KIND], 4);

	ev->ts = rec->ts;
	ev->cpu = rec->cpu;
	decode_task(d, rec, ev);
	ev->type = known[i].type;
	ev->func = known[i].func;
	ev->kind = kind < RS_KIND_UNKNOWN ? (enum rs_kind)kind : RS_KIND_UNKNOWN;
	ev->kind_raw = kind;
	ev->has = c->has_all;
	ev->pfn = read_native(data + c->off[F_PFN], 8);
	ev->rwc = read_native(data + c->off[F_RWC], 8);
	ev->rmap_one = read_native(data + c->off[F_RMAP_ONE], 8);
	ev->folio = 0;
	ev->vma = 0;
	ev->mapcount = start ? (int32_t)read_native(data + c->off[F_MAPCOUNT], 4) : 0;
	ev->nr_pages = c->has_all & RS_HAS_NR_PAGES ?
		       (uint32_t)read_native(data + c->off[F_NR_PAGES], 4) : 0;
	ev->locked = data[c->off[F_LOCKED]] != 0;
	ev->nr_visited = start ? 0 : read_native(data + c->off[F_VISITED], 4);
	ev->nr_rmap_one = start ? 0 : read_native(data + c->off[F_CALLS], 4);
	return 1;
}

/*
 * A visit: one a record, by the million, so every field is written here
 * (no memset() first) and only vma is read.
 */
static int decode_visit(struct rs_decoder *d, size_t i, struct tep_record *rec,
			struct rs_walk_event *ev)
{
	const struct cached_event *c = &d->ev[i];
	unsigned long long vma = 0;
	bool have;

	if (d->native && (unsigned int)rec->size >= c->min_size) {
		vma = read_native((const unsigned char *)rec->data + c->off[F_VMA], c->size[F_VMA]);
		have = true;
	} else {
		have = read_field(d, c->field[F_VMA], rec, &vma);
	}
	ev->ts = rec->ts;
	ev->cpu = rec->cpu;
	decode_task(d, rec, ev);
	ev->type = RS_EV_VISIT;
	ev->func = RS_FUNC_NONE;
	ev->kind = known[i].tree;
	ev->kind_raw = known[i].tree;
	ev->has = RS_HAS_KIND | (have ? RS_HAS_VMA | RS_HAS_VISITED : 0);
	ev->pfn = 0;
	ev->rwc = 0;
	ev->rmap_one = 0;
	ev->folio = 0;
	ev->vma = vma;
	ev->mapcount = 0;
	ev->nr_pages = 0;
	ev->locked = false;
	ev->nr_visited = vma != 0;
	ev->nr_rmap_one = 0;
	return 1;
}

/*
 * A hold, wait or wake, its number fields read into v. A hold without its
 * base (NULL: the tree's owner was not readable) names no lock.
 */
static int decode_lock(const struct known_event *k, struct rs_walk_event *ev,
		       const unsigned long long *v)
{
	switch (k->type) {
	case RS_EV_HOLD:
		ev->kind = k->tree;
		ev->kind_raw = k->tree;
		ev->has = RS_HAS_KIND;
		if (v[F_BASE]) {
			ev->lock = v[F_BASE] + (uint64_t)(int64_t)(int32_t)v[F_OFF];
			ev->has |= RS_HAS_LOCK;
		}
		break;
	case RS_EV_WAIT:
		ev->lock = v[F_LOCK_ADDR];
		ev->lock_flags = (unsigned int)v[F_FLAGS];
		ev->has = RS_HAS_LOCK;
		break;
	default:
		ev->lock = v[F_LOCK_ADDR];
		ev->lock_ret = (int)(int32_t)v[F_RET];
		ev->has = RS_HAS_LOCK;
		break;
	}
	return 1;
}

/*
 * A raw_data record: one of rmapstat's victim markers, or someone else's.
 * The kernel keeps the marker's first four bytes as id and the rest as
 * buf, which runs to the end of the record.
 */
static int decode_op(struct rs_decoder *d, size_t i, struct tep_record *rec,
		     struct rs_walk_event *ev)
{
	const struct cached_event *c = &d->ev[i];
	struct rs_op_marker m;
	unsigned long long id;
	size_t rest = sizeof(m) - sizeof(m.id);

	if (!read_field(d, c->field[F_ID], rec, &id) || id != RS_OP_MARKER_ID)
		return 0;
	if (c->buf->offset < 0 || (unsigned int)rec->size < (unsigned int)c->buf->offset + rest)
		return 0;
	m.id = (uint32_t)id;
	memcpy((char *)&m + sizeof(m.id), (const char *)rec->data + c->buf->offset, rest);
	/* The marker is in the recording machine's byte order, as the file is. */
	if (!d->native || m.version != RS_OP_MARKER_VERSION)
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->ts = rec->ts;
	ev->cpu = rec->cpu;
	decode_task(d, rec, ev);
	ev->type = RS_EV_OP;
	ev->func = RS_FUNC_NONE;
	ev->kind = RS_KIND_UNKNOWN;
	ev->has = RS_HAS_OP;
	ev->op = m.op;
	ev->op_thread = m.thread;
	ev->op_ret = m.ret;
	ev->op_start = m.start_ns;
	ev->op_end = m.end_ns;
	return 1;
}

static int decode(struct rs_decoder *d, size_t i, struct tep_record *rec,
		  struct rs_walk_event *ev)
{
	struct cached_event *c = &d->ev[i];
	unsigned long long v[F_NR];
	int f, n;

	if (takes_straight(d, i, rec))
		return decode_straight(d, i, rec, ev);
	if (!(known[i].source & d->use))
		return 0;
	if (!c->usable)
		return -1;
	if (known[i].type == RS_EV_VISIT)
		return decode_visit(d, i, rec, ev);
	if (known[i].type == RS_EV_OP)
		return decode_op(d, i, rec, ev);

	memset(ev, 0, sizeof(*ev));
	memset(v, 0, sizeof(v));
	ev->ts = rec->ts;
	ev->cpu = rec->cpu;
	decode_task(d, rec, ev);
	ev->type = known[i].type;
	ev->func = known[i].func;
	ev->kind = RS_KIND_UNKNOWN;

	if (d->native && (unsigned int)rec->size >= c->min_size) {
		/* Every field inside the record: read in place, no checks. */
		const unsigned char *data = rec->data;

		for (n = 0; n < c->nr_present; n++) {
			f = c->present[n];
			v[f] = read_native(data + c->off[f], c->size[f]);
		}
		ev->has = c->has_all;
	} else {
		for (n = 0; n < c->nr_present; n++) {
			f = c->present[n];
			if (read_field(d, c->field[f], rec, &v[f]))
				ev->has |= fields[f].has;
		}
	}
	ev->pfn = v[F_PFN];
	ev->rwc = v[F_RWC];
	ev->rmap_one = v[F_RMAP_ONE];
	ev->folio = v[F_FOLIO];
	ev->mapcount = (int)(int32_t)v[F_MAPCOUNT];
	ev->nr_pages = (unsigned int)v[F_NR_PAGES];
	ev->locked = v[F_LOCKED] != 0;
	ev->nr_visited = (unsigned int)v[F_VISITED];
	ev->nr_rmap_one = (unsigned int)v[F_CALLS];
	if (known[i].type >= RS_EV_HOLD)
		return decode_lock(&known[i], ev, v);

	if (ev->has & RS_HAS_KIND) {
		ev->kind = v[F_KIND] < RS_KIND_UNKNOWN ? (enum rs_kind)v[F_KIND]
						       : RS_KIND_UNKNOWN;
		ev->kind_raw = (unsigned int)v[F_KIND];
		return 1;
	}
	if (ev->type != RS_EV_ENTRY)
		return 1;
	/* A kprobe entry: rmap_walk_{ksm,anon,file} say it, else the mapping. */
	ev->kind = rs_func_kind(ev->func);
	if (ev->kind == RS_KIND_UNKNOWN && c->field[F_MAPPING])
		ev->kind = rs_kind_from_mapping(v[F_MAPPING]);
	if (ev->kind != RS_KIND_UNKNOWN) {
		ev->kind_raw = ev->kind;
		ev->has |= RS_HAS_KIND;
	}
	if (visits_counted(d, ev->kind))
		ev->has |= RS_HAS_VISIT_COUNT;
	/* rmap_walk_anon/_file have a locked argument; the others' names say it. */
	if (!(ev->has & RS_HAS_LOCKED)) {
		ev->locked = ev->func == RS_FUNC_RMAP_WALK_LOCKED;
		ev->has |= RS_HAS_LOCKED;
	}
	return 1;
}

int rs_decode_record(struct rs_decoder *d, struct tep_record *rec,
		     struct rs_walk_event *ev)
{
	unsigned int slot;
	int id;
	size_t i;

	/* The formats of a file do not change while it is read. */
	if (d->nr_events < 0)
		resolve(d);
	if (!d->sources && !d->err[0])
		return 0;
	id = data_type(d, rec);
	slot = (unsigned int)id % 16;
	if (d->id_cache_id[slot] != id) {
		d->id_cache_id[slot] = id;
		d->id_cache_idx[slot] = -1;
		for (i = 0; i < NR_KNOWN; i++) {
			if (d->ev[i].event && d->ev[i].event->id == id) {
				d->id_cache_idx[slot] = i;
				break;
			}
		}
	}
	if (d->id_cache_idx[slot] < 0)
		return 0;
	i = d->id_cache_idx[slot];
	/* The hot path, without decode()'s frame. */
	if (takes_straight(d, i, rec))
		return decode_straight(d, i, rec, ev);
	return decode(d, i, rec, ev);
}

int rs_decode_event(struct rs_decoder *d, struct tep_event *event,
		    struct tep_record *rec, struct rs_walk_event *ev)
{
	size_t i;

	resolve(d);
	for (i = 0; i < NR_KNOWN; i++) {
		if (d->ev[i].event == event)
			return decode(d, i, rec, ev);
	}
	return 0;
}
