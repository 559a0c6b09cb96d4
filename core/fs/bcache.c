/*
 * bcache.c: the block cache: write-back, LRU, FS_CACHE_KB KiB unless the
 * command line says fscache=KiB.
 *
 * Interface: bcache.h.  Buffers are found by (disk, sector) in a hash
 * table and kept on one LRU list.  A miss takes the least recently used
 * unpinned buffer; if it is dirty (stage 0 only), it goes to the disk
 * first together with its dirty neighbours of stage 0, so a long write
 * drains in large requests.  A dirty buffer of a later stage is skipped
 * and moved to the back of the list; if nothing can be taken, the disk's
 * owner syncs (bcache.h says why).  Misses read ahead into sectors not
 * cached yet, in one request.
 *
 * fs_bsync() is bsync.c's, over fs_bcollect() and fs_brun_start/end.
 *
 * Rules: storage thread only (see bcache.h).  Multi-sector I/O moves
 * straight between the buffers and the disk, scatter-gather, where the
 * disk takes that many segments (hal.h), else through one staging
 * buffer; buffers of a request being read are pinned and marked invalid
 * until the data is in.
 */
#include "core/fs/bcache.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"

static struct fs_buf *bufs;
static size_t nbufs;
static struct fs_buf **hash;
static unsigned hash_mask;    /* a power of two less one, >= nbufs */
static struct list lru;
static uint8_t *stage;        /* FS_IO_MAX sectors */
static struct fs_buf **sortv; /* nbufs pointers, for sync */

static unsigned
hash_of(const struct fs_bdev *d, uint64_t sector)
{
	uint64_t h = (sector + (uint64_t)d->dev * 0x9e3779b1u) *
	    0x9e3779b97f4a7c15ull;

	return (unsigned)(h >> 40) & hash_mask;
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

/* The cache's size in sectors: fscache=KiB, or the default. */
static size_t
cache_sectors(void)
{
	const char *s = lib_opt(LIB_OPT_FSCACHE);
	size_t kb = 0;

	if (s == NULL)
		return (size_t)FS_CACHE_KB * 2;
	for (; *s >= '0' && *s <= '9' && kb <= FS_CACHE_KB_MAX; s++)
		kb = kb * 10 + (size_t)(*s - '0');
	if (*s != '\0' || kb < FS_CACHE_KB_MIN || kb > FS_CACHE_KB_MAX) {
		toro_printf("fs: fscache=%s: want KiB from %u to %u; using "
		    "%u\n", lib_opt(LIB_OPT_FSCACHE), FS_CACHE_KB_MIN,
		    FS_CACHE_KB_MAX, FS_CACHE_KB);
		kb = FS_CACHE_KB;
	}
	return kb * 2;
}

int
fs_bcache_init(void)
{
	uint8_t *mem;
	size_t i;

	if (bufs != NULL)
		return 0;
	nbufs = cache_sectors();
	for (hash_mask = 1; hash_mask < nbufs * 2; hash_mask *= 2)
		;
	bufs = toro_calloc(nbufs, sizeof(*bufs));
	mem = toro_malloc(nbufs * HAL_BLK_SECTOR);
	stage = toro_malloc((size_t)FS_IO_MAX * HAL_BLK_SECTOR);
	sortv = toro_calloc(nbufs, sizeof(*sortv));
	hash = toro_calloc(hash_mask, sizeof(*hash));
	hash_mask--;
	if (bufs == NULL || mem == NULL || stage == NULL || sortv == NULL ||
	    hash == NULL) {
		toro_free(bufs);
		toro_free(mem);
		toro_free(stage);
		toro_free(sortv);
		toro_free(hash);
		bufs = NULL;
		return -TORO_ENOMEM;
	}
	list_init(&lru);
	for (i = 0; i < nbufs; i++) {
		bufs[i].data = mem + i * HAL_BLK_SECTOR;
		list_init(&bufs[i].lru);
		list_push_back(&lru, &bufs[i].lru);
	}
	return 0;
}

/*
 * The memory of n buffers as segments, neighbours in memory joined;
 * returns how many, or 0 when d's seg_max is too few for them.
 */
static uint32_t
gather(
    struct fs_bdev *d, struct fs_buf **v, uint32_t n, struct hal_blk_seg *seg)
{
	uint32_t i, k = 0;
	uint8_t *end = NULL; /* where the last segment ends */

	for (i = 0; i < n; i++, end += HAL_BLK_SECTOR) {
		if (k > 0 && end == v[i]->data) {
			seg[k - 1].count++;
			continue;
		}
		end = v[i]->data;
		if (k == d->seg_max || k == HAL_BLK_SEG_MAX)
			return 0;
		seg[k].buf = v[i]->data;
		seg[k++].count = 1;
	}
	return k;
}

static int
werror(struct fs_bdev *d, uint64_t first, uint32_t n, int err)
{
	toro_printf("fs: disk %d: writing sectors %llu-%llu: %s\n", d->dev,
	    (unsigned long long)first, (unsigned long long)(first + n - 1),
	    toro_strerror(err));
	return err;
}

static void
mark_clean(struct fs_bdev *d, uint64_t sector)
{
	struct fs_buf *b = lookup(d, sector);

	if (b != NULL)
		b->dirty = false;
}

/*
 * One request, f's: scatter-gather from the buffers where the disk
 * takes their segments; else written at once, through the staging
 * buffer.
 */
int
fs_brun_start(
    struct fs_bdev *d, uint64_t first, uint32_t n, struct fs_flight *f)
{
	struct fs_buf *run[FS_IO_MAX];
	uint32_t i, k;
	int err;

	for (i = 0; i < n; i++)
		run[i] = lookup(d, first + i);
	f->dev = d;
	f->first = first;
	f->n = 0;
	if ((k = gather(d, run, n, f->seg)) > 0) {
		fs_stream_fence(d, first, n, true);
		if ((err = fs_bio_start_iov(
			 d, &f->io, true, first, n, f->seg, k)) < 0)
			return werror(d, first, n, err);
		f->n = n;
		return 0;
	}
	for (i = 0; i < n; i++)
		memcpy(stage + (size_t)i * HAL_BLK_SECTOR, run[i]->data,
		    HAL_BLK_SECTOR);
	if ((err = fs_bdev_io(d, first, n, true, stage)) < 0)
		return werror(d, first, n, err);
	for (i = 0; i < n; i++)
		mark_clean(d, first + i);
	return 0;
}

int
fs_brun_end(struct fs_flight *f)
{
	uint32_t i;

	if (f->n > 0 && fs_bio_wait(&f->io) < 0)
		return werror(f->dev, f->first, f->n, -TORO_EIO);
	for (i = 0; i < f->n; i++)
		mark_clean(f->dev, f->first + i);
	return 0;
}

static int
write_run(struct fs_bdev *d, uint64_t first, uint32_t n)
{
	struct fs_flight f;
	int err;

	if ((err = fs_brun_start(d, first, n, &f)) < 0)
		return err;
	return fs_brun_end(&f);
}

/* May eviction write b now, without breaking the stage order? */
static bool
evictable(const struct fs_buf *b)
{
	return b->stage == 0 || b->dev->in_sync;
}

static bool
is_dirty(const struct fs_bdev *d, uint64_t sector)
{
	struct fs_buf *b = lookup(d, sector);

	return b != NULL && b->valid && b->dirty && evictable(b);
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

/*
 * The least recently used unpinned buffer that can be had without
 * breaking the write order, or NULL; *later is set to the disk of a
 * dirty buffer that only its owner's sync can free.
 */
static struct fs_buf *
scan_free(struct fs_bdev **later, int *err)
{
	struct list *l, *next;
	struct fs_buf *b;
	int steps, tries = 0;

	for (l = lru.next, steps = 0; l != &lru && (size_t)steps < nbufs;
	    l = next, steps++) {
		next = l->next;
		b = container_of(l, struct fs_buf, lru);
		if (b->refs > 0)
			continue;
		if (b->valid && b->dirty && !evictable(b)) {
			/* Out of the way until a sync cleans it. */
			*later = b->dev;
			touch(b);
			continue;
		}
		if (b->valid && b->dirty) {
			/* Writing may fail (a bad disk): try a few others. */
			if ((*err = write_around(b)) < 0) {
				if (++tries == 4)
					return NULL;
				continue;
			}
			next = l->next;
			if (b->refs > 0 || b->dirty)
				continue;
		}
		*err = 0;
		return b;
	}
	*err = -TORO_ENOMEM;
	return NULL;
}

/*
 * The least recently used unpinned buffer, clean and unhashed.  Only if
 * may_sync may the disk's owner be asked to sync: never while the caller
 * holds claimed buffers that the sync could look up.
 */
static int
take_free(struct fs_buf **bp, bool may_sync)
{
	struct fs_bdev *later = NULL;
	struct fs_buf *b;
	int err;

	b = scan_free(&later, &err);
	if (b == NULL && err == -TORO_ENOMEM && may_sync && later != NULL &&
	    later->sync != NULL && !later->in_sync) {
		/* Only later stages are left: write them all, in order. */
		later->sync(later->sync_arg);
		b = scan_free(&later, &err);
	}
	if (b == NULL) {
		if (err == -TORO_ENOMEM && may_sync)
			toro_printf("fs: no cache buffer can be had\n");
		return err;
	}
	hash_del(b);
	touch(b);
	*bp = b;
	return 0;
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
	struct hal_blk_seg seg[HAL_BLK_SEG_MAX];
	struct fs_buf *run[FS_IO_MAX];
	uint32_t n, i, k, want;
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
		if ((err = take_free(&run[n], n == 0)) < 0) {
			if (n == 0)
				return err;
			break;
		}
		claim(run[n], d, sector + n);
	}
	/* Straight into the buffers where the disk takes their segments. */
	if ((k = gather(d, run, n, seg)) > 0)
		err = fs_bdev_iov(d, sector, n, false, seg, k);
	else
		err = fs_bdev_io(d, sector, n, false, stage);
	if (err < 0 && n > 1) {
		/* Maybe only a sector we did not need is bad. */
		for (i = 1; i < n; i++)
			unclaim(run[i]);
		n = 1;
		k = 1;
		err = fs_bdev_io(d, sector, 1, false, run[0]->data);
	}
	if (err < 0) {
		unclaim(run[0]);
		toro_printf("fs: disk %d: reading sector %llu: %s\n", d->dev,
		    (unsigned long long)sector, toro_strerror(err));
		return err;
	}
	for (i = 0; i < n; i++) {
		if (k == 0)
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
	if ((err = take_free(&b, true)) < 0)
		return err;
	claim(b, d, sector);
	memset(b->data, 0, HAL_BLK_SECTOR);
	b->valid = true;
	*bp = b;
	return 0;
}

void
fs_bdirty(struct fs_buf *b, int stage)
{
	if (stage < 0 || stage >= FS_STAGES)
		lib_panic("fs: write stage %d", stage);
	if (!b->dirty || stage > b->stage)
		b->stage = (uint8_t)stage;
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

size_t
fs_bcollect(struct fs_bdev *d, int stage, struct fs_buf ***v)
{
	struct fs_buf *b;
	size_t n = 0, i, j, gap;

	for (i = 0; i < nbufs; i++) {
		b = &bufs[i];
		if (b->valid && b->dirty && b->stage == stage &&
		    (d == NULL || b->dev == d))
			sortv[n++] = b;
	}
	/* Shell sort: no recursion, and n is at most nbufs. */
	for (gap = n / 2; gap > 0; gap /= 2)
		for (i = gap; i < n; i++)
			for (j = i; j >= gap && before(sortv[j],
			    sortv[j - gap]); j -= gap) {
				b = sortv[j];
				sortv[j] = sortv[j - gap];
				sortv[j - gap] = b;
			}
	*v = sortv;
	return n;
}

void
fs_binval(struct fs_bdev *d)
{
	size_t i;

	fs_stream_drop(d);
	for (i = 0; i < nbufs; i++)
		if (bufs[i].dev == d)
			unclaim(&bufs[i]);
}

int
fs_bdirect(struct fs_bdev *d, uint64_t sector, uint32_t count, bool write,
    void *buf)
{
	uint8_t *p = buf;
	struct fs_buf *b;
	uint32_t i, n;
	int err;

	if (count == 0 || sector >= d->sectors || count > d->sectors - sector)
		return -TORO_EIO;
	for (i = 0; i < count; i += n) {
		n = MIN(count - i, (uint32_t)FS_DIRECT_MAX);
		if (write)
			err = fs_stream_write(
			    d, sector + i, n, p + (size_t)i * HAL_BLK_SECTOR);
		else
			err = fs_stream_read(
			    d, sector + i, n, p + (size_t)i * HAL_BLK_SECTOR);
		if (err < 0) {
			toro_printf("fs: disk %d: %s sectors %llu-%llu: %s\n",
			    d->dev, write ? "writing" : "reading",
			    (unsigned long long)(sector + i),
			    (unsigned long long)(sector + i + n - 1),
			    toro_strerror(err));
			return err;
		}
	}
	/*
	 * A read: what the cache holds may be newer than the disk.  A
	 * write: the cached copy is now what the disk holds.
	 */
	for (i = 0; i < count; i++) {
		if ((b = lookup(d, sector + i)) == NULL || !b->valid)
			continue;
		if (write) {
			memcpy(b->data, p + (size_t)i * HAL_BLK_SECTOR,
			    HAL_BLK_SECTOR);
			b->dirty = false;
		} else
			memcpy(p + (size_t)i * HAL_BLK_SECTOR, b->data,
			    HAL_BLK_SECTOR);
	}
	return 0;
}

bool
fs_bcached(struct fs_bdev *d, uint64_t sector)
{
	struct fs_buf *b = lookup(d, sector);

	return b != NULL && b->valid;
}
