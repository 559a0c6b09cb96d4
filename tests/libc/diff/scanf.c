/*
 * scanf.c: the scanf conversions through sscanf.
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

/* scanf. */

void
diff_scanf(void)
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

	diff_reseed(600);
	for (long c = 0; c < diff_per * 4; c++) {
		k = diff_below(sizeof(fmts) / sizeof(fmts[0]));
		n = 0;
		for (i = diff_below(3); i > 0; i--) {
			if (diff_below(2))
				diff_intstr(tmp, &r, 1);
			else
				diff_floatstr(tmp, 0, 1);
			n += snprintf(in + n, sizeof(in) - (size_t)n, "%s%s",
			    tmp, diff_below(2) ? " " : ",");
		}
		if (diff_below(4) == 0)
			n += snprintf(in + n, sizeof(in) - (size_t)n, "x%dy",
			    (int)diff_below(100));
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
		    r, i1, i2, i3, nn, ll, (unsigned long long)diff_dbits(d),
		    (unsigned long)diff_fbits(f), ld);
		snprintf(tmp, sizeof(tmp), "%s|%s", fm, in);
		diff_line("scanf", tmp, strlen(tmp));
		diff_put_esc(out, strlen(out));
		diff_put_esc(s1, strnlen(s1, 40));
		putchar('\n');
	}
}
