/*
 * blkdev.c: disk I/O for the storage thread.
 *
 * Interface: bcache.h (fs_bdev_open, fs_bdev_io, fs_bdev_iov,
 * fs_bdev_flush, fs_bdev_event, fs_bio_start, fs_bio_start_iov,
 * fs_bio_wait).  A request is
 * submitted with hal_blk_submit(); the HAL_EV_BLK handler, running in this
 * CPU's scheduler, collects its completion with hal_blk_complete() and wakes
 * the thread waiting for it, if any.  fs_bdev_io() waits at once;
 * fs_bio_start() returns while the device works (bstream.c's windows),
 * and fs_bio_wait() waits later.  Other threads of the CPU run in
 * between.
 *
 * Rules: storage CPU only (the HAL takes block calls only from the CPU
 * that opened the disk).  The handler never blocks.  Before a request
 * of fs_bdev_io() goes out, bstream.c fences its range, so no window
 * holds newer data than the disk for it; a flush first writes the
 * windows.
 */
#include "core/fs/bcache.h"
#include "core/lib/lib.h"
#include "core/sched/sched.h"
#include "toro/errno.h"

static struct fs_bdev *open_devs[FS_DISK_MAX];
static int nopen;
/* A thread waiting for room in a device's queue. */
static struct toro_thread *room_waiter;

int
fs_bdev_open(struct fs_bdev *d, int dev)
{
	struct hal_blk_info info;
	int err;

	if (nopen == FS_DISK_MAX)
		return -TORO_EBUSY;
	if ((err = hal_blk_open(dev, hal_cpu_id(), &info)) < 0)
		return err;
	memset(d, 0, sizeof(*d));
	d->dev = dev;
	d->sectors = info.sectors;
	d->read_only = info.read_only;
	d->cache = info.cache;
	d->seg_max = info.seg_max < 1 ? 1 : info.seg_max;
	open_devs[nopen++] = d;
	return 0;
}

void
fs_bdev_event(void)
{
	struct hal_blk_req *r;
	struct fs_bio *io;
	int i;

	for (i = 0; i < nopen; i++) {
		while ((r = hal_blk_complete(open_devs[i]->dev)) != NULL) {
			io = r->ctx;
			io->busy = false;
			if (io->waiter != NULL)
				sched_wake(io->waiter);
		}
	}
	/* A completion makes room in the device's queue. */
	if (room_waiter != NULL)
		sched_wake(room_waiter);
}

/* Submit io's request; wait only for room in the device's queue. */
static int
submit(struct fs_bdev *d, struct fs_bio *io)
{
	int err;

	io->req.ctx = io;
	io->waiter = NULL;
	io->busy = true;
	while ((err = hal_blk_submit(d->dev, &io->req)) == -TORO_EAGAIN) {
		/* Full queue: wait for a completion, or retry soon anyway. */
		room_waiter = sched_current();
		sched_block(hal_time_ns() + 1000000, "disk queue");
		room_waiter = NULL;
	}
	if (err < 0)
		io->busy = false;
	if (io->req.op == HAL_BLK_WRITE) {
		d->writes++;
		/* A failed write may still have reached the cache in part. */
		d->unflushed = true;
	} else if (io->req.op == HAL_BLK_READ)
		d->reads++;
	return err;
}

int
fs_bio_wait(struct fs_bio *io)
{
	io->waiter = sched_current();
	while (io->busy)
		sched_block(HAL_NO_DEADLINE, "disk");
	io->waiter = NULL;
	return io->req.status < 0 ? -TORO_EIO : 0;
}

static bool
in_range(const struct fs_bdev *d, uint64_t sector, uint32_t count)
{
	return count > 0 && sector < d->sectors && count <= d->sectors - sector;
}

/* A request for count sectors at sector, checked, in io; 0 or an error. */
static int
bio_init(struct fs_bdev *d, struct fs_bio *io, bool write, uint64_t sector,
    uint32_t count)
{
	if (!in_range(d, sector, count))
		return -TORO_EINVAL;
	if (write && d->read_only)
		return -TORO_EROFS;
	memset(io, 0, sizeof(*io));
	io->req.op = write ? HAL_BLK_WRITE : HAL_BLK_READ;
	io->req.sector = sector;
	io->req.count = count;
	return 0;
}

int
fs_bio_start(struct fs_bdev *d, struct fs_bio *io, bool write, uint64_t sector,
    uint32_t count, void *buf)
{
	int err;

	if ((err = bio_init(d, io, write, sector, count)) < 0)
		return err;
	io->req.buf = buf;
	return submit(d, io);
}

int
fs_bdev_io(struct fs_bdev *d, uint64_t sector, uint32_t count, bool write,
    void *buf)
{
	struct hal_blk_seg seg = { buf, count };

	return fs_bdev_iov(d, sector, count, write, &seg, 1);
}

int
fs_bio_start_iov(struct fs_bdev *d, struct fs_bio *io, bool write,
    uint64_t sector, uint32_t count, const struct hal_blk_seg *seg,
    uint32_t nseg)
{
	int err;

	if (nseg == 1)
		return fs_bio_start(d, io, write, sector, count, seg[0].buf);
	if (nseg == 0 || nseg > d->seg_max)
		return -TORO_EINVAL;
	if ((err = bio_init(d, io, write, sector, count)) < 0)
		return err;
	io->req.seg = seg;
	io->req.nseg = nseg;
	return submit(d, io);
}

int
fs_bdev_iov(struct fs_bdev *d, uint64_t sector, uint32_t count, bool write,
    const struct hal_blk_seg *seg, uint32_t nseg)
{
	struct fs_bio io;
	int err;

	if (!in_range(d, sector, count))
		return -TORO_EINVAL;
	if (write && d->read_only)
		return -TORO_EROFS;
	fs_stream_fence(d, sector, count, write);
	if ((err = fs_bio_start_iov(d, &io, write, sector, count, seg, nseg)) <
	    0)
		return err;
	return fs_bio_wait(&io);
}

static int
flush_one(struct fs_bdev *d)
{
	struct fs_bio io;
	int err, late;

	/* Write-behind data is stage 0: it goes before the flush. */
	late = fs_stream_sync(d);
	if (!d->cache || !d->unflushed)
		return late;
	/* Writes completing from here on are not covered by this flush. */
	d->unflushed = false;
	memset(&io, 0, sizeof(io));
	io.req.op = HAL_BLK_FLUSH;
	d->flushes++;
	if ((err = submit(d, &io)) == 0)
		err = fs_bio_wait(&io);
	if (err < 0) {
		d->unflushed = true;
		toro_printf("fs: disk %d: cache flush failed\n", d->dev);
	}
	return late < 0 ? late : err;
}

int
fs_bdev_flush(struct fs_bdev *d)
{
	int i, err, first = 0;

	if (d != NULL)
		return flush_one(d);
	for (i = 0; i < nopen; i++)
		if ((err = flush_one(open_devs[i])) < 0 && first == 0)
			first = err;
	return first;
}
