// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sweep of stale journals (journal_sweep() of journal.h): the
 * journals of recordings that are gone are read, what they name is undone
 * (a knob written back only if it still holds what the dead run wrote, a
 * path removed without following a symbolic link), and each thing done or
 * left alone is said on the log, one line each. What is left to undo
 * stays in the journal for a later sweep.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "journal_priv.h"
#include "fsutil.h"

/*
 * Removes the directory path and what is directly in it (rs_remove_flat_dir()).
 * 1 if removed, 0 if it was gone, -errno.
 */
static int remove_dir(const char *path)
{
	char parent[PATH_MAX], *slash;
	int pfd, ret;

	if (strlen(path) >= sizeof(parent))
		return -ENAMETOOLONG;
	strcpy(parent, path);
	slash = strrchr(parent, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	pfd = open(slash == parent ? "/" : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = rs_remove_flat_dir(pfd, slash + 1);
	close(pfd);
	return ret;
}

static int remove_entry(const struct journal_entry *e)
{
	int ret;

	switch (e->how) {
	case JOURNAL_RM_FILE:
		ret = unlink(e->path);
		break;
	case JOURNAL_RM_RMDIR:
		ret = rmdir(e->path);
		break;
	default:
		return remove_dir(e->path);
	}
	if (ret)
		return errno == ENOENT ? 0 : -errno;
	return 1;
}

/* A running process's journal names path too. */
static const struct journal_file *live_owner(const struct journal_file *all, int nr, const char *path)
{
	int i, k;

	for (i = 0; i < nr; i++) {
		if (!all[i].live)
			continue;
		for (k = 0; k < all[i].nr; k++)
			if (all[i].e[k].is_value && !strcmp(all[i].e[k].path, path))
				return &all[i];
	}
	return NULL;
}

/* Undoes the stale journal j; returns -1 if something failed. */
static int undo(const char *dir, struct journal_file *j, const struct journal_file *all, int nr_all,
		FILE *log, unsigned int *done)
{
	char cur[JOURNAL_VALUE_MAX], path[PATH_MAX], tmp[PATH_MAX];
	const char *how = "killed";
	bool earlier_boot = false;
	const struct journal_file *owner;
	struct journal_entry *e, *keep;
	int i, kept = 0, err, ret = 0;
	char boot[JOURNAL_BOOT_MAX];

	/* What is left to undo later, in its order. */
	keep = malloc(j->nr * sizeof(*keep) + 1);
	if (!keep)
		return -1;
	journal_boot_id(boot, sizeof(boot));
	if (j->boot[0] && boot[0] && strcmp(j->boot, boot)) {
		earlier_boot = true;
		how = "before the last reboot";
		fprintf(log, "rmapstat: journal %s/%s is from before the last reboot, "
			"which reset the values it names: only removing its files\n",
			dir, j->name);
	}
	for (i = 0; i < j->nr; i++) {
		e = &j->e[i];
		if (!e->is_value || earlier_boot)
			continue;
		owner = live_owner(all, nr_all, e->path);
		if (owner) {
			fprintf(log, "rmapstat: not restoring %s to %s yet: record pid %d, "
				"which is running, changed it too; run rmapstat record "
				"--cleanup once it ended\n", e->path, e->original, (int)owner->pid);
			keep[kept++] = *e;
			continue;
		}
		err = rs_value_read(e->path, cur, sizeof(cur));
		if (err == -ENOENT) {
			fprintf(log, "rmapstat: cannot restore %s to %s: the file is gone\n",
				e->path, e->original);
			continue;
		}
		if (err) {
			fprintf(log, "rmapstat: cannot read %s to restore it: %s; write %s "
				"to it by hand if it is %s (left so by record pid %d, %s)\n",
				e->path, strerror(-err), e->original, e->last, (int)j->pid, how);
			keep[kept++] = *e;
			ret = -1;
			continue;
		}
		if (!strcmp(cur, e->original))
			continue;	/* never changed, or written back already */
		if (strcmp(cur, e->last)) {
			fprintf(log, "rmapstat: left %s at %s: record pid %d (%s) had set %s "
				"and it was changed since; its value before was %s (write that "
				"back by hand if you want it)\n", e->path, cur, (int)j->pid, how,
				e->last, e->original);
			continue;
		}
		err = rs_value_write(e->path, e->original, O_TRUNC);
		if (err) {
			fprintf(log, "rmapstat: cannot restore %s to %s: %s; write %s to it "
				"by hand (left at %s by record pid %d, %s)\n", e->path,
				e->original, strerror(-err), e->original, e->last,
				(int)j->pid, how);
			keep[kept++] = *e;
			ret = -1;
			continue;
		}
		fprintf(log, "rmapstat: restored %s %s (left at %s by record pid %d, %s)\n",
			e->path, e->original, e->last, (int)j->pid, how);
		(*done)++;
	}
	for (i = 0; i < j->nr; i++) {
		e = &j->e[i];
		if (e->is_value)
			continue;
		err = remove_entry(e);
		if (err == -ENOTDIR || err == -ELOOP) {
			/* Replaced (by a symbolic link?): not what the dead run made. */
			fprintf(log, "rmapstat: left %s alone: it is no longer the %s record "
				"pid %d (%s) made, but %s\n", e->path, e->what, (int)j->pid,
				how, "not a directory");
			continue;
		}
		if (err < 0) {
			fprintf(log, "rmapstat: cannot remove %s %s: %s; remove it by hand "
				"(left by record pid %d, %s)\n", e->what, e->path,
				strerror(-err), (int)j->pid, how);
			keep[kept++] = *e;
			ret = -1;
		} else if (err > 0) {
			fprintf(log, "rmapstat: removed %s %s (left by record pid %d, %s)\n",
				e->what, e->path, (int)j->pid, how);
			(*done)++;
		}
	}

	snprintf(path, sizeof(path), "%s/%s", dir, j->name);
	if (!kept) {
		free(keep);
		if (unlink(path) && errno != ENOENT) {
			fprintf(log, "rmapstat: cannot remove the journal %s: %s; remove it "
				"by hand\n", path, strerror(errno));
			ret = -1;
		}
		return ret;
	}
	memcpy(j->e, keep, kept * sizeof(*keep));
	free(keep);
	j->nr = kept;
	snprintf(tmp, sizeof(tmp), "%s/.%d-%d.tmp", dir, (int)getpid(), (int)j->pid);
	err = journal_file_write(j, path, tmp);
	if (err) {
		fprintf(log, "rmapstat: cannot rewrite the journal %s: %s\n", path,
			strerror(-err));
		ret = -1;
	}
	return ret;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* ".W-P.tmp" of a writer W that is gone. */
static bool stale_tmp(const char *name)
{
	unsigned long long start;
	char *end;
	long w;

	if (name[0] != '.' || !strstr(name, ".tmp"))
		return false;
	w = strtol(name + 1, &end, 10);
	if (end == name + 1 || *end != '-' || w <= 0 || w == getpid())
		return false;
	return journal_pid_start((pid_t)w, &start) == 0;
}

int journal_sweep(const char *dir, FILE *log, bool tell_live, unsigned int *done)
{
	struct journal_file *all = NULL, *more;
	unsigned long long start;
	char path[PATH_MAX];
	struct rs_error e;
	const char *why;
	struct dirent *de;
	int nr = 0, i, err, ret = 0, dfd;
	DIR *d;

	*done = 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;	/* never recorded since boot */
		fprintf(log, "rmapstat: cannot open the journal folder %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	if (journal_check_dir(dir, false, &e)) {
		fprintf(log, "rmapstat: %s (%s)\n", e.what, e.fix);
		close(dfd);
		return -1;
	}
	while (flock(dfd, LOCK_EX) && errno == EINTR)
		;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (stale_tmp(de->d_name)) {
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (!all_digits(de->d_name))
			continue;
		more = realloc(all, (nr + 1) * sizeof(*all));
		if (!more) {
			ret = -1;
			break;
		}
		all = more;
		memset(&all[nr], 0, sizeof(all[nr]));
		snprintf(all[nr].name, sizeof(all[nr].name), "%s", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		err = journal_file_parse(path, &all[nr], &why);
		if (err == -ENOENT)
			continue;	/* its process ended meanwhile */
		if (err) {
			fprintf(log, "rmapstat: cannot read the journal %s: %s; what "
				"it names cannot be undone: check it and remove it by "
				"hand\n", path, why ? why : strerror(-err));
			ret = -1;
			continue;
		}
		err = journal_pid_start(all[nr].pid, &start);
		all[nr].live = err < 0 || (err == 1 && start == all[nr].start);
		nr++;
	}

	for (i = 0; i < nr; i++) {
		if (all[i].live) {
			if (tell_live && all[i].pid != getpid())
				fprintf(log, "rmapstat: record pid %d is running; left its journal "
					"%s/%s alone\n", (int)all[i].pid, dir, all[i].name);
			continue;
		}
		if (undo(dir, &all[i], all, nr, log, done))
			ret = -1;
	}
	free(all);
	closedir(d);	/* closes dfd and drops the lock */
	return ret;
}
