// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test of record/layout.c: the kprobe fallback's layout from a BTF file
 * this test writes with libbpf's BTF writer (the types as Linux 6.12 and
 * 7.3 declare them, folio.mapping inside an anonymous struct of an
 * anonymous union, 7.3's __rmap_walk_file with rwc fifth), from --layout,
 * and the errors: no BTF file, a BTF without the types, a function not in
 * the BTF, one whose arguments are not a walk's. The hold events' fetch
 * arguments of --waits (the lock a walk holds, RS_HOLD_EVENTS): from the
 * iterators of Linux 6.x, which take the tree, and of 7.3, which take the
 * anon_vma or the address_space; their errors; the hold offsets alone, as
 * a kernel with the rmap tracepoints reads them. Then, when the machine
 * has one, the layout of its own kernel's BTF. No root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "check.h"
#include "layout.h"


/* The type ids of the test's BTF. */
struct ids {
	int ulong, bool_, folio_ptr, rwc_ptr, mapping_ptr, page_ptr, tree_ptr, anon_vma_ptr;
};

/* A function name(params...) returning void; params are "name:type id" pairs. */
static void add_func(struct btf *b, const char *name, int nr, const char *const *pname,
		     const int *ptype)
{
	int proto = btf__add_func_proto(b, 0), i;

	for (i = 0; i < nr; i++)
		btf__add_func_param(b, pname[i], ptype[i]);
	btf__add_func(b, name, BTF_FUNC_STATIC, proto);
}

/*
 * struct folio { union { struct { unsigned long flags; unsigned long lru[2];
 * struct address_space *mapping; }; struct page page; }; };
 * struct rmap_walk_control { void *arg; bool try_lock; bool contended;
 * bool (*rmap_one)(...); ... } with rmap_one at 8 here, to tell it from
 * the constants of 6.12 (16).
 */
/*
 * Also the locks' structs, at offsets of their own: struct anon_vma
 * { root at 0, rwsem at 8, rb_root at 56 }, struct address_space { host
 * at 0, i_mmap at 16, i_mmap_rwsem at 40 } (with_anon_vma false: no
 * struct anon_vma).
 */
static struct btf *make_btf(struct ids *id, bool with_folio, bool with_anon_vma)
{
	struct btf *b = btf__new_empty();
	int anon_struct, anon_union, folio, rwc, as, page, void_ptr, tree, rwsem, av;

	id->ulong = btf__add_int(b, "long unsigned int", 8, 0);
	id->bool_ = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	void_ptr = btf__add_ptr(b, 0);
	tree = btf__add_struct(b, "rb_root_cached", 16);
	btf__add_field(b, "rb_root", void_ptr, 0, 0);
	btf__add_field(b, "rb_leftmost", void_ptr, 64, 0);
	id->tree_ptr = btf__add_ptr(b, tree);
	rwsem = btf__add_struct(b, "rw_semaphore", 24);
	btf__add_field(b, "count", id->ulong, 0, 0);
	btf__add_field(b, "owner", id->ulong, 64, 0);
	btf__add_field(b, "wait_list", void_ptr, 128, 0);
	as = btf__add_struct(b, "address_space", 64);
	btf__add_field(b, "host", void_ptr, 0, 0);
	btf__add_field(b, "i_mmap", tree, 128, 0);
	btf__add_field(b, "i_mmap_rwsem", rwsem, 320, 0);
	/* root is a struct anon_vma * in the kernel; here a void * will do */
	av = btf__add_struct(b, with_anon_vma ? "anon_vma" : "anon_vma_not", 72);
	btf__add_field(b, "root", void_ptr, 0, 0);
	btf__add_field(b, "rwsem", rwsem, 64, 0);
	btf__add_field(b, "rb_root", tree, 448, 0);
	id->anon_vma_ptr = btf__add_ptr(b, av);
	page = btf__add_struct(b, "page", 64);
	btf__add_field(b, "flags", id->ulong, 0, 0);
	id->page_ptr = btf__add_ptr(b, page);
	id->mapping_ptr = btf__add_ptr(b, as);

	anon_struct = btf__add_struct(b, NULL, 32);
	btf__add_field(b, "flags", id->ulong, 0, 0);
	btf__add_field(b, "lru", id->ulong, 64, 0);
	btf__add_field(b, "lru_next", id->ulong, 128, 0);
	btf__add_field(b, "mapping", id->mapping_ptr, 192, 0);
	anon_union = btf__add_union(b, NULL, 64);
	btf__add_field(b, NULL, anon_struct, 0, 0);
	btf__add_field(b, "page", page, 0, 0);
	folio = btf__add_struct(b, with_folio ? "folio" : "folio_not", 64);
	btf__add_field(b, NULL, anon_union, 0, 0);
	id->folio_ptr = btf__add_ptr(b, folio);

	rwc = btf__add_struct(b, "rmap_walk_control", 32);
	btf__add_field(b, "arg", void_ptr, 0, 0);
	btf__add_field(b, "rmap_one", void_ptr, 64, 0);
	btf__add_field(b, "done", void_ptr, 128, 0);
	btf__add_field(b, "try_lock", id->bool_, 192, 0);
	id->rwc_ptr = btf__add_ptr(b, rwc);
	return b;
}

static void add_walk_funcs(struct btf *b, const struct ids *id)
{
	static const char *const two[] = { "folio", "rwc" };
	static const char *const three[] = { "folio", "rwc", "locked" };
	static const char *const file73[] = { "folio", "mapping", "pgoff_start",
					      "nr_pages", "rwc", "locked" };
	static const char *const wrong[] = { "page", "rwc" };
	const int t2[] = { id->folio_ptr, id->rwc_ptr };
	const int t3[] = { id->folio_ptr, id->rwc_ptr, id->bool_ };
	const int t73[] = { id->folio_ptr, id->mapping_ptr, id->ulong, id->ulong,
			    id->rwc_ptr, id->bool_ };
	const int tw[] = { id->page_ptr, id->rwc_ptr };
	/* a "folio" that is not a struct folio pointer */
	const int tbad[] = { id->page_ptr, id->rwc_ptr };

	add_func(b, "rmap_walk", 2, two, t2);
	add_func(b, "rmap_walk_anon", 3, three, t3);
	add_func(b, "__rmap_walk_file", 6, file73, t73);
	add_func(b, "page_walk", 2, wrong, tw);
	add_func(b, "bad_folio", 2, two, tbad);
}

/* The iterators whose first call the hold events probe, 6.x and 7.3. */
static void add_iter_funcs(struct btf *b, const struct ids *id)
{
	static const char *const tree[] = { "root", "start", "last" };
	static const char *const av[] = { "anon_vma", "pgoff_start", "pgoff_last" };
	static const char *const map[] = { "mapping", "pgoff_start", "pgoff_last" };
	static const char *const second[] = { "flags", "root" };
	static const char *const none[] = { "start", "last" };
	const int ttree[] = { id->tree_ptr, id->ulong, id->ulong };
	const int tav[] = { id->anon_vma_ptr, id->ulong, id->ulong };
	const int tmap[] = { id->mapping_ptr, id->ulong, id->ulong };
	const int tsecond[] = { id->ulong, id->tree_ptr };
	const int tnone[] = { id->ulong, id->ulong };

	add_func(b, "anon_vma_interval_tree_iter_first", 3, tree, ttree);
	add_func(b, "vma_interval_tree_iter_first", 3, tree, ttree);
	add_func(b, "anon_rmap_tree_iter_first", 3, av, tav);
	add_func(b, "mapping_rmap_tree_iter_first", 3, map, tmap);
	add_func(b, "tree_second", 2, second, tsecond);
	add_func(b, "no_tree", 2, none, tnone);
}

static int write_btf(const struct btf *b, const char *path)
{
	const void *data;
	__u32 size;
	FILE *f;
	int ok;

	data = btf__raw_data(b, &size);
	f = fopen(path, "w");
	if (!f || !data)
		return -1;
	ok = fwrite(data, 1, size, f) == size;
	return fclose(f) || !ok ? -1 : 0;
}

static void expect_args(const struct rs_layout *l, const char *func, int want_ret,
			const char *want)
{
	char buf[256] = "";
	int ret = rs_layout_fetch_args(l, func, buf, sizeof(buf));

	CHECKF(ret == want_ret, "%s: returned %d, want %d", func, ret, want_ret);
	if (!want_ret && want)
		CHECKF(!strcmp(buf, want), "%s: '%s', want '%s'", func, buf, want);
}

static void expect_hold(const struct rs_layout *l, const char *func, enum rs_kind tree,
			int want_ret, const char *want)
{
	char buf[128] = "";
	int ret = rs_layout_hold_args(l, func, tree, buf, sizeof(buf));

	CHECKF(ret == want_ret, "hold %s: returned %d, want %d", func, ret, want_ret);
	if (!want_ret && want)
		CHECKF(!strcmp(buf, want), "hold %s: '%s', want '%s'", func, buf, want);
}

/*
 * base + off must be the rwsem: for a tree of an anon_vma, the root read
 * at rb_root - 56 + 0, then its rwsem at +8; for i_mmap at 16, the
 * i_mmap_rwsem at 40 is 24 further; 7.3 passes the structs themselves.
 */
static void check_holds(const struct rs_layout *l)
{
	CHECKF(l->hold.known && l->hold.anon_root == 0 && l->hold.anon_rwsem == 8 &&
	       l->hold.anon_rb_root == 56 && l->hold.i_mmap == 16 &&
	       l->hold.i_mmap_rwsem == 40, "hold offsets %d %d %d %d %d",
	       l->hold.anon_root, l->hold.anon_rwsem, l->hold.anon_rb_root,
	       l->hold.i_mmap, l->hold.i_mmap_rwsem);
	expect_hold(l, "anon_vma_interval_tree_iter_first", RS_KIND_ANON, 0,
		    "base=-56(%di):x64 off=\\8:s32");
	expect_hold(l, "vma_interval_tree_iter_first", RS_KIND_FILE, 0,
		    "base=%di:x64 off=\\24:s32");
	expect_hold(l, "anon_rmap_tree_iter_first", RS_KIND_ANON, 0,
		    "base=+0(%di):x64 off=\\8:s32");
	expect_hold(l, "mapping_rmap_tree_iter_first", RS_KIND_FILE, 0,
		    "base=%di:x64 off=\\40:s32");
	expect_hold(l, "tree_second", RS_KIND_ANON, 0, "base=-56(%si):x64 off=\\8:s32");
	/* the wrong tree for the function: an anon_vma is no address_space */
	expect_hold(l, "anon_rmap_tree_iter_first", RS_KIND_FILE, -EINVAL, NULL);
	expect_hold(l, "no_tree", RS_KIND_ANON, -EINVAL, NULL);
	expect_hold(l, "not_there", RS_KIND_ANON, -ENOENT, NULL);
}

static void test_btf(const char *dir)
{
	struct rs_layout l;
	struct rs_error err;
	char path[512], desc[RS_LAYOUT_DESC_LEN];
	struct ids id;
	struct btf *b;

	snprintf(path, sizeof(path), "%s/vmlinux", dir);
	b = make_btf(&id, true, true);
	add_walk_funcs(b, &id);
	add_iter_funcs(b, &id);
	CHECKF(!write_btf(b, path), "writing %s", path);
	btf__free(b);

	CHECKF(!rs_layout_from_btf(&l, path, &err), "from BTF: %s", err.what);
	CHECKF(l.rmap_one == 8, "rmap_one at %d, want 8", l.rmap_one);
	CHECKF(l.mapping == 24, "mapping at %d, want 24 (anonymous members)", l.mapping);
	expect_args(&l, "rmap_walk", 0,
		    "folio=%di:x64 rwc=%si:x64 mapping=+24(%di):x64 rmap_one=+8(%si):x64");
	expect_args(&l, "rmap_walk_anon", 0,
		    "folio=%di:x64 rwc=%si:x64 mapping=+24(%di):x64 rmap_one=+8(%si):x64 "
		    "locked=%dx:u8");
	expect_args(&l, "__rmap_walk_file", 0,
		    "folio=%di:x64 rwc=%r8:x64 mapping=%si:x64 rmap_one=+8(%r8):x64 "
		    "locked=%r9:u8");
	expect_args(&l, "rmap_walk_file", -ENOENT, NULL);
	expect_args(&l, "page_walk", -EINVAL, NULL);
	expect_args(&l, "bad_folio", -EINVAL, NULL);
	check_holds(&l);
	rs_layout_describe(&l, desc, sizeof(desc));
	CHECKF(strstr(desc, "rmap_one=+8 mapping=+24; anon_vma root=+0 rwsem=+8 rb_root=+56; "
		      "address_space i_mmap=+16 i_mmap_rwsem=+40 (BTF ") && strstr(desc, path),
	      "describe: '%s'", desc);
	rs_layout_free(&l);
	rs_layout_free(&l);
	/* The offsets stay, the prototypes go with the BTF. */
	expect_hold(&l, "anon_vma_interval_tree_iter_first", RS_KIND_ANON, -ENOENT, NULL);

	/* The holds alone, as on a kernel with the rmap tracepoints. */
	memset(&l, 0, sizeof(l));
	CHECKF(!rs_layout_holds_from_btf(&l, path, &err), "holds from BTF: %s", err.what);
	check_holds(&l);
	rs_layout_describe(&l, desc, sizeof(desc));
	CHECKF(!strncmp(desc, "anon_vma root=+0 ", 17) && strstr(desc, "(BTF "),
	       "describe holds: '%s'", desc);
	rs_layout_free(&l);

	/* After --layout: the walks' offsets from it, the holds' from BTF. */
	CHECK(!rs_layout_parse(&l, "rmap_one=16,mapping=24", &err));
	expect_hold(&l, "anon_vma_interval_tree_iter_first", RS_KIND_ANON, -ENOENT, NULL);
	CHECKF(!rs_layout_holds_from_btf(&l, path, &err), "holds after --layout: %s", err.what);
	CHECK(l.rmap_one == 16 && l.hold.known);
	rs_layout_describe(&l, desc, sizeof(desc));
	CHECKF(strstr(desc, "rmap_one=+16 mapping=+24; anon_vma ") &&
	       strstr(desc, "(--layout and BTF "), "describe --layout + holds: '%s'", desc);
	rs_layout_free(&l);

	/* A BTF without struct anon_vma: the walks, but no holds. */
	b = make_btf(&id, true, false);
	CHECKF(!write_btf(b, path), "writing %s", path);
	btf__free(b);
	CHECKF(!rs_layout_from_btf(&l, path, &err), "from BTF without anon_vma: %s", err.what);
	CHECK(!l.hold.known);
	rs_layout_free(&l);
	memset(&l, 0, sizeof(l));
	CHECKF(rs_layout_holds_from_btf(&l, path, &err) == -ENOENT && strstr(err.what, "anon_vma"),
	       "holds without anon_vma: '%s'", err.what);

	/* A BTF without struct folio: an error that names --layout. */
	b = make_btf(&id, false, true);
	CHECKF(!write_btf(b, path), "writing %s", path);
	btf__free(b);
	CHECKF(rs_layout_from_btf(&l, path, &err) == -ENOENT, "BTF without struct folio");
	CHECKF(strstr(err.what, "struct folio.mapping") && strstr(err.fix, "--layout"),
	      "no folio: '%s' (%s)", err.what, err.fix);
	unlink(path);

	CHECKF(rs_layout_from_btf(&l, path, &err) == -ENOENT, "missing BTF file");
	CHECKF(err.status == RS_EXIT_NO_BTF, "missing BTF: status %d", err.status);
	CHECKF(strstr(err.fix, "CONFIG_DEBUG_INFO_BTF") && strstr(err.fix, "--layout"),
	      "missing BTF: fix '%s'", err.fix);
	memset(&l, 0, sizeof(l));
	CHECKF(rs_layout_holds_from_btf(&l, path, &err) == -ENOENT &&
	       err.status == RS_EXIT_NO_BTF && strstr(err.fix, "CONFIG_DEBUG_INFO_BTF") &&
	       !strstr(err.fix, "--layout"), "holds, missing BTF: %d '%s'", err.status, err.fix);
}

static void test_parse(void)
{
	static const char *const bad[] = {
		"rmap_one=16", "mapping=24", "rmap_one=16,mapping=", "rmap_one=x,mapping=24",
		"rmap_one=16,mapping=24,", "rmap_one=16;mapping=24", "folio=3,mapping=24",
		"rmap_one=16,mapping=99999", "",
	};
	struct rs_layout l;
	struct rs_error err;
	size_t i;

	CHECKF(!rs_layout_parse(&l, "rmap_one=16,mapping=24", &err), "parse: %s", err.what);
	CHECKF(l.rmap_one == 16 && l.mapping == 24 && !l.btf, "parsed %d %d", l.rmap_one,
	      l.mapping);
	expect_args(&l, "rmap_walk_file", 0,
		    "folio=%di:x64 rwc=%si:x64 mapping=+24(%di):x64 rmap_one=+16(%si):x64 "
		    "locked=%dx:u8");
	expect_args(&l, "rmap_walk_ksm", 0,
		    "folio=%di:x64 rwc=%si:x64 mapping=+24(%di):x64 rmap_one=+16(%si):x64");
	/* Without BTF, 7.3's __rmap_walk_file's arguments are not known. */
	expect_args(&l, "__rmap_walk_file", -ENOENT, NULL);
	CHECKF(!rs_layout_parse(&l, "mapping=0x18,rmap_one=0x10", &err) &&
	      l.rmap_one == 16 && l.mapping == 24, "hex, other order");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECKF(rs_layout_parse(&l, bad[i], &err) == -EINVAL, "'%s' accepted", bad[i]);
		CHECKF(err.status == RS_EXIT_USAGE && strstr(err.fix, "rmap_one=16,mapping=24"),
		      "'%s': status %d fix '%s'", bad[i], err.status, err.fix);
	}
}

/* The machine's own kernel, when it has BTF: its walk functions must resolve. */
static void test_host(void)
{
	struct rs_layout l;
	struct rs_error err;
	char buf[256];

	if (access(RS_LAYOUT_BTF_PATH, R_OK)) {
		printf("host: no %s, not checked\n", RS_LAYOUT_BTF_PATH);
		return;
	}
	CHECKF(!rs_layout_from_btf(&l, NULL, &err), "host BTF: %s", err.what);
	CHECKF(l.rmap_one > 0 && l.rmap_one % 8 == 0 && l.mapping > 0 && l.mapping % 8 == 0,
	      "host: rmap_one=%d mapping=%d", l.rmap_one, l.mapping);
	CHECKF(!rs_layout_fetch_args(&l, "rmap_walk", buf, sizeof(buf)),
	      "host: rmap_walk not in the BTF");
	printf("host: rmap_one=+%d mapping=+%d, rmap_walk: %s\n", l.rmap_one, l.mapping, buf);
	/* The iterators of 6.x, or 7.3's: one of each must give a hold. */
	CHECKF(l.hold.known, "host: no hold offsets");
	CHECKF(!rs_layout_hold_args(&l, "anon_vma_interval_tree_iter_first", RS_KIND_ANON,
				    buf, sizeof(buf)) ||
	       !rs_layout_hold_args(&l, "anon_rmap_tree_iter_first", RS_KIND_ANON,
				    buf, sizeof(buf)), "host: no anon iterator in the BTF");
	printf("host: hold_anon: %s\n", buf);
	CHECKF(!rs_layout_hold_args(&l, "vma_interval_tree_iter_first", RS_KIND_FILE,
				    buf, sizeof(buf)) ||
	       !rs_layout_hold_args(&l, "mapping_rmap_tree_iter_first", RS_KIND_FILE,
				    buf, sizeof(buf)), "host: no file iterator in the BTF");
	printf("host: hold_file: %s\n", buf);
	rs_layout_free(&l);
}

int main(void)
{
	char dir[] = "/tmp/rmapstat-test-layout.XXXXXX";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_btf(dir);
	test_parse();
	test_host();
	rmdir(dir);
	if (check_failures)
		fprintf(stderr, "%d failure(s)\n", check_failures);
	else
		printf("layout: all checks passed\n");
	return check_failures ? 1 : 0;
}
