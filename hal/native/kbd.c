/*
 * kbd.c: Ctrl-Alt-Del on the i8042 keyboard controller, which is how
 * Firecracker asks a guest to stop (its SendCtrlAltDel action) and how
 * QEMU's `sendkey ctrl-alt-delete` does on pc and q35.
 *
 * Interface: hal_kbd_init() once at boot, on CPU 0; hal_kbd_irq() from
 * trap.c for HAL_VEC_KBD.  The three keys down together are a stop
 * request from the host, as the power button is (power.c), with SIGINT,
 * the signal Linux's init gets for Ctrl-Alt-Del.
 *
 * The controller is there when its status port reads other than 0xff
 * (microvm has none).  Its keyboard interrupt is enabled in the command
 * byte, which also says the code set: translated to set 1 (the
 * firmware's usual choice, QEMU), else set 2 (Firecracker, no firmware).
 * Only the modifier keys' state and the Delete key are followed; the
 * auxiliary (mouse) port's bytes are read and dropped.
 *
 * Rules: the interrupt goes to CPU 0 only; nothing else touches the
 * controller after boot.  Every wait on the controller is bounded, so
 * a controller that does not answer costs 10 ms at boot, not a hang.
 */
#include "hal/native/native.h"

#define DATA 0x60
#define CMD 0x64    /* write: a command; read: the status */
#define ST_OBF 0x01 /* a byte waits at DATA */
#define ST_IBF 0x02 /* the controller has not taken the last write */
#define ST_AUX 0x20 /* the byte at DATA is the mouse's */
#define CB_KBD_INT 0x01
#define CB_XLATE 0x40
#define BREAK_SET2 0xf0

/* Ctrl, Alt and Delete (after 0xe0) in the two code sets. */
static const uint8_t keys[2][3] = {
	{ 0x14, 0x11, 0x71 }, /* set 2 */
	{ 0x1d, 0x38, 0x53 }, /* set 1 */
};

static const uint8_t *key; /* NULL: no controller, or not set up */
static bool set1, e0, brk; /* the code set; prefixes seen */
static bool ctrl, alt;

/* Until the status bit `bit` reads `want` (true), or 10 ms (false). */
static bool
status_is(uint8_t bit, bool want)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (((hal_inb(CMD) & bit) != 0) == want)
			return true;
		hal_tsc_delay_ns(10000);
	}
	return false;
}

/* Until the controller takes a write, or 10 ms (false). */
static bool
writable(void)
{
	return status_is(ST_IBF, false);
}

/* The controller's next byte, or -1 after 10 ms. */
static int
next_byte(void)
{
	return status_is(ST_OBF, true) ? hal_inb(DATA) : -1;
}

void
hal_kbd_init(void)
{
	int cb, i;

	if (hal_inb(CMD) == 0xff)
		return;
	for (i = 0; i < 16 && (hal_inb(CMD) & ST_OBF); i++)
		(void)hal_inb(DATA); /* what waited from before */
	if (!writable())
		return;
	hal_outb(CMD, 0x20); /* read the command byte */
	if ((cb = next_byte()) < 0 || !writable())
		return;
	hal_outb(CMD, 0x60); /* write it, with the keyboard's interrupt */
	if (!writable())
		return;
	hal_outb(DATA, (uint8_t)(cb | CB_KBD_INT));
	set1 = (cb & CB_XLATE) != 0;
	key = keys[set1];
	hal_ioapic_route_isa(1, HAL_VEC_KBD, hal_pcpus[0].apic_id);
}

/* One byte of the keyboard's: true when it completes Ctrl-Alt-Del. */
static bool
scancode(uint8_t b)
{
	bool down, ext = e0;

	if (b == 0xe0 || (!set1 && b == BREAK_SET2)) {
		e0 |= b == 0xe0;
		brk |= b == BREAK_SET2;
		return false;
	}
	down = set1 ? !(b & 0x80) : !brk;
	b = set1 ? (uint8_t)(b & 0x7f) : b;
	e0 = brk = false;
	if (b == key[0])
		ctrl = down;
	else if (b == key[1])
		alt = down;
	else if (ext && b == key[2] && down)
		return ctrl && alt;
	return false;
}

void
hal_kbd_irq(void)
{
	uint8_t st;
	int n;

	if (key == NULL)
		return;
	for (n = 0; n < 16 && ((st = hal_inb(CMD)) & ST_OBF); n++) {
		if (st & ST_AUX)
			(void)hal_inb(DATA);
		else if (scancode(hal_inb(DATA)))
			hal_stop_post(HAL_SIGINT);
	}
}
