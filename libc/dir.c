/*
 * dir.c: directory listings in the form getdents64 gives them.
 *
 * Interface: libc_dir_getdents(), for fd.c's directory descriptors, so
 * that musl's opendir, readdir and closedir work unchanged.
 *
 * Rules: the kernel hands out one entry at a time; an entry that does
 * not fit in the caller's buffer waits in *pending for the next call.
 * "." and ".." are not listed (the kernel leaves them out); inode
 * numbers are the entries' positions, from 1, since FAT has none.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "libc/toroc.h"
#include "toro/toro.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

long
libc_dir_getdents(
    int handle, struct toro_dirent **pending, long *pos, void *buf, size_t n)
{
	struct linux_dirent64 *d;
	struct toro_dirent *de;
	size_t used = 0, len, reclen;
	int r;

	for (;;) {
		if ((de = *pending) == NULL) {
			if ((de = toro_malloc(sizeof(*de))) == NULL)
				return used > 0 ? (long)used : -ENOMEM;
			if ((r = toro_readdir(handle, de)) <= 0) {
				toro_free(de);
				return used > 0 ? (long)used : r;
			}
		}
		len = strlen(de->name);
		reclen =
		    (offsetof(struct linux_dirent64, d_name) + len + 1 + 7) &
		    ~(size_t)7;
		if (used + reclen > n) {
			*pending = de;
			return used > 0 ? (long)used : -EINVAL;
		}
		d = (struct linux_dirent64 *)((char *)buf + used);
		/* Room the caller cannot give keeps the entry for later. */
		if (toro_copy(d, d, reclen) < 0) {
			*pending = de;
			return used > 0 ? (long)used : -EFAULT;
		}
		d->d_ino = (uint64_t)++ * pos;
		d->d_off = *pos;
		d->d_reclen = (unsigned short)reclen;
		d->d_type = de->type == TORO_S_IFDIR ? DT_DIR : DT_REG;
		memcpy(d->d_name, de->name, len + 1);
		used += reclen;
		toro_free(de);
		*pending = NULL;
	}
}
