/*
 * desc.c: descriptor tables and the per-CPU registers that point at them.
 *
 * Interface: hal_idt_init() once, then hal_cpu_setup(c) on each CPU as
 * its first C code: it loads that CPU's GDT and TSS, the shared IDT, and
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

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off1;
	uint32_t off2;
	uint32_t zero;
} __attribute__((packed));

struct table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern char hal_vectors[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static uint64_t canary;
int hal_percpu_ready;

void
hal_idt_init(void)
{
	int v;

	for (v = 0; v < 256; v++) {
		uintptr_t h = (uintptr_t)hal_vectors + 16 * v;
		struct idt_gate *g = &idt[v];

		g->off0 = h & 0xffff;
		g->sel = HAL_SEL_CODE;
		if (v == 2 || v == 8 || v == 18)
			g->ist = HAL_IST_NMI;
		else if (v < 32)
			g->ist = HAL_IST_EXC;
		else
			g->ist = HAL_IST_IRQ;
		g->type = 0x8e; /* present, DPL 0, interrupt gate */
		g->off1 = (h >> 16) & 0xffff;
		g->off2 = h >> 32;
		g->zero = 0;
	}
}

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
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uintptr_t)idt;
	__asm__ volatile(
	    "lgdt %0\n\t"
	    "pushq %1\n\t"
	    "leaq 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\n\t"
	    "movw %w2, %%ds\n\t"
	    "movw %w2, %%es\n\t"
	    "movw %w2, %%ss\n\t"
	    "movw %w3, %%fs\n\t"
	    "movw %w3, %%gs\n\t"
	    "ltr %w4\n\t"
	    "lidt %5"
	    :
	    : "m"(gdtr), "i"(HAL_SEL_CODE), "r"(HAL_SEL_DATA), "r"(0),
	    "r"(HAL_SEL_TSS), "m"(idtr)
	    : "rax", "memory");

	c->fs_block[0] = (uintptr_t)c->fs_block;
	c->fs_block[5] = canary;
	hal_wrmsr(HAL_MSR_FS_BASE, (uintptr_t)c->fs_block);
	hal_wrmsr(HAL_MSR_GS_BASE, (uintptr_t)c);
	hal_wrmsr(HAL_MSR_KERNEL_GS_BASE, 0);
	__asm__ volatile("ldmxcsr %0" : : "m"((uint32_t){ 0x1f80 }));
	hal_percpu_ready = 1;
}
