/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The aligned tables of the text outputs, described by their columns: a
 * column has a header, an alignment and a getter that gives the cell of
 * a row. Each column is as wide as its widest cell, columns are two
 * spaces apart, and a left-aligned last column is not padded.
 */
#ifndef RS_TABLE_H
#define RS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Room for a cell a getter formats (a string it points to may be longer):
 * any double with "%.3f" (DBL_MAX has 309 digits).
 */
#define RS_CELL_LEN	512

enum rs_align { RS_ALIGN_RIGHT, RS_ALIGN_LEFT };

struct rs_column;

/**
 * typedef rs_cell_fn - the cell of one row in one column
 * @col: the column (its @arg tells columns that share a getter apart)
 * @row: the row; NULL asks for the header of a column without one
 * @ctx: the table's context
 * @buf: room for the cell, RS_CELL_LEN bytes
 *
 * Return: the cell, @buf or a string that outlives the table's printing.
 */
typedef const char *(*rs_cell_fn)(const struct rs_column *col, const void *row,
				  const void *ctx, char *buf);

/**
 * struct rs_column - one column of a table
 * @header: its header; NULL: the getter's, for a NULL row
 * @align: how its cells are aligned
 * @get: the getter of its cells
 * @arg: for @get (a metric, a counter index ...)
 */
struct rs_column {
	const char *header;
	enum rs_align align;
	rs_cell_fn get;
	int arg;
};

/**
 * struct rs_table - a table to print
 * @cols: its columns, left to right
 * @ncols: how many
 * @rows: the first row; rows follow each other @stride bytes apart
 * @nrows: how many rows
 * @stride: the size of a row
 * @skip: NULL, or true for the rows to leave out
 * @ctx: handed to every getter
 */
struct rs_table {
	const struct rs_column *cols;
	size_t ncols;
	const void *rows;
	size_t nrows;
	size_t stride;
	bool (*skip)(const void *row);
	const void *ctx;
};

/**
 * rs_table_print() - print a table, its header first
 * @f: the stream
 * @indent: printed before every line
 * @t: the table
 *
 * Cells are printed with rs_put_printable(): a name from a trace or a
 * JSON file cannot break a line or reach the terminal as an escape.
 */
void rs_table_print(FILE *f, const char *indent, const struct rs_table *t);

#endif
