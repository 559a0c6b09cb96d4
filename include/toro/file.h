/*
 * toro/file.h: files and directories.
 *
 * Paths are absolute, '/'-separated, UTF-8 ("/logs/today.txt"); a path
 * without a leading '/' starts at the root too, since there is no current
 * directory.  "." and ".." are resolved by name.  The disks are FAT16
 * volumes: names are case-insensitive but keep their case, at most 255
 * UTF-16 characters, and may not contain " * / : < > ? \ | or control
 * characters; trailing dots and spaces are dropped, as Windows does.
 *
 * Any thread on any CPU may call these functions.  The file system runs
 * on the storage CPU: a call becomes a message to that CPU and the calling
 * thread sleeps until it is answered.  Writes go to a cache; toro_sync()
 * (and powering off) writes them to the disk.
 *
 * Functions return a negative TORO_E* code on failure (toro/errno.h);
 * -TORO_ENOSYS means the machine has no file system running.
 */
#ifndef TORO_FILE_H
#define TORO_FILE_H

#include <stddef.h>
#include <stdint.h>

/* toro_open() flags: one access mode, or'ed with any of the others. */
#define TORO_O_RDONLY 0x0000
#define TORO_O_WRONLY 0x0001
#define TORO_O_RDWR 0x0002
#define TORO_O_ACCMODE 0x0003
#define TORO_O_CREAT 0x0040  /* create the file if it does not exist */
#define TORO_O_EXCL 0x0080   /* with CREAT: fail if it exists */
#define TORO_O_TRUNC 0x0200  /* empty a file opened for writing */
#define TORO_O_APPEND 0x0400 /* every write goes to the end */

/* toro_lseek()'s whence. */
#define TORO_SEEK_SET 0
#define TORO_SEEK_CUR 1
#define TORO_SEEK_END 2

/*
 * File and directory descriptors count from TORO_FD_FILE_BASE, apart
 * from socket descriptors, so one toro_close() serves both.
 */
#define TORO_FD_FILE_BASE 0x10000
#define TORO_FD_IS_FILE(fd) \
	((fd) >= TORO_FD_FILE_BASE && (fd) < TORO_FD_FILE_BASE + 0x10000)

#define TORO_NAME_MAX 255  /* UTF-16 characters in one name */
#define TORO_PATH_MAX 1024 /* bytes in a path, with its NUL */

/* struct toro_stat's type. */
#define TORO_S_IFREG 1
#define TORO_S_IFDIR 2

/* FAT attributes (struct toro_stat's attr). */
#define TORO_ATTR_READONLY 0x01
#define TORO_ATTR_HIDDEN 0x02
#define TORO_ATTR_SYSTEM 0x04
#define TORO_ATTR_DIRECTORY 0x10
#define TORO_ATTR_ARCHIVE 0x20

struct toro_stat {
	int type;         /* TORO_S_IFREG or TORO_S_IFDIR */
	unsigned attr;    /* TORO_ATTR_* */
	uint64_t size;    /* bytes; 0 for a directory */
	int64_t mtime_ns; /* last write, ns since 1970 (2 s resolution) */
	int64_t atime_ns; /* last access (a date: 00:00 that day) */
	int64_t btime_ns; /* creation (10 ms resolution) */
	uint32_t blksize; /* the volume's cluster size */
	uint64_t blocks;  /* 512-byte sectors the file occupies */
};

struct toro_dirent {
	char name[TORO_NAME_MAX * 3 + 1]; /* UTF-8, NUL-terminated */
	int type;                         /* TORO_S_IFREG or TORO_S_IFDIR */
	uint64_t size;
};

/*
 * Open a file; returns a descriptor.  -TORO_ENOENT (no such file and no
 * CREAT, or no parent directory), -TORO_EEXIST (CREAT|EXCL), -TORO_EISDIR
 * (a directory opened for writing), -TORO_EACCES (a read-only file opened
 * for writing), -TORO_EROFS, -TORO_ENFILE (too many open files).
 */
int toro_open(const char *path, int flags);

/* Read up to n bytes at the file position; 0 at the end of the file. */
long toro_read(int fd, void *buf, size_t n);

/*
 * Write n bytes at the file position (at the end with APPEND), extending
 * the file as needed (a gap reads as zeros).  All or nothing when the
 * disk is full: -TORO_ENOSPC and the file is as it was.
 */
long toro_write(int fd, const void *buf, size_t n);

/*
 * toro_read and toro_write at offset off, leaving the file position as
 * it was (but for an APPEND file, written at its end, as on Linux).
 * -TORO_EINVAL for a negative off.
 */
long toro_pread(int fd, void *buf, size_t n, int64_t off);
long toro_pwrite(int fd, const void *buf, size_t n, int64_t off);

/* Move the file position; returns the new one.  Past the end is allowed. */
int64_t toro_lseek(int fd, int64_t off, int whence);

/* Cut or extend (with zeros) an open file to size bytes. */
int toro_ftruncate(int fd, uint64_t size);

/* Close a file, directory or socket descriptor. */
int toro_close(int fd);

int toro_stat(const char *path, struct toro_stat *st);
int toro_fstat(int fd, struct toro_stat *st);

/* Open a directory for listing; returns a descriptor. */
int toro_opendir(const char *path);

/*
 * The next entry of the directory ("." and ".." are left out).  Returns
 * 1 and fills *de, or 0 at the end.
 */
int toro_readdir(int dd, struct toro_dirent *de);
int toro_closedir(int dd);

int toro_mkdir(const char *path);
/* Remove an empty directory; -TORO_ENOTEMPTY, -TORO_EBUSY (open). */
int toro_rmdir(const char *path);
/* Remove a file; -TORO_EISDIR, -TORO_EBUSY (it is open). */
int toro_unlink(const char *path);

/*
 * Rename or move within one volume.  An existing `to` is replaced if it
 * is a file (and `from` is one) or an empty directory (and `from` is
 * one).  -TORO_EINVAL when a directory would move into itself,
 * -TORO_EXDEV when `to` is on another volume (copy, then unlink).
 */
int toro_rename(const char *from, const char *to);

/* Write every cached change of every volume to its disk. */
int toro_sync(void);
/* Write the cached changes of fd's volume to its disk. */
int toro_fsync(int fd);

#endif
