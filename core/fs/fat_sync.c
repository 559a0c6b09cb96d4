/*
 * fat_sync.c: the order in which a FAT volume's changes reach the disk,
 * so that a power cut at any point leaves a volume that fsck.fat
 * repairs without losing anything that had been synced.
 *
 * Interface: fat.h (fat_sync_init, fat_sync_fini, fat_bdirty,
 * fat_free_later, fat_sync).  The rule, in the block cache's stages
 * (bcache.h), each stage durable before the next starts:
 *
 *   0 data: file data, and every sector of a cluster allocated since
 *     the last sync (a new directory's or a directory's new cluster):
 *     nothing on the disk reaches them yet;
 *   1 the FAT, both copies: new chains and links to them;
 *   2 directory entries that name new chains, sizes, new names;
 *   3 a rename's removal of the old name's short entry, then
 *   4 of its long-name entries, so that a cut never leaves the old file
 *     under a short name only (a rename syncs after adding the new name,
 *     so the old one goes only once the new one is durable);
 *   then frees: a freed chain stays allocated until the entries that
 *     named it are durable; only then is it freed in the FAT (written
 *     last), so a cut may leave lost clusters, never a cluster that a
 *     surviving entry names and a new file reuses.
 *
 * Eviction writes only stage 0 (bcache.c); when the cache holds nothing
 * else it can take, it syncs, which is safe at any point between two
 * cache calls; such a sync keeps the fresh clusters fresh, since one may
 * not be named yet.  fat_sync, called between operations (and within a
 * rename once the new name is in), makes them ordinary.  Data overwritten in
 * place (not appended) is written where it lies: such an overwrite is not
 * atomic.
 *
 * Rules: storage thread only.  A failed stage stops the sync: later
 * stages stay dirty, pending frees stay pending.
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/mem.h"

static int sync_pass(struct fat_vol *, bool);

/*
 * The cache's call: in the middle of an operation, a cluster may be
 * allocated and not yet named, so it stays fresh.
 */
static int
sync_hook(void *arg)
{
	return sync_pass(arg, false);
}

int
fat_sync_init(struct fat_vol *v)
{
	v->fresh = toro_calloc(v->max_clus / 8 + 1, 1);
	if (v->fresh == NULL)
		return -TORO_ENOMEM;
	v->npend = 0;
	v->bdev->sync = sync_hook;
	v->bdev->sync_arg = v;
	return 0;
}

void
fat_sync_fini(struct fat_vol *v)
{
	v->bdev->sync = NULL;
	v->bdev->sync_arg = NULL;
	toro_free(v->fresh);
	v->fresh = NULL;
}

void
fat_fresh(struct fat_vol *v, uint32_t clus)
{
	if (v->fresh != NULL && fat_clus_ok(v, clus))
		v->fresh[clus / 8] |= (uint8_t)(1u << clus % 8);
}

bool
fat_is_fresh(const struct fat_vol *v, uint32_t clus)
{
	return v->fresh != NULL && fat_clus_ok(v, clus) &&
	    (v->fresh[clus / 8] & (1u << clus % 8)) != 0;
}

/* Is the volume sector in a cluster allocated since the last sync? */
static bool
in_fresh(const struct fat_vol *v, uint32_t sector)
{
	if (sector < v->g.data_sec)
		return false;
	return fat_is_fresh(v, (sector - v->g.data_sec) / v->g.spc + 2);
}

void
fat_bdirty(struct fat_vol *v, struct fs_buf *b, int stage)
{
	if (stage >= FAT_ST_DIR &&
	    in_fresh(v, (uint32_t)(b->sector - v->g.base)))
		stage = FAT_ST_DATA;
	fs_bdirty(b, stage);
}

int
fat_free_later(struct fat_vol *v, uint32_t first)
{
	uint32_t len, last;
	int err;

	/* A bad chain is an error now, as freeing it at once would be. */
	if ((err = fat_chain_len(v, first, &len, &last)) < 0)
		return err;
	if (v->npend == FAT_PEND_MAX && (err = fat_sync(v)) < 0)
		return err;
	if (v->npend == FAT_PEND_MAX)
		return -TORO_EIO;
	v->pend[v->npend++] = first;
	return 0;
}

/* Free the pending chains in the cache (they go out in the next pass). */
static int
free_pending(struct fat_vol *v)
{
	uint32_t i;
	int err, first = 0;

	for (i = 0; i < v->npend; i++)
		if ((err = fat_free_chain(v, v->pend[i])) < 0 && first == 0)
			first = err;
	v->npend = 0;
	return first;
}

/*
 * Write everything in stage order, then commit the pending frees.  Only
 * between operations (`ended`) is every fresh cluster named, so that
 * from now on it is written in place like any other.
 */
static int
sync_pass(struct fat_vol *v, bool ended)
{
	int err;

	if (v->bdev->in_sync)
		return 0;
	v->bdev->in_sync = true;
	/* Stages 0 to 4: what the entries name is durable first. */
	if ((err = fs_bsync(v->bdev)) == 0) {
		if (ended && v->fresh != NULL)
			memset(v->fresh, 0, v->max_clus / 8 + 1);
		if (v->npend > 0) {
			err = free_pending(v);
			if (fs_bsync(v->bdev) < 0 && err == 0)
				err = -TORO_EIO;
		}
	}
	v->bdev->in_sync = false;
	return err;
}

int
fat_sync(struct fat_vol *v)
{
	return sync_pass(v, true);
}
