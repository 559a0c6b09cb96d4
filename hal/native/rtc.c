/*
 * rtc.c: the CMOS real-time clock, read through ports 0x70/0x71.
 *
 * Interface (native.h): hal_rtc_seconds(), the RTC's time as seconds
 * since 1970 (UTC), 0 without an RTC; hal_rtc_tsc_hz(), TSC ticks
 * between two of the RTC's once-a-second updates (up to 2 s), 0 without
 * one, the TSC's rate of last resort.
 *
 * Rules: CPU 0, at boot or for the wall clock's first reading (time.c).
 */
#include "hal/native/native.h"

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

uint64_t
hal_rtc_tsc_hz(void)
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

int64_t
hal_rtc_seconds(void)
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
