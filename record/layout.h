/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where the kprobe fallback finds what it records: the registers of the
 * walk functions' arguments and the offsets of rmap_walk_control.rmap_one
 * and folio.mapping. They differ between kernels (7.3's __rmap_walk_file
 * takes rwc fifth), so they are read from the running kernel's BTF
 * (/sys/kernel/btf/vmlinux, libbpf), or stated by hand with
 * `record --layout rmap_one=16,mapping=24` on a kernel without
 * CONFIG_DEBUG_INFO_BTF; never guessed.
 *
 * The fetch arguments keep the names the decoder reads (walk_decode.c):
 * folio, rwc, mapping, rmap_one and, where the function has it, locked.
 */
#ifndef RMAPSTAT_LAYOUT_H
#define RMAPSTAT_LAYOUT_H

#include <stddef.h>

#include "error.h"

#define RS_LAYOUT_BTF_PATH	"/sys/kernel/btf/vmlinux"
#define RS_LAYOUT_DESC_LEN	256

struct btf;

/**
 * struct rs_layout - What the kprobe fallback reads, and where from.
 * @btf: the kernel's BTF; NULL when the layout was stated by hand.
 * @rmap_one: offsetof(struct rmap_walk_control, rmap_one), bytes.
 * @mapping: offsetof(struct folio, mapping), bytes.
 * @origin: where the two came from, e.g. "BTF /sys/kernel/btf/vmlinux".
 */
struct rs_layout {
	struct btf *btf;
	int rmap_one;
	int mapping;
	char origin[128];
};

/**
 * rs_layout_from_btf() - Read the layout from a kernel's BTF.
 * @l: filled.
 * @path: the BTF file; NULL for RS_LAYOUT_BTF_PATH.
 * @err: filled on failure; status RS_EXIT_NO_BTF when the file is missing,
 *       RS_EXIT_FAILURE when it lacks the types.
 *
 * Return: 0, or -errno. On success @l holds the BTF until
 * rs_layout_free().
 */
int rs_layout_from_btf(struct rs_layout *l, const char *path, struct rs_error *err);

/**
 * rs_layout_parse() - A layout stated by hand.
 * @l: filled; @l->btf is NULL.
 * @spec: "rmap_one=N,mapping=M", byte offsets (decimal or 0x hex).
 * @err: filled on failure (status RS_EXIT_USAGE).
 *
 * Without BTF the functions' arguments are those of Linux 6.1 to 7.3:
 * (folio, rwc) for rmap_walk, rmap_walk_locked and rmap_walk_ksm, and
 * (folio, rwc, locked) for rmap_walk_anon and rmap_walk_file.
 *
 * Return: 0, or -EINVAL.
 */
int rs_layout_parse(struct rs_layout *l, const char *spec, struct rs_error *err);

/**
 * rs_layout_fetch_args() - The kprobe fetch arguments of a walk function.
 * @l: the layout.
 * @func: the function probed, e.g. "rmap_walk" or "__rmap_walk_file".
 * @buf: filled with e.g. "folio=%di:x64 rwc=%si:x64 mapping=+24(%di):x64
 *       rmap_one=+16(%si):x64 locked=%dx:u8".
 * @len: size of @buf.
 *
 * With BTF, the registers come from @func's prototype (its parameters
 * named folio, rwc and, if present, mapping and locked; x86_64 calling
 * convention) and the types are checked: folio must point to struct
 * folio, rwc to struct rmap_walk_control.
 *
 * Return: 0; -ENOENT when @func's prototype is not known (not in the BTF,
 * or a function rs_layout_parse() does not know); -EINVAL when it does
 * not take what a walk function takes; -ENOSPC when @buf is too small.
 */
int rs_layout_fetch_args(const struct rs_layout *l, const char *func, char *buf, size_t len);

/**
 * rs_layout_describe() - One line for people and for trace.dat.
 * @l: the layout.
 * @buf: filled with e.g. "rmap_one=+16 mapping=+24 (BTF /sys/kernel/btf/vmlinux)".
 * @len: size of @buf.
 */
void rs_layout_describe(const struct rs_layout *l, char *buf, size_t len);

/**
 * rs_layout_free() - Release the BTF. Idempotent.
 * @l: the layout.
 */
void rs_layout_free(struct rs_layout *l);

#endif
