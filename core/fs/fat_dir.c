/*
 * fat_dir.c: directories: reading entry sets, finding and adding them
 * (fat_ops.c removes them).
 *
 * Interface: fat.h (fat_dircur_*, fat_dir_*; the dots are fat_dots.c's).
 * A directory is the fixed root region or a cluster chain; an entry is
 * named by its index.  An entry set is zero or more long-name entries
 * followed by its short entry; long-name entries whose order or checksum
 * do not fit are orphans and ignored, as the specification says.  A scan
 * reads a sector's entries from one cache buffer; looking for a name, it
 * compares as it goes and builds no names; an add learns in that same
 * pass whether the name is taken, the short names' numeric tails and
 * the first free run that fits, so a create reads the directory once.
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
	c->want = 0;
	c->run = 0;
	c->slot = FAT_NO_SLOT;
	c->match = NULL;
	c->match_n = 0;
	c->blk = 0;
	c->buf = NULL;
	c->holes = 0;
	c->sum = false;
	c->odd = false;
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

void
fat_dircur_done(struct fat_dircur *c)
{
	if (c->buf != NULL)
		fs_brelse(c->buf);
	c->buf = NULL;
}

/*
 * The place of entry c->idx, its sector's buffer pinned in c->buf: the
 * one held if the entry is in it (the next entry of a sector needs no
 * walk and no cache lookup), else a new one.  Returns 0, 1 past the
 * end, or < 0.
 */
static int
next_place(struct fat_vol *v, struct fat_dircur *c, uint32_t *sector,
    uint32_t *off)
{
	bool same = c->blk == c->idx / ENTS_PER_SEC + 1 &&
	    (c->dclus != 0 || c->idx < v->g.root_ents);
	int err;

	*off = (c->idx % ENTS_PER_SEC) * FAT_DIRENT;
	if (same && c->buf != NULL) {
		*sector = c->sec;
		return 0;
	}
	fat_dircur_done(c);
	if (same)
		*sector = c->sec;
	else if ((err = fat_dir_locate(v, c, c->idx, sector, off)) != 0)
		return err;
	c->blk = c->idx / ENTS_PER_SEC + 1;
	c->sec = *sector;
	if ((err = fat_bread(v, *sector, v->g.spc, &c->buf)) < 0)
		c->buf = NULL;
	return err;
}

/* The entry set being read (fat_dir_next). */
struct set_state {
	int expect;  /* the next long-name ordinal; 0 none, -1 complete */
	int count;   /* long-name entries of the set */
	uint8_t sum; /* their checksum of the short name */
	bool match;  /* matching: the long name so far is c->match's */
	uint32_t h;  /* matching: the long name's hash so far */
};

/* Long-name entry e: into de's name, or compared with the one sought. */
static void
lfn_entry(struct fat_dircur *c, struct fat_dirent *de, const uint8_t *e,
    struct set_state *st)
{
	uint16_t chars[13];
	int ord = e[0] & 0x1f, k, i;
	bool end;

	if (e[0] & 0x40) {
		if (ord == 0 || ord > FAT_LFN_MAX) {
			st->expect = 0;
			return;
		}
		st->count = ord;
		st->sum = e[13];
		st->match = c->match_n <= ord * 13;
		st->h = 0;
		de->first = c->idx - 1;
	} else if (st->expect <= 0 || ord != st->expect || e[13] != st->sum) {
		st->expect = 0;
		return;
	}
	st->expect = ord == 1 ? -1 : ord - 1;
	if (c->match != NULL) {
		st->match = st->match &&
		    fat_lfn_match(e, ord, c->match, c->match_n);
		if (!c->sum)
			return;
		/* An end before the last entry: later ones do not count. */
		st->h = fat_lfn_hash(e, ord, st->h, &end);
		if (end && ord != st->count)
			c->odd = true;
		return;
	}
	fat_lfn_unpack(e, chars);
	for (k = 0; k < 13; k++)
		if ((i = (ord - 1) * 13 + k) < FAT_NAME_MAX)
			de->name[i] = chars[k];
}

/* The short entry e ends an entry set: fill in the rest of de. */
static void
short_entry(struct fat_dircur *c, struct fat_dirent *de, const uint8_t *e,
    const struct set_state *st)
{
	bool lfn;
	int i;

	memcpy(de->raw, e, FAT_DIRENT);
	if (c->match != NULL) {
		/* Only a set that has the name needs its checksum right. */
		de->match = st->expect == -1 && st->match &&
		    fat_lfn_sum(e) == st->sum;
		de->lfn = st->expect == -1;
		de->lhash = st->h;
		if (!de->match && fat_short_is(e, c->match, c->match_n)) {
			de->match = true;
			if (st->expect != -1 || fat_lfn_sum(e) != st->sum)
				de->first = de->idx;
		}
		return;
	}
	lfn = st->expect == -1 && fat_lfn_sum(e) == st->sum;
	if (lfn) {
		for (i = 0; i < st->count * 13 && i < FAT_NAME_MAX &&
		    de->name[i] != 0; i++)
			;
		de->nlen = i;
		if (i > 0)
			return;
	}
	de->first = de->idx;
	fat_short_decode(e, e[DE_NTRES], de->name, &de->nlen);
}

int
fat_dir_next(struct fat_vol *v, struct fat_dircur *c, struct fat_dirent *de)
{
	struct set_state st = { 0, 0, 0, false, 0 };
	const uint8_t *e;
	uint32_t sector = 0, off;
	int err;

	for (;;) {
		if ((err = next_place(v, c, &sector, &off)) != 0)
			return err < 0 ? err : 0;
		e = c->buf->data + off;
		if (e[0] == 0x00)
			return 0;
		c->idx++;
		if (e[0] == 0xe5) {
			c->holes++;
			if (++c->run == c->want && c->slot == FAT_NO_SLOT)
				c->slot = c->idx - c->run;
			st.expect = 0;
			continue;
		}
		c->run = 0;
		if ((e[DE_ATTR] & FAT_ATTR_LFN_MASK) == FAT_ATTR_LFN) {
			lfn_entry(c, de, e, &st);
			continue;
		}
		if (e[DE_ATTR] & FAT_ATTR_VOLUME) {
			st.expect = 0;
			continue;
		}
		de->idx = c->idx - 1;
		de->sector = sector;
		de->off = off;
		short_entry(c, de, e, &st);
		return 1;
	}
}

static bool
is_dot(const struct fat_dirent *de)
{
	return de->raw[0] == '.';
}

/* The entry set from index first on, its name in full. */
static int
set_at(struct fat_vol *v, uint32_t dclus, uint32_t first,
    struct fat_dirent *de)
{
	struct fat_dircur c;
	int err;

	fat_dircur_init(&c, dclus);
	c.idx = first;
	err = fat_dir_next(v, &c, de);
	fat_dircur_done(&c);
	return err < 0 ? err : err == 1 ? 0 : -TORO_EIO;
}

/* Does the set at a hint still have the name (as a scan would say)? */
static bool
hinted(struct fat_vol *v, uint32_t dclus, uint32_t first,
    const uint16_t *name, int n, struct fat_dirent *de)
{
	if (set_at(v, dclus, first, de) < 0 || de->first != first ||
	    is_dot(de))
		return false;
	return fat_name_eq(de->name, de->nlen, name, n) ||
	    fat_short_is(de->raw + DE_NAME, name, n);
}

int
fat_dir_lookup(struct fat_vol *v, uint32_t dclus, const uint16_t *name,
    int n, struct fat_dirent *de)
{
	struct fat_dircur c;
	uint32_t h = fat_name_hash(name, n), first;
	int err;

	if (fat_hint_find(v, dclus, h, &first) &&
	    hinted(v, dclus, first, name, n, de))
		return 0;
	fat_dircur_init(&c, dclus);
	c.match = name;
	c.match_n = n;
	while ((err = fat_dir_next(v, &c, de)) == 1)
		if (de->match && !is_dot(de))
			break;
	fat_dircur_done(&c);
	if (err != 1)
		return err < 0 ? err : -TORO_ENOENT;
	if ((err = set_at(v, dclus, de->first, de)) == 0)
		fat_hint_put(v, dclus, h, de->first);
	return err;
}

/* What one pass over a directory learns for an add (add_scan). */
struct add_plan {
	const uint16_t *name;
	int n;
	uint32_t except;      /* an entry that may have the name */
	uint32_t found;       /* the set that has it: its first entry */
	const uint8_t *basis; /* NULL: the exact 8.3 name, no tail */
	bool basis_used;
	uint8_t *used;        /* numeric tails in use, TAIL_MAX bits */
};

/* Note the tails of entry de that look like the basis's. */
static int
note_tail(struct add_plan *p, const struct fat_dirent *de)
{
	uint32_t t;
	int i, k;

	for (i = 0; i < 11 && de->raw[i] == p->basis[i]; i++)
		;
	if (i == 11)
		p->basis_used = true;
	/* A tail starts as the basis does and has a '~' in its base. */
	for (k = 1; k < 8 && de->raw[k] != '~'; k++)
		;
	if (i == 0 || i == 11 || k == 8)
		return 0;
	t = fat_short_tail_of(p->basis, de->raw);
	if (t == 0 || t >= TAIL_MAX)
		return 0;
	/* Most directories have no tails: no bitmap until one shows. */
	if (p->used == NULL && (p->used = toro_calloc(TAIL_MAX / 8, 1)) ==
	    NULL)
		return -TORO_ENOMEM;
	p->used[t / 8] |= (uint8_t)(1 << (t % 8));
	return 0;
}

/*
 * Pick the short name from the plan: the basis itself if it lost
 * nothing and is free, else the lowest numeric tail no entry uses.
 */
static int
pick_short(const struct add_plan *p, bool clean, uint8_t *sn)
{
	uint32_t t = 1;

	if (clean && !p->basis_used) {
		memcpy(sn, p->basis, 11);
		return 0;
	}
	while (p->used != NULL && t < TAIL_MAX &&
	    (p->used[t / 8] & (1 << (t % 8))))
		t++;
	if (t == TAIL_MAX)
		return -TORO_ENOSPC;
	fat_short_tail(p->basis, t, sn);
	return 0;
}

/* Find (or make, by growing the directory) nent free slots in a row. */
static int
find_slots(struct fat_vol *v, uint32_t dclus, int nent, uint32_t from,
    uint32_t *start)
{
	struct fat_dircur c;
	uint8_t e[FAT_DIRENT];
	uint32_t idx, run = 0, len, last, newc, epc = ents_per_clus(v), k;
	int err;

	fat_dircur_init(&c, dclus);
	for (idx = from;; idx++) {
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

/*
 * One pass over the directory for an add: the name must not be there
 * (-TORO_EEXIST), the basis's tails are noted, and the first run of
 * nent free slots before the end is found by the cursor (else *from is
 * where the free entries at the end begin, for find_slots).  A pass to
 * the end leaves the directory's summary (fat_dsum.c).
 */
static int
add_scan(struct fat_vol *v, uint32_t dclus, struct add_plan *p, int nent,
    uint32_t *start, uint32_t *from)
{
	struct fat_dircur c;
	struct fat_dirent *de;
	struct fat_dsum *s;
	int err;

	if ((de = toro_malloc(sizeof(*de))) == NULL)
		return -TORO_ENOMEM;
	s = fat_dsum_new(v, dclus);
	fat_dircur_init(&c, dclus);
	c.want = (uint32_t)nent;
	c.sum = true;
	c.match = p->name;
	c.match_n = p->n;
	while ((err = fat_dir_next(v, &c, de)) == 1) {
		if (de->match && !is_dot(de) && de->idx != p->except) {
			p->found = de->first;
			err = -TORO_EEXIST;
			break;
		}
		fat_dsum_note(s, de->lfn, de->lhash, de->raw);
		if (p->basis != NULL && (err = note_tail(p, de)) < 0)
			break;
	}
	fat_dircur_done(&c);
	toro_free(de);
	*start = c.slot;
	*from = c.idx - c.run;
	s->end = *from;
	s->ok = err == 0 && !c.odd && c.holes == c.run;
	return err;
}

/*
 * Plan an add: its short name, and a free run of nent slots (*start) or
 * where to look for one (*from).  A summary that says the name and the
 * basis are not there spares the scan: the run is at the end.
 */
static int
plan_add(struct fat_vol *v, uint32_t dclus, struct add_plan *p, int nent,
    bool clean, uint8_t *sn, uint32_t *start, uint32_t *from)
{
	struct fat_dsum *s = fat_dsum_find(v, dclus);
	int err;

	if (s != NULL && (p->basis == NULL || clean) &&
	    !fat_dsum_may(s, p->name, p->n, p->basis)) {
		if (p->basis != NULL)
			memcpy(sn, p->basis, 11);
		*start = FAT_NO_SLOT;
		*from = s->end;
		return 0;
	}
	err = add_scan(v, dclus, p, nent, start, from);
	if (err == 0 && p->basis != NULL)
		err = pick_short(p, clean, sn);
	toro_free(p->used);
	p->used = NULL;
	return err;
}

int
fat_dir_add(struct fat_vol *v, uint32_t dclus, const uint16_t *name, int n,
    const uint8_t *proto, uint32_t except, struct fat_dirent *out)
{
	struct add_plan plan = { name, n, except, 0, NULL, false, NULL };
	struct fat_dsum *s;
	struct fat_dircur c;
	uint8_t sn[11], basis[11], e[FAT_DIRENT], sum;
	uint32_t start, from, sector, off;
	int err, nlfn, ord;
	bool clean = false;

	nlfn = 0;
	if (!fat_short_exact(name, n, sn)) {
		clean = fat_short_basis(name, n, basis);
		plan.basis = basis;
		nlfn = (n + 12) / 13;
	}
	err = plan_add(v, dclus, &plan, nlfn + 1, clean, sn, &start, &from);
	if (err == 0 && start == FAT_NO_SLOT)
		err = find_slots(v, dclus, nlfn + 1, from, &start);
	if (err == -TORO_EEXIST && (err = set_at(v, dclus, plan.found,
	    out)) == 0)
		err = -TORO_EEXIST;
	if (err < 0)
		return err;
	s = fat_dsum_hold(v, dclus, start);
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
	fat_dsum_added(s, out, nlfn > 0);
	return 0;
}
