/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the formatters of lib/output share: how a duration or a metric
 * reads in a unit, how bytes from a trace or a JSON file reach a
 * terminal, and the slowest walks in report order.
 */
#ifndef RS_FORMAT_H
#define RS_FORMAT_H

#include <stddef.h>
#include <stdio.h>

#include "compare.h"
#include "output.h"
#include "topn.h"

/* Room for a duration or a metric: 10^62 ns are 3 * 10^45 years. */
#define RS_FMT_LEN	64

/**
 * rs_fmt_time() - a duration in a unit
 * @buf: where it goes
 * @len: size of @buf
 * @ns: the duration in ns; NAN: "-"
 * @unit: the unit to print it in
 * @ns_decimals: decimals in ns (us and ms always get 3)
 */
void rs_fmt_time(char *buf, size_t len, double ns, enum rs_unit unit, int ns_decimals);

/**
 * rs_fmt_metric() - a metric's value as the text outputs print it
 * @buf: where it goes
 * @len: size of @buf
 * @m: the metric
 * @v: its value (ns for durations); NAN: "-"
 * @unit: the unit of durations
 *
 * A count is an integer; mean and stddev get one decimal in ns.
 */
void rs_fmt_metric(char *buf, size_t len, enum rs_metric m, double v, enum rs_unit unit);

/**
 * rs_put_printable() - print a string from a trace or a JSON file
 * @f: the stream
 * @s: the string (NULL prints "?")
 *
 * A comm, a group or buffer name, the uname or a JSON "source" may hold
 * any byte: control characters come out as '?', so that a report stays
 * one line per row and no escape sequence reaches the terminal.
 */
void rs_put_printable(FILE *f, const char *s);

/**
 * rs_is_printable() - whether rs_put_printable() prints a byte as it is
 * @c: the byte
 */
static inline int rs_is_printable(char c)
{
	return (unsigned char)c >= 0x20 && c != 0x7f;
}

/**
 * rs_buffer_label() - the name reports give a trace buffer
 * @name: the buffer's name ("" for the top buffer)
 */
const char *rs_buffer_label(const char *name);

/**
 * rs_top_sorted() - the slowest walks, slowest first
 * @top: the report's heap, left as it is
 * @n: set to the number of walks
 *
 * Sorts a copy: the report stays a heap, and const.
 *
 * Return: a malloc()ed array of *@n entries (free() it); NULL when there
 * are none, or when memory ran out (then *@n is not 0), as rs_groups_sorted().
 */
struct rs_top_entry *rs_top_sorted(const struct rs_topn *top, size_t *n);

/**
 * rs_text_waits() - the text report's "blocked behind walks" section
 * @f: the stream
 * @r: the report
 * @unit: the unit of durations
 *
 * The tasks that waited for a lock a walk held, the walks that made
 * others wait most, and the victim threads' operations; nothing for a
 * report without lock events or ops (waits_text.c).
 */
void rs_text_waits(FILE *f, const struct rs_report *r, enum rs_unit unit);

#endif
