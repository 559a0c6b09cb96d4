/*
 * strtod.c: strtof, strtod and strtold, musl's with overflow reported.
 *
 * Interface: <stdlib.h>.  musl's strtod.lo is taken out of libc.a
 * (libc/musl-drop.txt) for this file, which scans the same way
 * (__floatscan).
 *
 * Rules: C11 7.22.1.3p10: a value that overflows gives HUGE_VAL with
 * the sign and sets errno to ERANGE.  musl's scanner rounds a
 * hexadecimal subject to the type's precision but in the range of long
 * double, so a value above the type's largest only becomes infinite
 * when narrowed, after the scanner has checked; tests/libc/diff found
 * it against glibc.  An infinite result of a subject that does not
 * spell an infinity is that overflow.  Underflow keeps musl's errno
 * (whether it is set is implementation-defined).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "floatscan.h"
#include "shgetc.h"
#include "stdio_impl.h"

static long double
scan(const char *s, char **p, int prec)
{
	FILE f;
	long double y;
	off_t cnt;

	sh_fromstring(&f, s);
	shlim(&f, 0);
	y = __floatscan(&f, prec, 1);
	cnt = shcnt(&f);
	if (p != NULL)
		*p = cnt ? (char *)s + cnt : (char *)s;
	return y;
}

/* Whether the subject of s spells an infinity ("inf", "infinity"). */
static int
spells_inf(const char *s)
{
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '+' || *s == '-')
		s++;
	return *s == 'i' || *s == 'I';
}

float
strtof(const char *restrict s, char **restrict p)
{
	float r = scan(s, p, 0);

	if (isinf(r) && !spells_inf(s))
		errno = ERANGE;
	return r;
}

double
strtod(const char *restrict s, char **restrict p)
{
	double r = scan(s, p, 1);

	if (isinf(r) && !spells_inf(s))
		errno = ERANGE;
	return r;
}

long double
strtold(const char *restrict s, char **restrict p)
{
	long double r = scan(s, p, 2);

	if (isinf(r) && !spells_inf(s))
		errno = ERANGE;
	return r;
}
