// SPDX-License-Identifier: GPL-2.0-only
/*
 * The undo journal of `rmapstat record` (journal.h): its file format,
 * written and parsed here, and the journal of this process, which a
 * recording fills before each change it makes outside itself. What
 * becomes of the journals of dead runs is journal_sweep.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cleanup.h"
#include "journal_priv.h"
#include "fsutil.h"

#define MAGIC		"rmapstat-journal 1"
#define MAX_FILE	(256 * 1024)

static const char *const rm_names[] = {
	[JOURNAL_RM_FILE] = "file",
	[JOURNAL_RM_DIR] = "dir",
	[JOURNAL_RM_RMDIR] = "rmdir",
};

/* ----------------------------------------------------------- the format */

int journal_pid_start(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p, *save = NULL, *tok;
	int err, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	err = rs_file_read(path, buf, sizeof(buf), 0);
	if (err == -ENOENT || err == -ESRCH)
		return 0;
	if (err)
		return err;
	/* comm may hold spaces and parentheses: the fields follow the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	/* p + 1: " S ppid ..." -> field 3 (state) is token 0, field 22 token 19 */
	for (i = 0, tok = strtok_r(p + 1, " ", &save); tok;
	     i++, tok = strtok_r(NULL, " ", &save)) {
		if (i == 0 && (*tok == 'Z' || *tok == 'X'))
			return 0;	/* killed, not reaped yet: holds nothing */
		if (i == 19) {
			*start = strtoull(tok, NULL, 10);
			return 1;
		}
	}
	return -EINVAL;
}

void journal_boot_id(char *buf, size_t size)
{
	if (rs_file_read("/proc/sys/kernel/random/boot_id", buf, size, 0))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

int journal_check_dir(const char *dir, bool create, struct rs_error *err)
{
	char parent[PATH_MAX], fix[PATH_MAX + 64], *slash;
	struct stat st;
	int ret;

	if (lstat(dir, &st) && errno == ENOENT && create) {
		if (mkdir(dir, 0700) && errno == ENOENT) {
			/* No /run (a minimal initramfs): make it. */
			snprintf(parent, sizeof(parent), "%s", dir);
			slash = strrchr(parent, '/');
			if (slash && slash != parent) {
				*slash = '\0';
				mkdir(parent, 0755);
			}
			mkdir(dir, 0700);
		}
	}
	if (lstat(dir, &st)) {
		ret = -errno;
		snprintf(fix, sizeof(fix), "rmapstat record needs a writable %s "
			 "(run it as root)", dir);
		rs_error_set(err, fix, "cannot create the journal folder %s: %s",
			     dir, strerror(-ret));
		return ret;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(fix, sizeof(fix), "remove it with rm -r %s and run again", dir);
		rs_error_set(err, fix, "the journal folder %s is not a directory owned "
			     "by uid %u that only it can write", dir,
			     (unsigned int)geteuid());
		return -EPERM;
	}
	return 0;
}

static void put_field(FILE *f, const char *s)
{
	fputc(' ', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c <= ' ' || c == '%' || c == 0x7f)
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
}

int journal_file_write(const struct journal_file *j, const char *path, const char *tmp)
{
	const struct journal_entry *e;
	FILE *f;
	int fd, i, err = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	fprintf(f, MAGIC "\npid %d\nstart %llu\nboot", (int)j->pid, j->start);
	put_field(f, j->boot);
	fputc('\n', f);
	for (i = 0; i < j->nr; i++) {
		e = &j->e[i];
		if (e->is_value) {
			fputs("value", f);
			put_field(f, e->path);
			put_field(f, e->original);
			put_field(f, e->last);
		} else {
			fputs("remove", f);
			put_field(f, rm_names[e->how]);
			put_field(f, e->path);
			put_field(f, e->what);
		}
		fputc('\n', f);
	}
	if (fflush(f) || ferror(f))
		err = errno ? -errno : -EIO;
	if (fclose(f) && !err)
		err = -errno;
	/* No fsync: /run is a tmpfs, gone at reboot together with what it undoes. */
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static int unhex(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Decodes %XX in place; -1 on a bad escape. */
static int unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]))
			return -1;
		*out++ = (char)(unhex((unsigned char)s[1]) * 16 + unhex((unsigned char)s[2]));
		s += 2;
	}
	*out = '\0';
	return 0;
}

/* Splits line into up to max fields (unescaped); returns their number or -1. */
static int split(char *line, char **fields, int max)
{
	int n = 0;
	char *tok;

	while ((tok = strsep(&line, " "))) {
		if (n == max || unescape(tok))
			return -1;
		fields[n++] = tok;
	}
	return n;
}

static int put(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return -1;
	strcpy(dst, src);
	return 0;
}

/* A "value" or "remove" line, split into its 4 fields f: NULL, or why not. */
static const char *parse_entry(struct journal_file *j, char **f)
{
	struct journal_entry *e;

	if (j->nr == JOURNAL_MAX_ENTRIES)
		return "too many entries";
	e = &j->e[j->nr];
	if (!strcmp(f[0], "value")) {
		e->is_value = true;
		if (f[1][0] != '/' || put(e->path, sizeof(e->path), f[1]) ||
		    put(e->original, sizeof(e->original), f[2]) ||
		    put(e->last, sizeof(e->last), f[3]))
			return "bad value entry";
	} else {
		e->is_value = false;
		for (e->how = 0; e->how <= JOURNAL_RM_RMDIR; e->how++)
			if (!strcmp(f[1], rm_names[e->how]))
				break;
		if (e->how > JOURNAL_RM_RMDIR || f[2][0] != '/' ||
		    put(e->path, sizeof(e->path), f[2]))
			return "bad remove entry";
		snprintf(e->what, sizeof(e->what), "%s", f[3]);
	}
	j->nr++;
	return NULL;
}

int journal_file_parse(const char *path, struct journal_file *j, const char **why)
{
	char *buf, *line, *save = NULL, *f[5];
	bool have_pid = false, have_start = false;
	int err, n, lineno = 0;

	*why = NULL;
	buf = malloc(MAX_FILE);
	if (!buf)
		return -ENOMEM;
	err = rs_file_read(path, buf, MAX_FILE, O_NOFOLLOW);
	if (err)
		goto out;
	err = -EINVAL;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (lineno++ == 0) {
			if (strcmp(line, MAGIC)) {
				*why = "not a version 1 journal";
				goto out;
			}
			continue;
		}
		n = split(line, f, 5);
		if (n < 1) {
			*why = "bad line";
			goto out;
		}
		if (!strcmp(f[0], "pid") && n == 2) {
			j->pid = (pid_t)strtol(f[1], NULL, 10);
			have_pid = j->pid > 0;
		} else if (!strcmp(f[0], "start") && n == 2) {
			j->start = strtoull(f[1], NULL, 10);
			have_start = true;
		} else if (!strcmp(f[0], "boot") && n == 2) {
			put(j->boot, sizeof(j->boot), f[1]);
		} else if ((!strcmp(f[0], "value") || !strcmp(f[0], "remove")) && n == 4) {
			*why = parse_entry(j, f);
			if (*why)
				goto out;
		} else {
			*why = "unknown line";
			goto out;
		}
	}
	if (!have_pid || !have_start) {
		*why = lineno ? "no pid or start time" : "empty";
		goto out;
	}
	err = 0;
out:
	free(buf);
	return err;
}

/* ------------------------------------------------ this process's journal */

static struct journal_file self;
static char self_path[PATH_MAX];
static char self_tmp[PATH_MAX];
static volatile sig_atomic_t armed;
static int self_step;

const char *journal_path(void)
{
	return armed ? self_path : NULL;
}

static int commit(struct rs_error *err)
{
	int ret = journal_file_write(&self, self_path, self_tmp);

	if (ret)
		rs_error_set(err, "free space in its folder (it lets the next run "
			     "undo this one if it is killed)", "cannot write the "
			     "journal %s: %s", self_path, strerror(-ret));
	return ret;
}

static int copy_str(char *dst, size_t size, const char *src, const char *what,
		    struct rs_error *err)
{
	if (strlen(src) >= size) {
		rs_error_set(err, NULL, "%s too long for the journal: %.64s...", what, src);
		return -ENAMETOOLONG;
	}
	strcpy(dst, src);
	return 0;
}

/* The journal's undo step: everything it names was undone before. */
static void forget(void *unused)
{
	if (!armed)
		return;
	armed = 0;
	unlink(self_tmp);
	unlink(self_path);
}

int journal_begin(const char *dir, struct rs_error *err)
{
	int ret;

	if (armed) {
		rs_error_set(err, NULL, "journal_begin(): the journal %s is open already",
			     self_path);
		return -EBUSY;
	}
	ret = journal_check_dir(dir, true, err);
	if (ret)
		return ret;
	memset(&self, 0, sizeof(self));
	self.pid = getpid();
	ret = journal_pid_start(self.pid, &self.start);
	if (ret != 1) {
		ret = ret < 0 ? ret : -ESRCH;
		rs_error_set(err, "mount /proc", "cannot read /proc/self/stat: %s",
			     strerror(-ret));
		return ret;
	}
	journal_boot_id(self.boot, sizeof(self.boot));
	if ((size_t)snprintf(self_path, sizeof(self_path), "%s/%d", dir, (int)self.pid) >= sizeof(self_path) ||
	    (size_t)snprintf(self_tmp, sizeof(self_tmp), "%s/.%d-%d.tmp", dir,
			     (int)self.pid, (int)self.pid) >= sizeof(self_tmp)) {
		rs_error_set(err, NULL, "journal folder name too long: %s", dir);
		return -ENAMETOOLONG;
	}
	self_step = rs_cleanup_add(forget, NULL);
	if (self_step < 0) {
		rs_error_set(err, NULL, "too many cleanup steps (%d)", RS_CLEANUP_MAX_STEPS);
		return self_step;
	}
	armed = 1;
	ret = commit(err);
	if (ret) {
		armed = 0;
		rs_cleanup_drop(self_step);
	}
	return ret;
}

static struct journal_entry *find_value(struct journal_file *j, const char *path)
{
	int i;

	for (i = 0; i < j->nr; i++)
		if (j->e[i].is_value && !strcmp(j->e[i].path, path))
			return &j->e[i];
	return NULL;
}

static struct journal_entry *new_entry(struct rs_error *err)
{
	if (self.nr == JOURNAL_MAX_ENTRIES) {
		rs_error_set(err, NULL, "the journal %s is full (%d entries)", self_path,
			     JOURNAL_MAX_ENTRIES);
		return NULL;
	}
	memset(&self.e[self.nr], 0, sizeof(self.e[0]));
	return &self.e[self.nr];
}

/* Writes the journal with the entry new_entry() gave; drops it on failure. */
static int add_entry(struct rs_error *err)
{
	int ret;

	self.nr++;
	ret = commit(err);
	if (ret)
		self.nr--;
	return ret;
}

int journal_add_value(const char *path, const char *original, struct rs_error *err)
{
	struct journal_entry *e;
	int ret;

	if (!armed || find_value(&self, path))
		return 0;
	e = new_entry(err);
	if (!e)
		return -ENOSPC;
	e->is_value = true;
	ret = copy_str(e->path, sizeof(e->path), path, "path", err) ?:
	      copy_str(e->original, sizeof(e->original), original, "value", err) ?:
	      copy_str(e->last, sizeof(e->last), original, "value", err);
	return ret ?: add_entry(err);
}

int journal_set_value(const char *path, const char *value, struct rs_error *err)
{
	char old[JOURNAL_VALUE_MAX];
	struct journal_entry *e;
	int ret;

	if (!armed)
		return 0;
	e = find_value(&self, path);
	if (!e) {
		rs_error_set(err, NULL, "journal_set_value(): %s was not added", path);
		return -ENOENT;
	}
	if (!strcmp(e->last, value))
		return 0;
	strcpy(old, e->last);
	ret = copy_str(e->last, sizeof(e->last), value, "value", err);
	if (ret)
		return ret;
	ret = commit(err);
	if (ret)
		strcpy(e->last, old);
	return ret;
}

int journal_add_remove(const char *path, enum journal_rm how, const char *what,
		       struct rs_error *err)
{
	char cwd[PATH_MAX];
	struct journal_entry *e;
	int ret;

	if (!armed)
		return 0;
	e = new_entry(err);
	if (!e)
		return -ENOSPC;
	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd))) {
			ret = -errno;
			rs_error_set(err, NULL, "getcwd: %s", strerror(-ret));
			return ret;
		}
		if ((size_t)snprintf(e->path, sizeof(e->path), "%s/%s", cwd, path) >= sizeof(e->path)) {
			rs_error_set(err, NULL, "path too long for the journal: %s/%s",
				     cwd, path);
			return -ENAMETOOLONG;
		}
	} else if ((ret = copy_str(e->path, sizeof(e->path), path, "path", err))) {
		return ret;
	}
	e->how = how;
	snprintf(e->what, sizeof(e->what), "%s", what);
	return add_entry(err);
}

void journal_end(void)
{
	rs_cleanup_run(self_step);
}
