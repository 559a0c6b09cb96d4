/*
 * file.c: the file API (toro/file.h) and fs.h's calls: each becomes a
 * request to the storage thread, sent with sched_call() (whose rules it
 * follows) to the storage CPU, where arrive() queues it for the thread.
 *
 * Interface: toro/file.h, fs.h (but fs_start, in server.c); toro_close()
 * is kern's, which hands file descriptors (TORO_FD_IS_FILE) to
 * fs_close().  The storage thread answers each request with
 * sched_reply().
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
arrive(struct sched_call *c)
{
	struct fs_req *r = container_of(c, struct fs_req, call);

	list_push_back(&fs_queue, &r->link);
	if (fs_server != NULL)
		sched_wake(fs_server);
}

static long
call(struct fs_req *r)
{
	int cpu = __atomic_load_n(&fs_cpu, __ATOMIC_ACQUIRE);

	if (cpu < 0)
		return -TORO_ENOSYS;
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
