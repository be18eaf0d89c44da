/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between the workload files only; the API is workload.h. */
#ifndef RMAPSTAT_WORKLOAD_PRIV_H
#define RMAPSTAT_WORKLOAD_PRIV_H

#include <stdbool.h>

/* Stores a one-line message for workload_error() and returns err. */
int wl_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* workload_stop() was called. */
bool workload_stopped(void);

/* Reads one unsigned number from a sysfs/proc file; -errno on failure. */
int wl_read_ulong(const char *path, unsigned long *val);

#endif
