/*
 * file.c: the file API (toro/file.h) and fs.h's calls: each becomes a
 * request to the storage thread, sent with sched_call() (whose rules it
 * follows) to the storage CPU, where arrive() queues it for the thread.
 *
 * Interface: toro/file.h, fs.h (but fs_start, in server.c); toro_close()
 * is kern's, which hands file descriptors (TORO_FD_IS_FILE) to
 * fs_close().  The storage thread answers each request with
 * sched_reply().  fs_start() only names the storage CPU and leaves
 * fs_spawn: the first call runs it to create the storage thread, so a
 * program that never touches a file never pays for the thread, its
 * block cache or the mount.
 *
 * A read that a lease of the descriptor covers (vfs.h, struct
 * fs_lease) copies the lent bytes on the caller's CPU and sends no
 * request at all.  It checks the caller's buffer first
 * (lib_caller_check), before it marks the lease busy: a copy that
 * faulted halfway would leave the lease busy and the storage thread
 * waiting for it forever.  A bad buffer goes to the storage thread like
 * any read the lease does not cover, and comes back -TORO_EFAULT.
 *
 * Rules: nothing here touches file-system state; this file must not
 * depend on the rest of the file system, so that a kernel that calls
 * fs_sync_all() but never starts the file system does not link it.
 */
#include "core/fs/fs.h"
#include "core/fs/vfs.h"
#include "core/lib/lib.h"
#include "toro/errno.h"
#include "toro/file.h"
#include "toro/thread.h"

int fs_cpu = -1;
struct list fs_queue = { &fs_queue, &fs_queue };
struct toro_thread *fs_server;
int (*fs_spawn)(void);
struct fs_lease fs_leases[FS_FILE_MAX];

/* The storage thread: 0 not made yet, 1 being made, 2 made. */
static int state;

/* On the storage CPU, in its scheduler: queue for the storage thread. */
static void
arrive(struct sched_call *c)
{
	struct fs_req *r = container_of(c, struct fs_req, call);

	list_push_back(&fs_queue, &r->link);
	if (fs_server != NULL)
		sched_wake(fs_server);
}

/*
 * Make the storage thread on the first call; a caller that finds
 * another making it waits for it.  A failed try (no memory) leaves it
 * to the next call.
 */
static int
spawn(void)
{
	int s, err;

	for (;;) {
		s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
		if (s == 2)
			return 0;
		if (s == 0 && __atomic_compare_exchange_n(&state, &s, 1, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			err = fs_spawn();
			__atomic_store_n(&state, err < 0 ? 0 : 2,
			    __ATOMIC_RELEASE);
			return err;
		}
		toro_yield();
	}
}

static long
call(struct fs_req *r)
{
	int cpu = __atomic_load_n(&fs_cpu, __ATOMIC_ACQUIRE);
	int err;

	if (cpu < 0)
		return -TORO_ENOSYS;
	if ((err = spawn()) < 0)
		return err;
	return sched_call(cpu, &r->call, arrive, "file");
}

/* A request with every field clear but op. */
#define REQ(o) { .op = (o), .fd = -1 }

int
toro_open(const char *path, int flags)
{
	struct fs_req r = REQ(FS_OP_OPEN);

	r.path = path;
	r.flags = flags;
	return (int)call(&r);
}

/*
 * A read of n bytes from fd's lease, whole or not at all: n, or -1 when
 * the lease does not cover it (the storage thread then reads).
 */
static long
lease_read(int fd, void *buf, size_t n)
{
	int held = FS_LEASE_HELD, i;
	const struct fs_span *s;
	struct fs_lease *l;
	uint8_t *p = buf;
	size_t k;

	if (!TORO_FD_IS_FILE(fd) || fd - TORO_FD_FILE_BASE >= FS_FILE_MAX ||
	    n == 0 || buf == NULL)
		return -1;
	l = &fs_leases[fd - TORO_FD_FILE_BASE];
	/* A first look, before the check: the lease may change until ours. */
	if (__atomic_load_n(&l->state, __ATOMIC_RELAXED) != held ||
	    n > __atomic_load_n(&l->end, __ATOMIC_RELAXED) -
		    __atomic_load_n(&l->pos, __ATOMIC_RELAXED))
		return -1;
	if (lib_caller_check(buf, n, true) < 0)
		return -1;
	if (__atomic_load_n(&l->state, __ATOMIC_RELAXED) != held ||
	    !__atomic_compare_exchange_n(&l->state, &held,
		FS_LEASE_HELD | FS_LEASE_BUSY, false, __ATOMIC_ACQUIRE,
		__ATOMIC_RELAXED))
		return -1;
	if (n > l->end - l->pos) {
		__atomic_fetch_and(&l->state, ~FS_LEASE_BUSY, __ATOMIC_RELEASE);
		return -1;
	}
	for (i = 0; i < l->nspan && p < (uint8_t *)buf + n; i++) {
		s = &l->span[i];
		if (l->pos >= s->end)
			continue;
		k = (size_t)MIN(
		    s->end - l->pos, (uint64_t)((uint8_t *)buf + n - p));
		memcpy(p, s->data + (l->pos - s->base), k);
		l->pos += k;
		p += k;
	}
	__atomic_fetch_and(&l->state, ~FS_LEASE_BUSY, __ATOMIC_RELEASE);
	return (long)n;
}

long
toro_read(int fd, void *buf, size_t n)
{
	struct fs_req r = REQ(FS_OP_READ);
	long got;

	if ((got = lease_read(fd, buf, n)) >= 0)
		return got;

	r.fd = fd;
	r.buf = buf;
	r.len = n;
	return call(&r);
}

long
toro_write(int fd, const void *buf, size_t n)
{
	struct fs_req r = REQ(FS_OP_WRITE);

	r.fd = fd;
	r.buf = (void *)buf;
	r.len = n;
	return call(&r);
}

long
toro_pread(int fd, void *buf, size_t n, int64_t off)
{
	struct fs_req r = REQ(FS_OP_PREAD);

	r.fd = fd;
	r.buf = buf;
	r.len = n;
	r.off = off;
	return call(&r);
}

long
toro_pwrite(int fd, const void *buf, size_t n, int64_t off)
{
	struct fs_req r = REQ(FS_OP_PWRITE);

	r.fd = fd;
	r.buf = (void *)buf;
	r.len = n;
	r.off = off;
	return call(&r);
}

int64_t
toro_lseek(int fd, int64_t off, int whence)
{
	struct fs_req r = REQ(FS_OP_LSEEK);

	r.fd = fd;
	r.off = off;
	r.flags = whence;
	return call(&r);
}

int
toro_ftruncate(int fd, uint64_t size)
{
	struct fs_req r = REQ(FS_OP_FTRUNCATE);

	if (size > INT64_MAX)
		return -TORO_EFBIG;
	r.fd = fd;
	r.off = (int64_t)size;
	return (int)call(&r);
}

int
fs_close(int fd)
{
	struct fs_req r = REQ(FS_OP_CLOSE);

	r.fd = fd;
	return (int)call(&r);
}

int
toro_stat(const char *path, struct toro_stat *st)
{
	struct fs_req r = REQ(FS_OP_STAT);

	r.path = path;
	r.st = st;
	return (int)call(&r);
}

int
toro_fstat(int fd, struct toro_stat *st)
{
	struct fs_req r = REQ(FS_OP_FSTAT);

	r.fd = fd;
	r.st = st;
	return (int)call(&r);
}

int
toro_opendir(const char *path)
{
	struct fs_req r = REQ(FS_OP_OPENDIR);

	r.path = path;
	return (int)call(&r);
}

int
toro_readdir(int dd, struct toro_dirent *de)
{
	struct fs_req r = REQ(FS_OP_READDIR);

	r.fd = dd;
	r.de = de;
	return (int)call(&r);
}

int
toro_closedir(int dd)
{
	struct fs_req r = REQ(FS_OP_CLOSEDIR);

	r.fd = dd;
	return (int)call(&r);
}

static int
path_call(enum fs_op op, const char *path, const char *path2)
{
	struct fs_req r = REQ(op);

	r.path = path;
	r.path2 = path2;
	return (int)call(&r);
}

int
toro_mkdir(const char *path)
{
	return path_call(FS_OP_MKDIR, path, NULL);
}

int
toro_rmdir(const char *path)
{
	return path_call(FS_OP_RMDIR, path, NULL);
}

int
toro_unlink(const char *path)
{
	return path_call(FS_OP_UNLINK, path, NULL);
}

int
toro_rename(const char *from, const char *to)
{
	return path_call(FS_OP_RENAME, from, to);
}

int
toro_sync(void)
{
	return path_call(FS_OP_SYNC, NULL, NULL);
}

int
toro_fsync(int fd)
{
	struct fs_req r = REQ(FS_OP_FSYNC);

	r.fd = fd;
	return (int)call(&r);
}

int
fs_mount(int dev, const char *path)
{
	struct fs_req r = REQ(FS_OP_MOUNT);

	r.fd = dev;
	r.path = path;
	return (int)call(&r);
}

int
fs_umount(const char *path)
{
	return path_call(FS_OP_UMOUNT, path, NULL);
}

int
fs_sync_all(void)
{
	/* No thread, no call ever ran: nothing is cached. */
	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2)
		return 0;
	if (sched_current()->idle) {
		toro_printf("fs: cannot sync from an idle thread: cached "
		    "writes are lost\n");
		return -TORO_EDEADLK;
	}
	return toro_sync();
}
