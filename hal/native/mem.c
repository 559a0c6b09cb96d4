/*
 * mem.c: the boot allocator and the free-memory list.
 *
 * Interface: hal_mem_init() once the memory map is known;
 * hal_boot_alloc() for the HAL's own boot structures (page tables,
 * stacks, device rings and DMA buffers: physical = virtual, page
 * aligned, zeroed), which only happens before kern_boot();
 * hal_boot_reserve() the same without the zeroing, for large areas
 * filled later;
 * hal_mem_regions() from hal.h.  Boot allocations are carved, page by
 * page, from the RAM right after the kernel image; hal_mem_regions()
 * then reports usable RAM above the last of them.  Everything below
 * 1 MiB stays out: it holds the BIOS data, the AP trampoline and the
 * loaders' leftovers.
 */
#include "hal/native/native.h"

#define E820_RAM 1

static uint64_t brk, brk_end; /* the boot allocator's next page, limit */
static uint64_t mem_end;      /* the end of the highest usable RAM */

/*
 * One pass over the memory map: the RAM range the image ends in, where
 * the boot allocator carves, and the end of the highest RAM.
 */
void
hal_mem_init(void)
{
	const struct hal_boot_range *r;
	uint64_t lim = 0, top = 0, end, span;

	/* Without a branch in the loop: a range not RAM has span 0. */
	brk = (uintptr_t)hal_image_end;
	for (r = hal_boot.memmap; r < hal_boot.memmap + hal_boot.nmemmap; r++) {
		span = r->size & -(uint64_t)(r->type == E820_RAM);
		end = (r->base + span) & -(uint64_t)(span != 0);
		lim = brk - r->base < span ? end : lim;
		top = end > top ? end : top;
	}
	brk_end = lim;
	mem_end = top;
	if (brk_end == 0) {
		hal_printf("toro: no RAM after the kernel image at %lx\n",
		    (unsigned long)brk);
		hal_exit(HAL_EXIT_BOOT);
	}
}

void *
hal_boot_reserve(size_t size)
{
	uint64_t p = brk;

	size = HAL_ROUNDUP(size, HAL_PAGE);
	if (brk_end - p < size) {
		hal_printf("toro: out of boot memory (%lu bytes)\n",
		    (unsigned long)size);
		hal_exit(HAL_EXIT_BOOT);
	}
	brk += size;
	return (void *)(uintptr_t)p;
}

void *
hal_boot_alloc(size_t size)
{
	void *p = hal_boot_reserve(size);

	memset(p, 0, HAL_ROUNDUP(size, HAL_PAGE));
	return p;
}

/* What paging must map. */
uint64_t
hal_boot_mem_end(void)
{
	return mem_end;
}

/* The map is sorted by base (boot.c): so are the regions. */
int
hal_mem_regions(struct hal_mem_region *out, int max)
{
	const struct hal_boot_range *r;
	uint64_t lo, hi;
	int n = 0;

	/* out[n] is written each time, counted when usable: no branch. */
	for (r = hal_boot.memmap;
	     r < hal_boot.memmap + hal_boot.nmemmap && n < max; r++) {
		lo = HAL_ROUNDUP(r->base, HAL_PAGE);
		hi = HAL_ROUNDDOWN(r->base + r->size, HAL_PAGE);
		lo = lo < brk ? brk : lo;
		out[n].base = lo;
		out[n].size = hi - lo;
		n += (r->type == E820_RAM) & (lo < hi);
	}
	return n;
}
