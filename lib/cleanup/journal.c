// SPDX-License-Identifier: GPL-2.0-only
/*
 * The undo journal of `rmapstat record`; see journal.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "journal.h"

#define MAGIC		"rmapstat-journal 1"
#define MAX_FILE	(256 * 1024)
#define WHAT_MAX	64
#define BOOT_MAX	64

struct entry {
	bool is_value;
	enum journal_rm how;			/* remove entries */
	char path[PATH_MAX];
	char original[JOURNAL_VALUE_MAX];	/* value entries */
	char last[JOURNAL_VALUE_MAX];
	char what[WHAT_MAX];			/* remove entries */
};

struct jfile {
	pid_t pid;
	unsigned long long start;
	char boot[BOOT_MAX];
	int nr;
	struct entry e[JOURNAL_MAX_ENTRIES];
	/* sweep only */
	char name[NAME_MAX + 1];
	bool live;
};

static const char *const rm_names[] = {
	[JOURNAL_RM_FILE] = "file",
	[JOURNAL_RM_DIR] = "dir",
	[JOURNAL_RM_RMDIR] = "rmdir",
};

/* This process's journal. */
static struct jfile self;
static char self_path[PATH_MAX];
static char self_tmp[PATH_MAX];
static volatile sig_atomic_t armed;

static char errmsg[PATH_MAX + 256];

static int set_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return err;
}

const char *journal_error(void)
{
	return errmsg;
}

const char *journal_path(void)
{
	return armed ? self_path : NULL;
}

/* Reads a small file, NUL-terminated; -errno, -EOVERFLOW if it does not fit. */
static int read_small(const char *path, char *buf, size_t size, int flags)
{
	ssize_t n;
	size_t len = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len == size - 1) {
			char c;

			/* full: is there more? */
			n = read(fd, &c, 1);
			if (n > 0)
				err = -EOVERFLOW;
			else if (n < 0)
				err = -errno;
			break;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return err;
}

int journal_read_value(const char *path, char *buf, size_t size)
{
	char tmp[256], *open_br, *close_br;
	size_t len;
	int err;

	err = read_small(path, tmp, sizeof(tmp), 0);
	if (err)
		return err;
	len = strlen(tmp);
	if (len && tmp[len - 1] == '\n')
		tmp[--len] = '\0';
	/* A sysfs choice file: "always [madvise] never" -> "madvise". */
	open_br = strchr(tmp, '[');
	close_br = open_br ? strchr(open_br, ']') : NULL;
	if (open_br && close_br) {
		*close_br = '\0';
		memmove(tmp, open_br + 1, strlen(open_br + 1) + 1);
	}
	if (strlen(tmp) >= size)
		return -EOVERFLOW;
	strcpy(buf, tmp);
	return 0;
}

int journal_pid_start(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p, *save = NULL, *tok;
	int err, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	err = read_small(path, buf, sizeof(buf), 0);
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

static void boot_id(char *buf, size_t size)
{
	if (read_small("/proc/sys/kernel/random/boot_id", buf, size, 0))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * The folder must be a directory of ours that nobody else can write: what
 * the journals in it name is written to or removed by root later.
 */
static int check_dir(const char *dir, bool create)
{
	struct stat st;
	char parent[PATH_MAX], *slash;

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
	if (lstat(dir, &st))
		return set_error(-errno, "cannot create the journal folder %s: %s; "
				 "rmapstat record needs a writable %s (run it as root)",
				 dir, strerror(errno), dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return set_error(-EPERM, "the journal folder %s is not a directory owned "
				 "by uid %u that only it can write; remove it (rm -r %s) "
				 "and run again", dir, (unsigned int)geteuid(), dir);
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

/* Writes j to tmp and renames it to path; -errno. */
static int write_jfile(const struct jfile *j, const char *path, const char *tmp)
{
	const struct entry *e;
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

static int commit(void)
{
	int err = write_jfile(&self, self_path, self_tmp);

	if (err)
		return set_error(err, "cannot write the journal %s: %s; free space in "
				 "its folder (it lets the next run undo this one if it "
				 "is killed)", self_path, strerror(-err));
	return 0;
}

static int copy_str(char *dst, size_t size, const char *src, const char *what)
{
	if (strlen(src) >= size)
		return set_error(-ENAMETOOLONG, "%s too long for the journal: %.64s...",
				 what, src);
	strcpy(dst, src);
	return 0;
}

int journal_begin(const char *dir)
{
	int err;

	if (armed)
		return set_error(-EBUSY, "journal_begin(): the journal %s is open already",
				 self_path);
	err = check_dir(dir, true);
	if (err)
		return err;
	memset(&self, 0, sizeof(self));
	self.pid = getpid();
	err = journal_pid_start(self.pid, &self.start);
	if (err != 1)
		return set_error(err < 0 ? err : -ESRCH, "cannot read /proc/self/stat: %s; "
				 "mount /proc", strerror(err < 0 ? -err : ESRCH));
	boot_id(self.boot, sizeof(self.boot));
	if ((size_t)snprintf(self_path, sizeof(self_path), "%s/%d", dir, (int)self.pid) >= sizeof(self_path) ||
	    (size_t)snprintf(self_tmp, sizeof(self_tmp), "%s/.%d-%d.tmp", dir,
			     (int)self.pid, (int)self.pid) >= sizeof(self_tmp))
		return set_error(-ENAMETOOLONG, "journal folder name too long: %s", dir);
	armed = 1;
	err = commit();
	if (err)
		armed = 0;
	return err;
}

static struct entry *find_value(struct jfile *j, const char *path)
{
	int i;

	for (i = 0; i < j->nr; i++)
		if (j->e[i].is_value && !strcmp(j->e[i].path, path))
			return &j->e[i];
	return NULL;
}

static struct entry *new_entry(void)
{
	if (self.nr == JOURNAL_MAX_ENTRIES) {
		set_error(-ENOSPC, "the journal %s is full (%d entries)", self_path,
			  JOURNAL_MAX_ENTRIES);
		return NULL;
	}
	memset(&self.e[self.nr], 0, sizeof(self.e[0]));
	return &self.e[self.nr];
}

int journal_add_value(const char *path, const char *original)
{
	struct entry *e;
	int err;

	if (!armed || find_value(&self, path))
		return 0;
	e = new_entry();
	if (!e)
		return -ENOSPC;
	e->is_value = true;
	err = copy_str(e->path, sizeof(e->path), path, "path") ?:
	      copy_str(e->original, sizeof(e->original), original, "value") ?:
	      copy_str(e->last, sizeof(e->last), original, "value");
	if (err)
		return err;
	self.nr++;
	err = commit();
	if (err)
		self.nr--;
	return err;
}

int journal_set_value(const char *path, const char *value)
{
	char old[JOURNAL_VALUE_MAX];
	struct entry *e;
	int err;

	if (!armed)
		return 0;
	e = find_value(&self, path);
	if (!e)
		return set_error(-ENOENT, "journal_set_value(): %s was not added", path);
	if (!strcmp(e->last, value))
		return 0;
	strcpy(old, e->last);
	err = copy_str(e->last, sizeof(e->last), value, "value");
	if (err)
		return err;
	err = commit();
	if (err)
		strcpy(e->last, old);
	return err;
}

int journal_add_remove(const char *path, enum journal_rm how, const char *what)
{
	char cwd[PATH_MAX];
	struct entry *e;
	int err;

	if (!armed)
		return 0;
	e = new_entry();
	if (!e)
		return -ENOSPC;
	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return set_error(-errno, "getcwd: %s", strerror(errno));
		if ((size_t)snprintf(e->path, sizeof(e->path), "%s/%s", cwd, path) >= sizeof(e->path))
			return set_error(-ENAMETOOLONG, "path too long for the journal: %s/%s",
					 cwd, path);
	} else if ((err = copy_str(e->path, sizeof(e->path), path, "path"))) {
		return err;
	}
	e->how = how;
	snprintf(e->what, sizeof(e->what), "%s", what);
	self.nr++;
	err = commit();
	if (err)
		self.nr--;
	return err;
}

void journal_end(void)
{
	if (!armed)
		return;
	armed = 0;
	unlink(self_tmp);
	unlink(self_path);
}

/* ------------------------------------------------------------------ sweep */

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

/* Parses a journal file; 0, or -errno / -EINVAL (with *why) */
static int parse_jfile(const char *path, struct jfile *j, const char **why)
{
	char *buf, *line, *save = NULL, *f[5];
	bool have_pid = false, have_start = false;
	int err, n, lineno = 0;
	struct entry *e;

	*why = NULL;
	buf = malloc(MAX_FILE);
	if (!buf)
		return -ENOMEM;
	err = read_small(path, buf, MAX_FILE, O_NOFOLLOW);
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
		} else if (!strcmp(f[0], "value") && n == 4) {
			if (j->nr == JOURNAL_MAX_ENTRIES) {
				*why = "too many entries";
				goto out;
			}
			e = &j->e[j->nr];
			e->is_value = true;
			if (f[1][0] != '/' || put(e->path, sizeof(e->path), f[1]) ||
			    put(e->original, sizeof(e->original), f[2]) ||
			    put(e->last, sizeof(e->last), f[3])) {
				*why = "bad value entry";
				goto out;
			}
			j->nr++;
		} else if (!strcmp(f[0], "remove") && n == 4) {
			if (j->nr == JOURNAL_MAX_ENTRIES) {
				*why = "too many entries";
				goto out;
			}
			e = &j->e[j->nr];
			e->is_value = false;
			for (e->how = 0; e->how <= JOURNAL_RM_RMDIR; e->how++)
				if (!strcmp(f[1], rm_names[e->how]))
					break;
			if (e->how > JOURNAL_RM_RMDIR || f[2][0] != '/' ||
			    put(e->path, sizeof(e->path), f[2])) {
				*why = "bad remove entry";
				goto out;
			}
			snprintf(e->what, sizeof(e->what), "%s", f[3]);
			j->nr++;
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

/*
 * Removes the directory path: what is directly in it (never following a
 * symbolic link: the folder it is in may be writable by others), then
 * itself. 1 if removed, 0 if it was gone, -errno.
 */
static int remove_dir(const char *path)
{
	char parent[PATH_MAX], *slash, *base;
	struct dirent *de;
	int pfd, fd, err = 0;
	DIR *d;

	if (put(parent, sizeof(parent), path))
		return -ENAMETOOLONG;
	slash = strrchr(parent, '/');
	if (!slash)
		return -EINVAL;
	base = slash + 1;
	if (slash == parent)
		pfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else {
		*slash = '\0';
		pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (pfd < 0)
		return errno == ENOENT ? 0 : -errno;
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err = errno == ENOENT ? 0 : -errno;
		close(pfd);
		return err;
	}
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		close(pfd);
		return err;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	if (unlinkat(pfd, base, AT_REMOVEDIR))
		err = errno == ENOENT ? 0 : -errno;
	else
		err = 1;
	close(pfd);
	return err;
}

static int remove_entry(const struct entry *e)
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

static int write_value(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* A running process's journal names path too. */
static const struct jfile *live_owner(const struct jfile *all, int nr, const char *path)
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
static int undo(const char *dir, struct jfile *j, const struct jfile *all, int nr_all,
		FILE *log, unsigned int *done)
{
	char cur[JOURNAL_VALUE_MAX], path[PATH_MAX], tmp[PATH_MAX];
	const char *how = "killed";
	bool earlier_boot = false;
	const struct jfile *owner;
	struct entry *e, *keep;
	int i, kept = 0, err, ret = 0;
	char boot[BOOT_MAX];

	/* What is left to undo later, in its order. */
	keep = malloc(j->nr * sizeof(*keep) + 1);
	if (!keep)
		return -1;
	boot_id(boot, sizeof(boot));
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
		err = journal_read_value(e->path, cur, sizeof(cur));
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
		err = write_value(e->path, e->original);
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
	err = write_jfile(j, path, tmp);
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
	struct jfile *all = NULL, *more;
	unsigned long long start;
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
	if (check_dir(dir, false)) {
		fprintf(log, "rmapstat: %s\n", journal_error());
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
		{
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			err = parse_jfile(path, &all[nr], &why);
			if (err == -ENOENT)
				continue;	/* its process ended meanwhile */
			if (err) {
				fprintf(log, "rmapstat: cannot read the journal %s: %s; what "
					"it names cannot be undone: check it and remove it by "
					"hand\n", path, why ? why : strerror(-err));
				ret = -1;
				continue;
			}
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
