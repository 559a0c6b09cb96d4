/*
 * machine.c: a fresh fake machine for every fuzz input (machine.h).
 *
 * Not itself in the reset sections: what it keeps (the first image of
 * the kernel's data) must outlive every machine.
 *
 * It also stands in for the kernel's heap: the harnesses are linked with
 * --wrap for toro_malloc, toro_calloc, toro_realloc, toro_free and
 * toro_malloc_usable_size (mk/fuzz.mk), so that every block the kernel
 * allocates is a block of the host's AddressSanitizer, with red zones
 * around it and a quarantine after it is freed: an overflow or a use
 * after free inside the kernel's heap is then caught, which it is not
 * among the kernel's own spans.  The live blocks are kept in a table,
 * and freed when the machine is put away.
 */
#include <malloc.h>
#include <sanitizer/asan_interface.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "hal/fake/fakenet.h"
#include "tests/fuzz/machine.h"

extern char __start_toro_data[], __stop_toro_data[];
extern char __start_toro_bss[], __stop_toro_bss[];

static char *data0;

/* The kernel's live blocks: open addressing, NULL free, TOMB deleted. */
static void **live;
static size_t live_cap, live_used;
static char tomb;
#define TOMB ((void *)&tomb)

static size_t
slot(const void *p)
{
	return (size_t)(((uintptr_t)p >> 4) * 0x9e3779b97f4a7c15ull);
}

static void
live_add(void *p)
{
	void **old = live;
	size_t i, n = live_cap;

	if ((live_used + 1) * 2 > live_cap) {
		live_cap = live_cap == 0 ? 1024 : live_cap * 2;
		if ((live = calloc(live_cap, sizeof(*live))) == NULL)
			abort();
		live_used = 0;
		for (i = 0; i < n; i++)
			if (old[i] != NULL && old[i] != TOMB)
				live_add(old[i]);
		free(old);
	}
	for (i = slot(p);; i++)
		if (live[i & (live_cap - 1)] == NULL ||
		    live[i & (live_cap - 1)] == TOMB) {
			live[i & (live_cap - 1)] = p;
			live_used++;
			return;
		}
}

/* Forget p; false if the kernel never had it. */
static bool
live_remove(void *p)
{
	size_t i;

	if (live_cap == 0)
		return false;
	for (i = slot(p);; i++) {
		if (live[i & (live_cap - 1)] == NULL)
			return false;
		if (live[i & (live_cap - 1)] == p) {
			live[i & (live_cap - 1)] = TOMB;
			return true;
		}
	}
}

void *__wrap_toro_malloc(size_t n);
void *__wrap_toro_calloc(size_t n, size_t size);
void *__wrap_toro_realloc(void *p, size_t n);
void __wrap_toro_free(void *p);
size_t __wrap_toro_malloc_usable_size(const void *p);

void *
__wrap_toro_malloc(size_t n)
{
	void *p = malloc(n == 0 ? 1 : n);

	if (p != NULL)
		live_add(p);
	return p;
}

void *
__wrap_toro_calloc(size_t n, size_t size)
{
	void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);

	if (p != NULL)
		live_add(p);
	return p;
}

void
__wrap_toro_free(void *p)
{
	if (p == NULL)
		return;
	if (!live_remove(p))
		fuzz_fail("toro_free(%p): not a block of the kernel's", p);
	free(p);
}

void *
__wrap_toro_realloc(void *p, size_t n)
{
	void *q;

	if (p == NULL)
		return __wrap_toro_malloc(n);
	if (n == 0) {
		__wrap_toro_free(p);
		return NULL;
	}
	if (!live_remove(p))
		fuzz_fail("toro_realloc(%p): not a block of the kernel's", p);
	if ((q = realloc(p, n)) == NULL) {
		live_add(p);
		return NULL;
	}
	live_add(q);
	return q;
}

size_t
__wrap_toro_malloc_usable_size(const void *p)
{
	return p == NULL ? 0 : malloc_usable_size((void *)p);
}

void *__real_mem_page_alloc(size_t size, size_t align);
void *__wrap_mem_page_alloc(size_t size, size_t align);

/*
 * Pages come back clean: they hold the kernel's thread stacks, and a
 * thread that ends leaves AddressSanitizer's marks of the frames it
 * never returned from on its stack (the fake switches stacks behind the
 * sanitizer's back, which is also why it warns, once a process, that it
 * ignores __asan_handle_no_return), which the next thread given those
 * pages would trip over.  The fake CPUs' own stacks are host blocks,
 * made clean by each malloc.
 */
void *
__wrap_mem_page_alloc(size_t size, size_t align)
{
	void *p = __real_mem_page_alloc(size, align);

	if (p != NULL)
		__asan_unpoison_memory_region(p, size);
	return p;
}

/* Free every block the machine left. */
static void
live_release(void)
{
	size_t i;

	for (i = 0; i < live_cap; i++)
		if (live[i] != NULL && live[i] != TOMB)
			free(live[i]);
	free(live);
	live = NULL;
	live_cap = live_used = 0;
}

/*
 * Copy word by word, past AddressSanitizer: the sections hold the red
 * zones it put around each global, which the copy must cross.  The
 * volatile keeps the compiler from making it a memcpy call, which the
 * sanitizer would check.
 */
__attribute__((no_sanitize("address"))) static void
copy(char *dst, const char *src, size_t n)
{
	volatile char *d = dst;
	const volatile char *s = src;
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = s == NULL ? 0 : s[i];
}

void
fuzz_machine_reset(void)
{
	size_t n = (size_t)(__stop_toro_data - __start_toro_data);

	if (data0 == NULL) {
		/* The first call: the sections are as the process began. */
		if ((data0 = malloc(n + 1)) == NULL)
			abort();
		copy(data0, __start_toro_data, n);
		return;
	}
	copy(__start_toro_data, data0, n);
	copy(__start_toro_bss, NULL,
	    (size_t)(__stop_toro_bss - __start_toro_bss));
}

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: console:\n%s\nfuzz: ", fake_console_output());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void
fuzz_machine_run(int ncpu, size_t mem_bytes, void *(*fn)(void *), void *arg)
{
	int status = fake_run(ncpu, mem_bytes, fn, arg);

	if (status != 0)
		fuzz_fail("the machine ended with status %d%s", status,
		    status == FAKE_DEADLOCK ? " (deadlock)"
			: status == 125	    ? " (kernel panic)"
					    : "");
	fake_net_release();
	fakeblk_release();
	fake_release();
	live_release();
}
