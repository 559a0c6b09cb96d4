/*
 * posix.c: the webserver's POSIX calls over the kernel's API, for the
 * http fuzzer (see posix.h).  Compiled without posix.h: here open()
 * and the rest are the host's names, never called.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/http/posix.h"
#include "toro/toro.h"

/* A directory stream: the kernel's handle and the entry handed out. */
struct fz_dir {
	int dd;
	struct dirent de;
};

/* r as the C library returns it: -1 and errno for a negative code. */
static long
ret(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

int
fz_open(const char *path, int flags, ...)
{
	/* The webserver only reads; anything else is refused. */
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT)) {
		errno = EACCES;
		return -1;
	}
	return (int)ret(toro_open(path, TORO_O_RDONLY));
}

ssize_t
fz_read(int fd, void *buf, size_t n)
{
	return ret(toro_read(fd, buf, n));
}

int
fz_close(int fd)
{
	return (int)ret(toro_close(fd));
}

static void
to_stat(const struct toro_stat *t, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = t->type == TORO_S_IFDIR ? S_IFDIR | 0755 : S_IFREG | 0644;
	st->st_size = (off_t)t->size;
}

int
fz_stat(const char *path, struct stat *st)
{
	struct toro_stat t;
	int r = toro_stat(path, &t);

	if (r == 0)
		to_stat(&t, st);
	return (int)ret(r);
}

int
fz_fstat(int fd, struct stat *st)
{
	struct toro_stat t;
	int r = toro_fstat(fd, &t);

	if (r == 0)
		to_stat(&t, st);
	return (int)ret(r);
}

DIR *
fz_opendir(const char *path)
{
	struct fz_dir *d;
	int dd;

	if ((dd = (int)ret(toro_opendir(path))) < 0)
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		toro_closedir(dd);
		errno = ENOMEM;
		return NULL;
	}
	d->dd = dd;
	return (DIR *)d;
}

struct dirent *
fz_readdir(DIR *dir)
{
	struct fz_dir *d = (struct fz_dir *)dir;
	struct toro_dirent de;
	int r = toro_readdir(d->dd, &de);

	if (r <= 0) {
		if (r < 0)
			errno = -r;
		return NULL;
	}
	memset(&d->de, 0, sizeof(d->de));
	strncpy(d->de.d_name, de.name, sizeof(d->de.d_name) - 1);
	d->de.d_type = de.type == TORO_S_IFDIR ? DT_DIR : DT_REG;
	return &d->de;
}

int
fz_closedir(DIR *dir)
{
	struct fz_dir *d = (struct fz_dir *)dir;
	int r = toro_closedir(d->dd);

	free(d);
	return (int)ret(r);
}

ssize_t
fz_send(int fd, const void *buf, size_t n, int flags)
{
	int f = (flags & MSG_DONTWAIT) ? TORO_MSG_DONTWAIT : 0;

	return ret(toro_send(fd, buf, n, f));
}
