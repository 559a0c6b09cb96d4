/*
 * bcache.h: disks as the file system sees them (blkdev.c) and the block
 * cache over them (bcache.c).
 *
 * Rules: everything here runs on the storage CPU, in the storage thread,
 * which is the only thread that touches disks and cache; so nothing is
 * locked.  A buffer returned by fs_bread()/fs_bget() is pinned until
 * fs_brelse(): it stays in memory and at the same sector while its holder
 * sleeps in I/O.  Writes stay in the cache (write-back) until fs_bsync()
 * or until the buffer is evicted, least recently used first.
 *
 * Write order, for crash safety: a dirty buffer carries a stage (0 to
 * FS_STAGES - 1), chosen by the file system.  No buffer of a stage
 * reaches the disk before every dirty buffer of the lower stages is on
 * stable storage (written, then flushed where the device caches).
 * Eviction writes stage-0 buffers only; when nothing else can be taken,
 * it asks the disk's owner to sync (fs_bdev.sync), which writes every
 * stage in order.  While the owner syncs (in_sync), eviction may write
 * any buffer of that disk: the owner's own last stage is being written.
 */
#ifndef CORE_FS_BCACHE_H
#define CORE_FS_BCACHE_H

#include "core/lib/klib.h"
#include "hal/hal.h"

#define FS_DISK_MAX 8      /* disks the storage CPU can hold open */
#define FS_IO_MAX 256        /* sectors in one cached request (128 KiB) */
#define FS_DIRECT_MAX 4096   /* sectors in one direct request (2 MiB) */
#define FS_CACHE_KB 512      /* the cache, unless fscache=KiB says */
#define FS_CACHE_KB_MIN 8    /* room for the pins of a few calls */
#define FS_CACHE_KB_MAX 262144
#define FS_STAGES 5        /* write-order stages of dirty buffers */
#define FS_WIN 512	   /* sectors in a stream window (256 KiB) */
#define FS_NWIN 8	   /* stream windows, for all disks */
#define FS_AHEAD 2	   /* windows a sequential reader reads ahead */
#define FS_STRAIGHT 1024   /* sectors: a write this large skips windows */
#define FS_STREAMS 4	   /* sequential readers a disk keeps track of */

struct fs_bdev {
	int dev;          /* the HAL's disk number */
	uint64_t sectors; /* capacity */
	bool read_only;
	bool cache;	/* the device caches writes until a flush */
	uint32_t seg_max; /* segments a request may have (hal.h) */
	bool unflushed; /* a write completed since the last flush */
	uint64_t reads, writes, flushes; /* requests, for tests and curiosity */
	int (*sync)(void *arg); /* the owner's ordered sync, for eviction */
	void *sync_arg;
	bool in_sync;           /* the owner is syncing */
	int werr;		/* a write-behind failed since the last sync */
	uint64_t next[FS_STREAMS]; /* where recent direct reads ended */
	unsigned nextpos;	   /* the slot of next[] to replace */
};

/* A request that may still be in flight (fs_bio_start). */
struct fs_bio {
	struct hal_blk_req req;
	struct toro_thread *waiter; /* sleeping in fs_bio_wait(), or NULL */
	bool busy;		    /* submitted and not yet completed */
};

/*
 * blkdev.c
 */

/* Open disk `dev` for the calling (storage) CPU. */
int fs_bdev_open(struct fs_bdev *d, int dev);

/*
 * Read or write count sectors from `sector` and sleep until the device
 * is done; other threads run meanwhile.  Returns 0, -TORO_EIO, ...
 */
int fs_bdev_io(struct fs_bdev *d, uint64_t sector, uint32_t count,
    bool write, void *buf);

/*
 * fs_bdev_io() into or out of nseg segments (1 to d->seg_max) that add
 * up to count sectors: scatter-gather, one request.
 */
int fs_bdev_iov(struct fs_bdev *d, uint64_t sector, uint32_t count, bool write,
    const struct hal_blk_seg *seg, uint32_t nseg);

/*
 * Submit a read or write of count sectors from `sector` and return while
 * the device works; buf and io stay untouched until fs_bio_wait() says
 * it is done.  Returns 0, -TORO_EINVAL, -TORO_EROFS, ...  Unlike
 * fs_bdev_io() this does not fence: its callers (bstream.c, and the
 * cache's sync) fence or own the range.
 */
int fs_bio_start(struct fs_bdev *d, struct fs_bio *io, bool write,
    uint64_t sector, uint32_t count, void *buf);

/* fs_bio_start() into or out of nseg segments, as fs_bdev_iov(). */
int fs_bio_start_iov(struct fs_bdev *d, struct fs_bio *io, bool write,
    uint64_t sector, uint32_t count, const struct hal_blk_seg *seg,
    uint32_t nseg);

/* Sleep until io is done: 0 or -TORO_EIO. */
int fs_bio_wait(struct fs_bio *io);

/*
 * Put every completed write of d (NULL: of every open disk) on stable
 * storage: a flush request where the device caches writes and has
 * taken some since the last flush.  Returns 0 or -TORO_EIO.
 */
int fs_bdev_flush(struct fs_bdev *d);

/* The HAL_EV_BLK handler; registered by the storage thread. */
void fs_bdev_event(void);

/*
 * bcache.c
 */

struct fs_buf {
	uint8_t *data;        /* HAL_BLK_SECTOR bytes */
	struct fs_bdev *dev;
	uint64_t sector;
	struct fs_buf *hnext; /* hash chain */
	struct list lru;      /* most recently used at the back */
	int refs;             /* pins */
	bool valid;           /* data holds the sector */
	bool dirty;           /* data is newer than the disk */
	uint8_t stage;        /* of a dirty buffer: see the header */
};

/* Allocate the cache; call once on the storage CPU. */
int fs_bcache_init(void);

/*
 * Get sector `sector` of d, reading it if needed.  On a miss, up to ra
 * following sectors that are not cached are read in the same request
 * (read-ahead, 1 for none).  Returns 0 and sets *bp, or -TORO_EIO.
 */
int fs_bread(struct fs_bdev *d, uint64_t sector, uint32_t ra,
    struct fs_buf **bp);

/*
 * Get sector `sector` to overwrite it whole: no read; a buffer that was
 * not cached comes zero-filled.
 */
int fs_bget(struct fs_bdev *d, uint64_t sector, struct fs_buf **bp);

/*
 * Mark b dirty in write stage `stage`; a buffer already dirty keeps the
 * later of its stage and this one (its new data must not go earlier).
 */
void fs_bdirty(struct fs_buf *b, int stage);
void fs_brelse(struct fs_buf *b);

/*
 * Write the dirty buffers of d (of every disk if NULL) stage by stage,
 * each stage in sector order and flushed before the next (where the
 * device caches writes): afterwards all of it is on stable storage.
 */
int fs_bsync(struct fs_bdev *d);

/*
 * For the sync (bsync.c): a write of n consecutive dirty sectors from
 * `first`, in flight in one request from fs_brun_start() (which may
 * also write them at once, leaving n 0) until fs_brun_end() waits for
 * it and marks what it wrote clean; and the dirty buffers of d (NULL:
 * all) of one stage, sorted by disk and sector, in *v (the cache's,
 * good until the next call).
 */
struct fs_flight {
	struct fs_bio io;
	struct fs_bdev *dev;
	uint64_t first;
	uint32_t n; /* 0: nothing in flight */
	struct hal_blk_seg seg[HAL_BLK_SEG_MAX];
};
int fs_brun_start(
    struct fs_bdev *d, uint64_t first, uint32_t n, struct fs_flight *f);
int fs_brun_end(struct fs_flight *f);
size_t fs_bcollect(struct fs_bdev *d, int stage, struct fs_buf ***v);

/* Forget d's buffers, dirty or not (after a failed mount or umount). */
void fs_binval(struct fs_bdev *d);

/*
 * Move count sectors from `sector` between the disk and buf, past the
 * cache, through bstream.c's windows or straight, in requests of up to
 * FS_DIRECT_MAX sectors: for large transfers.  A read sees the cache's
 * sectors, which are as new as the disk's or newer; a write updates the
 * cached copies, which it leaves clean.  A direct write is file data: stage 0,
 * it may go at any time.
 */
int fs_bdirect(struct fs_bdev *d, uint64_t sector, uint32_t count,
    bool write, void *buf);

/* Is the sector in the cache? */
bool fs_bcached(struct fs_bdev *d, uint64_t sector);

/*
 * bstream.c: windows of FS_WIN sectors for large sequential transfers,
 * under fs_bdirect(): read-ahead and write-behind.
 */

/*
 * Read count sectors at `sector` into buf: from the windows, reading
 * the next one ahead, when the read continues an earlier one; straight
 * from the disk otherwise.  0 or -TORO_EIO.
 */
int fs_stream_read(
    struct fs_bdev *d, uint64_t sector, uint32_t count, void *buf);

/*
 * Write count sectors at `sector` from buf: copied into a window that
 * goes to the disk in one request once full (or fenced, or synced); a
 * write of FS_STRAIGHT sectors or more that continues no window goes
 * straight from buf to the disk, one request.  An error of a write behind is
 * kept for the next fs_stream_sync().  0, -TORO_EIO, -TORO_EROFS.
 */
int fs_stream_write(
    struct fs_bdev *d, uint64_t sector, uint32_t count, const void *buf);

/*
 * Before a request of fs_bdev_io() on the range: windows with data the
 * disk lacks there go out first and, for a write, windows over the
 * range are dropped (they would be stale).  May sleep.
 */
void fs_stream_fence(
    struct fs_bdev *d, uint64_t sector, uint32_t count, bool write);

/*
 * Write every window of d that holds data the disk lacks and wait for
 * all of d's windows; returns and clears the error of a write behind.
 */
int fs_stream_sync(struct fs_bdev *d);

/* Forget d's windows, written or not (fs_binval). */
void fs_stream_drop(struct fs_bdev *d);

/*
 * Lend the read window's bytes from `sector` on, at most count
 * sectors, until the window is reused: *data and how many sectors, 0
 * when no window holds them as they are, or the cache holds a newer
 * copy of the first.  The next read continuing there counts as
 * sequential.
 */
uint32_t fs_stream_lease(
    struct fs_bdev *d, uint64_t sector, uint32_t count, const void **data);

/*
 * Called before window memory that was lent is reused, with that
 * memory (set by the lender, handle.c).
 */
extern void (*fs_stream_unlease)(const uint8_t *from, size_t len);

#endif
