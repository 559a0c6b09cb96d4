/*
 * dev.c: the devices of /dev a program expects: null, zero, full,
 * random, urandom, tty, stdin, stdout and stderr.
 *
 * Interface: libc_dev_open(), libc_dev_stat(), libc_dev_read() and
 * libc_dev_write() (toroc.h); fd.c hands KIND_DEV descriptors here.
 *
 * Rules: as Linux's.  /dev/null reads nothing and takes everything,
 * /dev/zero reads zeros, /dev/full reads zeros and is full (ENOSPC),
 * random and urandom read the kernel's generator (toro_random, which
 * never blocks) and take writes as Linux does (and drop them); tty is
 * the console; stdin, stdout and stderr are a dup() of 0, 1 and 2.
 * Any other /dev path is ENOENT: the disk has no /dev.  They are always
 * ready for poll.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "kstat.h"
#include "libc/toroc.h"
#include "toro/toro.h"

enum { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_TTY, DEV_FD };

static const struct {
	const char *name;
	int type, arg;
} devs[] = {
	{ "null", DEV_NULL, 0 },
	{ "zero", DEV_ZERO, 0 },
	{ "full", DEV_FULL, 0 },
	{ "random", DEV_RANDOM, 0 },
	{ "urandom", DEV_RANDOM, 0 },
	{ "tty", DEV_TTY, 0 },
	{ "stdin", DEV_FD, 0 },
	{ "stdout", DEV_FD, 1 },
	{ "stderr", DEV_FD, 2 },
};

/* The entry for a whole path under /dev, or -1 (-2: not /dev at all). */
static int
lookup(const char *path)
{
	size_t i;

	if (strncmp(path, "/dev/", 5) != 0)
		return strcmp(path, "/dev") == 0 ? -1 : -2;
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (strcmp(path + 5, devs[i].name) == 0)
			return (int)i;
	return -1;
}

long
libc_dev_open(const char *path, long flags)
{
	struct libc_desc *d;
	int i = lookup(path);
	long fd;

	if (i == -2)
		return LIBC_NOT_DEV;
	if (i < 0)
		return -ENOENT;
	if (devs[i].type == DEV_FD)
		return libc_fd_dup(devs[i].arg, 0, 0);
	if (devs[i].type == DEV_TTY)
		return libc_fd_dup(0, 0, 0); /* the console's */
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if ((d = toro_calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	d->kind = KIND_DEV;
	d->type = devs[i].type;
	d->handle = -1;
	d->flags = (int)flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
	if ((fd = libc_fd_install(d, 0)) < 0) {
		d->refs = 1;
		libc_fd_put(d);
	}
	return fd;
}

long
libc_dev_stat(const char *path, void *kst)
{
	struct kstat *k = kst;
	int i = lookup(path);

	if (i == -2)
		return LIBC_NOT_DEV;
	memset(k, 0, sizeof(*k));
	k->st_nlink = 1;
	k->st_blksize = 4096;
	k->st_mode = i < 0 ? S_IFDIR | 0755 : S_IFCHR | 0666;
	return i == -1 && strcmp(path, "/dev") != 0 ? -ENOENT : 0;
}

long
libc_dev_read(const struct libc_desc *d, void *buf, size_t n)
{
	switch (d->type) {
	case DEV_NULL:
		return 0;
	case DEV_RANDOM:
		toro_random(buf, n);
		return (long)n;
	}
	memset(buf, 0, n);
	return (long)n;
}

long
libc_dev_write(const struct libc_desc *d, const void *buf, size_t n)
{
	return d->type == DEV_FULL ? -ENOSPC : (long)n;
}
