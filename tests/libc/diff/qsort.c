/*
 * qsort.c: qsort of bytes, ints and records.
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

void
diff_qsort(void)
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

	diff_reseed(700);
	for (long c = 0; c < diff_per / 4 + 1; c++) {
		k = diff_below(3);
		n = diff_below(8) == 0 ? diff_below(2048) : diff_below(64);
		size = k == 0 ? 1 : k == 1 ? 4 : sizeof(struct rec);
		for (i = 0; i < n * size; i++)
			((uint8_t *)&a)[i] = (uint8_t)(diff_below(4) == 0
				? 0
				: diff_rnd() >> (56 + diff_below(8)));
		/* Some already sorted or reversed inputs. */
		if (diff_below(8) == 0 && k == 1)
			for (i = 0; i < n; i++)
				a.i32[i] = (int32_t)(diff_below(2) ? i : n - i);
		qsort(&a, n, size,
		    k == 0	 ? cmp_u8
			: k == 1 ? cmp_i32
				 : cmp_rec);
		h = 1469598103934665603ULL;
		for (i = 0; i < n * size; i++)
			h = (h ^ ((uint8_t *)&a)[i]) * 1099511628211ULL;
		snprintf(in, sizeof(in), "case=%ld n=%zu size=%zu", c, n, size);
		diff_line("qsort", in, strlen(in));
		printf("%016llx", (unsigned long long)h);
		for (i = 0; i < n && i < 6; i++)
			printf(" %d",
			    k == 0	 ? a.u8[i]
				: k == 1 ? a.i32[i]
					 : (int)a.r[i].key);
		putchar('\n');
	}
}
