/*
 * fat_mount.c: a FAT16 volume as the VFS sees it: mounting, and the
 * operations on data and attributes (fat_ops.c has the namespace ones).
 *
 * Interface: fat_mount() (vfs.h) and the struct fs_ops it installs.
 * Mounting reads and checks the boot sector (fat_bpb.c), counts the
 * free clusters, and makes the root node, which lives as long as the
 * mount.
 *
 * Rules: storage thread only.  Attributes and times come from the short
 * entry in the cache, which fat_node_update() keeps current.
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"

static struct fat_vol *
vol_of(struct fs_node *n)
{
	return (struct fat_vol *)n->mnt;
}

static long
op_read(struct fs_node *n, uint64_t pos, void *buf, size_t len)
{
	return fat_file_read(vol_of(n), (struct fat_node *)n, pos, buf, len);
}

static size_t
op_lease(struct fs_node *n, uint64_t pos, const void **data)
{
	return fat_file_lease(vol_of(n), (struct fat_node *)n, pos, data);
}

static long
op_write(struct fs_node *n, uint64_t pos, const void *buf, size_t len)
{
	return fat_file_write(vol_of(n), (struct fat_node *)n, pos, buf, len);
}

static int
op_truncate(struct fs_node *n, uint64_t size)
{
	return fat_file_truncate(vol_of(n), (struct fat_node *)n, size);
}

static int
op_stat(struct fs_node *fn, struct toro_stat *st)
{
	struct fat_vol *v = vol_of(fn);
	struct fat_node *n = (struct fat_node *)fn;
	struct fs_buf *b;
	const uint8_t *e;
	int err;

	memset(st, 0, sizeof(*st));
	st->type = fn->dir ? TORO_S_IFDIR : TORO_S_IFREG;
	st->blksize = v->cs;
	st->mtime_ns = st->atime_ns = st->btime_ns = fat_time_ns(0, 0, 0);
	if (n->is_root) {
		st->attr = TORO_ATTR_DIRECTORY;
		return 0;
	}
	st->attr = n->attr & (FAT_ATTR_RO | FAT_ATTR_HIDDEN |
	    FAT_ATTR_SYSTEM | FAT_ATTR_DIR | FAT_ATTR_ARCHIVE);
	st->size = fn->dir ? 0 : n->size;
	st->blocks = (st->size + v->cs - 1) / v->cs * v->g.spc;
	if ((err = fat_bread(v, n->sector, 1, &b)) < 0)
		return err;
	e = b->data + n->off;
	st->mtime_ns = fat_time_ns(fat_le16(e + DE_MDATE),
	    fat_le16(e + DE_MTIME), 0);
	st->atime_ns = fat_time_ns(fat_le16(e + DE_ADATE), 0, 0);
	st->btime_ns = fat_time_ns(fat_le16(e + DE_CDATE),
	    fat_le16(e + DE_CTIME), e[DE_CTIME_TENTH]);
	fs_brelse(b);
	return 0;
}

static void
op_release(struct fs_node *fn)
{
	struct fat_node *n = (struct fat_node *)fn;

	if (!n->is_root)
		fat_node_free(vol_of(fn), n);
}

static int
op_sync(struct fs_mount *m)
{
	return fat_sync((struct fat_vol *)m);
}

static void
op_unmount(struct fs_mount *m)
{
	struct fat_vol *v = (struct fat_vol *)m;
	struct list *l;

	while ((l = list_pop_front(&v->nodes)) != NULL)
		toro_free(container_of(l, struct fat_node, link));
	fat_sync_fini(v);
	fs_binval(v->bdev);
	toro_free(v->root);
	toro_free(v);
}

static const struct fs_ops fat_ops = {
	.lookup = fat_op_lookup,
	.create = fat_op_create,
	.remove = fat_op_remove,
	.rename = fat_op_rename,
	.read = op_read,
	.lease = op_lease,
	.write = op_write,
	.truncate = op_truncate,
	.stat = op_stat,
	.readdir = fat_op_readdir,
	.release = op_release,
	.sync = op_sync,
	.unmount = op_unmount,
};

static bool
verbose(void)
{
	const char *l = lib_opt(LIB_OPT_LOGLEVEL);

	return l != NULL && (strcmp(l, "info") == 0 || strcmp(l, "debug") == 0);
}

int
fat_mount(struct fs_bdev *d, struct fs_mount **mp)
{
	struct fat_vol *v;
	struct fat_node *root;
	int err;

	v = toro_calloc(1, sizeof(*v));
	root = toro_calloc(1, sizeof(*root));
	if (v == NULL || root == NULL) {
		toro_free(v);
		toro_free(root);
		return -TORO_ENOMEM;
	}
	list_init(&v->nodes);
	v->bdev = d;
	v->mnt.dev = d->dev;
	v->mnt.read_only = d->read_only;
	if ((err = fat_bpb_read(d, &v->g)) == 0) {
		v->cs = v->g.spc * FAT_SECTOR;
		v->max_clus = v->g.nclus + 1;
		err = fat_count_free(v);
	}
	if (err == 0)
		err = fat_sync_init(v);
	if (err < 0) {
		fs_binval(d);
		toro_free(v);
		toro_free(root);
		return err;
	}
	root->fs.mnt = &v->mnt;
	root->fs.refs = 1;
	root->fs.dir = true;
	root->is_root = true;
	root->attr = FAT_ATTR_DIR;
	v->root = root;
	v->mnt.root = &root->fs;
	v->mnt.ops = &fat_ops;
	if (verbose())
		toro_printf("fat: disk %d: FAT16 \"%s\" at sector %llu, %u "
		    "clusters of %u bytes, %u free%s\n", d->dev, v->g.label,
		    (unsigned long long)v->g.base, v->g.nclus, v->cs,
		    v->free_clus, d->read_only ? ", read-only" : "");
	*mp = &v->mnt;
	return 0;
}
