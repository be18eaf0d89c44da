/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The purpose of a walk is its rmap_one callback. Its name comes from the
 * kallsyms that trace-cmd saves in trace.dat (tep_find_function); an
 * address kallsyms does not cover is shown in hex.
 */
#ifndef RS_PURPOSE_H
#define RS_PURPOSE_H

#include <stddef.h>

#include "walk_event.h"

struct tep_handle;

/* Room for a purpose name, "sym+0x..." included; a longer one is cut. */
#define RS_PURPOSE_LEN	96

/**
 * rs_purpose_name() - the name of a walk's purpose
 * @tep: the trace's handle, its kallsyms loaded (NULL: no names, hex only)
 * @ev: the event; its rmap_one is named
 * @buf: where the name is written
 * @len: its size
 *
 * Writes "try_to_migrate_one", "sym+0x10" when the address is inside a
 * function, "0xffffffffc0123450" when unknown, or "unknown" when the event
 * had no rmap_one field.
 *
 * Return: @buf.
 */
const char *rs_purpose_name(struct tep_handle *tep, const struct rs_walk_event *ev,
			    char *buf, size_t len);

#endif
