/*
 * trap.c: x86-64 traps in the terms of hal.h.
 *
 * Interface: hal_x86_trap() and hal_x86_vector_name() (x86.h) for the
 * platforms that see vectors (native) or stand in for them (the sim's
 * signals); hal_trap_describe(), hal_trap_resume_jump(),
 * hal_trap_resume_call() and hal_jump_sp() (hal.h) for the core.
 *
 * The core decides by kind (struct hal_trap's enum hal_trap_kind), never
 * by vector; the vector stays the trap's code, which reports print and
 * toro/except.h passes on.  Resuming is ISA work too: where a call's
 * return address goes, and which word of a jump buffer is its stack
 * pointer (jump.S).
 */
#include "hal/x86_64/x86.h"

/* Page-fault error code bits. */
#define PF_PRESENT 0x01u
#define PF_WRITE 0x02u
#define PF_FETCH 0x10u

/* hal_jump needs no stack; the margin keeps clear of the block's frame. */
#define RESUME_GAP 256

static const char *const names[32] = {
	"divide error",
	"debug",
	"NMI",
	"breakpoint",
	"overflow",
	"BOUND range exceeded",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor segment overrun",
	"invalid TSS",
	"segment not present",
	"stack-segment fault",
	"general protection fault",
	"page fault",
	"reserved",
	"x87 floating-point error",
	"alignment check",
	"machine check",
	"SIMD floating-point error",
	"virtualization exception",
	"control protection exception",
	"reserved",
	"reserved",
	"reserved",
	"reserved",
	"reserved",
	"reserved",
	"hypervisor injection",
	"VMM communication",
	"security exception",
	"reserved",
};

const char *
hal_x86_vector_name(int vector)
{
	return vector >= 0 && vector < 32 ? names[vector] : "interrupt";
}

static enum hal_trap_kind
kind_of(int vector)
{
	switch (vector) {
	case 0:
		return HAL_TRAP_DIVIDE;
	case 6:
		return HAL_TRAP_INVALID_OPCODE;
	case 12: /* stack-segment fault: a non-canonical stack address */
	case 13:
		return HAL_TRAP_PROTECTION;
	case 14:
		return HAL_TRAP_PAGE_FAULT;
	case 16:
	case 19:
		return HAL_TRAP_ARITHMETIC;
	default:
		return HAL_TRAP_OTHER;
	}
}

void
hal_x86_trap(struct hal_trap *t, int vector, uint64_t error, uintptr_t addr)
{
	t->kind = kind_of(vector);
	t->code = vector;
	t->error = error;
	t->addr = 0;
	t->access = HAL_ACCESS_READ;
	t->denied = false;
	if (t->kind != HAL_TRAP_PAGE_FAULT)
		return;
	t->addr = addr;
	if (error & PF_FETCH)
		t->access = HAL_ACCESS_EXECUTE;
	else if (error & PF_WRITE)
		t->access = HAL_ACCESS_WRITE;
	t->denied = (error & PF_PRESENT) != 0;
}

/* A #GP's error code names a selector; the others' add nothing. */
void
hal_trap_describe(const struct hal_trap *t, char *buf, size_t size)
{
	char *p = buf, *end, digit[10];
	unsigned v = (unsigned)t->code;
	int n = 0;

	if (size == 0)
		return;
	end = buf + size - 1;
	p = hal_x86_text(p, end, "vector ");
	do {
		digit[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0 && p < end)
		*p++ = digit[--n];
	if (t->kind == HAL_TRAP_PROTECTION) {
		p = hal_x86_text(p, end, ", error 0x");
		p = hal_x86_hex(p, end, t->error, 0);
	}
	*p = '\0';
}

uintptr_t
hal_jump_sp(const uint64_t *buf)
{
	return buf[HAL_X86_JMP_SP];
}

void
hal_trap_resume_jump(struct hal_trap *t, const uint64_t *buf)
{
	t->resume_pc = (uintptr_t)hal_jump;
	t->resume_arg = (uintptr_t)buf;
	t->resume_sp = (hal_jump_sp(buf) - RESUME_GAP) & ~(uintptr_t)15;
}

/* As if called: rsp + 8 aligned, and a zero return address. */
void
hal_trap_resume_call(
    struct hal_trap *t, void (*fn)(void *), void *arg, uintptr_t top)
{
	uintptr_t sp = (top & ~(uintptr_t)15) - 8;

	*(uintptr_t *)sp = 0;
	t->resume_pc = (uintptr_t)fn;
	t->resume_arg = (uintptr_t)arg;
	t->resume_sp = sp;
}
