/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The purpose of a walk is its rmap_one callback. Its name comes from the
 * kallsyms that trace-cmd saves in trace.dat (tep_find_function), and only
 * for an address where a function starts: the kernel passes a function
 * there, so any other address was not read from a struct
 * rmap_walk_control as the kernel laid it out (a kprobe fetch argument at
 * a wrong offset reads whatever pointer is there). Such a miss is shown
 * as "?0x..." and never as "sym+0x...", which would look like a name.
 */
#ifndef RS_PURPOSE_H
#define RS_PURPOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "walk_event.h"

struct tep_handle;

/* Room for a function's name, or for "?0x" and 16 hex digits; a longer name is cut. */
#define RS_PURPOSE_LEN	96

/* The first character of a miss: no kallsyms name starts with it. */
#define RS_PURPOSE_MISS	'?'

/**
 * rs_purpose_name() - the name of a walk's purpose
 * @tep: the trace's handle, its kallsyms loaded (NULL: no names, every
 *	address is a miss)
 * @ev: the event; its rmap_one is named
 * @buf: where the name is written
 * @len: its size
 *
 * Writes the function's name ("try_to_migrate_one") when rmap_one is
 * exactly where a function of kallsyms starts; otherwise, inside a
 * function, beyond kallsyms or 0, the miss "?0xffffffffc0123450"
 * (RS_PURPOSE_MISS and the address in hex); "unknown" when the event had
 * no rmap_one field.
 *
 * Return: @buf.
 */
const char *rs_purpose_name(struct tep_handle *tep, const struct rs_walk_event *ev,
			    char *buf, size_t len);

/**
 * rs_purpose_missed() - whether a purpose name is a miss
 * @name: a name rs_purpose_name() wrote
 *
 * Return: true for "?0x...": an rmap_one that is not a function's start in
 * kallsyms; false for a function's name and for "unknown" (no address).
 */
static inline bool rs_purpose_missed(const char *name)
{
	return name[0] == RS_PURPOSE_MISS;
}

#endif
