/*
 * path.c: the working directory, and the system calls that take a path.
 *
 * Interface: libc_path_call() (toroc.h) for syscall.c: open, openat,
 * stat, lstat, newfstatat, mkdir(at), rmdir, unlink(at), rename(at),
 * access, faccessat, chdir, fchdir and getcwd.
 *
 * Rules: as Linux.  The working directory starts at the root; a
 * relative path is taken from it, or from a directory descriptor for
 * the *at calls, and the kernel gets the path from the root (which
 * resolves "." and ".." itself).  chdir keeps the canonical form, which
 * getcwd gives back.  A path longer than PATH_MAX once made whole is
 * ENAMETOOLONG, a path the caller cannot give EFAULT.  There are no
 * links: lstat is stat.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libc/toroc.h"
#include "toro/toro.h"

static char cwd[PATH_MAX] = "/";
static int lock;

/* Canonical form of the absolute path in p, in place: no ".", "..", "//". */
static void
canonical(char *p)
{
	char *out = p, *s = p, *e;
	size_t n;

	while (*s != '\0') {
		while (*s == '/')
			s++;
		for (e = s; *e != '\0' && *e != '/'; e++)
			;
		n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, s, n);
			out += n;
		}
		s = e;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* The path of directory descriptor fd into buf, or an error. */
static long
dir_path(long fd, char *buf)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r = 0;

	if (d == NULL)
		return -EBADF;
	if (d->kind != KIND_DIR || d->path == NULL)
		r = -ENOTDIR;
	else
		strcpy(buf, d->path);
	libc_fd_put(d);
	return r;
}

/*
 * The caller's string in into buf (PATH_MAX), a page at a time through
 * toro_copy: a bad pointer is -EFAULT, not a fault.
 */
static long
copy_in(char *buf, const char *in)
{
	size_t n = 0, chunk;

	while (n < PATH_MAX) {
		chunk = 4096 - ((uintptr_t)(in + n) & 4095);
		if (chunk > PATH_MAX - n)
			chunk = PATH_MAX - n;
		if (toro_copy(buf + n, in + n, chunk) < 0)
			return -EFAULT;
		if (memchr(buf + n, '\0', chunk) != NULL)
			return 0;
		n += chunk;
	}
	return -ENAMETOOLONG;
}

/* Put base and a "/" before the relative path of n bytes at out. */
static long
prefix(char *out, size_t n, const char *base)
{
	size_t b = strlen(base);

	if (b + 1 + n >= PATH_MAX)
		return -ENAMETOOLONG;
	memmove(out + b + 1, out, n + 1);
	memcpy(out, base, b);
	out[b] = '/';
	return 0;
}

/*
 * in, from dirfd (AT_FDCWD: the working directory), whole, into out;
 * in place, so that a call keeps one PATH_MAX buffer on its stack.
 */
static long
whole(long dirfd, const char *in, char *out)
{
	struct libc_desc *d;
	long r;

	if ((r = copy_in(out, in)) < 0)
		return r;
	if (out[0] == '\0')
		return -ENOENT;
	if (out[0] == '/')
		return 0;
	if ((int)dirfd == AT_FDCWD) {
		libc_lock(&lock);
		r = prefix(out, strlen(out), cwd);
		libc_unlock(&lock);
		return r;
	}
	if ((d = libc_fd_get(dirfd)) == NULL)
		return -EBADF;
	if (d->kind != KIND_DIR || d->path == NULL)
		r = -ENOTDIR;
	else
		r = prefix(out, strlen(out), d->path);
	libc_fd_put(d);
	return r;
}

static long
sys_access(const char *path, long mode)
{
	struct toro_stat st;
	int r;

	if ((r = toro_stat(path, &st)) < 0)
		return r;
	if ((mode & W_OK) && (st.attr & TORO_ATTR_READONLY))
		return -EACCES;
	return 0;
}

static long
sys_chdir(const char *path)
{
	struct toro_stat st;
	int r;

	if ((r = toro_stat(path, &st)) < 0)
		return r;
	if (st.type != TORO_S_IFDIR)
		return -ENOTDIR;
	libc_lock(&lock);
	strcpy(cwd, path);
	canonical(cwd);
	libc_unlock(&lock);
	return 0;
}

static long
sys_getcwd(char *buf, size_t size)
{
	size_t n;

	char copy[PATH_MAX];

	libc_lock(&lock);
	n = strlen(cwd) + 1;
	memcpy(copy, cwd, n);
	libc_unlock(&lock);
	if (size < n)
		return -ERANGE;
	return toro_copy(buf, copy, n) < 0 ? -EFAULT : (long)n;
}

/* A call on one path (from dirfd), after it is made whole. */
static long
one(long n, long dirfd, const char *in, long a, long b)
{
	char p[PATH_MAX];
	long r;

	if ((r = whole(dirfd, in, p)) < 0)
		return r;
	switch (n) {
	case SYS_open:
		r = libc_dev_open(p, a);
		return r != LIBC_NOT_DEV ? r : libc_fd_open(p, a);
	case SYS_stat:
		r = libc_dev_stat(p, (void *)a);
		return r != LIBC_NOT_DEV ? r : libc_fd_stat(p, (void *)a);
	case SYS_mkdir:
		return toro_mkdir(p);
	case SYS_rmdir:
		return toro_rmdir(p);
	case SYS_unlink:
		return (b & AT_REMOVEDIR) ? toro_rmdir(p) : libc_unlink(p);
	case SYS_access:
		return sys_access(p, a);
	case SYS_chdir:
		return sys_chdir(p);
	}
	return -ENOSYS;
}

static long
two(long dfrom, const char *from, long dto, const char *to)
{
	char p[PATH_MAX], q[PATH_MAX];
	long r;

	if ((r = whole(dfrom, from, p)) < 0 || (r = whole(dto, to, q)) < 0)
		return r;
	return toro_rename(p, q);
}

long
libc_path_call(long n, long a1, long a2, long a3, long a4)
{
	const long here = AT_FDCWD;
	char p[PATH_MAX];
	long r;

	switch (n) {
	case SYS_open:
		return one(SYS_open, here, (const char *)a1, a2, 0);
	case SYS_openat:
		return one(SYS_open, a1, (const char *)a2, a3, 0);
	case SYS_stat:
	case SYS_lstat:
		return one(SYS_stat, here, (const char *)a1, a2, 0);
	case SYS_newfstatat:
		if ((a4 & AT_EMPTY_PATH) && copy_in(p, (const char *)a2) == 0 &&
		    p[0] == '\0')
			return libc_fd_fstat(a1, (void *)a3);
		return one(SYS_stat, a1, (const char *)a2, a3, 0);
	case SYS_mkdir:
		return one(SYS_mkdir, here, (const char *)a1, 0, 0);
	case SYS_mkdirat:
		return one(SYS_mkdir, a1, (const char *)a2, 0, 0);
	case SYS_rmdir:
		return one(SYS_rmdir, here, (const char *)a1, 0, 0);
	case SYS_unlink:
		return one(SYS_unlink, here, (const char *)a1, 0, 0);
	case SYS_unlinkat:
		return one(SYS_unlink, a1, (const char *)a2, 0, a3);
	case SYS_rename:
		return two(here, (const char *)a1, here, (const char *)a2);
	case SYS_renameat:
		return two(a1, (const char *)a2, a3, (const char *)a4);
	case SYS_access:
		return one(SYS_access, here, (const char *)a1, a2, 0);
	case SYS_faccessat:
		return one(SYS_access, a1, (const char *)a2, a3, 0);
	case SYS_chdir:
		return one(SYS_chdir, here, (const char *)a1, 0, 0);
	case SYS_fchdir:
		if ((r = dir_path(a1, p)) < 0)
			return r;
		return sys_chdir(p);
	case SYS_getcwd:
		return sys_getcwd((char *)a1, (size_t)a2);
	}
	return -ENOSYS;
}
