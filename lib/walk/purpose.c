// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdio.h>

#include <event-parse.h>

#include "purpose.h"

const char *rs_purpose_name(struct tep_handle *tep, const struct rs_walk_event *ev,
			    char *buf, size_t len)
{
	const char *name = NULL;
	unsigned long long start = 0;

	if (!(ev->has & RS_HAS_RMAP_ONE)) {
		snprintf(buf, len, "unknown");
		return buf;
	}
	if (tep && ev->rmap_one) {
		name = tep_find_function(tep, ev->rmap_one);
		if (name)
			start = tep_find_function_address(tep, ev->rmap_one);
	}
	if (!name)
		snprintf(buf, len, "0x%" PRIx64, ev->rmap_one);
	else if (start == ev->rmap_one)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s+0x%llx", name, ev->rmap_one - start);
	return buf;
}
