/*
 * pio.c: reads and writes in pieces or at an offset: readv, writev,
 * pread, pwrite, preadv, pwritev.
 *
 * Interface: libc_fd_readv(), libc_fd_writev(), libc_fd_pio() and
 * libc_fd_piov() (toroc.h).
 *
 * Rules: as Linux.  readv and writev on a socket are recvmsg and sendmsg
 * (a datagram is one message); elsewhere one call a piece.  Only a file has
 * offsets: a socket, a pipe or the console is ESPIPE, a directory EISDIR.  The
 * file position stays where it was; an O_APPEND file takes writes at its end
 * whatever the offset, as Linux does.  The vector calls do one kernel call a
 * buffer and stop at a short one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
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

/* readv (out false) or writev: one call a buffer, up to a short one. */
static long
iov_each(long fd, const struct iovec *iov, long cnt, bool out)
{
	long i, r, done = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	for (i = 0; i < cnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		r = out ? libc_fd_write(fd, iov[i].iov_base, iov[i].iov_len)
			: libc_fd_read(fd, iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return done > 0 ? done : r;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return done;
}

/*
 * readv and writev on a socket are recvmsg and sendmsg (sockmsg.c): a
 * datagram is one message, and a stream's pieces go out together.
 */
static long
iov_msg(long fd, const struct iovec *iov, long cnt, bool out)
{
	struct libc_desc *d = libc_fd_get(fd);
	struct msghdr m;
	int kind = d != NULL ? d->kind : 0;

	if (d != NULL)
		libc_fd_put(d);
	if (kind != KIND_SOCKET || cnt < 0 || cnt > IOV_MAX)
		return iov_each(fd, iov, cnt, out);
	memset(&m, 0, sizeof(m));
	m.msg_iov = (struct iovec *)iov;
	m.msg_iovlen = (int)cnt;
	return out ? libc_sendmsg(fd, &m, 0) : libc_recvmsg(fd, &m, 0);
}

long
libc_fd_readv(long fd, const struct iovec *iov, long cnt)
{
	return iov_msg(fd, iov, cnt, false);
}

long
libc_fd_writev(long fd, const struct iovec *iov, long cnt)
{
	return iov_msg(fd, iov, cnt, true);
}
