/*
 * lapic.c: the local APIC of each CPU, in xAPIC (MMIO) mode.
 *
 * Interface: hal_lapic_init() on each CPU; hal_lapic_count_begin() when
 * time.c starts the clock, hal_lapic_count_end() when it closes its
 * calibration window, if it has one; hal_lapic_calibrate() on CPU 0
 * before the other CPUs start (hal_lapic_oneshot() calls it too); hal_lapic_eoi(); hal_lapic_ipi() and
 * hal_lapic_stop_others() to signal other CPUs; hal_lapic_oneshot(ns) to
 * get a HAL_VEC_TIMER interrupt after about ns nanoseconds (0 stops it).
 * The timer is one-shot and only wakes hal_cpu_wait(), which rechecks the
 * clock, so it may fire a little early or late.  LINT0/LINT1 are masked:
 * the 8259s are masked too and devices come through the IOAPIC.
 */
#include "hal/native/native.h"

#define REG_TPR 0x080
#define REG_EOI 0x0b0
#define REG_SVR 0x0f0
#define REG_ESR 0x280
#define REG_ICR_LO 0x300
#define REG_ICR_HI 0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERROR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR 0x390
#define REG_TIMER_DIV 0x3e0

#define LVT_MASKED 0x10000u
#define ICR_PENDING 0x1000u

static uintptr_t base;
static uint64_t ns_to_ticks; /* ticks per ns, times 2^32 */

static uint32_t
rd(uint32_t reg)
{
	return hal_mmio_read32(base + reg);
}

static void
wr(uint32_t reg, uint32_t v)
{
	hal_mmio_write32(base + reg, v);
}

static void
mask_pics(void)
{
	/* Remap the 8259s away from the exception vectors, then mask. */
	hal_outb(0x20, 0x11);
	hal_outb(0xa0, 0x11);
	hal_outb(0x21, HAL_VEC_PIC);
	hal_outb(0xa1, HAL_VEC_PIC + 8);
	hal_outb(0x21, 4);
	hal_outb(0xa1, 2);
	hal_outb(0x21, 1);
	hal_outb(0xa1, 1);
	hal_outb(0x21, 0xff);
	hal_outb(0xa1, 0xff);
}

void
hal_lapic_init(void)
{
	uint64_t msr = hal_rdmsr(HAL_MSR_APIC_BASE);

	/* Firmware may hand over x2APIC mode: back to xAPIC via disabled. */
	if (msr & (1u << 10)) {
		hal_wrmsr(HAL_MSR_APIC_BASE, msr & ~(3ull << 10));
		msr &= ~(1ull << 10);
	}
	if (base == 0) {
		mask_pics();
		base = msr & 0xffffff000ull;
	}
	hal_wrmsr(HAL_MSR_APIC_BASE, msr | (1u << 11)); /* global enable */
	wr(REG_SVR, 0x100 | HAL_VEC_SPURIOUS);
	wr(REG_TPR, 0);
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_LVT_LINT1, LVT_MASKED);
	wr(REG_LVT_ERROR, LVT_MASKED);
	wr(REG_ESR, 0);
	wr(REG_ESR, 0);
	wr(REG_TIMER_DIV, 0xb); /* divide by 1 */
	wr(REG_LVT_TIMER, LVT_MASKED | HAL_VEC_TIMER);
	wr(REG_TIMER_INIT, 0);
	wr(REG_EOI, 0);
}

void
hal_lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

void
hal_lapic_ipi(uint32_t apic_id, uint32_t icr_low)
{
	while (rd(REG_ICR_LO) & ICR_PENDING)
		__asm__ volatile("pause");
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, icr_low);
}

/*
 * An NMI reaches CPUs with interrupts off.  Only to the CPUs we started:
 * the others may sit in firmware code that an NMI would wake.
 */
void
hal_lapic_stop_others(void)
{
	int i, me = hal_percpu_ready ? hal_cpu_id() : 0;

	if (base == 0)
		return;
	for (i = 0; i < hal_ncpus; i++)
		if (i != me && hal_pcpus[i].started)
			hal_lapic_ipi(hal_pcpus[i].apic_id, 0x4000 | 0x400);
}

/*
 * The timer counted against the TSC: hal_time_init() brackets its own
 * calibration window with these, so that when it measures the TSC the
 * timer costs no time of its own.
 */
static uint64_t count_tsc0, count_tsc1;
static uint32_t count_ticks;

void
hal_lapic_count_begin(void)
{
	wr(REG_LVT_TIMER, LVT_MASKED | HAL_VEC_TIMER);
	wr(REG_TIMER_INIT, 0xffffffffu);
	count_tsc0 = hal_rdtsc();
}

void
hal_lapic_count_end(void)
{
	count_ticks = 0xffffffffu - rd(REG_TIMER_CUR);
	count_tsc1 = hal_rdtsc();
	wr(REG_TIMER_INIT, 0);
}

/*
 * The timer's rate, about 1 GHz under QEMU and KVM: from time.c's
 * window, or else from the count begun when the clock started, over at
 * least 1 ms (the rest of the boot usually covers most of it, so it is
 * taken as late as it can be).  CPU 0 only: the count is in its LAPIC.
 */
void
hal_lapic_calibrate(void)
{
	uint64_t hz;

	if (ns_to_ticks != 0)
		return;
	if (count_ticks == 0) {
		if (count_tsc0 == 0)
			hal_lapic_count_begin();
		while (hal_rdtsc() - count_tsc0 < hal_tsc_hz() / 1000)
			__asm__ volatile("pause");
		hal_lapic_count_end();
	}
	hz = (uint64_t)((unsigned __int128)count_ticks * hal_tsc_hz() /
	    (count_tsc1 > count_tsc0 ? count_tsc1 - count_tsc0 : 1));
	if (hz == 0)
		hz = 1000000000;
	ns_to_ticks = (hz << 32) / 1000000000u;
	if (ns_to_ticks == 0)
		ns_to_ticks = 1;
}

void
hal_lapic_oneshot(uint64_t ns)
{
	unsigned __int128 t;

	if (ns_to_ticks == 0)
		hal_lapic_calibrate(); /* CPU 0, before any other runs */
	t = (unsigned __int128)ns * ns_to_ticks >> 32;
	if (ns == 0) {
		wr(REG_TIMER_INIT, 0);
		return;
	}
	if (t == 0)
		t = 1;
	if (t > 0xffffffffu)
		t = 0xffffffffu;
	wr(REG_LVT_TIMER, HAL_VEC_TIMER);
	wr(REG_TIMER_INIT, (uint32_t)t);
}
