/*
 * math.c: acosh and acoshl, musl's with the domain checked first.
 *
 * Interface: <math.h>.  musl's acosh.lo and acoshl.lo are taken out of
 * libc.a (libc/musl-drop.txt) for this file.
 *
 * Rules: C11 7.12.5.1: acosh has a domain error for x < 1, and Annex
 * F.10.2.1 makes it a NaN ("invalid").  musl 1.2.3 picks its formula by
 * |x|, so an x below -2 takes the formula of large x and can return a
 * finite number (acosh(-4.5e6) was 7.68: tests/libc/diff found it
 * against glibc).  Here x < 1 (and a NaN) returns a NaN at once; x >= 1
 * takes musl's formulas unchanged.
 */
#include <math.h>

double
acosh(double x)
{
	if (!(x >= 1))
		return (x - x) / (x - x);
	if (x < 2)
		/* Up to 2 ulps in [1, 1.125] (musl's note). */
		return log1p(x - 1 + sqrt((x - 1) * (x - 1) + 2 * (x - 1)));
	if (x < 0x1p26)
		return log(2 * x - 1 / (x + sqrt(x * x - 1)));
	/* Large, or infinite. */
	return log(x) + 0.693147180559945309417232121458176568;
}

long double
acoshl(long double x)
{
	if (!(x >= 1))
		return (x - x) / (x - x);
	if (x < 2)
		return log1pl(x - 1 + sqrtl((x - 1) * (x - 1) + 2 * (x - 1)));
	if (x < 0x1p32L)
		return logl(2 * x - 1 / (x + sqrtl(x * x - 1)));
	return logl(x) + 0.693147180559945309417232121458176568L;
}
