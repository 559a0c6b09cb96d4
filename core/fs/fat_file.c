/*
 * fat_file.c: file data: read, write, extend and truncate a file's
 * cluster chain.
 *
 * Interface: fat_file_read/write/truncate (fat.h).  The node remembers
 * one position in its chain, so sequential access walks the FAT once,
 * and the chain's length and last cluster, so appending does not walk
 * it at all.  A write first gets every cluster it needs (all or nothing,
 * see fat_alloc), links them, then copies the data; a gap before the
 * write's position is zero-filled.  Transfers of DIRECT_MIN sectors
 * or more move between the caller's buffer and the disk directly, one
 * request per run of contiguous clusters (fs_bdirect), and so do whole
 * sectors appended in clusters new since the last sync; the rest goes
 * through the cache, and a read that continues the last one reads ahead
 * along the chain.  New clusters follow the file's last one where it is
 * free, so a file grows contiguously.
 *
 * Rules: a file's chain must be at least as long as its size says;
 * shorter, or out of range, is -TORO_EIO.  Sizes stop at 4 GiB - 1.
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"
#include "toro/errno.h"

#define FAT_FILE_MAX 0xffffffffull
#define DIRECT_MIN 64 /* sectors: a transfer this large bypasses the cache */

/* Cluster number ci of n's chain. */
static int
clus_at(struct fat_vol *v, struct fat_node *n, uint32_t ci, uint32_t *clus)
{
	uint32_t next;
	int err;

	if (ci >= v->g.nclus) {
		toro_printf("fat: disk %d: file at cluster %u: position past "
		    "the volume\n", v->mnt.dev, n->first);
		return -TORO_EIO;
	}
	if (n->cur_clus == 0 || ci < n->cur_ci) {
		if (!fat_clus_ok(v, n->first)) {
			toro_printf("fat: disk %d: file without data has %u "
			    "bytes\n", v->mnt.dev, n->size);
			return -TORO_EIO;
		}
		n->cur_ci = 0;
		n->cur_clus = n->first;
	}
	while (n->cur_ci < ci) {
		if ((err = fat_next(v, n->cur_clus, &next)) < 0)
			return err;
		if (next == FAT_EOC) {
			toro_printf("fat: disk %d: file at cluster %u: chain "
			    "shorter than its size\n", v->mnt.dev, n->first);
			return -TORO_EIO;
		}
		n->cur_clus = next;
		n->cur_ci++;
	}
	*clus = n->cur_clus;
	return 0;
}

static int
know_chain(struct fat_vol *v, struct fat_node *n)
{
	int err;

	if (n->chain_known)
		return 0;
	if ((err = fat_chain_len(v, n->first, &n->nclus, &n->last)) < 0)
		return err;
	n->chain_known = true;
	return 0;
}

/*
 * The run of whole sectors from pos (sector-aligned) that lies on
 * clusters contiguous on the disk, at most max: its first volume sector
 * and length.  The node's cursor moves to the run's last cluster.
 */
static int
direct_run(struct fat_vol *v, struct fat_node *n, uint64_t pos, uint32_t max,
    uint32_t *sector, uint32_t *count)
{
	uint32_t clus, next, in, got;
	int err;

	if ((err = clus_at(v, n, (uint32_t)(pos / v->cs), &clus)) < 0)
		return err;
	in = (uint32_t)(pos % v->cs) / FAT_SECTOR;
	*sector = fat_clus_sector(v, clus) + in;
	for (got = v->g.spc - in; got < max; got += v->g.spc) {
		if ((err = fat_next(v, clus, &next)) < 0)
			return err;
		if (next != clus + 1)
			break;
		clus = next;
		n->cur_ci++;
		n->cur_clus = clus;
	}
	*count = MIN(got, max);
	return 0;
}

/*
 * Move whole sectors between buf and the file from pos on, past the
 * cache, one request per contiguous run; returns the bytes moved.
 */
static long
direct(struct fat_vol *v, struct fat_node *n, uint64_t pos, uint8_t *buf,
    size_t len, bool write)
{
	uint32_t sector, count;
	size_t done = 0;
	int err;

	while (len - done >= FAT_SECTOR) {
		err = direct_run(v, n, pos + done,
		    (uint32_t)MIN((len - done) / FAT_SECTOR, (size_t)1 << 20),
		    &sector, &count);
		if (err == 0 && sector + count > v->g.tot_sec)
			err = -TORO_EIO;
		if (err == 0)
			err = fs_bdirect(v->bdev, v->g.base + sector, count,
			    write, buf + done);
		if (err < 0)
			return done > 0 ? (long)done : err;
		done += (size_t)count * FAT_SECTOR;
	}
	return (long)done;
}

/*
 * How many sectors to read from `sector` (cluster clus) on a miss: the
 * rest of the cluster, or more while the chain runs on contiguously
 * and the caller wants the data, up to one request.
 */
static uint32_t
read_ahead(struct fat_vol *v, uint32_t clus, uint32_t in, size_t want)
{
	uint32_t ra = v->g.spc - in / FAT_SECTOR, c = clus, next;
	size_t need = (in % FAT_SECTOR + want + FAT_SECTOR - 1) / FAT_SECTOR;

	while (ra < need && ra < FS_IO_MAX && fat_next(v, c, &next) == 0 &&
	    next == c + 1) {
		ra += v->g.spc;
		c = next;
	}
	return MIN(ra, (uint32_t)FS_IO_MAX);
}

/*
 * A miss just past the volume's last read of file data is sequential on
 * the disk, across files too: small files written one after another lie
 * one after another, and reading them in that order would otherwise
 * cost a request each.  Such a miss reads a whole request ahead, past
 * the file's own chain; the cache keeps what the next files need.
 */
static uint32_t
vol_ahead(struct fat_vol *v, uint32_t sector, uint32_t ra)
{
	if (v->ra_len > 0 && sector > v->ra_from &&
	    sector - v->ra_from <= 2 * v->ra_len)
		ra = MAX(ra, (uint32_t)FS_IO_MAX);
	v->ra_from = sector;
	v->ra_len = ra;
	return ra;
}

long
fat_file_read(struct fat_vol *v, struct fat_node *n, uint64_t pos, void *buf,
    size_t len)
{
	struct fs_buf *b;
	uint32_t clus, in, sector, so, chunk, ra;
	size_t done = 0;
	long k;
	int err;

	if (pos >= n->size)
		return 0;
	/* Once per node: a looping or short chain fails every read. */
	if ((err = know_chain(v, n)) < 0)
		return err;
	if ((uint64_t)n->nclus * v->cs < n->size) {
		toro_printf("fat: disk %d: file at cluster %u: chain shorter "
		    "than its size\n", v->mnt.dev, n->first);
		return -TORO_EIO;
	}
	len = MIN(len, (size_t)(n->size - pos));
	while (done < len) {
		if (pos % FAT_SECTOR == 0 &&
		    len - done >= (size_t)DIRECT_MIN * FAT_SECTOR) {
			/* Large: straight into the caller's buffer. */
			k = direct(v, n, pos, (uint8_t *)buf + done,
			    (len - done) & ~(size_t)(FAT_SECTOR - 1), false);
			if (k < 0)
				return done > 0 ? (long)done : k;
			done += (size_t)k;
			pos += (uint64_t)k;
			continue;
		}
		in = (uint32_t)(pos % v->cs);
		if ((err = clus_at(v, n, (uint32_t)(pos / v->cs), &clus)) < 0)
			return done > 0 ? (long)done : err;
		sector = fat_clus_sector(v, clus) + in / FAT_SECTOR;
		so = in % FAT_SECTOR;
		chunk = (uint32_t)MIN((size_t)(FAT_SECTOR - so), len - done);
		ra = 1;
		if (!fs_bcached(v->bdev, v->g.base + sector))
			ra = vol_ahead(v, sector, read_ahead(v, clus, in,
			    pos == n->read_end ? (size_t)FS_IO_MAX *
			    FAT_SECTOR : len - done));
		err = fat_bread(v, sector, ra, &b);
		if (err < 0)
			return done > 0 ? (long)done : err;
		memcpy((uint8_t *)buf + done, b->data + so, chunk);
		fs_brelse(b);
		done += chunk;
		pos += chunk;
	}
	n->read_end = pos;
	return (long)done;
}

size_t
fat_file_lease(
    struct fat_vol *v, struct fat_node *n, uint64_t pos, const void **data)
{
	uint32_t sector, count, ci = n->cur_ci, clus = n->cur_clus;
	int err;

	/* Whole sectors only, on a chain that reads checked already. */
	if (pos % FAT_SECTOR != 0 || pos >= n->size || !n->chain_known ||
	    (n->size - pos) / FAT_SECTOR == 0)
		return 0;
	err = direct_run(v, n, pos,
	    (uint32_t)MIN((n->size - pos) / FAT_SECTOR, (uint64_t)FS_WIN),
	    &sector, &count);
	/*
	 * The cursor stays at pos: the lease may end before the run does,
	 * and the next read, there, must not walk the chain from its start.
	 */
	n->cur_ci = ci;
	n->cur_clus = clus;
	if (err < 0 || sector + count > v->g.tot_sec)
		return 0;
	return (size_t)fs_stream_lease(
		   v->bdev, v->g.base + sector, count, data) *
	    FAT_SECTOR;
}

/*
 * Does a write at pos append to the file, in a cluster new since the
 * last sync?  Its whole sectors take the write-behind windows, as large
 * writes do, rather than a cache buffer each, so a run of small files
 * reaches the disk in a few large requests that overlap the writer.
 * (Writes inside the file stay in the cache, which gathers scattered
 * ones better than a window each.)
 */
static bool
appending(struct fat_vol *v, struct fat_node *n, uint64_t pos)
{
	uint32_t clus;

	return pos >= n->size &&
	    clus_at(v, n, (uint32_t)(pos / v->cs), &clus) == 0 &&
	    fat_is_fresh(v, clus);
}

/* Copy len bytes (zeros if src is NULL) into the file's clusters. */
static int
copy_in(struct fat_vol *v, struct fat_node *n, uint64_t pos, size_t len,
    const uint8_t *src)
{
	struct fs_buf *b;
	uint32_t clus, in, sector, so, chunk;
	long k;
	int err;

	while (len > 0) {
		if (src != NULL && pos % FAT_SECTOR == 0 && len >= FAT_SECTOR &&
		    (len >= (size_t)DIRECT_MIN * FAT_SECTOR ||
			appending(v, n, pos))) {
			/* Large or appended: straight from the caller's buffer.
			 */
			k = direct(v, n, pos, (uint8_t *)src,
			    len & ~(size_t)(FAT_SECTOR - 1), true);
			if (k < 0)
				return (int)k;
			src += k;
			len -= (size_t)k;
			pos += (uint64_t)k;
			continue;
		}
		in = (uint32_t)(pos % v->cs);
		if ((err = clus_at(v, n, (uint32_t)(pos / v->cs), &clus)) < 0)
			return err;
		sector = fat_clus_sector(v, clus) + in / FAT_SECTOR;
		so = in % FAT_SECTOR;
		chunk = (uint32_t)MIN((size_t)(FAT_SECTOR - so), len);
		if (chunk == FAT_SECTOR)
			err = fat_bget(v, sector, &b);
		else
			err = fat_bread(v, sector, 1, &b);
		if (err < 0)
			return err;
		if (src != NULL) {
			memcpy(b->data + so, src, chunk);
			src += chunk;
		} else
			memset(b->data + so, 0, chunk);
		fat_bdirty(v, b, FAT_ST_DATA);
		fs_brelse(b);
		len -= chunk;
		pos += chunk;
	}
	return 0;
}

/* Make the chain long enough for `end` bytes. */
static int
extend(struct fat_vol *v, struct fat_node *n, uint64_t end)
{
	uint32_t need = (uint32_t)((end + v->cs - 1) / v->cs), first, last;
	int err;

	if ((err = know_chain(v, n)) < 0)
		return err;
	if (need <= n->nclus)
		return 0;
	if ((err = fat_alloc(v, need - n->nclus, false,
	    n->nclus > 0 ? n->last + 1 : 0, &first, &last)) < 0)
		return err;
	if (n->nclus == 0) {
		n->first = first;
		err = fat_node_update(v, n, false);
	} else
		err = fat_set(v, n->last, first);
	if (err < 0) {
		if (n->nclus == 0)
			n->first = 0;
		fat_free_chain(v, first);
		return err;
	}
	n->nclus = need;
	n->last = last;
	return 0;
}

long
fat_file_write(struct fat_vol *v, struct fat_node *n, uint64_t pos,
    const void *buf, size_t len)
{
	uint64_t end = pos + len;
	int err;

	if (len == 0)
		return 0;
	if (pos > FAT_FILE_MAX || len > FAT_FILE_MAX || end > FAT_FILE_MAX)
		return -TORO_EFBIG;
	if ((err = extend(v, n, end)) < 0)
		return err;
	if (pos > n->size && (err = copy_in(v, n, n->size, pos - n->size,
	    NULL)) < 0)
		return err;
	if ((err = copy_in(v, n, pos, len, buf)) < 0)
		return err;
	if (end > n->size)
		n->size = (uint32_t)end;
	if ((err = fat_node_update(v, n, true)) < 0)
		return err;
	return (long)len;
}

int
fat_file_truncate(struct fat_vol *v, struct fat_node *n, uint64_t size)
{
	uint32_t need, clus, next, old;
	int err;

	if (size > FAT_FILE_MAX)
		return -TORO_EFBIG;
	if (size > n->size) {
		if ((err = extend(v, n, size)) < 0)
			return err;
		if ((err = copy_in(v, n, n->size, size - n->size, NULL)) < 0)
			return err;
		n->size = (uint32_t)size;
		return fat_node_update(v, n, true);
	}
	if ((err = know_chain(v, n)) < 0)
		return err;
	need = (uint32_t)((size + v->cs - 1) / v->cs);
	n->size = (uint32_t)size;
	n->cur_clus = 0;
	if (need >= n->nclus)
		return fat_node_update(v, n, true);
	if (need == 0) {
		/* Unlink the chain from the entry first, then free it. */
		old = n->first;
		n->first = 0;
		n->nclus = n->last = 0;
		if ((err = fat_node_update(v, n, true)) < 0)
			return err;
		return fat_free_later(v, old);
	}
	if ((err = clus_at(v, n, need - 1, &clus)) < 0)
		return err;
	if ((err = fat_next(v, clus, &next)) < 0)
		return err;
	if ((err = fat_set(v, clus, FAT_EOC)) < 0)
		return err;
	n->nclus = need;
	n->last = clus;
	if ((err = fat_node_update(v, n, true)) < 0)
		return err;
	return next == FAT_EOC ? 0 : fat_free_later(v, next);
}
