/*
 * trap.c: what happens on an interrupt or a CPU exception.
 *
 * Interface: hal_trap(frame), called by vectors.S on an IST stack with
 * interrupts disabled; hal_dump_registers() from hal.h, which prints what
 * a fault report prints: hal/x86_64's register dump, then the segment
 * and control registers.  Device and IPI vectors only record an event and
 * send EOI: the core never runs here.  An NMI while the machine stops
 * halts this CPU for good; the watchdog's NMI reports where this CPU is
 * stuck (watchdog.c) and returns.
 *
 * A fault of hal_copy() only resumes at the copy's error return
 * (hal/x86_64/copy.S, fixup.c).  Any other CPU exception (vectors 0-31)
 * goes to the core's sched_trap() (hal.h), which makes it an exception
 * of the interrupted thread, or panics; the frame is then edited so
 * that iretq resumes where sched_trap said.  The
 * HAL keeps its own report, then hal_exit(HAL_EXIT_FAULT), for what the
 * core cannot take: a fault before the core runs on this CPU, a fault
 * inside sched_trap (all exceptions share one IST stack, so the first
 * frame is already overwritten), any other NMI, double fault and machine
 * check.
 */
#include "hal/native/native.h"
#include "hal/x86_64/x86.h"

volatile int hal_stopping;

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

/* The general registers of a trap frame, as struct hal_regs words. */
static void
regs_of(const struct hal_trap_frame *f, struct hal_regs *r)
{
	r->word[HAL_X86_RAX] = f->rax;
	r->word[HAL_X86_RBX] = f->rbx;
	r->word[HAL_X86_RCX] = f->rcx;
	r->word[HAL_X86_RDX] = f->rdx;
	r->word[HAL_X86_RSI] = f->rsi;
	r->word[HAL_X86_RDI] = f->rdi;
	r->word[HAL_X86_RBP] = f->rbp;
	r->word[HAL_X86_RSP] = f->rsp;
	r->word[HAL_X86_R8] = f->r8;
	r->word[HAL_X86_R9] = f->r9;
	r->word[HAL_X86_R10] = f->r10;
	r->word[HAL_X86_R11] = f->r11;
	r->word[HAL_X86_R12] = f->r12;
	r->word[HAL_X86_R13] = f->r13;
	r->word[HAL_X86_R14] = f->r14;
	r->word[HAL_X86_R15] = f->r15;
	r->word[HAL_X86_RIP] = f->rip;
	r->word[HAL_X86_RFLAGS] = f->rflags;
}

/* The registers, then what only bare metal has: segments, controls. */
static void
print_regs(const struct hal_regs *r, uint64_t cs, uint64_t ss)
{
	hal_printf("CPU %d registers:\n", cpu_or_zero());
	hal_x86_print_regs(r);
	hal_printf(
	    "  cs %04lx ss %04lx cr0 %08lx cr2 %016lx\n", cs, ss, cr(0), cr(2));
	hal_printf("  cr3 %016lx cr4 %08lx\n", cr(3), cr(4));
}

void
hal_dump_registers(void)
{
	struct hal_regs r;
	uint16_t cs, ss;

	hal_x86_capture(&r);
	__asm__ volatile("movw %%cs, %0; movw %%ss, %1" : "=r"(cs), "=r"(ss));
	print_regs(&r, cs, ss);
}

static void
fault(struct hal_trap_frame *f)
{
	struct hal_regs r;
	int v = (int)f->vector;

	hal_printf("\ntoro: CPU %d: %s (vector %d, error %lx) at rip %lx, "
		   "rsp %lx\n",
	    cpu_or_zero(), hal_x86_vector_name(v), v, f->error, f->rip, f->rsp);
	if (v == 14)
		hal_printf("toro: page fault address %lx (%s, %s)\n", cr(2),
		    f->error & 2 ? "write" : "read",
		    f->error & 1 ? "protection" : "not present");
	regs_of(f, &r);
	print_regs(&r, f->cs, f->ss);
	hal_exit(HAL_EXIT_FAULT);
}

/* Edit f so that iretq resumes where t says. */
static void
resume(struct hal_trap_frame *f, const struct hal_trap *t)
{
	f->rip = t->resume_pc;
	f->rsp = t->resume_sp;
	f->rdi = t->resume_arg;
	f->rbp = 0;
	f->rflags &= ~(uint64_t)HAL_X86_RFLAGS_DF;
}

/*
 * Hand an exception to the core and resume where it says; a fault of
 * hal_copy() is the copy's answer instead (hal/x86_64/fixup.c).
 */
static void
to_core(struct hal_trap_frame *f)
{
	struct hal_pcpu *c = hal_this_cpu();
	struct hal_trap t;

	hal_x86_trap(&t, (int)f->vector, f->error, f->vector == 14 ? cr(2) : 0);
	regs_of(f, &t.regs);
	t.resume_pc = t.resume_sp = t.resume_arg = 0;
	if (hal_x86_copy_fault(&t)) {
		resume(f, &t);
		return;
	}
	c->trapping = 1;
	sched_trap(&t);
	c->trapping = 0;
	resume(f, &t);
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
	case HAL_VEC_POWER:
		hal_power_irq();
		hal_lapic_eoi();
		return;
	case HAL_VEC_KBD:
		hal_kbd_irq();
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
