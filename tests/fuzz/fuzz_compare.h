/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The comparison both fuzz targets end with: every metric of base against
 * new, then both compare formats. A comparison that fails aborts, so the
 * fuzzer reports it.
 */
#ifndef RS_FUZZ_COMPARE_H
#define RS_FUZZ_COMPARE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "output.h"

/*
 * fuzz_compare() - compare base with new and print the result to out
 * @only: the one group to compare, or NULL for all
 * @threshold_pct: the regression threshold
 * @unit: the unit of the text output
 */
static inline void fuzz_compare(FILE *out, const struct rs_metric_set *base,
				const struct rs_metric_set *new, const char *only,
				double threshold_pct, enum rs_unit unit)
{
	const char *groups[1] = { only };
	struct rs_compare c;
	int m;

	memset(&c, 0, sizeof(c));
	c.base = base;
	c.new = new;
	for (m = 0; m < RS_M_NR; m++)
		c.metrics[c.nr_metrics++] = m;
	c.threshold_pct = threshold_pct;
	if (only) {
		c.only_groups = groups;
		c.nr_only_groups = 1;
	}
	if (rs_compare_run(&c))
		abort();
	rs_output_compare_text(out, &c, unit);
	rs_output_compare_json(out, &c, "rmapstat fuzz");
	rs_compare_free(&c);
}

#endif
