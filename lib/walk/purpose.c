// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdio.h>

#include <event-parse.h>

#include "purpose.h"

const char *rs_purpose_name(struct tep_handle *tep, const struct rs_walk_event *ev,
			    char *buf, size_t len)
{
	const char *name = NULL;

	if (!(ev->has & RS_HAS_RMAP_ONE)) {
		snprintf(buf, len, "unknown");
		return buf;
	}
	/*
	 * tep_find_function() names any address inside a function: only its
	 * first byte is one the kernel can have passed as rmap_one.
	 */
	if (tep && ev->rmap_one && tep_find_function_address(tep, ev->rmap_one) == ev->rmap_one)
		name = tep_find_function(tep, ev->rmap_one);
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%c0x%" PRIx64, RS_PURPOSE_MISS, ev->rmap_one);
	return buf;
}
