/*
 * caller.c: the checks and copies of an application's memory that the
 * kernel makes on its behalf (lib.h: lib_caller_check,
 * lib_caller_string), over hal_copy(), which fails rather than faults.
 *
 * A check touches one byte of each page of the range: a page is mapped,
 * readable or writable as a whole, and 4096 bytes is the smallest page
 * either target maps.  A write check reads the byte and writes it back,
 * as the leased read's probe did: the application may not write a
 * buffer while a call fills it, so nothing it wrote is undone.
 *
 * Rules: no state; any thread, any CPU.
 */
#include "core/lib/lib.h"
#include "hal/hal.h"
#include "toro/errno.h"

#define PAGE 4096u

/* Is a byte at p there (and writable, with `write`)? */
static int
touch(const uint8_t *p, bool write)
{
	uint8_t b;

	if (write)
		return hal_copy((void *)(uintptr_t)p, p, 1);
	return hal_copy(&b, p, 1);
}

int
lib_caller_check(const void *p, size_t n, bool write)
{
	const uint8_t *a = p;
	size_t i;
	int err;

	if (n == 0)
		return 0;
	if (p == NULL || (uintptr_t)a + n < (uintptr_t)a)
		return -TORO_EFAULT;
	for (i = 0; i < n; i = (i | (PAGE - 1)) + 1)
		if ((err = touch(a + i, write)) < 0)
			return err;
	return touch(a + n - 1, write);
}

long
lib_caller_string(char *dst, const char *src, size_t size)
{
	size_t done, k, i;

	if (src == NULL)
		return -TORO_EFAULT;
	for (done = 0; done < size; done += k) {
		k = MIN(size - done, PAGE - (uintptr_t)(src + done) % PAGE);
		if (hal_copy(dst + done, src + done, k) < 0)
			return -TORO_EFAULT;
		for (i = done; i < done + k; i++)
			if (dst[i] == '\0')
				return (long)i;
	}
	return -TORO_ENAMETOOLONG;
}
