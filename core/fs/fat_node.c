/*
 * fat_node.c: the in-memory nodes of a FAT volume: one per file or
 * directory in use, shared by every handle on it.
 *
 * Interface: fat.h (fat_node_*).  A node is found by where its short
 * entry is (parent directory, index), which does not move until a rename
 * moves the node with it.  Its first cluster, size and attributes live
 * in the node and go back to the entry after every change, so the entry
 * in the cache is always current and a sync needs no help from here.
 *
 * Rules: an entry is checked when its node is made: a directory needs a
 * cluster in range, a file's cluster is in range or 0 with size 0.
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"

struct fat_node *
fat_node_find(struct fat_vol *v, uint32_t dclus, uint32_t idx)
{
	struct list *l;
	struct fat_node *n;

	for (l = v->nodes.next; l != &v->nodes; l = l->next) {
		n = container_of(l, struct fat_node, link);
		if (!n->is_root && n->dclus == dclus && n->idx == idx)
			return n;
	}
	return NULL;
}

int
fat_node_get(struct fat_vol *v, uint32_t dclus, const struct fat_dirent *de,
    struct fat_node **np)
{
	struct fat_node *n;
	uint8_t attr = de->raw[DE_ATTR];
	uint32_t first = fat_le16(de->raw + DE_CLUS);
	uint32_t size = fat_le32(de->raw + DE_SIZE);
	bool dir = (attr & FAT_ATTR_DIR) != 0;

	if ((n = fat_node_find(v, dclus, de->idx)) != NULL) {
		n->fs.refs++;
		*np = n;
		return 0;
	}
	if ((dir && !fat_clus_ok(v, first)) ||
	    (!dir && first != 0 && !fat_clus_ok(v, first)) ||
	    (!dir && first == 0 && size != 0)) {
		toro_printf("fat: disk %d: entry %u of directory %u: bad "
		    "cluster %u (size %u)\n", v->mnt.dev, de->idx, dclus,
		    first, size);
		return -TORO_EIO;
	}
	if ((n = toro_calloc(1, sizeof(*n))) == NULL)
		return -TORO_ENOMEM;
	n->fs.mnt = &v->mnt;
	n->fs.refs = 1;
	n->fs.dir = dir;
	n->dclus = dclus;
	n->idx = de->idx;
	n->sector = de->sector;
	n->off = de->off;
	n->attr = attr;
	n->first = first;
	n->size = dir ? 0 : size;
	list_push_back(&v->nodes, &n->link);
	*np = n;
	return 0;
}

void
fat_node_free(struct fat_vol *v, struct fat_node *n)
{
	list_remove(&n->link);
	toro_free(n);
}

uint32_t
fat_node_dclus(const struct fat_node *n)
{
	return n->is_root ? 0 : n->first;
}

int
fat_node_update(struct fat_vol *v, struct fat_node *n, bool modified)
{
	struct fs_buf *b;
	uint16_t date, time;
	uint8_t tenth, *e;
	int err;

	if (n->is_root)
		return 0;
	if ((err = fat_bread(v, n->sector, 1, &b)) < 0)
		return err;
	e = b->data + n->off;
	fat_put16(e + DE_CLUS, (uint16_t)n->first);
	fat_put16(e + DE_CLUS_HI, 0);
	fat_put32(e + DE_SIZE, n->fs.dir ? 0 : n->size);
	if (modified) {
		fat_time_now(&date, &time, &tenth);
		fat_put16(e + DE_MDATE, date);
		fat_put16(e + DE_MTIME, time);
		fat_put16(e + DE_ADATE, date);
		if (!n->fs.dir)
			n->attr |= FAT_ATTR_ARCHIVE;
	}
	e[DE_ATTR] = n->attr;
	fat_bdirty(v, b, FAT_ST_DIR);
	fs_brelse(b);
	return 0;
}
