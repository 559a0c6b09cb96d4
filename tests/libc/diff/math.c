/*
 * math.c: the C99 math functions, their results as bits.
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

/* The C99 math functions. */

struct fn1 {
	const char *name;
	double (*f)(double);
	double lo, hi; /* where most arguments fall */
};

struct fn2 {
	const char *name;
	double (*f)(double, double);
	double lo, hi;
};

static const struct fn1 fn1s[] = {
	{ "exp", exp, -750, 750 },
	{ "exp2", exp2, -1100, 1100 },
	{ "expm1", expm1, -50, 50 },
	{ "log", log, 0, 1e6 },
	{ "log2", log2, 0, 1e6 },
	{ "log10", log10, 0, 1e6 },
	{ "log1p", log1p, -1, 10 },
	{ "sin", sin, -10, 10 },
	{ "cos", cos, -10, 10 },
	{ "tan", tan, -10, 10 },
	{ "asin", asin, -1, 1 },
	{ "acos", acos, -1, 1 },
	{ "atan", atan, -100, 100 },
	{ "sinh", sinh, -30, 30 },
	{ "cosh", cosh, -30, 30 },
	{ "tanh", tanh, -10, 10 },
	{ "asinh", asinh, -100, 100 },
	{ "acosh", acosh, 1, 100 },
	{ "atanh", atanh, -1, 1 },
	{ "sqrt", sqrt, 0, 1e6 },
	{ "cbrt", cbrt, -1e6, 1e6 },
	{ "erf", erf, -6, 6 },
	{ "erfc", erfc, -6, 30 },
	{ "tgamma", tgamma, -20, 30 },
	{ "lgamma", lgamma, -20, 100 },
	{ "floor", floor, -1e6, 1e6 },
	{ "ceil", ceil, -1e6, 1e6 },
	{ "round", round, -1e6, 1e6 },
	{ "trunc", trunc, -1e6, 1e6 },
	{ "rint", rint, -1e6, 1e6 },
	{ "nearbyint", nearbyint, -1e6, 1e6 },
	{ "logb", logb, -1e6, 1e6 },
};

static const struct fn2 fn2s[] = {
	{ "pow", pow, -20, 20 },
	{ "atan2", atan2, -10, 10 },
	{ "hypot", hypot, -1e6, 1e6 },
	{ "fmod", fmod, -1e3, 1e3 },
	{ "remainder", remainder, -1e3, 1e3 },
	{ "fmin", fmin, -10, 10 },
	{ "fmax", fmax, -10, 10 },
	{ "fdim", fdim, -10, 10 },
	{ "copysign", copysign, -10, 10 },
	{ "nextafter", nextafter, -10, 10 },
};

struct fnf {
	const char *name;
	float (*f)(float);
	float lo, hi;
};

static const struct fnf fnfs[] = {
	{ "expf", expf, -100, 100 },
	{ "logf", logf, 0, 1e6 },
	{ "sinf", sinf, -10, 10 },
	{ "cosf", cosf, -10, 10 },
	{ "tanf", tanf, -10, 10 },
	{ "sqrtf", sqrtf, 0, 1e6 },
	{ "cbrtf", cbrtf, -1e6, 1e6 },
	{ "atanf", atanf, -100, 100 },
};

static double
arg_in(double lo, double hi)
{
	double u = (double)(diff_rnd() >> 11) / 9007199254740992.0;

	switch (diff_below(8)) {
	case 0:
	case 1:
		return diff_any_double();
	case 2:
		/* Integers and halves: exact cases and ties. */
		return floor(lo + (hi - lo) * u) + (diff_below(2) ? 0.5 : 0);
	default:
		return lo + (hi - lo) * u;
	}
}

void
diff_math(void)
{
	char name[32];
	size_t k;
	double x, y;
	float xf;
	unsigned j;

	for (k = 0; k < sizeof(fn1s) / sizeof(fn1s[0]); k++) {
		diff_reseed(900 + k);
		snprintf(name, sizeof(name), "m:%s", fn1s[k].name);
		for (long c = 0; c < diff_per; c++) {
			x = arg_in(fn1s[k].lo, fn1s[k].hi);
			/* Sometimes far away: large arguments of sin. */
			if (diff_below(16) == 0)
				x = ldexp(x, (int)diff_below(900));
			printf("D\t%s\t%016llx\t%016llx\n", name,
			    (unsigned long long)diff_dbits(x),
			    (unsigned long long)diff_dbits(fn1s[k].f(x)));
			diff_ncases++;
		}
	}
	for (k = 0; k < sizeof(fn2s) / sizeof(fn2s[0]); k++) {
		diff_reseed(950 + k);
		snprintf(name, sizeof(name), "m:%s", fn2s[k].name);
		for (long c = 0; c < diff_per; c++) {
			x = arg_in(fn2s[k].lo, fn2s[k].hi);
			y = arg_in(fn2s[k].lo, fn2s[k].hi);
			j = diff_below(8);
			if (k == 0 && j == 0)
				y = floor(y); /* pow of negatives */
			if (j == 1)
				y = x;
			printf("D\t%s\t%016llx,%016llx\t%016llx\n", name,
			    (unsigned long long)diff_dbits(x),
			    (unsigned long long)diff_dbits(y),
			    (unsigned long long)diff_dbits(fn2s[k].f(x, y)));
			diff_ncases++;
		}
	}
	for (k = 0; k < sizeof(fnfs) / sizeof(fnfs[0]); k++) {
		diff_reseed(980 + k);
		snprintf(name, sizeof(name), "m:%s", fnfs[k].name);
		for (long c = 0; c < diff_per; c++) {
			xf = (float)arg_in(fnfs[k].lo, fnfs[k].hi);
			printf("D\t%s\t%08lx\t%08lx\n", name,
			    (unsigned long)diff_fbits(xf),
			    (unsigned long)diff_fbits(fnfs[k].f(xf)));
			diff_ncases++;
		}
	}
}
