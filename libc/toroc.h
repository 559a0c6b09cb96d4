/*
 * toroc.h: the inside of Toro's C library (libc/), shared by its files.
 *
 * The C library is musl, built by libc/musl.sh so that its system calls
 * come here (libc_syscall, syscall.c) and its thread pointer too
 * (libc_tp, tp.c).  These files sit on Toro's public API only (include/toro)
 * and on musl's internal headers where they must fill musl's structures.
 * System calls return a result or a negative errno, as Linux's do; the
 * Toro codes (toro/errno.h) are Linux's numbers, so they pass through.
 */
#ifndef LIBC_TOROC_H
#define LIBC_TOROC_H

#include <stddef.h>
#include <stdint.h>

struct iovec;
struct timespec;
struct toro_dirent;

long libc_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6);

/* A lock for short critical sections that never block (lock.c). */
void libc_lock(volatile int *l);
void libc_unlock(volatile int *l);

/* The descriptor table (fd.c). */
long libc_fd_open(const char *path, long flags);
long libc_fd_close(long fd);
long libc_fd_read(long fd, void *buf, size_t n);
long libc_fd_write(long fd, const void *buf, size_t n);
long libc_fd_readv(long fd, const struct iovec *iov, long cnt);
long libc_fd_writev(long fd, const struct iovec *iov, long cnt);
long libc_fd_lseek(long fd, long off, long whence);
long libc_fd_fstat(long fd, void *kst);
long libc_fd_stat(const char *path, void *kst);
long libc_fd_ioctl(long fd, long req, void *arg);
long libc_fd_dup(long fd, long min, long flags);
long libc_fd_dup2(long fd, long to);
long libc_fd_fcntl(long fd, long cmd, long arg);
long libc_fd_fsync(long fd);
long libc_fd_ftruncate(long fd, long size);
long libc_fd_getdents(long fd, void *buf, size_t n);

/* Directory listings for getdents64 (dir.c). */
long libc_dir_getdents(
    int handle, struct toro_dirent **pending, long *pos, void *buf, size_t n);

/* A signal the program raises on itself (signal.c). */
long libc_signal_raise(int sig);

/* Time (time.c). */
long libc_clock_gettime(long clk, struct timespec *ts);
long libc_clock_nanosleep(
    long clk, long flags, const struct timespec *req, struct timespec *rem);

/* Futexes across CPUs (futex.c). */
long libc_futex(
    volatile int *addr, long op, long val, const struct timespec *timeout);

/* The calling thread's musl descriptor, made on first use (tp.c). */
uintptr_t libc_tp(void) __attribute__((const));
int libc_tid(void);

#endif
