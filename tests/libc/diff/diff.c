/*
 * diff.c: the differential oracle of the C library's pure functions.
 *
 * One source (this folder), built twice: with the host's compiler and glibc
 * (out/tests/libc/diff-glibc), and as a C environment program
 * (out/tests/libc/diff, diff.elf).  Both print the same cases from the
 * same seeds; tests/libc/diff.sh runs them and tests/libc/diffcmp.py
 * compares the outputs line by line.
 *
 * usage: diff [COUNT]   (COUNT cases per group, 2000 by default)
 *
 * Each case is one line: "D", group, input, output, separated by tabs,
 * bytes outside printable ASCII (and tab and backslash) written as \xHH.
 * Math groups ("m:NAME") print the bits of their arguments and result in
 * hex so that the comparison can count ulps.  The last line is
 * "D-END N": N cases.  Each group of cases is a file of this folder
 * (diff.h).
 *
 * Rules: inputs come from a splitmix64 of its own, not from rand(); the
 * few library calls that shape them (sprintf of integers, ldexp, floor,
 * powers of ten) must agree on both sides, or diffcmp.py finds the two
 * outputs out of step and fails; what the C standard leaves to the
 * implementation is either not generated or marked by its group for the
 * comparison (diffcmp.py says which and why): %p is checked by reading
 * it back on each side, %a of a subnormal by its value.
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

static uint64_t seed;
long diff_ncases;
long diff_per;

uint64_t
diff_rnd(void)
{
	uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n). */
unsigned
diff_below(unsigned n)
{
	return (unsigned)(diff_rnd() % n);
}

void
diff_reseed(uint64_t s)
{
	seed = s * 0x2545f4914f6cdd1dULL + 1;
}

/* Writes s (n bytes) with the bytes a line cannot hold escaped. */
void
diff_put_esc(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

void
diff_line(const char *group, const char *in, size_t inlen)
{
	printf("D\t%s\t", group);
	diff_put_esc(in, inlen);
	putchar('\t');
	diff_ncases++;
}

uint64_t
diff_dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

double
diff_bitsd(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

uint32_t
diff_fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* A random double: any bit pattern, or one of the usual suspects. */
double
diff_any_double(void)
{
	static const double special[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 2.0,
		INFINITY, -INFINITY, NAN, DBL_MAX, -DBL_MAX, DBL_MIN,
		DBL_TRUE_MIN, -DBL_TRUE_MIN, 1e22, 1e23, 0.1, 1.0 / 3,
		9007199254740993.0, 123456789012345678.0 };

	switch (diff_below(4)) {
	case 0:
		return special[diff_below(
		    sizeof(special) / sizeof(special[0]))];
	case 1:
		return diff_bitsd(diff_rnd());
	case 2:
		/* Few decimal digits: ties and short expansions. */
		return (double)((int64_t)(diff_rnd() % 200001) - 100000) /
		    (double)(1u << diff_below(12)) *
		    pow(10, (int)diff_below(40) - 20);
	default:
		return ldexp((double)(diff_rnd() >> 11) / 9007199254740992.0,
			   (int)diff_below(160) - 80) *
		    (diff_below(2) ? -1 : 1);
	}
}

int
main(int argc, char **argv)
{
	static char buf[1 << 16];
	static void (*const gens[])(void) = { diff_strtol, diff_strtod,
		diff_printf_int, diff_printf_float, diff_printf_str, diff_scanf,
		diff_qsort, diff_time, diff_math };
	size_t g;

	diff_per = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	if (diff_per <= 0)
		diff_per = 2000;
	/* Lines for a program, not a person: written in large pieces. */
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	for (g = 0; g < sizeof(gens) / sizeof(gens[0]); g++)
		gens[g]();
	printf("D-END %ld\n", diff_ncases);
	fflush(stdout);
	return 0;
}
