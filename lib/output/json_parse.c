// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_parse.h"

#define MAX_DEPTH	64

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	char *err;
	size_t errlen;
	int failed;
};

static void fail(struct parser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "%s at byte %zu", what, p->pos);
	p->failed = 1;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n)) {
		fail(p, "invalid literal");
		return -1;
	}
	p->pos += n;
	return 0;
}

static int hex4(struct parser *p, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	if (p->len - p->pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = p->s[p->pos++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

static char *parse_string(struct parser *p)
{
	size_t start, cap, n = 0;
	char *out;

	if (p->pos >= p->len || p->s[p->pos] != '"') {
		fail(p, "expected a string");
		return NULL;
	}
	start = ++p->pos;
	/* Escapes never make a string longer than its source. */
	while (p->pos < p->len && p->s[p->pos] != '"')
		p->pos += p->s[p->pos] == '\\' ? 2 : 1;
	if (p->pos >= p->len) {
		fail(p, "unterminated string");
		return NULL;
	}
	cap = p->pos - start + 1;
	out = malloc(cap);
	if (!out) {
		fail(p, "out of memory");
		return NULL;
	}
	p->pos = start;
	while (p->s[p->pos] != '"') {
		unsigned char c = p->s[p->pos++];
		unsigned int cp, lo;

		if (c < 0x20) {
			fail(p, "control character in string");
			goto bad;
		}
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		c = p->s[p->pos++];
		switch (c) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			if (hex4(p, &cp))
				goto bad_escape;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (p->len - p->pos < 6 || p->s[p->pos] != '\\' ||
				    p->s[p->pos + 1] != 'u')
					goto bad_escape;
				p->pos += 2;
				if (hex4(p, &lo) || lo < 0xdc00 || lo >= 0xe000)
					goto bad_escape;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			/* \uXXXX is 6 bytes of source for at most 4 of output */
			n += put_utf8(out + n, cp);
			break;
		default:
			goto bad_escape;
		}
	}
	p->pos++;
	out[n] = '\0';
	return out;
bad_escape:
	fail(p, "invalid escape in string");
bad:
	free(out);
	return NULL;
}

static int parse_value(struct parser *p, struct rs_jval *v, int depth);

static int parse_number(struct parser *p, struct rs_jval *v)
{
	size_t start = p->pos;
	char buf[64], *end;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9') {
		fail(p, "invalid value");
		return -1;
	}
	if (p->s[p->pos] == '0')
		p->pos++;
	else
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9') {
			fail(p, "invalid number");
			return -1;
		}
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9') {
			fail(p, "invalid number");
			return -1;
		}
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos - start >= sizeof(buf)) {
		fail(p, "number too long");
		return -1;
	}
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = '\0';
	v->type = RS_JNUM;
	v->num = strtod(buf, &end);
	return 0;
}

static int grow_items(struct parser *p, struct rs_jval *v, size_t *cap, int with_keys)
{
	size_t n = *cap ? *cap * 2 : 8;
	struct rs_jval *items = realloc(v->items, n * sizeof(*items));

	if (!items) {
		fail(p, "out of memory");
		return -1;
	}
	v->items = items;
	if (with_keys) {
		char **keys = realloc(v->keys, n * sizeof(*keys));

		if (!keys) {
			fail(p, "out of memory");
			return -1;
		}
		v->keys = keys;
	}
	*cap = n;
	return 0;
}

static int parse_container(struct parser *p, struct rs_jval *v, int depth, int obj)
{
	char close = obj ? '}' : ']';
	size_t cap = 0;

	v->type = obj ? RS_JOBJ : RS_JARR;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		skip_ws(p);
		if (obj) {
			key = parse_string(p);
			if (!key)
				return -1;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				fail(p, "expected ':'");
				return -1;
			}
			p->pos++;
		}
		if (v->n == cap && grow_items(p, v, &cap, obj)) {
			free(key);
			return -1;
		}
		memset(&v->items[v->n], 0, sizeof(v->items[v->n]));
		if (obj)
			v->keys[v->n] = key;
		v->n++;
		if (parse_value(p, &v->items[v->n - 1], depth + 1))
			return -1;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		return -1;
	}
}

static int parse_value(struct parser *p, struct rs_jval *v, int depth)
{
	if (depth > MAX_DEPTH) {
		fail(p, "nested too deep");
		return -1;
	}
	skip_ws(p);
	if (p->pos >= p->len) {
		fail(p, "unexpected end");
		return -1;
	}
	switch (p->s[p->pos]) {
	case '{':
		return parse_container(p, v, depth, 1);
	case '[':
		return parse_container(p, v, depth, 0);
	case '"':
		v->type = RS_JSTR;
		v->str = parse_string(p);
		return v->str ? 0 : -1;
	case 't':
		v->type = RS_JBOOL;
		v->b = true;
		return literal(p, "true");
	case 'f':
		v->type = RS_JBOOL;
		return literal(p, "false");
	case 'n':
		v->type = RS_JNULL;
		return literal(p, "null");
	default:
		return parse_number(p, v);
	}
}

static void free_inner(struct rs_jval *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free_inner(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
}

void rs_jfree(struct rs_jval *v)
{
	if (!v)
		return;
	free_inner(v);
	free(v);
}

struct rs_jval *rs_jparse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser p = { .s = text, .len = len, .err = err, .errlen = errlen };
	struct rs_jval *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!parse_value(&p, v, 0)) {
		skip_ws(&p);
		if (p.pos != p.len)
			fail(&p, "trailing data");
	}
	if (p.failed) {
		rs_jfree(v);
		return NULL;
	}
	return v;
}

const struct rs_jval *rs_jget(const struct rs_jval *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != RS_JOBJ)
		return NULL;
	for (i = obj->n; i > 0; i--)
		if (!strcmp(obj->keys[i - 1], key))
			return &obj->items[i - 1];
	return NULL;
}
