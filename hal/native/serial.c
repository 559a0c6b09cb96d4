/*
 * serial.c: the console, a 16550 UART on COM1 (port 0x3f8).
 *
 * Interface: hal_console_write() and hal_console_read() from hal.h;
 * hal_serial_init() first thing at boot, hal_serial_irq() from the
 * UART's interrupt.
 *
 * Output is polled, byte by byte, under a lock so that one write is never
 * interleaved with another CPU's; the lock is recursive per CPU so that a
 * fault report printed while this CPU holds it still gets out.  Input: the
 * receive interrupt drains the UART into a ring and posts HAL_EV_CONSOLE
 * to CPU 0; hal_console_read() empties the ring and also polls the UART,
 * so input works even where the interrupt does not.  The interrupt is
 * routed (IRQ 4 to CPU 0) and enabled by the first hal_console_read(),
 * not at boot: until then nobody waits for input, and what is typed
 * waits in the UART (QEMU gives it no more than its FIFO takes), which
 * raises the interrupt as soon as it is enabled.
 */
#include "hal/native/native.h"

#define COM1 0x3f8
#define RBR 0 /* receive buffer, read */
#define THR 0 /* transmit holding, write */
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define RING 1024

static volatile int lock_owner = -1;
static int lock_depth;
static int present;

static char ring[RING];
static volatile uint32_t ring_head, ring_tail; /* producer, consumer */
static volatile int ring_lock;

/* The CPU index (hal_cpu_id(), read in place), or 0 before %gs is set. */
static int
cpu_or_zero(void)
{
	int id = 0;

	if (hal_percpu_ready)
		__asm__ volatile("movl %%gs:8, %0" : "=r"(id));
	return id;
}

static void
lock(void)
{
	int me = cpu_or_zero();
	int expect;

	if (lock_owner == me) {
		lock_depth++;
		return;
	}
	for (;;) {
		expect = -1;
		if (__atomic_compare_exchange_n(&lock_owner, &expect, me, 0,
		    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
		__asm__ volatile("pause");
	}
	lock_depth = 1;
}

static void
unlock(void)
{
	if (--lock_depth == 0)
		__atomic_store_n(&lock_owner, -1, __ATOMIC_RELEASE);
}

void
hal_serial_init(void)
{
	hal_outb(COM1 + IER, 0);
	hal_outb(COM1 + LCR, 0x80); /* divisor latch */
	hal_outb(COM1 + 0, 1);      /* 115200 baud */
	hal_outb(COM1 + 1, 0);
	hal_outb(COM1 + LCR, 0x03); /* 8N1 */
	hal_outb(COM1 + FCR, 0xc7); /* FIFOs on and cleared */
	hal_outb(COM1 + MCR, 0x0b); /* DTR, RTS, OUT2 (the IRQ line) */
	/* A missing UART reads as all ones. */
	present = hal_inb(COM1 + LSR) != 0xff;
}

void
hal_serial_putc_raw(char ch)
{
	int spins = 0;

	if (!present)
		return;
	while (!(hal_inb(COM1 + LSR) & LSR_THRE) && ++spins < 1000000)
		__asm__ volatile("pause");
	hal_outb(COM1 + THR, (uint8_t)ch);
}

void
hal_console_write(const char *s, size_t n)
{
	const char *end = s + n;
	int spins;

	lock();
	for (; present && s < end; s++) {
		for (spins = 0; !(hal_inb(COM1 + LSR) & LSR_THRE) &&
		    spins < 1000000; spins++)
			__asm__ volatile("pause");
		hal_outb(COM1 + THR, (uint8_t)*s);
	}
	unlock();
}

void
hal_serial_flush(void)
{
	int spins = 0;

	while (present && !(hal_inb(COM1 + LSR) & LSR_TEMT) &&
	    ++spins < 1000000)
		__asm__ volatile("pause");
}

static void
ring_lock_take(void)
{
	while (__atomic_exchange_n(&ring_lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
}

static void
ring_lock_give(void)
{
	__atomic_store_n(&ring_lock, 0, __ATOMIC_RELEASE);
}

/* Move what the UART holds into the ring; the caller holds ring_lock. */
static int
drain(void)
{
	int got = 0;

	while (present && (hal_inb(COM1 + LSR) & LSR_DR)) {
		char ch = (char)hal_inb(COM1 + RBR);

		if (ring_head - ring_tail < RING)
			ring[ring_head++ % RING] = ch;
		got = 1;
	}
	return got;
}

/* Route and enable the receive interrupt, once (see above). */
static void
irq_enable(void)
{
	static int done;

	if (!present || __atomic_load_n(&done, __ATOMIC_ACQUIRE) ||
	    __atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
		return;
	hal_ioapic_route_isa(4, HAL_VEC_SERIAL, hal_pcpus[0].apic_id);
	hal_outb(COM1 + IER, 0x01); /* received data available */
}

void
hal_serial_irq(void)
{
	int got;

	ring_lock_take();
	got = drain();
	ring_lock_give();
	if (got) {
		__atomic_fetch_or(&hal_pcpus[0].pending, HAL_EV_CONSOLE,
		    __ATOMIC_SEQ_CST);
		/* The interrupt arrives on CPU 0, which is awake now. */
	}
}

size_t
hal_console_read(char *buf, size_t n)
{
	size_t i = 0;
	uint64_t flags;

	irq_enable();
	/* CPU 0 takes ring_lock in its interrupt handler: keep it out. */
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	ring_lock_take();
	drain();
	while (i < n && ring_tail != ring_head)
		buf[i++] = ring[ring_tail++ % RING];
	ring_lock_give();
	if (flags & 0x200)
		__asm__ volatile("sti" : : : "memory");
	return i;
}
