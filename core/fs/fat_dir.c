/*
 * fat_dir.c: directories: reading entry sets, finding, adding and
 * removing them, and the "." and ".." of a new directory.
 *
 * Interface: fat.h (fat_dircur_*, fat_dir_*).  A directory is the fixed
 * root region or a cluster chain; an entry is named by its index.  An
 * entry set is zero or more long-name entries followed by its short
 * entry; long-name entries whose order or checksum do not fit are
 * orphans and ignored, as the specification says.
 *
 * Rules: a directory ends at an entry starting with 0, at the end of its
 * chain, or at 65536 entries; a chain that goes on past that is damaged
 * (-TORO_EIO), so a looping directory cannot hang a lookup.  Growing a
 * directory allocates and zeroes its new clusters before linking them.
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"

#define ENTS_PER_SEC (FAT_SECTOR / FAT_DIRENT)
#define TAIL_MAX 65536 /* numeric tails we look for a free one among */

static uint32_t
ents_per_clus(const struct fat_vol *v)
{
	return v->cs / FAT_DIRENT;
}

void
fat_dircur_init(struct fat_dircur *c, uint32_t dclus)
{
	c->dclus = dclus;
	c->idx = 0;
	c->ci = 0;
	c->clus = dclus;
}

/* Returns 0 and the place, 1 past the end of the directory, or < 0. */
int
fat_dir_locate(struct fat_vol *v, struct fat_dircur *c, uint32_t idx,
    uint32_t *sector, uint32_t *off)
{
	uint32_t epc = ents_per_clus(v), ci = idx / epc, next;
	int err;

	*off = (idx % ENTS_PER_SEC) * FAT_DIRENT;
	if (c->dclus == 0) {
		if (idx >= v->g.root_ents)
			return 1;
		*sector = v->g.root_sec + idx / ENTS_PER_SEC;
		return 0;
	}
	if (idx >= FAT_DIR_MAX) {
		/* Legal only if the chain really ends here. */
		if ((err = fat_dir_locate(v, c, FAT_DIR_MAX - 1, sector,
		    off)) != 0)
			return err;
		if ((err = fat_next(v, c->clus, &next)) < 0)
			return err;
		if (next == FAT_EOC)
			return 1;
		toro_printf("fat: disk %d: directory at cluster %u never "
		    "ends\n", v->mnt.dev, c->dclus);
		return -TORO_EIO;
	}
	if (ci < c->ci || c->clus == 0) {
		c->ci = 0;
		c->clus = c->dclus;
	}
	while (c->ci < ci) {
		if ((err = fat_next(v, c->clus, &next)) < 0)
			return err;
		if (next == FAT_EOC)
			return 1;
		c->clus = next;
		c->ci++;
	}
	if (!fat_clus_ok(v, c->clus)) {
		toro_printf("fat: disk %d: directory cluster %u out of range\n",
		    v->mnt.dev, c->clus);
		return -TORO_EIO;
	}
	*sector = fat_clus_sector(v, c->clus) + (idx % epc) / ENTS_PER_SEC;
	return 0;
}

static int
entry_io(struct fat_vol *v, struct fat_dircur *c, uint32_t idx, uint8_t *e,
    const uint8_t *in, int stage)
{
	struct fs_buf *b;
	uint32_t sector, off;
	int err;

	if ((err = fat_dir_locate(v, c, idx, &sector, &off)) != 0)
		return err;
	if ((err = fat_bread(v, sector, v->g.spc, &b)) < 0)
		return err;
	if (in != NULL) {
		memcpy(b->data + off, in, FAT_DIRENT);
		fat_bdirty(v, b, stage);
	} else
		memcpy(e, b->data + off, FAT_DIRENT);
	fs_brelse(b);
	return 0;
}

int
fat_dir_entry(struct fat_vol *v, struct fat_dircur *c, uint32_t idx, uint8_t *e,
    const uint8_t *in)
{
	return entry_io(v, c, idx, e, in, FAT_ST_DIR);
}

int
fat_dir_put(struct fat_vol *v, struct fat_dircur *c, uint32_t idx,
    const uint8_t *in, int stage)
{
	return entry_io(v, c, idx, NULL, in, stage);
}

int
fat_dir_next(struct fat_vol *v, struct fat_dircur *c, struct fat_dirent *de)
{
	uint8_t e[FAT_DIRENT];
	uint16_t chars[13];
	int err, ord, expect = 0, count = 0, k, i;
	uint8_t sum = 0;
	uint32_t sector, off;

	for (;;) {
		if ((err = fat_dir_locate(v, c, c->idx, &sector, &off)) != 0)
			return err < 0 ? err : 0;
		if ((err = fat_dir_entry(v, c, c->idx, e, NULL)) != 0)
			return err < 0 ? err : 0;
		if (e[0] == 0x00)
			return 0;
		c->idx++;
		if (e[0] == 0xe5) {
			expect = 0;
			continue;
		}
		if ((e[DE_ATTR] & FAT_ATTR_LFN_MASK) == FAT_ATTR_LFN) {
			ord = e[0] & 0x1f;
			if (e[0] & 0x40) {
				if (ord == 0 || ord > FAT_LFN_MAX) {
					expect = 0;
					continue;
				}
				count = ord;
				sum = e[13];
				de->first = c->idx - 1;
			} else if (expect == 0 || ord != expect ||
			    e[13] != sum) {
				expect = 0;
				continue;
			}
			fat_lfn_unpack(e, chars);
			for (k = 0; k < 13; k++)
				if ((i = (ord - 1) * 13 + k) < FAT_NAME_MAX)
					de->name[i] = chars[k];
			expect = ord - 1;
			if (expect == 0)
				expect = -1; /* complete: the short one next */
			continue;
		}
		if (e[DE_ATTR] & FAT_ATTR_VOLUME) {
			expect = 0;
			continue;
		}
		de->idx = c->idx - 1;
		de->sector = sector;
		de->off = off;
		memcpy(de->raw, e, FAT_DIRENT);
		if (expect == -1 && fat_lfn_sum(e) == sum) {
			for (i = 0; i < count * 13 && i < FAT_NAME_MAX &&
			    de->name[i] != 0; i++)
				;
			de->nlen = i;
			if (i > 0)
				return 1;
		}
		de->first = de->idx;
		fat_short_decode(e, e[DE_NTRES], de->name, &de->nlen);
		return 1;
	}
}

static bool
is_dot(const struct fat_dirent *de)
{
	return de->raw[0] == '.';
}

int
fat_dir_lookup(struct fat_vol *v, uint32_t dclus, const uint16_t *name,
    int n, struct fat_dirent *de)
{
	struct fat_dircur c;
	uint16_t sn[12];
	int err, sl;

	fat_dircur_init(&c, dclus);
	while ((err = fat_dir_next(v, &c, de)) == 1) {
		if (is_dot(de))
			continue;
		if (fat_name_eq(de->name, de->nlen, name, n))
			return 0;
		fat_short_decode(de->raw, 0, sn, &sl);
		if (fat_name_eq(sn, sl, name, n))
			return 0;
	}
	return err < 0 ? err : -TORO_ENOENT;
}

/*
 * Pick the short name for `name`: its exact 8.3 form, or its basis,
 * with the lowest numeric tail no other entry uses.
 */
static int
pick_short(struct fat_vol *v, uint32_t dclus, const uint16_t *name, int n,
    uint8_t *sn, bool *lfn)
{
	struct fat_dircur c;
	struct fat_dirent *de;
	uint8_t basis[11], *used;
	uint32_t t;
	bool clean, basis_used = false;
	int err;

	if (fat_short_exact(name, n, sn)) {
		*lfn = false;
		return 0;
	}
	*lfn = true;
	clean = fat_short_basis(name, n, basis);
	de = toro_malloc(sizeof(*de));
	used = toro_calloc(TAIL_MAX / 8, 1);
	if (de == NULL || used == NULL) {
		toro_free(de);
		toro_free(used);
		return -TORO_ENOMEM;
	}
	fat_dircur_init(&c, dclus);
	while ((err = fat_dir_next(v, &c, de)) == 1) {
		if (memcmp(de->raw, basis, 11) == 0)
			basis_used = true;
		t = fat_short_tail_of(basis, de->raw);
		if (t > 0 && t < TAIL_MAX)
			used[t / 8] |= (uint8_t)(1 << (t % 8));
	}
	if (err == 0) {
		if (clean && !basis_used)
			memcpy(sn, basis, 11);
		else {
			for (t = 1; t < TAIL_MAX &&
			    (used[t / 8] & (1 << (t % 8))); t++)
				;
			if (t == TAIL_MAX)
				err = -TORO_ENOSPC;
			else
				fat_short_tail(basis, t, sn);
		}
	}
	toro_free(de);
	toro_free(used);
	return err;
}

/* Find (or make, by growing the directory) nent free slots in a row. */
static int
find_slots(struct fat_vol *v, uint32_t dclus, int nent, uint32_t *start)
{
	struct fat_dircur c;
	uint8_t e[FAT_DIRENT];
	uint32_t idx, run = 0, len, last, newc, epc = ents_per_clus(v), k;
	int err;

	fat_dircur_init(&c, dclus);
	for (idx = 0;; idx++) {
		if ((err = fat_dir_entry(v, &c, idx, e, NULL)) < 0)
			return err;
		if (err == 1)
			break;
		run = (e[0] == 0x00 || e[0] == 0xe5) ? run + 1 : 0;
		if (run == (uint32_t)nent) {
			*start = idx + 1 - run;
			return 0;
		}
	}
	if (dclus == 0)
		return -TORO_ENOSPC; /* the root directory is full */
	k = ((uint32_t)nent - run + epc - 1) / epc;
	if (idx + k * epc > FAT_DIR_MAX)
		return -TORO_ENOSPC;
	if ((err = fat_chain_len(v, dclus, &len, &last)) < 0)
		return err;
	if ((err = fat_alloc(v, k, true, 0, &newc, NULL)) < 0)
		return err;
	if ((err = fat_set(v, last, newc)) < 0) {
		fat_free_chain(v, newc);
		return err;
	}
	*start = idx - run;
	return 0;
}

int
fat_dir_add(struct fat_vol *v, uint32_t dclus, const uint16_t *name, int n,
    const uint8_t *proto, struct fat_dirent *out)
{
	struct fat_dircur c;
	uint8_t sn[11], e[FAT_DIRENT], sum;
	uint32_t start, sector, off;
	int err, nlfn, ord;
	bool lfn;

	if ((err = pick_short(v, dclus, name, n, sn, &lfn)) < 0)
		return err;
	nlfn = lfn ? (n + 12) / 13 : 0;
	if ((err = find_slots(v, dclus, nlfn + 1, &start)) < 0)
		return err;
	sum = fat_lfn_sum(sn);
	fat_dircur_init(&c, dclus);
	for (ord = nlfn; ord >= 1; ord--) {
		fat_lfn_pack(e, name, n, ord, ord == nlfn, sum);
		err = fat_dir_entry(v, &c, start + (uint32_t)(nlfn - ord),
		    NULL, e);
		if (err != 0)
			return err < 0 ? err : -TORO_EIO;
	}
	memcpy(e, proto, FAT_DIRENT);
	memcpy(e + DE_NAME, sn, 11);
	e[DE_NTRES] = 0;
	if ((err = fat_dir_entry(v, &c, start + (uint32_t)nlfn, NULL, e)) != 0)
		return err < 0 ? err : -TORO_EIO;
	if ((err = fat_dir_locate(v, &c, start + (uint32_t)nlfn, &sector,
	    &off)) != 0)
		return err < 0 ? err : -TORO_EIO;
	out->first = start;
	out->idx = start + (uint32_t)nlfn;
	out->sector = sector;
	out->off = off;
	memcpy(out->raw, e, FAT_DIRENT);
	memcpy(out->name, name, (size_t)n * sizeof(*name));
	out->nlen = n;
	return 0;
}

int
fat_dir_remove(struct fat_vol *v, uint32_t dclus, const struct fat_dirent *de,
    bool late)
{
	struct fat_dircur c;
	uint8_t e[FAT_DIRENT];
	uint32_t i, sector, off;
	int err, stage;

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
		if (!is_dot(de))
			break;
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
