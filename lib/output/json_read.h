/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON documents read with json-c, exactly as RFC 8259 defines them:
 * what json-c's strict mode still lets through (NaN and Infinity, "1."
 * and "-01", raw control characters and lone surrogates in strings,
 * single-quoted keys, data after a NUL byte) is refused as well, so that
 * rmapstat reads a file the way any other JSON reader would.
 */
#ifndef RS_JSON_READ_H
#define RS_JSON_READ_H

#include <stddef.h>

#include <json-c/json_object.h>

/* Containers nest at most this deep: 64 levels below the top one. */
#define RS_JSON_MAX_NESTING	65

/**
 * rs_json_read() - parse one JSON document
 * @text: the document, NUL-terminated or not
 * @len: its length in bytes
 * @root: set to its root value (NULL for the document "null");
 *	  json_object_put() it
 * @why: set to what is wrong when it is not JSON: "WHAT at byte N"
 * @whylen: size of @why
 *
 * Only white space may follow the value.
 *
 * Return: 0, -EINVAL when @text is not one JSON document, -ENOMEM.
 */
int rs_json_read(const char *text, size_t len, struct json_object **root,
		 char *why, size_t whylen);

#endif
