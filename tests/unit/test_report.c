// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace.dat reading, decoding and the walk report on synthetic traces
 * whose content is known (tests/cli/mktrace.py writes each trace and a
 * JSON file with the walks it put in): every walk is found with its exact
 * duration, CPUs, kind, purpose, counters and short verdict (nr_pages
 * where the format has it), every unpaired event is
 * counted, instance buffers are read, and the libtracecmd functions that
 * trace-cmd.h does not declare (lib/compat/tracecmd_private.h) give the values the
 * file holds.
 *
 * usage: test-report DIR              DIR has SCENARIO.dat and SCENARIO.json
 *        test-report --json FILE      print the report JSON of FILE (for check_json.py)
 */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json_read.h"
#include "output.h"
#include "purpose.h"
#include "trace_input.h"
#include "walk_decode.h"
#include "walk_report.h"

static const char *dir;

struct row_copy {
	struct rs_walk walk;
	char purpose[RS_PURPOSE_LEN];
	char buffer[64];
};

struct rows {
	struct row_copy *r;
	size_t n, cap;
};

static int keep_row(const struct rs_row *row, void *arg)
{
	struct rows *rows = arg;

	rows->r = check_grow(rows->r, rows->n, &rows->cap, sizeof(*rows->r));
	rows->r[rows->n].walk = *row->walk;
	snprintf(rows->r[rows->n].purpose, RS_PURPOSE_LEN, "%s", row->purpose);
	snprintf(rows->r[rows->n].buffer, 64, "%s", row->buffer);
	rows->n++;
	return 0;
}

static char *path_of(const char *scenario, const char *ext)
{
	char *p;

	if (asprintf(&p, "%s/%s.%s", dir, scenario, ext) < 0)
		abort();
	return p;
}

static struct json_object *load_truth(const char *scenario)
{
	char *path = path_of(scenario, "json"), *text, err[128];
	struct json_object *v;
	FILE *f = fopen(path, "r");
	long len;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = malloc(len + 1);
	if (!text || fread(text, 1, len, f) != (size_t)len)
		abort();
	fclose(f);
	if (rs_json_read(text, len, &v, err, sizeof(err)) || !v) {
		fprintf(stderr, "%s: %s\n", path, err);
		exit(1);
	}
	free(text);
	free(path);
	return v;
}

/* A member, NULL if there is none (or it is null). */
static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(obj, key, &v);
	return v;
}

static double num(struct json_object *obj, const char *key)
{
	struct json_object *v = get(obj, key);

	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return NAN;
	return json_object_get_double(v);
}

static const char *str(struct json_object *obj, const char *key)
{
	struct json_object *v = get(obj, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

/* The length of an array member, 0 if there is none. */
static size_t count(struct json_object *obj, const char *key)
{
	struct json_object *v = get(obj, key);

	return json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

static struct rs_report *run(const char *scenario, struct rows *rows, const char *buffer,
			     struct rs_error *err, int *ret)
{
	struct rs_report_opts o;
	struct rs_report *r;
	char *path = path_of(scenario, "dat");

	memset(&o, 0, sizeof(o));
	rs_group_spec_parse("kind", &o.by);
	o.top_n = 3;
	o.buffer = buffer;
	o.row_fn = keep_row;
	o.row_arg = rows;
	r = rs_report_new(&o);
	*ret = rs_report_add_file(r, path, err);
	free(path);
	return r;
}

/* Every walk the generator put in comes out, exactly. */
static void check_walks(struct json_object *truth, const struct rows *rows, int tracepoints)
{
	struct json_object *walks = get(truth, "walks");
	size_t nwalks = count(truth, "walks");
	size_t i, k, found = 0, ok_rows = 0;

	for (k = 0; k < rows->n; k++)
		ok_rows += rows->r[k].walk.status == RS_WALK_OK;
	CHECK_EQ_U64(ok_rows, nwalks);
	for (i = 0; i < nwalks; i++) {
		struct json_object *t = json_object_array_get_idx(walks, i);
		const struct row_copy *m = NULL;

		for (k = 0; k < rows->n; k++) {
			const struct rs_walk *w = &rows->r[k].walk;

			if (w->status == RS_WALK_OK && w->start.ts == (uint64_t)num(t, "start_ns") &&
			    w->start.pid == (int)num(t, "pid")) {
				m = &rows->r[k];
				break;
			}
		}
		if (!m) {
			check_failures++;
			fprintf(stderr, "walk starting at %.0f not found\n", num(t, "start_ns"));
			continue;
		}
		found++;
		CHECK_EQ_U64(m->walk.duration_ns, (uint64_t)num(t, "duration_ns"));
		CHECK_EQ_U64(m->walk.end.ts, (uint64_t)num(t, "end_ns"));
		CHECK(m->walk.start.cpu == (int)num(t, "start_cpu"));
		CHECK(m->walk.end.cpu == (int)num(t, "end_cpu"));
		CHECK(!strcmp(rs_kind_name(m->walk.start.kind), str(t, "kind")));
		CHECK(!strcmp(m->purpose, str(t, "purpose")));
		CHECK(m->walk.start.locked == (num(t, "locked") != 0));
		if (tracepoints) {
			CHECK_EQ_U64(m->walk.start.pfn, (uint64_t)num(t, "pfn"));
			CHECK_EQ_U64(m->walk.start.mapcount, (uint64_t)num(t, "mapcount"));
			CHECK_EQ_U64(m->walk.end.nr_visited, (uint64_t)num(t, "nr_visited"));
			CHECK_EQ_U64(m->walk.end.nr_rmap_one, (uint64_t)num(t, "nr_rmap_one"));
			/* null: the generator's rule cannot tell either (not order-0) */
			CHECK(rs_walk_is_short(&m->walk) ==
			      (json_object_get_type(get(t, "short")) == json_type_null ? -1 :
			       json_object_get_boolean(get(t, "short"))));
			if (json_object_get_type(get(t, "nr_pages")) == json_type_null)
				CHECK(!(m->walk.start.has & RS_HAS_NR_PAGES));
			else
				CHECK((m->walk.start.has & RS_HAS_NR_PAGES) &&
				      m->walk.start.nr_pages == (unsigned int)num(t, "nr_pages"));
		} else {
			CHECK(!(m->walk.start.has & (RS_HAS_PFN | RS_HAS_MAPCOUNT)));
			CHECK(!(m->walk.end.has & (RS_HAS_VISITED | RS_HAS_CALLS)));
			CHECK(!strcmp(rs_func_name(m->walk.start.func), str(t, "func")));
		}
	}
	CHECK_EQ_U64(found, nwalks);
}

/*
 * The walks whose purpose is a miss, counted per walk: in the truth (its
 * paired walks) and in the rows; a nested call is its outer walk.
 */
static void check_purpose_misses(struct json_object *truth, const struct rows *rows,
				 const struct rs_trace_summary *s)
{
	struct json_object *walks = get(truth, "walks");
	uint64_t in_truth = 0, in_rows = 0;
	size_t i;

	for (i = 0; i < count(truth, "walks"); i++)
		in_truth += rs_purpose_missed(str(json_object_array_get_idx(walks, i), "purpose"));
	for (i = 0; i < rows->n; i++)
		in_rows += rs_purpose_missed(rows->r[i].purpose) &&
			   rows->r[i].walk.status != RS_WALK_NESTED;
	CHECK_EQ_U64(s->purpose_misses, in_truth);
	CHECK_EQ_U64(s->purpose_misses, in_rows);
}

static void check_counters(struct json_object *truth, const struct rs_report *r)
{
	CHECK_EQ_U64(r->totals.paired, count(truth, "walks"));
	CHECK_EQ_U64(r->totals.no_end, (uint64_t)num(truth, "unmatched_starts"));
	CHECK_EQ_U64(r->totals.no_start, (uint64_t)num(truth, "unmatched_ends"));
	CHECK_EQ_U64(r->totals.superseded, (uint64_t)num(truth, "superseded_starts"));
	CHECK_EQ_U64(r->totals.lost_walks, (uint64_t)num(truth, "lost_walks"));
	CHECK_EQ_U64(r->totals.lost_events, (uint64_t)num(truth, "lost_events"));
	CHECK_EQ_U64(r->totals.nested, (uint64_t)num(truth, "nested"));
	CHECK(!strcmp(r->traces[0].clock, str(truth, "clock")));
}

/* A scenario of mktrace.py read back: its truth, rows and report. */
struct scenario {
	struct json_object *truth;
	struct rows rows;
	struct rs_error err;
	struct rs_report *r;
};

/*
 * Reads SCENARIO.dat and checks every walk and counter against
 * SCENARIO.json (tracepoints: the walks have the tracepoints' fields).
 * False when the trace could not be read.
 */
static bool scenario_open(struct scenario *sc, const char *scenario, int tracepoints)
{
	int ret;

	memset(sc, 0, sizeof(*sc));
	sc->truth = load_truth(scenario);
	sc->r = run(scenario, &sc->rows, NULL, &sc->err, &ret);
	CHECK(ret == 0);
	if (ret) {
		fprintf(stderr, "%s: %s (%s)\n", scenario, sc->err.what, sc->err.fix);
		return false;
	}
	check_walks(sc->truth, &sc->rows, tracepoints);
	check_counters(sc->truth, sc->r);
	check_purpose_misses(sc->truth, &sc->rows, &sc->r->traces[0]);
	/* mktrace.py writes version 6 files: no probes option */
	CHECK(!sc->r->traces[0].probes);
	return true;
}

static void scenario_close(struct scenario *sc)
{
	rs_report_free(sc->r);
	free(sc->rows.r);
	json_object_put(sc->truth);
}

static void test_tracepoints(void)
{
	struct scenario sc;

	if (scenario_open(&sc, "tracepoints", 1)) {
		struct rs_report *r = sc.r;	/* rs_topn_sorted() sorts in place */
		const struct rs_trace_summary *s = &r->traces[0];

		CHECK(s->source == RS_SRC_TRACEPOINTS);
		/* lib/compat/tracecmd_private.h: what mktrace.py wrote in the options */
		CHECK(s->uname && !strcmp(s->uname, "Linux lab 6.12.117 #1 SMP x86_64"));
		CHECK(s->tracecmd_version && !strcmp(s->tracecmd_version, "3.1.6"));
		CHECK_EQ_U64(s->file_version, 6);
		CHECK(s->cpus == 2);
		CHECK(!strcmp(s->clock, "mono"));
		CHECK_EQ_U64(s->nr_buffers, 1);
		CHECK_EQ_U64(s->pc.lost_markers, 1);
		/* the three slowest walks, slowest first */
		CHECK_EQ_U64(r->top.n, 3);
		if (r->top.n == 3) {
			size_t n;
			const struct rs_top_entry *t = rs_topn_sorted(&r->top, &n);

			CHECK_EQ_U64(t[0].walk.duration_ns, 860000000);
			CHECK(t[0].walk.duration_ns >= t[1].walk.duration_ns &&
			      t[1].walk.duration_ns >= t[2].walk.duration_ns);
		}
	}
	scenario_close(&sc);
}

/* The start's nr_pages (the newer format), through the reader child and back. */
static void test_nr_pages(void)
{
	struct scenario sc;

	if (scenario_open(&sc, "nr-pages", 1))
		CHECK(sc.r->traces[0].source == RS_SRC_TRACEPOINTS);
	scenario_close(&sc);
}

static void test_kprobes(void)
{
	struct scenario sc;

	if (scenario_open(&sc, "kprobes", 0)) {
		CHECK(sc.r->traces[0].source == RS_SRC_KPROBES);
		CHECK(sc.r->missing & RS_HAS_VISITED);
	}
	scenario_close(&sc);
}

/* trace-cmd record -B: walks in an instance buffer, other events on top. */
static void test_instance(void)
{
	struct rows rows = { 0 };
	struct rs_error err;
	struct scenario sc;
	struct rs_report *r;
	size_t k, walks;
	int ret;

	if (scenario_open(&sc, "instance", 1)) {
		r = sc.r;
		CHECK_EQ_U64(r->traces[0].nr_buffers, 2);
		CHECK(r->traces[0].nr_buffers == 2 &&
		      !strcmp(r->traces[0].buffers[1].name, "rmapstat-4242") &&
		      r->traces[0].buffers[0].walk_events == 0 &&
		      r->traces[0].buffers[1].walk_events == r->traces[0].walk_events);
		for (k = 0; k < sc.rows.n; k++)
			CHECK(!strcmp(sc.rows.r[k].buffer, "rmapstat-4242"));
		CHECK_EQ_U64(r->traces[0].records, r->traces[0].walk_events + 50);
	}
	walks = count(sc.truth, "walks");
	scenario_close(&sc);

	r = run("instance", &rows, "top", &err, &ret);
	CHECK(ret == 0 && r->traces[0].walk_events == 0 && rows.n == 0);
	rs_report_free(r);
	r = run("instance", &rows, "rmapstat-4242", &err, &ret);
	CHECK(ret == 0 && r->totals.paired == walks);
	rs_report_free(r);
	r = run("instance", &rows, "nope", &err, &ret);
	CHECK(ret == -1 && strstr(err.what, "no buffer named 'nope'") &&
	      strstr(err.fix, "top, rmapstat-4242"));
	rs_report_free(r);
	free(rows.r);
}

static void test_errors(void)
{
	struct rows rows = { 0 };
	struct rs_error err;
	struct rs_report *r;
	int ret;

	r = run("noevents", &rows, NULL, &err, &ret);
	CHECK(ret == -1 && strstr(err.what, "no rmap walk events"));
	rs_report_free(r);
	r = run("empty", &rows, NULL, &err, &ret);
	CHECK(ret == 0 && r->traces[0].walk_events == 0 && r->totals.paired == 0);
	rs_report_free(r);
	r = run("does-not-exist", &rows, NULL, &err, &ret);
	CHECK(ret == -1 && strstr(err.what, "No such file"));
	rs_report_free(r);
	/* A JSON file is not a trace. */
	r = run("tracepoints", &rows, NULL, &err, &ret);
	rs_report_free(r);
	{
		char *p = path_of("tracepoints", "json");
		struct rs_trace *t = rs_trace_open(p, &err);

		CHECK(!t && strstr(err.what, "is JSON"));
		free(p);
	}
	free(rows.r);
}

static int print_json(const char *file)
{
	struct rs_report_opts o;
	struct rs_text_opts to = { .unit = RS_UNIT_US, .hist = true };
	struct rs_report *r;
	struct rs_error err;

	memset(&o, 0, sizeof(o));
	rs_group_spec_parse("kind,purpose", &o.by);
	o.top_n = 5;
	o.hist_div = 1000;
	r = rs_report_new(&o);
	if (rs_report_add_file(r, file, &err)) {
		fprintf(stderr, "%s: %s (%s)\n", file, err.what, err.fix);
		return 1;
	}
	rs_output_json(stdout, r, "test-report", &to);
	rs_report_free(r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--json"))
		return print_json(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: test-report DIR | --json FILE\n");
		return 2;
	}
	dir = argv[1];
	RUN(test_tracepoints);
	RUN(test_nr_pages);
	RUN(test_kprobes);
	RUN(test_instance);
	RUN(test_errors);
	return check_summary();
}
