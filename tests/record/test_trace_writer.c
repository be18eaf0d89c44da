// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test of trace_writer.c and of the libtracecmd writer functions declared
 * in tracecmd_private.h (which trace-cmd.h does not declare).
 *
 * Builds a tracing directory of its own (header page, the rmap event
 * formats as the kernel series prints them, saved_cmdlines), a kallsyms
 * file and ring-buffer pages holding one rmap walk, writes a trace.dat
 * with rs_trace_write() and reads it back with libtracecmd: event
 * names, fields, the exact timestamps, the comm, and %ps resolved through
 * the saved kallsyms. When a trace-cmd binary is given as argv[2], its
 * `report` must show the same. A write that fails must leave no file.
 * The file carries every ftrace format of the tracing directory, so also
 * that of ftrace:raw_data, the events of record --victim's markers.
 *
 * rmapstat's own option, the kprobe fallback's description, must leave
 * the file readable by libtracecmd and trace-cmd, and `rmapstat report`
 * (argv[1]) must show it as it was written, in text (control characters
 * as '?') and JSON, show nothing for a file without it, and refuse one
 * longer than RS_TRACECMD_PROBES_MAX as damaged.
 *
 *   test-trace-writer RMAPSTAT [TRACE_CMD]
 *
 * Needs neither root nor tracefs.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event-parse.h>
#include <trace-cmd.h>

#include "check.h"
#include "trace_writer.h"
#include "tracecmd_private.h"

#define PAGE		4096
#define START_ID	1001
#define END_ID		1002
#define PID		4242
#define PFN		0x1234ULL
#define RWC		0xffffc90000abcde0ULL
#define PURPOSE		0xffffffff81001000ULL
#define TS0		5000000000ULL	/* page timestamp, ns */
#define DELTA		3000ULL		/* walk duration, ns */
#define PROBES		"layout rmap_one=+16 mapping=+24 (BTF /sys/kernel/btf/vmlinux); " \
			"probed rmap_walk rmap_walk_locked rmap_walk_ksm rmap_walk_anon __rmap_walk_file"


static const char header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";

static const char header_event[] =
	"# compressed entry header\n"
	"\ttype_len    :    5 bits\n"
	"\ttime_delta  :   27 bits\n"
	"\tarray       :   32 bits\n"
	"\n"
	"\tpadding     : type == 29\n"
	"\ttime_extend : type == 30\n"
	"\ttime_stamp : type == 31\n"
	"\tdata max type_len  == 28\n";

#define COMMON_FIELDS \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n" \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
#define KIND_SYMBOLIC \
	"__print_symbolic(REC->kind, { 0, \"KSM\" }, { 1, \"ANON\" }, { 2, \"FILE\" })"

static const char start_format[] =
	"name: rmap_walk_start\nID: 1001\nformat:\n" COMMON_FIELDS
	"\tfield:unsigned long pfn;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:const void * rwc;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:void * rmap_one;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:enum rmap_walk_kind kind;\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:int mapcount;\toffset:36;\tsize:4;\tsigned:1;\n"
	"\tfield:bool locked;\toffset:40;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"pfn=0x%lx kind=%s purpose=%ps mapcount=%d locked=%d rwc=%p\", "
	"REC->pfn, " KIND_SYMBOLIC ", REC->rmap_one, REC->mapcount, REC->locked, REC->rwc\n";

static const char end_format[] =
	"name: rmap_walk_end\nID: 1002\nformat:\n" COMMON_FIELDS
	"\tfield:unsigned long pfn;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:const void * rwc;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:void * rmap_one;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:enum rmap_walk_kind kind;\toffset:32;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int nr_visited;\toffset:36;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int nr_rmap_one;\toffset:40;\tsize:4;\tsigned:0;\n"
	"\tfield:bool locked;\toffset:44;\tsize:1;\tsigned:0;\n\n"
	"print fmt: \"pfn=0x%lx kind=%s purpose=%ps locked=%d visited=%u rmap_one=%u rwc=%p\", "
	"REC->pfn, " KIND_SYMBOLIC ", REC->rmap_one, REC->locked, REC->nr_visited, "
	"REC->nr_rmap_one, REC->rwc\n";

/* libtracecmd 3.1.6 crashes on a tracing dir without ftrace events. */
static const char print_format[] =
	"name: print\nID: 5\nformat:\n" COMMON_FIELDS
	"\tfield:unsigned long ip;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:char buf[];\toffset:16;\tsize:0;\tsigned:0;\n\n"
	"print fmt: \"%ps: %s\", (void *)REC->ip, REC->buf\n";

/*
 * The event of trace_marker_raw, which the victims of record --victim
 * write: the file must carry its format, as it carries every ftrace one.
 */
static const char raw_data_format[] =
	"name: raw_data\nID: 19\nformat:\n" COMMON_FIELDS
	"\tfield:unsigned int id;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:char buf[];\toffset:12;\tsize:0;\tsigned:0;\n\n"
	"print fmt: \"id:%04x %08x\", REC->id, (int)REC->buf[0]\n";

static const char kallsyms[] =
	"ffffffff81000000 T _stext\n"
	"ffffffff81001000 t try_to_migrate_one\n"
	"ffffffff81002000 t folio_referenced_one\n";

static const char expect_start[] =
	"pfn=0x1234 kind=KSM purpose=try_to_migrate_one mapcount=3 locked=0 rwc=0xffffc90000abcde0";
static const char expect_end[] =
	"pfn=0x1234 kind=KSM purpose=try_to_migrate_one locked=0 visited=20001 rmap_one=3 rwc=0xffffc90000abcde0";

static char root[] = "/tmp/rmapstat-writer-test-XXXXXX";

static void put(const char *rel, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "FAIL: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "FAIL: mkdir %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static size_t put_event(unsigned char *p, uint32_t delta, const void *payload, size_t len)
{
	uint32_t hdr = (uint32_t)(len / 4) | delta << 5;	/* type_len = len / 4 */

	memcpy(p, &hdr, 4);
	memcpy(p + 4, payload, len);
	return 4 + len;
}

/* The two records as the event formats above lay them out. */
struct start_record {
	uint16_t type, flags;
	int32_t pid;
	uint64_t pfn, rwc, purpose;
	uint32_t kind;
	int32_t mapcount;
	uint8_t locked, pad[3];		/* the payload is whole 4-byte words */
} __attribute__((packed));

struct end_record {
	uint16_t type, flags;
	int32_t pid;
	uint64_t pfn, rwc, purpose;
	uint32_t kind, nr_visited, nr_rmap_one;
	uint8_t locked, pad[3];
} __attribute__((packed));

_Static_assert(sizeof(struct start_record) == 44, "rmap_walk_start record");
_Static_assert(sizeof(struct end_record) == 48, "rmap_walk_end record");

/* One ring-buffer page: rmap_walk_start at TS0, rmap_walk_end DELTA later. */
static void make_page(unsigned char *page)
{
	const struct start_record start = {
		.type = START_ID, .pid = PID, .pfn = PFN, .rwc = RWC,
		.purpose = PURPOSE, .kind = 0, .mapcount = 3,
	};
	const struct end_record end = {
		.type = END_ID, .pid = PID, .pfn = PFN, .rwc = RWC,
		.purpose = PURPOSE, .kind = 0, .nr_visited = 20001, .nr_rmap_one = 3,
	};
	uint64_t ts = TS0, commit;
	size_t off = 16;

	memset(page, 0, PAGE);
	off += put_event(page + off, 0, &start, sizeof(start));
	off += put_event(page + off, DELTA, &end, sizeof(end));
	commit = off - 16;
	memcpy(page, &ts, 8);
	memcpy(page + 8, &commit, 8);
}

static void setup(void)
{
	unsigned char page[PAGE];

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(1);
	}
	dir("tracing");
	dir("tracing/events");
	dir("tracing/events/ftrace");
	dir("tracing/events/ftrace/print");
	dir("tracing/events/ftrace/raw_data");
	dir("tracing/events/rmap");
	dir("tracing/events/rmap/rmap_walk_start");
	dir("tracing/events/rmap/rmap_walk_end");
	dir("out");
	put("tracing/events/header_page", header_page, strlen(header_page));
	put("tracing/events/header_event", header_event, strlen(header_event));
	put("tracing/events/ftrace/print/format", print_format, strlen(print_format));
	put("tracing/events/ftrace/raw_data/format", raw_data_format, strlen(raw_data_format));
	put("tracing/events/rmap/rmap_walk_start/format", start_format, strlen(start_format));
	put("tracing/events/rmap/rmap_walk_end/format", end_format, strlen(end_format));
	put("tracing/printk_formats", "", 0);
	put("tracing/saved_cmdlines", "4242 ksm-test\n", 14);
	put("kallsyms", kallsyms, strlen(kallsyms));
	make_page(page);
	put("cpu0", page, sizeof(page));
	put("cpu1", "", 0);	/* a CPU without events */
}

static int write_trace(const char *output, char *cpu1, const char *probes)
{
	static const char *const events[] = {
		"rmap:rmap_walk_start", "rmap:rmap_walk_end", NULL,
	};
	char tracing[512], ksyms[512], cpu0[512];
	char *files[2] = { cpu0, cpu1 };
	char *stats[2] = { "entries: 0\noverrun: 0\n", "entries: 0\noverrun: 7\n" };
	struct trace_writer w = {
		.output = output,
		.tracing_dir = tracing,
		.kallsyms = ksyms,
		.events = events,
		.clock = "mono",
		.clock_list = "local global [mono] boot\n",
		.cpus = 2,
		.cpu_files = files,
		.cpu_stats = stats,
		.version = "rmapstat test",
		.probes = probes,
	};
	struct rs_error err;
	int ret;

	snprintf(tracing, sizeof(tracing), "%s/tracing", root);
	snprintf(ksyms, sizeof(ksyms), "%s/kallsyms", root);
	snprintf(cpu0, sizeof(cpu0), "%s/cpu0", root);
	ret = rs_trace_write(&w, &err);
	if (ret)
		printf("rs_trace_write: %d: %s (%s)\n", ret, err.what, err.fix);
	return ret;
}

static void check_record(struct tep_handle *tep, struct tep_record *rec,
			 const char *name, unsigned long long ts, const char *info)
{
	struct tep_event *ev = rec ? tep_find_event_by_record(tep, rec) : NULL;
	struct trace_seq s;
	unsigned long long val;

	CHECKF(ev, "no event where %s was expected", name);
	if (!ev)
		return;
	CHECKF(!strcmp(ev->system, "rmap") && !strcmp(ev->name, name),
	      "event %s:%s, expected rmap:%s", ev->system, ev->name, name);
	CHECKF(rec->ts == ts, "%s at %llu ns, expected %llu", name, rec->ts, ts);
	CHECKF(!tep_get_field_val(NULL, ev, "pfn", rec, &val, 0) && val == PFN,
	      "%s pfn 0x%llx", name, val);
	CHECKF(tep_data_pid(tep, rec) == PID, "%s pid %d", name, tep_data_pid(tep, rec));
	trace_seq_init(&s);
	tep_print_event(tep, &s, rec, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&s);
	CHECKF(!strcmp(s.buffer, info), "%s info\n  got      '%s'\n  expected '%s'", name, s.buffer, info);
	trace_seq_destroy(&s);
}

static void check_read_back(const char *file)
{
	struct tracecmd_input *in;
	struct tep_record *rec;
	struct tep_handle *tep;
	struct tep_event *ev;

	in = tracecmd_open(file, TRACECMD_FL_LOAD_NO_PLUGINS);
	CHECKF(in, "libtracecmd cannot open %s", file);
	if (!in)
		return;
	tep = tracecmd_get_tep(in);
	ev = tep_find_event_by_name(tep, "ftrace", "raw_data");
	CHECKF(ev && tep_find_field(ev, "id") && tep_find_field(ev, "buf"),
	       "no ftrace:raw_data format with id and buf in the file");
	CHECKF(!strcmp(tep_data_comm_from_pid(tep, PID), "ksm-test"),
	      "comm of %d is %s", PID, tep_data_comm_from_pid(tep, PID));

	rec = tracecmd_read_data(in, 0);
	check_record(tep, rec, "rmap_walk_start", TS0, expect_start);
	tracecmd_free_record(rec);
	rec = tracecmd_read_data(in, 0);
	check_record(tep, rec, "rmap_walk_end", TS0 + DELTA, expect_end);
	tracecmd_free_record(rec);
	rec = tracecmd_read_data(in, 0);
	CHECKF(!rec, "more than two records on CPU 0");
	tracecmd_free_record(rec);
	rec = tracecmd_read_data(in, 1);
	CHECKF(!rec, "a record on the empty CPU 1");
	tracecmd_free_record(rec);
	tracecmd_close(in);
}

/* Runs `'PROGRAM' ARGS 'FILE' 2>&1` into out; its exit status, or -1. */
static int run(const char *program, const char *args, const char *file, char *out, size_t len)
{
	char cmd[1024];
	size_t n;
	FILE *p;
	int status;

	snprintf(cmd, sizeof(cmd), "'%s' %s '%s' 2>&1", program, args, file);
	out[0] = '\0';
	p = popen(cmd, "r");
	CHECKF(p, "cannot run %s", cmd);
	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* trace-cmd report must show the walk with its purpose, comm and clock. */
static void check_trace_cmd(const char *trace_cmd, const char *file)
{
	static const char *const want[] = {
		"ksm-test-4242", "rmap_walk_start:", expect_start, "rmap_walk_end:", expect_end,
	};
	char out[8192];
	size_t i;

	CHECKF(run(trace_cmd, "report", file, out, sizeof(out)) == 0,
	      "trace-cmd report %s failed:\n%s", file, out);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECKF(strstr(out, want[i]), "trace-cmd report lacks '%s':\n%s", want[i], out);
	/* 5.000000 s and 5.000003 s (the mono clock is printed in seconds) */
	CHECKF(strstr(out, " 5.000000:") && strstr(out, " 5.000003:"),
	      "trace-cmd report timestamps:\n%s", out);
}

/*
 * rmapstat report shows the probes option as written (text: printable;
 * JSON: the string), or, for want NULL, no probes line and null.
 */
static void check_rmapstat(const char *rmapstat, const char *file, const char *want_text,
			   const char *want_json)
{
	char out[16384], line[1200];

	CHECKF(run(rmapstat, "report", file, out, sizeof(out)) == 0,
	      "rmapstat report %s failed:\n%s", file, out);
	if (want_text) {
		snprintf(line, sizeof(line), "\n  probes:  %s\n", want_text);
		CHECKF(strstr(out, line), "rmapstat report lacks '%s':\n%s", line, out);
	} else {
		CHECKF(!strstr(out, "probes:"), "rmapstat report shows probes:\n%s", out);
	}
	CHECKF(run(rmapstat, "report --json", file, out, sizeof(out)) == 0,
	      "rmapstat report --json %s failed:\n%s", file, out);
	snprintf(line, sizeof(line), "\"probes\": %s%s%s,\n", want_json ? "\"" : "",
		 want_json ? want_json : "null", want_json ? "\"" : "");
	CHECKF(strstr(out, line), "rmapstat report --json lacks '%s':\n%s", line, out);
}

/* The output directory holds exactly the listed names (NULL-terminated). */
static void check_dir(const char *path, const char *only)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	CHECKF(d, "opendir %s", path);
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		CHECKF(only && !strcmp(de->d_name, only), "unexpected file %s/%s", path, de->d_name);
	}
	if (d)
		closedir(d);
	CHECKF(n == (only ? 1 : 0), "%d files in %s", n, path);
}

/* Every declared writer function must resolve in libtracecmd.so.1. */
static void check_symbols(void)
{
	const void *fns[] = {
		(const void *)tracecmd_output_create_fd,
		(const void *)tracecmd_output_set_version,
		(const void *)tracecmd_output_set_trace_dir,
		(const void *)tracecmd_output_set_kallsyms,
		(const void *)tracecmd_set_quiet,
		(const void *)tracecmd_set_out_clock,
		(const void *)tracecmd_output_write_headers,
		(const void *)tracecmd_add_option,
		(const void *)tracecmd_write_cmdlines,
		(const void *)tracecmd_append_cpu_data,
		(const void *)tracecmd_output_close,
	};
	size_t i;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		CHECKF(fns[i], "writer function %zu did not resolve", i);
}

/*
 * Files with and without the probes option, and with a damaged one: what
 * rmapstat report makes of them (libtracecmd and trace-cmd read every
 * one: the option is rmapstat's own).
 */
static void check_probes(const char *rmapstat, const char *trace_cmd, char *cpu1)
{
	char file[600], out[8192], long_probes[RS_TRACECMD_PROBES_MAX + 1];

	snprintf(file, sizeof(file), "%s/probes.dat", root);
	CHECKF(write_trace(file, cpu1, "layout \033[2J rmap_one=+16\tmapping=+24") == 0,
	      "write with control characters failed");
	check_read_back(file);
	check_rmapstat(rmapstat, file, "layout ?[2J rmap_one=+16?mapping=+24",
		       "layout \\u001b[2J rmap_one=+16\\tmapping=+24");

	snprintf(file, sizeof(file), "%s/plain.dat", root);
	CHECKF(write_trace(file, cpu1, NULL) == 0, "write without probes failed");
	check_rmapstat(rmapstat, file, NULL, NULL);

	/* The longest rmapstat record writes is read; one byte more is damage. */
	memset(long_probes, 'x', sizeof(long_probes));
	long_probes[RS_TRACECMD_PROBES_MAX - 1] = '\0';
	snprintf(file, sizeof(file), "%s/longest.dat", root);
	CHECKF(write_trace(file, cpu1, long_probes) == 0, "write with the longest probes failed");
	check_rmapstat(rmapstat, file, long_probes, long_probes);
	long_probes[RS_TRACECMD_PROBES_MAX - 1] = 'x';
	long_probes[RS_TRACECMD_PROBES_MAX] = '\0';
	snprintf(file, sizeof(file), "%s/too-long.dat", root);
	CHECKF(write_trace(file, cpu1, long_probes) == 0, "write with too long probes failed");
	check_read_back(file);
	if (trace_cmd)
		check_trace_cmd(trace_cmd, file);
	CHECKF(run(rmapstat, "report", file, out, sizeof(out)) == 2 &&
	      strstr(out, "damaged"), "too long probes option not refused:\n%s", out);
}

int main(int argc, char **argv)
{
	char out[600], bad[600], outdir[512], cpu1[512], missing[512], cmd[1200];
	const char *trace_cmd = argc > 2 && access(argv[2], X_OK) == 0 ? argv[2] : NULL;

	if (argc < 2) {
		fprintf(stderr, "usage: test-trace-writer RMAPSTAT [TRACE_CMD]\n");
		return 2;
	}
	check_symbols();
	setup();
	snprintf(outdir, sizeof(outdir), "%s/out", root);
	snprintf(out, sizeof(out), "%s/trace.dat", outdir);
	snprintf(bad, sizeof(bad), "%s/bad.dat", outdir);
	snprintf(cpu1, sizeof(cpu1), "%s/cpu1", root);
	snprintf(missing, sizeof(missing), "%s/no-such-cpu-file", root);

	/* A failed write leaves neither the file nor its temporary. */
	CHECKF(write_trace(bad, missing, PROBES) < 0, "write with a missing CPU file succeeded");
	check_dir(outdir, NULL);

	CHECKF(write_trace(out, cpu1, PROBES) == 0, "write failed");
	check_dir(outdir, "trace.dat");
	check_read_back(out);
	if (trace_cmd)
		check_trace_cmd(trace_cmd, out);
	else
		printf("trace-cmd not given: trace-cmd report not checked\n");
	check_rmapstat(argv[1], out, PROBES, PROBES);
	check_probes(argv[1], trace_cmd, cpu1);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (!check_failures && system(cmd))
		fprintf(stderr, "cannot remove %s\n", root);
	printf("%s: %d failure(s)%s%s\n", check_failures ? "FAIL" : "PASS", check_failures,
	       check_failures ? ", files kept in " : "", check_failures ? root : "");
	return check_failures ? 1 : 0;
}
