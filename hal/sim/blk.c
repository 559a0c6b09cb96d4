/*
 * blk.c: the block devices of hal.h on the simulated machine.
 *
 * Interface: hal_blk_open, hal_blk_submit and hal_blk_complete, over
 * disk 0 of sim/disk.c (--disk IMAGE[:ro] or --share DIR); the machine
 * has no other disk.
 *
 * Rules: host errno codes become TORO_E* codes through hal_sim_error().
 */
#include "hal/hal.h"
#include "hal/sim/error.h"
#include "sim/sim.h"
#include "toro/errno.h"

int
hal_blk_open(int dev, int cpu, struct hal_blk_info *info)
{
	uint64_t sectors;
	bool ro;
	int error;

	if (dev != 0)
		return -TORO_ENODEV;
	if ((error = sim_disk_open(cpu, &sectors, &ro)) != 0)
		return hal_sim_error(error);
	info->sectors = sectors;
	info->read_only = ro;
	/* The host's page cache is the disk's: fdatasync() flushes it. */
	info->cache = !ro;
	/* preadv/pwritev take a segment an iovec. */
	info->seg_max = HAL_BLK_SEG_MAX;
	return 0;
}

int
hal_blk_submit(int dev, struct hal_blk_req *r)
{
	if (dev != 0)
		return -TORO_ENODEV;
	return hal_sim_error(sim_disk_submit(r));
}

struct hal_blk_req *
hal_blk_complete(int dev)
{
	struct hal_blk_req *r;

	if (dev != 0)
		return NULL;
	/* The I/O thread set a host code; the core wants a TORO_E* one. */
	if ((r = sim_disk_complete()) != NULL)
		r->status = hal_sim_error(r->status);
	return r;
}
