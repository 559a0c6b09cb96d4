/*
 * syscall.c: where musl's system calls arrive.
 *
 * Interface: libc_syscall(n, a1..a6), Linux x86-64 numbering and
 * argument order, returning a result or a negative errno.  musl calls it
 * for every system call (musl/syscall_arch.h), on both targets.
 *
 * Rules: a call that means something on Toro maps onto the kernel's
 * public API; the rest give -ENOSYS, so the function that made them
 * fails with errno ENOSYS instead of doing something else.  There is one
 * process and one user, root: ids are constants, and set only to
 * themselves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "libc/toroc.h"
#include "toro/toro.h"

/* The process: a machine that runs one program. */
#define PID 1

static long
sys_uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "Toro");
	strcpy(u->nodename, "toro");
	strcpy(u->release, "1");
	strcpy(u->version, "1");
	strcpy(u->machine, "x86_64");
	return 0;
}

/*
 * The one user is root, uid and gid 0, and there is no other to become:
 * an id set to 0, or left as it is (-1, for the calls taking several),
 * succeeds as it does for root on Linux; any other id is EINVAL, Linux's
 * answer for an id it cannot map, rather than a switch that would not
 * happen.
 */
static long
sys_setid(int n, long a, long b, long c)
{
	long id[3] = { a, b, c };
	int i;

	for (i = 0; i < n; i++)
		if ((uint32_t)id[i] != 0 &&
		    ((uint32_t)id[i] != UINT32_MAX || n == 1))
			return -EINVAL;
	return 0;
}

/* Root's supplementary groups: none, or group 0 again. */
static long
sys_setgroups(long n, const gid_t *list)
{
	gid_t g;
	long i;

	if (n < 0 || n > NGROUPS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (toro_copy(&g, &list[i], sizeof(g)) < 0)
			return -EFAULT;
		if (g != 0)
			return -EINVAL;
	}
	return 0;
}

/* Every CPU of the machine: threads may be put on any of them. */
static long
sys_getaffinity(size_t size, unsigned char *set)
{
	int i, n = toro_cpu_count();
	size_t need = ((size_t)n + 63) / 64 * 8;

	if (size < need)
		return -EINVAL;
	memset(set, 0, need);
	for (i = 0; i < n; i++)
		set[i / 8] |= (unsigned char)(1u << (i % 8));
	return (long)need;
}

/*
 * sysinfo, behind sysconf(_SC_PHYS_PAGES) and _SC_AVPHYS_PAGES: the
 * memory the kernel's allocator manages and what it has not handed
 * out, in bytes (mem_unit 1).  No swap, no shared or buffer memory.
 */
static long
sys_sysinfo(struct sysinfo *si)
{
	struct toro_mem_stats m;

	toro_mem_stats(&m);
	memset(si, 0, sizeof(*si));
	si->uptime = (long)(toro_time_ns() / 1000000000u);
	si->totalram = m.total;
	si->freeram = m.free_pages;
	si->procs = 1;
	si->mem_unit = 1;
	return 0;
}

/*
 * getrandom (behind getentropy too): the kernel's generator, which is
 * keyed at boot and never blocks, so GRND_NONBLOCK and GRND_RANDOM
 * change nothing.  Like Linux, one call gives at most 32 MiB - 1.
 */
static long
sys_getrandom(void *buf, size_t n, long flags)
{
	if (flags & ~(long)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if (n > 0x1ffffff)
		n = 0x1ffffff;
	if (buf == NULL && n > 0)
		return -EFAULT;
	toro_random(buf, n);
	return (long)n;
}

/*
 * select: musl passes the timeout as {seconds, microseconds}, which is
 * what Linux's struct timeval is; the time left is written back.
 */
static long
sys_select(long n, void *r, void *w, void *e, long *tv)
{
	struct timespec ts;
	long got;

	if (tv == NULL)
		return libc_select(n, r, w, e, NULL);
	if (tv[1] < 0 || tv[1] >= 1000000)
		return -EINVAL;
	ts.tv_sec = tv[0];
	ts.tv_nsec = tv[1] * 1000;
	got = libc_select(n, r, w, e, &ts);
	tv[0] = ts.tv_sec;
	tv[1] = ts.tv_nsec / 1000;
	return got;
}

/* kill, tkill, tgkill: only the program itself, one of its threads. */
static long
sys_kill(long pid, long sig)
{
	if (pid != PID && pid != 0 && pid != -1)
		return -ESRCH;
	return libc_signal_raise((int)sig);
}

/*
 * exit_group: the program ends, the machine stops (musl's exit() has
 * flushed stdio and run the atexit functions already); files unlinked
 * while open go first.
 */
static long
sys_exit_group(long status)
{
	libc_unlinked_exit();
	toro_poweroff((int)(status & 0xff));
}

/*
 * musl's _Exit is exit_group through libc_syscall()'s dispatch; every
 * program ends here once, so it goes straight to it.
 */
_Noreturn void
_Exit(int status)
{
	sys_exit_group(status);
	__builtin_unreachable();
}

long
libc_syscall(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	switch (n) {
	case SYS_read:
		return libc_fd_read(a1, (void *)a2, (size_t)a3);
	case SYS_write:
		return libc_fd_write(a1, (const void *)a2, (size_t)a3);
	case SYS_readv:
		return libc_fd_readv(a1, (const void *)a2, a3);
	case SYS_writev:
		return libc_fd_writev(a1, (const void *)a2, a3);
	case SYS_pread64:
		return libc_fd_pio(a1, (void *)a2, (size_t)a3, a4, 0);
	case SYS_pwrite64:
		return libc_fd_pio(a1, (void *)a2, (size_t)a3, a4, 1);
	case SYS_preadv: /* the offset's high half (a5) is 0 on 64 bits */
		return libc_fd_piov(a1, (const void *)a2, a3, a4, 0);
	case SYS_pwritev:
		return libc_fd_piov(a1, (const void *)a2, a3, a4, 1);
	case SYS_close:
		return libc_fd_close(a1);
	case SYS_lseek:
		return libc_fd_lseek(a1, a2, a3);
	case SYS_fstat:
		return libc_fd_fstat(a1, (void *)a2);
	case SYS_ioctl:
		return libc_fd_ioctl(a1, a2, (void *)a3);
	case SYS_dup:
		return libc_fd_dup(a1, 0, 0);
	case SYS_dup2:
		return libc_fd_dup2(a1, a2);
	case SYS_dup3:
		return libc_fd_dup3(a1, a2, a3);
	case SYS_fcntl:
		return libc_fd_fcntl(a1, a2, a3);
	case SYS_fsync:
	case SYS_fdatasync:
		return libc_fd_fsync(a1);
	case SYS_ftruncate:
		return libc_fd_ftruncate(a1, a2);
	case SYS_getdents64:
		return libc_fd_getdents(a1, (void *)a2, (size_t)a3);
	case SYS_open:
	case SYS_openat:
	case SYS_stat:
	case SYS_lstat:
	case SYS_newfstatat:
	case SYS_mkdir:
	case SYS_mkdirat:
	case SYS_rmdir:
	case SYS_unlink:
	case SYS_unlinkat:
	case SYS_rename:
	case SYS_renameat:
	case SYS_access:
	case SYS_faccessat:
	case SYS_chdir:
	case SYS_fchdir:
	case SYS_getcwd:
		return libc_path_call(n, a1, a2, a3, a4);
	case SYS_epoll_create:
		return a1 <= 0 ? -EINVAL : libc_epoll_create(0);
	case SYS_epoll_create1:
		return libc_epoll_create(a1);
	case SYS_epoll_ctl:
		return libc_epoll_ctl(a1, a2, a3, (const struct epoll_event *)a4);
	case SYS_epoll_wait:
	case SYS_epoll_pwait: /* the signal mask: none arrives unasked */
		return libc_epoll_wait(a1, (void *)a2, a3, a4);
	case SYS_mmap:
		return libc_mmap(a1, (size_t)a2, a3, a4, a5, a6);
	case SYS_munmap:
		return libc_munmap(a1, (size_t)a2);
	case SYS_mremap:
		return libc_mremap(a1, (size_t)a2, (size_t)a3, a4);
	case SYS_mprotect:
		return libc_mprotect(a1, (size_t)a2, a3);
	case SYS_madvise:
		return libc_madvise(a1, (size_t)a2, a3);
	case SYS_msync:
		return libc_msync(a1, (size_t)a2, a3);
	case SYS_sendfile:
		return libc_sendfile(a1, a2, (long *)a3, (size_t)a4);
	case SYS_pipe:
		return libc_pipe2((int *)a1, 0);
	case SYS_pipe2:
		return libc_pipe2((int *)a1, a2);
	case SYS_socketpair:
		return libc_socketpair(a1, a2, a3, (int *)a4);
	case SYS_eventfd:
		return libc_eventfd2((unsigned long)a1, 0);
	case SYS_eventfd2:
		return libc_eventfd2((unsigned long)a1, a2);
	case SYS_socket:
		return libc_socket(a1, a2, a3);
	case SYS_bind:
		return libc_bind(a1, (const void *)a2, a3);
	case SYS_connect:
		return libc_connect(a1, (const void *)a2, a3);
	case SYS_listen:
		return libc_listen(a1, a2);
	case SYS_accept:
		return libc_accept(a1, (void *)a2, (void *)a3, 0);
	case SYS_accept4:
		return libc_accept(a1, (void *)a2, (void *)a3, a4);
	case SYS_sendto:
		return libc_sendto(
		    a1, (const void *)a2, (size_t)a3, a4, (const void *)a5, a6);
	case SYS_recvfrom:
		return libc_recvfrom(
		    a1, (void *)a2, (size_t)a3, a4, (void *)a5, (void *)a6);
	case SYS_sendmsg:
		return libc_sendmsg(a1, (const struct msghdr *)a2, a3);
	case SYS_recvmsg:
		return libc_recvmsg(a1, (struct msghdr *)a2, a3);
	case SYS_shutdown:
		return libc_shutdown(a1, a2);
	case SYS_getsockname:
		return libc_sockname(a1, (void *)a2, (void *)a3, 0);
	case SYS_getpeername:
		return libc_sockname(a1, (void *)a2, (void *)a3, 1);
	case SYS_setsockopt:
		return libc_setsockopt(a1, a2, a3, (const void *)a4, a5);
	case SYS_getsockopt:
		return libc_getsockopt(a1, a2, a3, (void *)a4, (void *)a5);
	case SYS_poll:
		return libc_poll((void *)a1, a2, a3);
	case SYS_ppoll: /* the signal mask: none arrives unasked */
		return libc_ppoll((void *)a1, a2, (struct timespec *)a3);
	case SYS_select:
		return sys_select(
		    a1, (void *)a2, (void *)a3, (void *)a4, (long *)a5);
	case SYS_pselect6:
		return libc_select(a1, (void *)a2, (void *)a3, (void *)a4,
		    (struct timespec *)a5);
	case SYS_kill:
		return sys_kill(a1, a2);
	case SYS_tkill:
		if ((int)a1 != libc_tid())
			return -ESRCH; /* another thread: not yet */
		return libc_signal_raise((int)a2);
	case SYS_tgkill:
		if ((int)a1 != PID || (int)a2 != libc_tid())
			return -ESRCH;
		return libc_signal_raise((int)a3);
	case SYS_clock_gettime:
		return libc_clock_gettime(a1, (struct timespec *)a2);
	case SYS_nanosleep:
		return libc_clock_nanosleep(CLOCK_REALTIME, 0,
		    (const struct timespec *)a1, (struct timespec *)a2);
	case SYS_clock_nanosleep:
		return libc_clock_nanosleep(
		    a1, a2, (const struct timespec *)a3, (struct timespec *)a4);
	case SYS_futex:
		return libc_futex(
		    (volatile int *)a1, a2, a3, (const struct timespec *)a4);
	case SYS_sched_yield:
		toro_yield();
		return 0;
	case SYS_sched_getaffinity:
		return sys_getaffinity((size_t)a2, (unsigned char *)a3);
	case SYS_getpid:
	case SYS_getppid:
	case SYS_getpgid:
	case SYS_getsid:
		return PID;
	case SYS_gettid:
		return libc_tid();
	case SYS_getuid:
	case SYS_geteuid:
	case SYS_getgid:
	case SYS_getegid:
	case SYS_getgroups:
		return 0;
	case SYS_setuid:
	case SYS_setgid:
		return sys_setid(1, a1, 0, 0);
	case SYS_setreuid:
	case SYS_setregid:
		return sys_setid(2, a1, a2, 0);
	case SYS_setresuid:
	case SYS_setresgid:
		return sys_setid(3, a1, a2, a3);
	case SYS_setgroups:
		return sys_setgroups(a1, (const gid_t *)a2);
	case SYS_prlimit64:
		return libc_prlimit(
		    a1, a2, (const struct rlimit *)a3, (struct rlimit *)a4);
	case SYS_getrlimit:
		return libc_prlimit(0, a1, NULL, (struct rlimit *)a2);
	case SYS_setrlimit:
		return libc_prlimit(0, a1, (const struct rlimit *)a2, NULL);
	case SYS_getrusage:
		return libc_getrusage(a1, (struct rusage *)a2);
	case SYS_umask:
		return libc_umask(a1);
	case SYS_clock_getres:
		return libc_clock_getres(a1, (struct timespec *)a2);
	case SYS_uname:
		return sys_uname((struct utsname *)a1);
	case SYS_sysinfo:
		return sys_sysinfo((struct sysinfo *)a1);
	case SYS_rt_sigprocmask:
		/* No signal arrives unasked, so there is none to block. */
		if (a3 != 0)
			memset((void *)a3, 0, (size_t)a4);
		return 0;
	case SYS_getrandom:
		return sys_getrandom((void *)a1, (size_t)a2, a3);
	case SYS_exit_group:
		return sys_exit_group(a1);
	default:
		return -ENOSYS;
	}
}
