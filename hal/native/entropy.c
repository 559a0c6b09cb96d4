/*
 * entropy.c: hal_entropy() on bare metal, from the CPU's random number
 * instructions: RDSEED (a conditioned entropy source, CPUID.7.EBX[18])
 * where present, else RDRAND (a DRBG reseeded from it, CPUID.1.ECX[30]).
 *
 * Both may fail transiently (carry clear) under load: each 8-byte word
 * is retried a bounded number of times.  Some CPUs have returned all
 * ones after a resume while reporting success; such a word counts as a
 * failure.  QEMU's default TCG CPU has neither instruction: there the
 * answer is -TORO_ENODEV.
 */
#include "hal/hal.h"
#include "hal/native/native.h"
#include "toro/errno.h"

#define TRIES 100

static bool
has_rdseed(void)
{
	uint32_t r[4];

	hal_cpuid(0, 0, r);
	if (r[0] < 7)
		return false;
	hal_cpuid(7, 0, r);
	return (r[1] & (1u << 18)) != 0;
}

static bool
has_rdrand(void)
{
	uint32_t r[4];

	hal_cpuid(1, 0, r);
	return (r[2] & (1u << 30)) != 0;
}

/* One word from RDSEED (seed) or RDRAND; false when it kept failing. */
static bool
word(bool seed, uint64_t *v)
{
	unsigned char ok;
	int i;

	for (i = 0; i < TRIES; i++) {
		if (seed)
			__asm__ volatile("rdseed %0; setc %1"
					 : "=r"(*v), "=qm"(ok));
		else
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(*v), "=qm"(ok));
		if (ok && *v != ~(uint64_t)0)
			return true;
		hal_cpu_relax();
	}
	return false;
}

int
hal_entropy(void *buf, size_t n)
{
	unsigned char *p = buf;
	bool seed = has_rdseed();
	uint64_t v;

	if (!seed && !has_rdrand())
		return -TORO_ENODEV;
	while (n > 0) {
		size_t k = n < sizeof(v) ? n : sizeof(v);

		if (!word(seed, &v))
			return -TORO_ENODEV;
		memcpy(p, &v, k);
		p += k, n -= k;
	}
	v = 0;
	return 0;
}
