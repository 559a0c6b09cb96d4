/*
 * strto.c: strtol, strtoul, strtoll, strtoull, strtod, strtof: random subjects.
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

/* strtol, strtoul, strtoll, strtoull. */

/* small: at most 7 digits, which scanf's %d and %x hold. */
void
diff_intstr(char *s, int *base, int small)
{
	static const char digs[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const int bases[] = { 0, 0, 0, 2, 8, 10, 10, 16, 16, 36, 1, 37 };
	int n = 0, len, i, b;

	b = bases[diff_below(sizeof(bases) / sizeof(bases[0]))];
	if (diff_below(4) == 0)
		b = 2 + (int)diff_below(35);
	*base = b;
	for (i = diff_below(3); i > 0; i--)
		s[n++] = " \t\n\v\f\r"[diff_below(6)];
	if (diff_below(2))
		s[n++] = "+-"[diff_below(2)];
	switch (diff_below(5)) {
	case 0:
		s[n++] = '0';
		s[n++] = diff_below(2) ? 'x' : 'X';
		break;
	case 1:
		s[n++] = '0';
		break;
	}
	len = diff_below(4) == 0 ? (int)diff_below(40) : (int)diff_below(12);
	if (small && len > 7)
		len = 7;
	for (i = 0; i < len; i++) {
		b = *base < 2 || *base > 36 ? 16 : *base;
		s[n++] = diff_below(8) == 0
		    ? digs[diff_below(62)]
		    : digs[diff_below(
			  b < 10 ? (unsigned)b : 10 + (unsigned)(b - 10))];
	}
	if (diff_below(3) == 0)
		s[n++] = " z.-+9"[diff_below(6)];
	s[n] = '\0';
}

void
diff_strtol(void)
{
	char s[128], in[160], *end;
	int base, k, e;
	long long v;
	unsigned long long u;
	static const char *names[] = { "strtol", "strtoul", "strtoll",
		"strtoull" };

	for (k = 0; k < 4; k++) {
		diff_reseed(100 + k);
		for (long c = 0; c < diff_per; c++) {
			diff_intstr(s, &base, 0);
			/* glibc leaves end alone for a bad base. */
			end = s;
			errno = 0;
			v = 0;
			u = 0;
			switch (k) {
			case 0:
				v = strtol(s, &end, base);
				break;
			case 1:
				u = strtoul(s, &end, base);
				break;
			case 2:
				v = strtoll(s, &end, base);
				break;
			default:
				u = strtoull(s, &end, base);
				break;
			}
			e = errno;
			snprintf(in, sizeof(in), "%d:%s", base, s);
			diff_line(names[k], in, strlen(in));
			if (k & 1)
				printf("%llu end=%d errno=%d\n", u,
				    (int)(end - s), e);
			else
				printf("%lld end=%d errno=%d\n", v,
				    (int)(end - s), e);
		}
	}
}

/* strtod, strtof. */

/*
 * small: at most 7 digits before the point and exponents of +-30 (+-60
 * in binary), which scanf's %f holds (an unrepresentable result is
 * undefined behaviour there).
 */
void
diff_floatstr(char *s, int is_float, int small)
{
	static const char *words[] = { "inf", "INF", "infinity", "Infinity",
		"infinit", "nan", "NaN", "nan(123)", "nan(abc_1)", "nan(",
		"nanx", "in" };
	int n = 0, i, len;

	if (diff_below(3) == 0)
		s[n++] = ' ';
	if (diff_below(2))
		s[n++] = "+-"[diff_below(2)];
	switch (diff_below(10)) {
	case 0:
		n += sprintf(s + n, "%s", words[diff_below(12)]);
		break;
	case 1:
	case 2:
		/* Hexadecimal. */
		s[n++] = '0';
		s[n++] = 'x';
		for (i = diff_below(small ? 7 : 18); i > 0; i--)
			s[n++] = "0123456789abcdefABCDEF"[diff_below(22)];
		if (diff_below(2)) {
			s[n++] = '.';
			for (i = diff_below(18); i > 0; i--)
				s[n++] = "0123456789abcdef"[diff_below(16)];
		}
		if (diff_below(4))
			n += sprintf(s + n, "p%d",
			    small ? (int)diff_below(120) - 60
				  : (int)diff_below(2300) - 1150);
		break;
	default:
		len = diff_below(5) == 0 ? (int)diff_below(60)
					 : 1 + (int)diff_below(20);
		if (small && len > 7)
			len = 7;
		for (i = 0; i < len; i++)
			s[n++] = (char)('0' + diff_below(10));
		if (diff_below(2)) {
			s[n++] = '.';
			for (i = diff_below(20); i > 0; i--)
				s[n++] = (char)('0' + diff_below(10));
		}
		if (diff_below(3))
			n += sprintf(s + n, "%c%d", "eE"[diff_below(2)],
			    small	   ? (int)diff_below(60) - 30
				: is_float ? (int)diff_below(110) - 55
					   : (int)diff_below(700) - 350);
		break;
	}
	if (diff_below(4) == 0)
		s[n++] = "e.x+ p"[diff_below(6)];
	s[n] = '\0';
}

void
diff_strtod(void)
{
	char s[160], *end;
	double d;
	float f;
	int e;

	diff_reseed(200);
	for (long c = 0; c < diff_per; c++) {
		diff_floatstr(s, 0, 0);
		errno = 0;
		end = s;
		d = strtod(s, &end);
		e = errno;
		diff_line("strtod", s, strlen(s));
		printf("%016llx end=%d errno=%d\n",
		    (unsigned long long)diff_dbits(d), (int)(end - s), e);
	}
	diff_reseed(201);
	for (long c = 0; c < diff_per; c++) {
		diff_floatstr(s, 1, 0);
		errno = 0;
		end = s;
		f = strtof(s, &end);
		e = errno;
		diff_line("strtof", s, strlen(s));
		printf("%08lx end=%d errno=%d\n", (unsigned long)diff_fbits(f),
		    (int)(end - s), e);
	}
}
