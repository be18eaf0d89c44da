/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The journal file in memory, shared by journal.c (the format, and this
 * process's journal) and journal_sweep.c (the journals of dead runs).
 */
#ifndef RMAPSTAT_JOURNAL_PRIV_H
#define RMAPSTAT_JOURNAL_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "journal.h"

#define JOURNAL_WHAT_MAX	64
#define JOURNAL_BOOT_MAX	64

struct journal_entry {
	bool is_value;
	enum journal_rm how;			/* remove entries */
	char path[PATH_MAX];
	char original[JOURNAL_VALUE_MAX];	/* value entries */
	char last[JOURNAL_VALUE_MAX];
	char what[JOURNAL_WHAT_MAX];		/* remove entries */
};

struct journal_file {
	pid_t pid;
	unsigned long long start;
	char boot[JOURNAL_BOOT_MAX];
	int nr;
	struct journal_entry e[JOURNAL_MAX_ENTRIES];
	/* sweep only */
	char name[NAME_MAX + 1];
	bool live;
};

/**
 * journal_file_write() - Write a journal to @tmp, then rename it to @path.
 * @j: the journal.
 * @path: its file.
 * @tmp: the temporary name, in the same folder.
 *
 * Return: 0, or -errno (the temporary file is removed).
 */
int journal_file_write(const struct journal_file *j, const char *path, const char *tmp);

/**
 * journal_file_parse() - Read a journal file.
 * @path: the file (a symbolic link is not followed).
 * @j: zeroed by the caller; filled.
 * @why: set to what is wrong with a malformed file, else NULL.
 *
 * Return: 0, -EINVAL for a malformed file (with @why), or -errno.
 */
int journal_file_parse(const char *path, struct journal_file *j, const char **why);

/**
 * journal_check_dir() - Check (and create) the journal folder.
 * @dir: the folder.
 * @create: create it (and a missing parent) if it is missing.
 * @err: filled on failure.
 *
 * It must be a directory of this user that nobody else can write: what
 * the journals in it name is written to or removed by root later.
 *
 * Return: 0, or -errno.
 */
int journal_check_dir(const char *dir, bool create, struct rs_error *err);

/**
 * journal_boot_id() - This boot's id, "" when unknown.
 * @buf: at least JOURNAL_BOOT_MAX bytes.
 * @size: size of @buf.
 */
void journal_boot_id(char *buf, size_t size);

#endif
