/*
 * desc.c: descriptor tables and the per-CPU registers that point at them.
 *
 * Interface: hal_cpu_setup(c) on each CPU as its first C code: it loads
 * that CPU's GDT and TSS, the IDT (vectors.S builds it), and
 * points %gs at the CPU's struct hal_pcpu and %fs at its fs_block, whose
 * word at 0x28 holds the stack-protector canary (code built with
 * -fstack-protector, such as Debian's libhttp_parser.a, reads %fs:0x28).
 * The canary is one value for all CPUs, chosen before any such code runs.
 *
 * Every vector has an IST stack: interrupts, exceptions, and NMI/#DF/#MC
 * have one each, so that a fault in an interrupt handler, or an NMI in
 * a fault handler, does not overwrite the frame below it.
 */
#include "hal/native/native.h"

struct table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern char hal_idt[], hal_idt_end[]; /* vectors.S */

static uint64_t canary;
int hal_percpu_ready;

/* A value an overflow is unlikely to forge; the low byte stops strings. */
void
hal_canary_init(void)
{
	uint32_t r[4];
	uint64_t v = hal_rdtsc() * 0x9e3779b97f4a7c15ull;

	hal_cpuid(1, 0, r);
	if (r[2] & (1u << 30)) {
		uint64_t x = 0;
		unsigned char ok = 0;
		int i;

		for (i = 0; i < 10 && !ok; i++)
			__asm__ volatile("rdrand %0; setc %1"
			    : "=r"(x), "=qm"(ok));
		v ^= x;
	}
	canary = v & ~(uint64_t)0xff;
}

static uint64_t
tss_low(uintptr_t base, uint32_t limit)
{
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	    (uint64_t)0x89 << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	    (uint64_t)((base >> 24) & 0xff) << 56;
}

void
hal_cpu_setup(struct hal_pcpu *c)
{
	struct table_ptr gdtr, idtr;
	uintptr_t tss = (uintptr_t)&c->tss;

	c->self = c;
	c->gdt[0] = 0;
	c->gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
	c->gdt[2] = 0x00cf92000000ffffull; /* data */
	c->gdt[3] = tss_low(tss, sizeof(c->tss) - 1);
	c->gdt[4] = tss >> 32;
	c->tss.iomap = sizeof(c->tss); /* no I/O bitmap */

	gdtr.limit = sizeof(c->gdt) - 1;
	gdtr.base = (uintptr_t)c->gdt;
	idtr.limit = hal_idt_end - hal_idt - 1;
	idtr.base = (uintptr_t)hal_idt;
	/*
	 * entry.S and ap.S ran on GDTs with the same code and data
	 * descriptors at the same selectors: %cs, %ds, %es and %ss need no
	 * reload (%fs and %gs are null; their bases are MSRs).
	 */
	__asm__ volatile("lgdt %0\n\t"
			 "ltr %w1\n\t"
			 "lidt %2"
	    :
	    : "m"(gdtr), "r"(HAL_SEL_TSS), "m"(idtr)
	    : "memory");

	c->fs_block[0] = (uintptr_t)c->fs_block;
	c->fs_block[5] = canary;
	hal_wrmsr(HAL_MSR_FS_BASE, (uintptr_t)c->fs_block);
	hal_wrmsr(HAL_MSR_GS_BASE, (uintptr_t)c);
	__asm__ volatile("ldmxcsr %0" : : "m"((uint32_t){ 0x1f80 }));
	hal_percpu_ready = 1;
}
