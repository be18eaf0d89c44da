/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interface the guest programs of the VM tests (tests/vm/progs) are
 * written against: the names of workload.h without their rs_ prefix, an
 * enum workload_err for a return value (which rmap-workload exits with),
 * and the message of the last error in workload_error(). It is a thin
 * layer over the rs_ functions, for those programs only: rmapstat itself
 * uses workload.h.
 */
#ifndef RMAPSTAT_WORKLOAD_COMPAT_H
#define RMAPSTAT_WORKLOAD_COMPAT_H

/* What the compat functions return: the exit statuses of rmap-workload. */
enum workload_err {
	WL_OK = 0,
	WL_ERR_USAGE,		/* bad option value or combination */
	WL_ERR_NOT_ROOT,	/* KSM sysfs, pagemap pfns, MPOL_MF_MOVE_ALL need root */
	WL_ERR_NO_KSM,		/* /sys/kernel/mm/ksm missing: CONFIG_KSM=n */
	WL_ERR_NO_PAGE_IDLE,	/* /sys/kernel/mm/page_idle/bitmap missing */
	WL_ERR_ONE_NODE,	/* --trigger migrate with fewer than 2 NUMA nodes */
	WL_ERR_MERGE_TIMEOUT,	/* KSM did not merge the pages in time */
	WL_ERR_NO_PFN,		/* /proc/self/pagemap gave no pfn */
	WL_ERR_MIGRATE,		/* the move_pages() call itself failed (-1, errno) */
	WL_ERR_INTERRUPTED,	/* workload_stop() was called */
	WL_ERR_SYSTEM,		/* any other failed system call (errno named) */
};

/**
 * workload_error() - The message of the last compat function that failed.
 *
 * Return: "WHAT (FIX)" of its struct rs_error, one line.
 */
const char *workload_error(void);

/**
 * workload_parse_kinds() - rs_workload_parse_kinds() with an enum workload_err.
 * @s: as for rs_workload_parse_kinds().
 * @kinds: as for rs_workload_parse_kinds().
 *
 * Return: WL_OK or WL_ERR_USAGE, with workload_error() set.
 */
int workload_parse_kinds(const char *s, unsigned int *kinds);

/**
 * workload_parse_trigger() - rs_workload_parse_trigger() with an enum workload_err.
 * @s: as for rs_workload_parse_trigger().
 * @t: as for rs_workload_parse_trigger().
 *
 * Return: WL_OK or WL_ERR_USAGE, with workload_error() set.
 */
int workload_parse_trigger(const char *s, enum workload_trigger *t);

/**
 * workload_setup() - rs_workload_setup() with an enum workload_err.
 * @wl: as for rs_workload_setup().
 * @o: as for rs_workload_setup().
 *
 * Return: WL_OK or an enum workload_err, with workload_error() set.
 */
int workload_setup(struct workload *wl, const struct workload_opts *o);

/**
 * workload_trigger() - rs_workload_trigger() with an enum workload_err.
 * @wl: as for rs_workload_trigger().
 *
 * Return: WL_OK or an enum workload_err, with workload_error() set.
 */
int workload_trigger(struct workload *wl);

/**
 * ksm_counters_read() - rs_ksm_counters_read() with an enum workload_err.
 * @c: as for rs_ksm_counters_read().
 *
 * Return: WL_OK or an enum workload_err, with workload_error() set.
 */
int ksm_counters_read(struct ksm_counters *c);

/**
 * ksm_knobs_speed_up() - rs_ksm_knobs_speed_up() with an enum workload_err.
 * @pages_to_scan: as for rs_ksm_knobs_speed_up().
 * @sleep_ms: as for rs_ksm_knobs_speed_up().
 *
 * Return: WL_OK or an enum workload_err, with workload_error() set.
 */
int ksm_knobs_speed_up(unsigned int pages_to_scan, unsigned int sleep_ms);

/**
 * ksm_knobs_pause() - rs_ksm_knobs_pause() with an enum workload_err.
 *
 * Return: WL_OK or an enum workload_err, with workload_error() set.
 */
int ksm_knobs_pause(void);

/**
 * wl_page_pfn() - rs_page_pfn() with an enum workload_err.
 * @addr: as for rs_page_pfn().
 * @pfn: as for rs_page_pfn().
 *
 * Return: WL_OK or an enum workload_err, with workload_error() set.
 */
int wl_page_pfn(const void *addr, uint64_t *pfn);

/**
 * wl_page_migrate() - rs_page_migrate() with an enum workload_err.
 * @addr: as for rs_page_migrate().
 * @node: as for rs_page_migrate().
 * @attempts: as for rs_page_migrate().
 * @hit: as for rs_page_migrate().
 *
 * Return: WL_OK or an enum workload_err, with workload_error() set.
 */
int wl_page_migrate(void *addr, int node, int attempts, struct workload_hit *hit);

/* The functions that cannot fail, under their old names. */
static inline void workload_opts_init(struct workload_opts *o)
{
	rs_workload_opts_init(o);
}

static inline const char *workload_kind_name(enum workload_kind kind)
{
	return rs_workload_kind_name(kind);
}

static inline const char *workload_trigger_name(enum workload_trigger t)
{
	return rs_workload_trigger_name(t);
}

static inline void workload_print_hits(const struct workload *wl, FILE *f)
{
	rs_workload_print_hits(wl, f);
}

static inline void workload_teardown(struct workload *wl)
{
	rs_workload_teardown(wl);
}

static inline void workload_stop(void)
{
	rs_workload_stop();
}

static inline bool ksm_available(void)
{
	return rs_ksm_available();
}

static inline void ksm_knobs_restore(void)
{
	rs_ksm_knobs_restore();
}

static inline long ksm_merging_pages(void)
{
	return rs_ksm_merging_pages();
}

static inline int wl_page_node(void *addr)
{
	return rs_page_node(addr);
}

static inline int wl_pfn_is_ksm(uint64_t pfn)
{
	return rs_pfn_is_ksm(pfn);
}

static inline long wl_pfn_mapcount(uint64_t pfn)
{
	return rs_pfn_mapcount(pfn);
}

static inline long wl_count_vmas(const void *addr, size_t len)
{
	return rs_count_vmas(addr, len);
}

#endif
