/*
 * fs.h: the file system as the rest of the kernel sees it.
 *
 * The file system runs on one CPU, the storage CPU, in one thread: the
 * storage thread owns the disks, the block cache, the mounted volumes and
 * the open files, so none of them needs a lock.  File calls (toro/file.h)
 * from any thread on any CPU travel there as messages and the caller
 * sleeps until the answer comes back; only a read that a lease covers
 * (vfs.h) copies bytes the storage thread lent it, on the caller's CPU.
 *
 * Rules: fs_start() once, at boot, before any file call (calls made
 * before it give -TORO_ENOSYS).  The others may be called from any
 * thread on any CPU that can sleep (not from an idle thread or an event
 * handler).
 */
#ifndef CORE_FS_FS_H
#define CORE_FS_FS_H

/*
 * Make `cpu` the storage CPU.  The first file call starts the storage
 * thread there, which first mounts disk 0 at "/" when that disk holds a
 * FAT16 volume (and says why on the console when it does not).  Returns
 * 0, -TORO_EINVAL, -TORO_EBUSY (started before).
 */
int fs_start(int cpu);

/* Mount the FAT16 volume of disk `dev` at `path` ("/", "/b", ...). */
int fs_mount(int dev, const char *path);

/* Sync and unmount; -TORO_EBUSY while files on it are open. */
int fs_umount(const char *path);

/*
 * Write every cached change to the disks (kern_shutdown calls this
 * before power-off).  0 when there is no file system.
 */
int fs_sync_all(void);

/* Close a file or directory descriptor (for a shared toro_close). */
int fs_close(int fd);

#endif
