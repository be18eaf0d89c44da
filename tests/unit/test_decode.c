// SPDX-License-Identifier: GPL-2.0-only
/*
 * The decoder the way a libtraceevent plugin uses it: created before the
 * event formats are parsed (plugins are loaded first), then fed records
 * one at a time with rs_decode_event() and rs_decode_record(). The formats
 * are read from the committed format files: the tracepoints of
 * kernel/patches/0001 as the lab recorded them from the patched kernel
 * (tests/data/formats), the kprobe fallback's from tests/plugin/formats,
 * whose copies of the tracepoint formats must have the recorded layout.
 * A missing or unparsable format file ends the test with an error.
 *
 * The visit formats there (rmapstat-visit_*.format) are what tracefs
 * prints in events/rmapstat/<name>/format after
 *
 *   echo 'r:rmapstat/visit_anon_next anon_vma_interval_tree_iter_next vma=$retval:x64' \
 *	>> /sys/kernel/tracing/kprobe_events
 *
 * (and the same for visit_anon_first, visit_file_first/_next on
 * vma_interval_tree_iter_first/_next): the kretprobe's common fields of
 * the recorded rmapstat:rmap_walk_*_exit formats, then "u64 vma".
 *
 * usage: test-decode DATA_FORMATS_DIR KPROBE_FORMATS_DIR
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "check.h"
#include "pairing.h"
#include "purpose.h"
#include "walk_decode.h"

/* The text of one format file, read whole. */
struct format {
	char path[512];
	char *text;
	size_t len;
};

/* DATA_FORMATS_DIR: the tracepoints as recorded from the lab kernel. */
static struct format start_fmt, end_fmt;
/* KPROBE_FORMATS_DIR: the kprobe events, rmapstat-<name>.format. */
static const char *const kprobe_names[] = {
	"rmap_walk_entry", "rmap_walk_exit",
	"rmap_walk_locked_entry", "rmap_walk_locked_exit",
	"rmap_walk_ksm_entry", "rmap_walk_ksm_exit",
};
static struct format kprobe_fmts[sizeof(kprobe_names) / sizeof(kprobe_names[0])];
/* KPROBE_FORMATS_DIR: the visit events, anon tree first. */
#define VISIT_NAME(tree, name)	#name,
static const char *const visit_names[] = { RS_VISIT_EVENTS(VISIT_NAME) };
#undef VISIT_NAME
#define NR_VISITS	(sizeof(visit_names) / sizeof(visit_names[0]))
static struct format visit_fmts[NR_VISITS];
/* KPROBE_FORMATS_DIR: the tracepoint formats the plugin tests use. */
static struct format own_start_fmt, own_end_fmt;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("test-decode: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/*
 * Reads DIR/FILE into f; it must be the format of SYSTEM:EVENT. Anything
 * else (missing, unreadable, not that format) ends the test: no skipping.
 */
static void load_format(struct format *f, const char *dir, const char *file,
			const char *system, const char *event)
{
	struct tep_handle *tep;
	size_t cap = 4096;
	int ok;
	FILE *fp;

	if ((size_t)snprintf(f->path, sizeof(f->path), "%s/%s", dir, file) >= sizeof(f->path))
		die("path too long: %s/%s", dir, file);
	fp = fopen(f->path, "r");
	if (!fp)
		die("cannot open format file %s: %s", f->path, strerror(errno));
	f->text = NULL;
	f->len = 0;
	for (;;) {
		char *p = realloc(f->text, cap + 1);

		if (!p)
			die("out of memory reading %s", f->path);
		f->text = p;
		f->len += fread(f->text + f->len, 1, cap - f->len, fp);
		if (f->len < cap)
			break;
		cap *= 2;
	}
	if (ferror(fp))
		die("cannot read format file %s", f->path);
	fclose(fp);
	f->text[f->len] = '\0';

	tep = tep_alloc();
	if (!tep)
		die("tep_alloc failed");
	ok = tep_parse_event(tep, f->text, f->len, system) == 0 &&
	     tep_find_event_by_name(tep, system, event) != NULL;
	tep_free(tep);
	if (!ok)
		die("%s is not a format of %s:%s", f->path, system, event);
}

static void load_formats(const char *data_dir, const char *kprobe_dir)
{
	char file[128];
	size_t i;

	load_format(&start_fmt, data_dir, "rmap_walk_start.format", "rmap", "rmap_walk_start");
	load_format(&end_fmt, data_dir, "rmap_walk_end.format", "rmap", "rmap_walk_end");
	for (i = 0; i < sizeof(kprobe_fmts) / sizeof(kprobe_fmts[0]); i++) {
		snprintf(file, sizeof(file), "rmapstat-%s.format", kprobe_names[i]);
		load_format(&kprobe_fmts[i], kprobe_dir, file, "rmapstat", kprobe_names[i]);
	}
	for (i = 0; i < NR_VISITS; i++) {
		snprintf(file, sizeof(file), "rmapstat-%s.format", visit_names[i]);
		load_format(&visit_fmts[i], kprobe_dir, file, "rmapstat", visit_names[i]);
	}
	load_format(&own_start_fmt, kprobe_dir, "rmap_walk_start.format", "rmap",
		    "rmap_walk_start");
	load_format(&own_end_fmt, kprobe_dir, "rmap_walk_end.format", "rmap", "rmap_walk_end");
}

static void free_formats(void)
{
	size_t i;

	free(start_fmt.text);
	free(end_fmt.text);
	for (i = 0; i < sizeof(kprobe_fmts) / sizeof(kprobe_fmts[0]); i++)
		free(kprobe_fmts[i].text);
	for (i = 0; i < NR_VISITS; i++)
		free(visit_fmts[i].text);
	free(own_start_fmt.text);
	free(own_end_fmt.text);
}

/* The public series' style: kind as a string, no rwc. */
static const char other_fmt[] =
	"name: rmap_walk_start\nID: 300\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:unsigned long pfn;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:__data_loc char[] kind;\toffset:16;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"pfn=%lx kind=%s\", REC->pfn, __get_str(kind)\n";

/*
 * rmap_walk_start of the series that adds nr_pages (kernel/patches/6.12 and
 * 7.3-tracepoints, 0001: unsigned int nr_pages between mapcount and locked),
 * laid out as the kernel lays out its TP_STRUCT__entry. The fixtures of
 * tests/data were recorded before it.
 */
static const char nr_pages_fmt[] =
	"name: rmap_walk_start\nID: 282\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:unsigned long pfn;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:const void * rwc;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:void * rmap_one;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:enum rmap_walk_kind kind;\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:int mapcount;\toffset:36;\tsize:4;\tsigned:1;\n"
	"\tfield:unsigned int nr_pages;\toffset:40;\tsize:4;\tsigned:0;\n"
	"\tfield:bool locked;\toffset:44;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"pfn=0x%lx kind=%s purpose=%ps mapcount=%d nr_pages=%u locked=%d rwc=%p\", "
	"REC->pfn, __print_symbolic(REC->kind, { 0, \"KSM\" }, { 1, \"ANON\" }, { 2, \"FILE\" }), "
	"REC->rmap_one, REC->mapcount, REC->nr_pages, REC->locked, REC->rwc\n";

static unsigned char data[64];

static void set(struct tep_event *ev, const char *name, unsigned long long v)
{
	struct tep_format_field *f = tep_find_any_field(ev, name);

	CHECK(f != NULL);
	if (f)
		memcpy(data + f->offset, &v, f->size);	/* little endian host */
}

static struct tep_record record(struct tep_event *ev, int pid, int cpu, unsigned long long ts)
{
	struct tep_record rec;

	memset(data, 0, sizeof(data));
	memset(&rec, 0, sizeof(rec));
	set(ev, "common_type", ev->id);
	set(ev, "common_pid", pid);
	rec.ts = ts;
	rec.cpu = cpu;
	rec.data = data;
	rec.size = sizeof(data);
	return rec;
}

static struct tep_handle *new_tep(void)
{
	struct tep_handle *tep = tep_alloc();

	tep_set_long_size(tep, 8);
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, TEP_LITTLE_ENDIAN);
	return tep;
}

static void test_tracepoints(void)
{
	struct tep_handle *tep = new_tep();
	struct rs_decoder *d = rs_decoder_new(tep);
	struct tep_event *start, *end;
	struct rs_walk_event ev;
	struct tep_record rec;
	char purpose[64];

	/* A plugin creates it before trace-cmd parses the formats. */
	CHECK(rs_decoder_sources(d) == RS_SRC_NONE);
	CHECK(tep_parse_event(tep, start_fmt.text, start_fmt.len, "rmap") == 0);
	CHECK(tep_parse_event(tep, end_fmt.text, end_fmt.len, "rmap") == 0);
	tep_register_comm(tep, "ksm-bench", 4242);
	tep_register_function(tep, "try_to_migrate_one", 0xffffffff812a1000ULL, NULL);
	tep_register_function(tep, "try_to_unmap_one", 0xffffffff812a3000ULL, NULL);
	CHECK(rs_decoder_sources(d) == RS_SRC_TRACEPOINTS);
	start = tep_find_event_by_name(tep, "rmap", "rmap_walk_start");
	end = tep_find_event_by_name(tep, "rmap", "rmap_walk_end");

	rec = record(start, 4242, 1, 5000);
	set(start, "pfn", 0x3fe9b);
	set(start, "rwc", 0xffffc90000a1fd00ULL);
	set(start, "rmap_one", 0xffffffff812a1000ULL);
	set(start, "kind", 0);
	set(start, "mapcount", (unsigned int)-1);
	set(start, "locked", 1);
	CHECK(rs_decode_event(d, start, &rec, &ev) == 1);
	CHECK(ev.type == RS_EV_START && ev.func == RS_FUNC_NONE);
	CHECK(ev.ts == 5000 && ev.cpu == 1 && ev.pid == 4242 && !strcmp(ev.comm, "ksm-bench"));
	CHECK(ev.pfn == 0x3fe9b && ev.rwc == 0xffffc90000a1fd00ULL);
	CHECK(ev.kind == RS_KIND_KSM && ev.mapcount == -1 && ev.locked);
	CHECK(ev.has == (RS_HAS_PFN | RS_HAS_RWC | RS_HAS_RMAP_ONE | RS_HAS_KIND |
			 RS_HAS_MAPCOUNT | RS_HAS_LOCKED));
	CHECK(!strcmp(rs_purpose_name(tep, &ev, purpose, sizeof(purpose)), "try_to_migrate_one"));
	ev.rmap_one += 0x10;
	CHECK(!strcmp(rs_purpose_name(tep, &ev, purpose, sizeof(purpose)),
		       "?0xffffffff812a1010"));	/* not a function's start: a miss */
	ev.rmap_one = 0xffffffffc0123450ULL;	/* beyond kallsyms: a module */
	CHECK(!strcmp(rs_purpose_name(tep, &ev, purpose, sizeof(purpose)), "?0xffffffffc0123450"));
	ev.has &= ~RS_HAS_RMAP_ONE;
	CHECK(!strcmp(rs_purpose_name(tep, &ev, purpose, sizeof(purpose)), "unknown"));

	rec = record(end, 4242, 0, 9000);
	set(end, "pfn", 0x3fe9b);
	set(end, "rwc", 0xffffc90000a1fd00ULL);
	set(end, "rmap_one", 0xffffffff812a1000ULL);
	set(end, "kind", 2);
	set(end, "nr_visited", 262144);
	set(end, "nr_rmap_one", 256);
	CHECK(rs_decode_record(d, &rec, &ev) == 1);
	CHECK(ev.type == RS_EV_END && ev.kind == RS_KIND_FILE && !ev.locked);
	CHECK(ev.nr_visited == 262144 && ev.nr_rmap_one == 256 && ev.cpu == 0);
	CHECK((ev.has & (RS_HAS_VISITED | RS_HAS_CALLS)) == (RS_HAS_VISITED | RS_HAS_CALLS));
	CHECK(!(ev.has & RS_HAS_MAPCOUNT));

	/* a kind the enum does not know */
	set(end, "kind", 7);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && ev.kind == RS_KIND_UNKNOWN);
	/* decoding only kprobes now: the tracepoint is not ours */
	rs_decoder_use(d, RS_SRC_KPROBES);
	CHECK(rs_decode_record(d, &rec, &ev) == 0);
	rs_decoder_free(d);
	tep_free(tep);
}

/*
 * The start with nr_pages: decoded in one straight line from a whole
 * record, field by field from one cut short before locked; carried into
 * the paired walk, where it decides whether the walk can be short.
 */
static void test_nr_pages(void)
{
	struct tep_handle *tep = new_tep();
	struct rs_decoder *d = rs_decoder_new(tep);
	struct rs_pairing *p = rs_pairing_new(NULL, NULL);
	struct tep_event *start, *end;
	struct rs_walk_event ev;
	struct tep_record rec;
	struct rs_walk w;

	CHECK(tep_parse_event(tep, nr_pages_fmt, strlen(nr_pages_fmt), "rmap") == 0);
	CHECK(tep_parse_event(tep, end_fmt.text, end_fmt.len, "rmap") == 0);
	CHECK(rs_decoder_sources(d) == RS_SRC_TRACEPOINTS);
	start = tep_find_event_by_name(tep, "rmap", "rmap_walk_start");
	end = tep_find_event_by_name(tep, "rmap", "rmap_walk_end");

	rec = record(start, 7, 0, 100);
	set(start, "pfn", 0x4a3b0);
	set(start, "rwc", 0xffffc90000a1fd00ULL);
	set(start, "kind", 1);
	set(start, "mapcount", 16);
	set(start, "nr_pages", 16);
	set(start, "locked", 1);
	CHECK(rs_decode_record(d, &rec, &ev) == 1);
	CHECK(ev.kind == RS_KIND_ANON && ev.mapcount == 16 && ev.nr_pages == 16 && ev.locked);
	CHECK(ev.has == (RS_HAS_PFN | RS_HAS_RWC | RS_HAS_RMAP_ONE | RS_HAS_KIND |
			 RS_HAS_MAPCOUNT | RS_HAS_NR_PAGES | RS_HAS_LOCKED));
	CHECK(rs_pairing_feed(p, &ev, NULL) == RS_FEED_PENDING);
	rec = record(end, 7, 1, 300);
	set(end, "pfn", 0x4a3b0);
	set(end, "rwc", 0xffffc90000a1fd00ULL);
	set(end, "kind", 1);
	set(end, "nr_visited", 1);
	set(end, "nr_rmap_one", 1);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && !(ev.has & RS_HAS_NR_PAGES));
	CHECK(rs_pairing_feed(p, &ev, &w) == RS_FEED_PAIRED);
	/* a 64K folio mapped once: 16 PTEs, one call; not a short walk */
	CHECK(w.start.nr_pages == 16 && (w.start.has & RS_HAS_NR_PAGES));
	CHECK(rs_walk_is_short(&w) == -1);

	/* cut before locked: the fields it still holds, read one by one */
	rec = record(start, 7, 0, 400);
	set(start, "kind", 1);
	set(start, "mapcount", 2);
	set(start, "nr_pages", 1);
	rec.size = 44;
	CHECK(rs_decode_event(d, start, &rec, &ev) == 1);
	CHECK(ev.mapcount == 2 && ev.nr_pages == 1 && (ev.has & RS_HAS_NR_PAGES) &&
	      !(ev.has & RS_HAS_LOCKED));
	rs_pairing_free(p);
	rs_decoder_free(d);
	tep_free(tep);
}

static void test_kprobes(void)
{
	struct tep_handle *tep = new_tep();
	struct rs_decoder *d = rs_decoder_new(tep);
	struct tep_event *e, *ksm, *locked, *x;
	struct rs_walk_event ev;
	struct tep_record rec;
	size_t i;

	for (i = 0; i < sizeof(kprobe_fmts) / sizeof(kprobe_fmts[0]); i++)
		CHECK(tep_parse_event(tep, kprobe_fmts[i].text, kprobe_fmts[i].len,
				      "rmapstat") == 0);
	CHECK(rs_decoder_sources(d) == RS_SRC_KPROBES);
	CHECK((rs_source_missing(RS_SRC_KPROBES) & (RS_HAS_PFN | RS_HAS_MAPCOUNT |
						   RS_HAS_VISITED | RS_HAS_CALLS)) ==
	      (RS_HAS_PFN | RS_HAS_MAPCOUNT | RS_HAS_VISITED | RS_HAS_CALLS));
	e = tep_find_event_by_name(tep, "rmapstat", "rmap_walk_entry");
	ksm = tep_find_event_by_name(tep, "rmapstat", "rmap_walk_ksm_entry");
	locked = tep_find_event_by_name(tep, "rmapstat", "rmap_walk_locked_entry");
	x = tep_find_event_by_name(tep, "rmapstat", "rmap_walk_locked_exit");

	rec = record(e, 7, 0, 100);
	set(e, "folio", 0xffffea0000040000ULL);
	set(e, "rwc", 0xffffc90000a1fd00ULL);
	set(e, "mapping", 0xffff888003a1d001ULL);
	set(e, "rmap_one", 0xffffffff812a4000ULL);
	CHECK(rs_decode_event(d, e, &rec, &ev) == 1);
	CHECK(ev.type == RS_EV_ENTRY && ev.func == RS_FUNC_RMAP_WALK && ev.kind == RS_KIND_ANON);
	CHECK(ev.folio == 0xffffea0000040000ULL && ev.rwc == 0xffffc90000a1fd00ULL);
	CHECK(ev.rmap_one == 0xffffffff812a4000ULL && !ev.locked);
	/* no visit events in this trace: nothing to count nr_visited from */
	CHECK(!(ev.has & (RS_HAS_PFN | RS_HAS_MAPCOUNT | RS_HAS_VISIT_COUNT)));
	set(e, "mapping", 0xffff888003a1c003ULL);
	CHECK(rs_decode_event(d, e, &rec, &ev) == 1 && ev.kind == RS_KIND_KSM);
	set(e, "mapping", 0);
	CHECK(rs_decode_event(d, e, &rec, &ev) == 1 && ev.kind == RS_KIND_UNKNOWN &&
	      !(ev.has & RS_HAS_KIND));

	rec = record(ksm, 7, 0, 110);
	set(ksm, "mapping", 0xffff888003a1d001ULL);	/* whatever it says: KSM */
	CHECK(rs_decode_event(d, ksm, &rec, &ev) == 1 && ev.func == RS_FUNC_RMAP_WALK_KSM &&
	      ev.kind == RS_KIND_KSM);
	rec = record(locked, 7, 0, 120);
	set(locked, "mapping", 0xffff888003a1e000ULL);
	CHECK(rs_decode_event(d, locked, &rec, &ev) == 1 && ev.locked && ev.kind == RS_KIND_FILE &&
	      ev.func == RS_FUNC_RMAP_WALK_LOCKED);
	rec = record(x, 7, 1, 130);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && ev.type == RS_EV_EXIT &&
	      ev.func == RS_FUNC_RMAP_WALK_LOCKED && ev.kind == RS_KIND_UNKNOWN && ev.cpu == 1);
	rs_decoder_free(d);
	tep_free(tep);
}

/* The kprobe walk formats, and the visit formats from..to (indexes of visit_names). */
static struct tep_handle *visits_tep(size_t from, size_t to)
{
	struct tep_handle *tep = new_tep();
	size_t i;

	for (i = 0; i < sizeof(kprobe_fmts) / sizeof(kprobe_fmts[0]); i++)
		CHECK(tep_parse_event(tep, kprobe_fmts[i].text, kprobe_fmts[i].len,
				      "rmapstat") == 0);
	for (i = from; i < to; i++)
		CHECK(tep_parse_event(tep, visit_fmts[i].text, visit_fmts[i].len,
				      "rmapstat") == 0);
	return tep;
}

/* A record of rmapstat:name with one field set (NULL: none). */
static struct tep_record kprobe_record(struct tep_handle *tep, const char *name,
				       const char *field, unsigned long long v,
				       int pid, unsigned long long ts)
{
	struct tep_event *e = tep_find_event_by_name(tep, "rmapstat", name);
	struct tep_record rec;

	CHECK(e != NULL);
	rec = record(e, pid, 1, ts);
	if (field)
		set(e, field, v);
	return rec;
}

/*
 * The visit kretprobes: decoded as visits of their tree, a NULL vma as
 * none; the kprobe entries of a trace that has them say the pairing can
 * count their nr_visited, which it then does.
 */
static void test_visits(void)
{
	struct tep_handle *tep = visits_tep(0, NR_VISITS);
	struct rs_decoder *d = rs_decoder_new(tep);
	struct rs_pairing *p = rs_pairing_new(NULL, NULL);
	struct rs_walk_event ev;
	struct tep_record rec;
	struct rs_walk w;

	CHECK(rs_decoder_sources(d) == (RS_SRC_KPROBES | RS_SRC_VISITS));
	CHECK(!(rs_source_missing(RS_SRC_KPROBES | RS_SRC_VISITS) & RS_HAS_VISITED));

	rec = kprobe_record(tep, "visit_anon_next", "vma", 0xffff888004a1b2c0ULL, 7, 200);
	CHECK(rs_decode_record(d, &rec, &ev) == 1);
	CHECK(ev.type == RS_EV_VISIT && ev.kind == RS_KIND_ANON && ev.func == RS_FUNC_NONE);
	CHECK(ev.vma == 0xffff888004a1b2c0ULL && ev.nr_visited == 1 && ev.pid == 7 &&
	      ev.ts == 200 && ev.cpu == 1);
	CHECK((ev.has & (RS_HAS_VMA | RS_HAS_VISITED)) == (RS_HAS_VMA | RS_HAS_VISITED));
	rec = kprobe_record(tep, "visit_file_first", "vma", 0, 7, 201);
	CHECK(rs_decode_event(d, tep_find_event_by_name(tep, "rmapstat", "visit_file_first"),
			      &rec, &ev) == 1);
	CHECK(ev.type == RS_EV_VISIT && ev.kind == RS_KIND_FILE && ev.vma == 0 &&
	      ev.nr_visited == 0);

	/* entry, three visits (one NULL: the end of the loop), exit */
	rec = kprobe_record(tep, "rmap_walk_ksm_entry", "rwc", 0xffffc90000a1fd00ULL, 7, 100);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && (ev.has & RS_HAS_VISIT_COUNT));
	CHECK(rs_pairing_feed(p, &ev, NULL) == RS_FEED_PENDING);
	rec = kprobe_record(tep, "visit_anon_first", "vma", 0xffff888004a1b000ULL, 7, 110);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && rs_pairing_feed(p, &ev, NULL) == RS_FEED_VISIT);
	rec = kprobe_record(tep, "visit_anon_next", "vma", 0xffff888004a1b040ULL, 7, 120);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && rs_pairing_feed(p, &ev, NULL) == RS_FEED_VISIT);
	rec = kprobe_record(tep, "visit_anon_next", "vma", 0, 7, 130);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && rs_pairing_feed(p, &ev, NULL) == RS_FEED_VISIT);
	rec = kprobe_record(tep, "rmap_walk_ksm_exit", NULL, 0, 7, 140);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && rs_pairing_feed(p, &ev, &w) == RS_FEED_PAIRED);
	CHECK(w.end.nr_visited == 2 && (w.end.has & RS_HAS_VISITED));
	CHECK(rs_pairing_counters(p)->visits == 2 && rs_pairing_counters(p)->events == 2);

	/* visits not in use: not decoded, and the entries do not ask for them */
	rs_decoder_use(d, RS_SRC_KPROBES);
	rec = kprobe_record(tep, "visit_anon_next", "vma", 0xffff888004a1b2c0ULL, 7, 300);
	CHECK(rs_decode_record(d, &rec, &ev) == 0);
	rec = kprobe_record(tep, "rmap_walk_ksm_entry", NULL, 0, 7, 310);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && !(ev.has & RS_HAS_VISIT_COUNT));
	rs_pairing_free(p);
	rs_decoder_free(d);
	tep_free(tep);
}

/* A walk counts visits only when both iterators of its tree are probed. */
static void test_visits_one_tree(void)
{
	struct tep_handle *tep = visits_tep(0, 2);	/* visit_anon_first/_next */
	struct rs_decoder *d = rs_decoder_new(tep);
	struct rs_walk_event ev;
	struct tep_record rec;
	size_t i;

	CHECK(rs_decoder_sources(d) == (RS_SRC_KPROBES | RS_SRC_VISITS));
	rec = kprobe_record(tep, "rmap_walk_ksm_entry", NULL, 0, 7, 100);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && (ev.has & RS_HAS_VISIT_COUNT));
	rec = kprobe_record(tep, "rmap_walk_entry", "mapping", 0xffff888003a1d001ULL, 7, 110);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && ev.kind == RS_KIND_ANON &&
	      (ev.has & RS_HAS_VISIT_COUNT));
	rec = kprobe_record(tep, "rmap_walk_entry", "mapping", 0xffff888003a1e000ULL, 7, 120);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && ev.kind == RS_KIND_FILE &&
	      !(ev.has & RS_HAS_VISIT_COUNT));
	/* a NULL mapping: either tree, and the file one is not there */
	rec = kprobe_record(tep, "rmap_walk_entry", "mapping", 0, 7, 130);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && !(ev.has & RS_HAS_VISIT_COUNT));
	/* only visit_file_first: still not the file tree (a plugin sees formats come in) */
	CHECK(tep_parse_event(tep, visit_fmts[2].text, visit_fmts[2].len, "rmapstat") == 0);
	rec = kprobe_record(tep, "rmap_walk_entry", "mapping", 0xffff888003a1e000ULL, 7, 140);
	CHECK(rs_decode_event(d, tep_find_event_by_name(tep, "rmapstat", "rmap_walk_entry"),
			      &rec, &ev) == 1 && !(ev.has & RS_HAS_VISIT_COUNT));
	CHECK(tep_parse_event(tep, visit_fmts[3].text, visit_fmts[3].len, "rmapstat") == 0);
	CHECK(rs_decode_event(d, tep_find_event_by_name(tep, "rmapstat", "rmap_walk_entry"),
			      &rec, &ev) == 1 && (ev.has & RS_HAS_VISIT_COUNT));
	rs_decoder_free(d);
	tep_free(tep);

	/* visits without the walk kprobes they count into: no source */
	tep = new_tep();
	d = rs_decoder_new(tep);
	for (i = 0; i < NR_VISITS; i++)
		CHECK(tep_parse_event(tep, visit_fmts[i].text, visit_fmts[i].len, "rmapstat") == 0);
	CHECK(rs_decoder_sources(d) == RS_SRC_NONE);
	rs_decoder_free(d);
	tep_free(tep);
}

/* A visit kretprobe without vma cannot count: not a source, an error. */
static void test_visits_without_vma(void)
{
	struct tep_handle *tep = visits_tep(0, 0);
	struct rs_decoder *d = rs_decoder_new(tep);
	struct rs_walk_event ev;
	struct tep_record rec;
	char *fmt;
	size_t i;

	for (i = 0; i < NR_VISITS; i++) {
		fmt = strdup(visit_fmts[i].text);
		CHECK(fmt && strstr(fmt, "u64 vma;"));
		memcpy(strstr(fmt, "u64 vma;"), "u64 ret;", 8);
		memcpy(strstr(fmt, "REC->vma"), "REC->ret", 8);
		CHECK(tep_parse_event(tep, fmt, visit_fmts[i].len, "rmapstat") == 0);
		free(fmt);
	}
	CHECK(rs_decoder_sources(d) == RS_SRC_KPROBES);
	CHECK(rs_decoder_error(d) && strstr(rs_decoder_error(d), RS_VISIT_FETCHARG));
	rec = kprobe_record(tep, "visit_file_next", "ret", 0xffff888004a1b2c0ULL, 7, 100);
	CHECK(rs_decode_record(d, &rec, &ev) == -1);
	rec = kprobe_record(tep, "rmap_walk_ksm_entry", NULL, 0, 7, 110);
	CHECK(rs_decode_record(d, &rec, &ev) == 1 && !(ev.has & RS_HAS_VISIT_COUNT));
	rs_decoder_free(d);
	tep_free(tep);
}

/* An rmap_walk_start of another format: no rwc, string kind. */
static void test_other_format(void)
{
	struct tep_handle *tep = new_tep();
	struct rs_decoder *d = rs_decoder_new(tep);
	struct tep_event *e;
	struct rs_walk_event ev;
	struct tep_record rec;

	CHECK(tep_parse_event(tep, other_fmt, strlen(other_fmt), "rmap") == 0);
	CHECK(rs_decoder_sources(d) == RS_SRC_NONE);
	CHECK(rs_decoder_error(d) && strstr(rs_decoder_error(d), "no field 'rwc'"));
	e = tep_find_event_by_name(tep, "rmap", "rmap_walk_start");
	rec = record(e, 1, 0, 1);
	CHECK(rs_decode_record(d, &rec, &ev) == -1);
	rs_decoder_free(d);
	tep_free(tep);
}

/*
 * The tracepoint formats the plugin tests use (KPROBE_FORMATS_DIR) have the
 * field layout of those the lab recorded from the patched kernel, which the
 * tests above decode.
 */
static void test_recorded_formats(void)
{
	static const char *const names[] = { "rmap_walk_start", "rmap_walk_end" };
	const struct format *own[] = { &own_start_fmt, &own_end_fmt };
	const struct format *recorded[] = { &start_fmt, &end_fmt };
	struct tep_handle *mine = new_tep(), *kernel = new_tep();
	size_t i;

	for (i = 0; i < 2; i++) {
		struct tep_event *a, *b;
		struct tep_format_field *f;

		CHECK(tep_parse_event(mine, own[i]->text, own[i]->len, "rmap") == 0);
		CHECK(tep_parse_event(kernel, recorded[i]->text, recorded[i]->len, "rmap") == 0);
		a = tep_find_event_by_name(mine, "rmap", names[i]);
		b = tep_find_event_by_name(kernel, "rmap", names[i]);
		CHECK(a && b);
		if (!a || !b)
			continue;
		CHECK(a->format.nr_fields == b->format.nr_fields);
		for (f = a->format.fields; f; f = f->next) {
			struct tep_format_field *g = tep_find_field(b, f->name);

			CHECK(g && g->offset == f->offset && g->size == f->size &&
			      !strcmp(g->type, f->type));
		}
	}
	tep_free(mine);
	tep_free(kernel);
}

int main(int argc, char **argv)
{
	int ret;

	if (argc != 3)
		die("usage: test-decode DATA_FORMATS_DIR KPROBE_FORMATS_DIR");
	tep_set_loglevel(TEP_LOG_NONE);
	load_formats(argv[1], argv[2]);
	RUN(test_tracepoints);
	RUN(test_nr_pages);
	RUN(test_kprobes);
	RUN(test_visits);
	RUN(test_visits_one_tree);
	RUN(test_visits_without_vma);
	RUN(test_other_format);
	RUN(test_recorded_formats);
	ret = check_summary();
	free_formats();
	return ret;
}
