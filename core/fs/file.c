/*
 * file.c: the file API (toro/file.h) and fs.h's calls: each becomes a
 * request posted to the storage CPU, and the caller sleeps until the
 * answer comes back.
 *
 * Interface: toro/file.h, fs.h (but fs_start, in server.c); toro_close()
 * belongs to the socket layer, which hands file descriptors
 * (TORO_FD_IS_FILE) to fs_close().  The
 * protocol: the caller fills a struct fs_req on its stack and posts it
 * with sched_post(); on the storage CPU, arrive() queues it for the
 * storage thread and wakes that thread.  The storage thread runs it and
 * posts the same message back to the caller's CPU, where answered()
 * marks it done and wakes the caller.  The caller's thread is not
 * running while answered() runs, so it cannot return (and take the
 * request off its stack) before the answer is complete.
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

int fs_cpu = -1;
struct list fs_queue = { &fs_queue, &fs_queue };
struct toro_thread *fs_server;

/* On the storage CPU, in its scheduler: queue for the storage thread. */
static void
arrive(struct sched_msg *m)
{
	struct fs_req *r = container_of(m, struct fs_req, msg);

	list_push_back(&fs_queue, &r->link);
	if (fs_server != NULL)
		sched_wake(fs_server);
}

/* On the caller's CPU, in its scheduler: the answer is in. */
static void
answered(struct sched_msg *m)
{
	struct fs_req *r = container_of(m, struct fs_req, msg);

	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	sched_wake(r->waiter);
}

void
fs_reply(struct fs_req *r)
{
	r->msg.fn = answered;
	sched_post(r->waiter->cpu, &r->msg);
}

static long
call(struct fs_req *r)
{
	int cpu = __atomic_load_n(&fs_cpu, __ATOMIC_ACQUIRE);
	struct toro_thread *self = sched_current();

	if (cpu < 0)
		return -TORO_ENOSYS;
	if (self->idle)
		return -TORO_EDEADLK; /* it may not sleep */
	r->waiter = self;
	r->done = 0;
	r->msg.fn = arrive;
	sched_post(cpu, &r->msg);
	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
		sched_block(HAL_NO_DEADLINE, "file");
	return r->result;
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

long
toro_read(int fd, void *buf, size_t n)
{
	struct fs_req r = REQ(FS_OP_READ);

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
	if (__atomic_load_n(&fs_cpu, __ATOMIC_ACQUIRE) < 0)
		return 0;
	if (sched_current()->idle) {
		toro_printf("fs: cannot sync from an idle thread: cached "
		    "writes are lost\n");
		return -TORO_EDEADLK;
	}
	return toro_sync();
}
