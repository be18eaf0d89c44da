// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON: the writer's output read back by the reader (and, with --print,
 * written to stdout for tests/unit/check_json.py to read with Python's
 * json module), what the reader refuses, report JSON loaded for compare
 * (schema and version checks), and the regression rule of compare.
 *
 * usage: test-json            run the checks
 *        test-json --print    print the sample document only
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "compare.h"
#include "json_read.h"
#include "json_write.h"

/* Strings a report can contain: comm and purpose come from the trace. */
static const char *const tricky[] = {
	"plain",
	"quote \" backslash \\ slash /",
	"tab\tnewline\ncr\r",
	"\x01\x1f\x7f control",
	"a,b \"odd\"-400",
	"kworker/0:1H",
	"utf-8 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	"invalid \xff\xfe utf-8",
	"",
};

static void write_sample(FILE *f)
{
	struct rs_json j;
	size_t i;

	rs_json_init(&j, f);
	rs_json_begin_object(&j, NULL);
	rs_json_string(&j, "schema", "rmapstat-test");
	rs_json_u64(&j, "u64_max", UINT64_MAX);
	rs_json_u64(&j, "ns", 860000000ULL);
	rs_json_i64(&j, "negative", -42);
	rs_json_double(&j, "mean", 1447818.178, 3);
	rs_json_double(&j, "exact", 0.0078125, -1);
	rs_json_double(&j, "nan", NAN, 3);
	rs_json_double(&j, "inf", INFINITY, -1);
	rs_json_bool(&j, "yes", true);
	rs_json_bool(&j, "no", false);
	rs_json_null(&j, "nothing");
	rs_json_begin_array(&j, "empty_array");
	rs_json_end_array(&j);
	rs_json_begin_object(&j, "empty_object");
	rs_json_end_object(&j);
	rs_json_begin_array(&j, "strings");
	for (i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++)
		rs_json_string(&j, NULL, tricky[i]);
	rs_json_end_array(&j);
	rs_json_begin_array(&j, "nested");
	rs_json_begin_object(&j, NULL);
	rs_json_begin_array(&j, "deeper");
	rs_json_u64(&j, NULL, 1);
	rs_json_u64(&j, NULL, 2);
	rs_json_end_array(&j);
	rs_json_end_object(&j);
	rs_json_end_array(&j);
	rs_json_end_object(&j);
	rs_json_finish(&j);
}

/* What the reader must give back for a tricky string (invalid bytes become U+00XX). */
static void expected_string(const char *in, char *out)
{
	const unsigned char *p = (const unsigned char *)in;

	for (; *p; p++) {
		if (*p == 0xff) {
			*out++ = (char)0xc3;
			*out++ = (char)0xbf;
		} else if (*p == 0xfe) {
			*out++ = (char)0xc3;
			*out++ = (char)0xbe;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
}

/* A member, NULL if there is none (or it is null). */
static struct json_object *get(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(obj, key, &v);
	return v;
}

static bool is_num(struct json_object *v, double want)
{
	return (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) &&
	       json_object_get_double(v) == want;
}

static bool has_null(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) && !v;
}

static void test_round_trip(void)
{
	struct json_object *root, *v, *a;
	char *buf = NULL, err[128], want[128];
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	write_sample(f);
	fclose(f);
	CHECK(rs_json_read(buf, len, &root, err, sizeof(err)) == 0 && root);
	if (!root) {
		fprintf(stderr, "read error: %s\n%s\n", err, buf);
		free(buf);
		return;
	}
	CHECK(is_num(get(root, "ns"), 860000000.0));
	CHECK(is_num(get(root, "negative"), -42));
	v = get(root, "mean");
	CHECK(v && fabs(json_object_get_double(v) - 1447818.178) < 1e-6);
	CHECK(is_num(get(root, "exact"), 0.0078125));
	CHECK(has_null(root, "nan"));
	CHECK(has_null(root, "inf"));
	CHECK(json_object_is_type(get(root, "yes"), json_type_boolean) &&
	      json_object_get_boolean(get(root, "yes")));
	CHECK(json_object_is_type(get(root, "no"), json_type_boolean) &&
	      !json_object_get_boolean(get(root, "no")));
	CHECK(json_object_is_type(get(root, "empty_array"), json_type_array) &&
	      json_object_array_length(get(root, "empty_array")) == 0);
	CHECK(json_object_is_type(get(root, "empty_object"), json_type_object));
	a = get(root, "strings");
	CHECK(json_object_is_type(a, json_type_array) &&
	      json_object_array_length(a) == sizeof(tricky) / sizeof(tricky[0]));
	for (i = 0; a && i < json_object_array_length(a); i++) {
		v = json_object_array_get_idx(a, i);
		expected_string(tricky[i], want);
		CHECK(json_object_is_type(v, json_type_string) &&
		      !strcmp(json_object_get_string(v), want));
	}
	a = get(root, "nested");
	CHECK(json_object_array_length(a) == 1 &&
	      json_object_array_length(get(json_object_array_get_idx(a, 0), "deeper")) == 2);
	json_object_put(root);
	free(buf);
}

static void test_read_errors(void)
{
	static const char *const bad[] = {
		"", "{", "{\"a\":1,}", "[1,2", "{\"a\" 1}", "\"unterminated",
		"{\"a\":\"\\q\"}", "{\"a\":01}", "{\"a\":1} x", "[1.]", "nul",
		"{\"a\":\"ctl\x01\"}", "[-]", "{\"a\":\"\\ud800\"}",
	};
	static const char ok[] =
		" {\"k\": [true, false, null, -1.5e3, \"\\u00e9\\ud83d\\ude00\"]} ";
	struct json_object *v, *k;
	char err[128], deep[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(rs_json_read(bad[i], strlen(bad[i]), &v, err, sizeof(err)) == -EINVAL);
		if (v)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		json_object_put(v);
	}
	memset(deep, '[', 200);
	CHECK(rs_json_read(deep, 200, &v, err, sizeof(err)) == -EINVAL && strstr(err, "deep"));
	CHECK(rs_json_read(ok, strlen(ok), &v, err, sizeof(err)) == 0 && v);
	k = get(v, "k");
	CHECK(json_object_array_length(k) == 5 &&
	      is_num(json_object_array_get_idx(k, 3), -1500));
	CHECK(json_object_array_length(k) == 5 &&
	      !strcmp(json_object_get_string(json_object_array_get_idx(k, 4)),
		      "\xc3\xa9\xf0\x9f\x98\x80"));
	json_object_put(v);
}

/*
 * What the reader says, where: the words and byte offsets rmapstat has
 * always given (json-c's own error codes are not shown), json-c's
 * leniencies (NaN, "00", '...' keys, raw control characters, lone
 * surrogates, data after a NUL) refused like any other mistake.
 */
static void test_read_messages(void)
{
	static const struct {
		const char *in;
		size_t len;		/* 0: strlen(in) */
		const char *why;
	} cases[] = {
		{ "", 0, "unexpected end at byte 0" },
		{ "{", 0, "expected a string at byte 1" },
		{ "{\"a\"", 0, "expected ':' at byte 4" },
		{ "{\"a\":", 0, "unexpected end at byte 5" },
		{ "[1,2", 0, "expected ',' or ']' at byte 4" },
		{ "{\"a\":1 x}", 0, "expected ',' or '}' at byte 7" },
		{ "{\"a\":1} x", 0, "trailing data at byte 8" },
		{ "{\"a\":1}\0x", 9, "trailing data at byte 7" },
		{ "\"abc", 0, "unterminated string at byte 4" },
		{ "[nul]", 0, "invalid literal at byte 1" },
		{ "[NaN]", 0, "invalid value at byte 1" },
		{ "[-Infinity]", 0, "invalid value at byte 2" },
		{ "{'a':1}", 0, "expected a string at byte 1" },
		{ "{\"a\":1,}", 0, "expected a string at byte 7" },
		{ "[1,]", 0, "invalid value at byte 3" },
		{ "[00]", 0, "expected ',' or ']' at byte 2" },
		{ "[1.]", 0, "invalid number at byte 3" },
		{ "[1.e5]", 0, "invalid number at byte 3" },
		{ "[\"a\x01\"]", 0, "control character in string at byte 4" },
		{ "[\"\\q\"]", 0, "invalid escape in string at byte 4" },
		{ "[\"\\ud800\"]", 0, "invalid escape in string at byte 8" },
		{ "[\"\\ud800\\u0041\"]", 0, "invalid escape in string at byte 14" },
		{ "[1111111111111111111111111111111111111111111111111111111111111111]", 0,
		  "number too long at byte 65" },
	};
	char deep[RS_JSON_MAX_NESTING + 1], err[128];
	struct json_object *v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);

		err[0] = '\0';
		CHECK(rs_json_read(cases[i].in, len, &v, err, sizeof(err)) == -EINVAL &&
		      !strcmp(err, cases[i].why));
		if (strcmp(err, cases[i].why))
			fprintf(stderr, "%s: '%s', not '%s'\n", cases[i].in, err, cases[i].why);
		json_object_put(v);
	}
	/* 65 containers nest, the 66th is too deep where it opens */
	memset(deep, '[', sizeof(deep));
	CHECK(rs_json_read(deep, sizeof(deep), &v, err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "nested too deep at byte 65"));
	{
		char ok[2 * RS_JSON_MAX_NESTING];

		memset(ok, '[', RS_JSON_MAX_NESTING);
		memset(ok + RS_JSON_MAX_NESTING, ']', RS_JSON_MAX_NESTING);
		CHECK(rs_json_read(ok, sizeof(ok), &v, err, sizeof(err)) == 0 && v);
		json_object_put(v);
	}
}

/* Report JSON as compare reads it; the traces' members it ignores. */
static const char report_json[] =
	"{\"schema\": \"rmapstat-report\", \"version\": 1, \"group_by\": [\"kind\"],"
	" \"source\": \"tracepoints\", \"traces\": ["
	" {\"kernel\": \"Linux lab\", \"probes\": \"layout rmap_one=+16 mapping=+24; probed rmap_walk\","
	"  \"purpose_misses\": 2},"
	" {\"kernel\": null, \"probes\": null, \"purpose_misses\": 0}], \"groups\": ["
	" {\"name\": \"KSM\", \"count\": 4, \"min_ns\": 100, \"mean_ns\": 150.5, \"p99_ns\": 1000,"
	"  \"p99_9_ns\": 1000, \"max_ns\": 1000},"
	" {\"name\": \"ANON\", \"count\": 0, \"min_ns\": null, \"p99_ns\": null}]}";

static void test_metric_set(void)
{
	struct rs_metric_set s;
	struct rs_error err;
	char text[1024];

	CHECK(rs_metric_set_from_json(&s, "x.json", report_json, strlen(report_json), &err) == 0);
	CHECK(s.n == 2 && !strcmp(s.by, "kind") && !strcmp(s.source, "tracepoints"));
	CHECK(s.n == 2 && s.g[0].v[RS_M_P99] == 1000 && s.g[0].v[RS_M_MEAN] == 150.5 &&
	      s.g[0].v[RS_M_P999] == 1000 && isnan(s.g[0].v[RS_M_P50]));
	CHECK(s.n == 2 && s.g[1].v[RS_M_COUNT] == 0 && isnan(s.g[1].v[RS_M_P99]));
	rs_metric_set_free(&s);

	/* version 2 (nr_pages, short of order-0 folios only): the same members read */
	snprintf(text, sizeof(text), "%s", report_json);
	memcpy(strstr(text, "\"version\": 1"), "\"version\": 2", 12);
	CHECK(rs_metric_set_from_json(&s, "x.json", text, strlen(text), &err) == 0);
	CHECK(s.n == 2 && s.g[0].v[RS_M_P99] == 1000);
	rs_metric_set_free(&s);
	/* version 3 (waits, victims): the same members read */
	memcpy(strstr(text, "\"version\": 2"), "\"version\": 3", 12);
	CHECK(rs_metric_set_from_json(&s, "x.json", text, strlen(text), &err) == 0);
	CHECK(s.n == 2);
	rs_metric_set_free(&s);
	memcpy(strstr(text, "\"version\": 3"), "\"version\": 4", 12);
	CHECK(rs_metric_set_from_json(&s, "x.json", text, strlen(text), &err) == -EINVAL);
	CHECK(strstr(err.what, "version 4") && strstr(err.what, "versions 1 to 3"));
	memcpy(strstr(text, "\"version\": 4"), "\"version\": 0", 12);
	CHECK(rs_metric_set_from_json(&s, "x.json", text, strlen(text), &err) == -EINVAL);
	snprintf(text, sizeof(text), "{\"schema\": \"rmapstat-report\", \"version\": 1.5,"
		 " \"groups\": [{\"name\": \"KSM\", \"count\": 1}]}");
	CHECK(rs_metric_set_from_json(&s, "x.json", text, strlen(text), &err) == -EINVAL);
	CHECK(strstr(err.what, "version 1.5") != NULL);

	snprintf(text, sizeof(text), "{\"schema\": \"something-else\", \"version\": 1}");
	CHECK(rs_metric_set_from_json(&s, "x.json", text, strlen(text), &err) == -EINVAL);
	CHECK(strstr(err.what, "not an rmapstat report") != NULL);

	snprintf(text, sizeof(text), "{\"schema\": \"rmapstat-report\", \"version\": 1, \"groups\": [{\"name\": \"KSM\"}]}");
	CHECK(rs_metric_set_from_json(&s, "x.json", text, strlen(text), &err) == -EINVAL);
	CHECK(strstr(err.what, "no count") != NULL);

	CHECK(rs_metric_set_from_json(&s, "x.json", "{oops", 5, &err) == -EINVAL);
	CHECK(strstr(err.what, "not valid JSON") != NULL);

	CHECK(rs_metric_parse("p99.9") == RS_M_P999 && rs_metric_parse("p999") == RS_M_P999);
	CHECK(rs_metric_parse("max") == RS_M_MAX && rs_metric_parse("p42") == -1);
}

static void set_of(struct rs_metric_set *s, const char *names[], const double *p99, size_t n)
{
	size_t i;
	int m;

	memset(s, 0, sizeof(*s));
	s->origin = strdup("t");
	s->by = strdup("kind");
	s->source = strdup("tracepoints");
	s->g = calloc(n, sizeof(*s->g));
	for (i = 0; i < n; i++) {
		s->g[i].name = strdup(names[i]);
		for (m = 0; m < RS_M_NR; m++)
			s->g[i].v[m] = NAN;
		s->g[i].v[RS_M_COUNT] = isnan(p99[i]) ? 0 : 10;
		s->g[i].v[RS_M_P99] = p99[i];
	}
	s->n = n;
}

static void test_compare_rule(void)
{
	const char *bn[] = { "KSM", "ANON", "FILE", "gone", "empty" };
	const char *nn[] = { "KSM", "ANON", "FILE", "empty", "fresh" };
	const double bv[] = { 1000, 1000, 1000, 5, 7 };
	const double nv[] = { 1100, 1100.5, 900, NAN, 99 };
	struct rs_metric_set base, new;
	struct rs_compare c;

	set_of(&base, bn, bv, 5);
	set_of(&new, nn, nv, 5);
	memset(&c, 0, sizeof(c));
	c.base = &base;
	c.new = &new;
	c.metrics[0] = RS_M_P99;
	c.nr_metrics = 1;
	c.threshold_pct = 10;
	CHECK(rs_compare_run(&c) == 0);
	CHECK_EQ_U64(c.nr_rows, 6);
	/* +10% exactly is allowed, more is not */
	CHECK(c.rows[0].state == RS_CMP_OK && fabs(c.rows[0].change_pct - 10) < 1e-9);
	CHECK(c.rows[1].state == RS_CMP_REGRESSION && fabs(c.rows[1].ratio - 1.1005) < 1e-9);
	CHECK(c.rows[2].state == RS_CMP_OK && c.rows[2].change_pct < 0);
	CHECK(c.rows[3].state == RS_CMP_ONLY_BASE && !strcmp(c.rows[3].group, "gone"));
	CHECK(c.rows[4].state == RS_CMP_NO_DATA);
	CHECK(c.rows[5].state == RS_CMP_ONLY_NEW && !strcmp(c.rows[5].group, "fresh"));
	CHECK_EQ_U64(c.regressions, 1);
	rs_compare_free(&c);

	/* only some groups */
	{
		const char *only[] = { "KSM" };

		c.only_groups = only;
		c.nr_only_groups = 1;
		CHECK(rs_compare_run(&c) == 0);
		CHECK_EQ_U64(c.nr_rows, 1);
		CHECK_EQ_U64(c.regressions, 0);
		rs_compare_free(&c);
	}
	rs_metric_set_free(&base);
	rs_metric_set_free(&new);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--print")) {
		write_sample(stdout);
		return 0;
	}
	RUN(test_round_trip);
	RUN(test_read_errors);
	RUN(test_read_messages);
	RUN(test_metric_set);
	RUN(test_compare_rule);
	return check_summary();
}
