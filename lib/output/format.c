// SPDX-License-Identifier: GPL-2.0-only
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

int rs_unit_parse(const char *s, enum rs_unit *unit)
{
	if (!strcmp(s, "ns"))
		*unit = RS_UNIT_NS;
	else if (!strcmp(s, "us"))
		*unit = RS_UNIT_US;
	else if (!strcmp(s, "ms"))
		*unit = RS_UNIT_MS;
	else
		return -1;
	return 0;
}

const char *rs_unit_name(enum rs_unit unit)
{
	return unit == RS_UNIT_MS ? "ms" : unit == RS_UNIT_US ? "us" : "ns";
}

uint64_t rs_unit_div(enum rs_unit unit)
{
	return unit == RS_UNIT_MS ? 1000000 : unit == RS_UNIT_US ? 1000 : 1;
}

void rs_fmt_time(char *buf, size_t len, double ns, enum rs_unit unit, int ns_decimals)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else if (unit == RS_UNIT_NS)
		snprintf(buf, len, "%.*f", ns_decimals, ns);
	else
		snprintf(buf, len, "%.3f", ns / (double)rs_unit_div(unit));
}

void rs_fmt_metric(char *buf, size_t len, enum rs_metric m, double v, enum rs_unit unit)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (!rs_metric_is_time(m))
		snprintf(buf, len, "%.0f", v);
	else
		rs_fmt_time(buf, len, v, unit, m == RS_M_MEAN || m == RS_M_STDDEV ? 1 : 0);
}

void rs_put_printable(FILE *f, const char *s)
{
	for (s = s ? s : "?"; *s; s++)
		fputc(rs_is_printable(*s) ? *s : '?', f);
}

const char *rs_buffer_label(const char *name)
{
	return *name ? name : "top";
}

struct rs_top_entry *rs_top_sorted(const struct rs_topn *top, size_t *n)
{
	struct rs_topn copy = { .cap = top->n, .n = top->n };

	*n = top->n;
	if (!top->n)
		return NULL;
	copy.heap = malloc(top->n * sizeof(*copy.heap));
	if (!copy.heap)
		return NULL;
	memcpy(copy.heap, top->heap, top->n * sizeof(*copy.heap));
	rs_topn_sorted(&copy, n);
	return copy.heap;
}
