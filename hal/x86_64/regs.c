/*
 * regs.c: the registers of an interrupted x86-64 context, and the one
 * register dump.
 *
 * Interface: hal_regs_pc(), hal_regs_sp(), hal_regs_fp() and
 * hal_regs_line() from hal.h; hal_x86_hex() and hal_x86_text() from
 * x86.h.  Every report of registers (the core's exception reports,
 * native's own fault reports, every platform's hal_dump_registers()
 * through dump.c) prints the lines of hal_regs_line(), so they all look
 * alike:
 *
 *	rax 0000000000000000 rbx 000055f3610f8708 rcx 00007f2a58e0ba37
 *	...
 *	r15 0000000000000000 rip 000055f3610cb0b0 rflags 00010246
 *
 * Rules: panics use this, so nothing here takes a lock or allocates, and
 * it formats by hand: the platforms share no printf.  It writes nothing
 * anywhere but into the caller's buffer.
 */
#include "hal/x86_64/x86.h"

/* Three registers a line, in the order of the dump. */
static const struct {
	char name[7];
	unsigned char word;
} dump[][3] = {
	{ { "rax", HAL_X86_RAX }, { "rbx", HAL_X86_RBX },
	    { "rcx", HAL_X86_RCX } },
	{ { "rdx", HAL_X86_RDX }, { "rsi", HAL_X86_RSI },
	    { "rdi", HAL_X86_RDI } },
	{ { "rbp", HAL_X86_RBP }, { "rsp", HAL_X86_RSP },
	    { "r8 ", HAL_X86_R8 } },
	{ { "r9 ", HAL_X86_R9 }, { "r10", HAL_X86_R10 },
	    { "r11", HAL_X86_R11 } },
	{ { "r12", HAL_X86_R12 }, { "r13", HAL_X86_R13 },
	    { "r14", HAL_X86_R14 } },
	{ { "r15", HAL_X86_R15 }, { "rip", HAL_X86_RIP },
	    { "rflags", HAL_X86_RFLAGS } },
};

uintptr_t
hal_regs_pc(const struct hal_regs *r)
{
	return r->word[HAL_X86_RIP];
}

uintptr_t
hal_regs_sp(const struct hal_regs *r)
{
	return r->word[HAL_X86_RSP];
}

uintptr_t
hal_regs_fp(const struct hal_regs *r)
{
	return r->word[HAL_X86_RBP];
}

char *
hal_x86_hex(char *p, char *end, uint64_t v, int digits)
{
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v != 0);
	while (n < digits && n < (int)sizeof(tmp))
		tmp[n++] = '0';
	while (n > 0 && p < end)
		*p++ = tmp[--n];
	return p;
}

char *
hal_x86_text(char *p, char *end, const char *s)
{
	while (*s != '\0' && p < end)
		*p++ = *s++;
	return p;
}

bool
hal_regs_line(const struct hal_regs *r, int i, char *buf, size_t size)
{
	char *p = buf, *end;
	int j;

	if (i < 0 || i >= (int)(sizeof(dump) / sizeof(dump[0])))
		return false;
	if (size == 0)
		return true;
	end = buf + size - 1;
	for (j = 0; j < 3; j++) {
		if (j > 0)
			p = hal_x86_text(p, end, " ");
		p = hal_x86_text(p, end, dump[i][j].name);
		p = hal_x86_text(p, end, " ");
		/* The flags get 8 digits: they fit in 32 bits. */
		p = hal_x86_hex(p, end, r->word[dump[i][j].word],
		    dump[i][j].word == HAL_X86_RFLAGS ? 8 : 16);
	}
	*p = '\0';
	return true;
}
