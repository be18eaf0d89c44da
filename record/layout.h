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
 *
 * `record --waits` also needs to know which lock a walk holds, for the
 * hold events (RS_HOLD_EVENTS in lib/walk/walk_event.h): the offsets of
 * root, rwsem and rb_root in struct anon_vma and of i_mmap and
 * i_mmap_rwsem in struct address_space. They come from BTF only: without
 * it the waits are attributed by time overlap, never by guessed offsets.
 */
#ifndef RMAPSTAT_LAYOUT_H
#define RMAPSTAT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "walk_event.h"

#define RS_LAYOUT_BTF_PATH	"/sys/kernel/btf/vmlinux"
#define RS_LAYOUT_DESC_LEN	256

struct btf;

/**
 * struct rs_hold_layout - Where the locks the walks hold are, in bytes.
 * @known: all five offsets were found in the BTF.
 * @anon_root: offsetof(struct anon_vma, root).
 * @anon_rwsem: offsetof(struct anon_vma, rwsem).
 * @anon_rb_root: offsetof(struct anon_vma, rb_root), the tree an anon
 *                walk iterates (the anon_vma of the folio, whose root
 *                holds the lock).
 * @i_mmap: offsetof(struct address_space, i_mmap), the tree a file walk
 *          iterates.
 * @i_mmap_rwsem: offsetof(struct address_space, i_mmap_rwsem).
 */
struct rs_hold_layout {
	bool known;
	int anon_root;
	int anon_rwsem;
	int anon_rb_root;
	int i_mmap;
	int i_mmap_rwsem;
};

/**
 * struct rs_layout - What the kprobes read, and where from.
 * @btf: the kernel's BTF; NULL when the layout was stated by hand, or
 *       after rs_layout_free().
 * @walks: @rmap_one and @mapping are known (rs_layout_from_btf(),
 *         rs_layout_parse()).
 * @rmap_one: offsetof(struct rmap_walk_control, rmap_one), bytes.
 * @mapping: offsetof(struct folio, mapping), bytes.
 * @hold: where the walks' locks are (rs_layout_from_btf(),
 *        rs_layout_holds_from_btf()).
 * @origin: where they came from, e.g. "BTF /sys/kernel/btf/vmlinux".
 */
struct rs_layout {
	struct btf *btf;
	bool walks;
	int rmap_one;
	int mapping;
	struct rs_hold_layout hold;
	char origin[128];
};

/**
 * rs_layout_from_btf() - Read the layout from a kernel's BTF.
 * @l: filled.
 * @path: the BTF file; NULL for RS_LAYOUT_BTF_PATH.
 * @err: filled on failure; status RS_EXIT_NO_BTF when the file is missing,
 *       RS_EXIT_FAILURE when it lacks the types.
 *
 * The walk offsets must be there; the hold offsets are read too, and
 * @l->hold.known says whether they were.
 *
 * Return: 0, or -errno. On success @l holds the BTF until
 * rs_layout_free().
 */
int rs_layout_from_btf(struct rs_layout *l, const char *path, struct rs_error *err);

/**
 * rs_layout_holds_from_btf() - Read only the hold offsets from BTF.
 * @l: a layout of rs_layout_parse() (its walk offsets stay), or zeroed
 *     (a kernel with the rmap tracepoints needs no walk offsets); its
 *     @hold and @btf are filled.
 * @path: the BTF file; NULL for RS_LAYOUT_BTF_PATH.
 * @err: filled on failure: status RS_EXIT_NO_BTF when the file is missing,
 *       RS_EXIT_FAILURE when it cannot be read or lacks the types.
 *
 * For `record --waits` where rs_layout_from_btf() is not used; a failure
 * means that waits can be attributed by time overlap only.
 *
 * Return: 0, or -errno. On success @l holds the BTF until
 * rs_layout_free().
 */
int rs_layout_holds_from_btf(struct rs_layout *l, const char *path, struct rs_error *err);

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
 * rs_layout_hold_args() - The kprobe fetch arguments of a hold event.
 * @l: the layout, with its BTF and @l->hold.known.
 * @func: the interval-tree iterator probed, e.g.
 *        "anon_vma_interval_tree_iter_first" (Linux 6.1 to 6.12: its
 *        first argument is the tree, struct rb_root_cached *) or
 *        "anon_rmap_tree_iter_first" (7.3: the struct anon_vma * or
 *        struct address_space * that holds the tree).
 * @tree: RS_KIND_ANON (hold_anon) or RS_KIND_FILE (hold_file).
 * @buf: filled with "base=BASE:x64 off=\OFF:s32" (RS_HOLD_BASE,
 *       RS_HOLD_OFF) such that base + off is the rw_semaphore the walk
 *       holds, the lock_addr of lock:contention_begin: for a tree of an
 *       anon_vma, e.g. "base=-80(%di):x64 off=\8:s32" (base: the
 *       anon_vma's root, read through the tree's address; off: the
 *       root's rwsem); for &mapping->i_mmap, e.g. "base=%di:x64
 *       off=\72:s32" (base: the tree; off: from i_mmap to i_mmap_rwsem), as
 *       on x86_64 Linux 6.12.
 * @len: size of @buf.
 *
 * The register is that of the first parameter of @func's BTF prototype
 * that points to one of those types (x86_64 calling convention).
 *
 * Return: 0; -ENOENT when @func is not in the BTF, or there is no BTF or
 * no hold layout; -EINVAL when @func takes no such pointer; -ENOSPC when
 * @buf is too small.
 */
int rs_layout_hold_args(const struct rs_layout *l, const char *func, enum rs_kind tree,
			char *buf, size_t len);

/**
 * rs_layout_describe() - One line for people and for trace.dat.
 * @l: the layout.
 * @buf: filled with what is known, e.g. "rmap_one=+16 mapping=+24;
 *       anon_vma root=+0 rwsem=+8 rb_root=+72; address_space i_mmap=+64
 *       i_mmap_rwsem=+104 (BTF /sys/kernel/btf/vmlinux)".
 * @len: size of @buf.
 */
void rs_layout_describe(const struct rs_layout *l, char *buf, size_t len);

/**
 * rs_layout_free() - Release the BTF. Idempotent.
 * @l: the layout.
 */
void rs_layout_free(struct rs_layout *l);

#endif
