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

/**
 * rs_jparse() - parse a JSON document into a tree
 * @text: the document
 * @len: its length
 * @err: the message (and byte offset) when it is not JSON
 * @errlen: size of @err
 *
 * Return: the tree (rs_jfree() it), or NULL.
 */
struct rs_jval *rs_jparse(const char *text, size_t len, char *err, size_t errlen);

/**
 * rs_jfree() - free a tree of rs_jparse()
 * @v: the tree, or NULL
 */
void rs_jfree(struct rs_jval *v);

/**
 * rs_jget() - a member of an object
 * @obj: the object (anything else has no members)
 * @key: the member's name
 *
 * Return: the member (the last one if repeated), or NULL.
 */
const struct rs_jval *rs_jget(const struct rs_jval *obj, const char *key);

#endif
