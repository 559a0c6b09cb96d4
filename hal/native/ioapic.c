/*
 * ioapic.c: routing device interrupts through the IOAPICs.
 *
 * Interface: hal_ioapic_route_isa(irq, vector, apic_id) sends an ISA
 * IRQ, after the
 * MADT's overrides, to one CPU as a fixed interrupt.  ISA inputs default
 * to edge-triggered, active high; an override may say otherwise.
 * hal_ioapic_route_gsi() does the same for any GSI with the trigger and
 * polarity given as MPS INTI flags (a device's ACPI resource, a PCI INTx
 * line).  Routing may happen on any CPU at any time (hal_net_open()), so
 * a lock keeps the select/data register pairs of two CPUs apart.
 *
 * Every input is masked before the first one is routed, not at boot:
 * until a device wants an interrupt, nothing here is needed, and a
 * reset IOAPIC has them all masked anyway (the firmware of QEMU's
 * machines leaves them so; the 8259s, which a firmware's virtual-wire
 * input would carry, are masked by lapic.c).
 */
#include "hal/native/native.h"

static volatile int lock;
static int masked; /* under lock */

static void
wr(uintptr_t base, uint32_t reg, uint32_t v)
{
	hal_mmio_write32(base, reg);
	hal_mmio_write32(base + 0x10, v);
}

static uint32_t
rd(uintptr_t base, uint32_t reg)
{
	hal_mmio_write32(base, reg);
	return hal_mmio_read32(base + 0x10);
}

static int
inputs(uintptr_t base)
{
	return ((rd(base, 1) >> 16) & 0xff) + 1;
}

static void
mask_all(void)
{
	int i, j, n;

	for (i = 0; i < hal_acpi.nioapic; i++) {
		n = inputs(hal_acpi.ioapic_addr[i]);
		for (j = 0; j < n; j++) {
			wr(hal_acpi.ioapic_addr[i], 0x10 + 2 * j, 0x10000);
			wr(hal_acpi.ioapic_addr[i], 0x11 + 2 * j, 0);
		}
	}
}

void
hal_ioapic_route_gsi(uint32_t gsi, uint16_t flags, int vector,
    uint32_t apic_id)
{
	uint32_t low = (uint32_t)vector;
	uintptr_t base;
	int i, pin;

	if ((flags & 3) == 3)
		low |= 1u << 13; /* active low */
	if (((flags >> 2) & 3) == 3)
		low |= 1u << 15; /* level triggered */
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
	if (!masked) {
		mask_all();
		masked = 1;
	}
	for (i = 0; i < hal_acpi.nioapic; i++) {
		base = hal_acpi.ioapic_addr[i];
		pin = (int)(gsi - hal_acpi.ioapic_gsi[i]);
		if (gsi < hal_acpi.ioapic_gsi[i] || pin >= inputs(base))
			continue;
		/* Masked while the destination changes. */
		wr(base, 0x10 + 2 * pin, 0x10000);
		wr(base, 0x11 + 2 * pin, apic_id << 24);
		wr(base, 0x10 + 2 * pin, low);
		break;
	}
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

void
hal_ioapic_route_isa(int irq, int vector, uint32_t apic_id)
{
	hal_ioapic_route_gsi(hal_acpi.isa_gsi[irq], hal_acpi.isa_flags[irq],
	    vector, apic_id);
}
