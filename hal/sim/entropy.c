/*
 * entropy.c: hal_entropy() on the simulated machine, from the host's
 * getrandom(2) (its urandom pool, which never blocks once the host has
 * booted).
 */
#include <errno.h>
#include <sys/random.h>

#include "hal/hal.h"
#include "toro/errno.h"

int
hal_entropy(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t k = getrandom(p, n, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -TORO_ENODEV;
		p += k, n -= (size_t)k;
	}
	return 0;
}
