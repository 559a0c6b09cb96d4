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
enum libc_kind {
	KIND_CONSOLE = 1,
	KIND_FILE,
	KIND_DIR,
	KIND_SOCKET,
	KIND_PIPE,  /* a pipe end or an event counter (type PIPE_*) */
	KIND_EPOLL, /* an epoll set (epoll.c) */
	KIND_DEV,   /* /dev/null and its kin (dev.c; type DEV_*) */
};
/* A KIND_PIPE's type. */
#define PIPE_BYTES 0
#define PIPE_COUNTER 1
/* Kinds whose descriptors are the kernel's sockets, which poll waits on. */
#define LIBC_KERNEL_POLLED(d) \
	((d)->kind == KIND_SOCKET || (d)->kind == KIND_PIPE)

/* What a descriptor stands for; dup() shares one between slots. */
struct libc_desc {
	enum libc_kind kind;
	int handle; /* the kernel's descriptor */
	int refs;   /* table slots and calls in progress */
	int flags;  /* O_ACCMODE, O_APPEND, O_NONBLOCK */
	/* A directory's: the entry that did not fit, entries given. */
	struct toro_dirent *pending;
	long pos;
	/* A socket's: SOCK_STREAM or SOCK_DGRAM, AF_INET or AF_UNIX (a pair). */
	int type;
	int domain;
	char *path;            /* a directory's, whole (for fchdir, *at) */
	uint32_t serial;       /* never 0, never the same twice (fd.c) */
};

/*
 * The description behind fd with a reference taken (NULL: not open);
 * libc_fd_put() gives it back.  libc_fd_install() puts d in the lowest
 * free slot from min and takes a reference for it.
 */
struct libc_desc *libc_fd_get(long fd);
void libc_fd_put(struct libc_desc *d);
long libc_fd_install(struct libc_desc *d, long min);
/*
 * For a batch of look-ups (poll): between libc_fd_lock_table() and
 * libc_fd_unlock_table(), libc_fd_peek() gives fd's description without
 * a reference, so one lock serves the batch.  Nothing that can block
 * goes in between.
 */
void libc_fd_lock_table(void);
void libc_fd_unlock_table(void);
struct libc_desc *libc_fd_peek(long fd);

long libc_fd_open(const char *path, long flags);
long libc_fd_close(long fd);
void libc_fd_close_files(void);
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
long libc_fd_dup3(long fd, long to, long flags);
/* path.c: the calls that take a path, and the working directory. */
long libc_path_call(long n, long a1, long a2, long a3, long a4);
/* pio.c: pread (out false) and pwrite, preadv and pwritev. */
long libc_fd_pio(long fd, void *buf, size_t n, long off, _Bool out);
long libc_fd_piov(
    long fd, const struct iovec *iov, long cnt, long off, _Bool out);
/* The table's size, and the soft RLIMIT_NOFILE under it (resource.c). */
#define LIBC_FD_MAX 65536
void libc_fd_set_limit(long limit);
long libc_fd_fcntl(long fd, long cmd, long arg);
long libc_fd_fsync(long fd);
long libc_fd_ftruncate(long fd, long size);
long libc_fd_getdents(long fd, void *buf, size_t n);

/* unlink() of an open file, its removal at the last close (unlinked.c). */
long libc_unlink(const char *path);
void libc_unlinked_reap(void);
void libc_unlinked_exit(void);
/* Directory listings for getdents64 (dir.c). */
long libc_dir_getdents(
    int handle, struct toro_dirent **pending, long *pos, void *buf, size_t n);

/* Sockets (socket.c): the Linux calls, descriptors from fd.c. */
long libc_socket(long domain, long type, long proto);
long libc_bind(long fd, const void *sa, long len);
long libc_connect(long fd, const void *sa, long len);
long libc_listen(long fd, long backlog);
long libc_accept(long fd, void *sa, void *len, long flags);
long libc_sendto(
    long fd, const void *buf, size_t n, long flags, const void *sa, long len);
long libc_recvfrom(
    long fd, void *buf, size_t n, long flags, void *sa, void *len);
long libc_shutdown(long fd, long how);
long libc_sockname(long fd, void *sa, void *len, int peer);
long libc_setsockopt(long fd, long level, long name, const void *v, long len);
long libc_getsockopt(long fd, long level, long name, void *v, void *len);
long libc_poll(void *fds, long n, long timeout_ms);
/* poll() with a timeout in ns: TORO_FOREVER or at least 0. */
long libc_poll_ns(void *fds, long n, int64_t timeout_ns);
/* resource.c: prlimit (getrlimit, setrlimit), getrusage, umask. */
struct rlimit;
struct rusage;
long libc_prlimit(long pid, long res, const struct rlimit *new,
    struct rlimit *old);
long libc_getrusage(long who, struct rusage *ru);
long libc_umask(long mask);
/*
 * dev.c: /dev/null, zero, full, random, urandom, tty, std*; open and
 * stat return LIBC_NOT_DEV for a path outside /dev.
 */
#define LIBC_NOT_DEV (-5000L)
long libc_dev_open(const char *path, long flags);
long libc_dev_stat(const char *path, void *kst);
long libc_dev_read(const struct libc_desc *d, void *buf, size_t n);
long libc_dev_write(const struct libc_desc *d, const void *buf, size_t n);
/* epoll.c: epoll_create1, epoll_ctl, epoll_wait (struct epoll_event). */
struct epoll_event;
long libc_epoll_create(long flags);
long libc_epoll_ctl(long epfd, long op, long fd, const struct epoll_event *ev);
long libc_epoll_wait(long epfd, void *events, long max, long timeout_ms);
/* mmap.c: mappings as the allocator's memory. */
long libc_mmap(long addr, size_t len, long prot, long flags, long fd, long off);
long libc_munmap(long addr, size_t len);
long libc_mremap(long addr, size_t old, size_t len, long flags);
long libc_mprotect(long addr, size_t len, long prot);
long libc_madvise(long addr, size_t len, long advice);
long libc_msync(long addr, size_t len, long flags);
/* pipe.c: pipe2, socketpair, eventfd2. */
long libc_pipe2(int *fds, long flags);
long libc_socketpair(long domain, long type, long proto, int *fds);
long libc_eventfd2(unsigned long init, long flags);
/* sendfile.c */
long libc_sendfile(long out, long in, long *off, size_t count);
/* sockmsg.c: sendmsg and recvmsg (struct msghdr). */
struct msghdr;
long libc_sendmsg(long fd, const struct msghdr *m, long flags);
long libc_recvmsg(long fd, struct msghdr *m, long flags);
/* select.c: select and pselect6, ppoll; ts NULL waits for ever. */
long libc_select(long n, void *r, void *w, void *e, struct timespec *ts);
long libc_ppoll(void *fds, long n, struct timespec *ts);

/* A signal the program raises on itself (signal.c). */
long libc_signal_raise(int sig);

/* Time (time.c). */
long libc_clock_gettime(long clk, struct timespec *ts);
long libc_clock_getres(long clk, struct timespec *ts);
long libc_clock_nanosleep(
    long clk, long flags, const struct timespec *req, struct timespec *rem);

/* Futexes across CPUs (futex.c). */
long libc_futex(
    volatile int *addr, long op, long val, const struct timespec *timeout);

/* The calling thread's musl descriptor, made on first use (tp.c). */
uintptr_t libc_tp(void) __attribute__((const));
int libc_tid(void);

#endif
