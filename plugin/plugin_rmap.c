// SPDX-License-Identifier: GPL-2.0-only
/*
 * plugin_rmap - libtraceevent plugin for reverse-map walks
 *
 * Prints rmap:rmap_walk_start/rmap_walk_end (kernel/patches/0001) and the
 * kprobe fallback events of `rmapstat record` (system "rmapstat") for
 * `trace-cmd report`, with each walk's duration on its end event:
 *
 *   rmap_walk_start: pfn=0x4a3b2 kind=KSM purpose=try_to_migrate_one mapcount=2 nr_pages=1
 *   rmap_walk_end:   pfn=0x4a3b2 kind=KSM purpose=try_to_migrate_one mapcount=2 nr_pages=1
 *                    visited=9001 rmap_one=2 duration=404.123456ms SLOW
 *
 * nr_pages is printed where the trace has it (traces recorded before the
 * field have not). SHORT tags the end of a walk rs_walk_is_short() calls
 * short; where it cannot tell (a large folio, or no nr_pages and not KSM)
 * there is no tag, as there is none for a walk that is not short.
 *
 * The visit events of the kprobe fallback (rmapstat:visit_*) print their
 * vma alone; the engine counts them into the kprobe walk they belong to,
 * whose exit then prints visited= as a tracepoint's end does.
 *
 * In a trace with lock:contention_begin/_end (rmapstat record --waits),
 * the waits engine (lib/walk/waits.h) attributes the waits to the walks
 * that held the lock, and each end prints waiters=N waited=T: the waits
 * blamed on the walk so far and the time they had waited by its end (a
 * writer queued behind the walk waits on past it: its whole wait is in
 * the report). The lock events and rmapstat:hold_* print as the kernel
 * formats them; the victims' markers (ftrace:raw_data of op_marker.h)
 * print as op=mprotect thread=0 duration=... ret=0.
 *
 * Starts and ends are paired by the engine the rmapstat CLI uses
 * (lib/walk/pairing.h), fed one event at a time in the order trace-cmd prints
 * them (timestamp order across CPUs). Each tep handle (each input file)
 * has its own engine. Options: rmap:slow, rmap:unit, rmap:raw (see
 * Documentation/plugin.md).
 *
 * Plugins are loaded with RTLD_GLOBAL: everything here is static or hidden
 * except the loader and the unloader.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>
#include <event-utils.h>
#include <trace-seq.h>

#include "op_marker.h"
#include "pairing.h"
#include "purpose.h"
#include "waits.h"
#include "walk_decode.h"
#include "walk_event.h"

#define PLUGIN_EXPORT	__attribute__((visibility("default")))

/*
 * Options. String options need a non-NULL default .value (libtraceevent
 * treats an option without one as a boolean). They are registered with
 * tep_plugin_add_options() only, not exported as TEP_PLUGIN_OPTIONS:
 * libtraceevent would apply "-O rmap:raw" (a toggle) once for the export
 * and once more for the registration, turning it back off.
 */
static struct tep_plugin_option rmap_options[] = {
	{
		.name = "slow",
		.plugin_alias = "rmap",
		.description =
		"Tag walks taking at least this long SLOW: 1ms, 250us, 5000ns (a bare number is us; 0: off)",
		.value = "0",
	},
	{
		.name = "unit",
		.plugin_alias = "rmap",
		.description = "Unit of walk durations: auto, ns, us or ms",
		.value = "auto",
	},
	{
		.name = "raw",
		.plugin_alias = "rmap",
		.description = "Also print the raw fields of the rmap events (-O rmap:raw=1)",
	},
	{
		.name = NULL,
	},
};

#define OPT_SLOW	(&rmap_options[0])
#define OPT_UNIT	(&rmap_options[1])
#define OPT_RAW		(&rmap_options[2])

/* tep_plugin_add_options() once per process, however many teps load us. */
static int options_users;

enum unit { UNIT_AUTO, UNIT_NS, UNIT_US, UNIT_MS };

/* The last bad value reported for rmap:slow and rmap:unit. */
static char *bad_slow, *bad_unit;

/*
 * Replays: a viewer may print the same record again (scrolling back). The
 * engine must see every record once, in timestamp order, so a record older
 * than the newest one fed is not fed again: ends are printed from this cache
 * of recent results.
 */
#define CACHE_SLOTS	1024
#define SAME_TS_MAX	32

struct cached_walk {
	bool valid;
	unsigned long long offset;
	unsigned long long ts;
	int cpu;
	int feed;			/* rs_pairing_feed() result */
	struct rs_walk walk;
	bool waits;			/* so_far is known */
	struct rs_waiters so_far;
};

struct rmap_plugin {
	struct rmap_plugin *next;
	struct tep_handle *tep;
	struct rs_decoder *dec;
	struct rs_pairing *pairs;
	/*
	 * The waits engine, made at the first event of a trace with lock
	 * events (the formats are parsed by then); its walk records come
	 * from the pairing's callback, and the so_far of the last paired
	 * walk is kept for its end to print.
	 */
	struct rs_waits *waits;
	bool waits_checked;
	int last_pid;
	unsigned long long last_start_ts;
	struct rs_waiters last_so_far;
	bool fed_any;
	unsigned long long last_ts;
	/* records fed at last_ts (cpu, offset), to tell them from new ones */
	int nr_same_ts;
	struct { int cpu; unsigned long long offset; } same_ts[SAME_TS_MAX];
	bool warned;
	struct cached_walk cache[CACHE_SLOTS];
};

static struct rmap_plugin *plugins;

/*
 * One line on stderr, whatever the program's log level (trace-cmd report
 * keeps libtraceevent's warnings quiet): for option and format errors the
 * user must see.
 */
static void plugin_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void plugin_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tep_vprint("plugin_rmap", TEP_LOG_ERROR, false, fmt, ap);
	va_end(ap);
}

/* ---- options ---- */

static int parse_duration_ns(const char *str, uint64_t *ns)
{
	static const struct { const char *suffix; uint64_t scale; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
		{ "", 1000 },
	};
	uint64_t whole = 0, frac = 0, div = 1;
	const char *p = str;
	size_t i;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (whole > UINT64_MAX / 10 / 1000000000)
			return -1;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (div >= 1000000000)
				return -1;	/* below a nanosecond */
			frac = frac * 10 + (uint64_t)(*p - '0');
			div *= 10;
		}
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].suffix) == 0) {
			uint64_t scale = units[i].scale;

			if (frac * scale % div)
				return -1;	/* not a whole number of ns */
			*ns = whole * scale + frac * scale / div;
			return 0;
		}
	}
	return -1;
}

/*
 * An option's value is read on every use: libtraceevent may change it at
 * any time. A bad value is reported once (until it changes).
 */
static bool report_bad_once(char **last_bad, const char *val)
{
	if (*last_bad && strcmp(*last_bad, val) == 0)
		return false;
	free(*last_bad);
	*last_bad = strdup(val);
	return true;
}

static uint64_t option_slow_ns(void)
{
	const char *val = OPT_SLOW->value;
	uint64_t ns;

	if (!val || strcmp(val, "off") == 0)
		return 0;
	if (parse_duration_ns(val, &ns) == 0)
		return ns;
	if (report_bad_once(&bad_slow, val))
		plugin_error("plugin_rmap: bad rmap:slow value '%s' (SLOW tags off): use e.g. -O rmap:slow=1ms, 250us or 5000ns",
			     val);
	return 0;
}

static enum unit option_unit(void)
{
	static const char * const names[] = {
		[UNIT_AUTO] = "auto", [UNIT_NS] = "ns", [UNIT_US] = "us", [UNIT_MS] = "ms",
	};
	const char *val = OPT_UNIT->value;
	size_t i;

	if (!val)
		return UNIT_AUTO;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(val, names[i]) == 0)
			return (enum unit)i;
	}
	if (report_bad_once(&bad_unit, val))
		plugin_error("plugin_rmap: bad rmap:unit value '%s' (using auto): use -O rmap:unit=auto, ns, us or ms",
			     val);
	return UNIT_AUTO;
}

/* ---- printing ---- */

/* Exact: ns as is, us with 3 and ms with 6 decimals. */
static void print_duration(struct trace_seq *s, uint64_t ns)
{
	enum unit u = option_unit();

	if (u == UNIT_AUTO)
		u = ns < 1000 ? UNIT_NS : ns < 1000000 ? UNIT_US : UNIT_MS;
	switch (u) {
	case UNIT_US:
		trace_seq_printf(s, "%llu.%03lluus", (unsigned long long)(ns / 1000),
				 (unsigned long long)(ns % 1000));
		break;
	case UNIT_MS:
		trace_seq_printf(s, "%llu.%06llums", (unsigned long long)(ns / 1000000),
				 (unsigned long long)(ns % 1000000));
		break;
	default:
		trace_seq_printf(s, "%lluns", (unsigned long long)ns);
		break;
	}
}

/* Prints " " before every part of a line but the first. */
static void part(struct trace_seq *s, bool *first, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void part(struct trace_seq *s, bool *first, const char *fmt, ...)
{
	va_list ap;

	if (!*first)
		trace_seq_putc(s, ' ');
	*first = false;
	va_start(ap, fmt);
	trace_seq_vprintf(s, fmt, ap);
	va_end(ap);
}

/*
 * kind=KSM|ANON|FILE; a tracepoint kind value the decoder does not know
 * as UNKNOWN(<value>); nothing when the event cannot say (kprobe exits,
 * NULL mapping).
 */
static void print_kind(struct trace_seq *s, bool *first,
		       const struct rs_walk_event *ev)
{
	if (!(ev->has & RS_HAS_KIND))
		return;
	if (ev->kind != RS_KIND_UNKNOWN)
		part(s, first, "kind=%s", rs_kind_name(ev->kind));
	else
		part(s, first, "kind=UNKNOWN(%u)", ev->kind_raw);
}

/*
 * The rmap_one callback by name, as the CLI names it (lib/walk/purpose.h):
 * "?0x..." where no function starts, never "sym+0x...".
 */
static void print_purpose(struct trace_seq *s, bool *first,
			  struct tep_handle *tep, const struct rs_walk_event *ev)
{
	char name[256];

	if (ev->has & RS_HAS_RMAP_ONE)
		part(s, first, "purpose=%s",
		     rs_purpose_name(tep, ev, name, sizeof(name)));
}

/*
 * What a walk is about: pfn (or folio for kprobes), kind, purpose, the
 * mapcount and nr_pages at start, locked. info is the start, or the end
 * itself when the start is not known.
 */
static void print_walk_info(struct trace_seq *s, bool *first,
			    struct tep_handle *tep,
			    const struct rs_walk_event *info)
{
	if (info->has & RS_HAS_PFN)
		part(s, first, "pfn=0x%llx", (unsigned long long)info->pfn);
	else if (info->has & RS_HAS_FOLIO)
		part(s, first, "folio=0x%llx", (unsigned long long)info->folio);
	print_kind(s, first, info);
	print_purpose(s, first, tep, info);
	if (info->has & RS_HAS_MAPCOUNT)
		part(s, first, "mapcount=%d", info->mapcount);
	if (info->has & RS_HAS_NR_PAGES)
		part(s, first, "nr_pages=%u", info->nr_pages);
	if ((info->has & RS_HAS_LOCKED) && info->locked)
		part(s, first, "locked");
}

static void print_raw(struct trace_seq *s, struct tep_record *rec,
		      struct tep_event *event)
{
	if (!OPT_RAW->set)
		return;
	trace_seq_puts(s, " raw:");
	tep_record_print_fields(s, rec, event);
}

/* ---- replays ---- */

/* Is this record new to the engine (not older than what it was fed)? */
static bool record_is_new(struct rmap_plugin *rp, struct tep_record *rec)
{
	int i;

	if (rp->fed_any && rec->ts < rp->last_ts)
		return false;
	if (!rp->fed_any || rec->ts > rp->last_ts) {
		rp->fed_any = true;
		rp->last_ts = rec->ts;
		rp->nr_same_ts = 0;
	}
	for (i = 0; i < rp->nr_same_ts; i++) {
		if (rp->same_ts[i].cpu == rec->cpu &&
		    rp->same_ts[i].offset == rec->offset)
			return false;
	}
	if (rp->nr_same_ts < SAME_TS_MAX) {
		rp->same_ts[rp->nr_same_ts].cpu = rec->cpu;
		rp->same_ts[rp->nr_same_ts].offset = rec->offset;
		rp->nr_same_ts++;
	}
	return true;
}

static struct cached_walk *cache_slot(struct rmap_plugin *rp,
				      struct tep_record *rec)
{
	unsigned long long h = rec->offset ^ (rec->ts * 0x9e3779b97f4a7c15ULL) ^
			       (unsigned long long)rec->cpu;

	return &rp->cache[(h ^ (h >> 29)) % CACHE_SLOTS];
}

static bool cache_matches(const struct cached_walk *c, struct tep_record *rec)
{
	return c->valid && c->offset == rec->offset && c->ts == rec->ts &&
	       c->cpu == rec->cpu;
}

/* ---- waits ---- */

/* Every walk record of the pairing goes to the waits engine. */
static void on_walk(const struct rs_walk *w, void *arg)
{
	struct rmap_plugin *rp = arg;
	struct rs_waiters so_far;

	if (!rp->waits)
		return;
	if (rs_waits_walk(rp->waits, w, &so_far)) {
		plugin_error("plugin_rmap: out of memory, waiters may be missing");
		return;
	}
	if (w->status == RS_WALK_OK || w->status == RS_WALK_NESTED) {
		rp->last_pid = w->start.pid;
		rp->last_start_ts = w->start.ts;
		rp->last_so_far = so_far;
	}
}

/* The waits engine, once the trace is known to have lock events. */
static void waits_check(struct rmap_plugin *rp)
{
	unsigned int sources;

	if (rp->waits_checked)
		return;
	rp->waits_checked = true;
	sources = rs_decoder_sources(rp->dec);
	if (!(sources & RS_SRC_LOCKS))
		return;
	rp->waits = rs_waits_new(NULL, NULL, NULL, sources & RS_SRC_HOLDS);
	if (!rp->waits)
		plugin_error("plugin_rmap: out of memory, no waiters printed");
}

/* Feeds a new event to the waits engine (after the pairing, for a walk event). */
static void waits_feed(struct rmap_plugin *rp, const struct rs_walk_event *ev)
{
	if (rp->waits && rs_waits_feed(rp->waits, ev))
		plugin_error("plugin_rmap: out of memory, waiters may be missing");
}

/* ---- handlers ---- */

/*
 * Decodes the record; 1 when it should be fed to the engine, 0 when it is
 * a replay (printed from what the first print left), -1 when the event is
 * not what the decoder knows (then libtraceevent prints its own format).
 */
static int decode(struct rmap_plugin *rp, struct tep_event *event,
		  struct tep_record *rec, struct rs_walk_event *ev)
{
	int ret = rs_decode_event(rp->dec, event, rec, ev);

	if (ret != 1) {
		if (ret < 0 && !rp->warned) {
			rp->warned = true;
			plugin_error("plugin_rmap: %s; printed with the kernel's format",
				     rs_decoder_error(rp->dec));
		}
		return -1;
	}
	if (!record_is_new(rp, rec))
		return 0;
	waits_check(rp);
	if (rec->missed_events) {
		rs_pairing_lost(rp->pairs, rec->cpu, rec->ts,
				rec->missed_events > 0 ? rec->missed_events : -1);
		if (rp->waits)
			rs_waits_lost(rp->waits, rec->cpu, rec->ts);
	}
	return 1;
}

static int start_handler(struct trace_seq *s, struct tep_record *rec,
			 struct tep_event *event, void *context)
{
	struct rmap_plugin *rp = context;
	struct rs_walk_event ev;
	bool first = true;
	int ret = decode(rp, event, rec, &ev);

	if (ret < 0)
		return 1;
	if (ret > 0) {
		if (rs_pairing_feed(rp->pairs, &ev, NULL) < 0)
			plugin_error("plugin_rmap: out of memory, walks may show no duration");
		waits_feed(rp, &ev);
	}
	print_walk_info(s, &first, rp->tep, &ev);
	print_raw(s, rec, event);
	return 0;
}

/*
 * The end of a walk: what the walk was (from its start), the work it did,
 * and its duration, or why there is none.
 */
static int end_handler(struct trace_seq *s, struct tep_record *rec,
		       struct tep_event *event, void *context)
{
	struct rmap_plugin *rp = context;
	struct cached_walk *c = cache_slot(rp, rec);
	const struct rs_walk *w = NULL;
	struct rs_walk_event ev;
	const struct rs_walk_event *end = &ev;
	struct rs_walk walk;
	bool first = true;
	uint64_t slow;
	int feed = RS_FEED_ERROR;
	int ret = decode(rp, event, rec, &ev);

	if (ret < 0)
		return 1;
	if (ret > 0) {
		rp->last_pid = -1;
		feed = rs_pairing_feed(rp->pairs, &ev, &walk);
		waits_feed(rp, &ev);
		c->valid = feed != RS_FEED_ERROR;
		if (c->valid) {
			c->offset = rec->offset;
			c->ts = rec->ts;
			c->cpu = rec->cpu;
			c->feed = feed;
			c->walk = walk;
			/* the waits engine saw this walk's record in on_walk() */
			c->waits = rp->waits && (feed == RS_FEED_PAIRED || feed == RS_FEED_NESTED) &&
				   rp->last_pid == walk.start.pid && rp->last_start_ts == walk.start.ts;
			c->so_far = rp->last_so_far;
			w = &c->walk;
		} else {
			plugin_error("plugin_rmap: out of memory, walks may show no duration");
		}
	} else if (cache_matches(c, rec)) {
		feed = c->feed;
		w = &c->walk;
	}

	/* a paired walk's end: the event, with the visits of a kprobe walk */
	if (w && (feed == RS_FEED_PAIRED || feed == RS_FEED_NESTED)) {
		print_walk_info(s, &first, rp->tep, &w->start);
		end = &w->end;
	} else {
		print_walk_info(s, &first, rp->tep, &ev);
	}
	if (end->has & RS_HAS_VISITED)
		part(s, &first, "visited=%u", end->nr_visited);
	if (ev.has & RS_HAS_CALLS)
		part(s, &first, "rmap_one=%u", ev.nr_rmap_one);

	if (!w && ret > 0) {
		part(s, &first, "duration=? (out of memory)");
	} else if (!w) {
		part(s, &first, "duration=? (printed out of time order)");
	} else if (feed == RS_FEED_START_LOST) {
		part(s, &first, "duration=? (events dropped since %s)",
		     ev.type == RS_EV_END ? "start" : "entry");
	} else if (feed == RS_FEED_NO_START) {
		part(s, &first, "duration=? (%s not seen)",
		     ev.type == RS_EV_END ? "start" : "entry");
	} else {
		part(s, &first, "duration=");
		print_duration(s, w->duration_ns);
		if (feed == RS_FEED_NESTED)
			trace_seq_puts(s, " (inside rmap_walk)");
		slow = option_slow_ns();
		if (slow && w->duration_ns >= slow)
			trace_seq_puts(s, " SLOW");
		if (rs_walk_is_short(w) == 1)
			trace_seq_puts(s, " SHORT");
		if (c->waits && w == &c->walk) {
			part(s, &first, "waiters=%u waited=", c->so_far.waiters);
			print_duration(s, c->so_far.waited_ns);
		}
	}
	print_raw(s, rec, event);
	return 0;
}

/*
 * A visit: one line a VMA, so it says no more than the kernel's format
 * would (the vma the iterator returned); the engine counts it.
 */
static int visit_handler(struct trace_seq *s, struct tep_record *rec,
			 struct tep_event *event, void *context)
{
	struct rmap_plugin *rp = context;
	struct rs_walk_event ev;
	int ret = decode(rp, event, rec, &ev);

	if (ret < 0)
		return 1;
	if (ret > 0)
		rs_pairing_feed(rp->pairs, &ev, NULL);	/* a visit allocates nothing */
	trace_seq_printf(s, "vma=0x%llx", (unsigned long long)ev.vma);
	print_raw(s, rec, event);
	return 0;
}

/*
 * A hold, wait or wake: fed to the waits engine, printed in the kernel's
 * format (a nonzero return has libtraceevent print it).
 */
static int lock_handler(struct trace_seq *s, struct tep_record *rec,
			struct tep_event *event, void *context)
{
	struct rmap_plugin *rp = context;
	struct rs_walk_event ev;

	if (decode(rp, event, rec, &ev) > 0)
		waits_feed(rp, &ev);
	return 1;
}

/*
 * A raw_data record: a victim's operation is printed with its duration;
 * anyone else's marker in the kernel's format.
 */
static int op_handler(struct trace_seq *s, struct tep_record *rec,
		      struct tep_event *event, void *context)
{
	struct rmap_plugin *rp = context;
	struct rs_walk_event ev;
	bool first = true;

	if (decode(rp, event, rec, &ev) < 0)
		return 1;
	part(s, &first, "op=%s thread=%u duration=", rs_op_name(ev.op), ev.op_thread);
	print_duration(s, ev.op_end > ev.op_start ? ev.op_end - ev.op_start : 0);
	part(s, &first, "ret=%d", ev.op_ret);
	print_raw(s, rec, event);
	return 0;
}

/* ---- loading ---- */

/* Registers (or unregisters) a handler for every walk event the decoder knows. */
static void handlers(struct tep_handle *tep, struct rmap_plugin *rp, bool on)
{
	static const tep_event_handler_func by_type[RS_EV_NR] = {
		[RS_EV_START] = start_handler, [RS_EV_ENTRY] = start_handler,
		[RS_EV_END] = end_handler, [RS_EV_EXIT] = end_handler,
		[RS_EV_VISIT] = visit_handler,
		[RS_EV_HOLD] = lock_handler, [RS_EV_WAIT] = lock_handler,
		[RS_EV_WAKE] = lock_handler, [RS_EV_OP] = op_handler,
	};
	const char *system, *name;
	enum rs_ev_type type;
	size_t i;

	for (i = 0; !rs_decoder_event(i, &system, &name, &type); i++) {
		tep_event_handler_func fn = by_type[type];

		if (on)
			tep_register_event_handler(tep, -1, system, name, fn, rp);
		else
			tep_unregister_event_handler(tep, -1, system, name, fn, rp);
	}
}

static void free_plugin(struct rmap_plugin *rp)
{
	rs_waits_free(rp->waits);
	rs_pairing_free(rp->pairs);
	rs_decoder_free(rp->dec);
	free(rp);
}

int TEP_PLUGIN_LOADER(struct tep_handle *tep) PLUGIN_EXPORT;
int TEP_PLUGIN_LOADER(struct tep_handle *tep)
{
	struct rmap_plugin *rp = calloc(1, sizeof(*rp));

	if (!rp)
		goto nomem;
	rp->tep = tep;
	rp->dec = rs_decoder_new(tep);
	rp->pairs = rs_pairing_new(on_walk, rp);
	if (!rp->dec || !rp->pairs)
		goto nomem;
	handlers(tep, rp, true);
	if (options_users++ == 0)
		tep_plugin_add_options("rmap", rmap_options);
	rp->next = plugins;
	plugins = rp;
	return 0;

nomem:
	plugin_error("plugin_rmap: out of memory; rmap events print with the kernel's format");
	if (rp)
		free_plugin(rp);
	return -1;
}

int TEP_PLUGIN_UNLOADER(struct tep_handle *tep) PLUGIN_EXPORT;
int TEP_PLUGIN_UNLOADER(struct tep_handle *tep)
{
	struct rmap_plugin **link, *rp;

	for (link = &plugins; *link; link = &(*link)->next) {
		if ((*link)->tep == tep)
			break;
	}
	rp = *link;
	if (!rp)
		return 0;
	*link = rp->next;
	handlers(tep, rp, false);
	if (--options_users == 0) {
		tep_plugin_remove_options(rmap_options);
		free(bad_slow);
		free(bad_unit);
		bad_slow = bad_unit = NULL;
	}
	free_plugin(rp);
	return 0;
}
