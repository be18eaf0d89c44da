// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "format.h"
#include "table.h"

/* Columns beyond this many are not padded (no table has half as many). */
#define MAX_WIDTHS	32

/* NULL row: the header. */
static const char *cell(const struct rs_table *t, size_t c, const void *row, char *buf)
{
	const struct rs_column *col = &t->cols[c];

	if (!row && col->header)
		return col->header;
	return col->get(col, row, t->ctx, buf);
}

static const void *row_at(const struct rs_table *t, size_t i)
{
	return (const char *)t->rows + i * t->stride;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

static void print_row(FILE *f, const char *indent, const struct rs_table *t,
		      const void *row, const size_t *width)
{
	char buf[RS_CELL_LEN];
	size_t c;

	fputs(indent, f);
	for (c = 0; c < t->ncols; c++) {
		const char *s = cell(t, c, row, buf);
		size_t w = c < MAX_WIDTHS ? width[c] : 0, len = strlen(s);
		bool last = c == t->ncols - 1;

		if (t->cols[c].align == RS_ALIGN_RIGHT && len < w)
			pad(f, w - len);
		rs_put_printable(f, s);
		if (t->cols[c].align == RS_ALIGN_LEFT && !last && len < w)
			pad(f, w - len);
		fputs(last ? "\n" : "  ", f);
	}
}

void rs_table_print(FILE *f, const char *indent, const struct rs_table *t)
{
	size_t width[MAX_WIDTHS] = { 0 }, i, c;
	char buf[RS_CELL_LEN];

	/* The widths first: every cell once, the header included. */
	for (i = 0; i <= t->nrows; i++) {
		const void *row = i ? row_at(t, i - 1) : NULL;

		if (row && t->skip && t->skip(row))
			continue;
		for (c = 0; c < t->ncols && c < MAX_WIDTHS; c++) {
			size_t len = strlen(cell(t, c, row, buf));

			if (len > width[c])
				width[c] = len;
		}
	}
	print_row(f, indent, t, NULL, width);
	for (i = 0; i < t->nrows; i++) {
		const void *row = row_at(t, i);

		if (!t->skip || !t->skip(row))
			print_row(f, indent, t, row, width);
	}
}
