/*
 * fat_dsum.c: directory summaries and lookup hints, so that creating a
 * file in a directory, or finding one, need not read the whole
 * directory again.
 *
 * Interface: fat.h (fat_dsum_*, fat_hint_*).  A full scan (fat_dir.c's add) of a
 * directory with no deleted entries before its end leaves a summary:
 * where its free entries at the end begin, and a filter with two bits
 * for each name its sets answer to (the long name and the name the
 * short entry reads as, folded as lookups fold them) and for each raw
 * short name.  A name whose bits are not all set is not there, so an
 * add may go straight to the end; anything else scans as before.
 *
 * A lookup leaves a hint: where the set with that name's hash begins,
 * so the next lookup of it reads that set alone; the set must still
 * have the name, and what drops a summary drops the hints too.
 *
 * Rules: storage thread only.  A summary only ever errs towards "may
 * be there": an add notes what it wrote, and anything else that changes
 * names or frees entries (a remove, a rename putting a set back, a new
 * directory on a reused cluster) drops it.  A few directories are kept,
 * the least recently used goes.
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"

static uint32_t
raw_hash(const uint8_t *sn)
{
	uint32_t h = 0x811c9dc5u;
	int i;

	for (i = 0; i < 11; i++)
		h = (h ^ sn[i]) * 0x01000193u;
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	return h ^ (h >> 12) ^ 0x5bd1e995u;
}

static void
set_bits(struct fat_dsum *s, uint32_t h)
{
	uint32_t a = h % FAT_DSUM_BITS, b = (h >> 16) % FAT_DSUM_BITS;

	s->bits[a / 8] |= (uint8_t)(1 << (a % 8));
	s->bits[b / 8] |= (uint8_t)(1 << (b % 8));
}

static bool
has_bits(const struct fat_dsum *s, uint32_t h)
{
	uint32_t a = h % FAT_DSUM_BITS, b = (h >> 16) % FAT_DSUM_BITS;

	return (s->bits[a / 8] & (1 << (a % 8))) != 0 &&
	    (s->bits[b / 8] & (1 << (b % 8))) != 0;
}

struct fat_dsum *
fat_dsum_find(struct fat_vol *v, uint32_t dclus)
{
	struct fat_dsum *s;
	int i;

	for (i = 0; i < FAT_DSUM_MAX; i++) {
		s = &v->dsum[i];
		if (s->ok && s->dclus == dclus) {
			s->used = ++v->dsum_clock;
			return s;
		}
	}
	return NULL;
}

struct fat_dsum *
fat_dsum_new(struct fat_vol *v, uint32_t dclus)
{
	struct fat_dsum *s, *old = &v->dsum[0];
	int i;

	fat_dsum_drop(v, dclus);
	for (i = 0; i < FAT_DSUM_MAX; i++) {
		s = &v->dsum[i];
		if (!s->ok) {
			old = s;
			break;
		}
		if (s->used < old->used)
			old = s;
	}
	old->ok = false;
	old->dclus = dclus;
	old->end = 0;
	old->used = ++v->dsum_clock;
	memset(old->bits, 0, sizeof(old->bits));
	return old;
}

void
fat_dsum_drop(struct fat_vol *v, uint32_t dclus)
{
	int i;

	for (i = 0; i < FAT_DSUM_MAX; i++)
		if (v->dsum[i].dclus == dclus)
			v->dsum[i].ok = false;
	for (i = 0; i < FAT_HINT_MAX; i++)
		if (v->hint[i].dclus == dclus)
			v->hint[i].ok = false;
}

static struct fat_hint *
hint_slot(struct fat_vol *v, uint32_t dclus, uint32_t hash)
{
	return &v->hint[(hash ^ dclus * 0x9e3779b1u) % FAT_HINT_MAX];
}

bool
fat_hint_find(struct fat_vol *v, uint32_t dclus, uint32_t hash,
    uint32_t *first)
{
	struct fat_hint *h = hint_slot(v, dclus, hash);

	if (!h->ok || h->dclus != dclus || h->hash != hash)
		return false;
	*first = h->first;
	return true;
}

void
fat_hint_put(struct fat_vol *v, uint32_t dclus, uint32_t hash,
    uint32_t first)
{
	struct fat_hint *h = hint_slot(v, dclus, hash);

	h->ok = true;
	h->dclus = dclus;
	h->hash = hash;
	h->first = first;
}

void
fat_dsum_note(struct fat_dsum *s, bool lfn, uint32_t lhash, const uint8_t *sn)
{
	if (lfn)
		set_bits(s, lhash);
	set_bits(s, fat_short_hash(sn));
	set_bits(s, raw_hash(sn));
}

bool
fat_dsum_may(
    const struct fat_dsum *s, const uint16_t *u, int n, const uint8_t *sn)
{
	return has_bits(s, fat_name_hash(u, n)) ||
	    (sn != NULL && has_bits(s, raw_hash(sn)));
}

struct fat_dsum *
fat_dsum_hold(struct fat_vol *v, uint32_t dclus, uint32_t start)
{
	struct fat_dsum *s = fat_dsum_find(v, dclus);

	/* Hints stay: an add gives no set a name another set has. */
	if (s == NULL)
		return NULL;
	s->ok = false;
	return start == s->end ? s : NULL;
}

void
fat_dsum_added(struct fat_dsum *s, const struct fat_dirent *de, bool lfn)
{
	if (s == NULL)
		return;
	s->ok = true;
	s->end = de->idx + 1;
	fat_dsum_note(
	    s, lfn, fat_name_hash(de->name, de->nlen), de->raw + DE_NAME);
}
