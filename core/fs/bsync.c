/*
 * bsync.c: the block cache's sync: every dirty buffer to the disk,
 * stage by stage (bcache.h says why).
 *
 * Interface: fs_bsync() (bcache.h).  Within a stage the order does not
 * matter, so its runs of consecutive sectors go out together, up to
 * SYNC_DEPTH requests in flight, and the stage costs one wait rather
 * than one a run; then a flush, and the next stage.
 *
 * Rules: storage thread only.  A stage that fails stops the sync: no
 * later stage goes out.
 */
#include "core/fs/bcache.h"
#include "core/lib/lib.h"
#include "toro/errno.h"

#define SYNC_DEPTH 16

static struct fs_flight flights[SYNC_DEPTH];
static int nflights;

/* Wait for the writes in flight: 0 or the first error. */
static int
land(void)
{
	int k, err, first = 0;

	for (k = 0; k < nflights; k++)
		if ((err = fs_brun_end(&flights[k])) < 0 && first == 0)
			first = err;
	nflights = 0;
	return first;
}

static int
launch(struct fs_bdev *d, uint64_t first, uint32_t n)
{
	int err;

	if (nflights == SYNC_DEPTH && (err = land()) < 0)
		return err;
	if ((err = fs_brun_start(d, first, n, &flights[nflights])) < 0)
		return err;
	nflights++;
	return 0;
}

int
fs_bsync(struct fs_bdev *d)
{
	struct fs_buf **v;
	size_t n, i;
	uint32_t run;
	int err, k, stage;

	for (stage = 0; stage < FS_STAGES; stage++) {
		if ((n = fs_bcollect(d, stage, &v)) == 0)
			continue;
		/* The stages before are durable before this one starts. */
		if (stage > 0 && (err = fs_bdev_flush(d)) < 0)
			return err;
		for (i = 0, err = 0; i < n && err == 0; i += run) {
			for (run = 1; i + run < n && run < FS_IO_MAX &&
			     v[i + run]->dev == v[i]->dev &&
			     v[i + run]->sector == v[i]->sector + run;
			     run++)
				;
			err = launch(v[i]->dev, v[i]->sector, run);
		}
		/* A later stage must not go out after a failure. */
		if ((k = land()) < 0 || err < 0)
			return err < 0 ? err : k;
	}
	/* Written is not yet durable while the device caches it. */
	return fs_bdev_flush(d);
}
