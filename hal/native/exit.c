/*
 * exit.c: stopping the machine.
 *
 * Interface: hal_exit() from hal.h; hal_halt_forever().  In order: say a
 * status above 127 on the console ("toro: exit status N", which
 * qemu.sh's toro_qemu_status reads, since QEMU's own exit status keeps
 * only 7 bits of it); flush the UART; write the status to QEMU's
 * isa-debug-exit device (port 0xf4: QEMU then exits with status
 * (status << 1) | 1, and where there is no such device the write does
 * nothing); ACPI soft-off (S5) through the
 * FADT's PM1 control registers, or its sleep control register on
 * hardware-reduced machines such as microvm; and if the machine still
 * runs, stop the other CPUs with an NMI and halt this one for good.
 */
#include "hal/native/native.h"

#define DEBUG_EXIT_PORT 0xf4
#define SLP_EN (1u << 13)

void
hal_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void
acpi_off(void)
{
	uint32_t typ_a, typ_b;

	hal_acpi_fadt();
	typ_a = hal_acpi.s5_typ_a;
	typ_b = hal_acpi.s5_typ_b;
	if (hal_acpi.s5_typ_a < 0) {
		/* No \_S5 found: QEMU's PIIX4/ICH9 use 0, its GED uses 5. */
		typ_a = typ_b = hal_acpi.hw_reduced ? 5 : 0;
	}
	if (hal_acpi.hw_reduced) {
		uint8_t v = (uint8_t)((typ_a & 7) << 2 | 0x20);

		if (hal_acpi.sleep_ctl == 0)
			return;
		if (hal_acpi.sleep_ctl_io)
			hal_outb((uint16_t)hal_acpi.sleep_ctl, v);
		else
			*(volatile uint8_t *)(uintptr_t)hal_acpi.sleep_ctl = v;
		return;
	}
	if (hal_acpi.pm1a_cnt != 0)
		hal_outw(hal_acpi.pm1a_cnt, (typ_a & 7) << 10 | SLP_EN);
	if (hal_acpi.pm1b_cnt != 0)
		hal_outw(hal_acpi.pm1b_cnt, (typ_b & 7) << 10 | SLP_EN);
}

void
hal_exit(int status)
{
	__asm__ volatile("cli");
	hal_stopping = 1;
	/* isa-debug-exit carries 7 bits: a larger status is said first. */
	if (status < 0 || status > 127)
		hal_printf("toro: exit status %d\n", status);
	hal_serial_flush();
	hal_outl(DEBUG_EXIT_PORT, (uint32_t)status);
	acpi_off();
	hal_tsc_delay_ns(10000000);
	hal_lapic_stop_others();
	hal_halt_forever();
}
