/*
 * fat_ops.c: the namespace operations of a FAT16 volume: lookup,
 * create (files and directories), remove, rename, and listing.
 *
 * Interface: fat_op_* (fat.h), installed in struct fs_ops by
 * fat_mount.c.  Every change is ordered so that a failure half-way
 * (a full disk) leaves nothing half-linked: a new directory's cluster
 * is ready before its entry names it; an entry is unlinked before its
 * clusters are freed; a rename adds the new entry before it removes the
 * old one, and puts a replaced target back if it cannot.
 *
 * Rules: storage thread only.  A node in use (open) cannot be removed or
 * replaced (-TORO_EBUSY); an open file may be renamed, and its node
 * follows its entry.
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"
#include "toro/errno.h"

struct name16 {
	uint16_t u[FAT_NAME_MAX + 1];
	int n;
};

static struct fat_vol *
vol_of(struct fs_node *n)
{
	return (struct fat_vol *)n->mnt;
}

static uint32_t
dclus_of(struct fs_node *dir)
{
	return fat_node_dclus((struct fat_node *)dir);
}

static int
to16(const char *name, size_t len, struct name16 *nm)
{
	return fat_name_from_utf8(name, len, nm->u, &nm->n);
}

int
fat_op_lookup(struct fs_node *dir, const char *name, size_t len,
    struct fs_node **np)
{
	struct fat_vol *v = vol_of(dir);
	struct fat_dirent de;
	struct fat_node *n;
	struct name16 nm;
	int err;

	if ((err = to16(name, len, &nm)) < 0)
		return err;
	if ((err = fat_dir_lookup(v, dclus_of(dir), nm.u, nm.n, &de)) < 0)
		return err;
	if ((err = fat_node_get(v, dclus_of(dir), &de, &n)) < 0)
		return err;
	*np = &n->fs;
	return 0;
}

int
fat_op_create(struct fs_node *dir, const char *name, size_t len, bool isdir,
    struct fs_node **np)
{
	struct fat_vol *v = vol_of(dir);
	uint32_t dclus = dclus_of(dir), clus = 0;
	uint8_t proto[FAT_DIRENT], tenth;
	uint16_t date, time;
	struct fat_dirent de;
	struct fat_node *n;
	struct name16 nm;
	int err;

	*np = NULL;
	if ((err = to16(name, len, &nm)) < 0)
		return err;
	/*
	 * A file's add finds its name if it is there; a directory looks
	 * first, so as not to take a cluster for nothing.
	 */
	if (isdir && (err = fat_dir_lookup(v, dclus, nm.u, nm.n, &de)) !=
	    -TORO_ENOENT)
		return err < 0 ? err : -TORO_EEXIST;
	memset(proto, 0, sizeof(proto));
	fat_time_now(&date, &time, &tenth);
	proto[DE_ATTR] = isdir ? FAT_ATTR_DIR : FAT_ATTR_ARCHIVE;
	proto[DE_CTIME_TENTH] = tenth;
	fat_put16(proto + DE_CTIME, time);
	fat_put16(proto + DE_CDATE, date);
	fat_put16(proto + DE_ADATE, date);
	fat_put16(proto + DE_MTIME, time);
	fat_put16(proto + DE_MDATE, date);
	if (isdir) {
		/* The directory is whole before anything names it. */
		if ((err = fat_alloc(v, 1, true, 0, &clus, NULL)) < 0)
			return err;
		if ((err = fat_dir_init(v, clus, dclus, proto)) < 0) {
			fat_free_chain(v, clus);
			return err;
		}
		fat_put16(proto + DE_CLUS, (uint16_t)clus);
	}
	if ((err = fat_dir_add(v, dclus, nm.u, nm.n, proto, FAT_NO_SLOT,
	    &de)) < 0) {
		if (clus != 0)
			fat_free_chain(v, clus);
		/* The name is there: what has it, as a lookup gives it. */
		if (err == -TORO_EEXIST && !isdir &&
		    (err = fat_node_get(v, dclus, &de, &n)) == 0) {
			*np = &n->fs;
			err = -TORO_EEXIST;
		}
		return err;
	}
	if ((err = fat_node_get(v, dclus, &de, &n)) < 0)
		return err;
	*np = &n->fs;
	return 0;
}

static bool
entry_is_dir(const struct fat_dirent *de)
{
	return (de->raw[DE_ATTR] & FAT_ATTR_DIR) != 0;
}

static uint32_t
entry_clus(const struct fat_dirent *de)
{
	return fat_le16(de->raw + DE_CLUS);
}

/* May the entry go: not open, of the right type, empty if a directory? */
static int
can_remove(struct fat_vol *v, uint32_t dclus, const struct fat_dirent *de,
    bool isdir)
{
	int err;

	if (isdir != entry_is_dir(de))
		return isdir ? -TORO_ENOTDIR : -TORO_EISDIR;
	if (!isdir)
		return fat_node_find(v, dclus, de->idx) != NULL ?
		    -TORO_EBUSY : 0;
	if (!fat_clus_ok(v, entry_clus(de))) {
		toro_printf("fat: disk %d: directory entry %u: bad cluster "
		    "%u\n", v->mnt.dev, de->idx, entry_clus(de));
		return -TORO_EIO;
	}
	if ((err = fat_dir_empty(v, entry_clus(de))) < 0)
		return err;
	if (err == 0)
		return -TORO_ENOTEMPTY;
	return fat_node_find(v, dclus, de->idx) != NULL ? -TORO_EBUSY : 0;
}

/*
 * Mark an entry set deleted; `late`: in a rename's stages, the short
 * entry before the long-name entries (fat_sync.c).
 */
static int
remove_set(struct fat_vol *v, uint32_t dclus, const struct fat_dirent *de,
    bool late)
{
	struct fat_dircur c;
	uint8_t e[FAT_DIRENT];
	uint32_t i, sector, off;
	int err, stage;

	fat_dsum_drop(v, dclus);
	fat_dircur_init(&c, dclus);
	for (i = de->first; i <= de->idx; i++) {
		if ((err = fat_dir_entry(v, &c, i, e, NULL)) != 0)
			return err < 0 ? err : -TORO_EIO;
		e[0] = 0xe5;
		stage = FAT_ST_DIR;
		if (late) {
			/* Long-name entries beside the short one go with it. */
			if ((err = fat_dir_locate(v, &c, i, &sector,
			    &off)) != 0)
				return err < 0 ? err : -TORO_EIO;
			stage = sector == de->sector ? FAT_ST_UNLINK :
			    FAT_ST_UNLINK_LFN;
		}
		if ((err = fat_dir_put(v, &c, i, e, stage)) != 0)
			return err < 0 ? err : -TORO_EIO;
	}
	return 0;
}

/* Free the clusters of an entry already unlinked. */
static int
free_data(struct fat_vol *v, const struct fat_dirent *de)
{
	uint32_t c = entry_clus(de);

	if (c == 0)
		return 0;
	if (!fat_clus_ok(v, c)) {
		toro_printf("fat: disk %d: removed entry had bad cluster %u\n",
		    v->mnt.dev, c);
		return -TORO_EIO;
	}
	return fat_free_later(v, c);
}

int
fat_op_remove(struct fs_node *dir, const char *name, size_t len, bool isdir)
{
	struct fat_vol *v = vol_of(dir);
	uint32_t dclus = dclus_of(dir);
	struct fat_dirent de;
	struct name16 nm;
	int err;

	if ((err = to16(name, len, &nm)) < 0)
		return err;
	if ((err = fat_dir_lookup(v, dclus, nm.u, nm.n, &de)) < 0)
		return err;
	if ((err = can_remove(v, dclus, &de, isdir)) < 0)
		return err;
	if ((err = remove_set(v, dclus, &de, false)) < 0)
		return err;
	return free_data(v, &de);
}

/* Is directory `dclus` (0: root) inside directory `top`, or top itself? */
static int
inside(struct fat_vol *v, uint32_t dclus, uint32_t top)
{
	uint32_t steps = 0;
	int err;

	while (dclus != 0) {
		if (dclus == top)
			return 1;
		if (++steps > v->g.nclus) {
			toro_printf("fat: disk %d: directory loop at cluster "
			    "%u\n", v->mnt.dev, dclus);
			return -TORO_EIO;
		}
		if ((err = fat_dir_parent(v, dclus, &dclus)) < 0)
			return err;
	}
	return 0;
}

/* Copy the entries of a set out of (or back into, if `back`) saved. */
static int
save_set(struct fat_vol *v, uint32_t dclus, const struct fat_dirent *de,
    uint8_t (*saved)[FAT_DIRENT], bool back)
{
	struct fat_dircur c;
	uint32_t i;
	int err;

	if (de->idx - de->first > FAT_LFN_MAX)
		return -TORO_EIO;
	if (back)
		fat_dsum_drop(v, dclus);
	fat_dircur_init(&c, dclus);
	for (i = de->first; i <= de->idx; i++) {
		if (back)
			err = fat_dir_entry(v, &c, i, NULL, saved[i - de->first]);
		else
			err = fat_dir_entry(v, &c, i, saved[i - de->first], NULL);
		if (err != 0)
			return err < 0 ? err : -TORO_EIO;
	}
	return 0;
}

int
fat_op_rename(struct fs_node *odir, const char *oname, size_t olen,
    struct fs_node *ndir, const char *nname, size_t nlen)
{
	struct fat_vol *v = vol_of(odir);
	uint32_t odc = dclus_of(odir), ndc = dclus_of(ndir);
	uint8_t saved[FAT_LFN_MAX + 1][FAT_DIRENT];
	struct fat_dirent ode, nde, added;
	struct name16 on, nn;
	struct fat_node *n;
	bool target = false, dir;
	int err;

	if ((err = to16(oname, olen, &on)) < 0 ||
	    (err = to16(nname, nlen, &nn)) < 0)
		return err;
	if ((err = fat_dir_lookup(v, odc, on.u, on.n, &ode)) < 0)
		return err;
	dir = entry_is_dir(&ode);
	if (dir && (err = inside(v, ndc, entry_clus(&ode))) != 0)
		return err < 0 ? err : -TORO_EINVAL;
	err = fat_dir_lookup(v, ndc, nn.u, nn.n, &nde);
	if (err < 0 && err != -TORO_ENOENT)
		return err;
	if (err == 0 && odc == ndc && nde.idx == ode.idx) {
		/* The same entry: only the case of the name may change. */
		if (nde.nlen == nn.n && memcmp(nde.name, nn.u,
		    (size_t)nn.n * 2) == 0)
			return 0;
	} else if (err == 0) {
		if ((err = can_remove(v, ndc, &nde, dir)) < 0 ||
		    (err = save_set(v, ndc, &nde, saved, false)) < 0 ||
		    (err = remove_set(v, ndc, &nde, false)) < 0)
			return err;
		target = true;
	}
	/* The old entry may have the new name in another case. */
	if ((err = fat_dir_add(v, ndc, nn.u, nn.n, ode.raw, odc == ndc ?
	    ode.idx : FAT_NO_SLOT, &added)) < 0) {
		if (target)
			save_set(v, ndc, &nde, saved, true);
		return err;
	}
	/*
	 * The new name is durable before the old one goes, so a power cut
	 * leaves one of them at least (fat_sync.c).
	 */
	if ((err = fat_sync(v)) < 0) {
		/* Not durable: take the new name back out, as it was. */
		if (remove_set(v, ndc, &added, false) == 0 && target)
			save_set(v, ndc, &nde, saved, true);
		return err;
	}
	if ((err = remove_set(v, odc, &ode, true)) < 0)
		return err;
	if ((n = fat_node_find(v, odc, ode.idx)) != NULL) {
		n->dclus = ndc;
		n->idx = added.idx;
		n->sector = added.sector;
		n->off = added.off;
	}
	if (dir && odc != ndc &&
	    (err = fat_dir_set_parent(v, entry_clus(&ode), ndc)) < 0)
		return err;
	return target ? free_data(v, &nde) : 0;
}

int
fat_op_readdir(struct fs_node *dir, uint32_t *cookie, struct toro_dirent *de)
{
	struct fat_vol *v = vol_of(dir);
	struct fat_dirent e;
	struct fat_dircur c;
	int err;

	fat_dircur_init(&c, dclus_of(dir));
	c.idx = cookie[0];
	c.ci = cookie[1];
	c.clus = cookie[2];
	while ((err = fat_dir_next(v, &c, &e)) == 1)
		if (e.raw[0] != '.')
			break;
	fat_dircur_done(&c);
	cookie[0] = c.idx;
	cookie[1] = c.ci;
	cookie[2] = c.clus;
	if (err != 1)
		return err;
	fat_name_to_utf8(e.name, e.nlen, de->name, sizeof(de->name));
	de->type = entry_is_dir(&e) ? TORO_S_IFDIR : TORO_S_IFREG;
	de->size = entry_is_dir(&e) ? 0 : fat_le32(e.raw + DE_SIZE);
	return 1;
}
