/*
 * toro/except.h: exceptions, raised by the application or by the CPU.
 *
 *	TORO_TRY {
 *		risky();
 *	} TORO_EXCEPT(e) {
 *		toro_printf("%s: %s\n", toro_exception_name(e->kind),
 *		    e->message);
 *		if (e->kind == TORO_EXC_USER)
 *			toro_reraise(e);
 *	} TORO_END;
 *
 * The body runs; if it, or anything it calls, raises an exception
 * (toro_raise(), or a CPU fault: divide error, invalid opcode, general
 * protection, page fault, stack overflow), control comes back to the
 * handler with `e` describing it, and the frames in between are dropped.
 * Blocks nest, within a function and across calls: the innermost active
 * one on the current thread catches.  Inside its handler a block is no
 * longer active, so raising there (toro_reraise(e), a new toro_raise(),
 * a fault) goes to the enclosing block.  Each thread has its own chain.
 *
 * An exception no block catches ends the thread: the console gets a
 * report (the exception, the thread and CPU, the address, the registers
 * of a CPU fault, a backtrace with function names), then the thread ends
 * as if by toro_thread_exit(TORO_THREAD_ABORTED) and the other threads
 * keep running.  If the thread is main, the machine powers off with
 * status TORO_EXCEPTION_STATUS.  A fault outside any application thread
 * (the idle loop, an interrupt handler, the kernel's network and storage
 * threads) stops the machine as a kernel panic does.
 *
 * Rules, as for setjmp/longjmp, since this is what it is:
 *  - A local variable of the function holding TORO_TRY that the body
 *    changes and the handler (or the code after TORO_END) reads must be
 *    volatile: the jump restores registers as they were at TORO_TRY.
 *  - Never leave a body with return, goto, break or continue: the block
 *    would stay on the chain.  The kernel notices when it can (at the
 *    thread's next TORO_TRY, TORO_END or raise) and panics.
 *  - Cleanup is the handler's job: nothing runs for the dropped frames.
 *    A lock or a resource they held stays held.
 *  - Stack overflow is caught on a guard page below every thread stack;
 *    a frame larger than a page can skip it unless the code is built
 *    with -fstack-clash-protection (Toro's own build uses it).
 */
#ifndef TORO_EXCEPT_H
#define TORO_EXCEPT_H

#include <stdint.h>

/* Kinds of exception. */
#define TORO_EXC_USER 1           /* toro_raise() */
#define TORO_EXC_DIVIDE 2         /* integer divide error (#DE, SIGFPE) */
#define TORO_EXC_INVALID_OPCODE 3 /* #UD, SIGILL */
#define TORO_EXC_PROTECTION 4     /* general protection (#GP, #SS, SIGBUS) */
#define TORO_EXC_PAGE_FAULT 5     /* an unmapped address, NULL included */
#define TORO_EXC_STACK_OVERFLOW 6 /* the thread's stack is exhausted */
#define TORO_EXC_ARITHMETIC 7     /* x87 or SIMD floating point */
#define TORO_EXC_CPU 8            /* any other CPU exception */

/* The value a thread ended by an uncaught exception gives its joiner. */
#define TORO_THREAD_ABORTED ((void *)-1)

/* The exit status of a machine whose main died by an exception. */
#define TORO_EXCEPTION_STATUS 123

struct toro_exception {
	int kind;       /* TORO_EXC_* */
	int code;       /* toro_raise()'s code; the x86 vector of a fault */
	uintptr_t addr; /* the address a page fault or overflow touched */
	uintptr_t pc;   /* the faulting instruction, or toro_raise's caller */
	char message[96];
};

/* A TORO_TRY block's record, on the stack of the function holding it. */
struct toro_try {
	uint64_t jmp[9];       /* saved registers (hal/x86_64/jump.S) */
	struct toro_try *prev; /* the enclosing block */
	struct toro_exception exc;
};

/*
 * Raise a user exception with `code` (the application's own numbering)
 * and a printf-style message (kept up to 95 bytes).
 */
__attribute__((noreturn, format(printf, 2, 3))) void toro_raise(int code,
    const char *fmt, ...);

/* Raise e again, unchanged, to the enclosing block (from a handler). */
__attribute__((noreturn)) void toro_reraise(const struct toro_exception *e);

/* "divide error", "page fault"...: a kind's name. */
const char *toro_exception_name(int kind);

/* What the macros expand to; not for direct use. */
__attribute__((returns_twice)) int toro_try_save(struct toro_try *t);
void toro_try_push(struct toro_try *t);
void toro_try_pop(struct toro_try *t);

#define TORO_TRY                                                          \
	do {                                                              \
		struct toro_try toro_try_;                                \
		if (toro_try_save(&toro_try_) == 0) {                     \
			toro_try_push(&toro_try_);                        \
			{
#define TORO_EXCEPT(e)                                                    \
			}                                                 \
			toro_try_pop(&toro_try_);                         \
		} else {                                                  \
			const struct toro_exception *const e =            \
			    &toro_try_.exc;                               \
			(void)e;                                          \
			{
#define TORO_END                                                          \
			}                                                 \
		}                                                         \
	} while (0)

#endif
