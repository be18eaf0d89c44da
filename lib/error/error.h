/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Errors for one-line messages "rmapstat CMD: FILE: WHAT (FIX)".
 */
#ifndef RS_ERROR_H
#define RS_ERROR_H

struct rs_error {
	char what[256];		/* what went wrong */
	char fix[256];		/* what to do about it */
};

__attribute__((format(printf, 3, 4)))
void rs_error_set(struct rs_error *e, const char *fix, const char *fmt, ...);

#endif
