/*
 * unlinked.c: open files without a name: unlink() of an open file, and
 * tmpfile().
 *
 * Interface: libc_unlink() (SYS_unlink, SYS_unlinkat), libc_unlinked_reap()
 * (fd.c, after the last close of a file), libc_unlinked_exit()
 * (exit_group), tmpfile().
 *
 * Rules: the kernel refuses to remove an open file (-EBUSY).  Its name
 * is then renamed at once to a hidden one in the root folder
 * (/.toro-unlinked.N; the kernel lets an open file be renamed), so it
 * is gone from its folder, as POSIX says, and readers and writers keep
 * it; the hidden file is removed once the last descriptor of it is
 * closed, or when the program exits, which closes its files first.
 * tmpfile() opens such a hidden file directly (musl's would create it
 * in /tmp, which a FAT disk rarely has).  A machine stopped
 * otherwise (toro_poweroff, a crash) leaves the hidden file on the disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "libc/toroc.h"
#include "toro/toro.h"

#define PENDING_MAX 32
#define NAME_LEN 32

static unsigned pending[PENDING_MAX]; /* 0: a free slot */
static int npending;
static unsigned next_id;
static int lock;

static void
hidden_name(char *buf, unsigned id)
{
	snprintf(buf, NAME_LEN, "/.toro-unlinked.%u", id);
}

/* A slot and a fresh number for a hidden file, or 0 when all are taken. */
static unsigned
take_id(void)
{
	unsigned id = 0;
	int i;

	libc_lock(&lock);
	for (i = 0; i < PENDING_MAX; i++)
		if (pending[i] == 0) {
			id = pending[i] = ++next_id;
			npending++;
			break;
		}
	libc_unlock(&lock);
	return id;
}

static void
drop_id(unsigned id)
{
	int i;

	libc_lock(&lock);
	for (i = 0; i < PENDING_MAX; i++)
		if (pending[i] == id) {
			pending[i] = 0;
			npending--;
		}
	libc_unlock(&lock);
}

/*
 * A hidden name of a previous run (stopped before it could remove it)
 * is in the way: renaming replaces it, unless it is open here (-EBUSY),
 * and then the next number serves.
 */
long
libc_unlink(const char *path)
{
	char name[NAME_LEN];
	unsigned id;
	long err;
	int try;

	if ((err = toro_unlink(path)) != -EBUSY)
		return err;
	for (try = 0; try < 4; try++) {
		if ((id = take_id()) == 0)
			return -EBUSY;
		hidden_name(name, id);
		if ((err = toro_rename(path, name)) == 0)
			return 0;
		drop_id(id);
		if (err != -EBUSY)
			break;
	}
	return err;
}

/* Remove the hidden files that are no longer open. */
void
libc_unlinked_reap(void)
{
	char name[NAME_LEN];
	unsigned id;
	long err;
	int i;

	if (npending == 0)
		return;
	for (i = 0; i < PENDING_MAX; i++) {
		if ((id = pending[i]) == 0)
			continue;
		hidden_name(name, id);
		err = toro_unlink(name);
		if (err == 0 || err == -ENOENT)
			drop_id(id);
	}
}

/* The program ends: its files close, its hidden ones go. */
void
libc_unlinked_exit(void)
{
	if (npending == 0)
		return;
	libc_fd_close_files();
	libc_unlinked_reap();
}

FILE *
tmpfile(void)
{
	char name[NAME_LEN];
	unsigned id;
	FILE *f;
	long fd;

	int try;

	/* O_TRUNC: a stale hidden file of a previous run is emptied. */
	for (try = 0; try < 4; try++) {
		if ((id = take_id()) == 0) {
			errno = EMFILE;
			return NULL;
		}
		hidden_name(name, id);
		fd = libc_fd_open(name, O_RDWR | O_CREAT | O_TRUNC);
		if (fd >= 0)
			break;
		drop_id(id);
		if (fd != -EBUSY) {
			errno = (int)-fd;
			return NULL;
		}
	}
	if (fd < 0) {
		errno = EBUSY;
		return NULL;
	}
	if ((f = fdopen((int)fd, "w+")) == NULL)
		close((int)fd); /* reaps it */
	return f;
}
