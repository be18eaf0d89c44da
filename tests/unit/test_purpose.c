// SPDX-License-Identifier: GPL-2.0-only
/*
 * The purpose of a walk (lib/walk/purpose.h) against a tep handle whose
 * kallsyms the test registers: a name only where a function starts;
 * inside a function, before the first symbol, beyond the last one, 0, or
 * without kallsyms at all, the miss "?0x...", never "sym+0x...".
 */
#include <string.h>

#include <event-parse.h>

#include "check.h"
#include "purpose.h"

#define STEXT		0xffffffff81000000ULL
#define TTM		0xffffffff812a1000ULL	/* try_to_migrate_one */
#define FRO		0xffffffff812a4000ULL	/* folio_referenced_one */
#define MODULE_FN	0xffffffffc0120000ULL	/* a module's function */

static struct tep_handle *new_tep(void)
{
	struct tep_handle *tep = tep_alloc();

	if (!tep)
		abort();
	tep_register_function(tep, "_stext", STEXT, NULL);
	tep_register_function(tep, "try_to_migrate_one", TTM, NULL);
	tep_register_function(tep, "folio_referenced_one", FRO, NULL);
	tep_register_function(tep, "kvm_rmap_one", MODULE_FN, "kvm");
	return tep;
}

/* The name of rmap_one, checked against want and whether it is a miss. */
static void check_name(struct tep_handle *tep, unsigned long long rmap_one,
		       const char *want, bool missed)
{
	struct rs_walk_event ev = { .has = RS_HAS_RMAP_ONE, .rmap_one = rmap_one };
	char buf[RS_PURPOSE_LEN];
	const char *name = rs_purpose_name(tep, &ev, buf, sizeof(buf));

	CHECK(name == buf);
	if (strcmp(name, want))
		fprintf(stderr, "  0x%llx: '%s', expected '%s'\n", rmap_one, name, want);
	CHECK(!strcmp(name, want));
	CHECK(rs_purpose_missed(name) == missed);
}

static void test_exact(void)
{
	struct tep_handle *tep = new_tep();

	check_name(tep, TTM, "try_to_migrate_one", false);
	check_name(tep, FRO, "folio_referenced_one", false);
	check_name(tep, MODULE_FN, "kvm_rmap_one", false);
	tep_free(tep);
}

/* A kprobe at a wrong offset reads a pointer into a function, or data. */
static void test_inside(void)
{
	struct tep_handle *tep = new_tep();

	check_name(tep, TTM + 0x10, "?0xffffffff812a1010", true);
	check_name(tep, FRO - 1, "?0xffffffff812a3fff", true);
	check_name(tep, STEXT + 1, "?0xffffffff81000001", true);
	check_name(tep, MODULE_FN + 0x1234, "?0xffffffffc0121234", true);
	tep_free(tep);
}

static void test_unknown(void)
{
	struct tep_handle *tep = new_tep();
	struct rs_walk_event ev = { .rmap_one = TTM };
	char buf[RS_PURPOSE_LEN];

	check_name(tep, 0xffff888004a3c010ULL, "?0xffff888004a3c010", true);	/* below _stext */
	check_name(tep, 0, "?0x0", true);
	/* Without kallsyms nothing is known to be a function. */
	check_name(NULL, TTM, "?0xffffffff812a1000", true);
	/* No rmap_one field: no address, so no miss either. */
	CHECK(!strcmp(rs_purpose_name(tep, &ev, buf, sizeof(buf)), "unknown"));
	CHECK(!rs_purpose_missed(buf));
	tep_free(tep);
}

/* A buffer too small cuts the text, and a miss stays one. */
static void test_cut(void)
{
	struct tep_handle *tep = new_tep();
	struct rs_walk_event ev = { .has = RS_HAS_RMAP_ONE, .rmap_one = TTM };
	char buf[8];

	CHECK(!strcmp(rs_purpose_name(tep, &ev, buf, sizeof(buf)), "try_to_"));
	CHECK(!rs_purpose_missed(buf));
	ev.rmap_one = TTM + 8;
	CHECK(!strcmp(rs_purpose_name(tep, &ev, buf, sizeof(buf)), "?0xffff"));
	CHECK(rs_purpose_missed(buf));
	tep_free(tep);
}

int main(void)
{
	tep_set_loglevel(TEP_LOG_NONE);
	RUN(test_exact);
	RUN(test_inside);
	RUN(test_unknown);
	RUN(test_cut);
	return check_summary();
}
