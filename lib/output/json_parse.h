/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small JSON parser (RFC 8259) into a tree, for reading report JSON back
 * (`rmapstat compare`). Numbers are doubles (exact up to 2^53).
 */
#ifndef RS_JSON_PARSE_H
#define RS_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum rs_jtype { RS_JNULL, RS_JBOOL, RS_JNUM, RS_JSTR, RS_JARR, RS_JOBJ };

struct rs_jval {
	enum rs_jtype type;
	bool b;
	double num;
	char *str;			/* RS_JSTR, NUL-terminated (may hold NULs) */
	size_t n;			/* RS_JARR, RS_JOBJ: number of items */
	struct rs_jval *items;
	char **keys;			/* RS_JOBJ */
};

/* NULL on error, with a message (and byte offset) in err. */
struct rs_jval *rs_jparse(const char *text, size_t len, char *err, size_t errlen);
void rs_jfree(struct rs_jval *v);
/* Member of an object (the last one if repeated), or NULL. */
const struct rs_jval *rs_jget(const struct rs_jval *obj, const char *key);

#endif
