/*
 * sendfile.c: sendfile, from a file to any descriptor, through a buffer.
 *
 * Interface: libc_sendfile() (toroc.h), behind sendfile(2).
 *
 * Rules: as Linux.  The source must be a file (EINVAL else); with an
 * offset pointer the file is read from *off, *off moves on and the file
 * position stays; without, the position moves.  Bytes are read a chunk
 * at a time and written out; a short write stops the call, and only
 * what was written counts (and moves the offset or position), so a
 * non-blocking socket that takes part of a chunk loses nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "libc/toroc.h"
#include "toro/toro.h"

#define CHUNK (64 * 1024)

/* Is fd a file open for reading?  0, or the error. */
static long
source_ok(long fd)
{
	struct libc_desc *d = libc_fd_get(fd);
	long r = 0;

	if (d == NULL)
		return -EBADF;
	if (d->kind != KIND_FILE)
		r = -EINVAL;
	else if ((d->flags & O_ACCMODE) == O_WRONLY)
		r = -EBADF;
	libc_fd_put(d);
	return r;
}

long
libc_sendfile(long out, long in, long *off, size_t count)
{
	long pos, n, w, sent = 0;
	char *buf;

	if ((n = source_ok(in)) < 0)
		return n;
	if (off != NULL && *off < 0)
		return -EINVAL;
	pos = off != NULL ? *off : libc_fd_lseek(in, 0, SEEK_CUR);
	if (pos < 0)
		return pos;
	if ((buf = toro_malloc(CHUNK)) == NULL)
		return -ENOMEM;
	while ((size_t)sent < count) {
		n = libc_fd_pio(in, buf,
		    count - (size_t)sent < CHUNK ? count - (size_t)sent : CHUNK,
		    pos + sent, false);
		if (n <= 0) {
			if (n < 0 && sent == 0)
				sent = n;
			break;
		}
		w = libc_fd_write(out, buf, (size_t)n);
		if (w < 0) {
			if (sent == 0)
				sent = w;
			break;
		}
		sent += w;
		if (w < n)
			break;
	}
	toro_free(buf);
	if (sent > 0 && off != NULL)
		*off = pos + sent;
	else if (sent > 0)
		libc_fd_lseek(in, pos + sent, SEEK_SET);
	return sent;
}
