/*
 * stat.c: what stat and fstat say of a descriptor or a path.
 *
 * Interface: libc_fd_fstat() and libc_fd_stat() (toroc.h).
 *
 * Rules: as Linux where FAT can say it: a folder is 0755, a file 0644
 * (0444 with FAT's read-only bit), one link, no owner; FAT keeps no
 * change time, so the last write stands for it.  A socket, a pipe, the
 * console, a device, an epoll set or an event counter has no file: its
 * type (an event counter and an epoll set are Linux's anonymous inodes:
 * none) and mode only.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "kstat.h"
#include "libc/toroc.h"
#include "toro/toro.h"

static void
fill_stat(struct kstat *k, const struct toro_stat *st)
{
	memset(k, 0, sizeof(*k));
	k->st_nlink = 1;
	if (st->type == TORO_S_IFDIR)
		k->st_mode = S_IFDIR | 0755;
	else if (st->attr & TORO_ATTR_READONLY)
		k->st_mode = S_IFREG | 0444;
	else
		k->st_mode = S_IFREG | 0644;
	k->st_size = (off_t)st->size;
	k->st_blksize = st->blksize;
	k->st_blocks = (blkcnt_t)st->blocks;
	k->st_atime_sec = st->atime_ns / 1000000000;
	k->st_atime_nsec = st->atime_ns % 1000000000;
	k->st_mtime_sec = st->mtime_ns / 1000000000;
	k->st_mtime_nsec = st->mtime_ns % 1000000000;
	/* FAT keeps no change time: the last write stands for it. */
	k->st_ctime_sec = k->st_mtime_sec;
	k->st_ctime_nsec = k->st_mtime_nsec;
}

long
libc_fd_fstat(long fd, void *kst)
{
	struct libc_desc *d = libc_fd_get(fd);
	struct kstat *k = kst;
	struct toro_stat st;
	long r = 0;

	if (d == NULL)
		return -EBADF;
	if (d->kind == KIND_CONSOLE || d->kind == KIND_EPOLL ||
	    d->kind == KIND_DEV || LIBC_KERNEL_POLLED(d)) {
		memset(k, 0, sizeof(*k));
		/* An event counter is Linux's anonymous inode: no type. */
		k->st_mode = d->kind == KIND_CONSOLE ? S_IFCHR | 0620
		    : d->kind == KIND_DEV	     ? S_IFCHR | 0666
		    : d->kind == KIND_SOCKET	     ? S_IFSOCK | 0777
		    : d->kind == KIND_PIPE && d->type == PIPE_BYTES
		    ? S_IFIFO | 0600
		    : 0600;
		k->st_nlink = 1;
		k->st_blksize = 1024;
	} else if ((r = toro_fstat(d->handle, &st)) == 0)
		fill_stat(k, &st);
	libc_fd_put(d);
	return r;
}

long
libc_fd_stat(const char *path, void *kst)
{
	struct toro_stat st;
	long r;

	if ((r = toro_stat(path, &st)) == 0)
		fill_stat(kst, &st);
	return r;
}
