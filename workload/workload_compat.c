// SPDX-License-Identifier: GPL-2.0-only
/*
 * The enum workload_err interface of the VM test programs
 * (workload_compat.h) over the rs_ functions: each call gets a struct
 * rs_error of its own, whose message workload_error() then gives, and its
 * status and errno become the enum workload_err the programs exit with.
 */
#include <errno.h>
#include <stdio.h>

#include "workload.h"

static struct rs_error last;
static char message[sizeof(last.what) + sizeof(last.fix) + 4];

const char *workload_error(void)
{
	if (last.fix[0])
		snprintf(message, sizeof(message), "%s (%s)", last.what, last.fix);
	else
		snprintf(message, sizeof(message), "%s", last.what);
	return message;
}

/* ret and last as an enum workload_err; other: what any other error is. */
static int code(int ret, int other)
{
	if (!ret)
		return WL_OK;
	switch (last.status) {
	case RS_EXIT_USAGE:		return WL_ERR_USAGE;
	case RS_EXIT_NOT_ROOT:		return WL_ERR_NOT_ROOT;
	case RS_EXIT_NO_KSM:		return WL_ERR_NO_KSM;
	case RS_EXIT_NO_PAGE_IDLE:	return WL_ERR_NO_PAGE_IDLE;
	case RS_EXIT_ONE_NODE:		return WL_ERR_ONE_NODE;
	}
	switch (ret) {
	case -EINTR:			return WL_ERR_INTERRUPTED;
	case -ETIMEDOUT:		return WL_ERR_MERGE_TIMEOUT;
	case -ENXIO:			return WL_ERR_NO_PFN;
	case -ENOMEM:			return WL_ERR_SYSTEM;
	}
	return other;
}

int workload_parse_kinds(const char *s, unsigned int *kinds)
{
	return code(rs_workload_parse_kinds(s, kinds, &last), WL_ERR_USAGE);
}

int workload_parse_trigger(const char *s, enum workload_trigger *t)
{
	return code(rs_workload_parse_trigger(s, t, &last), WL_ERR_USAGE);
}

int workload_setup(struct workload *wl, const struct workload_opts *o)
{
	return code(rs_workload_setup(wl, o, &last), WL_ERR_SYSTEM);
}

int workload_trigger(struct workload *wl)
{
	/* A migrate trigger fails in move_pages() or in finding the page's node. */
	return code(rs_workload_trigger(wl, &last), wl->opts.trigger ==
		    WL_TRIGGER_MIGRATE ? WL_ERR_MIGRATE : WL_ERR_SYSTEM);
}

int ksm_counters_read(struct ksm_counters *c)
{
	return code(rs_ksm_counters_read(c, &last), WL_ERR_SYSTEM);
}

int ksm_knobs_speed_up(unsigned int pages_to_scan, unsigned int sleep_ms)
{
	return code(rs_ksm_knobs_speed_up(pages_to_scan, sleep_ms, &last), WL_ERR_SYSTEM);
}

int ksm_knobs_pause(void)
{
	return code(rs_ksm_knobs_pause(&last), WL_ERR_SYSTEM);
}

int wl_page_pfn(const void *addr, uint64_t *pfn)
{
	return code(rs_page_pfn(addr, pfn, &last), WL_ERR_NO_PFN);
}

int wl_page_migrate(void *addr, int node, int attempts, struct workload_hit *hit)
{
	return code(rs_page_migrate(addr, node, attempts, hit, &last), WL_ERR_MIGRATE);
}
