/*
 * blk.c: hal.h's block calls, dispatched over the disks the drivers
 * found.
 *
 * Interface: hal_blk_open(), hal_blk_submit(), hal_blk_complete() from
 * hal.h; for the drivers (native.h) hal_blk_add() registers a disk at
 * boot and returns its number, hal_blk_intr() posts HAL_EV_BLK to the
 * disk's owner, hal_blk_print() says what was found (loglevel=debug).
 *
 * Rules: disks are numbered in the order they are added, so the order of
 * the drivers' init calls in boot.c decides which one is disk 0.  The
 * checks every driver needs (range, read-only, a flush only to a disk with
 * a write cache, segments within the driver's seg_max) are made here,
 * before the driver sees a request.  Open happens once per disk, on any
 * CPU; the rest runs on the owner only (hal.h), so only the owner field
 * is shared with interrupt handlers of other CPUs, and it is
 * written once.
 */
#include "hal/native/native.h"
#include "toro/errno.h"

#define NDISK 8

struct disk {
	const struct hal_blk_ops *ops;
	void *dev;
	uint64_t sectors;
	bool read_only;
	bool cache;
	uint32_t seg_max;
	const char *what;
	int owner; /* -1 until opened */
};

static struct disk disks[NDISK];
static int ndisks;

int
hal_blk_add(const struct hal_blk_ops *ops, void *dev, uint64_t sectors,
    bool read_only, bool cache, uint32_t seg_max, const char *what)
{
	struct disk *d;

	if (ndisks == NDISK)
		return -1;
	d = &disks[ndisks];
	d->ops = ops;
	d->dev = dev;
	d->sectors = sectors;
	d->read_only = read_only;
	d->cache = cache && !read_only;
	d->seg_max = seg_max < 1	? 1
	    : seg_max > HAL_BLK_SEG_MAX ? HAL_BLK_SEG_MAX
					: seg_max;
	d->what = what;
	d->owner = -1;
	return ndisks++;
}

void
hal_blk_intr(int disk)
{
	int cpu;

	if (disk < 0 || disk >= ndisks)
		return;
	cpu = __atomic_load_n(&disks[disk].owner, __ATOMIC_ACQUIRE);
	if (cpu >= 0)
		hal_cpu_post(cpu, HAL_EV_BLK);
}

void
hal_blk_print(void)
{
	const struct disk *d;
	int i;

	for (i = 0; i < ndisks; i++) {
		d = &disks[i];
		hal_printf("toro: disk %d: %s, %lu sectors (%lu MiB), %s%s", i,
		    d->what, (unsigned long)d->sectors,
		    (unsigned long)(d->sectors >> 11),
		    d->read_only ? "read-only" : "read-write",
		    d->cache ? ", write cache" : "");
		if (d->seg_max > 1)
			hal_printf(
			    ", scatter-gather (%u segments)", d->seg_max);
		hal_printf("\n");
	}
}

int
hal_blk_open(int dev, int cpu, struct hal_blk_info *info)
{
	struct disk *d;
	int none = -1;

	if (dev < 0 || dev >= ndisks)
		return -TORO_ENODEV;
	if (cpu < 0 || cpu >= hal_ncpus)
		return -TORO_EINVAL;
	d = &disks[dev];
	if (!__atomic_compare_exchange_n(&d->owner, &none, cpu, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return -TORO_EBUSY;
	d->ops->open(d->dev, hal_pcpus[cpu].apic_id);
	info->sectors = d->sectors;
	info->read_only = d->read_only;
	info->cache = d->cache;
	info->seg_max = d->seg_max;
	return 0;
}

int
hal_blk_submit(int dev, struct hal_blk_req *r)
{
	struct disk *d;

	if (dev < 0 || dev >= ndisks || disks[dev].owner < 0)
		return -TORO_ENODEV;
	d = &disks[dev];
	switch (r->op) {
	case HAL_BLK_FLUSH:
		if (!d->cache)
			return -TORO_EINVAL;
		break;
	case HAL_BLK_WRITE:
		if (d->read_only)
			return -TORO_EROFS;
		/* FALLTHROUGH */
	case HAL_BLK_READ:
		if (r->count == 0 || !hal_blk_req_memory_ok(r, d->seg_max) ||
		    r->sector >= d->sectors ||
		    r->count > d->sectors - r->sector)
			return -TORO_EINVAL;
		break;
	default:
		return -TORO_EINVAL;
	}
	return d->ops->submit(d->dev, r);
}

struct hal_blk_req *
hal_blk_complete(int dev)
{
	if (dev < 0 || dev >= ndisks || disks[dev].owner < 0)
		return NULL;
	return disks[dev].ops->complete(disks[dev].dev);
}
