/*
 * bstream.c: large sequential transfers: read-ahead and write-behind
 * windows between fs_bdirect() and the disk.
 *
 * Interface: bcache.h (fs_stream_read ... fs_stream_drop).  A window is
 * FS_WIN sectors of memory over a range of one disk.  A read window is
 * filled by one request, perhaps still in flight.  A write window
 * gathers consecutive direct writes and goes to the disk in one request
 * once full, or earlier when something needs the disk to hold its data;
 * once written it serves reads like a read window.  A direct read that
 * continues where one of the last FS_STREAMS reads ended is served from
 * windows, and FS_AHEAD windows after it are read ahead while the
 * caller works: a sequential reader finds its data in memory and the
 * device works meanwhile, and a sequential writer fills one window while
 * the device writes the others.  Requests are FS_WIN sectors, so a
 * 64 KiB reader or writer makes one request in 4 instead of one each.
 * (Larger windows make fewer requests but cost more CPU: a 1 MiB window
 * no longer stays in the CPU's cache between the device's copy and the
 * reader's; 256 KiB measured best.)
 *
 * Rules: storage thread only.  No window ever holds data older than the
 * disk's, and the disk never gets older data than a window holds after
 * newer: every request of fs_bdev_io() fences its range first (data the
 * disk lacks goes out, read windows over a range being written are
 * dropped).  A flush first writes every window (fs_stream_sync), so
 * write-behind data is stage 0 and bcache.h's stage order holds; a
 * write that fails behind the writer's back is reported by the next
 * sync, and its window is dropped.  The windows take their memory on
 * first use; without it, everything goes straight to the disk.  A
 * settled read window may be lent (fs_stream_lease): its bytes are read
 * on other CPUs until the window is dropped, which first calls
 * fs_stream_unlease to take the loan back; a window's memory changes
 * only after it is dropped.
 */
#include "core/fs/bcache.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"

struct win {
	struct fs_bio io;
	struct fs_bdev *dev; /* NULL: free */
	uint64_t sector;     /* the first sector held */
	uint32_t count;	     /* sectors held (a write window: so far) */
	bool dirty;	     /* holds data the disk lacks */
	bool inflight;	     /* io was submitted and not yet settled */
	bool unread;	     /* read ahead, and nobody has read it yet */
	uint64_t used;	     /* last use, for replacement */
	bool lent;	     /* fs_stream_lease gave its bytes out */
	uint8_t *data;	     /* FS_WIN sectors */
};

void (*fs_stream_unlease)(const uint8_t *from, size_t len);
static struct win wins[FS_NWIN];
static uint64_t now;

static bool
overlaps(const struct win *w, const struct fs_bdev *d, uint64_t sector,
    uint32_t count)
{
	return w->dev == d && w->sector < sector + count &&
	    sector < w->sector + w->count;
}

static void
drop(struct win *w)
{
	if (w->lent && fs_stream_unlease != NULL)
		fs_stream_unlease(w->data, (size_t)FS_WIN * HAL_BLK_SECTOR);
	w->lent = false;
	w->dev = NULL;
	w->count = 0;
	w->dirty = false;
	w->unread = false;
}

/*
 * How dear a window is to keep: free or written already (its memory is
 * reused before new memory is touched: a writer of many small files
 * would otherwise fault in every window once), then read already (or
 * lent: the oldest loans are the ones most likely read through), then
 * read ahead and not yet wanted (another reader's next data), then
 * holding what the disk lacks.
 */
static int
worth(const struct win *w)
{
	if (w->dev == NULL)
		return 0;
	if (w->dirty || w->inflight)
		return 3;
	if (w->io.req.op == HAL_BLK_WRITE)
		return 0;
	return w->unread ? 2 : 1;
}

/* Should take() choose a over b? */
static bool
better(const struct win *a, const struct win *b)
{
	if (worth(a) != worth(b))
		return worth(a) < worth(b);
	if ((a->data != NULL) != (b->data != NULL))
		return a->data != NULL;
	return a->used < b->used;
}

/* Wait for w's request, if any, and take in its result. */
static void
settle(struct win *w)
{
	bool write;

	if (!w->inflight)
		return;
	write = w->io.req.op == HAL_BLK_WRITE;
	w->inflight = false;
	if (fs_bio_wait(&w->io) == 0) {
		w->dirty = false;
		return;
	}
	if (write) {
		toro_printf("fs: disk %d: writing sectors %llu-%llu: %s\n",
		    w->dev->dev, (unsigned long long)w->sector,
		    (unsigned long long)(w->sector + w->count - 1),
		    toro_strerror(-TORO_EIO));
		w->dev->werr = -TORO_EIO;
	}
	drop(w);
}

/* Send a write window's data to the disk; settle() sees it done. */
static void
push(struct win *w)
{
	int err;

	if (!w->dirty || w->inflight)
		return;
	if ((err = fs_bio_start(
		 w->dev, &w->io, true, w->sector, w->count, w->data)) < 0) {
		toro_printf("fs: disk %d: writing sectors %llu-%llu: %s\n",
		    w->dev->dev, (unsigned long long)w->sector,
		    (unsigned long long)(w->sector + w->count - 1),
		    toro_strerror(err));
		w->dev->werr = err;
		drop(w);
		return;
	}
	w->inflight = true;
}

/*
 * The window to reuse, free and with memory, or NULL without memory:
 * the least worth keeping, the least recently used of those, written
 * out first.  (Plain LRU took windows read ahead but not yet read when
 * two readers shared them: 2.6 times the reads.)
 */
static struct win *
take(void)
{
	struct win *w;
	int i;

	/* Writes the device has finished need no wait to settle. */
	for (i = 0; i < FS_NWIN; i++)
		if (wins[i].inflight && !wins[i].io.busy &&
		    wins[i].io.req.op == HAL_BLK_WRITE)
			settle(&wins[i]);
	for (w = &wins[0], i = 1; i < FS_NWIN; i++)
		if (better(&wins[i], w))
			w = &wins[i];
	if (w->dev != NULL) {
		push(w);
		settle(w);
		drop(w);
	}
	if (w->data == NULL &&
	    (w->data = toro_malloc((size_t)FS_WIN * HAL_BLK_SECTOR)) == NULL)
		return NULL;
	w->used = ++now;
	return w;
}

/* The window of d holding sector, or NULL. */
static struct win *
find(struct fs_bdev *d, uint64_t sector)
{
	int i;

	for (i = 0; i < FS_NWIN; i++)
		if (overlaps(&wins[i], d, sector, 1))
			return &wins[i];
	return NULL;
}

/* fs_stream_fence(), sparing one window (the one being filled). */
static void
fence(struct fs_bdev *d, uint64_t sector, uint32_t count, bool write,
    struct win *spare)
{
	struct win *w;
	int i;

	for (i = 0; i < FS_NWIN; i++) {
		w = &wins[i];
		if (w == spare || !overlaps(w, d, sector, count))
			continue;
		/* Data the disk lacks goes out first. */
		push(w);
		/* A read in flight may stay for a read: it changes nothing. */
		if (write || w->io.req.op == HAL_BLK_WRITE)
			settle(w);
		/* What a write overwrites would be stale. */
		if (write)
			drop(w);
	}
}

void
fs_stream_fence(struct fs_bdev *d, uint64_t sector, uint32_t count, bool write)
{
	fence(d, sector, count, write, NULL);
}

/* Start reading the window at sector, unless one holds it already. */
static struct win *
ahead(struct fs_bdev *d, uint64_t sector)
{
	struct win *w;
	uint32_t n;

	if (sector >= d->sectors || (w = find(d, sector)) != NULL)
		return NULL;
	n = (uint32_t)MIN((uint64_t)FS_WIN, d->sectors - sector);
	/* Data the disk lacks goes out first, so the read sees it. */
	fence(d, sector, n, false, NULL);
	if ((w = take()) == NULL)
		return NULL;
	if (fs_bio_start(d, &w->io, false, sector, n, w->data) < 0)
		return NULL;
	w->dev = d;
	w->sector = sector;
	w->count = n;
	w->inflight = true;
	w->unread = true;
	return w;
}

/* Does a read at sector continue a recent one? */
static bool
sequential(struct fs_bdev *d, uint64_t sector)
{
	int i;

	for (i = 0; i < FS_STREAMS; i++)
		if (d->next[i] == sector && sector != 0)
			return true;
	return false;
}

/* Remember where a read ended, in place of where it started. */
static void
remember(struct fs_bdev *d, uint64_t start, uint64_t end)
{
	int i;

	for (i = 0; i < FS_STREAMS; i++)
		if (d->next[i] == start) {
			d->next[i] = end;
			return;
		}
	d->next[d->nextpos] = end;
	d->nextpos = (d->nextpos + 1) % FS_STREAMS;
}

int
fs_stream_read(struct fs_bdev *d, uint64_t sector, uint32_t count, void *buf)
{
	uint64_t start = sector, end = sector + count;
	bool seq = sequential(d, sector);
	struct win *w, *last = NULL;
	uint8_t *p = buf;
	uint32_t k;

	while (sector < end) {
		if ((w = find(d, sector)) == NULL && seq)
			w = ahead(d, sector);
		if (w == NULL)
			break;
		if (w->inflight && w->io.req.op == HAL_BLK_READ) {
			settle(w);
			if (w->dev == NULL)
				break; /* a bad sector: the disk says which */
		}
		k = (uint32_t)MIN(end - sector, w->sector + w->count - sector);
		memcpy(p, w->data + (sector - w->sector) * HAL_BLK_SECTOR,
		    (size_t)k * HAL_BLK_SECTOR);
		w->used = ++now;
		w->unread = false;
		p += (size_t)k * HAL_BLK_SECTOR;
		sector += k;
		last = w;
	}
	remember(d, start, end);
	if (sector < end)
		return fs_bdev_io(
		    d, sector, (uint32_t)(end - sector), false, p);
	/* Keep the device busy with what the reader will want next. */
	for (k = 0; last != NULL && k < FS_AHEAD; k++) {
		sector = last->sector + last->count;
		if ((w = find(d, sector)) == NULL)
			w = ahead(d, sector);
		last = w;
	}
	return 0;
}

uint32_t
fs_stream_lease(
    struct fs_bdev *d, uint64_t sector, uint32_t count, const void **data)
{
	struct win *w = find(d, sector);
	uint32_t k, i;

	if (w == NULL || w->dirty)
		return 0;
	/* A read done but not yet taken in: take it in, without waiting. */
	if (w->inflight && (w->io.req.op != HAL_BLK_READ || w->io.busy))
		return 0;
	settle(w);
	if (w->dev == NULL)
		return 0;
	k = (uint32_t)MIN((uint64_t)count, w->sector + w->count - sector);
	/* The cache's copy may be newer; fs_bdirect() reads it instead. */
	for (i = 0; i < k; i++)
		if (fs_bcached(d, sector + i))
			break;
	if ((k = i) == 0)
		return 0;
	*data = w->data + (sector - w->sector) * HAL_BLK_SECTOR;
	w->lent = true;
	w->used = ++now;
	w->unread = false;
	remember(d, sector, sector + k);
	return k;
}

/* The write window of d that ends at sector and has room, or NULL. */
static struct win *
tail(struct fs_bdev *d, uint64_t sector)
{
	int i;

	for (i = 0; i < FS_NWIN; i++)
		if (wins[i].dev == d && wins[i].dirty && !wins[i].inflight &&
		    wins[i].sector + wins[i].count == sector &&
		    wins[i].count < FS_WIN)
			return &wins[i];
	return NULL;
}

/*
 * A write that continues no window starts one: windows of d at least
 * half full that it left behind go to the disk now, while the writer
 * goes on, rather than when take() needs them back and waits for them.
 * (A run of small files breaks its run at every directory cluster.)
 */
static void
leave(struct fs_bdev *d)
{
	int i;

	for (i = 0; i < FS_NWIN; i++)
		if (wins[i].dev == d && wins[i].dirty && !wins[i].inflight &&
		    wins[i].count >= FS_WIN / 2)
			push(&wins[i]);
}

int
fs_stream_write(
    struct fs_bdev *d, uint64_t sector, uint32_t count, const void *buf)
{
	uint64_t end = sector + count;
	const uint8_t *p = buf;
	struct win *w;
	uint32_t k;

	if (d->read_only)
		return -TORO_EROFS;
	while (sector < end) {
		if ((w = tail(d, sector)) == NULL) {
			if (end - sector >= FS_STRAIGHT)
				break;
			leave(d);
			if ((w = take()) == NULL)
				break;
			w->dev = d;
			w->sector = sector;
			w->dirty = true;
		}
		k = (uint32_t)MIN(end - sector, (uint64_t)(FS_WIN - w->count));
		fence(d, sector, k, true, w);
		memcpy(w->data + (size_t)w->count * HAL_BLK_SECTOR, p,
		    (size_t)k * HAL_BLK_SECTOR);
		w->count += k;
		w->used = ++now;
		if (w->count == FS_WIN)
			push(w);
		p += (size_t)k * HAL_BLK_SECTOR;
		sector += k;
	}
	if (sector == end)
		return 0;
	/* Large: straight from the caller's buffer, in one request. */
	return fs_bdev_io(d, sector, (uint32_t)(end - sector), true, (void *)p);
}

int
fs_stream_sync(struct fs_bdev *d)
{
	int i, err;

	for (i = 0; i < FS_NWIN; i++)
		if (wins[i].dev == d)
			push(&wins[i]);
	for (i = 0; i < FS_NWIN; i++)
		if (wins[i].dev == d)
			settle(&wins[i]);
	err = d->werr;
	d->werr = 0;
	return err;
}

void
fs_stream_drop(struct fs_bdev *d)
{
	int i;

	for (i = 0; i < FS_NWIN; i++)
		if (wins[i].dev == d) {
			settle(&wins[i]);
			drop(&wins[i]);
		}
	for (i = 0; i < FS_STREAMS; i++)
		d->next[i] = 0;
}
