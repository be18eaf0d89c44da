// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: one input is one trace.dat. It goes the way of
 * `rmapstat report FILE` and `rmapstat compare FILE FILE`: rmapstat's
 * structure check, libtracecmd's reader (all buffers), the walk decoder,
 * the pairing engine, statistics, groups, the slowest walks, every output
 * format (text with histograms, JSON, CSV rows), then the JSON read back
 * into a metric set and compared with the report's own metric set.
 *
 * libtracecmd reads files by path: the input is written to a memfd and
 * opened as /proc/self/fd/N.
 *
 * A file libtracecmd fails to load leaks memory: lib/tracedat/trace_input.c does
 * not close the half-loaded handle on purpose (tracecmd_close() of
 * libtracecmd 1.3.1 crashes on such handles), and libtracecmd leaks on its
 * own error paths. So the file is first opened with rs_trace_open() while
 * LeakSanitizer is disabled; a file that does not open ends there (its
 * descriptors are closed here, so long runs do not run out of them). A
 * file that opens is closed again and goes the whole way with leak
 * checking on: then every leak is reported, and so is any descriptor left
 * open.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sanitizer/lsan_interface.h>

#include "compare.h"
#include "fuzz_compare.h"
#include "output.h"
#include "trace_input.h"
#include "trace_scan.h"
#include "walk_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

#define MAX_FD	1024

/* Marks the open descriptors. */
static void open_fds(unsigned char *is_open)
{
	struct dirent *d;
	DIR *dir;

	memset(is_open, 0, MAX_FD);
	dir = opendir("/proc/self/fd");
	if (!dir)
		abort();
	while ((d = readdir(dir))) {
		int fd = atoi(d->d_name);

		if (d->d_name[0] != '.' && fd != dirfd(dir) && fd < MAX_FD)
			is_open[fd] = 1;
	}
	closedir(dir);
}

/* Closes the descriptors opened since before; how many there were. */
static int close_new_fds(const unsigned char *before)
{
	unsigned char now[MAX_FD];
	int fd, n = 0;

	open_fds(now);
	for (fd = 0; fd < MAX_FD; fd++) {
		if (now[fd] && !before[fd]) {
			close(fd);
			n++;
		}
	}
	return n;
}

static int csv_row(const struct rs_row *row, void *arg)
{
	return rs_output_csv_row(arg, row);
}

static int write_all(int fd, const uint8_t *data, size_t size)
{
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		size -= n;
	}
	return 0;
}

/* The CLI prints it as one line. */
static void check_error(const struct rs_error *err)
{
	if (!err->what[0] || strchr(err->what, '\n') || strchr(err->fix, '\n')) {
		fprintf(stderr, "bad error message: '%s' (%s)\n", err->what, err->fix);
		abort();
	}
}

/* The report JSON back through compare's reader, against the report. */
static void json_round_trip(const struct rs_report *r, const char *file)
{
	static const struct rs_text_opts to = { .unit = RS_UNIT_NS, .hist = true };
	struct rs_metric_set from_json, from_report;
	struct rs_error err;
	size_t len = 0;
	char *text = NULL;
	FILE *mem;

	mem = open_memstream(&text, &len);
	if (!mem)
		abort();
	if (rs_output_json(mem, r, "rmapstat fuzz", &to) || fclose(mem))
		abort();
	/* The writer's JSON must always be readable by the reader. */
	if (rs_metric_set_from_json(&from_json, file, text, len, &err)) {
		fprintf(stderr, "report JSON not read back: %s (%s)\n%s\n", err.what, err.fix, text);
		abort();
	}
	if (rs_metric_set_from_report(&from_report, file, r))
		abort();
	fuzz_compare(devnull, &from_report, &from_json, NULL, 10, RS_UNIT_US);
	rs_metric_set_free(&from_json);
	rs_metric_set_free(&from_report);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rs_text_opts to = { .unit = RS_UNIT_US, .hist = true };
	unsigned char fds_before[MAX_FD];
	struct rs_report_opts opts;
	struct rs_trace *t;
	struct rs_report *r;
	struct rs_error err;
	char path[64];
	int fd;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		if (!devnull)
			abort();
		/* What kills libtracecmd is a finding here (README.md). */
		rs_scan_set_contained(0);
	}
	open_fds(fds_before);
	fd = memfd_create("fuzz-trace.dat", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, data, size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	__lsan_disable();
	t = rs_trace_open(path, &err);
	rs_trace_close(t);
	__lsan_enable();
	if (!t) {
		check_error(&err);
		close(fd);
		close_new_fds(fds_before);
		return 0;
	}

	memset(&opts, 0, sizeof(opts));
	if (rs_group_spec_parse("kind,purpose,comm", &opts.by))
		abort();
	opts.hist_div = 1000;
	opts.top_n = 8;
	opts.row_fn = csv_row;
	opts.row_arg = devnull;
	r = rs_report_new(&opts);
	if (!r)
		abort();
	if (!rs_report_add_file(r, path, &err)) {
		rs_output_text(devnull, r, &to);
		json_round_trip(r, path);
	} else {
		check_error(&err);
	}
	rs_report_free(r);
	close(fd);
	if (close_new_fds(fds_before)) {
		fprintf(stderr, "file descriptors left open by a report\n");
		abort();
	}
	return 0;
}
