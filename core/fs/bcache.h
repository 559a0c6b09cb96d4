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
 */
#ifndef CORE_FS_BCACHE_H
#define CORE_FS_BCACHE_H

#include "core/lib/klib.h"
#include "hal/hal.h"

#define FS_DISK_MAX 8      /* disks the storage CPU can hold open */
#define FS_IO_MAX 64       /* sectors in one request (32 KiB) */
#define FS_CACHE_BUFS 1024 /* sectors the cache holds (512 KiB) */

struct fs_bdev {
	int dev;          /* the HAL's disk number */
	uint64_t sectors; /* capacity */
	bool read_only;
	bool cache;	/* the device caches writes until a flush */
	bool unflushed; /* a write completed since the last flush */
	uint64_t reads, writes, flushes; /* requests, for tests and curiosity */
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

void fs_bdirty(struct fs_buf *b);
void fs_brelse(struct fs_buf *b);

/*
 * Write the dirty buffers of d (of every disk if NULL), in order, then
 * flush the device cache: afterwards all of it is on stable storage.
 */
int fs_bsync(struct fs_bdev *d);

/* Forget d's buffers, dirty or not (after a failed mount or umount). */
void fs_binval(struct fs_bdev *d);

/* Is the sector in the cache? */
bool fs_bcached(struct fs_bdev *d, uint64_t sector);

#endif
