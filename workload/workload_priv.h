/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between the workload files only; the API is workload.h. */
#ifndef RMAPSTAT_WORKLOAD_PRIV_H
#define RMAPSTAT_WORKLOAD_PRIV_H

#include <stdbool.h>

/**
 * rs_workload_stopped() - Was rs_workload_stop() called?
 *
 * Return: true once it was.
 */
bool rs_workload_stopped(void);

/**
 * rs_read_ulong() - Read one unsigned number from a sysfs or proc file.
 * @path: the file.
 * @val: set to the number.
 *
 * Return: 0, or -errno (-EINVAL when the file holds no number).
 */
int rs_read_ulong(const char *path, unsigned long *val);

#endif
