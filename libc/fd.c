/*
 * fd.c: the one descriptor table of the program.
 *
 * Interface: the libc_fd_* calls of toroc.h, which take and give POSIX
 * descriptors: 0, 1 and 2 are the console, and open() hands out the
 * lowest free number, whatever it stands for (a file or a directory of
 * the kernel's file system, or a socket (socket.c).
 *
 * Rules: a slot points to a description that dup() may share; each use
 * holds a reference, so a close() from another thread during a read
 * leaves the read safe, and the kernel's handle is closed with the last
 * reference.  The table lock is never held across a kernel call that can
 * block (the file system answers from its own CPU).  The table grows by
 * chunks of FD_CHUNK slots, made on first use and never freed, up to
 * FD_MAX descriptors (a server keeps one per connection), or fewer if
 * the program lowers RLIMIT_NOFILE (resource.c); the lowest
 * free slot is remembered so an open need not scan the ones in use.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "kstat.h"
#include "libc/toroc.h"
#include "toro/toro.h"

#define FD_CHUNK 1024
#define FD_MAX LIBC_FD_MAX
_Static_assert(FD_MAX % FD_CHUNK == 0, "whole chunks");

/* Never freed: its count starts far from zero. */
static struct libc_desc console = {
	.kind = KIND_CONSOLE, .handle = -1, .refs = INT_MAX / 2, .flags = O_RDWR
};
static struct libc_desc *first[FD_CHUNK] = { &console, &console, &console };
static struct libc_desc **chunks[FD_MAX / FD_CHUNK] = { first };
static long lowest_free = 3; /* every slot below it is in use */
static long limit = FD_MAX;  /* RLIMIT_NOFILE: no slot from here on */
static uint32_t serials;     /* the last description's serial */
static int table_lock;

/*
 * Slot fd (0 <= fd < FD_MAX), its chunk made if make; NULL if the chunk
 * is not there (or no memory).  The table lock is held.
 */
static struct libc_desc **
slot(long fd, int make)
{
	struct libc_desc ***c = &chunks[fd / FD_CHUNK];

	if (*c == NULL && make)
		*c = toro_calloc(FD_CHUNK, sizeof(**c));
	return *c == NULL ? NULL : &(*c)[fd % FD_CHUNK];
}

void
libc_fd_lock_table(void)
{
	libc_lock(&table_lock);
}

void
libc_fd_unlock_table(void)
{
	libc_unlock(&table_lock);
}

struct libc_desc *
libc_fd_peek(long fd)
{
	if (fd < 0 || fd >= FD_MAX || chunks[fd / FD_CHUNK] == NULL)
		return NULL;
	return chunks[fd / FD_CHUNK][fd % FD_CHUNK];
}

struct libc_desc *
libc_fd_get(long fd)
{
	struct libc_desc *d;

	libc_lock(&table_lock);
	if ((d = libc_fd_peek(fd)) != NULL)
		d->refs++;
	libc_unlock(&table_lock);
	return d;
}

void
libc_fd_put(struct libc_desc *d)
{
	int last;

	libc_lock(&table_lock);
	last = --d->refs == 0;
	libc_unlock(&table_lock);
	if (last) {
		if (d->kind == KIND_DIR) {
			toro_closedir(d->handle);
			toro_free(d->pending);
			toro_free(d->path);
		} else if (d->kind == KIND_DEV) {
			/* nothing of the kernel's */
		} else
			toro_close(d->handle); /* a file, a socket or a set */
		if (d->kind == KIND_FILE)
			libc_unlinked_reap();
		toro_free(d);
	}
}

/* Put d in the lowest free slot at or above min; d's count goes up. */
long
libc_fd_install(struct libc_desc *d, long min)
{
	struct libc_desc **s = NULL;
	long fd;

	/* Told apart from any description before it at the same address. */
	if (d->serial == 0)
		while ((d->serial = __atomic_add_fetch(
			    &serials, 1, __ATOMIC_RELAXED)) == 0)
			;
	libc_lock(&table_lock);
	for (fd = min > lowest_free ? min : lowest_free; fd < limit; fd++)
		if ((s = slot(fd, 1)) == NULL || *s == NULL)
			break;
	if (s != NULL && fd < limit) {
		*s = d;
		d->refs++;
		/* From lowest_free, every slot passed was in use. */
		if (min <= lowest_free)
			lowest_free = fd + 1;
	}
	libc_unlock(&table_lock);
	if (fd >= limit)
		return -EMFILE;
	return s == NULL ? -ENOMEM : fd;
}

/*
 * O_NONBLOCK: the kernel's sockets (and pipes) know it; other kinds
 * never block.
 */
static long
set_nonblock(struct libc_desc *d, int on)
{
	long r = 0;

	if (LIBC_KERNEL_POLLED(d))
		r = toro_socket_set_nonblock(d->handle, on != 0);
	if (r == 0)
		d->flags = (d->flags & ~O_NONBLOCK) | (on ? O_NONBLOCK : 0);
	return r;
}

long
libc_fd_open(const char *path, long flags)
{
	struct libc_desc *d;
	long fd;
	int h;

	d = toro_calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	/* opendir() opens with O_DIRECTORY, then lists with getdents64. */
	if (flags & O_DIRECTORY) {
		d->kind = KIND_DIR;
		h = toro_opendir(path);
	} else {
		d->kind = KIND_FILE;
		h = toro_open(path,
		    (int)flags &
			(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND));
	}
	if (h < 0) {
		toro_free(d);
		return h;
	}
	/* A directory keeps its path for fchdir and the *at calls. */
	if (d->kind == KIND_DIR &&
	    (d->path = toro_malloc(strlen(path) + 1)) == NULL) {
		toro_closedir(h);
		toro_free(d);
		return -ENOMEM;
	}
	if (d->path != NULL)
		strcpy(d->path, path);
	d->handle = h;
	d->flags = (int)flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
	if ((fd = libc_fd_install(d, 0)) < 0) {
		d->refs = 1;
		libc_fd_put(d);
	}
	return fd;
}

/* Close every file (not sockets, folders or the console): exit. */
void
libc_fd_close_files(void)
{
	struct libc_desc *d;
	long fd;

	for (fd = 3; fd < FD_MAX; fd++) {
		libc_lock(&table_lock);
		d = chunks[fd / FD_CHUNK] != NULL
		    ? chunks[fd / FD_CHUNK][fd % FD_CHUNK]
		    : NULL;
		libc_unlock(&table_lock);
		if (d != NULL && d->kind == KIND_FILE)
			libc_fd_close(fd);
	}
}

long
libc_fd_close(long fd)
{
	struct libc_desc *d = NULL;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	libc_lock(&table_lock);
	if (chunks[fd / FD_CHUNK] != NULL) {
		d = chunks[fd / FD_CHUNK][fd % FD_CHUNK];
		chunks[fd / FD_CHUNK][fd % FD_CHUNK] = NULL;
		if (d != NULL && fd < lowest_free)
			lowest_free = fd;
	}
	libc_unlock(&table_lock);
	if (d == NULL)
		return -EBADF;
	libc_fd_put(d);
	return 0;
}

/* Can n bytes at p be read?  A byte of each 4096-byte page tells. */
static bool
readable(const char *p, size_t n)
{
	size_t i;
	char c;

	for (i = 0; i < n; i = (i | 4095) + 1)
		if (toro_copy(&c, p + i, 1) < 0)
			return false;
	return n == 0 || toro_copy(&c, p + n - 1, 1) == 0;
}

/*
 * Console output: one toro_printf per piece, so that lines of different
 * threads stay whole.  %s stops at a NUL byte, so each NUL goes as %c.
 * A bad buffer is EFAULT before anything prints.
 */
static long
console_write(const char *buf, size_t n)
{
	const char *nul;
	size_t done = 0, k;

	if (!readable(buf, n))
		return -EFAULT;

	while (done < n) {
		nul = memchr(buf + done, '\0', n - done);
		k = (nul != NULL ? (size_t)(nul - buf) : n) - done;
		if (k > INT_MAX)
			k = INT_MAX;
		if (k > 0)
			toro_printf("%.*s", (int)k, buf + done);
		else {
			toro_printf("%c", 0);
			k = 1;
		}
		done += k;
	}
	return (long)n;
}

long
libc_fd_read(long fd, void *buf, size_t n)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r;

	if (d == NULL)
		return -EBADF;
	if ((d->flags & O_ACCMODE) == O_WRONLY)
		r = -EBADF;
	else if (d->kind == KIND_DIR)
		r = -EISDIR;
	else if (d->kind == KIND_EPOLL)
		r = -EINVAL;
	else if (d->kind == KIND_CONSOLE)
		r = n == 0 ? 0 : toro_console_read(buf, n);
	else if (d->kind == KIND_DEV)
		r = libc_dev_read(d, buf, n);
	else if (LIBC_KERNEL_POLLED(d))
		r = toro_recv(d->handle, buf, n, 0);
	else
		r = toro_read(d->handle, buf, n);
	libc_fd_put(d);
	return r;
}

long
libc_fd_write(long fd, const void *buf, size_t n)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r;

	if (d == NULL)
		return -EBADF;
	if ((d->flags & O_ACCMODE) == O_RDONLY || d->kind == KIND_DIR)
		r = -EBADF;
	else if (d->kind == KIND_EPOLL)
		r = -EINVAL;
	else if (d->kind == KIND_CONSOLE)
		r = console_write(buf, n);
	else if (d->kind == KIND_DEV)
		r = libc_dev_write(d, buf, n);
	else if (LIBC_KERNEL_POLLED(d))
		r = toro_send(d->handle, buf, n, 0);
	else
		r = toro_write(d->handle, buf, n);
	libc_fd_put(d);
	return r;
}

long
libc_fd_lseek(long fd, long off, long whence)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r;

	if (d == NULL)
		return -EBADF;
	if (d->kind == KIND_DEV)
		r = 0; /* as Linux's devices: nothing to move */
	else if (d->kind == KIND_CONSOLE || d->kind == KIND_EPOLL ||
	    LIBC_KERNEL_POLLED(d))
		r = -ESPIPE;
	else if (d->kind == KIND_DIR)
		r = -EINVAL; /* rewinddir: not yet */
	else
		r = (long)toro_lseek(d->handle, off, (int)whence);
	libc_fd_put(d);
	return r;
}

long
libc_fd_ioctl(long fd, long req, void *arg)
{
	struct libc_desc *d = libc_fd_get(fd);
	struct winsize *ws = arg;
	long r = -ENOTTY;

	if (d == NULL)
		return -EBADF;
	/* The console is a terminal: stdio buffers it by lines. */
	if (d->kind == KIND_CONSOLE && req == TIOCGWINSZ) {
		memset(ws, 0, sizeof(*ws));
		ws->ws_row = 24;
		ws->ws_col = 80;
		r = 0;
	} else if (req == FIONBIO)
		r = set_nonblock(d, *(int *)arg);
	libc_fd_put(d);
	return r;
}

long
libc_fd_dup(long fd, long min, long flags)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r;

	if (d == NULL)
		return -EBADF;
	if (min < 0 || min >= limit)
		r = -EINVAL;
	else
		r = libc_fd_install(d, min);
	libc_fd_put(d);
	return r;
}

long
libc_fd_dup2(long fd, long to)
{
	struct libc_desc *d = libc_fd_get(fd), *old, **s;

	if (d == NULL)
		return -EBADF;
	if (to < 0 || to >= limit) {
		libc_fd_put(d);
		return -EBADF;
	}
	if (to == fd) {
		libc_fd_put(d);
		return to;
	}
	libc_lock(&table_lock);
	if ((s = slot(to, 1)) == NULL) {
		libc_unlock(&table_lock);
		libc_fd_put(d);
		return -ENOMEM;
	}
	old = *s;
	*s = d;
	d->refs++;
	libc_unlock(&table_lock);
	if (old != NULL)
		libc_fd_put(old);
	libc_fd_put(d);
	return to;
}

/* dup3: dup2 that refuses the same descriptor twice; only O_CLOEXEC. */
long
libc_fd_dup3(long fd, long to, long flags)
{
	if ((flags & ~O_CLOEXEC) != 0 || fd == to)
		return -EINVAL;
	return libc_fd_dup2(fd, to);
}

void
libc_fd_set_limit(long n)
{
	libc_lock(&table_lock);
	limit = n < 0 ? 0 : n > FD_MAX ? FD_MAX : n;
	libc_unlock(&table_lock);
}

/*
 * POSIX record locks belong to a process and never conflict within
 * one, and the machine runs one: a lock is always granted, and no
 * other holds one (F_GETLK says F_UNLCK).  The request is still checked.
 */
static long
record_lock(const struct libc_desc *d, long cmd, struct flock *l)
{
	int acc = d->flags & O_ACCMODE;

	if (d->kind != KIND_FILE)
		return -EINVAL;
	if (l == NULL)
		return -EFAULT;
	if (l->l_whence != SEEK_SET && l->l_whence != SEEK_CUR &&
	    l->l_whence != SEEK_END)
		return -EINVAL;
	switch (l->l_type) {
	case F_RDLCK:
	case F_WRLCK:
		if (cmd != F_GETLK &&
		    (l->l_type == F_RDLCK ? acc == O_WRONLY : acc == O_RDONLY))
			return -EBADF;
		if (cmd == F_GETLK)
			l->l_type = F_UNLCK;
		return 0;
	case F_UNLCK:
		return cmd == F_GETLK ? -EINVAL : 0;
	}
	return -EINVAL;
}

long
libc_fd_fcntl(long fd, long cmd, long arg)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r = 0;

	if (d == NULL)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		r = arg < 0 || arg >= limit ? -EINVAL : libc_fd_install(d, arg);
		break;
	case F_GETFD:
	case F_SETFD:
		/* Nothing is ever exec'ed: close-on-exec has no meaning. */
		break;
	case F_GETFL:
		r = d->flags;
		break;
	case F_SETFL:
		/* O_APPEND is the kernel's, fixed at open(). */
		r = set_nonblock(d, (int)arg & O_NONBLOCK);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		r = record_lock(d, cmd, (struct flock *)arg);
		break;
	default:
		r = -EINVAL;
	}
	libc_fd_put(d);
	return r;
}

long
libc_fd_fsync(long fd)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r = 0;

	if (d == NULL)
		return -EBADF;
	if (d->kind == KIND_FILE)
		r = toro_fsync(d->handle);
	libc_fd_put(d);
	return r;
}

long
libc_fd_ftruncate(long fd, long size)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r;

	if (d == NULL)
		return -EBADF;
	if (size < 0)
		r = -EINVAL;
	else if (d->kind != KIND_FILE || (d->flags & O_ACCMODE) == O_RDONLY)
		r = -EINVAL;
	else
		r = toro_ftruncate(d->handle, (uint64_t)size);
	libc_fd_put(d);
	return r;
}

long
libc_fd_getdents(long fd, void *buf, size_t n)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r;

	if (d == NULL)
		return -EBADF;
	if (d->kind != KIND_DIR)
		r = -ENOTDIR;
	else
		r = libc_dir_getdents(d->handle, &d->pending, &d->pos, buf, n);
	libc_fd_put(d);
	return r;
}
