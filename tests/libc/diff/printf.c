/*
 * printf.c: the printf conversions through snprintf.
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

/* printf. */

static void
rand_spec(char *fmt, char conv, int *star_w, int *star_p, int *w, int *p)
{
	int n = 0, i;

	fmt[n++] = '%';
	for (i = diff_below(3); i > 0; i--)
		fmt[n++] = "-+ #0"[diff_below(5)];
	*star_w = *star_p = 0;
	switch (diff_below(5)) {
	case 0:
		fmt[n++] = '*';
		*star_w = 1;
		*w = (int)diff_below(50) - 15;
		break;
	case 1:
	case 2:
		n += sprintf(fmt + n, "%u", diff_below(40));
		break;
	}
	switch (diff_below(5)) {
	case 0:
		fmt[n++] = '.';
		fmt[n++] = '*';
		*star_p = 1;
		*p = (int)diff_below(50) - 5;
		break;
	case 1:
		fmt[n++] = '.';
		break;
	case 2:
	case 3:
		n += sprintf(
		    fmt + n, ".%u", diff_below(diff_below(4) ? 20 : 120));
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
	diff_line(group, in, strlen(in));
	diff_put_esc(out, strlen(out));
	printf("\tret=%d\n", len);
}

/* A signed length modifier ("", hh, h, l, ll, z, j, t) and a value. */
static void
int_case(char *fmt, char conv, char *args, char *out, size_t size, int *r)
{
	static const char *mods[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };
	char spec[64], tmp[64];
	int sw, sp, w = 0, p = 0, m = diff_below(8), sh;
	long long v = (long long)diff_rnd();

	sh = diff_below(64);
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

void
diff_printf_int(void)
{
	static const char convs[] = "diuxXoc";
	char fmt[64], args[96], out[600], name[16];
	size_t size;
	int r, k;

	for (k = 0; convs[k] != '\0'; k++) {
		diff_reseed(300 + k);
		snprintf(name, sizeof(name), "printf:%c", convs[k]);
		for (long c = 0; c < diff_per; c++) {
			size =
			    diff_below(8) == 0 ? diff_below(12) : sizeof(out);
			memset(out, 0, sizeof(out));
			if (convs[k] == 'c') {
				char spec[64];
				int sw, sp, w = 0, p = 0,
					    v = 1 + (int)diff_below(255);

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

void
diff_printf_float(void)
{
	static const char convs[] = "eEfFgGaA";
	char fmt[64], args[96], out[1200], name[16];
	int r, k, sw, sp, w = 0, p = 0;
	double v;

	for (k = 0; convs[k] != '\0'; k++) {
		diff_reseed(400 + k);
		for (long c = 0; c < diff_per; c++) {
			v = diff_any_double();
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
			    (unsigned long long)diff_dbits(v), w, p);
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

void
diff_printf_str(void)
{
	char fmt[64], args[96], out[200], s[40], spec[64];
	int r, sw, sp, w = 0, p = 0, n, i;
	void *ptr;
	unsigned long long back;

	diff_reseed(500);
	for (long c = 0; c < diff_per; c++) {
		n = diff_below(30);
		for (i = 0; i < n; i++)
			s[i] = (char)(1 + diff_below(255));
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
		diff_line("printf:s", fmt, strlen(fmt));
		diff_put_esc(args, strlen(args));
		diff_put_esc(s, (size_t)n);
		putchar('\t');
		diff_put_esc(out, strlen(out));
		printf("\tret=%d\n", r);
	}
	/*
	 * %p's text is the implementation's (C11 7.21.6.1): each side reads
	 * back what it wrote and the width is honoured.
	 */
	diff_reseed(501);
	for (long c = 0; c < diff_per; c++) {
		ptr = (void *)(uintptr_t)(diff_rnd() >> diff_below(64));
		if (ptr == NULL)
			ptr = (void *)1;
		w = diff_below(30);
		snprintf(
		    spec, sizeof(spec), diff_below(2) ? "%%%dp" : "%%-%dp", w);
		r = snprintf(out, sizeof(out), spec, ptr);
		back = 0;
		if (sscanf(out, "%llx", &back) != 1)
			back = 0;
		diff_line("printf:p", spec, strlen(spec));
		printf("%s\n",
		    back == (uintptr_t)ptr && r >= w && (size_t)r == strlen(out)
			? "reads back"
			: out);
	}
}
