/*
 * trap.c: what happens on an interrupt or a CPU exception.
 *
 * Interface: hal_trap(frame), called by vectors.S on an IST stack with
 * interrupts disabled; hal_print_frame() (also behind
 * hal_dump_registers()).  Device and IPI vectors only record an event and
 * send EOI: the core never runs here.  An NMI while the machine stops
 * halts this CPU for good; the watchdog's NMI reports where this CPU is
 * stuck (watchdog.c) and returns.
 *
 * A CPU exception (vectors 0-31) goes to the core's sched_trap() (hal.h),
 * which makes it an exception of the interrupted thread, or panics; the
 * frame is then edited so that iretq resumes where sched_trap said.  The
 * HAL keeps its own report, then hal_exit(HAL_EXIT_FAULT), for what the
 * core cannot take: a fault before the core runs on this CPU, a fault
 * inside sched_trap (all exceptions share one IST stack, so the first
 * frame is already overwritten), any other NMI, double fault and machine
 * check.
 */
#include "hal/native/native.h"

volatile int hal_stopping;

static const char *const names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"BOUND range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack-segment fault",
	"general protection fault", "page fault", "reserved",
	"x87 floating-point error", "alignment check", "machine check",
	"SIMD floating-point error", "virtualization exception",
	"control protection exception", "reserved", "reserved", "reserved",
	"reserved", "reserved", "reserved", "hypervisor injection",
	"VMM communication", "security exception", "reserved",
};

static uint64_t
cr(int n)
{
	uint64_t v = 0;

	switch (n) {
	case 0:
		__asm__ volatile("movq %%cr0, %0" : "=r"(v));
		break;
	case 2:
		__asm__ volatile("movq %%cr2, %0" : "=r"(v));
		break;
	case 3:
		__asm__ volatile("movq %%cr3, %0" : "=r"(v));
		break;
	case 4:
		__asm__ volatile("movq %%cr4, %0" : "=r"(v));
		break;
	}
	return v;
}

static int
cpu_or_zero(void)
{
	return hal_percpu_ready ? hal_cpu_id() : 0;
}

void
hal_print_frame(const struct hal_trap_frame *f)
{
	hal_printf("CPU %d registers:\n", cpu_or_zero());
	hal_printf(" rax %016lx rbx %016lx rcx %016lx\n", f->rax, f->rbx,
	    f->rcx);
	hal_printf(" rdx %016lx rsi %016lx rdi %016lx\n", f->rdx, f->rsi,
	    f->rdi);
	hal_printf(" rbp %016lx rsp %016lx r8  %016lx\n", f->rbp, f->rsp,
	    f->r8);
	hal_printf(" r9  %016lx r10 %016lx r11 %016lx\n", f->r9, f->r10,
	    f->r11);
	hal_printf(" r12 %016lx r13 %016lx r14 %016lx\n", f->r12, f->r13,
	    f->r14);
	hal_printf(" r15 %016lx rip %016lx rflags %08lx\n", f->r15, f->rip,
	    f->rflags);
	hal_printf(" cs %04lx ss %04lx cr0 %08lx cr2 %016lx\n", f->cs, f->ss,
	    cr(0), cr(2));
	hal_printf(" cr3 %016lx cr4 %08lx\n", cr(3), cr(4));
}

static void
fault(struct hal_trap_frame *f)
{
	int v = (int)f->vector;

	hal_printf("\ntoro: CPU %d: %s (vector %d, error %lx) at rip %lx, "
	    "rsp %lx\n", cpu_or_zero(), names[v], v, f->error, f->rip, f->rsp);
	if (v == 14)
		hal_printf("toro: page fault address %lx (%s, %s)\n", cr(2),
		    f->error & 2 ? "write" : "read",
		    f->error & 1 ? "protection" : "not present");
	hal_print_frame(f);
	hal_exit(HAL_EXIT_FAULT);
}

/* Hand an exception to the core and resume where it says. */
static void
to_core(struct hal_trap_frame *f)
{
	struct hal_pcpu *c = hal_this_cpu();
	struct hal_trap t;

	t.vector = (int)f->vector;
	t.error = f->error;
	t.addr = f->vector == 14 ? cr(2) : 0;
	t.regs = (struct hal_regs){ f->rax, f->rbx, f->rcx, f->rdx, f->rsi,
		f->rdi, f->rbp, f->rsp, f->r8, f->r9, f->r10, f->r11, f->r12,
		f->r13, f->r14, f->r15, f->rip, f->rflags };
	t.resume_pc = t.resume_sp = t.resume_arg = 0;
	c->trapping = 1;
	sched_trap(&t);
	c->trapping = 0;
	f->rip = t.resume_pc;
	f->rsp = t.resume_sp;
	f->rdi = t.resume_arg;
	f->rbp = 0;
	f->rflags &= ~(uint64_t)0x400; /* DF: the ABI wants it clear */
}

void
hal_trap(struct hal_trap_frame *f)
{
	uint64_t v = f->vector;

	switch (v) {
	case HAL_VEC_TIMER:
	case HAL_VEC_KICK:
		/* hal_cpu_wait() checks the clock and the pending bits. */
		hal_lapic_eoi();
		return;
	case HAL_VEC_SERIAL:
		hal_serial_irq();
		hal_lapic_eoi();
		return;
	case HAL_VEC_NET:
		hal_virtio_net_irq(); /* acknowledges before the EOI */
		hal_lapic_eoi();
		return;
	case HAL_VEC_BLK:
		hal_virtio_blk_irq();
		hal_lapic_eoi();
		return;
	case HAL_VEC_ATA:
		hal_ata_irq();
		hal_lapic_eoi();
		return;
	case HAL_VEC_SPURIOUS:
		return; /* no EOI for spurious interrupts */
	case 2:
		if (hal_stopping)
			hal_halt_forever();
		if (hal_watchdog_nmi(f))
			return;
		break;
	}
	if (v >= HAL_VEC_PIC && v < HAL_VEC_PIC + 16)
		return; /* a spurious IRQ 7 or 15 from the masked 8259s */
	if (v < 32) {
		if (v == 2 || v == 8 || v == 18 || !hal_percpu_ready ||
		    hal_cpu_local() == NULL || hal_this_cpu()->trapping)
			fault(f);
		to_core(f);
		return;
	}
	hal_lapic_eoi(); /* an unexpected device vector: ignore it */
}
