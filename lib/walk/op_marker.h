/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a victim thread of `rmapstat record --victim` writes into the
 * recording instance's trace_marker_raw after each operation it timed:
 * one struct rs_op_marker. The kernel stores it as an ftrace:raw_data
 * event (its id field is the first four bytes, buf the rest) on the
 * writing thread's pid, stamped when it was written; the decoder
 * (walk_decode.h) turns it into an RS_EV_OP event. The operation's own
 * times are CLOCK_MONOTONIC, which is what the "mono" trace clock reads:
 * in a trace recorded with that clock, an operation lines up with the
 * walks and the lock waits of the same run.
 */
#ifndef RS_OP_MARKER_H
#define RS_OP_MARKER_H

#include <stdint.h>

/* The id of rmapstat's markers ("rmop" read as a little-endian u32). */
#define RS_OP_MARKER_ID		0x706f6d72U
#define RS_OP_MARKER_VERSION	1

/* What a victim thread does, over and over, while walks run. */
enum rs_op {
	RS_OP_MPROTECT,		/* mprotect() flips one page's protection */
	RS_OP_MUNMAP,		/* munmap() of one page of the mapping */
	RS_OP_MMAP,		/* mmap(MAP_FIXED) of that page again */
	RS_OP_FAULT,		/* the first touch of the new page */
	RS_OP_FORK,		/* fork() and the child's exit, waited for */
	RS_OP_NR
};

/*
 * The marker, host byte order (a trace is read on the machine that
 * recorded it, or one of the same byte order: trace.dat says which).
 */
struct rs_op_marker {
	uint32_t id;		/* RS_OP_MARKER_ID */
	uint16_t version;	/* RS_OP_MARKER_VERSION */
	uint16_t op;		/* enum rs_op */
	uint32_t thread;	/* the victim thread's index, 0 .. threads - 1 */
	int32_t ret;		/* 0, or the -errno the operation failed with */
	uint64_t start_ns;	/* CLOCK_MONOTONIC before the operation */
	uint64_t end_ns;	/* and after it */
} __attribute__((packed));

/**
 * rs_op_name() - the name of a victim operation, for reports
 * @op: the operation
 *
 * Return: "mprotect", "munmap", "mmap", "fault" or "fork", a static
 * string; "?" for a value out of range.
 */
const char *rs_op_name(unsigned int op);

#endif
