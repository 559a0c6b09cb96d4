/*
 * context.c: building a new x86-64 context for hal_x86_switch().
 *
 * Interface: hal_context_init() from hal.h, shared by every platform.  The
 * frame it builds is the one switch.S pops: control words, r15..r12, rbx,
 * rbp, then the return address hal_x86_start, which calls entry(arg).
 */
#include "hal/hal.h"

void hal_x86_start(void);

enum { MXCSR_DEFAULT = 0x1f80, FCW_DEFAULT = 0x037f };

void
hal_context_init(struct hal_context *ctx, void *stack, size_t size,
    void (*entry)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *f = (uint64_t *)(top - 64);

	/* After the final ret, rsp == top: 16-aligned before the call. */
	f[0] = (uint64_t)MXCSR_DEFAULT | (uint64_t)FCW_DEFAULT << 32;
	f[1] = 0;                   /* r15 */
	f[2] = 0;                   /* r14 */
	f[3] = (uintptr_t)arg;      /* r13 */
	f[4] = (uintptr_t)entry;    /* r12 */
	f[5] = 0;                   /* rbx */
	f[6] = 0;                   /* rbp */
	f[7] = (uintptr_t)hal_x86_start;
	ctx->sp = (uintptr_t)f;
	ctx->stack = stack;
	ctx->stack_size = size;
	ctx->fake_stack = NULL;
	ctx->fiber = NULL;
}
