/*
 * fault.c: the CPUs' exceptions: SIGFPE, SIGILL, SIGSEGV and SIGBUS.
 *
 * Interface: sim_fault_init() installs one handler for the four signals,
 * at boot; sim_fault_cpu_init() gives the calling CPU pthread an
 * alternate signal stack, so that the handler can run when the fault is
 * the overflow of the stack the CPU was on.
 *
 * On a CPU pthread, the handler is the CPU taking an exception: it fills
 * a struct hal_trap from the signal and the interrupted registers, calls
 * the core's sched_trap() (or, for a fault of hal_copy(), only asks
 * hal/x86_64/fixup.c where the copy fails), edits the saved context as
 * it said (rip, rsp, rdi, rbp, DF) and returns.  The machine has no
 * vectors, so it names the one a signal stands for (hal/x86_64 makes it
 * a kind): SIGFPE 0 (integer) or 19 (floating point), SIGILL 6, SIGSEGV
 * 14 with si_addr (13 for SI_KERNEL, a general protection fault), SIGBUS
 * 13.  Returning, rather than jumping out of the handler, lets the host
 * restore the signal mask and leave the alternate stack as usual, and
 * keeps Valgrind's idea of the thread's state right.
 *
 * Rules: a fault on a host thread (the main thread's loop, the disk's
 * I/O thread) is not the machine's: the handler restores the default
 * action and returns, so the instruction faults again and the process
 * dies of it as it would have without us.  So does a signal someone sent
 * (kill), which is no fault at all.  The four signals are blocked while
 * the handler runs: a fault inside it kills the process.
 */
#define _GNU_SOURCE /* REG_RIP and the other register names */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "hal/hal.h"
#include "hal/x86_64/x86.h"
#include "sim/sim.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define asan_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define asan_unpoison(p, n) ((void)0)
#endif

/* Room for sched_trap and its report, with a sanitizer's appetite. */
enum { ALT_STACK_SIZE = 256 << 10 };

static const int signals[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS };

/* The host's name of each word of struct hal_regs. */
static const int gregs[HAL_X86_NREGS] = {
	[HAL_X86_RAX] = REG_RAX,
	[HAL_X86_RBX] = REG_RBX,
	[HAL_X86_RCX] = REG_RCX,
	[HAL_X86_RDX] = REG_RDX,
	[HAL_X86_RSI] = REG_RSI,
	[HAL_X86_RDI] = REG_RDI,
	[HAL_X86_RBP] = REG_RBP,
	[HAL_X86_RSP] = REG_RSP,
	[HAL_X86_R8] = REG_R8,
	[HAL_X86_R9] = REG_R9,
	[HAL_X86_R10] = REG_R10,
	[HAL_X86_R11] = REG_R11,
	[HAL_X86_R12] = REG_R12,
	[HAL_X86_R13] = REG_R13,
	[HAL_X86_R14] = REG_R14,
	[HAL_X86_R15] = REG_R15,
	[HAL_X86_RIP] = REG_RIP,
	[HAL_X86_RFLAGS] = REG_EFL,
};

static void
die_of(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
}

static int
vector_of(int sig, const siginfo_t *si)
{
	switch (sig) {
	case SIGFPE:
		return si->si_code == FPE_INTDIV || si->si_code == FPE_INTOVF ?
		    0 : 19;
	case SIGILL:
		return 6;
	case SIGSEGV:
		/* The kernel says SI_KERNEL for a #GP, which has no address. */
		return si->si_code == SI_KERNEL ? 13 : 14;
	default:
		return 13;
	}
}

static void
on_fault(int sig, siginfo_t *si, void *ctx)
{
	greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	struct hal_trap t;
	uintptr_t lo, hi;
	int i, vector;

	if (sim_cpu_self < 0 || si->si_code <= 0) {
		die_of(sig);
		if (si->si_code <= 0)
			raise(sig); /* delivered once we return */
		return;
	}
	memset(&t, 0, sizeof(t));
	vector = vector_of(sig, si);
	hal_x86_trap(&t, vector,
	    vector == 13 || vector == 14 ? (uint64_t)g[REG_ERR] : 0,
	    (uintptr_t)si->si_addr);
	for (i = 0; i < HAL_X86_NREGS; i++)
		t.regs.word[i] = (uint64_t)g[gregs[i]];
	/* A fault of hal_copy() is its answer, not the core's business. */
	if (!hal_x86_copy_fault(&t))
		sched_trap(&t);
	/*
	 * The frames above the fault up to where the thread resumes (the
	 * catching block, or the top of an overflowed stack) are dropped
	 * without returning: clear AddressSanitizer's marks on them, as its
	 * longjmp interceptor would, the red zone below the fault too.
	 */
	lo = (uintptr_t)g[REG_RSP] - 128;
	if (t.resume_pc == (uintptr_t)hal_jump)
		hi = hal_jump_sp((const uint64_t *)t.resume_arg);
	else
		hi = t.resume_sp + 8;
	if (hi > lo)
		asan_unpoison((void *)lo, hi - lo);
	g[REG_RIP] = (greg_t)t.resume_pc;
	g[REG_RSP] = (greg_t)t.resume_sp;
	g[REG_RDI] = (greg_t)t.resume_arg;
	g[REG_RBP] = 0;
	g[REG_EFL] &= ~(greg_t)HAL_X86_RFLAGS_DF;
}

void
sim_fault_init(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		sigaddset(&sa.sa_mask, signals[i]);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (sigaction(signals[i], &sa, NULL) == -1)
			sim_fatal("sigaction(%s): %s", strsignal(signals[i]),
			    strerror(errno));
}

void
sim_fault_cpu_init(void)
{
	stack_t ss;
	void *p;

	/* Never freed: a CPU's pthread lives as long as the machine. */
	p = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		sim_fatal("CPU %d: no alternate signal stack: %s", sim_cpu_self,
		    strerror(errno));
	memset(&ss, 0, sizeof(ss));
	ss.ss_sp = p;
	ss.ss_size = ALT_STACK_SIZE;
	if (sigaltstack(&ss, NULL) == -1)
		sim_fatal("CPU %d: sigaltstack: %s", sim_cpu_self,
		    strerror(errno));
}
