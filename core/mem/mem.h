/*
 * mem.h: the kernel's memory allocator, inside the core.
 *
 * mem_init() hands the platform's RAM to the page allocator; after it,
 * every CPU may allocate.  Public entry points are in toro/mem.h.
 */
#ifndef CORE_MEM_MEM_H
#define CORE_MEM_MEM_H

#include "core/lib/klib.h"
#include "hal/hal.h"

#define MEM_PAGE 4096u

/* Take the regions as the heap; call once, on CPU 0, before any alloc. */
int mem_init(const struct hal_mem_region *r, int n);

/* Set up the per-CPU heaps over [lo, hi) (mem_init calls it). */
int mem_heap_init(uintptr_t lo, uintptr_t hi);

/* Page allocator: page-multiple sizes, power-of-two alignment. */
void *mem_page_alloc(size_t size, size_t align);
void mem_page_free(void *p, size_t size);
size_t mem_page_free_bytes(void);
size_t mem_page_total_bytes(void);

/* Return blocks other CPUs freed to this CPU's heap (scheduler calls). */
void mem_cpu_reclaim(void);

#endif
