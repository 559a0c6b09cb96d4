/*
 * x86.h: what the x86-64 platforms (native, sim, fake) share.
 *
 * Interface: the word of each register in a struct hal_regs (HAL_X86_*,
 * also for assembly), the words of a jump buffer that C reads, the
 * context switch, hal_x86_trap() to fill a struct hal_trap from a vector,
 * hal_x86_copy_fault() to tell hal_copy()'s faults from the others,
 * hal_x86_capture() and hal_x86_print_regs() for register dumps, and
 * hal_x86_vector_name().  The rest of the ISA layer is declared in hal.h
 * (hal_regs_pc() and the others, backtraces, trap resumption).
 *
 * Rules: only hal/ includes this file; the core knows none of it.
 */
#ifndef HAL_X86_64_X86_H
#define HAL_X86_64_X86_H

/* The words of struct hal_regs: the old struct's order, kept. */
#define HAL_X86_RAX 0
#define HAL_X86_RBX 1
#define HAL_X86_RCX 2
#define HAL_X86_RDX 3
#define HAL_X86_RSI 4
#define HAL_X86_RDI 5
#define HAL_X86_RBP 6
#define HAL_X86_RSP 7
#define HAL_X86_R8 8
#define HAL_X86_R9 9
#define HAL_X86_R10 10
#define HAL_X86_R11 11
#define HAL_X86_R12 12
#define HAL_X86_R13 13
#define HAL_X86_R14 14
#define HAL_X86_R15 15
#define HAL_X86_RIP 16
#define HAL_X86_RFLAGS 17
#define HAL_X86_NREGS 18

/* The words of a jump buffer (jump.S) that C reads. */
#define HAL_X86_JMP_SP 6 /* the stack pointer after the save returns */
#define HAL_X86_JMP_PC 7 /* where it returns to */

#define HAL_X86_RFLAGS_DF 0x400u /* direction flag: the ABI wants it clear */

#ifndef __ASSEMBLER__
#include "hal/hal.h"

_Static_assert(HAL_X86_NREGS <= HAL_REGS_WORDS, "struct hal_regs is too small");

/* Save the stack pointer in *save_sp and continue on new_sp (switch.S). */
void hal_x86_switch(uintptr_t *save_sp, uintptr_t new_sp);

/*
 * Fill the kind, code, error, addr and access of t for x86 vector
 * `vector` with the CPU's error code and, for a page fault (14), the
 * address it touched (cr2, or what the host said).
 */
void hal_x86_trap(
    struct hal_trap *t, int vector, uint64_t error, uintptr_t addr);

/*
 * Is trap t a fault of hal_copy() (copy.S, fixup.c)?  If so, t says
 * where to resume (hal_copy returns -TORO_EFAULT there), and the
 * platform resumes there as after sched_trap(), which it does not call.
 */
bool hal_x86_copy_fault(struct hal_trap *t);

/* "page fault"...: the name of vector 0-31, "interrupt" past that. */
const char *hal_x86_vector_name(int vector);

/*
 * The registers at the call (rip: its return address, rsp: the stack
 * pointer after it returns), for a dump of the calling code (capture.S).
 */
void hal_x86_capture(struct hal_regs *r);

/* Print the lines of hal_regs_line() on the console, indented. */
void hal_x86_print_regs(const struct hal_regs *r);

/*
 * Write v in hex at p, at least `digits` digits (zero-padded), never
 * past end; returns the end of what it wrote.  Not every platform's HAL
 * has a printf.
 */
char *hal_x86_hex(char *p, char *end, uint64_t v, int digits);

/* Copy the string s to p, never past end; returns the end of the copy. */
char *hal_x86_text(char *p, char *end, const char *s);
#endif

#endif
