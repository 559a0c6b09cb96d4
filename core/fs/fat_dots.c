/*
 * fat_dots.c: what makes a directory a directory: its "." and ".."
 * entries, and whether it holds anything else.
 *
 * Interface: fat.h (fat_dir_empty, fat_dir_init, fat_dir_set_parent,
 * fat_dir_parent).  Entries 0 and 1 of a directory's first cluster are
 * "." and ".."; ".." names the parent's first cluster, 0 for the root.
 *
 * Rules: storage thread only; a ".." that is missing or names a cluster
 * out of range is -TORO_EIO (the disk is not trusted).
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"

int
fat_dir_empty(struct fat_vol *v, uint32_t dclus)
{
	struct fat_dircur c;
	struct fat_dirent *de;
	int err;

	if ((de = toro_malloc(sizeof(*de))) == NULL)
		return -TORO_ENOMEM;
	fat_dircur_init(&c, dclus);
	while ((err = fat_dir_next(v, &c, de)) == 1)
		if (de->raw[0] != '.')
			break;
	fat_dircur_done(&c);
	toro_free(de);
	return err < 0 ? err : err == 1 ? 0 : 1;
}

int
fat_dir_init(struct fat_vol *v, uint32_t clus, uint32_t parent,
    const uint8_t *proto)
{
	struct fat_dircur c;
	uint8_t e[FAT_DIRENT];
	int err;

	/* The cluster may have held a directory we had a summary of. */
	fat_dsum_drop(v, clus);
	fat_dircur_init(&c, clus);
	memcpy(e, proto, FAT_DIRENT);
	memcpy(e + DE_NAME, ".          ", 11);
	e[DE_ATTR] = FAT_ATTR_DIR;
	fat_put16(e + DE_CLUS, (uint16_t)clus);
	fat_put32(e + DE_SIZE, 0);
	if ((err = fat_dir_entry(v, &c, 0, NULL, e)) != 0)
		return err < 0 ? err : -TORO_EIO;
	memcpy(e + DE_NAME, "..         ", 11);
	fat_put16(e + DE_CLUS, (uint16_t)parent);
	err = fat_dir_entry(v, &c, 1, NULL, e);
	return err < 0 ? err : err == 1 ? -TORO_EIO : 0;
}

/* Entry 1 of directory dclus, which must be "..". */
static int
dotdot(struct fat_vol *v, uint32_t dclus, struct fat_dircur *c, uint8_t *e)
{
	int err;

	fat_dircur_init(c, dclus);
	if ((err = fat_dir_entry(v, c, 1, e, NULL)) != 0)
		return err < 0 ? err : -TORO_EIO;
	if (memcmp(e, "..         ", 11) != 0) {
		toro_printf("fat: disk %d: directory at cluster %u has no "
		    "\"..\"\n", v->mnt.dev, dclus);
		return -TORO_EIO;
	}
	return 0;
}

int
fat_dir_set_parent(struct fat_vol *v, uint32_t dclus, uint32_t parent)
{
	struct fat_dircur c;
	uint8_t e[FAT_DIRENT];
	int err;

	if ((err = dotdot(v, dclus, &c, e)) < 0)
		return err;
	fat_put16(e + DE_CLUS, (uint16_t)parent);
	err = fat_dir_entry(v, &c, 1, NULL, e);
	return err < 0 ? err : 0;
}

int
fat_dir_parent(struct fat_vol *v, uint32_t dclus, uint32_t *parent)
{
	struct fat_dircur c;
	uint8_t e[FAT_DIRENT];
	int err;

	if ((err = dotdot(v, dclus, &c, e)) < 0)
		return err;
	*parent = fat_le16(e + DE_CLUS);
	if (*parent != 0 && !fat_clus_ok(v, *parent)) {
		toro_printf("fat: disk %d: bad \"..\" in cluster %u\n",
		    v->mnt.dev, dclus);
		return -TORO_EIO;
	}
	return 0;
}
