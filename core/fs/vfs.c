/*
 * vfs.c: the namespace: mount points and path resolution, and the calls
 * that work on names (mkdir, rmdir, unlink, rename, stat, sync, mount).
 *
 * Interface: vfs.h.  A path is split into components, "." and ".." are
 * resolved by name, and the mount with the longest matching path takes
 * the rest, which is looked up one component at a time from its root.
 * Mount points need no directory under them: a mount hides whatever has
 * its path in the volume below.
 *
 * Rules: storage thread only.  Every node a walk holds is dropped on
 * every path out, but the last parent directory found (see `parent`).  The
 * caller's strings are copied in with lib_caller_string(), so that a bad
 * pointer is -TORO_EFAULT and not a fault of the storage thread.
 */
#include "core/fs/bcache.h"
#include "core/fs/vfs.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"

static struct fs_mount *mounts[FS_MOUNT_MAX];
static struct fs_bdev disks[FS_DISK_MAX];
static int disk_ids[FS_DISK_MAX], ndisks;

/*
 * The directory the last fs_lookup_parent() walked to, held, and what
 * the walk was: the text before the last component, the mount, where in
 * the path the walk began.  The same text walks to the same directory
 * until a rename, an rmdir, a mount or an umount changes the namespace,
 * and each of those forgets it first; so a run of calls in one
 * directory walks its path once.
 */
static struct {
	struct fs_node *dir; /* NULL: none */
	struct fs_mount *m;
	int skip;
	size_t len;
	char text[TORO_PATH_MAX];
} parent;

void
fs_node_hold(struct fs_node *n)
{
	n->refs++;
}

void
fs_node_drop(struct fs_node *n)
{
	if (--n->refs == 0)
		n->mnt->ops->release(n);
}

static void
forget_parent(void)
{
	if (parent.dir != NULL)
		fs_node_drop(parent.dir);
	parent.dir = NULL;
}

/* Is p's directory part, from m's root at component skip, the last? */
static bool
same_parent(const struct fs_path *p, struct fs_mount *m, int skip)
{
	size_t len = p->off[p->n - 1];

	return parent.dir != NULL && parent.m == m && parent.skip == skip &&
	    parent.len == len && memcmp(parent.text, p->buf, len) == 0;
}

static void
remember_parent(
    const struct fs_path *p, struct fs_mount *m, int skip, struct fs_node *dir)
{
	forget_parent();
	fs_node_hold(dir);
	parent.dir = dir;
	parent.m = m;
	parent.skip = skip;
	parent.len = p->off[p->n - 1];
	memcpy(parent.text, p->buf, parent.len);
}

static int
parse(const char *s, struct fs_path *p)
{
	size_t len, i, start;
	long got;

	/* The caller's string: a bad pointer is an error, not a fault. */
	if ((got = lib_caller_string(p->buf, s, sizeof(p->buf))) < 0)
		return (int)got;
	if ((len = (size_t)got) == 0)
		return -TORO_ENOENT;
	p->n = 0;
	p->slash = p->buf[len - 1] == '/';
	for (i = 0; i < len;) {
		while (i < len && p->buf[i] == '/')
			i++;
		for (start = i; i < len && p->buf[i] != '/'; i++)
			;
		if (i == start || (i - start == 1 && p->buf[start] == '.'))
			continue;
		if (i - start == 2 && p->buf[start] == '.' &&
		    p->buf[start + 1] == '.') {
			if (p->n > 0)
				p->n--;
			continue;
		}
		p->off[p->n] = (uint16_t)start;
		p->len[p->n] = (uint16_t)(i - start);
		p->n++;
	}
	return 0;
}

/* How many of p's components mount m's path takes, or -1. */
static int
mount_match(const struct fs_mount *m, const struct fs_path *p)
{
	const char *s = m->path;
	size_t l;
	int k = 0;

	while (*s == '/') {
		s++;
		if (*s == '\0')
			break;
		for (l = 0; s[l] != '\0' && s[l] != '/'; l++)
			;
		if (k >= p->n || p->len[k] != l ||
		    memcmp(p->buf + p->off[k], s, l) != 0)
			return -1;
		s += l;
		k++;
	}
	return k;
}

static struct fs_mount *
which_mount(const struct fs_path *p, int *skip)
{
	struct fs_mount *best = NULL;
	int i, k;

	*skip = -1;
	for (i = 0; i < FS_MOUNT_MAX; i++)
		if (mounts[i] != NULL &&
		    (k = mount_match(mounts[i], p)) > *skip) {
			*skip = k;
			best = mounts[i];
		}
	return best;
}

/* Walk components [from, upto) of p from m's root; *np is held. */
static int
walk(struct fs_mount *m, const struct fs_path *p, int from, int upto,
    struct fs_node **np)
{
	struct fs_node *n = m->root, *next;
	int err, i;

	fs_node_hold(n);
	for (i = from; i < upto; i++) {
		if (!n->dir) {
			fs_node_drop(n);
			return -TORO_ENOTDIR;
		}
		err = m->ops->lookup(n, p->buf + p->off[i], p->len[i], &next);
		fs_node_drop(n);
		if (err < 0)
			return err;
		n = next;
	}
	*np = n;
	return 0;
}

int
fs_lookup(const char *path, struct fs_node **np)
{
	struct fs_path *p;
	struct fs_mount *m;
	int skip, err;

	if ((p = toro_malloc(sizeof(*p))) == NULL)
		return -TORO_ENOMEM;
	if ((err = parse(path, p)) == 0) {
		if ((m = which_mount(p, &skip)) == NULL)
			err = -TORO_ENOENT;
		else
			err = walk(m, p, skip, p->n, np);
		if (err == 0 && p->slash && !(*np)->dir) {
			fs_node_drop(*np);
			err = -TORO_ENOTDIR;
		}
	}
	toro_free(p);
	return err;
}

/*
 * The parent directory of p's last component, held; -TORO_EBUSY when p
 * names a mount's root, which has no parent here.
 */
int
fs_lookup_parent(const char *path, struct fs_path *p, struct fs_node **dp)
{
	struct fs_mount *m;
	int skip, err;

	if ((err = parse(path, p)) < 0)
		return err;
	if ((m = which_mount(p, &skip)) == NULL)
		return -TORO_ENOENT;
	if (skip == p->n)
		return -TORO_EBUSY;
	if (same_parent(p, m, skip)) {
		fs_node_hold(parent.dir);
		*dp = parent.dir;
		return 0;
	}
	if ((err = walk(m, p, skip, p->n - 1, dp)) < 0)
		return err;
	if (!(*dp)->dir) {
		/* Nothing held, and nothing for the caller to drop. */
		fs_node_drop(*dp);
		*dp = NULL;
		return -TORO_ENOTDIR;
	}
	remember_parent(p, m, skip, *dp);
	return 0;
}

const char *
fs_path_last(const struct fs_path *p, size_t *len)
{
	*len = p->len[p->n - 1];
	return p->buf + p->off[p->n - 1];
}

/* mkdir, rmdir and unlink: an operation on a parent and a name. */
long
fs_name_op(struct fs_req *r)
{
	struct fs_node *dir, *n;
	struct fs_path *p;
	const char *name;
	size_t len;
	int err;

	if ((p = toro_malloc(sizeof(*p))) == NULL)
		return -TORO_ENOMEM;
	if ((err = fs_lookup_parent(r->path, p, &dir)) < 0) {
		toro_free(p);
		return err == -TORO_EBUSY && r->op == FS_OP_MKDIR ?
		    -TORO_EEXIST : err;
	}
	name = fs_path_last(p, &len);
	/* The directory removed may be the one remembered (and held). */
	if (r->op == FS_OP_RMDIR)
		forget_parent();
	if (dir->mnt->read_only)
		err = -TORO_EROFS;
	else if (r->op == FS_OP_MKDIR) {
		err = dir->mnt->ops->create(dir, name, len, true, &n);
		if (err == 0)
			fs_node_drop(n);
	} else if (r->op == FS_OP_UNLINK && p->slash)
		err = -TORO_ENOTDIR;
	else
		err = dir->mnt->ops->remove(dir, name, len,
		    r->op == FS_OP_RMDIR);
	fs_node_drop(dir);
	toro_free(p);
	return err;
}

long
fs_rename(struct fs_req *r)
{
	struct fs_node *od = NULL, *nd = NULL;
	struct fs_path *op, *np;
	const char *on, *nn;
	size_t ol, nl;
	int err;

	op = toro_malloc(sizeof(*op));
	np = toro_malloc(sizeof(*np));
	if (op == NULL || np == NULL)
		err = -TORO_ENOMEM;
	else if ((err = fs_lookup_parent(r->path, op, &od)) == 0 &&
	    (err = fs_lookup_parent(r->path2, np, &nd)) == 0) {
		on = fs_path_last(op, &ol);
		nn = fs_path_last(np, &nl);
		forget_parent();
		if (od->mnt != nd->mnt)
			err = -TORO_EXDEV; /* moving there is a copy */
		else if (od->mnt->read_only)
			err = -TORO_EROFS;
		else
			err = od->mnt->ops->rename(od, on, ol, nd, nn, nl);
	}
	if (od != NULL)
		fs_node_drop(od);
	if (nd != NULL)
		fs_node_drop(nd);
	toro_free(op);
	toro_free(np);
	return err;
}

long
fs_sync_mounts(struct fs_mount *only)
{
	int i, err, first = 0;

	for (i = 0; i < FS_MOUNT_MAX; i++)
		if (mounts[i] != NULL && (only == NULL || mounts[i] == only) &&
		    (err = mounts[i]->ops->sync(mounts[i])) < 0 && first == 0)
			first = err;
	return first;
}

/* The file system of disk dev, opened for this CPU once. */
static int
disk(int dev, struct fs_bdev **dp)
{
	int i, err;

	for (i = 0; i < ndisks; i++)
		if (disk_ids[i] == dev) {
			*dp = &disks[i];
			return 0;
		}
	if (ndisks == FS_DISK_MAX)
		return -TORO_EBUSY;
	if ((err = fs_bdev_open(&disks[ndisks], dev)) < 0)
		return err;
	disk_ids[ndisks] = dev;
	*dp = &disks[ndisks++];
	return 0;
}

/* The normal form of a mount path: "/" or "/a/b". */
static int
mount_path(const char *path, char *out, size_t size)
{
	struct fs_path *p;
	size_t o = 0;
	int i, err;

	if ((p = toro_malloc(sizeof(*p))) == NULL)
		return -TORO_ENOMEM;
	if ((err = parse(path, p)) < 0)
		goto out;
	for (i = 0; i < p->n; i++) {
		if (o + 1 + p->len[i] >= size) {
			err = -TORO_ENAMETOOLONG;
			goto out;
		}
		out[o++] = '/';
		memcpy(out + o, p->buf + p->off[i], p->len[i]);
		o += p->len[i];
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
out:
	toro_free(p);
	return err;
}

long
fs_mount_op(int dev, const char *path)
{
	struct fs_mount *m;
	struct fs_bdev *d;
	char where[sizeof(m->path)];
	int i, slot = -1, err;

	if ((err = mount_path(path, where, sizeof(where))) < 0)
		return err;
	/* A new mount may hide the directory remembered. */
	forget_parent();
	for (i = 0; i < FS_MOUNT_MAX; i++) {
		if (mounts[i] == NULL) {
			if (slot < 0)
				slot = i;
		} else if (mounts[i]->dev == dev ||
		    strcmp(mounts[i]->path, where) == 0)
			return -TORO_EBUSY;
	}
	if (slot < 0)
		return -TORO_EBUSY;
	if ((err = disk(dev, &d)) < 0 || (err = fat_mount(d, &m)) < 0)
		return err;
	memcpy(m->path, where, sizeof(where));
	mounts[slot] = m;
	return 0;
}

long
fs_umount_op(const char *path)
{
	struct fs_mount *m = NULL;
	char where[sizeof(m->path)];
	int i, err;

	if ((err = mount_path(path, where, sizeof(where))) < 0)
		return err;
	for (i = 0; i < FS_MOUNT_MAX; i++)
		if (mounts[i] != NULL && strcmp(mounts[i]->path, where) == 0)
			m = mounts[i];
	if (m == NULL)
		return -TORO_EINVAL;
	/* Its node goes with the volume. */
	forget_parent();
	if (fs_files_on(m))
		return -TORO_EBUSY;
	if ((err = m->ops->sync(m)) < 0)
		return err;
	for (i = 0; i < FS_MOUNT_MAX; i++)
		if (mounts[i] == m)
			mounts[i] = NULL;
	m->ops->unmount(m);
	return 0;
}
