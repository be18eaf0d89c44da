/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the KSM scenario programs of the VM tests share: exit codes, the
 * environment-error report, and waits on ksmd bounded by a timeout.
 */
#ifndef RS_KSM_PROG_H
#define RS_KSM_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "workload.h"

#define KSM_PROG_PASS	0	/* the kernel did what it must */
#define KSM_PROG_FAIL	1	/* it did not: the scenario's verdict */
#define KSM_PROG_ENV	2	/* the scenario could not be set up */

/**
 * struct ksm_prog - The program's name and how long it waits for ksmd.
 * @name: prefix of the messages on stderr.
 * @timeout_s: bound of every wait, in seconds.
 */
struct ksm_prog {
	const char *name;
	unsigned int timeout_s;
};

/**
 * ksm_prog_now() - CLOCK_MONOTONIC in seconds.
 *
 * Return: the time.
 */
double ksm_prog_now(void);

/**
 * ksm_prog_env_error() - Report that the scenario could not run.
 * @p: the program.
 * @msg: what is missing, with the fix.
 *
 * Prints @msg on stderr and as "ERROR: @msg" on stdout (the VM test reads
 * stdout), then writes the saved KSM knobs back.
 *
 * Return: KSM_PROG_ENV, the exit status to return.
 */
int ksm_prog_env_error(const struct ksm_prog *p, const char *msg);

/**
 * ksm_prog_env_failed() - ksm_prog_env_error() with a library error.
 * @p: the program.
 * @err: what a workload function reported.
 *
 * Return: KSM_PROG_ENV.
 */
int ksm_prog_env_failed(const struct ksm_prog *p, const struct rs_error *err);

/**
 * ksm_prog_same_pfn() - How many of the pages map the first one's frame.
 * @pages: addresses of the pages.
 * @n: their number.
 * @pfn: set to the first page's pfn (may be NULL).
 *
 * Return: the count, the first page included; 0 if it is not present.
 */
int ksm_prog_same_pfn(char *const *pages, int n, uint64_t *pfn);

/**
 * ksm_prog_filled() - Does a range still hold the byte it was filled with?
 * @p: the range.
 * @len: its length.
 * @byte: the fill.
 *
 * Return: true when every byte of the range is @byte.
 */
bool ksm_prog_filled(const char *p, size_t len, char byte);

/**
 * ksm_prog_migrate() - Move a page to another NUMA node, and print how.
 * @p: the program.
 * @addr: the page.
 * @hit: set as rs_page_migrate() sets it, node_before included; its
 *       target_node is the node chosen (rs_other_node()).
 * @err: set to rs_page_migrate()'s return (0, or -errno when every
 *       move_pages() call failed).
 *
 * Prints node_before, target_node, move_rc, move_status, move_attempts and
 * node_after as KEY=VALUE lines. Up to 5 move_pages() calls.
 *
 * Return: 0, or KSM_PROG_ENV after ksm_prog_env_error() when the page's
 * node is unknown, there is no other node, or the caller may not migrate.
 */
int ksm_prog_migrate(const struct ksm_prog *p, void *addr,
		     struct workload_hit *hit, int *err);

/**
 * ksm_prog_wait_merged() - Wait for ksmd to reach a merged state.
 * @p: the program (its timeout bounds the wait).
 * @what: the state, for the progress lines.
 * @shared: pages_shared wanted (system-wide).
 * @sharing: pages_sharing wanted (system-wide).
 * @merging: this process' ksm_merging_pages wanted (ignored where the
 *           kernel has no /proc/self/ksm_merging_pages).
 * @pages: pages that must all map one page frame, or NULL.
 * @n: their number.
 *
 * Prints progress on stderr every 5 s.
 *
 * Return: the seconds it took, or -1 on timeout or error.
 */
double ksm_prog_wait_merged(const struct ksm_prog *p, const char *what,
			    unsigned long shared, unsigned long sharing,
			    long merging, char *const *pages, int n);

/**
 * ksm_prog_wait_full_scans() - Let ksmd finish more full scans.
 * @p: the program (its timeout bounds the wait).
 * @n: full scans to wait for.
 */
void ksm_prog_wait_full_scans(const struct ksm_prog *p, unsigned long n);

#endif
