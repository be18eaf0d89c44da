// SPDX-License-Identifier: GPL-2.0-only
/*
 * rmapstat report: pair the rmap walk events of trace.dat files and report
 * the walk durations per group, as text, JSON or CSV.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "output.h"
#include "rmapstat.h"
#include "usage.h"
#include "walk_decode.h"
#include "walk_report.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_CSV, REPORT_CSV_WAITS, REPORT_CSV_OPS };

struct report_params {
	char **files;
	int nr_files;
	struct rs_group_spec by;
	enum report_format format;
	bool hist;
	size_t top;
	enum rs_unit unit;
	const char *buffer;
};

static void report_usage(FILE *f)
{
	static const char * const msg[] = {
		"",
		"usage: rmapstat report [FILE...] [-b|--by KEY[,KEY...]]",
		"                       [-j|--json | -c|--csv | --csv-waits | --csv-ops]",
		"                       [--hist] [-t|--top N] [-u|--units ns|us|ms] [-B|--buffer NAME]",
		"",
		"Pairs the rmap walk start/end events of trace.dat files (default: trace.dat)",
		"and reports how long the walks took, per group.",
		"",
		"  FILE...              trace.dat from `rmapstat record`, `trace-cmd record -e rmap`",
		"                       (also -B instance buffers) or the kprobe fallback; several",
		"                       files are reported together",
		"  -b, --by KEY[,KEY]   group by kind (default), purpose, pid, cpu or comm, or by",
		"                       several, e.g. kind,purpose",
		"  -j, --json           JSON, schema \"rmapstat-report\" version 3",
		"                       (Documentation/json-schema.md); times in ns",
		"  -c, --csv            one CSV row per walk (and per start or end that could not",
		"                       be paired, with its status); times in ns",
		"      --csv-waits      one CSV row per lock wait (a trace of record --waits):",
		"                       who waited for which lock, how long, and the walk",
		"                       blamed; times in ns",
		"      --csv-ops        one CSV row per victim operation (record --victim):",
		"                       its duration and its time behind walks; times in ns",
		"      --hist           a log2 histogram of the durations per group",
		"  -t, --top N          the N slowest walks (and the N walks others waited",
		"                       behind most; those: 5 by default)",
		"  -u, --units UNIT     unit of times in the text report: ns, us (default) or ms",
		"  -B, --buffer NAME    read only this buffer (\"top\" for the top one)",
		"  -h, --help           this help",
		"",
		"Percentiles are nearest rank, exact up to 1024 walks per group, beyond from a",
		"log-linear histogram with relative error < 1/128 (0.78125%). min, max, mean",
		"and stddev are exact.",
		"Exit status: 0 done, 2 error (one line on stderr: FILE: what (what to do)).",
		NULL,
	};
	usage_print_lines(f, msg);
}

static int parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > 1000000)
		return -1;
	*out = v;
	return 0;
}

/* 0 to go on, -1 after --help, RS_EXIT_USAGE after a usage error. */
static int report_parse_args(int argc, char **argv, struct report_params *p)
{
	static const struct option long_options[] = {
		{ "by",		required_argument,	NULL, 'b' },
		{ "json",	no_argument,		NULL, 'j' },
		{ "csv",	no_argument,		NULL, 'c' },
		{ "csv-waits",	no_argument,		NULL, 'W' },
		{ "csv-ops",	no_argument,		NULL, 'O' },
		{ "hist",	no_argument,		NULL, 'H' },
		{ "top",	required_argument,	NULL, 't' },
		{ "units",	required_argument,	NULL, 'u' },
		{ "buffer",	required_argument,	NULL, 'B' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static char *default_file[] = { "trace.dat" };
	int c, ret = 0;

	memset(p, 0, sizeof(*p));
	rs_group_spec_parse("kind", &p->by);
	p->unit = RS_UNIT_US;
	optind = 1;
	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, ":b:jct:u:B:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'b':
			ret = usage_opt_by("report", optarg, &p->by);
			break;
		case 'j':
		case 'c':
		case 'W':
		case 'O': {
			enum report_format f = c == 'j' ? REPORT_JSON : c == 'c' ? REPORT_CSV :
					       c == 'W' ? REPORT_CSV_WAITS : REPORT_CSV_OPS;

			if (p->format != REPORT_TEXT && p->format != f)
				return usage_error("report", RS_EXIT_USAGE,
						   "--json, --csv, --csv-waits and --csv-ops exclude each other");
			p->format = f;
			break;
		}
		case 'H':
			p->hist = true;
			break;
		case 't':
			if (parse_count(optarg, &p->top))
				return usage_error("report", RS_EXIT_USAGE, "--top '%s': give a number of walks from 0 to 1000000",
						   optarg);
			break;
		case 'u':
			ret = usage_opt_units("report", optarg, &p->unit);
			break;
		case 'B':
			p->buffer = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return -1;
		default:
			return usage_getopt_error("report", c, argv);
		}
	}
	if (ret)
		return ret;
	if (p->format >= REPORT_CSV && (p->hist || p->top))
		return usage_error("report", RS_EXIT_USAGE, "--hist and --top are for the text and JSON reports; the CSV outputs list every walk, wait or operation");
	if (optind < argc) {
		p->files = &argv[optind];
		p->nr_files = argc - optind;
	} else {
		p->files = default_file;
		p->nr_files = 1;
	}
	return 0;
}

static int csv_row(const struct rs_row *row, void *arg)
{
	return rs_output_csv_row(arg, row);
}

static int csv_wait_row(const struct rs_wait_row *row, void *arg)
{
	return rs_output_csv_wait_row(arg, row);
}

static int csv_op_row(const struct rs_op_row *row, void *arg)
{
	return rs_output_csv_op_row(arg, row);
}

int report_main(int argc, char **argv)
{
	struct rs_report_opts opts;
	struct report_params p;
	struct rs_text_opts to;
	struct rs_report *r;
	struct rs_error err;
	int i, ret;

	ret = report_parse_args(argc, argv, &p);
	if (ret)
		return ret < 0 ? 0 : ret;

	memset(&opts, 0, sizeof(opts));
	opts.by = p.by;
	opts.hist_div = rs_unit_div(p.unit);
	opts.top_n = p.top;
	opts.buffer = p.buffer;
	if (p.format >= REPORT_CSV) {
		int hrc;

		if (p.format == REPORT_CSV) {
			opts.row_fn = csv_row;
			opts.row_arg = stdout;
			hrc = rs_output_csv_header(stdout);
		} else if (p.format == REPORT_CSV_WAITS) {
			opts.wait_fn = csv_wait_row;
			opts.wait_arg = stdout;
			hrc = rs_output_csv_waits_header(stdout);
		} else {
			opts.op_fn = csv_op_row;
			opts.op_arg = stdout;
			hrc = rs_output_csv_ops_header(stdout);
		}
		if (hrc) {
			rs_error_set(&err, NULL, "cannot write to stdout: %s", strerror(errno));
			rs_error_print("report", &err);
			return RS_EXIT_ERROR;
		}
	}
	r = rs_report_new(&opts);
	if (!r) {
		rs_error_set(&err, NULL, "out of memory");
		rs_error_print("report", &err);
		return RS_EXIT_ERROR;
	}
	for (i = 0; i < p.nr_files; i++) {
		if (rs_report_add_file(r, p.files[i], &err)) {
			rs_error_print_file("report", p.files[i], &err);
			rs_report_free(r);
			return RS_EXIT_ERROR;
		}
		if (!r->traces[r->nr_traces - 1].walk_events && p.format != REPORT_TEXT)
			fprintf(stderr, "rmapstat report: %s: no walk happened while recording (the rmap events were enabled)\n",
				p.files[i]);
	}

	to.unit = p.unit;
	to.hist = p.hist;
	switch (p.format) {
	case REPORT_TEXT:
		ret = rs_output_text(stdout, r, &to);
		break;
	case REPORT_JSON:
		ret = rs_output_json(stdout, r, "rmapstat " RMAPSTAT_VERSION, &to);
		break;
	case REPORT_CSV_WAITS:
		ret = fflush(stdout) ? -1 : 0;
		if (!ret && !(r->sources & RS_SRC_LOCKS))
			fprintf(stderr, "rmapstat report: no lock:contention events in the trace: record with `rmapstat record --waits`\n");
		break;
	case REPORT_CSV_OPS:
		ret = fflush(stdout) ? -1 : 0;
		if (!ret && !r->waits.op_threads)
			fprintf(stderr, "rmapstat report: no victim operations in the trace: record with `rmapstat record --victim OP`\n");
		break;
	case REPORT_CSV:
		ret = fflush(stdout) ? -1 : 0;
		if (!ret && (r->totals.no_end || r->totals.superseded || r->totals.no_start ||
			     r->totals.lost_walks))
			fprintf(stderr, "rmapstat report: %llu walks paired; not paired: %llu no_end, %llu superseded, %llu no_start, %llu lost (rows with that status)\n",
				(unsigned long long)r->totals.paired,
				(unsigned long long)r->totals.no_end,
				(unsigned long long)r->totals.superseded,
				(unsigned long long)r->totals.no_start,
				(unsigned long long)r->totals.lost_walks);
		break;
	}
	rs_report_free(r);
	if (ret) {
		rs_error_set(&err, NULL, "cannot write the report: %s", strerror(errno));
		rs_error_print("report", &err);
		return RS_EXIT_ERROR;
	}
	return 0;
}
