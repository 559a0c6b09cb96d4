/*
 * disk.c: the machine's disk 0, a host file (--disk IMAGE[:ro]) or a
 * FAT16 image of a host folder (--share DIR, share.c).
 *
 * Interface: sim_disk_init() opens the disk at boot, on the main thread,
 * before any CPU; sim_disk_open/submit/complete serve hal.h's block
 * device (hal/sim/blk.c), with negative host errno codes.  A request goes
 * into the disk's queue; one of the disk's IO_THREADS I/O threads does it
 * with preadv() or pwritev() (an iovec a segment: scatter-gather), moves
 * it to the done list and posts HAL_EV_BLK to the CPU that opened the
 * disk, which collects it with sim_disk_complete().  Several threads do
 * requests at once, as a real disk with a queue does (a host file takes
 * preadv() from several threads in parallel): requests complete in any
 * order, which hal.h allows.  A flush waits for the requests taken
 * before it, then is an fdatasync() of the image, so it covers every
 * write that completed before it.
 *
 * Rules: the I/O runs on threads of its own, never on a CPU, so a slow
 * host disk stalls no thread of the kernel.  At most QUEUE_MAX requests
 * are in flight (submitted, not yet collected): more gives -EAGAIN, and
 * HAL_EV_BLK follows every completion.  One mutex guards both lists; it
 * is never held across I/O.  At power-off the exit hook waits for the
 * queue to drain, syncs the file, then lets share.c copy the image back.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hal/hal.h"
#include "sim/sim.h"

enum { QUEUE_MAX = 64, IO_THREADS = 2 };

static struct {
	int fd;                  /* the image, -1 without a disk */
	uint64_t sectors;
	bool read_only;
	int cpu;                 /* the CPU that opened it, -1 before */
	pthread_t threads[IO_THREADS];
	pthread_mutex_t lock;
	pthread_cond_t work;     /* the queue has a request, or stop */
	pthread_cond_t idle;     /* the queue is empty and nothing runs */
	struct hal_blk_req *q_head, *q_tail;       /* to do */
	struct hal_blk_req *done_head, *done_tail; /* to collect */
	int inflight;
	int busy;                /* requests the threads are doing */
	bool barrier;            /* a flush waits for them: take no more */
} disk = {
	.fd = -1,
	.cpu = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
};

static void
append(struct hal_blk_req **head, struct hal_blk_req **tail,
    struct hal_blk_req *r)
{
	r->next = NULL;
	if (*tail != NULL)
		(*tail)->next = r;
	else
		*head = r;
	*tail = r;
}

/* The request's memory as iovecs (one for buf); returns how many. */
static int
vectors(const struct hal_blk_req *r, struct iovec *iov)
{
	uint32_t i;

	if (r->buf != NULL) {
		iov[0].iov_base = r->buf;
		iov[0].iov_len = (size_t)r->count * HAL_BLK_SECTOR;
		return 1;
	}
	for (i = 0; i < r->nseg; i++) {
		iov[i].iov_base = r->seg[i].buf;
		iov[i].iov_len = (size_t)r->seg[i].count * HAL_BLK_SECTOR;
	}
	return (int)r->nseg;
}

/* All of a transfer, or -1 (EIO for a file that ends early). */
static int
transfer(struct hal_blk_req *r)
{
	size_t len = (size_t)r->count * HAL_BLK_SECTOR, done = 0;
	off_t off = (off_t)(r->sector * HAL_BLK_SECTOR);
	struct iovec iov[HAL_BLK_SEG_MAX], *v = iov;
	int nv;
	ssize_t n;

	if (r->op == HAL_BLK_FLUSH)
		return fdatasync(disk.fd);
	nv = vectors(r, iov);
	while (done < len) {
		if (r->op == HAL_BLK_WRITE)
			n = pwritev(disk.fd, v, nv, off + (off_t)done);
		else
			n = preadv(disk.fd, v, nv, off + (off_t)done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
		/* A short transfer: go on from where it stopped. */
		while (nv > 0 && (size_t)n >= v->iov_len) {
			n -= (ssize_t)v->iov_len;
			v++, nv--;
		}
		if (nv > 0) {
			v->iov_base = (uint8_t *)v->iov_base + n;
			v->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static void *
io_thread(void *unused)
{
	struct hal_blk_req *r;

	pthread_mutex_lock(&disk.lock);
	for (;;) {
		while (disk.q_head == NULL || disk.barrier) {
			if (disk.busy == 0)
				pthread_cond_broadcast(&disk.idle);
			pthread_cond_wait(&disk.work, &disk.lock);
		}
		r = disk.q_head;
		if ((disk.q_head = r->next) == NULL)
			disk.q_tail = NULL;
		/* A flush: the requests before it end first, none starts. */
		if (r->op == HAL_BLK_FLUSH) {
			disk.barrier = true;
			while (disk.busy > 0)
				pthread_cond_wait(&disk.idle, &disk.lock);
			disk.barrier = false;
			pthread_cond_broadcast(&disk.work);
		}
		disk.busy++;
		pthread_mutex_unlock(&disk.lock);

		if (transfer(r) == -1) {
			dprintf(STDERR_FILENO,
			    "%s: disk: %s of %u sectors at "
			    "%llu: %s\n",
			    sim_config.prog,
			    r->op == HAL_BLK_FLUSH	 ? "flush"
				: r->op == HAL_BLK_WRITE ? "write"
							 : "read",
			    r->count, (unsigned long long)r->sector,
			    errno != 0 ? strerror(errno) : "short transfer");
			r->status = -EIO;
		} else {
			r->status = 0;
		}

		pthread_mutex_lock(&disk.lock);
		if (--disk.busy == 0)
			pthread_cond_broadcast(&disk.idle);
		append(&disk.done_head, &disk.done_tail, r);
		/* Woken, the CPU takes the lock at once: post without it. */
		pthread_mutex_unlock(&disk.lock);
		sim_cpu_post(disk.cpu, HAL_EV_BLK);
		pthread_mutex_lock(&disk.lock);
	}
	return NULL;
}

/* At power-off: let the queue drain, then put the data on the host disk. */
static void
disk_exit(void)
{
	pthread_mutex_lock(&disk.lock);
	while (disk.q_head != NULL || disk.busy)
		pthread_cond_wait(&disk.idle, &disk.lock);
	pthread_mutex_unlock(&disk.lock);
	if (!disk.read_only && fsync(disk.fd) == -1)
		dprintf(STDERR_FILENO, "%s: disk: fsync: %s\n",
		    sim_config.prog, strerror(errno));
	if (sim_config.share != NULL)
		sim_share_sync(disk.fd);
}

void
sim_disk_init(void)
{
	const char *path = sim_config.disk;
	struct stat sb;
	int error, i;

	if (sim_config.share != NULL) {
		disk.fd = sim_share_build(sim_config.share);
		path = sim_config.share;
	} else if (path != NULL) {
		disk.read_only = sim_config.disk_ro;
		if ((disk.fd = open(path, (disk.read_only ? O_RDONLY :
		    O_RDWR) | O_CLOEXEC)) == -1)
			sim_fatal("disk %s: %s", path, strerror(errno));
		/* As QEMU does: two machines writing one image break it. */
		if (flock(disk.fd, (disk.read_only ? LOCK_SH : LOCK_EX) |
		    LOCK_NB) == -1)
			sim_fatal("disk %s: %s", path, errno == EWOULDBLOCK ?
			    "in use by another process" : strerror(errno));
	} else {
		return;
	}
	if (fstat(disk.fd, &sb) == -1)
		sim_fatal("disk %s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode))
		sim_fatal("disk %s: not a file", path);
	if (S_ISREG(sb.st_mode) && sb.st_size < HAL_BLK_SECTOR)
		sim_fatal("disk %s: smaller than one sector (%d bytes)",
		    path, HAL_BLK_SECTOR);
	if (S_ISBLK(sb.st_mode))
		sb.st_size = lseek(disk.fd, 0, SEEK_END);
	if (sb.st_size < HAL_BLK_SECTOR)
		sim_fatal("disk %s: cannot tell its size", path);
	disk.sectors = (uint64_t)sb.st_size / HAL_BLK_SECTOR;

	for (i = 0; i < IO_THREADS; i++)
		if ((error = pthread_create(&disk.threads[i], NULL, io_thread,
		    NULL)) != 0)
			sim_fatal("disk: cannot start its I/O threads: %s",
			    strerror(error));
	sim_at_exit(disk_exit);
}

int
sim_disk_open(int cpu, uint64_t *sectors, bool *read_only)
{
	int error = 0;

	if (disk.fd == -1)
		return -ENODEV;
	if (cpu < 0 || cpu >= sim_config.cpus)
		return -EINVAL;
	pthread_mutex_lock(&disk.lock);
	if (disk.cpu >= 0)
		error = -EBUSY;
	else
		__atomic_store_n(&disk.cpu, cpu, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&disk.lock);
	if (error != 0)
		return error;
	*sectors = disk.sectors;
	*read_only = disk.read_only;
	return 0;
}

/* The disk's functions but open run on its CPU only: catch core bugs. */
static int
check_cpu(const char *fn)
{
	/* Set once, before the CPU could call: no lock for the hot path. */
	int cpu = __atomic_load_n(&disk.cpu, __ATOMIC_ACQUIRE);

	if (cpu < 0)
		return -ENODEV;
	if (cpu != sim_cpu_self)
		sim_fatal("%s on CPU %d, but disk 0 belongs to CPU %d", fn,
		    sim_cpu_self, cpu);
	return 0;
}

int
sim_disk_submit(struct hal_blk_req *r)
{
	int error;

	if ((error = check_cpu("hal_blk_submit")) != 0)
		return error;
	if (r->op == HAL_BLK_FLUSH) {
		if (disk.read_only)
			return -EINVAL; /* no cache to flush */
	} else if (r->count == 0 ||
	    !hal_blk_req_memory_ok(r, HAL_BLK_SEG_MAX) ||
	    r->sector >= disk.sectors || r->count > disk.sectors - r->sector) {
		return -EINVAL;
	} else if (r->op == HAL_BLK_WRITE && disk.read_only) {
		return -EROFS;
	}
	pthread_mutex_lock(&disk.lock);
	if (disk.inflight == QUEUE_MAX) {
		pthread_mutex_unlock(&disk.lock);
		return -EAGAIN;
	}
	disk.inflight++;
	/*
	 * A busy thread takes the next request when done: wake another
	 * only for a backlog, to work on two at once.
	 */
	if (disk.busy == 0 || disk.q_head != NULL)
		pthread_cond_signal(&disk.work);
	append(&disk.q_head, &disk.q_tail, r);
	pthread_mutex_unlock(&disk.lock);
	return 0;
}

struct hal_blk_req *
sim_disk_complete(void)
{
	struct hal_blk_req *r;

	if (check_cpu("hal_blk_complete") != 0)
		return NULL;
	pthread_mutex_lock(&disk.lock);
	if ((r = disk.done_head) != NULL) {
		if ((disk.done_head = r->next) == NULL)
			disk.done_tail = NULL;
		disk.inflight--;
	}
	pthread_mutex_unlock(&disk.lock);
	return r;
}
