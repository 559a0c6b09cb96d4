/*
 * syscall_arch.h: musl's system calls, routed to Toro's C library.
 *
 * Interface: replaces musl's arch/x86_64/syscall_arch.h when musl is
 * built (tools/musl.sh passes -iquote libc/musl, which the compiler
 * searches before musl's -I folders for a quoted include).  Every
 * __syscallN becomes a plain call of libc_syscall() (libc/syscall.c),
 * so musl never runs the syscall instruction: on the native target
 * there is no kernel to take it, and in the simulator it would reach
 * the host's.  No vDSO is named, so clock_gettime asks libc_syscall too.
 */
#define __SYSCALL_LL_E(x) (x)
#define __SYSCALL_LL_O(x) (x)

long libc_syscall(long, long, long, long, long, long, long);

static __inline long
__syscall0(long n)
{
	return libc_syscall(n, 0, 0, 0, 0, 0, 0);
}

static __inline long
__syscall1(long n, long a1)
{
	return libc_syscall(n, a1, 0, 0, 0, 0, 0);
}

static __inline long
__syscall2(long n, long a1, long a2)
{
	return libc_syscall(n, a1, a2, 0, 0, 0, 0);
}

static __inline long
__syscall3(long n, long a1, long a2, long a3)
{
	return libc_syscall(n, a1, a2, a3, 0, 0, 0);
}

static __inline long
__syscall4(long n, long a1, long a2, long a3, long a4)
{
	return libc_syscall(n, a1, a2, a3, a4, 0, 0);
}

static __inline long
__syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
	return libc_syscall(n, a1, a2, a3, a4, a5, 0);
}

static __inline long
__syscall6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	return libc_syscall(n, a1, a2, a3, a4, a5, a6);
}

#define IPC_64 0
