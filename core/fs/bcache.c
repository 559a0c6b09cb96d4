/*
 * bcache.c: the block cache: FS_CACHE_BUFS sectors, write-back, LRU.
 *
 * Interface: bcache.h.  Buffers are found by (disk, sector) in a hash
 * table and kept on one LRU list.  A miss takes the least recently used
 * unpinned buffer; if it is dirty, it goes to the disk first together
 * with its dirty neighbours, so a long write drains in large requests.
 * Misses read ahead into sectors not cached yet, in one request.
 *
 * Rules: storage thread only (see bcache.h).  Multi-sector I/O goes
 * through one staging buffer; buffers of a request being read are pinned
 * and marked invalid until the data is in.
 */
#include "core/fs/bcache.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"

#define HASH_SIZE 2048 /* a power of two, about twice FS_CACHE_BUFS */

static struct fs_buf *bufs;
static struct fs_buf *hash[HASH_SIZE];
static struct list lru;
static uint8_t *stage;        /* FS_IO_MAX sectors */
static struct fs_buf **sortv; /* FS_CACHE_BUFS pointers, for sync */

static unsigned
hash_of(const struct fs_bdev *d, uint64_t sector)
{
	uint64_t h = (sector + (uint64_t)d->dev * 0x9e3779b1u) *
	    0x9e3779b97f4a7c15ull;

	return (unsigned)(h >> 40) & (HASH_SIZE - 1);
}

static struct fs_buf *
lookup(const struct fs_bdev *d, uint64_t sector)
{
	struct fs_buf *b;

	for (b = hash[hash_of(d, sector)]; b != NULL; b = b->hnext)
		if (b->dev == d && b->sector == sector)
			return b;
	return NULL;
}

static void
hash_add(struct fs_buf *b)
{
	unsigned h = hash_of(b->dev, b->sector);

	b->hnext = hash[h];
	hash[h] = b;
}

static void
hash_del(struct fs_buf *b)
{
	struct fs_buf **pp;

	if (b->dev == NULL)
		return;
	for (pp = &hash[hash_of(b->dev, b->sector)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == b) {
			*pp = b->hnext;
			break;
		}
	b->dev = NULL;
	b->valid = b->dirty = false;
}

static void
touch(struct fs_buf *b)
{
	list_remove(&b->lru);
	list_push_back(&lru, &b->lru);
}

int
fs_bcache_init(void)
{
	uint8_t *mem;
	size_t i;

	if (bufs != NULL)
		return 0;
	bufs = toro_calloc(FS_CACHE_BUFS, sizeof(*bufs));
	mem = toro_malloc((size_t)FS_CACHE_BUFS * HAL_BLK_SECTOR);
	stage = toro_malloc((size_t)FS_IO_MAX * HAL_BLK_SECTOR);
	sortv = toro_calloc(FS_CACHE_BUFS, sizeof(*sortv));
	if (bufs == NULL || mem == NULL || stage == NULL || sortv == NULL) {
		toro_free(bufs);
		toro_free(mem);
		toro_free(stage);
		toro_free(sortv);
		bufs = NULL;
		return -TORO_ENOMEM;
	}
	list_init(&lru);
	for (i = 0; i < FS_CACHE_BUFS; i++) {
		bufs[i].data = mem + i * HAL_BLK_SECTOR;
		list_init(&bufs[i].lru);
		list_push_back(&lru, &bufs[i].lru);
	}
	return 0;
}

/* Write n consecutive dirty sectors of d from `first` in one request. */
static int
write_run(struct fs_bdev *d, uint64_t first, uint32_t n)
{
	struct fs_buf *b;
	uint32_t i;
	int err;

	for (i = 0; i < n; i++)
		memcpy(stage + (size_t)i * HAL_BLK_SECTOR,
		    lookup(d, first + i)->data, HAL_BLK_SECTOR);
	if ((err = fs_bdev_io(d, first, n, true, stage)) < 0) {
		toro_printf("fs: disk %d: writing sectors %llu-%llu: %s\n",
		    d->dev, (unsigned long long)first,
		    (unsigned long long)(first + n - 1), toro_strerror(err));
		return err;
	}
	for (i = 0; i < n; i++)
		if ((b = lookup(d, first + i)) != NULL)
			b->dirty = false;
	return 0;
}

static bool
is_dirty(const struct fs_bdev *d, uint64_t sector)
{
	struct fs_buf *b = lookup(d, sector);

	return b != NULL && b->valid && b->dirty;
}

/* Write b and the dirty sectors around it, up to FS_IO_MAX in all. */
static int
write_around(struct fs_buf *b)
{
	uint64_t lo = b->sector, hi = b->sector;

	while (hi - lo + 1 < FS_IO_MAX && hi + 1 < b->dev->sectors &&
	    is_dirty(b->dev, hi + 1))
		hi++;
	while (hi - lo + 1 < FS_IO_MAX && lo > 0 && is_dirty(b->dev, lo - 1))
		lo--;
	return write_run(b->dev, lo, (uint32_t)(hi - lo + 1));
}

/* The least recently used unpinned buffer, clean and unhashed. */
static int
take_free(struct fs_buf **bp)
{
	struct list *l;
	struct fs_buf *b;
	int err, tries = 0;

	for (l = lru.next; l != &lru; l = l->next) {
		b = container_of(l, struct fs_buf, lru);
		if (b->refs > 0)
			continue;
		if (b->valid && b->dirty) {
			/* Writing may fail (a bad disk): try a few others. */
			if ((err = write_around(b)) < 0) {
				if (++tries == 4)
					return err;
				continue;
			}
			if (b->refs > 0 || b->dirty)
				continue;
		}
		hash_del(b);
		touch(b);
		*bp = b;
		return 0;
	}
	toro_printf("fs: every cache buffer is pinned\n");
	return -TORO_ENOMEM;
}

static void
claim(struct fs_buf *b, struct fs_bdev *d, uint64_t sector)
{
	b->dev = d;
	b->sector = sector;
	b->valid = b->dirty = false;
	b->refs = 1;
	hash_add(b);
}

/* The valid buffer of sector, pinned; an invalid one is dropped. */
static struct fs_buf *
pin_cached(struct fs_bdev *d, uint64_t sector)
{
	struct fs_buf *b = lookup(d, sector);

	if (b != NULL && b->valid) {
		b->refs++;
		touch(b);
		return b;
	}
	if (b != NULL)
		hash_del(b);
	return NULL;
}

/* Give back a claimed buffer whose read failed or was not needed. */
static void
unclaim(struct fs_buf *b)
{
	b->refs = 0;
	hash_del(b);
}

int
fs_bread(struct fs_bdev *d, uint64_t sector, uint32_t ra, struct fs_buf **bp)
{
	struct fs_buf *run[FS_IO_MAX];
	uint32_t n, i, want;
	int err;

	if (sector >= d->sectors)
		return -TORO_EIO;
	if ((*bp = pin_cached(d, sector)) != NULL)
		return 0;
	want = MIN(MAX(ra, 1u), (uint32_t)FS_IO_MAX);
	if (want > d->sectors - sector)
		want = (uint32_t)(d->sectors - sector);
	for (n = 0; n < want; n++) {
		if (n > 0 && lookup(d, sector + n) != NULL)
			break;
		if ((err = take_free(&run[n])) < 0) {
			if (n == 0)
				return err;
			break;
		}
		claim(run[n], d, sector + n);
	}
	err = fs_bdev_io(d, sector, n, false, stage);
	if (err < 0 && n > 1) {
		/* Maybe only a sector we did not need is bad. */
		for (i = 1; i < n; i++)
			unclaim(run[i]);
		n = 1;
		err = fs_bdev_io(d, sector, 1, false, stage);
	}
	if (err < 0) {
		unclaim(run[0]);
		toro_printf("fs: disk %d: reading sector %llu: %s\n", d->dev,
		    (unsigned long long)sector, toro_strerror(err));
		return err;
	}
	for (i = 0; i < n; i++) {
		memcpy(run[i]->data, stage + (size_t)i * HAL_BLK_SECTOR,
		    HAL_BLK_SECTOR);
		run[i]->valid = true;
		if (i > 0)
			run[i]->refs = 0;
	}
	/* The sector asked for is the most recent. */
	touch(run[0]);
	*bp = run[0];
	return 0;
}

int
fs_bget(struct fs_bdev *d, uint64_t sector, struct fs_buf **bp)
{
	struct fs_buf *b;
	int err;

	if (sector >= d->sectors)
		return -TORO_EIO;
	if ((*bp = pin_cached(d, sector)) != NULL)
		return 0;
	if ((err = take_free(&b)) < 0)
		return err;
	claim(b, d, sector);
	memset(b->data, 0, HAL_BLK_SECTOR);
	b->valid = true;
	*bp = b;
	return 0;
}

void
fs_bdirty(struct fs_buf *b)
{
	b->dirty = true;
}

void
fs_brelse(struct fs_buf *b)
{
	if (b->refs <= 0)
		lib_panic("fs: buffer of sector %llu released twice",
		    (unsigned long long)b->sector);
	b->refs--;
}

static bool
before(const struct fs_buf *a, const struct fs_buf *b)
{
	if (a->dev != b->dev)
		return a->dev->dev < b->dev->dev;
	return a->sector < b->sector;
}

int
fs_bsync(struct fs_bdev *d)
{
	struct fs_buf *b;
	size_t n = 0, i, j, gap;
	uint32_t run;
	int err, first_err = 0;

	for (i = 0; i < FS_CACHE_BUFS; i++) {
		b = &bufs[i];
		if (b->valid && b->dirty && (d == NULL || b->dev == d))
			sortv[n++] = b;
	}
	/* Shell sort: no recursion, and n is at most FS_CACHE_BUFS. */
	for (gap = n / 2; gap > 0; gap /= 2)
		for (i = gap; i < n; i++)
			for (j = i; j >= gap && before(sortv[j],
			    sortv[j - gap]); j -= gap) {
				b = sortv[j];
				sortv[j] = sortv[j - gap];
				sortv[j - gap] = b;
			}
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && run < FS_IO_MAX &&
		    sortv[i + run]->dev == sortv[i]->dev &&
		    sortv[i + run]->sector == sortv[i]->sector + run; run++)
			;
		err = write_run(sortv[i]->dev, sortv[i]->sector, run);
		if (err < 0 && first_err == 0)
			first_err = err;
	}
	/* Written is not yet durable while the device caches it. */
	if ((err = fs_bdev_flush(d)) < 0 && first_err == 0)
		first_err = err;
	return first_err;
}

void
fs_binval(struct fs_bdev *d)
{
	size_t i;

	for (i = 0; i < FS_CACHE_BUFS; i++)
		if (bufs[i].dev == d)
			unclaim(&bufs[i]);
}

bool
fs_bcached(struct fs_bdev *d, uint64_t sector)
{
	struct fs_buf *b = lookup(d, sector);

	return b != NULL && b->valid;
}
