/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Checks on what libtracecmd hands to libtraceevent 1.7.1, whose parsers
 * trust the file:
 *
 *  - kbuffer_load_subbuffer(): a ring-buffer page whose commit size is
 *    larger than the page, or an event whose length points outside the
 *    page or does not advance, makes kbuffer read outside the page
 *    (SIGSEGV) or loop forever; libtracecmd checks the size only after
 *    kbuffer has parsed the first event. A damaged page is replaced by an
 *    empty one and counted.
 *  - tep_parse_event(): the print format parser dereferences NULL on
 *    damaged print formats (__print_symbolic() of a field the format does
 *    not have: process_entry(); an operator without operand:
 *    process_op()), and the field parser passes NULL to strcmp() for a
 *    '[' without ']' (event_read_fields()). rmapstat never prints an
 *    event, so the print format is not handed over (an empty one is), and
 *    a format with an unclosed field declaration is refused the way
 *    libtraceevent refuses formats it cannot parse: the event is left out.
 *
 * The executable defines both functions; the dynamic linker binds
 * libtracecmd's calls to them (they are exported because libtracecmd
 * references them) and they call libtraceevent's. Version 7 files are
 * compressed per section, so this is the one place where every page and
 * format of every file version can be checked. Only the CLI has them: the
 * plugin does not link this file (it does not read files itself).
 */
#ifndef RS_TEP_GUARD_H
#define RS_TEP_GUARD_H

struct tep_handle;

/* A new file: counters to 0, pages not checked until the setup. */
void rs_tep_guard_reset(void);
/*
 * After its headers: pages are those of this file (page and long size,
 * endianness). -1: pages of this file cannot be checked (the old page
 * format of kernels before 2.6.31, a page size that is not a power of two
 * from 4 KiB to 1 MiB, a long size other than 4 or 8): do not load it.
 */
int rs_tep_guard_setup(struct tep_handle *tep, int page_size);
/* Damaged pages replaced since the reset (a page may be loaded twice). */
unsigned long rs_tep_guard_damaged_pages(void);
/* Event formats refused since the reset. */
unsigned long rs_tep_guard_bad_formats(void);

#endif
