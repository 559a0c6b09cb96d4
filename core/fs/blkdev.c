/*
 * blkdev.c: disk I/O for the storage thread.
 *
 * Interface: bcache.h (fs_bdev_open, fs_bdev_io, fs_bdev_flush,
 * fs_bdev_event).  A
 * request is submitted with hal_blk_submit(); the submitting thread then
 * sleeps until the HAL_EV_BLK handler, running in this CPU's scheduler,
 * collects the completion with hal_blk_complete() and wakes it.  Other
 * threads of the CPU run in between.
 *
 * Rules: storage CPU only (the HAL takes block calls only from the CPU
 * that opened the disk).  The handler never blocks.
 */
#include "core/fs/bcache.h"
#include "core/lib/lib.h"
#include "core/sched/sched.h"
#include "toro/errno.h"

/* A request in flight and the thread waiting for it. */
struct blk_io {
	struct hal_blk_req req;
	struct toro_thread *waiter;
	bool done;
};

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
	open_devs[nopen++] = d;
	return 0;
}

void
fs_bdev_event(void)
{
	struct hal_blk_req *r;
	struct blk_io *io;
	int i;

	for (i = 0; i < nopen; i++) {
		while ((r = hal_blk_complete(open_devs[i]->dev)) != NULL) {
			io = r->ctx;
			io->done = true;
			sched_wake(io->waiter);
		}
	}
	/* A completion makes room in the device's queue. */
	if (room_waiter != NULL)
		sched_wake(room_waiter);
}

/* Submit io's request and sleep until it completes. */
static int
run(struct fs_bdev *d, struct blk_io *io)
{
	int err;

	io->req.ctx = io;
	io->waiter = sched_current();
	while ((err = hal_blk_submit(d->dev, &io->req)) == -TORO_EAGAIN) {
		/* Full queue: wait for a completion, or retry soon anyway. */
		room_waiter = io->waiter;
		sched_block(hal_time_ns() + 1000000, "disk queue");
		room_waiter = NULL;
	}
	if (err < 0)
		return err;
	while (!io->done)
		sched_block(HAL_NO_DEADLINE, "disk");
	return io->req.status < 0 ? -TORO_EIO : 0;
}

int
fs_bdev_io(struct fs_bdev *d, uint64_t sector, uint32_t count, bool write,
    void *buf)
{
	struct blk_io io;
	int err;

	if (count == 0 || sector >= d->sectors || count > d->sectors - sector)
		return -TORO_EINVAL;
	if (write && d->read_only)
		return -TORO_EROFS;
	memset(&io, 0, sizeof(io));
	io.req.op = write ? HAL_BLK_WRITE : HAL_BLK_READ;
	io.req.sector = sector;
	io.req.count = count;
	io.req.buf = buf;
	if (write)
		d->writes++;
	else
		d->reads++;
	err = run(d, &io);
	/* A failed write may still have reached the cache in part. */
	if (write)
		d->unflushed = true;
	return err;
}

static int
flush_one(struct fs_bdev *d)
{
	struct blk_io io;
	int err;

	if (!d->cache || !d->unflushed)
		return 0;
	/* Writes completing from here on are not covered by this flush. */
	d->unflushed = false;
	memset(&io, 0, sizeof(io));
	io.req.op = HAL_BLK_FLUSH;
	d->flushes++;
	if ((err = run(d, &io)) < 0) {
		d->unflushed = true;
		toro_printf("fs: disk %d: cache flush failed\n", d->dev);
	}
	return err;
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
