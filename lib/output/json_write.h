/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small streaming JSON writer (RFC 8259): objects and arrays nest, commas
 * and indentation are handled here, strings are escaped, non-finite
 * numbers become null. key is NULL inside arrays and at the top level.
 *
 * The reports are written as they are walked, never built in memory
 * first: a report's JSON grows with its groups and slowest walks.
 */
#ifndef RS_JSON_WRITE_H
#define RS_JSON_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define RS_JSON_MAX_DEPTH	32

/**
 * struct rs_json - a document being written
 * @f: where it goes
 * @depth: how many objects and arrays are open
 * @has_items: per open level, whether it has an item yet (a comma is due)
 */
struct rs_json {
	FILE *f;
	int depth;
	bool has_items[RS_JSON_MAX_DEPTH];
};

/**
 * rs_json_init() - start a document
 * @j: the writer
 * @f: where the document goes
 */
void rs_json_init(struct rs_json *j, FILE *f);

/**
 * rs_json_begin_object() - open an object
 * @j: the writer
 * @key: its member name in the enclosing object; NULL in an array or at the top
 */
void rs_json_begin_object(struct rs_json *j, const char *key);

/**
 * rs_json_end_object() - close the innermost object
 * @j: the writer
 */
void rs_json_end_object(struct rs_json *j);

/**
 * rs_json_begin_array() - open an array
 * @j: the writer
 * @key: as for rs_json_begin_object()
 */
void rs_json_begin_array(struct rs_json *j, const char *key);

/**
 * rs_json_end_array() - close the innermost array
 * @j: the writer
 */
void rs_json_end_array(struct rs_json *j);

/**
 * rs_json_string() - a string, escaped; bytes that are not UTF-8 become \u00XX
 * @j: the writer
 * @key: as for rs_json_begin_object()
 * @value: the string; NULL writes null
 */
void rs_json_string(struct rs_json *j, const char *key, const char *value);

/**
 * rs_json_u64() - an unsigned integer
 * @j: the writer
 * @key: as for rs_json_begin_object()
 * @value: the number
 */
void rs_json_u64(struct rs_json *j, const char *key, uint64_t value);

/**
 * rs_json_i64() - a signed integer
 * @j: the writer
 * @key: as for rs_json_begin_object()
 * @value: the number
 */
void rs_json_i64(struct rs_json *j, const char *key, int64_t value);

/**
 * rs_json_double() - a number with decimals
 * @j: the writer
 * @key: as for rs_json_begin_object()
 * @value: the number; NAN and infinities write null
 * @decimals: how many; < 0: the shortest exact form (%.17g)
 */
void rs_json_double(struct rs_json *j, const char *key, double value, int decimals);

/**
 * rs_json_bool() - true or false
 * @j: the writer
 * @key: as for rs_json_begin_object()
 * @value: which
 */
void rs_json_bool(struct rs_json *j, const char *key, bool value);

/**
 * rs_json_null() - null
 * @j: the writer
 * @key: as for rs_json_begin_object()
 */
void rs_json_null(struct rs_json *j, const char *key);

/**
 * rs_json_finish() - end the document with a newline
 * @j: the writer
 *
 * Return: 0, or -1 when writing failed.
 */
int rs_json_finish(struct rs_json *j);

#endif
