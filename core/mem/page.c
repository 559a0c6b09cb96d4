/*
 * page.c: the page allocator, shared by all CPUs.
 *
 * Free memory is a list of extents sorted by address; the header of each
 * extent lives in its own first page, so the allocator needs no memory of
 * its own.  Allocation is first fit (with alignment) from the lowest
 * address, so freed memory is reused before untouched memory (the sim's
 * RAM is faulted in on first touch); freeing merges with both
 * neighbours.  One spin lock guards the list: it is taken only for
 * large blocks and for whole spans of small blocks, never per small
 * allocation.
 */
#include "core/mem/mem.h"

struct extent {
	size_t size; /* bytes, a multiple of MEM_PAGE */
	struct extent *next;
};

static struct spinlock lock;
static struct extent *free_list;
static size_t free_bytes, total_bytes;
static uintptr_t ram_lo, ram_hi;

/* Insert [p, p+size) into the sorted list, merging neighbours. */
static void
insert(uintptr_t p, size_t size)
{
	struct extent **link = &free_list, *prev = NULL, *e;

	while (*link != NULL && (uintptr_t)*link < p) {
		prev = *link;
		link = &(*link)->next;
	}
	if (prev != NULL && (uintptr_t)prev + prev->size == p) {
		prev->size += size;
		e = prev;
	} else {
		e = (struct extent *)p;
		e->size = size;
		e->next = *link;
		*link = e;
	}
	if (e->next != NULL && (uintptr_t)e + e->size == (uintptr_t)e->next) {
		e->size += e->next->size;
		e->next = e->next->next;
	}
}

int
mem_init(const struct hal_mem_region *r, int n)
{
	int i;

	if (n <= 0)
		return -1;
	ram_lo = UINTPTR_MAX;
	for (i = 0; i < n; i++) {
		if (r[i].size < MEM_PAGE)
			continue;
		insert(r[i].base, r[i].size);
		total_bytes += r[i].size;
		ram_lo = MIN(ram_lo, r[i].base);
		ram_hi = MAX(ram_hi, r[i].base + r[i].size);
	}
	free_bytes = total_bytes;
	if (total_bytes == 0)
		return -1;
	return mem_heap_init(ram_lo, ram_hi);
}

void *
mem_page_alloc(size_t size, size_t align)
{
	struct extent **link, *e, *next, *rest;
	uintptr_t start, end, base;

	if (size == 0 || size > SIZE_MAX - MEM_PAGE)
		return NULL;
	size = ROUNDUP(size, (size_t)MEM_PAGE);
	if (align < MEM_PAGE)
		align = MEM_PAGE;
	lib_spin_lock(&lock);
	for (link = &free_list; (e = *link) != NULL; link = &e->next) {
		start = (uintptr_t)e;
		end = start + e->size;
		base = ROUNDUP(start, (uintptr_t)align);
		if (base < start || base > end || end - base < size)
			continue;
		/*
		 * Cut in place: the pieces before and after the block keep
		 * the list's order and touch no free neighbour, so neither
		 * needs insert()'s walk or a merge.
		 */
		next = e->next;
		if (base > start) {
			e->size = base - start;
			link = &e->next;
		}
		if (end - base > size) {
			rest = (struct extent *)(base + size);
			rest->size = end - base - size;
			rest->next = next;
			next = rest;
		}
		*link = next;
		free_bytes -= size;
		lib_spin_unlock(&lock);
		return (void *)base;
	}
	lib_spin_unlock(&lock);
	return NULL;
}

void
mem_page_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	size = ROUNDUP(size, (size_t)MEM_PAGE);
	lib_spin_lock(&lock);
	insert((uintptr_t)p, size);
	free_bytes += size;
	lib_spin_unlock(&lock);
}

size_t
mem_page_free_bytes(void)
{
	return __atomic_load_n(&free_bytes, __ATOMIC_RELAXED);
}

size_t
mem_page_total_bytes(void)
{
	return total_bytes;
}
