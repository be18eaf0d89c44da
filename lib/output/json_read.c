// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json_tokener.h>

#include "json_read.h"

/*
 * json-c builds the tree. Its strict mode still takes what JSON does not
 * have, and its error codes are not the messages rmapstat has always
 * given, so a pass over the bytes comes first: it checks every token and
 * follows what may come next (a value, a key, ':', ',' or the end of a
 * container), and says what was expected where the input goes wrong.
 * json-c reads only what passed.
 */

/* A number has fewer bytes than this (a report's have 25 at most). */
#define MAX_NUMBER	64

/* What may come next. */
enum expect {
	VALUE,			/* the top, after ':', after ',' in an array */
	VALUE_OR_END,		/* after '[' */
	KEY,			/* after ',' in an object */
	KEY_OR_END,		/* after '{' */
	COLON,			/* after a key */
	MORE,			/* after a value: ',' or the container's end */
};

struct scan {
	const char *s;
	size_t len;
	enum expect next;
	int depth;
	char open[RS_JSON_MAX_NESTING];	/* '{' or '[' of each open container */
	size_t after_colon;		/* where the value after ':' starts */
	const char *why;		/* the first thing wrong, NULL if none */
	size_t at;			/* where */
};

static bool bad(struct scan *sc, size_t at, const char *why)
{
	sc->at = at;
	sc->why = why;
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool wants_value(const struct scan *sc)
{
	return sc->next == VALUE || sc->next == VALUE_OR_END;
}

/* What was expected where a byte that cannot come next is. */
static bool unexpected(struct scan *sc, size_t at)
{
	switch (sc->next) {
	case KEY:
	case KEY_OR_END:
		return bad(sc, at, "expected a string");
	case COLON:
		return bad(sc, at, "expected ':'");
	case MORE:
		if (!sc->depth)
			return bad(sc, at, "trailing data");
		return bad(sc, at, sc->open[sc->depth - 1] == '{' ? "expected ',' or '}'" :
								    "expected ',' or ']'");
	default:
		return bad(sc, at, at < sc->len ? "invalid value" : "unexpected end");
	}
}

/*
 * A value inside RS_JSON_MAX_NESTING containers: after ':' it is refused
 * at the byte after the colon, before any white space, as it always was.
 */
static bool too_deep(struct scan *sc, size_t at)
{
	return bad(sc, sc->next == VALUE && sc->after_colon ? sc->after_colon : at,
		   "nested too deep");
}

/* Four hex digits at *i, each taken before it is checked. */
static bool hex4(struct scan *sc, size_t *i, unsigned int *cu)
{
	int k;

	if (sc->len - *i < 4)
		return false;
	for (*cu = 0, k = 0; k < 4; k++) {
		char c = sc->s[(*i)++];

		*cu <<= 4;
		if (is_digit(c))
			*cu |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*cu |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*cu |= c - 'A' + 10;
		else
			return false;
	}
	return true;
}

/* \u at *i (past the 'u'): a surrogate must come in its pair. */
static bool escape_u(struct scan *sc, size_t *i)
{
	unsigned int cu;

	if (!hex4(sc, i, &cu))
		return false;
	if (cu < 0xd800 || cu >= 0xdc00)
		return true;
	if (sc->len - *i < 6 || sc->s[*i] != '\\' || sc->s[*i + 1] != 'u')
		return false;
	*i += 2;
	return hex4(sc, i, &cu) && cu >= 0xdc00 && cu < 0xe000;
}

/*
 * The closing quote first, escapes skipped; then the bytes: json-c takes
 * control characters, and puts U+FFFD for a lone high surrogate.
 */
static bool scan_string(struct scan *sc, size_t *pos)
{
	size_t i = *pos + 1, end = i;

	while (end < sc->len && sc->s[end] != '"')
		end += sc->s[end] == '\\' ? 2 : 1;
	if (end >= sc->len)
		return bad(sc, end, "unterminated string");
	while (i < end) {
		unsigned char c = sc->s[i++];

		if (c < 0x20)
			return bad(sc, i, "control character in string");
		if (c != '\\')
			continue;
		c = sc->s[i++];
		if (c == 'u' ? !escape_u(sc, &i) : !c || !strchr("\"\\/bfnrt", c))
			return bad(sc, i, "invalid escape in string");
	}
	*pos = end + 1;
	return true;
}

/* Digits at *i, at least one. */
static bool digits(struct scan *sc, size_t *i)
{
	if (*i >= sc->len || !is_digit(sc->s[*i]))
		return bad(sc, *i, "invalid number");
	while (*i < sc->len && is_digit(sc->s[*i]))
		(*i)++;
	return true;
}

/* json-c also takes "1.", "1.e5" and "-01"; "00" is 0, then a 0 too many. */
static bool scan_number(struct scan *sc, size_t *pos)
{
	size_t i = *pos;

	if (sc->s[i] == '-')
		i++;
	if (i >= sc->len || !is_digit(sc->s[i]))
		return bad(sc, i, "invalid value");
	if (sc->s[i] == '0')
		i++;
	else
		while (i < sc->len && is_digit(sc->s[i]))
			i++;
	if (i < sc->len && sc->s[i] == '.' && (++i, !digits(sc, &i)))
		return false;
	if (i < sc->len && (sc->s[i] == 'e' || sc->s[i] == 'E')) {
		i++;
		if (i < sc->len && (sc->s[i] == '+' || sc->s[i] == '-'))
			i++;
		if (!digits(sc, &i))
			return false;
	}
	if (i - *pos >= MAX_NUMBER)
		return bad(sc, i, "number too long");
	*pos = i;
	return true;
}

/* json-c's strict mode also takes NaN, Infinity and -Infinity. */
static bool scan_value(struct scan *sc, size_t *pos)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i = *pos, k, n;
	char c = sc->s[i];

	if (c == '"')
		return scan_string(sc, pos);
	if (c == '-' || is_digit(c))
		return scan_number(sc, pos);
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (words[k][0] != c)
			continue;
		n = strlen(words[k]);
		if (sc->len - i < n || memcmp(sc->s + i, words[k], n))
			return bad(sc, i, "invalid literal");
		*pos = i + n;
		return true;
	}
	return bad(sc, i, "invalid value");
}

/* A container opens or closes at i. */
static bool bracket(struct scan *sc, size_t i, char c)
{
	if (c == '{' || c == '[') {
		if (!wants_value(sc))
			return unexpected(sc, i);
		sc->open[sc->depth++] = c;
		sc->next = c == '{' ? KEY_OR_END : VALUE_OR_END;
		return true;
	}
	if (!sc->depth || sc->open[sc->depth - 1] != (c == '}' ? '{' : '[') ||
	    !(sc->next == MORE || sc->next == (c == '}' ? KEY_OR_END : VALUE_OR_END)))
		return unexpected(sc, i);
	sc->depth--;
	sc->next = MORE;
	return true;
}

/* The byte at *i, and the token it starts. */
static bool step(struct scan *sc, size_t *i)
{
	char c = sc->s[*i];

	if (is_space(c)) {
		(*i)++;
		return true;
	}
	/* A value this deep is refused before anything else is looked at. */
	if (wants_value(sc) && sc->depth == RS_JSON_MAX_NESTING &&
	    !(c == ']' && sc->next == VALUE_OR_END))
		return too_deep(sc, *i);
	sc->after_colon = c == ':' ? *i + 1 : 0;
	if (c == '{' || c == '[' || c == '}' || c == ']')
		return bracket(sc, (*i)++, c);
	if (c == ',') {
		if (sc->next != MORE || !sc->depth)
			return unexpected(sc, *i);
		sc->next = sc->open[sc->depth - 1] == '{' ? KEY : VALUE;
		(*i)++;
		return true;
	}
	if (c == ':') {
		if (sc->next != COLON)
			return unexpected(sc, *i);
		sc->next = VALUE;
		(*i)++;
		return true;
	}
	if (c == '"' && (sc->next == KEY || sc->next == KEY_OR_END)) {
		sc->next = COLON;
		return scan_string(sc, i);
	}
	if (!wants_value(sc))
		return unexpected(sc, *i);
	sc->next = MORE;
	return scan_value(sc, i);
}

/* The whole text: sc->why says what is wrong first, if anything is. */
static void scan(struct scan *sc)
{
	size_t i = 0;

	while (i < sc->len && step(sc, &i))
		;
	if (sc->why)
		return;
	if (wants_value(sc) && sc->depth == RS_JSON_MAX_NESTING)
		too_deep(sc, i);
	else if (sc->next != MORE || sc->depth)
		unexpected(sc, i);
}

/*
 * Feeds json-c the text (in pieces an int can measure), then a space if
 * it waits for more: a number at the top level ends only at a delimiter.
 */
static struct json_object *tokenize(struct json_tokener *tok, const char *text, size_t len,
				    enum json_tokener_error *e, size_t *off)
{
	struct json_object *obj = NULL;

	*e = json_tokener_continue;
	*off = 0;
	while (*off < len && *e == json_tokener_continue) {
		int n = len - *off > INT_MAX ? INT_MAX : (int)(len - *off);

		obj = json_tokener_parse_ex(tok, text + *off, n);
		*e = json_tokener_get_error(tok);
		*off += json_tokener_get_parse_end(tok);
	}
	if (*e == json_tokener_continue) {
		obj = json_tokener_parse_ex(tok, " ", 1);
		*e = json_tokener_get_error(tok);
	}
	return obj;
}

int rs_json_read(const char *text, size_t len, struct json_object **root,
		 char *why, size_t whylen)
{
	struct scan sc = { .s = text, .len = len, .next = VALUE };
	struct json_tokener *tok;
	enum json_tokener_error e;
	struct json_object *obj;
	size_t off;

	*root = NULL;
	scan(&sc);
	if (sc.why) {
		snprintf(why, whylen, "%s at byte %zu", sc.why, sc.at);
		return -EINVAL;
	}
	tok = json_tokener_new_ex(RS_JSON_MAX_NESTING);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = tokenize(tok, text, len, &e, &off);
	json_tokener_free(tok);
	if (e != json_tokener_success) {
		/* JSON the scan took and json-c did not: never seen */
		snprintf(why, whylen, "%s at byte %zu", json_tokener_error_desc(e), off);
		json_object_put(obj);
		return -EINVAL;
	}
	/* NULL: the document null, or malloc() failed */
	for (off = 0; !obj && is_space(text[off]); off++)
		;
	if (!obj && text[off] != 'n')
		return -ENOMEM;
	*root = obj;
	return 0;
}
