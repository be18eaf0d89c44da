// SPDX-License-Identifier: GPL-2.0-only
/*
 * The decoder the way a libtraceevent plugin uses it: created before the
 * event formats are parsed (plugins are loaded first), then fed records
 * one at a time with rs_decode_event() and rs_decode_record(). Formats are
 * those of kernel/patches/0001 and of the kprobe fallback; when the
 * formats the lab recorded from the patched kernel are given (directory
 * argument), they must match the ones the decoder is tested with.
 *
 * usage: test-decode [FORMATS_DIR]
 */
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "check.h"
#include "pairing.h"
#include "purpose.h"
#include "walk_decode.h"

static const char start_fmt[] =
	"name: rmap_walk_start\n"
	"ID: 282\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned long pfn;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:const void * rwc;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:void * rmap_one;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:enum rmap_walk_kind kind;\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:int mapcount;\toffset:36;\tsize:4;\tsigned:1;\n"
	"\tfield:bool locked;\toffset:40;\tsize:1;\tsigned:0;\n"
	"\n"
	"print fmt: \"pfn=0x%lx kind=%s purpose=%ps mapcount=%d locked=%d rwc=%p\", REC->pfn, "
	"__print_symbolic(REC->kind, { 0, \"KSM\" }, { 1, \"ANON\" }, { 2, \"FILE\" }), "
	"REC->rmap_one, REC->mapcount, REC->locked, REC->rwc\n";

static const char end_fmt[] =
	"name: rmap_walk_end\n"
	"ID: 283\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned long pfn;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:const void * rwc;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:void * rmap_one;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:enum rmap_walk_kind kind;\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int nr_visited;\toffset:36;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int nr_rmap_one;\toffset:40;\tsize:4;\tsigned:0;\n"
	"\tfield:bool locked;\toffset:44;\tsize:1;\tsigned:0;\n"
	"\n"
	"print fmt: \"pfn=0x%lx kind=%s purpose=%ps locked=%d visited=%u rmap_one=%u rwc=%p\", "
	"REC->pfn, __print_symbolic(REC->kind, { 0, \"KSM\" }, { 1, \"ANON\" }, { 2, \"FILE\" }), "
	"REC->rmap_one, REC->locked, REC->nr_visited, REC->nr_rmap_one, REC->rwc\n";

#define KPROBE_ENTRY_FMT(name, id)						\
	"name: " name "\nID: " id "\nformat:\n"					\
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"	\
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"	\
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"		\
	"\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n"	\
	"\tfield:u64 folio;\toffset:16;\tsize:8;\tsigned:0;\n"			\
	"\tfield:u64 rwc;\toffset:24;\tsize:8;\tsigned:0;\n"			\
	"\tfield:u64 mapping;\toffset:32;\tsize:8;\tsigned:0;\n"		\
	"\tfield:u64 rmap_one;\toffset:40;\tsize:8;\tsigned:0;\n\n"		\
	"print fmt: \"(%lx) folio=0x%Lx rwc=0x%Lx mapping=0x%Lx rmap_one=0x%Lx\", "	\
	"REC->__probe_ip, REC->folio, REC->rwc, REC->mapping, REC->rmap_one\n"

#define KPROBE_EXIT_FMT(name, id)						\
	"name: " name "\nID: " id "\nformat:\n"					\
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"	\
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"	\
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"		\
	"\tfield:unsigned long __probe_func;\toffset:8;\tsize:8;\tsigned:0;\n"	\
	"\tfield:unsigned long __probe_ret_ip;\toffset:16;\tsize:8;\tsigned:0;\n\n" \
	"print fmt: \"(%lx <- %lx)\", REC->__probe_func, REC->__probe_ret_ip\n"

static const char *const kprobe_fmts[] = {
	KPROBE_ENTRY_FMT("rmap_walk_entry", "1500"),
	KPROBE_EXIT_FMT("rmap_walk_exit", "1501"),
	KPROBE_ENTRY_FMT("rmap_walk_locked_entry", "1502"),
	KPROBE_EXIT_FMT("rmap_walk_locked_exit", "1503"),
	KPROBE_ENTRY_FMT("rmap_walk_ksm_entry", "1504"),
	KPROBE_EXIT_FMT("rmap_walk_ksm_exit", "1505"),
};

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
	CHECK(tep_parse_event(tep, start_fmt, strlen(start_fmt), "rmap") == 0);
	CHECK(tep_parse_event(tep, end_fmt, strlen(end_fmt), "rmap") == 0);
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
	CHECK(!strcmp(rs_purpose_name(tep, &ev, purpose, sizeof(purpose)), "try_to_migrate_one+0x10"));
	ev.rmap_one = 0xffffffffc0123450ULL;	/* beyond kallsyms: a module */
	CHECK(!strcmp(rs_purpose_name(tep, &ev, purpose, sizeof(purpose)), "0xffffffffc0123450"));
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

static void test_kprobes(void)
{
	struct tep_handle *tep = new_tep();
	struct rs_decoder *d = rs_decoder_new(tep);
	struct tep_event *e, *ksm, *locked, *x;
	struct rs_walk_event ev;
	struct tep_record rec;
	size_t i;

	for (i = 0; i < sizeof(kprobe_fmts) / sizeof(kprobe_fmts[0]); i++)
		CHECK(tep_parse_event(tep, kprobe_fmts[i], strlen(kprobe_fmts[i]), "rmapstat") == 0);
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
	CHECK(!(ev.has & (RS_HAS_PFN | RS_HAS_MAPCOUNT)));
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

/* The formats the lab recorded from the patched kernel match. */
static void test_kernel_formats(const char *dir)
{
	static const char *const names[] = { "rmap_walk_start", "rmap_walk_end" };
	struct tep_handle *mine = new_tep(), *kernel = new_tep();
	size_t i;

	tep_parse_event(mine, start_fmt, strlen(start_fmt), "rmap");
	tep_parse_event(mine, end_fmt, strlen(end_fmt), "rmap");
	for (i = 0; i < 2; i++) {
		struct tep_event *a, *b;
		struct tep_format_field *f;
		char path[512], buf[8192];
		size_t n;
		FILE *fp;

		snprintf(path, sizeof(path), "%s/%s.format", dir, names[i]);
		fp = fopen(path, "r");
		CHECK(fp != NULL);
		if (!fp) {
			fprintf(stderr, "cannot read %s\n", path);
			continue;
		}
		n = fread(buf, 1, sizeof(buf), fp);
		fclose(fp);
		CHECK(tep_parse_event(kernel, buf, n, "rmap") == 0);
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

static const char *formats_dir;

static void test_recorded_formats(void)
{
	if (formats_dir)
		test_kernel_formats(formats_dir);
	else
		printf("  (no recorded formats given)\n");
}

int main(int argc, char **argv)
{
	tep_set_loglevel(TEP_LOG_NONE);
	if (argc > 1)
		formats_dir = argv[1];
	RUN(test_tracepoints);
	RUN(test_kprobes);
	RUN(test_other_format);
	RUN(test_recorded_formats);
	return check_summary();
}
