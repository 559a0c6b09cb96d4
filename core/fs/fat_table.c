/*
 * fat_table.c: the file allocation table: following, growing and
 * freeing cluster chains.
 *
 * Interface: fat.h (fat_bread ... fat_count_free).  Every FAT copy is
 * written alike, so the copies never disagree.  A new chain is built
 * from free clusters marked end-of-chain one by one and linked among
 * themselves; only the caller links it into a file, once it is whole.
 * So a full disk or a failed write never leaves a cluster half-linked.
 *
 * Rules: an entry read from the disk is a cluster number in range or an
 * end-of-chain mark, else -TORO_EIO; every walk is bounded by the count
 * of clusters, so a loop in a chain ends as an error, not a hang.
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"
#include "toro/errno.h"

#define FAT_RA 16 /* read-ahead in the FAT, sectors */

int
fat_bread(struct fat_vol *v, uint32_t sector, uint32_t ra,
    struct fs_buf **bp)
{
	if (sector >= v->g.tot_sec) {
		toro_printf("fat: disk %d: sector %u outside the volume\n",
		    v->mnt.dev, sector);
		return -TORO_EIO;
	}
	ra = MIN(ra, v->g.tot_sec - sector);
	return fs_bread(v->bdev, v->g.base + sector, ra, bp);
}

int
fat_bget(struct fat_vol *v, uint32_t sector, struct fs_buf **bp)
{
	if (sector >= v->g.tot_sec) {
		toro_printf("fat: disk %d: sector %u outside the volume\n",
		    v->mnt.dev, sector);
		return -TORO_EIO;
	}
	return fs_bget(v->bdev, v->g.base + sector, bp);
}

bool
fat_clus_ok(const struct fat_vol *v, uint32_t clus)
{
	return clus >= 2 && clus <= v->max_clus;
}

uint32_t
fat_clus_sector(const struct fat_vol *v, uint32_t clus)
{
	return v->g.data_sec + (clus - 2) * v->g.spc;
}

static int
bad_clus(struct fat_vol *v, uint32_t clus, const char *what)
{
	toro_printf("fat: disk %d: cluster %u: %s\n", v->mnt.dev, clus, what);
	return -TORO_EIO;
}

/* The raw entry of cluster clus in the first FAT. */
static int
get_raw(struct fat_vol *v, uint32_t clus, uint32_t *val)
{
	struct fs_buf *b;
	int err;

	err = fat_bread(v, v->g.rsvd + clus / (FAT_SECTOR / 2), FAT_RA, &b);
	if (err < 0)
		return err;
	*val = fat_le16(b->data + (clus % (FAT_SECTOR / 2)) * 2);
	fs_brelse(b);
	return 0;
}

int
fat_next(struct fat_vol *v, uint32_t clus, uint32_t *next)
{
	uint32_t val;
	int err;

	if (!fat_clus_ok(v, clus))
		return bad_clus(v, clus, "out of range");
	if ((err = get_raw(v, clus, &val)) < 0)
		return err;
	if (val >= FAT_EOC_MIN) {
		*next = FAT_EOC;
		return 0;
	}
	if (!fat_clus_ok(v, val)) {
		toro_printf("fat: disk %d: cluster %u: bad FAT entry %#x\n",
		    v->mnt.dev, clus, val);
		return -TORO_EIO;
	}
	*next = val;
	return 0;
}

int
fat_set(struct fat_vol *v, uint32_t clus, uint32_t val)
{
	struct fs_buf *b;
	uint32_t i, sector;
	int err;

	if (!fat_clus_ok(v, clus))
		return bad_clus(v, clus, "set out of range");
	for (i = 0; i < v->g.nfats; i++) {
		sector = v->g.rsvd + i * v->g.fat_sz + clus / (FAT_SECTOR / 2);
		if ((err = fat_bread(v, sector, FAT_RA, &b)) < 0)
			return err;
		fat_put16(b->data + (clus % (FAT_SECTOR / 2)) * 2,
		    (uint16_t)val);
		fat_bdirty(v, b, FAT_ST_FAT);
		fs_brelse(b);
	}
	return 0;
}

int
fat_chain_len(struct fat_vol *v, uint32_t first, uint32_t *len,
    uint32_t *last)
{
	uint32_t c = first, next, n = 1;
	int err;

	*len = *last = 0;
	if (first == 0)
		return 0;
	if (!fat_clus_ok(v, first))
		return bad_clus(v, first, "chain starts out of range");
	for (;;) {
		if ((err = fat_next(v, c, &next)) < 0)
			return err;
		if (next == FAT_EOC)
			break;
		if (++n > v->g.nclus)
			return bad_clus(v, first, "loop in the chain");
		c = next;
	}
	*len = n;
	*last = c;
	return 0;
}

static int
zero_clus(struct fat_vol *v, uint32_t clus)
{
	struct fs_buf *b;
	uint32_t s, sector = fat_clus_sector(v, clus);
	int err;

	for (s = 0; s < v->g.spc; s++) {
		if ((err = fat_bget(v, sector + s, &b)) < 0)
			return err;
		memset(b->data, 0, FAT_SECTOR);
		fat_bdirty(v, b, FAT_ST_DATA);
		fs_brelse(b);
	}
	return 0;
}

/* The next free cluster from v->next_free on, or 0. */
static int
find_free(struct fat_vol *v, uint32_t *clus)
{
	uint32_t c = v->next_free, i, val;
	int err;

	for (i = 0; i < v->g.nclus; i++, c++) {
		if (!fat_clus_ok(v, c))
			c = 2;
		if ((err = get_raw(v, c, &val)) < 0)
			return err;
		if (val == 0) {
			*clus = c;
			v->next_free = c + 1;
			return 0;
		}
	}
	*clus = 0;
	return 0;
}

int
fat_alloc(struct fat_vol *v, uint32_t n, bool zero, uint32_t near,
    uint32_t *first, uint32_t *last)
{
	uint32_t prev = 0, c, k, val;
	int err = 0;

	*first = 0;
	/* Chains freed since the last sync come back with a sync. */
	if (n > v->free_clus && v->npend > 0 && (err = fat_sync(v)) < 0)
		return err;
	if (n > v->free_clus)
		return -TORO_ENOSPC;
	if (fat_clus_ok(v, near) && get_raw(v, near, &val) == 0 && val == 0)
		v->next_free = near;
	for (k = 0; k < n; k++) {
		if ((err = find_free(v, &c)) < 0)
			break;
		if (c == 0) {
			/* The count was wrong: a damaged FAT.  Believe it. */
			v->free_clus = 0;
			err = -TORO_ENOSPC;
			break;
		}
		if ((err = fat_set(v, c, FAT_EOC)) < 0)
			break;
		fat_fresh(v, c);
		v->free_clus--;
		if (prev != 0 && (err = fat_set(v, prev, c)) < 0) {
			/* c is not linked yet: give it back by itself. */
			if (fat_set(v, c, 0) == 0)
				v->free_clus++;
			break;
		}
		if (prev == 0)
			*first = c;
		prev = c;
		if (zero && (err = zero_clus(v, c)) < 0)
			break;
	}
	if (err < 0) {
		if (*first != 0)
			fat_free_chain(v, *first);
		*first = 0;
		return err;
	}
	if (last != NULL)
		*last = prev;
	return 0;
}

int
fat_free_chain(struct fat_vol *v, uint32_t first)
{
	uint32_t c = first, next, n = 0;
	int err;

	while (c != FAT_EOC) {
		if (!fat_clus_ok(v, c))
			return bad_clus(v, c, "freeing out of range");
		if ((err = get_raw(v, c, &next)) < 0)
			return err;
		if ((err = fat_set(v, c, 0)) < 0)
			return err;
		v->free_clus++;
		if (c < v->next_free)
			v->next_free = c;
		if (next >= FAT_EOC_MIN)
			break;
		/* A loop comes back to a cluster just freed: caught here. */
		if (!fat_clus_ok(v, next) || ++n > v->g.nclus)
			return bad_clus(v, c, "bad link while freeing");
		c = next;
	}
	return 0;
}

int
fat_count_free(struct fat_vol *v)
{
	struct fs_buf *b = NULL;
	uint32_t c, sector, cur = UINT32_MAX, n = 0;
	int err;

	for (c = 2; c <= v->max_clus; c++) {
		sector = v->g.rsvd + c / (FAT_SECTOR / 2);
		if (sector != cur) {
			if (b != NULL)
				fs_brelse(b);
			/* The rest of the FAT, not what lies beyond it. */
			if ((err = fat_bread(v, sector, MIN((uint32_t)FS_IO_MAX,
			    v->g.rsvd + v->g.fat_sz - sector), &b)) < 0)
				return err;
			cur = sector;
		}
		if (fat_le16(b->data + (c % (FAT_SECTOR / 2)) * 2) == 0)
			n++;
	}
	if (b != NULL)
		fs_brelse(b);
	v->free_clus = n;
	v->next_free = 2;
	return 0;
}
