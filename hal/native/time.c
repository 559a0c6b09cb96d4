/*
 * time.c: the monotonic clock (TSC) and the wall clock (CMOS RTC).
 *
 * Interface: hal_time_init() once on CPU 0, before the LAPIC timer is
 * calibrated; hal_time_ns(), hal_wall_ns() from hal.h; hal_tsc_hz() and
 * hal_tsc_delay_ns() for the other files.  The TSC frequency comes from
 * CPUID (leaf 0x15, then 0x16, then the hypervisor leaf 0x40000010) when
 * the CPU states it, else it is measured against the PIT (channel 0),
 * else against the ACPI PM timer, else against
 * the RTC's second tick (slow: up to 2 s), else assumed to be 1 GHz.  The
 * TSC is taken as invariant and in step on all CPUs, as it is under QEMU
 * and KVM.  The RTC is read once; the wall clock follows the TSC after.
 */
#include "hal/native/native.h"

#define PIT_HZ 1193182u
#define PM_HZ 3579545u
#define CAL_MS 10

static uint64_t tsc_hz;
static uint64_t tsc0;
static uint64_t mult; /* ns per TSC tick, times 2^32 */
static int64_t wall0; /* ns since the epoch at tsc0 */

static uint64_t
cpuid_hz(void)
{
	uint32_t r[4], max;

	hal_cpuid(0, 0, r);
	max = r[0];
	if (max >= 0x15) {
		hal_cpuid(0x15, 0, r);
		if (r[0] != 0 && r[1] != 0 && r[2] != 0)
			return (uint64_t)r[2] * r[1] / r[0];
	}
	if (max >= 0x16) {
		hal_cpuid(0x16, 0, r);
		if ((r[0] & 0xffff) != 0)
			return (uint64_t)(r[0] & 0xffff) * 1000000;
	}
	hal_cpuid(1, 0, r);
	if (r[2] & (1u << 31)) { /* under a hypervisor */
		hal_cpuid(0x40000000, 0, r);
		if (r[0] >= 0x40000010) {
			hal_cpuid(0x40000010, 0, r);
			if (r[0] != 0)
				return (uint64_t)r[0] * 1000;
		}
	}
	return 0;
}

static uint16_t
pit_count(void)
{
	uint8_t lo, hi;

	hal_outb(0x43, 0x00); /* latch channel 0 */
	lo = hal_inb(0x40);
	hi = hal_inb(0x40);
	return (uint16_t)(hi << 8 | lo);
}

/*
 * Count PIT channel 0 down through CAL_MS ms.  Channel 2's output (port
 * 0x61) would be simpler but lives in the PC speaker, which microvm
 * lacks.  Leave channel 0 in one-shot mode: a periodic PIT (as the BIOS
 * left it) would wake the host 18 times a second for nothing.
 */
static uint64_t
pit_hz(void)
{
	uint32_t want = PIT_HZ * CAL_MS / 1000, ticks = 0;
	uint16_t prev, cur;
	uint64_t t0, t1;
	long spins;

	hal_outb(0x43, 0x34); /* channel 0, lo/hi, mode 2 */
	hal_outb(0x40, 0);
	hal_outb(0x40, 0);    /* 65536: one round is 55 ms */
	prev = pit_count();
	t0 = hal_rdtsc();
	for (spins = 0; ticks < want; spins++) {
		cur = pit_count();
		ticks += (uint16_t)(prev - cur);
		prev = cur;
		if (ticks == 0 && spins > 10000)
			return 0; /* it does not count: no PIT */
	}
	t1 = hal_rdtsc();
	hal_outb(0x43, 0x30); /* channel 0, lo/hi, mode 0 */
	hal_outb(0x40, 0xff);
	hal_outb(0x40, 0xff);
	return (t1 - t0) * PIT_HZ / ticks;
}

static uint32_t
pm_read(void)
{
	uint32_t v = hal_inl(hal_acpi.pm_tmr);

	return hal_acpi.pm_tmr_32 ? v : v & 0xffffff;
}

static uint64_t
pm_hz(void)
{
	uint32_t mask = hal_acpi.pm_tmr_32 ? 0xffffffffu : 0xffffffu;
	uint32_t start, want = PM_HZ * CAL_MS / 1000;
	uint64_t t0, t1;
	long spins;

	if (hal_acpi.pm_tmr == 0)
		return 0;
	start = pm_read();
	t0 = hal_rdtsc();
	for (spins = 0; ((pm_read() - start) & mask) < want; spins++)
		if (spins > 50000000)
			return 0;
	t1 = hal_rdtsc();
	return (t1 - t0) * 1000 / CAL_MS;
}

static uint8_t
cmos(uint8_t reg)
{
	hal_outb(0x70, reg);
	return hal_inb(0x71);
}

/* Wait for the end of the RTC's next update; 0 if it never comes. */
static int
rtc_edge(void)
{
	long spins;

	for (spins = 0; !(cmos(0x0a) & 0x80); spins++)
		if (spins > 100000000)
			return 0;
	for (spins = 0; cmos(0x0a) & 0x80; spins++)
		if (spins > 100000000)
			return 0;
	return 1;
}

static uint64_t
rtc_hz(void)
{
	uint64_t t0;

	if (cmos(0x0a) == 0xff || !rtc_edge())
		return 0;
	t0 = hal_rdtsc();
	if (!rtc_edge())
		return 0;
	return hal_rdtsc() - t0;
}

static int
bcd(uint8_t v, int binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 0x0f);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days(int y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int64_t
rtc_read(void)
{
	/* Seconds, minutes, hours, day, month, year, century. */
	static const uint8_t regs[7] = { 0, 2, 4, 7, 8, 9, 0x32 };
	uint8_t r[7], again[7], b;
	int i, tries, bin, hour, year;

	if (cmos(0x0a) == 0xff)
		return 0;
	for (tries = 0; tries < 10; tries++) {
		while (cmos(0x0a) & 0x80)
			;
		for (i = 0; i < 7; i++)
			r[i] = cmos(regs[i]);
		for (i = 0; i < 7; i++)
			again[i] = cmos(regs[i]);
		if (memcmp(r, again, sizeof(r)) == 0)
			break;
	}
	b = cmos(0x0b);
	bin = b & 0x04;
	hour = bcd(r[2] & 0x7f, bin);
	if (!(b & 0x02) && (r[2] & 0x80))
		hour = hour % 12 + 12; /* 12-hour clock, PM */
	year = bcd(r[5], bin) + 100 * (r[6] ? bcd(r[6], bin) : 20);
	return ((days(year, bcd(r[4], bin), bcd(r[3], bin)) * 24 + hour) *
	    60 + bcd(r[1], bin)) * 60 + bcd(r[0], bin);
}

void
hal_time_init(void)
{
	int64_t secs;

	/* Each source returns 0 when the machine does not have it. */
	if ((tsc_hz = cpuid_hz()) == 0 && (tsc_hz = pit_hz()) == 0 &&
	    (tsc_hz = pm_hz()) == 0 && (tsc_hz = rtc_hz()) == 0)
		tsc_hz = 1000000000;
	mult = (1000000000ull << 32) / tsc_hz;
	secs = rtc_read();
	tsc0 = hal_rdtsc();
	wall0 = secs * 1000000000;
}

uint64_t
hal_tsc_hz(void)
{
	return tsc_hz;
}

uint64_t
hal_time_ns(void)
{
	return (uint64_t)((unsigned __int128)(hal_rdtsc() - tsc0) * mult >> 32);
}

int64_t
hal_wall_ns(void)
{
	return wall0 + (int64_t)hal_time_ns();
}

void
hal_tsc_delay_ns(uint64_t ns)
{
	uint64_t t0 = hal_rdtsc();
	uint64_t ticks = ns * tsc_hz / 1000000000u; /* ns is small */

	while (hal_rdtsc() - t0 < ticks)
		__asm__ volatile("pause");
}
