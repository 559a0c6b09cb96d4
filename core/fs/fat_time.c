/*
 * fat_time.c: FAT dates and times from and to the wall clock.
 *
 * Interface: fat_time_now(), fat_time_ns() (fat.h).  A FAT date counts
 * years from 1980 (7 bits), month and day; a time has 2-second steps,
 * and creation times add hundredths (0-199).  FAT keeps local time; the
 * kernel has no time zone, so local time is UTC.
 *
 * Rules: the wall clock is clamped to FAT's range, 1980-2107; a date
 * read from a disk is never trusted to be valid (month 0 and the like
 * read as the nearest valid value).
 */
#include "core/fs/fat.h"

#define NS 1000000000LL
#define FAT_MIN_S 315532800LL   /* 1980-01-01 00:00:00 UTC */
#define FAT_MAX_S 4354819199LL  /* 2107-12-31 23:59:59 UTC */

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void
fat_time_now(uint16_t *date, uint16_t *time, uint8_t *tenth)
{
	int64_t ns = hal_wall_ns(), s, y;
	unsigned m, d, sod;

	if (ns < FAT_MIN_S * NS)
		ns = FAT_MIN_S * NS;
	if (ns > FAT_MAX_S * NS)
		ns = FAT_MAX_S * NS;
	s = ns / NS;
	civil_from_days(s / 86400, &y, &m, &d);
	sod = (unsigned)(s % 86400);
	*date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
	*time = (uint16_t)((sod / 3600) << 11 | (sod / 60 % 60) << 5 |
	    (sod % 60) / 2);
	*tenth = (uint8_t)((sod % 2) * 100 + (ns % NS) / 10000000);
}

int64_t
fat_time_ns(uint16_t date, uint16_t time, uint8_t tenth)
{
	unsigned m = (date >> 5) & 15, d = date & 31;
	unsigned hh = time >> 11, mm = (time >> 5) & 63, ss = (time & 31) * 2;
	int64_t s;

	if (date == 0)
		return FAT_MIN_S * NS;
	m = MIN(MAX(m, 1u), 12u);
	d = MAX(d, 1u);
	s = days_from_civil(1980 + (date >> 9), m, d) * 86400 +
	    MIN(hh, 23u) * 3600 + MIN(mm, 59u) * 60 + MIN(ss, 59u);
	return s * NS + (int64_t)MIN(tenth, 199) * 10000000LL;
}
