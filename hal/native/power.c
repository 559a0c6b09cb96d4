/*
 * power.c: the power button, which is how a VM runner asks a guest to
 * shut down (QEMU's system_powerdown, libvirt's shutdown).
 *
 * Interface: hal_power_init() once at boot, on CPU 0, after the devices;
 * hal_power_irq() from trap.c for HAL_VEC_POWER; hal_stop_signal() of
 * hal.h, and hal_stop_post(sig) for every native source of a stop (this
 * button, kbd.c's Ctrl-Alt-Del).  A press posts HAL_EV_STOP to CPU 0,
 * as the host's SIGTERM does in the sim: the core then stops the
 * machine cleanly, or lets the program's SIGTERM handler do it (kern's
 * stop).
 *
 * Two kinds of machine, two buttons:
 *  - HW-reduced ACPI (microvm): the Generic Event Device of the DSDT
 *    (acpi.c) interrupts, and reading its event selector, which clears
 *    it, says which events came: bit 1 is the power button;
 *  - full ACPI (q35, pc): the fixed-feature button of the FADT's PM1
 *    event block.  Its enable bit is set and ACPI mode entered (the
 *    SMI command the FADT names, if the firmware left it off); a press
 *    sets its status bit and raises the SCI, an ISA IRQ, until the bit
 *    is written back.
 * A machine with neither (acpi=off, Firecracker) has no button here.
 *
 * Rules: the interrupt goes to CPU 0 only; nothing else touches the
 * registers after boot.
 */
#include "hal/native/native.h"

#define PWRBTN 0x0100u     /* PM1 status and enable: the power button */
#define SCI_EN 0x0001u     /* PM1 control: ACPI mode */
#define GED_PWR_DOWN 0x02u /* the GED's event selector: power down */

static int kind; /* 0: no button; 1: the GED; 2: the fixed button */
static int stop_sig = HAL_SIGTERM; /* hal_stop_signal()'s */

/* Enter ACPI mode if the firmware left the machine in legacy mode. */
static void
acpi_mode(void)
{
	int i;

	if ((hal_inw(hal_acpi.pm1a_cnt) & SCI_EN) || hal_acpi.smi_cmd == 0 ||
	    hal_acpi.acpi_enable == 0)
		return;
	hal_outb((uint16_t)hal_acpi.smi_cmd, hal_acpi.acpi_enable);
	for (i = 0; i < 1000 && !(hal_inw(hal_acpi.pm1a_cnt) & SCI_EN); i++)
		hal_tsc_delay_ns(10000);
}

void
hal_power_init(void)
{
	uint16_t en;

	if (hal_acpi.ged_base != 0) {
		hal_ioapic_route_gsi(hal_acpi.ged_gsi, hal_acpi.ged_flags,
		    HAL_VEC_POWER, hal_pcpus[0].apic_id);
		kind = 1;
		return;
	}
	hal_acpi_fadt();
	if (!hal_acpi.pwrbtn || hal_acpi.sci_irq >= 16)
		return;
	acpi_mode();
	en = (uint16_t)(hal_acpi.pm1a_evt + hal_acpi.pm1_evt_len / 2);
	/* A press before now is stale: clear it, then enable. */
	hal_outw(hal_acpi.pm1a_evt, PWRBTN);
	hal_outw(en, (uint16_t)(hal_inw(en) | PWRBTN));
	hal_ioapic_route_isa(hal_acpi.sci_irq, HAL_VEC_POWER,
	    hal_pcpus[0].apic_id);
	kind = 2;
}

int
hal_stop_signal(void)
{
	return __atomic_load_n(&stop_sig, __ATOMIC_ACQUIRE);
}

void
hal_stop_post(int sig)
{
	__atomic_store_n(&stop_sig, sig, __ATOMIC_RELEASE);
	hal_cpu_post(0, HAL_EV_STOP);
}

void
hal_power_irq(void)
{
	bool pressed = false;

	if (kind == 1) {
		pressed = hal_mmio_read32(hal_acpi.ged_base) & GED_PWR_DOWN;
	} else if (kind == 2 && (hal_inw(hal_acpi.pm1a_evt) & PWRBTN)) {
		hal_outw(hal_acpi.pm1a_evt, PWRBTN);
		pressed = true;
	}
	if (pressed)
		hal_stop_post(HAL_SIGTERM);
}
