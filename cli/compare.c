// SPDX-License-Identifier: GPL-2.0-only
/*
 * rmapstat compare: per-group metrics of two runs side by side, for CI
 * gates. Each side is a trace.dat (analysed like `rmapstat report`) or the
 * JSON of `rmapstat report --json`, told apart by content.
 *
 * Exit status: 0 no regression, 1 at least one regression, 2 error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "config.h"
#include "error.h"
#include "output.h"
#include "rmapstat.h"
#include "usage.h"
#include "walk_report.h"

#define COMPARE_MAX_JSON	(256UL << 20)
#define COMPARE_MAX_GROUPS	64

struct compare_params {
	const char *base;
	const char *new;
	enum rs_metric metrics[RS_M_NR];
	size_t nr_metrics;
	double threshold;
	struct rs_group_spec by;
	bool by_given;
	bool json;
	enum rs_unit unit;
	const char *buffer;
	const char *groups[COMPARE_MAX_GROUPS];
	size_t nr_groups;
};

static void compare_usage(FILE *f)
{
	static const char * const msg[] = {
		"",
		"usage: rmapstat compare BASE NEW [-m|--metric M[,M...]] [-T|--threshold PCT]",
		"                        [-b|--by kind|purpose|...] [-g|--group NAME]... [-j|--json]",
		"                        [-u|--units ns|us|ms] [-B|--buffer NAME]",
		"",
		"Compares the walk durations of two runs per group: base and new value, their",
		"ratio and change. A metric regresses when NEW is larger than BASE by more than",
		"the threshold; for every metric larger is worse.",
		"",
		"  BASE, NEW            trace.dat files or `rmapstat report --json` output",
		"                       (told apart by content)",
		"  -m, --metric M       max, p99 (default), p99.9, p90, p50, mean, min, stddev,",
		"                       count or total; a comma list or repeated for several",
		"  -T, --threshold PCT  allowed growth in percent (default 10)",
		"  -b, --by KEY[,KEY]   grouping for trace.dat sides (default: that of a JSON",
		"                       side, else kind); a JSON side must have been made with it",
		"  -g, --group NAME     compare only this group (repeat for more), e.g. KSM;",
		"                       victim:OP are the operations of record --victim OP",
		"                       (their durations, user space), blocked:OP the time",
		"                       those spent waiting behind walks (e.g. -g victim:mprotect",
		"                       -m p99,max gates on the victims' stalls)",
		"  -j, --json           JSON, schema \"rmapstat-compare\" version 1; times in ns",
		"  -u, --units UNIT     unit of times in the text table: ns, us (default) or ms",
		"  -B, --buffer NAME    read only this buffer of trace.dat sides",
		"  -h, --help           this help",
		"",
		"A group with no walks on one side, or present on one side only, is shown but",
		"is not a regression. Percentiles are exact up to 1024 walks per group, beyond",
		"with a relative error < 1/128 (0.78125%).",
		"Exit status: 0 no regression, 1 regression, 2 error (bad file, wrong schema",
		"version, bad option: one line on stderr).",
		NULL,
	};
	usage_print_lines(f, msg);
}

static int add_metrics(struct compare_params *p, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	size_t i;
	int m;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		m = rs_metric_parse(tok);
		if (m < 0) {
			free(copy);
			return -1;
		}
		for (i = 0; i < p->nr_metrics; i++)
			if (p->metrics[i] == (enum rs_metric)m)
				break;
		if (i == p->nr_metrics && p->nr_metrics < RS_M_NR)
			p->metrics[p->nr_metrics++] = m;
	}
	free(copy);
	return p->nr_metrics ? 0 : -1;
}

/* 0 to go on, -1 after --help, RS_EXIT_USAGE after a usage error. */
static int compare_parse_args(int argc, char **argv, struct compare_params *p)
{
	static const struct option long_options[] = {
		{ "metric",	required_argument,	NULL, 'm' },
		{ "threshold",	required_argument,	NULL, 'T' },
		{ "by",		required_argument,	NULL, 'b' },
		{ "group",	required_argument,	NULL, 'g' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "units",	required_argument,	NULL, 'u' },
		{ "buffer",	required_argument,	NULL, 'B' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c, ret = 0;

	memset(p, 0, sizeof(*p));
	p->threshold = 10;
	p->unit = RS_UNIT_US;
	rs_group_spec_parse("kind", &p->by);
	optind = 1;
	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, ":m:T:b:g:ju:B:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (add_metrics(p, optarg))
				return usage_error("compare", RS_EXIT_USAGE, "--metric '%s': use max, p99, p99.9, p90, p50, mean, min, stddev, count or total",
						   optarg);
			break;
		case 'T':
			errno = 0;
			p->threshold = strtod(optarg, &end);
			if (errno || *end || end == optarg || !isfinite(p->threshold) ||
			    p->threshold < 0)
				return usage_error("compare", RS_EXIT_USAGE, "--threshold '%s': give a percentage >= 0, e.g. 10",
						   optarg);
			break;
		case 'b':
			ret = usage_opt_by("compare", optarg, &p->by);
			p->by_given = true;
			break;
		case 'g':
			if (p->nr_groups == COMPARE_MAX_GROUPS)
				return usage_error("compare", RS_EXIT_USAGE, "more than %d --group options", COMPARE_MAX_GROUPS);
			p->groups[p->nr_groups++] = optarg;
			break;
		case 'j':
			p->json = true;
			break;
		case 'u':
			ret = usage_opt_units("compare", optarg, &p->unit);
			break;
		case 'B':
			p->buffer = optarg;
			break;
		case 'h':
			compare_usage(stdout);
			return -1;
		default:
			return usage_getopt_error("compare", c, argv);
		}
	}
	if (ret)
		return ret;
	if (argc - optind != 2)
		return usage_error("compare", RS_EXIT_USAGE, "give two files, BASE and NEW (%d given)", argc - optind);
	p->base = argv[optind];
	p->new = argv[optind + 1];
	if (!p->nr_metrics)
		p->metrics[p->nr_metrics++] = RS_M_P99;
	return 0;
}

enum side_kind { SIDE_TRACE, SIDE_JSON };

/* Reads into buf until *got is want or the file ends; 0, or -1 with errno. */
static int read_upto(int fd, char *buf, size_t *got, size_t want)
{
	ssize_t n;

	while (*got < want) {
		n = read(fd, buf + *got, want - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*got += n;
	}
	return 0;
}

/*
 * Decides by content what the file is; reads a JSON side whole (also from a
 * pipe, e.g. <(rmapstat report --json)), a trace.dat is left for libtracecmd.
 */
static int load_file(const char *file, char **text, size_t *len, enum side_kind *kind,
		     int *trace_fd, struct rs_error *err)
{
	static const char magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	size_t got = 0, cap = 1 << 16, i;
	char *buf, *bigger;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rs_error_set(err, errno == ENOENT ? "name an existing trace.dat or report JSON file"
						  : RS_FIX_PATH,
			     "%s", strerror(errno));
		return -1;
	}
	buf = malloc(cap + 1);
	if (!buf)
		goto nomem;
	if (read_upto(fd, buf, &got, sizeof(magic)))
		goto io;
	if (got >= sizeof(magic) && !memcmp(buf, magic, sizeof(magic))) {
		/* The report reads it from this descriptor: the file is opened once. */
		free(buf);
		*trace_fd = fd;
		*kind = SIDE_TRACE;
		return 0;
	}
	for (i = 0; i < got && strchr(" \t\r\n", buf[i]); i++)
		;
	if (i == got || buf[i] != '{') {
		rs_error_set(err, RS_FIX_GIVE_INPUT,
			     "%s", got ? "neither a trace-cmd data file nor report JSON" : "empty file");
		goto fail;
	}
	for (;;) {
		if (got == cap) {
			if (cap >= COMPARE_MAX_JSON) {
				rs_error_set(err, "give the output of `rmapstat report --json`",
					     "JSON larger than %lu MiB", COMPARE_MAX_JSON >> 20);
				goto fail;
			}
			cap *= 2;
			bigger = realloc(buf, cap + 1);
			if (!bigger)
				goto nomem;
			buf = bigger;
		}
		if (read_upto(fd, buf, &got, cap))
			goto io;
		if (got < cap)
			break;		/* the end of the file */
	}
	close(fd);
	buf[got] = '\0';
	*text = buf;
	*len = got;
	*kind = SIDE_JSON;
	return 0;
io:
	rs_error_set(err, "check the file", "%s", strerror(errno));
	goto fail;
nomem:
	rs_error_set(err, RS_FIX_MEMORY, "out of memory");
fail:
	free(buf);
	close(fd);
	return -1;
}

struct side {
	const char *file;
	enum side_kind kind;
	int fd;				/* a trace's, until the report takes it */
	char *text;
	size_t len;
	struct rs_metric_set set;
	bool loaded;
};

static int load_side(struct side *s, const struct compare_params *p,
		     const struct rs_group_spec *by, struct rs_error *err)
{
	struct rs_report_opts opts;
	struct rs_report *r;
	char want[128];
	int ret;

	if (s->kind == SIDE_JSON) {
		if (rs_metric_set_from_json(&s->set, s->file, s->text, s->len, err))
			return -1;
		s->loaded = true;
		rs_group_spec_format(by, want, sizeof(want));
		if (strcmp(s->set.by, want)) {
			char fix[256];

			snprintf(fix, sizeof(fix), "make it with `rmapstat report --json --by %s`, or compare --by %s",
				 want, s->set.by);
			rs_error_set(err, fix, "report JSON is grouped by %s, not by %s", s->set.by, want);
			return -1;
		}
		return 0;
	}
	memset(&opts, 0, sizeof(opts));
	opts.by = *by;
	opts.buffer = p->buffer;
	r = rs_report_new(&opts);
	if (!r) {
		rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		return -1;
	}
	ret = rs_report_add_fd(r, s->fd, s->file, err);
	s->fd = -1;
	if (!ret) {
		ret = rs_metric_set_from_report(&s->set, s->file, r);
		if (ret)
			rs_error_set(err, RS_FIX_MEMORY, "out of memory");
		else
			s->loaded = true;
	}
	rs_report_free(r);
	return ret;
}

/* --by, else the grouping of a JSON side, else kind. */
static int choose_grouping(struct side *sides, const struct compare_params *p,
			   struct rs_group_spec *by)
{
	struct rs_metric_set probe;
	struct rs_error err;
	int i;

	*by = p->by;
	if (p->by_given)
		return 0;
	for (i = 0; i < 2; i++) {
		if (sides[i].kind != SIDE_JSON)
			continue;
		if (rs_metric_set_from_json(&probe, sides[i].file, sides[i].text, sides[i].len, &err))
			return 0;	/* load_side() reports it */
		if (rs_group_spec_parse(probe.by, by))
			*by = p->by;
		rs_metric_set_free(&probe);
		return 0;
	}
	return 0;
}

int compare_main(int argc, char **argv)
{
	struct compare_params p;
	struct side sides[2];
	struct rs_group_spec by;
	struct rs_compare c;
	struct rs_error err;
	int i, ret;

	ret = compare_parse_args(argc, argv, &p);
	if (ret)
		return ret < 0 ? RS_EXIT_OK : ret;

	memset(sides, 0, sizeof(sides));
	sides[0].file = p.base;
	sides[1].file = p.new;
	sides[0].fd = sides[1].fd = -1;
	ret = RS_EXIT_ERROR;
	for (i = 0; i < 2; i++) {
		if (load_file(sides[i].file, &sides[i].text, &sides[i].len, &sides[i].kind,
			      &sides[i].fd, &err)) {
			rs_error_print_file("compare", sides[i].file, &err);
			goto out;
		}
	}
	choose_grouping(sides, &p, &by);
	for (i = 0; i < 2; i++) {
		if (load_side(&sides[i], &p, &by, &err)) {
			rs_error_print_file("compare", sides[i].file, &err);
			goto out;
		}
	}

	memset(&c, 0, sizeof(c));
	c.base = &sides[0].set;
	c.new = &sides[1].set;
	memcpy(c.metrics, p.metrics, sizeof(p.metrics));
	c.nr_metrics = p.nr_metrics;
	c.threshold_pct = p.threshold;
	if (p.nr_groups) {
		c.only_groups = p.groups;
		c.nr_only_groups = p.nr_groups;
	}
	if (rs_compare_run(&c)) {
		rs_error_set(&err, NULL, "out of memory");
		rs_error_print("compare", &err);
		goto out;
	}
	if (p.nr_groups && !c.nr_rows) {
		rs_error_set(&err, NULL, "no group named %s%s in either file (group names are those of `rmapstat report --by ...`)",
			     p.groups[0], p.nr_groups > 1 ? " or the others given" : "");
		rs_error_print("compare", &err);
		rs_compare_free(&c);
		goto out;
	}
	if (p.json)
		ret = rs_output_compare_json(stdout, &c, "rmapstat " RMAPSTAT_VERSION);
	else
		ret = rs_output_compare_text(stdout, &c, p.unit);
	if (ret) {
		rs_error_set(&err, NULL, "cannot write the comparison: %s", strerror(errno));
		rs_error_print("compare", &err);
		ret = RS_EXIT_ERROR;
	} else {
		ret = c.regressions ? RS_EXIT_REGRESSION : RS_EXIT_OK;
	}
	rs_compare_free(&c);
out:
	for (i = 0; i < 2; i++) {
		if (sides[i].fd >= 0)
			close(sides[i].fd);
		free(sides[i].text);
		if (sides[i].loaded)
			rs_metric_set_free(&sides[i].set);
	}
	return ret;
}
