/*
 * libc.c: the freestanding C library subset the kernel needs.
 *
 * Interface: the standard memcpy, memmove, memset, memcmp, strlen,
 * strcmp, strncmp, strchr, memchr (gcc emits calls to the mem* ones by
 * itself), and __stack_chk_fail and __assert_fail for code built with
 * stack protection or assert().  The copies use rep movs/stos, which
 * also keeps gcc from turning them back into calls to themselves: eight
 * bytes a step, then the tail a byte a step, since QEMU's TCG runs each
 * step of a rep as a block of its own (a page zeroed a byte a step is
 * 4,096 blocks), while under KVM both forms run at the same speed.
 */
#include "hal/native/native.h"

/*
 * All weak: a program linked with Toro's C library (libc/) has musl's
 * versions of the same functions, and the image takes those then.
 */
#pragma weak memcpy
#pragma weak memmove
#pragma weak memset
#pragma weak memcmp
#pragma weak memchr
#pragma weak strlen
#pragma weak strcmp
#pragma weak strncmp
#pragma weak strchr
#pragma weak __stack_chk_fail
#pragma weak __assert_fail

char *strchr(const char *s, int c);
void *memchr(const void *s, int c, size_t n);
int strcmp(const char *a, const char *b);
void __stack_chk_fail(void) __attribute__((noreturn));
void __assert_fail(const char *expr, const char *file, unsigned int line,
    const char *func) __attribute__((noreturn));

void *
memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8, r = n % 8;

	__asm__ volatile("rep movsq; movq %3, %%rcx; rep movsb"
	    : "+D"(d), "+S"(src), "+c"(q)
	    : "r"(r)
	    : "memory");
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d - s >= n) /* no harmful overlap: copy forwards */
		return memcpy(dst, src, n);
	/* dst overlaps the end of src: copy backwards. */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std; rep movsb; cld"
	    : "+D"(d), "+S"(s), "+c"(n)
	    :
	    : "memory");
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t q = n / 8, r = n % 8;
	uint64_t v = (uint8_t)c * 0x0101010101010101ull;

	__asm__ volatile("rep stosq; movq %3, %%rcx; rep stosb"
	    : "+D"(d), "+c"(q)
	    : "a"(v), "r"(r)
	    : "memory");
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n > 0; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *
memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n > 0; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)(uintptr_t)p;
	return NULL;
}

size_t
strlen(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

int
strcmp(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			break;
	}
	return 0;
}

char *
strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)(uintptr_t)s;
		if (*s == '\0')
			return NULL;
	}
}

void
__stack_chk_fail(void)
{
	hal_printf("\ntoro: CPU %d: stack smashing detected\n",
	    hal_percpu_ready ? hal_cpu_id() : 0);
	hal_exit(HAL_EXIT_STACK);
}

void
__assert_fail(const char *expr, const char *file, unsigned int line,
    const char *func)
{
	hal_printf("\ntoro: CPU %d: %s:%u: %s: assertion '%s' failed\n",
	    hal_percpu_ready ? hal_cpu_id() : 0, file, line, func, expr);
	hal_exit(HAL_EXIT_ASSERT);
}
