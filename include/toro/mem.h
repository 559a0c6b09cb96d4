/*
 * toro/mem.h: the per-CPU memory allocator.
 *
 * Each CPU allocates small blocks from its own heap without a lock; a
 * block may be freed on any CPU and goes back to its owner.  Large blocks
 * come from a page allocator shared by all CPUs.  Out of memory gives
 * NULL, never a crash.  Blocks are 16-byte aligned.
 *
 * toro_copy() is memcpy that a bad pointer fails instead of faulting.
 */
#ifndef TORO_MEM_H
#define TORO_MEM_H

#include <stddef.h>

void *toro_malloc(size_t size);
void *toro_calloc(size_t n, size_t size);
void *toro_realloc(void *p, size_t size);
void toro_free(void *p);

/* The usable size of a block, at least what was asked for. */
size_t toro_malloc_usable_size(const void *p);

#define TORO_MEM_CPUS 64

struct toro_mem_stats {
	size_t total;      /* bytes of RAM the allocator manages */
	size_t free_pages; /* bytes not handed out by the page allocator */
	/*
	 * Heap bytes handed out by toro_malloc() and not freed, whole
	 * blocks (size class or pages) counted, by the CPU that allocated
	 * them.  A block freed on another CPU counts until its owner takes
	 * it back (at once when the owner allocates or idles).
	 */
	size_t in_use;
	int ncpus;
	size_t cpu_in_use[TORO_MEM_CPUS];
};

void toro_mem_stats(struct toro_mem_stats *st);

/*
 * Copy n bytes from src to dst, as memcpy does; where either range is
 * not mapped, or dst is not writable, return -TORO_EFAULT (dst may hold
 * part of the copy) instead of faulting; else 0.  dst == src checks that
 * the memory is there and writable and leaves it as it was.  The C
 * library copies a caller's structures with it, so that a bad pointer is
 * EFAULT as a kernel would say, and not a fault of the caller.
 */
int toro_copy(void *dst, const void *src, size_t n);

#endif
