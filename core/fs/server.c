/*
 * server.c: the storage thread, which runs every file call (but reads
 * that a lease covers: vfs.h).
 *
 * Interface: fs_start() (fs.h).  The thread is created on the storage
 * CPU by the first file call (file.c runs fs_spawn); there it takes the
 * block-completion event (HAL_EV_BLK), allocates the block cache, mounts
 * disk 0 at "/", then runs the requests file.c queues for it, one at a
 * time and in order, answering each.
 *
 * Why one thread: it is the simplest correct design.  Only this thread
 * touches the disks, the cache, the volumes and the open files, so
 * nothing is locked, not even within the CPU; while it waits for the
 * disk, the CPU's other threads run.  Calls from every CPU, this one
 * included, reach it the same way, as messages.
 */
#include "core/fs/bcache.h"
#include "core/fs/fs.h"
#include "core/fs/vfs.h"
#include "core/lib/lib.h"
#include "core/sched/sched.h"
#include "toro/errno.h"
#include "toro/thread.h"

#define SERVER_STACK (128u * 1024)

static void *
server_main(void *unused)
{
	struct fs_req boot = { .op = FS_OP_MOUNT, .fd = 0, .path = "/" };
	struct fs_req *r;
	struct list *l;
	int ready;
	long err;

	fs_server = sched_current();
	ready = fs_bcache_init();
	if (ready < 0)
		toro_printf("fs: no memory for the block cache\n");
	else if (sched_on_event(HAL_EV_BLK, fs_bdev_event) < 0)
		lib_panic("fs: cannot take the disk event");
	if (ready == 0 && (err = fs_exec(&boot)) < 0 && err != -TORO_ENODEV)
		toro_printf("fs: disk 0 not mounted: %s\n",
		    toro_strerror((int)err));
	for (;;) {
		while ((l = list_pop_front(&fs_queue)) == NULL)
			sched_block(HAL_NO_DEADLINE, "requests");
		r = container_of(l, struct fs_req, link);
		sched_reply(&r->call, ready < 0 ? ready : fs_exec(r));
	}
}

/* The storage thread, on the storage CPU; from any CPU. */
static int
spawn(void)
{
	struct toro_thread_attr attr = { "fs", SERVER_STACK };

	return sched_thread_create(NULL, fs_cpu, server_main, NULL, &attr,
	    SCHED_THREAD_SYSTEM);
}

int
fs_start(int cpu)
{
	/* A negative CPU is a large unsigned one. */
	if ((unsigned)cpu >= (unsigned)sched_ncpu)
		return -TORO_EINVAL;
	if (__atomic_load_n(&fs_cpu, __ATOMIC_ACQUIRE) >= 0)
		return -TORO_EBUSY;
	fs_spawn = spawn;
	__atomic_store_n(&fs_cpu, cpu, __ATOMIC_RELEASE);
	return 0;
}
