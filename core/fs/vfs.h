/*
 * vfs.h: the virtual file system: mount points, path resolution, open
 * files, and the requests that carry file calls to the storage CPU.
 *
 * A file call (file.c) fills a struct fs_req and posts it to the storage
 * CPU; there the storage thread (server.c) runs it with fs_exec()
 * (handle.c), which resolves paths over the mounted volumes (vfs.c) and
 * calls the volume's struct fs_ops.  A file system embeds struct fs_node in its
 * nodes and struct fs_mount in its volumes.
 *
 * Rules: everything but the request fields the caller fills runs in the
 * storage thread, the only thread that touches file-system state; so
 * nothing is locked.  A node's refs count the VFS's holders (open files,
 * a path walk in progress); at zero, ops->release() lets it go.
 */
#ifndef CORE_FS_VFS_H
#define CORE_FS_VFS_H

#include "core/lib/klib.h"
#include "core/sched/sched.h"
#include "toro/file.h"

#define FS_MOUNT_MAX 8
#define FS_FILE_MAX 256 /* open files and directories */

struct fs_mount;

struct fs_node {
	struct fs_mount *mnt;
	int refs;
	bool dir;
};

/* A volume's operations; names are UTF-8 components, not terminated. */
struct fs_ops {
	int (*lookup)(struct fs_node *dir, const char *name, size_t len,
	    struct fs_node **np);
	/*
	 * -TORO_EEXIST if the name is there; a file's create then sets *np
	 * to what has the name (held), found in the same pass, else NULL.
	 */
	int (*create)(struct fs_node *dir, const char *name, size_t len,
	    bool isdir, struct fs_node **np);
	int (*remove)(struct fs_node *dir, const char *name, size_t len,
	    bool isdir);
	int (*rename)(struct fs_node *odir, const char *oname, size_t olen,
	    struct fs_node *ndir, const char *nname, size_t nlen);
	long (*read)(struct fs_node *n, uint64_t pos, void *buf, size_t len);
	/*
	 * Optional: the file's bytes from pos on that sit in memory as
	 * the disk holds them and stay there until the lease is revoked
	 * (handle.c): *data and how many bytes, 0 for none.
	 */
	size_t (*lease)(struct fs_node *n, uint64_t pos, const void **data);
	long (*write)(struct fs_node *n, uint64_t pos, const void *buf,
	    size_t len);
	int (*truncate)(struct fs_node *n, uint64_t size);
	int (*stat)(struct fs_node *n, struct toro_stat *st);
	/* The entry at *cookie (zeroed at opendir): 1, 0 at the end. */
	int (*readdir)(struct fs_node *dir, uint32_t *cookie,
	    struct toro_dirent *de);
	void (*release)(struct fs_node *n);
	int (*sync)(struct fs_mount *m);
	void (*unmount)(struct fs_mount *m);
};

struct fs_mount {
	const struct fs_ops *ops;
	struct fs_node *root;
	int dev;
	bool read_only;
	char path[64]; /* where it is mounted, normalised ("/", "/b") */
};

enum fs_op {
	FS_OP_OPEN,
	FS_OP_READ,
	FS_OP_WRITE,
	FS_OP_LSEEK,
	FS_OP_FTRUNCATE,
	FS_OP_CLOSE,
	FS_OP_STAT,
	FS_OP_FSTAT,
	FS_OP_OPENDIR,
	FS_OP_READDIR,
	FS_OP_CLOSEDIR,
	FS_OP_MKDIR,
	FS_OP_RMDIR,
	FS_OP_UNLINK,
	FS_OP_RENAME,
	FS_OP_SYNC,
	FS_OP_FSYNC,
	FS_OP_MOUNT,
	FS_OP_UMOUNT,
	FS_OP_PREAD,
	FS_OP_PWRITE,
};

/* A file call on its way to the storage thread and back. */
struct fs_req {
	struct sched_call call; /* there and back; its result */
	struct list link;       /* the storage thread's queue */
	enum fs_op op;
	int fd;
	int flags;
	const char *path, *path2;
	void *buf;
	size_t len;
	int64_t off;
	struct toro_stat *st;
	struct toro_dirent *de;
};

/*
 * A read lease: the storage thread lends an open file's next bytes to
 * whichever CPU reads it, so that a sequential reader copies them on
 * its own CPU without a round trip to the storage CPU each time.
 * While held (FS_LEASE_HELD), pos is the file's position, not the
 * handle's, and the bytes from pos to end lie in nspan spans, one after
 * another in the file: span i's, from base to its end, at its data.
 * A reader takes it (HELD to HELD | BUSY), copies, moves pos and drops
 * BUSY; the storage thread revokes it (sets REVOKED, waits while BUSY,
 * takes pos back, clears it) before anything that would make those
 * bytes stale or moves the position: every call on the descriptor,
 * every call that changes any file's data, and the reuse of the memory.
 * Only the storage thread grants or revokes one.
 */
#define FS_LEASE_HELD 1
#define FS_LEASE_BUSY 2
#define FS_LEASE_REVOKED 4
#define FS_LEASE_SPANS 4

struct fs_lease {
	int state; /* FS_LEASE_*, atomic */
	uint64_t pos, end;
	int nspan;
	struct fs_span {
		uint64_t base, end;
		const uint8_t *data;
	} span[FS_LEASE_SPANS];
};

/*
 * file.c: the storage CPU (-1 before fs_start) and its queue;
 * fs_spawn (server.c's, set by fs_start) makes the storage thread.
 */
extern int fs_cpu;
extern struct list fs_queue;
extern struct toro_thread *fs_server;
extern int (*fs_spawn)(void);
/* The leases of open files, by slot (descriptor less TORO_FD_FILE_BASE). */
extern struct fs_lease fs_leases[FS_FILE_MAX];

/* A path split into components (vfs.c). */
#define FS_COMP_MAX (TORO_PATH_MAX / 2)
struct fs_path {
	char buf[TORO_PATH_MAX];
	uint16_t off[FS_COMP_MAX], len[FS_COMP_MAX];
	int n;
	bool slash; /* written with a trailing '/' */
};

/* vfs.c: the namespace (storage thread only). */
/* The node a path names, held. */
int fs_lookup(const char *path, struct fs_node **np);
/*
 * The directory of p's last component, held; -TORO_EBUSY when the path
 * names a mount's root, which has no parent here.
 */
int fs_lookup_parent(const char *path, struct fs_path *p,
    struct fs_node **dp);
const char *fs_path_last(const struct fs_path *p, size_t *len);
long fs_name_op(struct fs_req *r); /* mkdir, rmdir, unlink */
long fs_rename(struct fs_req *r);
long fs_sync_mounts(struct fs_mount *only); /* NULL: every mount */
long fs_mount_op(int dev, const char *path);
long fs_umount_op(const char *path);

/* handle.c: run one request; is a file of m open? */
long fs_exec(struct fs_req *r);
bool fs_files_on(struct fs_mount *m);

/* Take and drop references to a node. */
void fs_node_hold(struct fs_node *n);
void fs_node_drop(struct fs_node *n);

/* fat_mount.c: mount the FAT16 volume of a disk. */
struct fs_bdev;
int fat_mount(struct fs_bdev *d, struct fs_mount **mp);

#endif
