/*
 * pthread_arch.h: musl's thread pointer, read through a function.
 *
 * Interface: replaces musl's arch/x86_64/pthread_arch.h (see
 * syscall_arch.h for how).  musl finds the calling thread's descriptor
 * (errno, locale, lock owner id) through __get_tp(), which natively reads
 * %fs:0.  In the simulator %fs belongs to the host's C library, and
 * natively it would have to follow every switch between Toro threads:
 * so on both targets the descriptor comes from libc_tp() (libc/tp.c),
 * which keeps it with the Toro thread.  The value never changes during a
 * thread's life, hence "const".
 */
uintptr_t libc_tp(void) __attribute__((const));

static inline uintptr_t
__get_tp(void)
{
	return libc_tp();
}

#define MC_PC gregs[REG_RIP]
