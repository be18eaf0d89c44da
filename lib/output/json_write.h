/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small streaming JSON writer (RFC 8259): objects and arrays nest, commas
 * and indentation are handled here, strings are escaped, non-finite
 * numbers become null. key is NULL inside arrays and at the top level.
 */
#ifndef RS_JSON_WRITE_H
#define RS_JSON_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define RS_JSON_MAX_DEPTH	32

struct rs_json {
	FILE *f;
	int depth;
	bool has_items[RS_JSON_MAX_DEPTH];
};

void rs_json_init(struct rs_json *j, FILE *f);
void rs_json_begin_object(struct rs_json *j, const char *key);
void rs_json_end_object(struct rs_json *j);
void rs_json_begin_array(struct rs_json *j, const char *key);
void rs_json_end_array(struct rs_json *j);
void rs_json_string(struct rs_json *j, const char *key, const char *value);
void rs_json_u64(struct rs_json *j, const char *key, uint64_t value);
void rs_json_i64(struct rs_json *j, const char *key, int64_t value);
/* decimals < 0: shortest exact form (%.17g) */
void rs_json_double(struct rs_json *j, const char *key, double value, int decimals);
void rs_json_bool(struct rs_json *j, const char *key, bool value);
void rs_json_null(struct rs_json *j, const char *key);
/* Ends the document with a newline; 0, or -1 when writing failed. */
int rs_json_finish(struct rs_json *j);

#endif
