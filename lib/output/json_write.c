// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <math.h>

#include "json_write.h"

void rs_json_init(struct rs_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->has_items[0] = false;
}

/* Length of a valid UTF-8 sequence at p (1..4), 0 if invalid. */
static int utf8_len(const unsigned char *p)
{
	int n, i;

	if (*p < 0x80)
		return 1;
	if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
		n = 2;
	else if ((*p & 0xf0) == 0xe0)
		n = 3;
	else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* The characters JSON escapes with a letter: "\\" then this. */
static const char short_escape[128] = {
	['"'] = '"', ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't',
};

/* Escapes what JSON needs; bytes that are not UTF-8 become \u00XX. */
static void put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	fputc('"', f);
	for (; *p; p++) {
		if (*p < 0x80 && short_escape[*p]) {
			fputc('\\', f);
			fputc(short_escape[*p], f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else if (*p >= 0x80) {
			n = utf8_len(p);
			if (!n) {
				fprintf(f, "\\u%04x", *p);
			} else {
				fwrite(p, 1, n, f);
				p += n - 1;
			}
		} else {
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Comma, newline and indentation before an item, then its key. */
static void item(struct rs_json *j, const char *key)
{
	int i;

	if (j->depth > 0) {
		if (j->has_items[j->depth])
			fputc(',', j->f);
		fputc('\n', j->f);
		for (i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	j->has_items[j->depth] = true;
	if (key) {
		put_string(j->f, key);
		fputs(": ", j->f);
	}
}

static void open_scope(struct rs_json *j, const char *key, char c)
{
	item(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < RS_JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void close_scope(struct rs_json *j, char c)
{
	int i, had = j->has_items[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had) {
		fputc('\n', j->f);
		for (i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

void rs_json_begin_object(struct rs_json *j, const char *key)
{
	open_scope(j, key, '{');
}

void rs_json_end_object(struct rs_json *j)
{
	close_scope(j, '}');
}

void rs_json_begin_array(struct rs_json *j, const char *key)
{
	open_scope(j, key, '[');
}

void rs_json_end_array(struct rs_json *j)
{
	close_scope(j, ']');
}

void rs_json_string(struct rs_json *j, const char *key, const char *value)
{
	item(j, key);
	if (value)
		put_string(j->f, value);
	else
		fputs("null", j->f);
}

void rs_json_u64(struct rs_json *j, const char *key, uint64_t value)
{
	item(j, key);
	fprintf(j->f, "%" PRIu64, value);
}

void rs_json_i64(struct rs_json *j, const char *key, int64_t value)
{
	item(j, key);
	fprintf(j->f, "%" PRId64, value);
}

void rs_json_double(struct rs_json *j, const char *key, double value, int decimals)
{
	item(j, key);
	if (!isfinite(value))
		fputs("null", j->f);
	else if (decimals < 0)
		fprintf(j->f, "%.17g", value);
	else
		fprintf(j->f, "%.*f", decimals, value);
}

void rs_json_bool(struct rs_json *j, const char *key, bool value)
{
	item(j, key);
	fputs(value ? "true" : "false", j->f);
}

void rs_json_null(struct rs_json *j, const char *key)
{
	item(j, key);
	fputs("null", j->f);
}

int rs_json_finish(struct rs_json *j)
{
	fputc('\n', j->f);
	return ferror(j->f) ? -1 : 0;
}
