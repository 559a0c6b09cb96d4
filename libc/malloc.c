/*
 * malloc.c: malloc and its family on the kernel's per-CPU allocator.
 *
 * Interface: malloc, calloc, realloc, free, aligned_alloc, memalign,
 * posix_memalign, malloc_usable_size, and the __libc_* names musl calls
 * inside itself.  musl's own allocator (mallocng) is taken out of its
 * libc.a (musl-drop.txt): it would ask for memory with mmap and brk,
 * which Toro has no use for.
 *
 * Rules: the kernel's blocks are 16-byte aligned.  A stricter alignment
 * over-allocates, and a small table remembers which kernel block each
 * such pointer lies in; free() looks there only while the table is not
 * empty and only for a pointer aligned to more than 16.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

#include "libc/toroc.h"
#include "toro/mem.h"

#define BUCKETS 64

struct aligned {
	struct aligned *next;
	void *p;     /* what aligned_alloc returned */
	void *block; /* the kernel's block it lies in */
};

static struct aligned *table[BUCKETS];
static int table_lock;
static int table_count;

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t m, size_t n);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

static unsigned
bucket(const void *p)
{
	return ((uintptr_t)p >> 5) % BUCKETS;
}

/* The kernel's block behind p (p itself for an ordinary block). */
static void *
block_of(void *p, int forget)
{
	struct aligned **a, *hit = NULL;
	void *b = p;

	if (__atomic_load_n(&table_count, __ATOMIC_ACQUIRE) == 0 ||
	    ((uintptr_t)p & 31) != 0)
		return p;
	libc_lock(&table_lock);
	for (a = &table[bucket(p)]; *a != NULL; a = &(*a)->next)
		if ((*a)->p == p) {
			hit = *a;
			b = hit->block;
			if (forget) {
				*a = hit->next;
				__atomic_sub_fetch(
				    &table_count, 1, __ATOMIC_RELEASE);
			}
			break;
		}
	libc_unlock(&table_lock);
	if (hit != NULL && forget)
		toro_free(hit);
	return b;
}

void *
malloc(size_t n)
{
	void *p = toro_malloc(n == 0 ? 1 : n);

	if (p == NULL)
		errno = ENOMEM;
	return p;
}

void *
calloc(size_t m, size_t n)
{
	void *p;

	if (n != 0 && m > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = toro_calloc(1, m * n == 0 ? 1 : m * n)) == NULL)
		errno = ENOMEM;
	return p;
}

void
free(void *p)
{
	if (p != NULL)
		toro_free(block_of(p, 1));
}

size_t
malloc_usable_size(void *p)
{
	void *b;

	if (p == NULL)
		return 0;
	b = block_of(p, 0);
	return toro_malloc_usable_size(b) - ((char *)p - (char *)b);
}

void *
realloc(void *p, size_t n)
{
	void *q;
	size_t have;

	if (p == NULL)
		return malloc(n);
	if (block_of(p, 0) == p) {
		if ((q = toro_realloc(p, n == 0 ? 1 : n)) == NULL)
			errno = ENOMEM;
		return q;
	}
	/* An over-aligned block: copy, since realloc need not keep that. */
	if ((q = malloc(n)) == NULL)
		return NULL;
	have = malloc_usable_size(p);
	__builtin_memcpy(q, p, have < n ? have : n);
	free(p);
	return q;
}

void *
aligned_alloc(size_t align, size_t n)
{
	struct aligned *a;
	char *b;
	uintptr_t p;

	if (align == 0 || (align & (align - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	if (align <= 16)
		return malloc(n);
	if (n > SIZE_MAX - align) {
		errno = ENOMEM;
		return NULL;
	}
	if ((a = malloc(sizeof(*a))) == NULL)
		return NULL;
	if ((b = malloc(n + align)) == NULL) {
		toro_free(a);
		return NULL;
	}
	p = ((uintptr_t)b + align - 1) & ~(uintptr_t)(align - 1);
	a->p = (void *)p;
	a->block = b;
	libc_lock(&table_lock);
	a->next = table[bucket(a->p)];
	table[bucket(a->p)] = a;
	__atomic_add_fetch(&table_count, 1, __ATOMIC_RELEASE);
	libc_unlock(&table_lock);
	return a->p;
}

void *
memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

int
posix_memalign(void **res, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *))
		return EINVAL;
	if ((p = aligned_alloc(align, n)) == NULL)
		return errno;
	*res = p;
	return 0;
}

void *
__libc_malloc(size_t n)
{
	return malloc(n);
}

void *
__libc_calloc(size_t m, size_t n)
{
	return calloc(m, n);
}

void *
__libc_realloc(void *p, size_t n)
{
	return realloc(p, n);
}

void
__libc_free(void *p)
{
	free(p);
}
