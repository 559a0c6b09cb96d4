/*
 * handle.c: open files and directories, and fs_exec(), which runs one
 * request in the storage thread.
 *
 * Interface: vfs.h (fs_exec, fs_files_on).  Files and directories share
 * one table; a descriptor is TORO_FD_FILE_BASE plus the slot.  A handle
 * holds its node, so every handle on a file shares the file's size and
 * clusters; the handle keeps only its position and flags.
 *
 * A read that leaves the position where the disk's bytes lie in memory
 * (fs_ops.lease) lends the caller the next ones (vfs.h, struct
 * fs_lease): its next reads copy them on its own CPU, with no request.
 * The lease is revoked before any call on the descriptor (file_of), any
 * call that may change a file's data (fs_exec), and the reuse of the
 * memory (bstream.c, fs_stream_unlease).
 *
 * Rules: storage thread only.  The caller's buffers are read and written
 * in place (the caller sleeps until the answer, so they hold still), but
 * only through hal_copy() or once lib_caller_check() has passed them: a
 * bad pointer is -TORO_EFAULT, with the position and the listing as
 * they were, and never a fault of the storage thread.
 */
#include "core/fs/bcache.h"
#include "core/fs/vfs.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"
#include "toro/thread.h"

struct fs_file {
	struct fs_node *node; /* NULL: a free slot */
	uint64_t pos;
	int flags;
	bool listing; /* opened by toro_opendir */
	uint32_t cookie[4];
};

static struct fs_file files[FS_FILE_MAX];
static int leased; /* leases granted and not yet revoked */

/*
 * Take slot's lease back: the reader's copy, if one runs, ends first,
 * and the position it reached becomes the handle's.
 */
static void
revoke(int slot)
{
	struct fs_lease *l = &fs_leases[slot];
	int old =
	    __atomic_fetch_or(&l->state, FS_LEASE_REVOKED, __ATOMIC_ACQUIRE);

	if (old & FS_LEASE_HELD) {
		/* A copy on another CPU (one on this CPU never yields). */
		while (__atomic_load_n(&l->state, __ATOMIC_ACQUIRE) &
		    FS_LEASE_BUSY)
			toro_yield();
		files[slot].pos = l->pos;
		leased--;
	}
	__atomic_store_n(&l->state, 0, __ATOMIC_RELAXED);
}

/* Does l lend bytes of [from, from + len)? */
static bool
lends(const struct fs_lease *l, const uint8_t *from, size_t len)
{
	const struct fs_span *s;
	int i;

	for (i = 0; i < l->nspan; i++) {
		s = &l->span[i];
		if (s->data < from + len && from < s->data + (s->end - s->base))
			return true;
	}
	return false;
}

/* Revoke the leases over [from, from + len), or all of them (NULL). */
static void
revoke_over(const uint8_t *from, size_t len)
{
	struct fs_lease *l;
	int i;

	for (i = 0; i < FS_FILE_MAX && leased > 0; i++) {
		l = &fs_leases[i];
		if (__atomic_load_n(&l->state, __ATOMIC_RELAXED) != 0 &&
		    (from == NULL || lends(l, from, len)))
			revoke(i);
	}
}

/* Lend the caller the bytes after f's position, where they lie in memory. */
static void
grant(struct fs_file *f)
{
	struct fs_lease *l = &fs_leases[f - files];
	uint64_t pos = f->pos;
	const void *data;
	size_t n;

	if (f->node->mnt->ops->lease == NULL)
		return;
	/* Windows one after another in the file, while they are ready. */
	for (l->nspan = 0; l->nspan < FS_LEASE_SPANS; l->nspan++) {
		if ((n = f->node->mnt->ops->lease(f->node, pos, &data)) == 0)
			break;
		l->span[l->nspan].base = pos;
		l->span[l->nspan].end = pos + n;
		l->span[l->nspan].data = data;
		pos += n;
	}
	if (l->nspan == 0)
		return;
	fs_stream_unlease = revoke_over;
	l->pos = f->pos;
	l->end = pos;
	leased++;
	__atomic_store_n(&l->state, FS_LEASE_HELD, __ATOMIC_RELEASE);
}

static struct fs_file *
file_of(int fd)
{
	struct fs_file *f;

	if (!TORO_FD_IS_FILE(fd) || fd - TORO_FD_FILE_BASE >= FS_FILE_MAX)
		return NULL;
	f = &files[fd - TORO_FD_FILE_BASE];
	if (__atomic_load_n(&fs_leases[f - files].state, __ATOMIC_RELAXED) != 0)
		revoke((int)(f - files));
	return f->node != NULL ? f : NULL;
}

static int
free_slot(void)
{
	int i;

	for (i = 0; i < FS_FILE_MAX; i++)
		if (files[i].node == NULL)
			return i;
	return -TORO_ENFILE;
}

static int
install(int slot, struct fs_node *n, int flags, bool listing)
{
	struct fs_file *f = &files[slot];

	memset(f, 0, sizeof(*f));
	f->node = n;
	f->flags = flags;
	f->listing = listing;
	return TORO_FD_FILE_BASE + slot;
}

#define OPEN_FLAGS (TORO_O_ACCMODE | TORO_O_CREAT | TORO_O_EXCL | \
	TORO_O_TRUNC | TORO_O_APPEND)

/* Find or create (*made) the file of an open; *np is held. */
static int
open_node(const char *path, int flags, struct fs_node **np, bool *made)
{
	struct fs_node *dir;
	struct fs_path *p;
	const char *name;
	size_t len;
	int err;

	if ((p = toro_malloc(sizeof(*p))) == NULL)
		return -TORO_ENOMEM;
	err = fs_lookup_parent(path, p, &dir);
	if (err == -TORO_EBUSY) {
		/* A mount's root: open it as a directory. */
		err = fs_lookup(path, np);
		goto out;
	}
	if (err < 0)
		goto out;
	name = fs_path_last(p, &len);
	if ((flags & TORO_O_CREAT) && !p->slash && !dir->mnt->read_only) {
		/* One pass over the directory: a new file, or the one there. */
		err = dir->mnt->ops->create(dir, name, len, false, np);
		*made = err == 0;
		if (err != -TORO_EEXIST || *np == NULL)
			goto done;
		err = 0;
	} else
		err = dir->mnt->ops->lookup(dir, name, len, np);
	if (err == 0 && (flags & TORO_O_CREAT) && (flags & TORO_O_EXCL)) {
		fs_node_drop(*np);
		err = -TORO_EEXIST;
	} else if (err == 0 && p->slash && !(*np)->dir) {
		fs_node_drop(*np);
		err = -TORO_ENOTDIR;
	} else if (err == -TORO_ENOENT && (flags & TORO_O_CREAT)) {
		if (p->slash)
			err = -TORO_EISDIR;
		else if (dir->mnt->read_only)
			err = -TORO_EROFS;
		else if ((err = dir->mnt->ops->create(
			      dir, name, len, false, np)) == 0)
			*made = true;
	}
done:
	fs_node_drop(dir);
out:
	toro_free(p);
	return err;
}

static long
do_open(const char *path, int flags)
{
	int acc = flags & TORO_O_ACCMODE, slot, err;
	bool writing = acc != TORO_O_RDONLY;
	struct toro_stat st;
	struct fs_node *n;
	bool made = false;

	if (acc == TORO_O_ACCMODE || (flags & ~OPEN_FLAGS) != 0 ||
	    ((flags & TORO_O_TRUNC) && !writing))
		return -TORO_EINVAL;
	if ((slot = free_slot()) < 0)
		return slot;
	if ((err = open_node(path, flags, &n, &made)) < 0)
		return err;
	/* A file just made is empty and writable: nothing to look at. */
	if (made)
		return install(slot, n, flags, false);
	if (n->dir && writing)
		err = -TORO_EISDIR;
	else if (writing && n->mnt->read_only)
		err = -TORO_EROFS;
	else if (writing && (err = n->mnt->ops->stat(n, &st)) == 0 &&
	    (st.attr & TORO_ATTR_READONLY))
		err = -TORO_EACCES;
	if (err == 0 && (flags & TORO_O_TRUNC))
		err = n->mnt->ops->truncate(n, 0);
	if (err < 0) {
		fs_node_drop(n);
		return err;
	}
	return install(slot, n, flags, false);
}

static long
do_opendir(const char *path)
{
	struct fs_node *n;
	int slot, err;

	if ((slot = free_slot()) < 0)
		return slot;
	if ((err = fs_lookup(path, &n)) < 0)
		return err;
	if (!n->dir) {
		fs_node_drop(n);
		return -TORO_ENOTDIR;
	}
	return install(slot, n, TORO_O_RDONLY, true);
}

/* The file r reads or writes, or NULL with *err; r->len capped. */
static struct fs_file *
rw_file(struct fs_req *r, bool write, long *err)
{
	struct fs_file *f = file_of(r->fd);
	int acc;

	*err = -TORO_EBADF;
	if (f == NULL || f->listing)
		return NULL;
	acc = f->flags & TORO_O_ACCMODE;
	if (write ? acc == TORO_O_RDONLY : acc == TORO_O_WRONLY)
		return NULL;
	*err = -TORO_EISDIR;
	if (f->node->dir)
		return NULL;
	*err = -TORO_EFAULT;
	if (r->buf == NULL && r->len > 0)
		return NULL;
	if (r->len > (size_t)INT32_MAX)
		r->len = INT32_MAX;
	/*
	 * The buffer is checked whole before the position or the file can
	 * change: the volume copies into it, or a device moves sectors to
	 * or from it, where a bad page could not fail the call.
	 */
	if ((*err = lib_caller_check(r->buf, r->len, !write)) < 0)
		return NULL;
	return f;
}

/* At the file position, or at r->off for pread and pwrite. */
static long
do_rw(struct fs_req *r, bool write, bool at_off)
{
	struct toro_stat st;
	struct fs_file *f;
	uint64_t pos;
	long n;
	int err;

	if ((f = rw_file(r, write, &n)) == NULL)
		return n;
	if (at_off && r->off < 0)
		return -TORO_EINVAL;
	pos = at_off ? (uint64_t)r->off : f->pos;
	/* As Linux: an O_APPEND file takes every write at its end. */
	if (write && (f->flags & TORO_O_APPEND)) {
		if ((err = f->node->mnt->ops->stat(f->node, &st)) < 0)
			return err;
		pos = st.size;
	}
	if (write)
		n = f->node->mnt->ops->write(f->node, pos, r->buf, r->len);
	else
		n = f->node->mnt->ops->read(f->node, pos, r->buf, r->len);
	/* pread and pwrite leave the position as it was, and lend nothing. */
	if (n > 0 && !at_off)
		f->pos = pos + (uint64_t)n;
	if (n > 0 && !write && !at_off)
		grant(f);
	return n;
}

static long
do_lseek(struct fs_req *r)
{
	struct fs_file *f = file_of(r->fd);
	struct toro_stat st;
	int64_t base;
	int err;

	if (f == NULL || f->listing)
		return -TORO_EBADF;
	if (f->node->dir)
		return -TORO_EISDIR;
	switch (r->flags) {
	case TORO_SEEK_SET:
		base = 0;
		break;
	case TORO_SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case TORO_SEEK_END:
		if ((err = f->node->mnt->ops->stat(f->node, &st)) < 0)
			return err;
		base = (int64_t)st.size;
		break;
	default:
		return -TORO_EINVAL;
	}
	if ((r->off < 0 && base + r->off < 0) ||
	    (r->off > 0 && base > INT64_MAX - r->off))
		return -TORO_EINVAL;
	f->pos = (uint64_t)(base + r->off);
	return (long)f->pos;
}

static long
do_close(int fd, bool listing_only)
{
	struct fs_file *f = file_of(fd);

	if (f == NULL || (listing_only && !f->listing))
		return -TORO_EBADF;
	fs_node_drop(f->node);
	f->node = NULL;
	return 0;
}

static long
do_stat(struct fs_req *r)
{
	struct fs_file *f;
	struct fs_node *n;
	struct toro_stat st;
	int err;

	if (r->op == FS_OP_FSTAT) {
		if ((f = file_of(r->fd)) == NULL)
			return -TORO_EBADF;
		err = f->node->mnt->ops->stat(f->node, &st);
	} else {
		if ((err = fs_lookup(r->path, &n)) < 0)
			return err;
		err = n->mnt->ops->stat(n, &st);
		fs_node_drop(n);
	}
	if (err == 0 && hal_copy(r->st, &st, sizeof(st)) < 0)
		err = -TORO_EFAULT;
	return err;
}

/* The next entry of a listing, into the caller's de. */
static long
do_readdir(struct fs_req *r)
{
	struct fs_file *f = file_of(r->fd);
	struct toro_dirent de;
	int err;

	if (f == NULL || !f->listing)
		return -TORO_EBADF;
	/* A bad de must not cost the listing an entry. */
	if ((err = lib_caller_check(r->de, sizeof(*r->de), true)) < 0)
		return err;
	err = f->node->mnt->ops->readdir(f->node, f->cookie, &de);
	if (err > 0 && hal_copy(r->de, &de, sizeof(de)) < 0)
		err = -TORO_EFAULT;
	return err;
}

/* Can r change what a lent byte should read? */
static bool
changes_data(const struct fs_req *r)
{
	switch (r->op) {
	case FS_OP_READ:
	case FS_OP_PREAD:
	case FS_OP_LSEEK:
	case FS_OP_CLOSE:
	case FS_OP_STAT:
	case FS_OP_FSTAT:
	case FS_OP_OPENDIR:
	case FS_OP_READDIR:
	case FS_OP_CLOSEDIR:
	case FS_OP_SYNC:
	case FS_OP_FSYNC:
		return false;
	case FS_OP_OPEN:
		return (r->flags & (TORO_O_ACCMODE | TORO_O_TRUNC)) !=
		    TORO_O_RDONLY;
	default:
		return true;
	}
}

long
fs_exec(struct fs_req *r)
{
	struct fs_file *f;

	if (leased > 0 && changes_data(r))
		revoke_over(NULL, 0);
	switch (r->op) {
	case FS_OP_OPEN:
		return do_open(r->path, r->flags);
	case FS_OP_READ:
		return do_rw(r, false, false);
	case FS_OP_WRITE:
		return do_rw(r, true, false);
	case FS_OP_PREAD:
		return do_rw(r, false, true);
	case FS_OP_PWRITE:
		return do_rw(r, true, true);
	case FS_OP_LSEEK:
		return do_lseek(r);
	case FS_OP_FTRUNCATE:
		if ((f = file_of(r->fd)) == NULL || f->listing ||
		    (f->flags & TORO_O_ACCMODE) == TORO_O_RDONLY)
			return -TORO_EBADF;
		if (r->off < 0)
			return -TORO_EINVAL;
		return f->node->mnt->ops->truncate(f->node, (uint64_t)r->off);
	case FS_OP_CLOSE:
		return do_close(r->fd, false);
	case FS_OP_CLOSEDIR:
		return do_close(r->fd, true);
	case FS_OP_STAT:
	case FS_OP_FSTAT:
		return do_stat(r);
	case FS_OP_OPENDIR:
		return do_opendir(r->path);
	case FS_OP_READDIR:
		return do_readdir(r);
	case FS_OP_MKDIR:
	case FS_OP_RMDIR:
	case FS_OP_UNLINK:
		return fs_name_op(r);
	case FS_OP_RENAME:
		return fs_rename(r);
	case FS_OP_SYNC:
		return fs_sync_mounts(NULL);
	case FS_OP_FSYNC:
		if ((f = file_of(r->fd)) == NULL)
			return -TORO_EBADF;
		return fs_sync_mounts(f->node->mnt);
	case FS_OP_MOUNT:
		return fs_mount_op(r->fd, r->path);
	case FS_OP_UMOUNT:
		return fs_umount_op(r->path);
	}
	return -TORO_EINVAL;
}

bool
fs_files_on(struct fs_mount *m)
{
	int i;

	for (i = 0; i < FS_FILE_MAX; i++)
		if (files[i].node != NULL && files[i].node->mnt == m)
			return true;
	return false;
}
