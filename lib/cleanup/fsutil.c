// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shared file operations of the cleanup: see fsutil.h. One copy of
 * each, so that the knob the workload saves, the value the journal notes
 * and the value its sweep compares are read alike.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

int rs_file_read(const char *path, char *buf, size_t size, int flags)
{
	size_t len = 0;
	int fd, err = 0;
	ssize_t n;

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

int rs_value_read(const char *path, char *buf, size_t size)
{
	char tmp[256], *open_br, *close_br;
	size_t len;
	int err;

	err = rs_file_read(path, tmp, sizeof(tmp), 0);
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

int rs_value_write(const char *path, const char *val, int flags)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
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

int rs_remove_flat_dir(int parent_fd, const char *name)
{
	struct dirent *de;
	int fd, err;
	DIR *d;

	fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	if (unlinkat(parent_fd, name, AT_REMOVEDIR))
		return errno == ENOENT ? 0 : -errno;
	return 1;
}
