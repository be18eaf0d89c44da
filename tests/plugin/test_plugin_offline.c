// SPDX-License-Identifier: GPL-2.0-only
/*
 * Offline tests of plugin_rmap.so: no kernel, no trace file. A tep handle
 * parses the event formats from text, loads the built plugin from
 * PLUGIN_DIR the way trace-cmd does (tep_load_plugins with
 * TRACEEVENT_PLUGIN_DIR, system plugins off), and prints records made
 * here byte by byte with tep_print_event(), in the order trace-cmd report
 * would: the output text is checked exactly. The cases are one table of
 * steps (an event and the text it must print, one a line), played in order.
 *
 *   test-plugin-offline PLUGIN_DIR OWN_FORMATS_DIR [KERNEL_FORMATS_DIR]
 *
 * OWN_FORMATS_DIR holds the formats written from the kernel patch
 * (tests/plugin/formats); when KERNEL_FORMATS_DIR (tests/data/formats,
 * saved from the lab kernel) has the rmap formats, those are used instead
 * and must have the same field layout as ours.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event-parse.h>
#include <trace-seq.h>

#define TTM	0xffffffff81300000ULL	/* try_to_migrate_one */
#define RMP	0xffffffff81300400ULL	/* remove_migration_pte */
#define FRO	0xffffffff81300800ULL	/* folio_referenced_one */
#define RWC1	0xffffc90000abc000ULL
#define RWC2	0xffffc90000def000ULL
#define FOLIO	0xffffea0000100000ULL

static const char *plugin_dir;
static char rmap_formats[2][4096];
static const char *own_formats_dir;
static int failures, checks;

struct ctx {
	struct tep_handle *tep;
	struct tep_plugin_list *plugins;
	struct trace_seq s;
	unsigned long long next_offset;
};

struct rec {
	struct tep_record r;
	unsigned char data[64];
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("test-plugin-offline: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	static char buf[8192];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void parse_format(struct ctx *c, const char *path, const char *system)
{
	size_t len;
	char *text = read_file(path, &len);

	if (!text)
		die("cannot read %s: %s", path, strerror(errno));
	if (tep_parse_event(c->tep, text, len, system))
		die("libtraceevent cannot parse %s", path);
}

/* A tep handle with the plugin loaded, and no event format yet. */
static void ctx_open(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->tep = tep_alloc();
	if (!c->tep)
		die("tep_alloc failed");
	tep_set_long_size(c->tep, 8);
	tep_set_file_bigendian(c->tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(c->tep, TEP_LITTLE_ENDIAN);
	/* Only the built plugin: not the system's, not ~/.local's. */
	tep_set_flag(c->tep, TEP_DISABLE_SYS_PLUGINS);
	c->plugins = tep_load_plugins(c->tep);
	if (!c->plugins)
		die("no plugin loaded from %s (build plugin_rmap.so first)", plugin_dir);
	trace_seq_init(&c->s);
}

/* The formats rmapstat-NAME.format of own_formats_dir, for each of names[n]. */
static void parse_rmapstat(struct ctx *c, const char * const *names, size_t n)
{
	char path[4096];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/rmapstat-%s.format", own_formats_dir, names[i]);
		parse_format(c, path, "rmapstat");
	}
}

static const char * const visits[] = {	/* the visit kretprobes, for OP_VISITS */
	"visit_anon_first", "visit_anon_next", "visit_file_first", "visit_file_next",
};

/* A tep handle with the formats and the plugin loaded: one "trace". */
static void ctx_init(struct ctx *c)
{
	static const char * const kprobes[] = {
		"rmap_walk_entry", "rmap_walk_exit", "rmap_walk_locked_entry",
		"rmap_walk_locked_exit", "rmap_walk_ksm_entry", "rmap_walk_ksm_exit",
		"rmap_walk_anon_entry", "rmap_walk_anon_exit", "rmap_walk_file_entry",
		"rmap_walk_file_exit",
	};

	ctx_open(c);
	parse_format(c, rmap_formats[0], "rmap");
	parse_format(c, rmap_formats[1], "rmap");
	parse_rmapstat(c, kprobes, sizeof(kprobes) / sizeof(kprobes[0]));
	tep_register_function(c->tep, "try_to_migrate_one", TTM, NULL);
	tep_register_function(c->tep, "remove_migration_pte", RMP, NULL);
	tep_register_function(c->tep, "folio_referenced_one", FRO, NULL);
}

static void ctx_fini(struct ctx *c)
{
	trace_seq_destroy(&c->s);
	tep_unload_plugins(c->plugins, c->tep);
	tep_free(c->tep);
}

static void put(unsigned char *data, struct tep_event *ev, const char *name,
		unsigned long long val)
{
	struct tep_format_field *f = tep_find_field(ev, name);

	if (!f)
		f = tep_find_common_field(ev, name);
	if (!f)
		die("%s:%s has no field %s", ev->system, ev->name, name);
	/* little endian, as the formats are parsed */
	for (int i = 0; i < f->size; i++)
		data[f->offset + i] = (unsigned char)(val >> (8 * i));
}

/* Sets the fields names[i] (up to a NULL) of r to vals[i]. */
static void put_all(struct rec *r, struct tep_event *ev, const char * const *names,
		    const unsigned long long *vals)
{
	for (; *names; names++, vals++)
		put(r->data, ev, *names, *vals);
}

/* A record of system:name with its common fields set. */
static struct rec *record(struct ctx *c, const char *system, const char *name,
			  int cpu, unsigned long long ts, int pid, struct tep_event **evp)
{
	struct tep_event *ev = tep_find_event_by_name(c->tep, system, name);
	struct rec *r = calloc(1, sizeof(*r));

	if (!ev)
		die("no event %s:%s", system, name);
	if (!r)
		die("out of memory");
	r->r.ts = ts;
	r->r.cpu = cpu;
	r->r.offset = 0x10000 + (c->next_offset += 64);
	r->r.data = r->data;
	r->r.size = sizeof(r->data);
	r->r.record_size = sizeof(r->data);
	put(r->data, ev, "common_type", (unsigned long long)ev->id);
	put(r->data, ev, "common_pid", (unsigned long long)pid);
	*evp = ev;
	return r;
}

/* What trace-cmd report prints after "<event>: " for this record. */
static const char *show(struct ctx *c, struct rec *r)
{
	trace_seq_reset(&c->s);
	tep_print_event(c->tep, &c->s, &r->r, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&c->s);
	return c->s.buffer;
}

static void expect(const char *what, const char *got, const char *want)
{
	checks++;
	if (strcmp(got, want) == 0)
		return;
	failures++;
	printf("FAIL %s\n  got:  %s\n  want: %s\n", what, got, want);
}

static void expect_has(const char *what, const char *got, const char *part, bool has)
{
	checks++;
	if ((strstr(got, part) != NULL) == has)
		return;
	failures++;
	printf("FAIL %s\n  got:  %s\n  %s: %s\n", what, got,
	       has ? "should contain" : "should not contain", part);
}

static void option(const char *name, const char *val)
{
	if (tep_plugin_add_option(name, val))
		die("tep_plugin_add_option(%s) failed", name);
}

static void options_default(void)
{
	option("rmap:slow", "0");
	option("rmap:unit", "auto");
	option("rmap:raw", "0");
}

/* ---- the cases: one table of steps, each trace a new tep handle ---- */

enum op {
	OP_TRACE,	/* a new trace named what; the options back to their defaults */
	OP_START,	/* rmap:rmap_walk_start */
	OP_END,		/* rmap:rmap_walk_end */
	OP_ENTRY,	/* rmapstat:<name>_entry (kprobe) */
	OP_EXIT,	/* rmapstat:<name>_exit (kretprobe) */
	OP_VISITS,	/* the visit formats join the trace */
	OP_VISIT,	/* rmapstat:<name>, a visit kretprobe */
	OP_LOST,	/* the next record comes after n lost events */
	OP_AGAIN,	/* record n of this trace (1: its first) printed again */
	OP_OPTION,	/* -O name=want (want NULL: toggle the boolean) */
};

enum match { EXACT, HAS, LACKS };

struct step {
	enum op op;
	const char *name;		/* ENTRY, EXIT: the function; OPTION: the option */
	int cpu, pid;
	unsigned long long ts;
	unsigned long long pfn;		/* ENTRY: the folio; VISIT: the vma */
	unsigned long long rwc, rmap_one, mapping;
	unsigned int kind, visited, calls;
	int mapcount, locked;
	unsigned long long n;		/* LOST, AGAIN */
	const char *what;		/* what the check is; NULL: printed, not checked */
	enum match match;
	const char *want;		/* the text printed (EXACT), or a part of it */
};

#define TRACE(what_) { .op = OP_TRACE, .what = what_ }
#define START(cpu_, ts_, pid_, pfn_, rwc_, one_, kind_, mapcount_, locked_, what_, want_) \
	{ .op = OP_START, .cpu = cpu_, .ts = ts_, .pid = pid_, .pfn = pfn_, .rwc = rwc_, \
	  .rmap_one = one_, .kind = kind_, .mapcount = mapcount_, .locked = locked_, \
	  .what = what_, .want = want_ }
#define END(cpu_, ts_, pid_, pfn_, rwc_, one_, kind_, visited_, calls_, locked_, what_, want_) \
	{ .op = OP_END, .cpu = cpu_, .ts = ts_, .pid = pid_, .pfn = pfn_, .rwc = rwc_, \
	  .rmap_one = one_, .kind = kind_, .visited = visited_, .calls = calls_, \
	  .locked = locked_, .what = what_, .want = want_ }
/* locked is written only where the entry has it: rmap_walk_anon/_file. */
#define KENTRY(func_, cpu_, ts_, pid_, folio_, rwc_, mapping_, one_, locked_, what_, want_) \
	{ .op = OP_ENTRY, .name = func_, .cpu = cpu_, .ts = ts_, .pid = pid_, .pfn = folio_, \
	  .rwc = rwc_, .mapping = mapping_, .rmap_one = one_, .locked = locked_, \
	  .what = what_, .want = want_ }
#define KEXIT(func_, cpu_, ts_, pid_, what_, want_) \
	{ .op = OP_EXIT, .name = func_, .cpu = cpu_, .ts = ts_, .pid = pid_, \
	  .what = what_, .want = want_ }
#define VISITS { .op = OP_VISITS }
#define VISIT(name_, cpu_, ts_, pid_, vma_, what_, want_) \
	{ .op = OP_VISIT, .name = name_, .cpu = cpu_, .ts = ts_, .pid = pid_, .pfn = vma_, \
	  .what = what_, .want = want_ }
#define LOST(n_) { .op = OP_LOST, .n = n_ }
#define AGAIN(n_, what_, match_, want_) \
	{ .op = OP_AGAIN, .n = n_, .what = what_, .match = match_, .want = want_ }
#define OPTION(name_, val_) { .op = OP_OPTION, .name = name_, .want = val_ }

#define KSM_MAPPING	0xffff888004001003ULL
#define ANON_MAPPING	0xffff888004002001ULL
#define FILE_MAPPING	0xffff888004003000ULL

/* The end of the first walk of "replay", printed again and again. */
#define REPLAYED_END \
	"pfn=0x40 kind=KSM purpose=try_to_migrate_one mapcount=2 visited=4 rmap_one=2 duration=750ns"

static const struct step cases[] = {
	TRACE("one walk"),
	START(0, 1000000, 100, 0x1234, RWC1, TTM, 0, 3, 0, "start", "pfn=0x1234 kind=KSM purpose=try_to_migrate_one mapcount=3"),
	END(0, 1002500, 100, 0x1234, RWC1, TTM, 0, 7, 3, 0, "end paired", "pfn=0x1234 kind=KSM purpose=try_to_migrate_one mapcount=3 visited=7 rmap_one=3 duration=2.500us"),
	/* locked, purposes that miss; these formats lack nr_pages: SHORT for KSM walks only */
	START(1, 2000000, 101, 0x2000, RWC2, RMP + 0x10, 1, 2, 1, "start locked", "pfn=0x2000 kind=ANON purpose=?0xffffffff81300410 mapcount=2 locked"),
	END(1, 2000999, 101, 0x2000, RWC2, RMP + 0x10, 1, 5, 1, 1, "ANON end with fewer calls, no nr_pages: cannot tell", "pfn=0x2000 kind=ANON purpose=?0xffffffff81300410 mapcount=2 locked visited=5 rmap_one=1 duration=999ns"),
	START(1, 3000000, 101, 0x3000, RWC2, 0x1000, 2, 1, 0, "start unknown purpose", "pfn=0x3000 kind=FILE purpose=?0x1000 mapcount=1"),
	END(1, 4500000, 101, 0x3000, RWC2, 0x1000, 2, 1, 1, 0, "end unknown purpose, auto unit ms", "pfn=0x3000 kind=FILE purpose=?0x1000 mapcount=1 visited=1 rmap_one=1 duration=1.500000ms"),
	START(0, 5000000, 100, 0x4000, RWC1, TTM, 0, 3, 0, NULL, NULL),
	END(0, 5000400, 100, 0x4000, RWC1, TTM, 0, 9, 2, 0, "KSM end short", "pfn=0x4000 kind=KSM purpose=try_to_migrate_one mapcount=3 visited=9 rmap_one=2 duration=400ns SHORT"),

	TRACE("unknown kind"),
	START(0, 1000, 100, 0x1, RWC1, TTM, 7, 1, 0, "start kind 7", "pfn=0x1 kind=UNKNOWN(7) purpose=try_to_migrate_one mapcount=1"),
	END(0, 2000, 100, 0x1, RWC1, TTM, 7, 1, 1, 0, "end kind 7", "pfn=0x1 kind=UNKNOWN(7) purpose=try_to_migrate_one mapcount=1 visited=1 rmap_one=1 duration=1.000us"),
	END(0, 3000, 100, 0x2, RWC1, TTM, 0xffffffff, 0, 0, 0, "end kind 0xffffffff without start", "pfn=0x2 kind=UNKNOWN(4294967295) purpose=try_to_migrate_one visited=0 rmap_one=0 duration=? (start not seen)"),

	TRACE("end without start"),
	END(0, 5000, 100, 0x99, RWC1, FRO, 2, 4, 1, 0, "first event is an end", "pfn=0x99 kind=FILE purpose=folio_referenced_one visited=4 rmap_one=1 duration=? (start not seen)"),
	/* rwc, pfn and pid must all match */
	START(0, 6000, 100, 0x10, RWC1, FRO, 2, 1, 0, NULL, NULL),
	END(0, 7000, 101, 0x10, RWC1, FRO, 2, 1, 1, 0, "end of another pid", "pfn=0x10 kind=FILE purpose=folio_referenced_one visited=1 rmap_one=1 duration=? (start not seen)"),
	END(0, 7100, 100, 0x11, RWC1, FRO, 2, 1, 1, 0, "end of another pfn", "pfn=0x11 kind=FILE purpose=folio_referenced_one visited=1 rmap_one=1 duration=? (start not seen)"),
	END(0, 7200, 100, 0x10, RWC2, FRO, 2, 1, 1, 0, "end of another rwc", "pfn=0x10 kind=FILE purpose=folio_referenced_one visited=1 rmap_one=1 duration=? (start not seen)"),
	END(0, 8000, 100, 0x10, RWC1, FRO, 2, 1, 1, 0, "the end of the start", "pfn=0x10 kind=FILE purpose=folio_referenced_one mapcount=1 visited=1 rmap_one=1 duration=2.000us"),
	END(0, 9000, 100, 0x10, RWC1, FRO, 2, 1, 1, 0, "a second end: its start was used", "pfn=0x10 kind=FILE purpose=folio_referenced_one visited=1 rmap_one=1 duration=? (start not seen)"),

	TRACE("start without end"),
	/* pid 100 starts on pfn 0x20 and its end never comes */
	START(0, 1000, 100, 0x20, RWC1, TTM, 1, 1, 0, "start that never ends", "pfn=0x20 kind=ANON purpose=try_to_migrate_one mapcount=1"),
	/* other walks of the same task pair on their own */
	START(0, 2000, 100, 0x21, RWC1, TTM, 1, 1, 0, NULL, NULL),
	END(0, 2300, 100, 0x21, RWC1, TTM, 1, 1, 1, 0, "another walk of that task", "pfn=0x21 kind=ANON purpose=try_to_migrate_one mapcount=1 visited=1 rmap_one=1 duration=300ns"),
	/* a new start of the same key replaces it: the end pairs with the new one */
	START(1, 5000, 100, 0x20, RWC1, TTM, 1, 4, 0, NULL, NULL),
	END(1, 5400, 100, 0x20, RWC1, TTM, 1, 2, 4, 0, "end after a restarted key", "pfn=0x20 kind=ANON purpose=try_to_migrate_one mapcount=4 visited=2 rmap_one=4 duration=400ns"),
	/* and the trace ends with a start in flight: unloading must cope */
	START(1, 6000, 100, 0x22, RWC2, FRO, 2, 1, 0, "last event is a start", "pfn=0x22 kind=FILE purpose=folio_referenced_one mapcount=1"),

	TRACE("interleaved cpus"),
	/* A on CPU 0 by pid 100, B on CPU 1 by pid 200; both tasks migrate */
	START(0, 1000, 100, 0xa, RWC1, FRO, 1, 2, 0, NULL, NULL),
	START(1, 1200, 200, 0xb, RWC2, TTM, 2, 1, 0, NULL, NULL),
	END(0, 1700, 200, 0xb, RWC2, TTM, 2, 3, 1, 0, "B ends on CPU 0", "pfn=0xb kind=FILE purpose=try_to_migrate_one mapcount=1 visited=3 rmap_one=1 duration=500ns"),
	END(1, 4450, 100, 0xa, RWC1, FRO, 1, 2, 2, 0, "A ends on CPU 1", "pfn=0xa kind=ANON purpose=folio_referenced_one mapcount=2 visited=2 rmap_one=2 duration=3.450us"),
	/* same pfn and rwc value in two tasks, ends in the other order */
	START(0, 10000, 100, 0xc, RWC1, TTM, 0, 2, 0, NULL, NULL),
	START(1, 10100, 200, 0xc, RWC1, TTM, 0, 2, 0, NULL, NULL),
	END(1, 10500, 200, 0xc, RWC1, TTM, 0, 9, 2, 0, "pid 200 ends first", "pfn=0xc kind=KSM purpose=try_to_migrate_one mapcount=2 visited=9 rmap_one=2 duration=400ns"),
	END(0, 11000, 100, 0xc, RWC1, TTM, 0, 9, 2, 0, "pid 100 ends last", "pfn=0xc kind=KSM purpose=try_to_migrate_one mapcount=2 visited=9 rmap_one=2 duration=1.000us"),
	/* nesting in one task: different rwc */
	START(0, 20000, 100, 0xd, RWC1, TTM, 1, 1, 0, NULL, NULL),
	START(0, 20100, 100, 0xe, RWC2, RMP, 1, 1, 1, NULL, NULL),
	END(0, 20300, 100, 0xe, RWC2, RMP, 1, 1, 1, 1, "inner walk", "pfn=0xe kind=ANON purpose=remove_migration_pte mapcount=1 locked visited=1 rmap_one=1 duration=200ns"),
	END(0, 21000, 100, 0xd, RWC1, TTM, 1, 1, 1, 0, "outer walk", "pfn=0xd kind=ANON purpose=try_to_migrate_one mapcount=1 visited=1 rmap_one=1 duration=1.000us"),

	TRACE("lost events"),
	START(0, 1000, 100, 0x30, RWC1, TTM, 1, 1, 0, NULL, NULL),
	START(1, 1100, 200, 0x31, RWC2, TTM, 1, 1, 0, NULL, NULL),
	/* events were lost on CPU 0: the end of 0x30 may be among them */
	LOST(12),
	START(0, 2000, 300, 0x32, RWC1, FRO, 2, 1, 0, "start after lost events", "pfn=0x32 kind=FILE purpose=folio_referenced_one mapcount=1"),
	END(0, 3000, 100, 0x30, RWC1, TTM, 1, 1, 1, 0, "end across the gap gets no duration", "pfn=0x30 kind=ANON purpose=try_to_migrate_one visited=1 rmap_one=1 duration=? (events dropped since start)"),
	END(1, 3100, 200, 0x31, RWC2, TTM, 1, 1, 1, 0, "the other CPU lost nothing", "pfn=0x31 kind=ANON purpose=try_to_migrate_one mapcount=1 visited=1 rmap_one=1 duration=2.000us"),

	TRACE("replay"),
	START(0, 1000, 100, 0x40, RWC1, TTM, 0, 2, 0, NULL, NULL),
	END(1, 1750, 100, 0x40, RWC1, TTM, 0, 4, 2, 0, "end", REPLAYED_END),
	AGAIN(2, "the same end printed again", EXACT, REPLAYED_END),
	/* printing the start again must not make it pending again */
	AGAIN(1, "start printed again", EXACT, "pfn=0x40 kind=KSM purpose=try_to_migrate_one mapcount=2"),
	END(1, 2000, 100, 0x40, RWC1, TTM, 0, 4, 2, 0, "a new end after the replay", "pfn=0x40 kind=KSM purpose=try_to_migrate_one visited=4 rmap_one=2 duration=? (start not seen)"),
	AGAIN(2, "the first end once more", EXACT, REPLAYED_END),
	/* two records with one timestamp are both new, once each */
	START(0, 5000, 100, 0x41, RWC1, TTM, 0, 1, 0, NULL, NULL),
	START(1, 5000, 200, 0x41, RWC2, TTM, 0, 1, 0, NULL, NULL),
	AGAIN(5, NULL, EXACT, NULL),
	END(1, 5300, 200, 0x41, RWC2, TTM, 0, 1, 1, 0, "same-timestamp start paired once", "pfn=0x41 kind=KSM purpose=try_to_migrate_one mapcount=1 visited=1 rmap_one=1 duration=300ns"),
	END(0, 5400, 100, 0x41, RWC1, TTM, 0, 1, 1, 0, "the other same-timestamp start", "pfn=0x41 kind=KSM purpose=try_to_migrate_one mapcount=1 visited=1 rmap_one=1 duration=400ns"),

	/* record 2, a walk of 2.5 us, printed under each option */
	TRACE("options"),
	START(0, 1000, 100, 0x50, RWC1, TTM, 0, 2, 0, NULL, NULL),
	END(0, 3500, 100, 0x50, RWC1, TTM, 0, 6, 2, 0, "default", "pfn=0x50 kind=KSM purpose=try_to_migrate_one mapcount=2 visited=6 rmap_one=2 duration=2.500us"),
	OPTION("rmap:unit", "ns"), AGAIN(2, "unit=ns", HAS, " duration=2500ns"),
	OPTION("rmap:unit", "us"), AGAIN(2, "unit=us", HAS, " duration=2.500us"),
	OPTION("rmap:unit", "ms"), AGAIN(2, "unit=ms", HAS, " duration=0.002500ms"),
	OPTION("rmap:unit", "hours"), AGAIN(2, "bad unit is auto", HAS, " duration=2.500us"),
	OPTION("rmap:unit", "auto"),
	OPTION("rmap:slow", "2us"),
	AGAIN(2, "slow=2us", EXACT, "pfn=0x50 kind=KSM purpose=try_to_migrate_one mapcount=2 visited=6 rmap_one=2 duration=2.500us SLOW"),
	OPTION("rmap:slow", "2500ns"), AGAIN(2, "slow equal to the duration", HAS, " SLOW"),
	OPTION("rmap:slow", "2501ns"), AGAIN(2, "slow=2501ns", LACKS, "SLOW"),
	OPTION("rmap:slow", "2.5"), AGAIN(2, "bare number is us", HAS, " SLOW"),
	OPTION("rmap:slow", "0.002ms"), AGAIN(2, "slow=0.002ms", HAS, " SLOW"),
	OPTION("rmap:slow", "1s"), AGAIN(2, "slow=1s", LACKS, "SLOW"),
	OPTION("rmap:slow", "fast"), AGAIN(2, "bad slow is off", LACKS, "SLOW"),
	OPTION("rmap:slow", "0"), AGAIN(2, "slow=0 is off", LACKS, "SLOW"),
	OPTION("rmap:raw", "1"),
	AGAIN(2, "raw", HAS, "duration=2.500us raw: pfn=0x50 rwc=0xffffc90000abc000 rmap_one=0xffffffff81300000 kind=0 nr_visited=6 nr_rmap_one=2 locked=0"),
	OPTION("rmap:raw", "0"), AGAIN(2, "raw off", LACKS, "raw:"),
	/* -O rmap:raw without a value toggles the boolean */
	OPTION("rmap:raw", NULL), AGAIN(2, "raw toggled on", HAS, " raw: "),
	OPTION("rmap:raw", NULL), AGAIN(2, "raw toggled off", LACKS, " raw: "),

	TRACE("kprobes"),
	/* rmap_walk of a KSM folio, with rmap_walk_ksm inside */
	KENTRY("rmap_walk", 0, 1000, 300, FOLIO, RWC1, KSM_MAPPING, TTM, 0, "rmap_walk entry", "folio=0xffffea0000100000 kind=KSM purpose=try_to_migrate_one"),
	KENTRY("rmap_walk_ksm", 0, 1100, 300, FOLIO, RWC1, KSM_MAPPING, TTM, 0, "rmap_walk_ksm entry", "folio=0xffffea0000100000 kind=KSM purpose=try_to_migrate_one"),
	KEXIT("rmap_walk_ksm", 1, 1900, 300, "rmap_walk_ksm exit", "folio=0xffffea0000100000 kind=KSM purpose=try_to_migrate_one duration=800ns (inside rmap_walk)"),
	KEXIT("rmap_walk", 1, 2000, 300, "rmap_walk exit", "folio=0xffffea0000100000 kind=KSM purpose=try_to_migrate_one duration=1.000us"),
	/* rmap_walk_locked of an anon folio */
	KENTRY("rmap_walk_locked", 0, 3000, 301, FOLIO + 0x40, RWC2, ANON_MAPPING, RMP, 0, "rmap_walk_locked entry", "folio=0xffffea0000100040 kind=ANON purpose=remove_migration_pte locked"),
	KEXIT("rmap_walk_locked", 0, 3600, 301, "rmap_walk_locked exit", "folio=0xffffea0000100040 kind=ANON purpose=remove_migration_pte locked duration=600ns"),
	KEXIT("rmap_walk", 0, 4000, 302, "exit without entry", "duration=? (entry not seen)"),
	/* last in, first out per task and function; file folio */
	KENTRY("rmap_walk", 1, 5000, 303, FOLIO + 0x80, RWC1, FILE_MAPPING, FRO, 0, NULL, NULL),
	KENTRY("rmap_walk", 1, 5100, 303, FOLIO + 0xc0, RWC2, FILE_MAPPING, FRO, 0, NULL, NULL),
	KEXIT("rmap_walk", 1, 5200, 303, "inner exit", "folio=0xffffea00001000c0 kind=FILE purpose=folio_referenced_one duration=100ns"),
	KEXIT("rmap_walk", 1, 5500, 303, "outer exit", "folio=0xffffea0000100080 kind=FILE purpose=folio_referenced_one duration=500ns"),

	/*
	 * Stock 6.12 inlines rmap_walk into try_to_migrate and the other
	 * callers in mm/rmap.c, which call rmap_walk_anon/_file/_ksm directly:
	 * those pairs are walks of their own; inside an rmap_walk(_locked)
	 * they are nested.
	 */
	TRACE("kprobes inlined"),
	KENTRY("rmap_walk_anon", 0, 1000, 400, FOLIO, RWC1, 0xffff888004001001ULL, TTM, 0, "rmap_walk_anon entry on its own", "folio=0xffffea0000100000 kind=ANON purpose=try_to_migrate_one"),
	KEXIT("rmap_walk_anon", 1, 3000, 400, "rmap_walk_anon exit: a walk", "folio=0xffffea0000100000 kind=ANON purpose=try_to_migrate_one duration=2.000us"),
	KENTRY("rmap_walk_ksm", 0, 3500, 400, FOLIO + 0x40, RWC1, KSM_MAPPING, TTM, 0, "rmap_walk_ksm entry on its own", "folio=0xffffea0000100040 kind=KSM purpose=try_to_migrate_one"),
	KEXIT("rmap_walk_ksm", 0, 3700, 400, "rmap_walk_ksm exit: a walk", "folio=0xffffea0000100040 kind=KSM purpose=try_to_migrate_one duration=200ns"),
	/* rmap_walk of a folio whose mapping is gone: the inner function tells */
	KENTRY("rmap_walk", 0, 4000, 401, FOLIO + 0x80, RWC2, 0, RMP, 0, "rmap_walk entry, no mapping", "folio=0xffffea0000100080 purpose=remove_migration_pte"),
	KENTRY("rmap_walk_file", 0, 4010, 401, FOLIO + 0x80, RWC2, 0, RMP, 0, "rmap_walk_file entry", "folio=0xffffea0000100080 kind=FILE purpose=remove_migration_pte"),
	KEXIT("rmap_walk_file", 0, 4500, 401, "rmap_walk_file exit inside rmap_walk", "folio=0xffffea0000100080 kind=FILE purpose=remove_migration_pte duration=490ns (inside rmap_walk)"),
	KEXIT("rmap_walk", 0, 4500, 401, "rmap_walk exit takes the inner kind", "folio=0xffffea0000100080 kind=FILE purpose=remove_migration_pte duration=500ns"),
	/* rmap_walk_locked -> rmap_walk_anon(..., locked=true) */
	KENTRY("rmap_walk_locked", 1, 5000, 402, FOLIO + 0xc0, RWC1, ANON_MAPPING, RMP, 0, NULL, NULL),
	KENTRY("rmap_walk_anon", 1, 5001, 402, FOLIO + 0xc0, RWC1, ANON_MAPPING, RMP, 1, "rmap_walk_anon entry, locked", "folio=0xffffea00001000c0 kind=ANON purpose=remove_migration_pte locked"),
	KEXIT("rmap_walk_anon", 1, 5100, 402, "rmap_walk_anon exit inside rmap_walk_locked", "folio=0xffffea00001000c0 kind=ANON purpose=remove_migration_pte locked duration=99ns (inside rmap_walk)"),
	KEXIT("rmap_walk_locked", 1, 5100, 402, "rmap_walk_locked exit", "folio=0xffffea00001000c0 kind=ANON purpose=remove_migration_pte locked duration=100ns"),
	/* events lost on the entry's CPU: its exit says so */
	KENTRY("rmap_walk_file", 0, 6000, 403, FOLIO, RWC1, FILE_MAPPING, FRO, 0, NULL, NULL),
	LOST(3),
	KENTRY("rmap_walk_anon", 0, 6100, 404, FOLIO + 0x40, RWC2, ANON_MAPPING, FRO, 0, NULL, NULL),
	KEXIT("rmap_walk_file", 1, 6200, 403, "exit after lost events", "duration=? (events dropped since entry)"),
	KEXIT("rmap_walk_anon", 0, 6300, 404, "the entry after the gap pairs", "folio=0xffffea0000100040 kind=ANON purpose=folio_referenced_one duration=200ns"),
	KEXIT("rmap_walk_file", 1, 6400, 403, "a second exit: its entry was never seen", "duration=? (entry not seen)"),

	/* The VMA iterators' kretprobes: each exit counts the visits of its walk. */
	TRACE("kprobes with visits"),
	VISITS,
	KENTRY("rmap_walk", 0, 1000, 300, FOLIO, RWC1, KSM_MAPPING, TTM, 0, NULL, NULL),
	KENTRY("rmap_walk_ksm", 0, 1100, 300, FOLIO, RWC1, KSM_MAPPING, TTM, 0, NULL, NULL),
	VISIT("visit_anon_first", 0, 1200, 300, 0xffff888004a1b000ULL, "a visit", "vma=0xffff888004a1b000"),
	AGAIN(3, "a visit printed again is not counted again", EXACT, "vma=0xffff888004a1b000"),
	VISIT("visit_anon_next", 0, 1300, 300, 0xffff888004a1b040ULL, NULL, NULL),
	VISIT("visit_anon_next", 0, 1400, 300, 0, "the NULL that ends a loop", "vma=0x0"),
	VISIT("visit_file_first", 1, 1500, 301, 0xffff888004a1c000ULL, NULL, NULL),
	KEXIT("rmap_walk_ksm", 0, 1900, 300, "nested exit: its visits, not another task's", "folio=0xffffea0000100000 kind=KSM purpose=try_to_migrate_one visited=2 duration=800ns (inside rmap_walk)"),
	KEXIT("rmap_walk", 0, 2000, 300, "the walk: all of them", "folio=0xffffea0000100000 kind=KSM purpose=try_to_migrate_one visited=2 duration=1.000us"),
	KENTRY("rmap_walk_file", 1, 3000, 301, FOLIO + 0x40, RWC2, FILE_MAPPING, FRO, 0, NULL, NULL),
	KEXIT("rmap_walk_file", 1, 3100, 301, "none visited", "folio=0xffffea0000100040 kind=FILE purpose=folio_referenced_one visited=0 duration=100ns"),
};

/* The record of step s, its fields set as the kernel would. */
static struct rec *make_record(struct ctx *c, const struct step *s)
{
	unsigned long long locked = (unsigned long long)s->locked;
	struct tep_event *ev;
	struct rec *r;
	char name[64];

	if (s->op == OP_START || s->op == OP_END) {
		r = record(c, "rmap", s->op == OP_START ? "rmap_walk_start" : "rmap_walk_end",
			   s->cpu, s->ts, s->pid, &ev);
		put_all(r, ev, (const char *[]){ "pfn", "rwc", "rmap_one", "kind", "locked", NULL },
			(unsigned long long[]){ s->pfn, s->rwc, s->rmap_one, s->kind, locked });
		if (s->op == OP_START)
			put(r->data, ev, "mapcount", (unsigned int)s->mapcount);
		else
			put_all(r, ev, (const char *[]){ "nr_visited", "nr_rmap_one", NULL },
				(unsigned long long[]){ s->visited, s->calls });
		return r;
	}
	if (s->op == OP_VISIT) {
		r = record(c, "rmapstat", s->name, s->cpu, s->ts, s->pid, &ev);
		put(r->data, ev, "vma", s->pfn);
		return r;
	}
	snprintf(name, sizeof(name), "%s_%s", s->name, s->op == OP_ENTRY ? "entry" : "exit");
	r = record(c, "rmapstat", name, s->cpu, s->ts, s->pid, &ev);
	if (s->op == OP_EXIT) {
		put_all(r, ev, (const char *[]){ "__probe_func", "__probe_ret_ip", NULL },
			(unsigned long long[]){ 0xffffffff81200000ULL, 0xffffffff81210000ULL });
		return r;
	}
	put_all(r, ev, (const char *[]){ "__probe_ip", "folio", "rwc", "mapping", "rmap_one", NULL },
		(unsigned long long[]){ 0xffffffff81200000ULL, s->pfn, s->rwc, s->mapping,
					s->rmap_one });
	if (tep_find_field(ev, "locked"))
		put(r->data, ev, "locked", locked);
	return r;
}

/*
 * Plays the steps: every record is printed as trace-cmd report would (the
 * plugin sees it) when its step comes, and checked where the step says
 * what to expect. A trace's records live until the next trace, so that
 * they can be printed again.
 */
static void play(const struct step *steps, size_t n)
{
	struct rec *recs[32];
	size_t nrecs = 0, i, k;
	unsigned long long lost = 0;
	const char *trace = NULL;
	struct ctx c;

	for (i = 0; i <= n; i++) {
		const struct step *s = &steps[i];
		char what[256];
		const char *out;
		struct rec *r;

		if (i == n || s->op == OP_TRACE) {
			if (trace) {
				for (k = 0; k < nrecs; k++)
					free(recs[k]);
				ctx_fini(&c);
			}
			if (i == n)
				break;
			trace = s->what;
			nrecs = 0;
			options_default();
			ctx_init(&c);
			continue;
		}
		switch (s->op) {
		case OP_LOST:
			lost = s->n;
			continue;
		case OP_OPTION:
			option(s->name, s->want);
			continue;
		case OP_VISITS:
			parse_rmapstat(&c, visits, sizeof(visits) / sizeof(visits[0]));
			continue;
		case OP_AGAIN:
			if (s->n < 1 || s->n > nrecs)
				die("%s: no record %llu to print again", trace, s->n);
			r = recs[s->n - 1];
			break;
		default:
			if (nrecs == sizeof(recs) / sizeof(recs[0]))
				die("%s: more than %zu records", trace, nrecs);
			r = recs[nrecs++] = make_record(&c, s);
			r->r.missed_events = lost;
			lost = 0;
		}
		out = show(&c, r);
		if (!s->what)
			continue;
		snprintf(what, sizeof(what), "%s: %s", trace, s->what);
		if (s->match == EXACT)
			expect(what, out, s->want);
		else
			expect_has(what, out, s->want, s->match == HAS);
	}
}

/*
 * Another series' rmap_walk_start (no pfn: a folio pointer and a string
 * kind): the plugin cannot pair it and leaves it to the kernel's format.
 */
static void test_foreign_format(void)
{
	static const char format[] =
		"name: rmap_walk_start\n"
		"ID: 1701\n"
		"format:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
		"\n"
		"\tfield:struct folio * folio;\toffset:8;\tsize:8;\tsigned:0;\n"
		"\tfield:const void * rwc;\toffset:16;\tsize:8;\tsigned:0;\n"
		"\tfield:bool locked;\toffset:24;\tsize:1;\tsigned:0;\n"
		"\n"
		"print fmt: \"folio=%p rwc=%p locked=%d\", REC->folio, REC->rwc, REC->locked\n";
	struct tep_event *ev;
	struct ctx c;
	struct rec *r;

	ctx_open(&c);
	if (tep_parse_event(c.tep, format, sizeof(format) - 1, "rmap"))
		die("cannot parse the foreign format");
	r = record(&c, "rmap", "rmap_walk_start", 0, 1000, 100, &ev);
	put_all(r, ev, (const char *[]){ "folio", "rwc", "locked", NULL },
		(unsigned long long[]){ FOLIO, RWC1, 1 });
	expect("another series' format prints as the kernel's", show(&c, r),
	       "folio=0xffffea0000100000 rwc=0xffffc90000abc000 locked=1");
	free(r);
	ctx_fini(&c);
}

/* ---- format layout ---- */

static bool has_file(const char *dir, const char *name, char *path, size_t len)
{
	struct stat st;

	if (!dir)
		return false;
	snprintf(path, len, "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

/* The kernel's format must have our fields at our offsets. */
static void compare_layout(const char *name, const char *ours, const char *theirs)
{
	struct tep_handle *a = tep_alloc(), *b = tep_alloc();
	struct tep_event *ea, *eb;
	struct tep_format_field **fa;
	size_t len;
	char *text;
	int i;

	if (!a || !b)
		die("tep_alloc failed");
	text = read_file(ours, &len);
	if (!text || tep_parse_event(a, text, len, "rmap"))
		die("cannot parse %s", ours);
	text = read_file(theirs, &len);
	if (!text || tep_parse_event(b, text, len, "rmap"))
		die("cannot parse %s", theirs);
	ea = tep_find_event_by_name(a, "rmap", name);
	eb = tep_find_event_by_name(b, "rmap", name);
	if (!ea || !eb)
		die("no %s in %s or %s", name, ours, theirs);
	fa = tep_event_fields(ea);
	for (i = 0; fa && fa[i]; i++) {
		struct tep_format_field *fb = tep_find_field(eb, fa[i]->name);
		char what[128];

		snprintf(what, sizeof(what), "kernel format of %s: field %s", name,
			 fa[i]->name);
		checks++;
		if (!fb || fb->offset != fa[i]->offset || fb->size != fa[i]->size) {
			failures++;
			printf("FAIL %s: ours at %d size %d, the kernel's %s\n", what,
			       fa[i]->offset, fa[i]->size, fb ? "differs" : "is missing");
		}
	}
	free(fa);
	tep_free(a);
	tep_free(b);
}

int main(int argc, char **argv)
{
	static const char * const names[2] = { "rmap_walk_start", "rmap_walk_end" };
	const char *kernel_dir = argc > 3 ? argv[3] : NULL;
	char path[4096], own[4096];
	int i;

	if (argc < 3)
		die("usage: test-plugin-offline PLUGIN_DIR OWN_FORMATS_DIR [KERNEL_FORMATS_DIR]");
	setvbuf(stdout, NULL, _IOLBF, 0);
	plugin_dir = argv[1];
	own_formats_dir = argv[2];
	if (setenv("TRACEEVENT_PLUGIN_DIR", plugin_dir, 1) ||
	    setenv("HOME", "/nonexistent", 1))
		die("setenv failed");

	for (i = 0; i < 2; i++) {
		char file[64];

		snprintf(file, sizeof(file), "%s.format", names[i]);
		if (!has_file(own_formats_dir, file, own, sizeof(own)))
			die("missing %s", own);
		if (has_file(kernel_dir, file, path, sizeof(path))) {
			compare_layout(names[i], own, path);
			snprintf(rmap_formats[i], sizeof(rmap_formats[i]), "%s", path);
		} else {
			snprintf(rmap_formats[i], sizeof(rmap_formats[i]), "%s", own);
		}
		printf("# %s from %s\n", names[i], rmap_formats[i]);
	}

	play(cases, sizeof(cases) / sizeof(cases[0]));
	options_default();
	test_foreign_format();

	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
