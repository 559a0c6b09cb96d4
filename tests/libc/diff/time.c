/*
 * time.c: gmtime_r, localtime_r (TZ=UTC0), mktime, timegm, strftime.
 *
 * Part of the differential generator (diff.c says how it works).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"

/* gmtime_r, localtime_r (TZ=UTC0), mktime, timegm, strftime. */

static void
put_tm(const struct tm *tm)
{
	printf("%d-%d-%d %d:%d:%d wday=%d yday=%d dst=%d", tm->tm_year,
	    tm->tm_mon, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec,
	    tm->tm_wday, tm->tm_yday, tm->tm_isdst);
}

static time_t
rand_time(void)
{
	switch (diff_below(4)) {
	case 0:
		return (time_t)(diff_rnd() % 4102444800ULL);
	case 1:
		/* Years 1000 to 9999. */
		return (time_t)(diff_rnd() % 283752000000ULL) - 30610224000LL;
	case 2:
		return (
		    time_t)((int64_t)(diff_rnd() % 200000000ULL) - 100000000);
	default:
		/* Around the end of a year. */
		return (time_t)(365 * 86400LL * diff_below(200) +
		    (int)diff_below(8 * 86400) - 4 * 86400);
	}
}

void
diff_time(void)
{
	static const char convs[] = "aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
	static const char *mods[] = { "Ec", "EC", "Ex", "EX", "Ey", "EY", "Od",
		"Oe", "OH", "OI", "Om", "OM", "OS", "Ou", "OU", "OV", "Ow",
		"OW", "Oy" };
	char fmt[64], out[512], in[64];
	struct tm tm, tm2;
	time_t t, r;
	size_t len;
	int i, n;

	setenv("TZ", "UTC0", 1);
	tzset();
	diff_reseed(800);
	for (long c = 0; c < diff_per; c++) {
		t = rand_time();
		snprintf(in, sizeof(in), "%lld", (long long)t);
		diff_line("gmtime_r", in, strlen(in));
		if (gmtime_r(&t, &tm) == NULL)
			printf("NULL\n");
		else {
			put_tm(&tm);
			putchar('\n');
		}
	}
	diff_reseed(801);
	for (long c = 0; c < diff_per; c++) {
		t = rand_time();
		localtime_r(&t, &tm);
		n = 0;
		for (i = 1 + diff_below(6); i > 0; i--) {
			fmt[n++] = '%';
			if (diff_below(8) == 0)
				n += sprintf(fmt + n, "%s",
				    mods[diff_below(
					sizeof(mods) / sizeof(mods[0]))]);
			else
				fmt[n++] = convs[diff_below(sizeof(convs) - 1)];
			if (diff_below(3) == 0)
				fmt[n++] = " ,-:x"[diff_below(5)];
		}
		fmt[n] = '\0';
		len = strftime(out,
		    diff_below(10) == 0 ? diff_below(20) : sizeof(out), fmt,
		    &tm);
		snprintf(in, sizeof(in), "%lld %s", (long long)t, fmt);
		diff_line("strftime", in, strlen(in));
		if (len == 0)
			printf("0\n");
		else {
			diff_put_esc(out, len);
			printf("\tlen=%zu\n", len);
		}
	}
	diff_reseed(802);
	for (long c = 0; c < diff_per; c++) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = (int)diff_below(300) - 100 +
		    (diff_below(8) == 0 ? (int)diff_below(8000) : 0);
		tm.tm_mon = (int)diff_below(12) +
		    (diff_below(4) == 0 ? (int)diff_below(200) - 100 : 0);
		tm.tm_mday = 1 + (int)diff_below(28) +
		    (diff_below(4) == 0 ? (int)diff_below(2000) - 1000 : 0);
		tm.tm_hour = (int)diff_below(24) +
		    (diff_below(4) == 0 ? (int)diff_below(2000) - 1000 : 0);
		tm.tm_min = (int)diff_below(60) +
		    (diff_below(4) == 0 ? (int)diff_below(20000) - 10000 : 0);
		tm.tm_sec = (int)diff_below(61) +
		    (diff_below(4) == 0 ? (int)diff_below(200000) - 100000 : 0);
		tm.tm_isdst = 0;
		tm.tm_wday = tm.tm_yday = 99;
		tm2 = tm;
		snprintf(in, sizeof(in), "%d-%d-%d %d:%d:%d", tm.tm_year,
		    tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		r = diff_below(2) ? mktime(&tm) : (tm = tm2, timegm(&tm));
		diff_line("mktime", in, strlen(in));
		printf("%lld ", (long long)r);
		put_tm(&tm);
		putchar('\n');
	}
}
