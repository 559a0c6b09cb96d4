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

static uint64_t brk;

/* The end of the usable range holding `a`, or 0 when `a` is not RAM. */
static uint64_t
ram_end_at(uint64_t a)
{
	int i;

	for (i = 0; i < hal_boot.nmemmap; i++) {
		const struct hal_boot_range *r = &hal_boot.memmap[i];

		if (r->type == E820_RAM && a >= r->base &&
		    a < r->base + r->size)
			return r->base + r->size;
	}
	return 0;
}

void
hal_mem_init(void)
{
	brk = (uintptr_t)hal_image_end;
	if (ram_end_at(brk) == 0) {
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
	if (ram_end_at(p) < p + size) {
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

/* The end of the highest usable RAM: what paging must map. */
uint64_t
hal_boot_mem_end(void)
{
	uint64_t end = 0;
	int i;

	for (i = 0; i < hal_boot.nmemmap; i++) {
		const struct hal_boot_range *r = &hal_boot.memmap[i];

		if (r->type == E820_RAM && r->base + r->size > end)
			end = r->base + r->size;
	}
	return end;
}

int
hal_mem_regions(struct hal_mem_region *out, int max)
{
	struct hal_mem_region tmp;
	uint64_t lo, hi;
	int i, j, n = 0;

	for (i = 0; i < hal_boot.nmemmap && n < max; i++) {
		const struct hal_boot_range *r = &hal_boot.memmap[i];

		if (r->type != E820_RAM)
			continue;
		lo = HAL_ROUNDUP(r->base, HAL_PAGE);
		hi = HAL_ROUNDDOWN(r->base + r->size, HAL_PAGE);
		if (lo < brk)
			lo = brk;
		if (lo >= hi)
			continue;
		out[n].base = lo;
		out[n].size = hi - lo;
		n++;
	}
	/* Loaders usually sort the map, but nothing says they must. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1].base > out[j].base; j--) {
			tmp = out[j];
			out[j] = out[j - 1];
			out[j - 1] = tmp;
		}
	return n;
}
