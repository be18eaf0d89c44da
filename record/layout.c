// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kprobes' layout (layout.h): the walk functions' arguments and the
 * locks the walks hold, from BTF with libbpf's type API, or (the walks'
 * only) stated by hand.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "layout.h"

/* The registers of the first six integer arguments (x86_64 SysV ABI). */
static const char *const arg_regs[] = { "di", "si", "dx", "cx", "r8", "r9" };
#define NR_ARG_REGS	(sizeof(arg_regs) / sizeof(arg_regs[0]))

/* Where a walk function's arguments are: an index into arg_regs, -1: not taken. */
struct walk_args {
	int folio, rwc, mapping, locked;
};

/* The walk functions' arguments from Linux 6.1 to 7.3, for a layout without BTF. */
static const struct {
	const char *func;
	struct walk_args a;
} classic_args[] = {
	{ "rmap_walk",		{ 0, 1, -1, -1 } },
	{ "rmap_walk_locked",	{ 0, 1, -1, -1 } },
	{ "rmap_walk_ksm",	{ 0, 1, -1, -1 } },
	{ "rmap_walk_anon",	{ 0, 1, -1, 2 } },
	{ "rmap_walk_file",	{ 0, 1, -1, 2 } },
};

/* The type behind typedefs and qualifiers. */
static const struct btf_type *resolved(const struct btf *btf, __u32 id)
{
	int rid = btf__resolve_type(btf, id);

	return rid < 0 ? NULL : btf__type_by_id(btf, rid);
}

/*
 * The byte offset of member name in the struct or union id, looking into
 * anonymous members (struct folio keeps mapping in an anonymous struct of
 * an anonymous union); -1 when it has none, or it is a bit field.
 */
static long member_offset(const struct btf *btf, __u32 id, const char *name, int depth)
{
	const struct btf_type *t = resolved(btf, id), *mt;
	const struct btf_member *m;
	const char *mname;
	long off;
	int i;

	if (!t || !(btf_is_struct(t) || btf_is_union(t)) || depth > 8)
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		mname = btf__name_by_offset(btf, m->name_off);
		if (mname && mname[0]) {
			if (strcmp(mname, name))
				continue;
			if (btf_member_bitfield_size(t, i) ||
			    btf_member_bit_offset(t, i) % 8)
				return -1;
			return btf_member_bit_offset(t, i) / 8;
		}
		mt = resolved(btf, m->type);
		if (!mt || !(btf_is_struct(mt) || btf_is_union(mt)))
			continue;
		off = member_offset(btf, m->type, name, depth + 1);
		if (off >= 0)
			return btf_member_bit_offset(t, i) / 8 + off;
	}
	return -1;
}

static long struct_member(const struct btf *btf, const char *type, const char *member)
{
	__s32 id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);

	return id < 0 ? -1 : member_offset(btf, id, member, 0);
}

/*
 * The offsets of the locks the walks hold, and of the trees they iterate
 * beside them. All or nothing: a hold event whose lock is not exactly
 * the one the walk holds would blame the wrong walk.
 */
static bool read_holds(const struct btf *btf, struct rs_hold_layout *h)
{
	long v[5];
	int i;

	v[0] = struct_member(btf, "anon_vma", "root");
	v[1] = struct_member(btf, "anon_vma", "rwsem");
	v[2] = struct_member(btf, "anon_vma", "rb_root");
	v[3] = struct_member(btf, "address_space", "i_mmap");
	v[4] = struct_member(btf, "address_space", "i_mmap_rwsem");
	memset(h, 0, sizeof(*h));
	for (i = 0; i < 5; i++)
		if (v[i] < 0)
			return false;
	h->anon_root = (int)v[0];
	h->anon_rwsem = (int)v[1];
	h->anon_rb_root = (int)v[2];
	h->i_mmap = (int)v[3];
	h->i_mmap_rwsem = (int)v[4];
	h->known = true;
	return true;
}

/* Opens the BTF file into l->btf: 0, or -errno with err filled (fix: what else to do). */
static int open_btf(struct rs_layout *l, const char *path, const char *need,
		    const char *fix, struct rs_error *err)
{
	char fixbuf[256];
	size_t n;
	int ret;

	if (access(path, R_OK)) {
		ret = -errno;
		snprintf(fixbuf, sizeof(fixbuf), "boot a kernel built with "
			 "CONFIG_DEBUG_INFO_BTF=y%s%s", fix ? ", or " : "", fix ? fix : "");
		rs_error_status(err, RS_EXIT_NO_BTF, fixbuf, "%s needs the kernel's "
				"struct layout and %s is missing: %s", need, path,
				strerror(-ret));
		return ret;
	}
	l->btf = btf__parse(path, NULL);
	if (!l->btf) {
		ret = errno ? -errno : -EINVAL;
		rs_error_set(err, fix, "cannot read the BTF of %s: %s", path, strerror(-ret));
		return ret;
	}
	/* After --layout: the walks' offsets from there, the holds' from here. */
	n = strlen(l->origin);
	snprintf(l->origin + n, sizeof(l->origin) - n, "%sBTF %s", n ? " and " : "", path);
	return 0;
}

int rs_layout_from_btf(struct rs_layout *l, const char *path, struct rs_error *err)
{
	static const char fix[] = "state the offsets with --layout rmap_one=N,mapping=M";
	long rmap_one, mapping;
	int ret;

	memset(l, 0, sizeof(*l));
	if (!path)
		path = RS_LAYOUT_BTF_PATH;
	ret = open_btf(l, path, "the kprobe fallback", fix, err);
	if (ret)
		return ret;
	rmap_one = struct_member(l->btf, "rmap_walk_control", "rmap_one");
	mapping = struct_member(l->btf, "folio", "mapping");
	if (rmap_one < 0 || mapping < 0) {
		rs_error_set(err, fix, "the BTF of %s has no %s", path, rmap_one < 0 ?
			     "struct rmap_walk_control.rmap_one" : "struct folio.mapping");
		rs_layout_free(l);
		return -ENOENT;
	}
	l->walks = true;
	l->rmap_one = (int)rmap_one;
	l->mapping = (int)mapping;
	read_holds(l->btf, &l->hold);
	return 0;
}

int rs_layout_holds_from_btf(struct rs_layout *l, const char *path, struct rs_error *err)
{
	bool opened = false;
	int ret;

	if (!path)
		path = RS_LAYOUT_BTF_PATH;
	if (!l->btf) {
		ret = open_btf(l, path, "knowing which lock a walk holds", NULL, err);
		if (ret)
			return ret;
		opened = true;
	}
	if (!read_holds(l->btf, &l->hold)) {
		rs_error_set(err, NULL, "the BTF of %s lacks one of struct anon_vma.root, "
			     ".rwsem, .rb_root, struct address_space.i_mmap, .i_mmap_rwsem",
			     path);
		/* A BTF the walks' arguments come from stays. */
		if (opened)
			rs_layout_free(l);
		return -ENOENT;
	}
	return 0;
}

static int parse_offset(const char *s, const char *name, int *out)
{
	size_t n = strlen(name);
	unsigned long v;
	char *end;

	if (strncmp(s, name, n) || s[n] != '=')
		return 0;
	errno = 0;
	v = strtoul(s + n + 1, &end, 0);
	if (errno || end == s + n + 1 || (*end && *end != ',') || v > 4096)
		return -1;
	*out = (int)v;
	return 1;
}

int rs_layout_parse(struct rs_layout *l, const char *spec, struct rs_error *err)
{
	const char *s = spec;
	int got = 0, r;

	memset(l, 0, sizeof(*l));
	l->rmap_one = l->mapping = -1;
	l->walks = true;
	while (*s) {
		r = parse_offset(s, "rmap_one", &l->rmap_one);
		if (!r)
			r = parse_offset(s, "mapping", &l->mapping);
		if (r <= 0)
			break;
		got++;
		s = strchr(s, ',');
		if (!s)
			break;
		if (!*++s)
			got = -1;	/* a trailing comma */
	}
	if ((s && *s) || got != 2 || l->rmap_one < 0 || l->mapping < 0) {
		rs_error_status(err, RS_EXIT_USAGE, "give both byte offsets, e.g. "
				"--layout rmap_one=16,mapping=24 (pahole -C rmap_walk_control "
				"and -C folio on the kernel's vmlinux show them)",
				"bad --layout '%s'", spec);
		return -EINVAL;
	}
	snprintf(l->origin, sizeof(l->origin), "--layout");
	return 0;
}

/* The name of the struct a type id points to, or NULL. */
static const char *pointee(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = resolved(btf, id);

	if (!t || !btf_is_ptr(t))
		return NULL;
	t = resolved(btf, t->type);
	if (!t || !btf_is_struct(t))
		return NULL;
	return btf__name_by_offset(btf, t->name_off);
}

/* Is the type id a pointer to the struct name? */
static bool points_to(const struct btf *btf, __u32 id, const char *name)
{
	const char *sname = pointee(btf, id);

	return sname && !strcmp(sname, name);
}

/* The argument positions of func from its BTF prototype. */
static int btf_args(const struct btf *btf, const char *func, struct walk_args *a)
{
	const struct btf_type *fn, *proto;
	const struct btf_param *p;
	const char *name;
	__s32 id;
	int i;

	id = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	fn = btf__type_by_id(btf, id);
	proto = fn ? btf__type_by_id(btf, fn->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return -ENOENT;
	*a = (struct walk_args){ -1, -1, -1, -1 };
	p = btf_params(proto);
	for (i = 0; i < btf_vlen(proto) && i < (int)NR_ARG_REGS; i++, p++) {
		name = btf__name_by_offset(btf, p->name_off);
		if (!name)
			continue;
		if (!strcmp(name, "folio") && points_to(btf, p->type, "folio"))
			a->folio = i;
		else if (!strcmp(name, "rwc") && points_to(btf, p->type, "rmap_walk_control"))
			a->rwc = i;
		else if (!strcmp(name, "mapping") && points_to(btf, p->type, "address_space"))
			a->mapping = i;
		else if (!strcmp(name, "locked"))
			a->locked = i;
	}
	return a->folio < 0 || a->rwc < 0 ? -EINVAL : 0;
}

static int classic(const char *func, struct walk_args *a)
{
	size_t i;

	for (i = 0; i < sizeof(classic_args) / sizeof(classic_args[0]); i++) {
		if (!strcmp(classic_args[i].func, func)) {
			*a = classic_args[i].a;
			return 0;
		}
	}
	return -ENOENT;
}

int rs_layout_fetch_args(const struct rs_layout *l, const char *func, char *buf, size_t len)
{
	struct walk_args a;
	char mapping[32], locked[24] = "";
	int ret, n;

#ifndef __x86_64__
	/* arg_regs is the x86_64 calling convention. */
	return -ENOENT;
#endif
	ret = l->btf ? btf_args(l->btf, func, &a) : classic(func, &a);
	if (ret)
		return ret;
	if (a.mapping >= 0)
		snprintf(mapping, sizeof(mapping), "%%%s:x64", arg_regs[a.mapping]);
	else
		snprintf(mapping, sizeof(mapping), "+%d(%%%s):x64", l->mapping,
			 arg_regs[a.folio]);
	if (a.locked >= 0)
		snprintf(locked, sizeof(locked), " locked=%%%s:u8", arg_regs[a.locked]);
	n = snprintf(buf, len, "folio=%%%s:x64 rwc=%%%s:x64 mapping=%s rmap_one=+%d(%%%s):x64%s",
		     arg_regs[a.folio], arg_regs[a.rwc], mapping, l->rmap_one,
		     arg_regs[a.rwc], locked);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/*
 * Where the lock of a tree is, from what the iterator is given (param_type
 * as resolved): base, the address fetched, and off, added to it.
 */
static int hold_args(const struct rs_hold_layout *h, enum rs_kind tree,
		     const char *type, const char *reg, char *buf, size_t len)
{
	char base[32];
	int off, n;

	if (tree == RS_KIND_ANON && !strcmp(type, "rb_root_cached")) {
		/* &anon_vma->rb_root: the anon_vma's root is at a fixed distance */
		snprintf(base, sizeof(base), "%+d(%%%s)", h->anon_root - h->anon_rb_root, reg);
		off = h->anon_rwsem;
	} else if (tree == RS_KIND_ANON && !strcmp(type, "anon_vma")) {
		snprintf(base, sizeof(base), "%+d(%%%s)", h->anon_root, reg);
		off = h->anon_rwsem;
	} else if (tree == RS_KIND_FILE && !strcmp(type, "rb_root_cached")) {
		/* &mapping->i_mmap: the lock is a field of the same address_space */
		snprintf(base, sizeof(base), "%%%s", reg);
		off = h->i_mmap_rwsem - h->i_mmap;
	} else if (tree == RS_KIND_FILE && !strcmp(type, "address_space")) {
		snprintf(base, sizeof(base), "%%%s", reg);
		off = h->i_mmap_rwsem;
	} else {
		return -EINVAL;
	}
	n = snprintf(buf, len, "%s=%s:x64 %s=\\%d:s32", RS_HOLD_BASE, base, RS_HOLD_OFF, off);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int rs_layout_hold_args(const struct rs_layout *l, const char *func, enum rs_kind tree,
			char *buf, size_t len)
{
	const struct btf_type *fn, *proto;
	const struct btf_param *p;
	const char *type;
	__s32 id;
	int i, ret;

#ifndef __x86_64__
	/* arg_regs is the x86_64 calling convention. */
	return -ENOENT;
#endif
	if (!l->btf || !l->hold.known)
		return -ENOENT;
	id = btf__find_by_name_kind(l->btf, func, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	fn = btf__type_by_id(l->btf, id);
	proto = fn ? btf__type_by_id(l->btf, fn->type) : NULL;
	if (!proto || !btf_is_func_proto(proto))
		return -ENOENT;
	p = btf_params(proto);
	for (i = 0; i < btf_vlen(proto) && i < (int)NR_ARG_REGS; i++, p++) {
		type = pointee(l->btf, p->type);
		if (!type)
			continue;
		ret = hold_args(&l->hold, tree, type, arg_regs[i], buf, len);
		if (ret != -EINVAL)
			return ret;
	}
	return -EINVAL;
}

void rs_layout_describe(const struct rs_layout *l, char *buf, size_t len)
{
	const struct rs_hold_layout *h = &l->hold;
	size_t n = 0;

	buf[0] = '\0';
	if (l->walks)
		n += (size_t)snprintf(buf, len, "rmap_one=+%d mapping=+%d", l->rmap_one,
				      l->mapping);
	if (h->known && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%sanon_vma root=+%d rwsem=+%d "
				      "rb_root=+%d; address_space i_mmap=+%d i_mmap_rwsem=+%d",
				      n ? "; " : "", h->anon_root, h->anon_rwsem,
				      h->anon_rb_root, h->i_mmap, h->i_mmap_rwsem);
	if (n < len)
		snprintf(buf + n, len - n, "%s(%s)", n ? " " : "", l->origin);
}

void rs_layout_free(struct rs_layout *l)
{
	btf__free(l->btf);
	l->btf = NULL;
}
