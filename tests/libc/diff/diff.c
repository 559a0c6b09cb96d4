/*
 * diff.c: the differential oracle of the C library's pure functions.
 *
 * One source, built twice: with the host's compiler and glibc
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
 * "D-END N": N cases.
 *
 * Rules: no input comes from the C library under test (the generator
 * is a splitmix64 of its own); what the C standard leaves to the
 * implementation is either not generated or marked by its group for the
 * comparison (diffcmp.py says which and why): %p is checked by reading
 * it back on each side, %a of a subnormal by its value.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t seed;
static long ncases; /* lines printed */
static long per;    /* cases per group */

static uint64_t
rnd(void)
{
	uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n). */
static unsigned
below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void
reseed(uint64_t s)
{
	seed = s * 0x2545f4914f6cdd1dULL + 1;
}

/* Writes s (n bytes) with the bytes a line cannot hold escaped. */
static void
put_esc(const char *s, size_t n)
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

static void
line_start(const char *group, const char *in, size_t inlen)
{
	printf("D\t%s\t", group);
	put_esc(in, inlen);
	putchar('\t');
	ncases++;
}

static uint64_t
dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static double
bitsd(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static uint32_t
fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/* A random double: any bit pattern, or one of the usual suspects. */
static double
any_double(void)
{
	static const double special[] = { 0.0, -0.0, 1.0, -1.0, 0.5, 2.0,
		INFINITY, -INFINITY, NAN, DBL_MAX, -DBL_MAX, DBL_MIN,
		DBL_TRUE_MIN, -DBL_TRUE_MIN, 1e22, 1e23, 0.1, 1.0 / 3,
		9007199254740993.0, 123456789012345678.0 };

	switch (below(4)) {
	case 0:
		return special[below(sizeof(special) / sizeof(special[0]))];
	case 1:
		return bitsd(rnd());
	case 2:
		/* Few decimal digits: ties and short expansions. */
		return (double)((int64_t)(rnd() % 200001) - 100000) /
		    (double)(1u << below(12)) * pow(10, (int)below(40) - 20);
	default:
		return ldexp((double)(rnd() >> 11) / 9007199254740992.0,
			   (int)below(160) - 80) *
		    (below(2) ? -1 : 1);
	}
}

/* strtol, strtoul, strtoll, strtoull. */

/* small: at most 7 digits, which scanf's %d and %x hold. */
static void
rand_intstr(char *s, int *base, int small)
{
	static const char digs[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const int bases[] = { 0, 0, 0, 2, 8, 10, 10, 16, 16, 36, 1, 37 };
	int n = 0, len, i, b;

	b = bases[below(sizeof(bases) / sizeof(bases[0]))];
	if (below(4) == 0)
		b = 2 + (int)below(35);
	*base = b;
	for (i = below(3); i > 0; i--)
		s[n++] = " \t\n\v\f\r"[below(6)];
	if (below(2))
		s[n++] = "+-"[below(2)];
	switch (below(5)) {
	case 0:
		s[n++] = '0';
		s[n++] = below(2) ? 'x' : 'X';
		break;
	case 1:
		s[n++] = '0';
		break;
	}
	len = below(4) == 0 ? (int)below(40) : (int)below(12);
	if (small && len > 7)
		len = 7;
	for (i = 0; i < len; i++) {
		b = *base < 2 || *base > 36 ? 16 : *base;
		s[n++] = below(8) == 0
		    ? digs[below(62)]
		    : digs[below(
			  b < 10 ? (unsigned)b : 10 + (unsigned)(b - 10))];
	}
	if (below(3) == 0)
		s[n++] = " z.-+9"[below(6)];
	s[n] = '\0';
}

static void
gen_strtol(void)
{
	char s[128], in[160], *end;
	int base, k, e;
	long long v;
	unsigned long long u;
	static const char *names[] = { "strtol", "strtoul", "strtoll",
		"strtoull" };

	for (k = 0; k < 4; k++) {
		reseed(100 + k);
		for (long c = 0; c < per; c++) {
			rand_intstr(s, &base, 0);
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
			line_start(names[k], in, strlen(in));
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
static void
rand_floatstr(char *s, int is_float, int small)
{
	static const char *words[] = { "inf", "INF", "infinity", "Infinity",
		"infinit", "nan", "NaN", "nan(123)", "nan(abc_1)", "nan(",
		"nanx", "in" };
	int n = 0, i, len;

	if (below(3) == 0)
		s[n++] = ' ';
	if (below(2))
		s[n++] = "+-"[below(2)];
	switch (below(10)) {
	case 0:
		n += sprintf(s + n, "%s", words[below(12)]);
		break;
	case 1:
	case 2:
		/* Hexadecimal. */
		s[n++] = '0';
		s[n++] = 'x';
		for (i = below(small ? 7 : 18); i > 0; i--)
			s[n++] = "0123456789abcdefABCDEF"[below(22)];
		if (below(2)) {
			s[n++] = '.';
			for (i = below(18); i > 0; i--)
				s[n++] = "0123456789abcdef"[below(16)];
		}
		if (below(4))
			n += sprintf(s + n, "p%d",
			    small ? (int)below(120) - 60
				  : (int)below(2300) - 1150);
		break;
	default:
		len = below(5) == 0 ? (int)below(60) : 1 + (int)below(20);
		if (small && len > 7)
			len = 7;
		for (i = 0; i < len; i++)
			s[n++] = (char)('0' + below(10));
		if (below(2)) {
			s[n++] = '.';
			for (i = below(20); i > 0; i--)
				s[n++] = (char)('0' + below(10));
		}
		if (below(3))
			n += sprintf(s + n, "%c%d", "eE"[below(2)],
			    small	   ? (int)below(60) - 30
				: is_float ? (int)below(110) - 55
					   : (int)below(700) - 350);
		break;
	}
	if (below(4) == 0)
		s[n++] = "e.x+ p"[below(6)];
	s[n] = '\0';
}

static void
gen_strtod(void)
{
	char s[160], *end;
	double d;
	float f;
	int e;

	reseed(200);
	for (long c = 0; c < per; c++) {
		rand_floatstr(s, 0, 0);
		errno = 0;
		end = s;
		d = strtod(s, &end);
		e = errno;
		line_start("strtod", s, strlen(s));
		printf("%016llx end=%d errno=%d\n",
		    (unsigned long long)dbits(d), (int)(end - s), e);
	}
	reseed(201);
	for (long c = 0; c < per; c++) {
		rand_floatstr(s, 1, 0);
		errno = 0;
		end = s;
		f = strtof(s, &end);
		e = errno;
		line_start("strtof", s, strlen(s));
		printf("%08lx end=%d errno=%d\n", (unsigned long)fbits(f),
		    (int)(end - s), e);
	}
}

/* printf. */

static void
rand_spec(char *fmt, char conv, int *star_w, int *star_p, int *w, int *p)
{
	int n = 0, i;

	fmt[n++] = '%';
	for (i = below(3); i > 0; i--)
		fmt[n++] = "-+ #0"[below(5)];
	*star_w = *star_p = 0;
	switch (below(5)) {
	case 0:
		fmt[n++] = '*';
		*star_w = 1;
		*w = (int)below(50) - 15;
		break;
	case 1:
	case 2:
		n += sprintf(fmt + n, "%u", below(40));
		break;
	}
	switch (below(5)) {
	case 0:
		fmt[n++] = '.';
		fmt[n++] = '*';
		*star_p = 1;
		*p = (int)below(50) - 5;
		break;
	case 1:
		fmt[n++] = '.';
		break;
	case 2:
	case 3:
		n += sprintf(fmt + n, ".%u", below(below(4) ? 20 : 120));
		break;
	}
	fmt[n] = conv;
	fmt[n + 1] = '\0';
}

/* Prints one snprintf case: format, arguments, result and length. */
static void
show_printf(const char *group, const char *fmt, const char *args,
    const char *out, int len, size_t size)
{
	char in[256];

	snprintf(in, sizeof(in), "%s %s size=%zu", fmt, args, size);
	line_start(group, in, strlen(in));
	put_esc(out, strlen(out));
	printf("\tret=%d\n", len);
}

/* A signed length modifier ("", hh, h, l, ll, z, j, t) and a value. */
static void
int_case(char *fmt, char conv, char *args, char *out, size_t size, int *r)
{
	static const char *mods[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };
	char spec[64], tmp[64];
	int sw, sp, w = 0, p = 0, m = below(8), sh;
	long long v = (long long)rnd();

	sh = below(64);
	v >>= sh;
	rand_spec(spec, conv, &sw, &sp, &w, &p);
	spec[strlen(spec) - 1] = '\0';
	snprintf(fmt, 64, "%s%s%c", spec, mods[m], conv);
	snprintf(tmp, sizeof(tmp), "v=%lld", v);
	if (sw || sp)
		snprintf(args, 96, "%s w=%d p=%d", tmp, w, p);
	else
		snprintf(args, 96, "%s", tmp);
#define CALL(T)                                                                \
	do {                                                                   \
		if (sw && sp)                                                  \
			*r = snprintf(out, size, fmt, w, p, (T)v);             \
		else if (sw)                                                   \
			*r = snprintf(out, size, fmt, w, (T)v);                \
		else if (sp)                                                   \
			*r = snprintf(out, size, fmt, p, (T)v);                \
		else                                                           \
			*r = snprintf(out, size, fmt, (T)v);                   \
	} while (0)
	switch (m) {
	case 0:
	case 1:
	case 2:
		CALL(int);
		break;
	case 3:
		CALL(long);
		break;
	case 4:
		CALL(long long);
		break;
	case 5:
		CALL(size_t);
		break;
	case 6:
		CALL(intmax_t);
		break;
	default:
		CALL(ptrdiff_t);
		break;
	}
}

static void
gen_printf_int(void)
{
	static const char convs[] = "diuxXoc";
	char fmt[64], args[96], out[600], name[16];
	size_t size;
	int r, k;

	for (k = 0; convs[k] != '\0'; k++) {
		reseed(300 + k);
		snprintf(name, sizeof(name), "printf:%c", convs[k]);
		for (long c = 0; c < per; c++) {
			size = below(8) == 0 ? below(12) : sizeof(out);
			memset(out, 0, sizeof(out));
			if (convs[k] == 'c') {
				char spec[64];
				int sw, sp, w = 0, p = 0,
					    v = 1 + (int)below(255);

				rand_spec(spec, 'c', &sw, &sp, &w, &p);
				/* A precision means nothing to %c (UB). */
				if (sp)
					continue;
				snprintf(fmt, sizeof(fmt), "%s", spec);
				snprintf(args, sizeof(args), "v=%d w=%d", v, w);
				r = sw ? snprintf(out, size, fmt, w, v)
				       : snprintf(out, size, fmt, v);
			} else
				int_case(fmt, convs[k], args, out, size, &r);
			show_printf(name, fmt, args, out, r, size);
		}
	}
}

static void
gen_printf_float(void)
{
	static const char convs[] = "eEfFgGaA";
	char fmt[64], args[96], out[1200], name[16];
	int r, k, sw, sp, w = 0, p = 0;
	double v;

	for (k = 0; convs[k] != '\0'; k++) {
		reseed(400 + k);
		for (long c = 0; c < per; c++) {
			v = any_double();
			rand_spec(fmt, convs[k], &sw, &sp, &w, &p);
			snprintf(name, sizeof(name), "printf:%c", convs[k]);
			/*
			 * The digit before the point of a subnormal's %a is
			 * unspecified (C11 7.21.6.1): compared by value, with
			 * no precision (which would round different digits).
			 */
			if ((convs[k] == 'a' || convs[k] == 'A') &&
			    fpclassify(v) == FP_SUBNORMAL) {
				snprintf(fmt, sizeof(fmt), "%%%c", convs[k]);
				sw = sp = 0;
				snprintf(name, sizeof(name), "printf:%c-sub",
				    convs[k]);
			}
			snprintf(args, sizeof(args), "v=%016llx w=%d p=%d",
			    (unsigned long long)dbits(v), w, p);
			if (sw && sp)
				r = snprintf(out, sizeof(out), fmt, w, p, v);
			else if (sw)
				r = snprintf(out, sizeof(out), fmt, w, v);
			else if (sp)
				r = snprintf(out, sizeof(out), fmt, p, v);
			else
				r = snprintf(out, sizeof(out), fmt, v);
			show_printf(name, fmt, args, out, r, sizeof(out));
		}
	}
}

static void
gen_printf_str(void)
{
	char fmt[64], args[96], out[200], s[40], spec[64];
	int r, sw, sp, w = 0, p = 0, n, i;
	void *ptr;
	unsigned long long back;

	reseed(500);
	for (long c = 0; c < per; c++) {
		n = below(30);
		for (i = 0; i < n; i++)
			s[i] = (char)(1 + below(255));
		s[n] = '\0';
		rand_spec(fmt, 's', &sw, &sp, &w, &p);
		snprintf(args, sizeof(args), "w=%d p=%d s=", w, p);
		if (sw && sp)
			r = snprintf(out, sizeof(out), fmt, w, p, s);
		else if (sw)
			r = snprintf(out, sizeof(out), fmt, w, s);
		else if (sp)
			r = snprintf(out, sizeof(out), fmt, p, s);
		else
			r = snprintf(out, sizeof(out), fmt, s);
		line_start("printf:s", fmt, strlen(fmt));
		put_esc(args, strlen(args));
		put_esc(s, (size_t)n);
		putchar('\t');
		put_esc(out, strlen(out));
		printf("\tret=%d\n", r);
	}
	/*
	 * %p's text is the implementation's (C11 7.21.6.1): each side reads
	 * back what it wrote and the width is honoured.
	 */
	reseed(501);
	for (long c = 0; c < per; c++) {
		ptr = (void *)(uintptr_t)(rnd() >> below(64));
		if (ptr == NULL)
			ptr = (void *)1;
		w = below(30);
		snprintf(spec, sizeof(spec), below(2) ? "%%%dp" : "%%-%dp", w);
		r = snprintf(out, sizeof(out), spec, ptr);
		back = 0;
		if (sscanf(out, "%llx", &back) != 1)
			back = 0;
		line_start("printf:p", spec, strlen(spec));
		printf("%s\n",
		    back == (uintptr_t)ptr && r >= w && (size_t)r == strlen(out)
			? "reads back"
			: out);
	}
}

/* scanf. */

static void
gen_scanf(void)
{
	static const char *fmts[] = { "%d", "%3d", "%i", "%x", "%o", "%u",
		"%ld", "%lli", "%lx%n", "%d%n%d", "%f", "%lf", "%le", "%lg",
		"%5lf", "%La", "%s", "%5s", "%c", "%2c", "%[a-z]", "%[^,]",
		"%[0-9a-f]%n", "%d,%d", "%s %f", "x%dy", "%d %d %d", " %lf%n",
		"%*d%d", "%2s%3d%lf" };
	char in[200], s1[200], s2[200], tmp[200], out[600];
	int k, i, n, r, i1, i2, i3, nn;
	long long ll;
	double d;
	float f;
	long double ld;

	reseed(600);
	for (long c = 0; c < per * 4; c++) {
		k = below(sizeof(fmts) / sizeof(fmts[0]));
		n = 0;
		for (i = below(3); i > 0; i--) {
			if (below(2))
				rand_intstr(tmp, &r, 1);
			else
				rand_floatstr(tmp, 0, 1);
			n += snprintf(in + n, sizeof(in) - (size_t)n, "%s%s",
			    tmp, below(2) ? " " : ",");
		}
		if (below(4) == 0)
			n += snprintf(in + n, sizeof(in) - (size_t)n, "x%dy",
			    (int)below(100));
		i1 = i2 = i3 = nn = -7;
		ll = -7;
		d = -7;
		f = -7;
		ld = -7;
		memset(s1, 'Q', sizeof(s1));
		memset(s2, 'Q', sizeof(s2));
		s1[20] = s2[20] = '\0';
		const char *fm = fmts[k];
		if (!strcmp(fm, "%ld") || !strcmp(fm, "%lli") ||
		    !strcmp(fm, "%lx%n")) {
			long lv = -7;

			if (fm[1] == 'l' && fm[2] == 'l')
				r = sscanf(in, fm, &ll);
			else if (fm[2] == 'x')
				r = sscanf(in, fm, (unsigned long *)&lv, &nn);
			else
				r = sscanf(in, fm, &lv);
			if (fm[2] != 'l')
				ll = lv;
		} else if (!strcmp(fm, "%f"))
			r = sscanf(in, fm, &f);
		else if (!strcmp(fm, "%La"))
			r = sscanf(in, fm, &ld);
		else if (fm[1] == 'l' || fm[2] == 'l' || !strcmp(fm, " %lf%n"))
			r = sscanf(in, fm, &d, &nn);
		else if (!strcmp(fm, "%s %f"))
			r = sscanf(in, fm, s1, &f);
		else if (!strcmp(fm, "%2s%3d%lf"))
			r = sscanf(in, fm, s1, &i1, &d);
		else if (strchr(fm, 's') || strchr(fm, 'c') || strchr(fm, '['))
			r = sscanf(in, fm, s1, &nn);
		else
			r = sscanf(in, fm, &i1, &i2, &i3);
		if (!strcmp(fm, "%d%n%d"))
			r = sscanf(in, fm, &i1, &nn, &i2);
		snprintf(out, sizeof(out),
		    "r=%d i=%d,%d,%d n=%d ll=%lld d=%016llx f=%08lx "
		    "ld=%.21Lg s=",
		    r, i1, i2, i3, nn, ll, (unsigned long long)dbits(d),
		    (unsigned long)fbits(f), ld);
		snprintf(tmp, sizeof(tmp), "%s|%s", fm, in);
		line_start("scanf", tmp, strlen(tmp));
		put_esc(out, strlen(out));
		put_esc(s1, strnlen(s1, 40));
		putchar('\n');
	}
}

/* qsort. */

struct rec {
	uint32_t key;
	uint32_t payload[3];
};

static int
cmp_u8(const void *a, const void *b)
{
	return *(const uint8_t *)a - *(const uint8_t *)b;
}

static int
cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_rec(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct rec));
}

static void
gen_qsort(void)
{
	static union {
		uint8_t u8[2048];
		int32_t i32[2048];
		struct rec r[2048];
	} a;
	size_t n, i, size;
	unsigned k;
	uint64_t h;
	char in[64];

	reseed(700);
	for (long c = 0; c < per / 4 + 1; c++) {
		k = below(3);
		n = below(8) == 0 ? below(2048) : below(64);
		size = k == 0 ? 1 : k == 1 ? 4 : sizeof(struct rec);
		for (i = 0; i < n * size; i++)
			((uint8_t *)&a)[i] =
			    (uint8_t)(below(4) == 0 ? 0
						    : rnd() >> (56 + below(8)));
		/* Some already sorted or reversed inputs. */
		if (below(8) == 0 && k == 1)
			for (i = 0; i < n; i++)
				a.i32[i] = (int32_t)(below(2) ? i : n - i);
		qsort(&a, n, size,
		    k == 0	 ? cmp_u8
			: k == 1 ? cmp_i32
				 : cmp_rec);
		h = 1469598103934665603ULL;
		for (i = 0; i < n * size; i++)
			h = (h ^ ((uint8_t *)&a)[i]) * 1099511628211ULL;
		snprintf(in, sizeof(in), "case=%ld n=%zu size=%zu", c, n, size);
		line_start("qsort", in, strlen(in));
		printf("%016llx", (unsigned long long)h);
		for (i = 0; i < n && i < 6; i++)
			printf(" %d",
			    k == 0	 ? a.u8[i]
				: k == 1 ? a.i32[i]
					 : (int)a.r[i].key);
		putchar('\n');
	}
}

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
	switch (below(4)) {
	case 0:
		return (time_t)(rnd() % 4102444800ULL);
	case 1:
		/* Years 1000 to 9999. */
		return (time_t)(rnd() % 283752000000ULL) - 30610224000LL;
	case 2:
		return (time_t)((int64_t)(rnd() % 200000000ULL) - 100000000);
	default:
		/* Around the end of a year. */
		return (time_t)(365 * 86400LL * below(200) +
		    (int)below(8 * 86400) - 4 * 86400);
	}
}

static void
gen_time(void)
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
	reseed(800);
	for (long c = 0; c < per; c++) {
		t = rand_time();
		snprintf(in, sizeof(in), "%lld", (long long)t);
		line_start("gmtime_r", in, strlen(in));
		if (gmtime_r(&t, &tm) == NULL)
			printf("NULL\n");
		else {
			put_tm(&tm);
			putchar('\n');
		}
	}
	reseed(801);
	for (long c = 0; c < per; c++) {
		t = rand_time();
		localtime_r(&t, &tm);
		n = 0;
		for (i = 1 + below(6); i > 0; i--) {
			fmt[n++] = '%';
			if (below(8) == 0)
				n += sprintf(fmt + n, "%s",
				    mods[below(
					sizeof(mods) / sizeof(mods[0]))]);
			else
				fmt[n++] = convs[below(sizeof(convs) - 1)];
			if (below(3) == 0)
				fmt[n++] = " ,-:x"[below(5)];
		}
		fmt[n] = '\0';
		len = strftime(
		    out, below(10) == 0 ? below(20) : sizeof(out), fmt, &tm);
		snprintf(in, sizeof(in), "%lld %s", (long long)t, fmt);
		line_start("strftime", in, strlen(in));
		if (len == 0)
			printf("0\n");
		else {
			put_esc(out, len);
			printf("\tlen=%zu\n", len);
		}
	}
	reseed(802);
	for (long c = 0; c < per; c++) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = (int)below(300) - 100 +
		    (below(8) == 0 ? (int)below(8000) : 0);
		tm.tm_mon = (int)below(12) +
		    (below(4) == 0 ? (int)below(200) - 100 : 0);
		tm.tm_mday = 1 + (int)below(28) +
		    (below(4) == 0 ? (int)below(2000) - 1000 : 0);
		tm.tm_hour = (int)below(24) +
		    (below(4) == 0 ? (int)below(2000) - 1000 : 0);
		tm.tm_min = (int)below(60) +
		    (below(4) == 0 ? (int)below(20000) - 10000 : 0);
		tm.tm_sec = (int)below(61) +
		    (below(4) == 0 ? (int)below(200000) - 100000 : 0);
		tm.tm_isdst = 0;
		tm.tm_wday = tm.tm_yday = 99;
		tm2 = tm;
		snprintf(in, sizeof(in), "%d-%d-%d %d:%d:%d", tm.tm_year,
		    tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		r = below(2) ? mktime(&tm) : (tm = tm2, timegm(&tm));
		line_start("mktime", in, strlen(in));
		printf("%lld ", (long long)r);
		put_tm(&tm);
		putchar('\n');
	}
}

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
	double u = (double)(rnd() >> 11) / 9007199254740992.0;

	switch (below(8)) {
	case 0:
	case 1:
		return any_double();
	case 2:
		/* Integers and halves: exact cases and ties. */
		return floor(lo + (hi - lo) * u) + (below(2) ? 0.5 : 0);
	default:
		return lo + (hi - lo) * u;
	}
}

static void
gen_math(void)
{
	char name[32];
	size_t k;
	double x, y;
	float xf;
	unsigned j;

	for (k = 0; k < sizeof(fn1s) / sizeof(fn1s[0]); k++) {
		reseed(900 + k);
		snprintf(name, sizeof(name), "m:%s", fn1s[k].name);
		for (long c = 0; c < per; c++) {
			x = arg_in(fn1s[k].lo, fn1s[k].hi);
			/* Sometimes far away: large arguments of sin. */
			if (below(16) == 0)
				x = ldexp(x, (int)below(900));
			printf("D\t%s\t%016llx\t%016llx\n", name,
			    (unsigned long long)dbits(x),
			    (unsigned long long)dbits(fn1s[k].f(x)));
			ncases++;
		}
	}
	for (k = 0; k < sizeof(fn2s) / sizeof(fn2s[0]); k++) {
		reseed(950 + k);
		snprintf(name, sizeof(name), "m:%s", fn2s[k].name);
		for (long c = 0; c < per; c++) {
			x = arg_in(fn2s[k].lo, fn2s[k].hi);
			y = arg_in(fn2s[k].lo, fn2s[k].hi);
			j = below(8);
			if (k == 0 && j == 0)
				y = floor(y); /* pow of negatives */
			if (j == 1)
				y = x;
			printf("D\t%s\t%016llx,%016llx\t%016llx\n", name,
			    (unsigned long long)dbits(x),
			    (unsigned long long)dbits(y),
			    (unsigned long long)dbits(fn2s[k].f(x, y)));
			ncases++;
		}
	}
	for (k = 0; k < sizeof(fnfs) / sizeof(fnfs[0]); k++) {
		reseed(980 + k);
		snprintf(name, sizeof(name), "m:%s", fnfs[k].name);
		for (long c = 0; c < per; c++) {
			xf = (float)arg_in(fnfs[k].lo, fnfs[k].hi);
			printf("D\t%s\t%08lx\t%08lx\n", name,
			    (unsigned long)fbits(xf),
			    (unsigned long)fbits(fnfs[k].f(xf)));
			ncases++;
		}
	}
}

int
main(int argc, char **argv)
{
	static char buf[1 << 16];
	static void (*const gens[])(void) = { gen_strtol, gen_strtod,
		gen_printf_int, gen_printf_float, gen_printf_str, gen_scanf,
		gen_qsort, gen_time, gen_math };
	size_t g;

	per = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	if (per <= 0)
		per = 2000;
	/* Lines for a program, not a person: written in large pieces. */
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	for (g = 0; g < sizeof(gens) / sizeof(gens[0]); g++)
		gens[g]();
	printf("D-END %ld\n", ncases);
	fflush(stdout);
	return 0;
}
