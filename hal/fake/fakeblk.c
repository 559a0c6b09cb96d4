/*
 * fakeblk.c: the fake machine's disks (see fakeblk.h).
 *
 * A request is checked, then either done at once and put on the disk's
 * completion list, or kept with its due time until the device thread
 * does it.  Either way HAL_EV_BLK goes to the CPU that opened the disk,
 * which collects the request with hal_blk_complete().  Data moves when
 * the request is done, not when it is submitted, so a core that reuses
 * a buffer too early is caught.  A disk with a cache (the default when
 * writable) counts the writes no flush covers yet: a flush covers the
 * writes done before it was submitted, as hal.h says, and no more.  For
 * a power cut that loses the cache, a disk keeps the old contents of
 * every write no flush covers yet (an undo log) and puts them back at
 * the cut.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "hal/hal.h"
#include "toro/errno.h"
#include "toro/mbox.h"
#include "toro/thread.h"

#define QMAX 64

struct pending {
	struct hal_blk_req *r;
	uint64_t due;
	uint64_t covers; /* a flush: writes done when it was submitted */
};

/* What a write no flush covers yet overwrote. */
struct undo {
	uint64_t seq; /* the write's number (written before it) */
	uint64_t sector;
	uint32_t count;
	uint8_t *old;
};

struct disk {
	uint8_t *data;
	size_t maplen; /* bytes mapped at data */
	uint64_t sectors;
	bool exists, open, read_only, no_cache;
	int cpu;
	uint64_t delay;
	int qmax, inflight;
	uint32_t seg_max;
	struct pending pend[QMAX];
	int npend;
	struct hal_blk_req *done_head, *done_tail;
	uint64_t bad_first, bad_count;
	int bad_mode;
	long ok_left; /* -1: no limit */
	int ok_mode;
	struct fakeblk_stats st;
	uint64_t written; /* write requests done */
	uint64_t durable; /* of those, covered by a completed flush */
	long cut_left;    /* writes before the cut; -1: no cut */
	uint32_t cut_tear;
	bool cut_lose, cut_done;
	struct undo *undo;
	size_t nundo, undo_cap;
};

static struct disk disks[FAKEBLK_MAX];
/* The device thread's mailbox, and the one message that wakes it. */
static struct toro_mbox *device;
static struct toro_msg kick;
static int kicked;

static void
die(const char *why, int dev)
{
	fprintf(stderr, "fakeblk: disk %d: %s\n", dev, why);
	abort();
}

static struct disk *
get(int dev)
{
	if (dev < 0 || dev >= FAKEBLK_MAX)
		die("no such disk slot", dev);
	return &disks[dev];
}

static void
init(struct disk *d, uint8_t *data, uint64_t sectors)
{
	memset(d, 0, sizeof(*d));
	d->data = data;
	d->sectors = sectors;
	d->exists = true;
	d->qmax = QMAX;
	d->seg_max = HAL_BLK_SEG_MAX;
	d->ok_left = -1;
	d->cut_left = -1;
}

int
fakeblk_create(int dev, uint64_t sectors)
{
	void *p = mmap(NULL, sectors * HAL_BLK_SECTOR, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	init(get(dev), p, sectors);
	get(dev)->maplen = sectors * HAL_BLK_SECTOR;
	return 0;
}

int
fakeblk_load(int dev, const char *path)
{
	struct stat sb;
	void *p;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || sb.st_size < HAL_BLK_SECTOR) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, (size_t)sb.st_size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	init(get(dev), p, (uint64_t)sb.st_size / HAL_BLK_SECTOR);
	get(dev)->maplen = (size_t)sb.st_size;
	return 0;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

int
fakeblk_save(int dev, const char *path, uint64_t first, uint64_t count)
{
	struct disk *d = get(dev);
	size_t len, off, n;
	const uint8_t *p;
	char tmp[4096];
	int fd, err = 0;

	if (!d->exists || first > d->sectors)
		return -1;
	if (count == 0 || count > d->sectors - first)
		count = d->sectors - first;
	p = d->data + first * HAL_BLK_SECTOR;
	len = count * HAL_BLK_SECTOR;
	/*
	 * Write a new file and rename it: the disk may be a private
	 * mapping of `path`, whose pages must not vanish under it.
	 */
	snprintf(tmp, sizeof(tmp), "%s.save", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return -1;
	/* Leave holes where the disk is zero: images can be large. */
	for (off = 0; off < len && err == 0; off += n) {
		n = len - off < 65536 ? len - off : 65536;
		if (!all_zero(p + off, n) &&
		    pwrite(fd, p + off, n, (off_t)off) != (ssize_t)n)
			err = -1;
	}
	if (err == 0 && ftruncate(fd, (off_t)len) < 0)
		err = -1;
	if (close(fd) < 0)
		err = -1;
	if (err == 0 && rename(tmp, path) < 0)
		err = -1;
	return err;
}

void
fakeblk_release(void)
{
	int i;

	for (i = 0; i < FAKEBLK_MAX; i++) {
		if (disks[i].exists)
			munmap(disks[i].data, disks[i].maplen);
		memset(&disks[i], 0, sizeof(disks[i]));
	}
}

uint8_t *
fakeblk_data(int dev, uint64_t *sectors)
{
	struct disk *d = get(dev);

	if (sectors != NULL)
		*sectors = d->sectors;
	return d->data;
}

void
fakeblk_set_read_only(int dev, bool ro)
{
	get(dev)->read_only = ro;
}

void
fakeblk_set_cache(int dev, bool cache)
{
	get(dev)->no_cache = !cache;
}

void
fakeblk_fail_range(int dev, uint64_t first, uint64_t count, int mode)
{
	struct disk *d = get(dev);

	d->bad_first = first;
	d->bad_count = count;
	d->bad_mode = mode;
}

void
fakeblk_fail_after(int dev, long n, int mode)
{
	struct disk *d = get(dev);

	d->ok_left = n;
	d->ok_mode = mode;
}

void
fakeblk_set_delay(int dev, uint64_t ns)
{
	get(dev)->delay = ns;
}

void
fakeblk_set_queue(int dev, int n)
{
	get(dev)->qmax = n < 1 ? 1 : n > QMAX ? QMAX : n;
}

void
fakeblk_set_seg_max(int dev, uint32_t n)
{
	if (n < 1 || n > HAL_BLK_SEG_MAX)
		die("bad segment count", dev);
	get(dev)->seg_max = n;
}

void
fakeblk_stats(int dev, struct fakeblk_stats *st)
{
	struct disk *d = get(dev);

	*st = d->st;
	st->unflushed = d->no_cache ? 0 : d->written - d->durable;
}

int
hal_blk_open(int dev, int cpu, struct hal_blk_info *info)
{
	struct disk *d;

	if (dev < 0 || dev >= FAKEBLK_MAX || !disks[dev].exists)
		return -TORO_ENODEV;
	d = &disks[dev];
	if (d->open)
		return -TORO_EBUSY;
	d->open = true;
	d->cpu = cpu;
	info->sectors = d->sectors;
	info->read_only = d->read_only;
	info->cache = !d->read_only && !d->no_cache;
	info->seg_max = d->seg_max;
	return 0;
}

static struct disk *
opened(int dev, const char *call)
{
	struct disk *d = get(dev);

	if (!d->open)
		die(call, dev);
	if (hal_cpu_id() != d->cpu) {
		fprintf(stderr, "fakeblk: disk %d: %s on CPU %d, opened by "
		    "CPU %d\n", dev, call, hal_cpu_id(), d->cpu);
		abort();
	}
	return d;
}

static bool
fails(struct disk *d, const struct hal_blk_req *r)
{
	int mode = r->op == HAL_BLK_READ ? FAKEBLK_READ : FAKEBLK_WRITE;

	if (r->op != HAL_BLK_FLUSH && (d->bad_mode & mode) &&
	    r->sector < d->bad_first + d->bad_count &&
	    r->sector + r->count > d->bad_first)
		return true;
	if (d->ok_left >= 0 && (d->ok_mode & mode)) {
		if (d->ok_left == 0)
			return true;
		d->ok_left--;
	}
	return false;
}

void
fakeblk_cut(int dev, long n, uint32_t tear, bool lose)
{
	struct disk *d = get(dev);

	d->cut_left = n;
	d->cut_tear = tear;
	d->cut_lose = lose;
	d->cut_done = false;
}

bool
fakeblk_was_cut(int dev)
{
	return get(dev)->cut_done;
}

/*
 * Move the first n sectors of r between its memory (one buffer or its
 * segments) and the disk's data at r's sector.
 */
static void
move(struct disk *d, const struct hal_blk_req *r, uint32_t n, bool to_disk)
{
	uint8_t *p = d->data + r->sector * HAL_BLK_SECTOR, *m;
	uint32_t i, k;
	size_t len;

	for (i = 0; n > 0; i++) {
		m = r->buf != NULL ? r->buf : r->seg[i].buf;
		k = r->buf != NULL	  ? n
		    : r->seg[i].count < n ? r->seg[i].count
					  : n;
		len = (size_t)k * HAL_BLK_SECTOR;
		if (to_disk)
			memcpy(p, m, len);
		else
			memcpy(m, p, len);
		p += len;
		n -= k;
	}
}

/* Remember what a write is about to overwrite, while no flush covers it. */
static void
log_undo(struct disk *d, const struct hal_blk_req *r)
{
	struct undo *u;
	size_t n = (size_t)r->count * HAL_BLK_SECTOR;

	if (d->nundo == d->undo_cap) {
		d->undo_cap = d->undo_cap ? d->undo_cap * 2 : 64;
		d->undo = realloc(d->undo, d->undo_cap * sizeof(*d->undo));
		if (d->undo == NULL)
			die("no memory for the undo log", 0);
	}
	u = &d->undo[d->nundo++];
	u->seq = d->written;
	u->sector = r->sector;
	u->count = r->count;
	if ((u->old = malloc(n)) == NULL)
		die("no memory for the undo log", 0);
	memcpy(u->old, d->data + r->sector * HAL_BLK_SECTOR, n);
}

/* A flush covering `covers` writes completed: forget their undo. */
static void
drop_undo(struct disk *d, uint64_t covers)
{
	size_t i, k = 0;

	for (i = 0; i < d->nundo; i++) {
		if (d->undo[i].seq < covers)
			free(d->undo[i].old);
		else
			d->undo[k++] = d->undo[i];
	}
	d->nundo = k;
}

/* The power goes at write r: its prefix lands, unflushed ones may not. */
static void
cut(struct disk *d, const struct hal_blk_req *r)
{
	uint32_t keep = d->cut_tear < r->count ? d->cut_tear : r->count;
	struct undo *u;

	while (d->cut_lose && d->nundo > 0) {
		u = &d->undo[--d->nundo];
		memcpy(d->data + u->sector * HAL_BLK_SECTOR, u->old,
		    (size_t)u->count * HAL_BLK_SECTOR);
		free(u->old);
	}
	move(d, r, keep, true);
	d->cut_done = true;
}

/* Do a write, unless the power is cut. */
static void
do_write(struct disk *d, const struct hal_blk_req *r)
{
	if (d->cut_done)
		return;
	if (d->cut_left == 0) {
		cut(d, r);
		return;
	}
	if (d->cut_left > 0)
		d->cut_left--;
	if (d->cut_lose && !d->no_cache)
		log_undo(d, r);
	move(d, r, r->count, true);
	d->written++;
}

/* Do the request's transfer and queue it for collection. */
static void
finish(struct disk *d, struct hal_blk_req *r, uint64_t covers)
{
	if (fails(d, r)) {
		r->status = -TORO_EIO;
		d->st.failed++;
	} else {
		r->status = 0;
		if (r->op == HAL_BLK_FLUSH) {
			if (!d->cut_done && covers > d->durable) {
				d->durable = covers;
				drop_undo(d, covers);
			}
		} else if (r->op == HAL_BLK_WRITE) {
			do_write(d, r);
		} else {
			move(d, r, r->count, false);
		}
	}
	r->next = NULL;
	if (d->done_tail != NULL)
		d->done_tail->next = r;
	else
		d->done_head = r;
	d->done_tail = r;
	fake_post(d->cpu, HAL_EV_BLK);
}

int
hal_blk_submit(int dev, struct hal_blk_req *r)
{
	struct disk *d = opened(dev, "hal_blk_submit");

	if (r->op == HAL_BLK_FLUSH) {
		if (d->read_only || d->no_cache)
			die("flush to a disk without a cache", dev);
	} else if (r->count == 0 || !hal_blk_req_memory_ok(r, d->seg_max) ||
	    r->sector >= d->sectors || r->count > d->sectors - r->sector) {
		die("request out of range", dev);
	} else if (r->op == HAL_BLK_WRITE && d->read_only) {
		return -TORO_EROFS;
	}
	if (d->inflight >= d->qmax) {
		d->st.eagain++;
		return -TORO_EAGAIN;
	}
	d->inflight++;
	if (d->inflight > d->st.max_inflight)
		d->st.max_inflight = d->inflight;
	if (r->op != HAL_BLK_FLUSH && r->buf == NULL && r->nseg > 1)
		d->st.scattered++;
	if (r->op == HAL_BLK_FLUSH) {
		d->st.flushes++;
	} else if (r->op == HAL_BLK_WRITE) {
		d->st.writes++;
		d->st.wsectors += r->count;
	} else {
		d->st.reads++;
		d->st.rsectors += r->count;
	}
	if (d->delay == 0) {
		finish(d, r, d->written);
		return 0;
	}
	d->pend[d->npend].r = r;
	d->pend[d->npend].due = fake_now() + d->delay;
	d->pend[d->npend].covers = d->written;
	d->npend++;
	/* Before fakeblk_device() runs, the request waits for it. */
	if (device != NULL && !kicked) {
		kicked = 1;
		toro_mbox_send(device, &kick);
	}
	return 0;
}

struct hal_blk_req *
hal_blk_complete(int dev)
{
	struct disk *d = opened(dev, "hal_blk_complete");
	struct hal_blk_req *r = d->done_head;

	if (r == NULL)
		return NULL;
	d->done_head = r->next;
	if (d->done_head == NULL)
		d->done_tail = NULL;
	d->inflight--;
	return r;
}

void *
fakeblk_device(void *unused)
{
	uint64_t soonest;
	struct toro_msg *m;
	struct disk *d;
	int i, k;

	if (toro_mbox_create(&device) < 0)
		abort();
	for (;;) {
		soonest = HAL_NO_DEADLINE;
		for (i = 0; i < FAKEBLK_MAX; i++) {
			d = &disks[i];
			for (k = 0; k < d->npend;) {
				if (d->pend[k].due > fake_now()) {
					if (d->pend[k].due < soonest)
						soonest = d->pend[k].due;
					k++;
					continue;
				}
				finish(d, d->pend[k].r, d->pend[k].covers);
				memmove(&d->pend[k], &d->pend[k + 1],
				    (size_t)(d->npend - k - 1) *
				    sizeof(d->pend[0]));
				d->npend--;
			}
		}
		/* No atomics: every fake CPU is this one host thread. */
		if (toro_mbox_recv(device, &m, soonest == HAL_NO_DEADLINE ?
		    TORO_FOREVER : (int64_t)(soonest - fake_now())) == 0)
			kicked = 0;
	}
}
