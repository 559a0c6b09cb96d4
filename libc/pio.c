/*
 * pio.c: reads and writes at an offset: pread, pwrite, preadv, pwritev.
 *
 * Interface: libc_fd_pio() and libc_fd_piov() (toroc.h).
 *
 * Rules: as Linux.  Only a file has offsets: a socket, a pipe or the
 * console is ESPIPE, a directory EISDIR.  The file position stays where it was;
 * an O_APPEND file takes writes at its end whatever the offset, as
 * Linux does.  The vector calls do one kernel call a buffer and stop
 * at a short one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/uio.h>

#include "libc/toroc.h"
#include "toro/toro.h"

long
libc_fd_pio(long fd, void *buf, size_t n, long off, bool out)
{
	struct libc_desc *d = libc_fd_get(fd);
	int acc;
	long r;

	if (d == NULL)
		return -EBADF;
	acc = d->flags & O_ACCMODE;
	if (out ? acc == O_RDONLY : acc == O_WRONLY)
		r = -EBADF;
	else if (d->kind == KIND_CONSOLE || LIBC_KERNEL_POLLED(d))
		r = -ESPIPE;
	else if (d->kind == KIND_DIR)
		r = out ? -EBADF : -EISDIR;
	else if (off < 0)
		r = -EINVAL;
	else if (out)
		r = toro_pwrite(d->handle, buf, n, off);
	else
		r = toro_pread(d->handle, buf, n, off);
	libc_fd_put(d);
	return r;
}

long
libc_fd_piov(long fd, const struct iovec *iov, long cnt, long off, bool out)
{
	long i, r, done = 0;

	if (cnt < 0 || cnt > IOV_MAX || off < 0)
		return -EINVAL;
	for (i = 0; i < cnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		r = libc_fd_pio(
		    fd, iov[i].iov_base, iov[i].iov_len, off + done, out);
		if (r < 0)
			return done > 0 ? done : r;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	/* Nothing asked: still say whether fd could have been used. */
	if (done == 0 && (r = libc_fd_pio(fd, NULL, 0, off, out)) < 0)
		return r;
	return done;
}
