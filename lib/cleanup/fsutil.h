/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The file operations that the KSM knobs, the journal, its sweep, the
 * sweep of record/ and the undo steps of the cleanup registry share: the
 * one read and the one write of a small value (a sysfs knob, a tracefs
 * switch, a journal), and the removal of a staging folder. The write is
 * async-signal-safe, since undo steps run from signal handlers.
 */
#ifndef RS_FSUTIL_H
#define RS_FSUTIL_H

#include <stddef.h>

/**
 * rs_file_read() - Read a small file whole, NUL-terminated.
 * @path: the file.
 * @buf: where its text goes.
 * @size: size of @buf (the text gets at most @size - 1 bytes).
 * @flags: added to O_RDONLY | O_CLOEXEC (e.g. O_NOFOLLOW).
 *
 * Return: 0, -EOVERFLOW when the file holds more than fits, or -errno.
 */
int rs_file_read(const char *path, char *buf, size_t size, int flags);

/**
 * rs_value_read() - Read a value the way journals compare them.
 * @path: the file.
 * @buf: at least JOURNAL_VALUE_MAX bytes (journal.h).
 * @size: size of @buf.
 *
 * The file's text without its trailing newline and, for a sysfs choice
 * file such as "[none] scan-time", only the selected word.
 *
 * Return: 0, or -errno (-EOVERFLOW when the value does not fit).
 */
int rs_value_read(const char *path, char *buf, size_t size);

/**
 * rs_value_write() - Write a short string to a file in one write().
 * @path: the file.
 * @val: the text.
 * @flags: added to O_WRONLY | O_CLOEXEC: O_TRUNC for a value, O_APPEND for
 *         a command to a file such as kprobe_events (which O_TRUNC would
 *         clear).
 *
 * Async-signal-safe: open(), write() and close() only.
 *
 * Return: 0, -EIO on a short write, or -errno.
 */
int rs_value_write(const char *path, const char *val, int flags);

/**
 * rs_remove_flat_dir() - Remove a folder and the files directly in it.
 * @parent_fd: a descriptor of the folder it is in.
 * @name: its name there.
 *
 * Never follows a symbolic link (the folder it is in may be writable by
 * others): a link of that name is left alone (-ENOTDIR or -ELOOP).
 *
 * Return: 1 if removed, 0 if it was not there, or -errno.
 */
int rs_remove_flat_dir(int parent_fd, const char *name);

#endif
