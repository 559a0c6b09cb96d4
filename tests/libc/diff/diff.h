/*
 * diff.h: what the parts of the differential generator share.
 *
 * diff.c has the generator's PRNG, the line format and main; each other
 * file is one group of cases (strto.c, printf.c, scanf.c, qsort.c,
 * time.c, math.c), a diff_GROUP function that prints them.
 */
#ifndef DIFF_H
#define DIFF_H

#include <stddef.h>
#include <stdint.h>

extern long diff_ncases; /* lines printed */
extern long diff_per;	 /* cases per group */

uint64_t diff_rnd(void);
unsigned diff_below(unsigned n);
void diff_reseed(uint64_t s);
void diff_put_esc(const char *s, size_t n);
void diff_line(const char *group, const char *in, size_t inlen);
uint64_t diff_dbits(double d);
double diff_bitsd(uint64_t u);
uint32_t diff_fbits(float f);
double diff_any_double(void);
void diff_intstr(char *s, int *base, int small);
void diff_floatstr(char *s, int is_float, int small);

void diff_strtol(void);
void diff_strtod(void);
void diff_printf_int(void);
void diff_printf_float(void);
void diff_printf_str(void);
void diff_scanf(void);
void diff_qsort(void);
void diff_time(void);
void diff_math(void);

#endif
