/*
 * paging.c: the kernel's page tables, built once at boot.
 *
 * Interface: hal_paging_init() on CPU 0 (switches CR3 to the new tables),
 * hal_paging_root() for the APs, hal_paging_map_mmio(base, size) for
 * device memory above 4 GiB (64-bit PCI BARs), at boot only since it
 * takes page tables from the boot allocator.  The map is the identity:
 * all of the first 4 GiB (RAM and the MMIO holes: PCI, IOAPIC, HPET,
 * LAPIC) and the RAM above, with 2 MiB pages.  The first 2 MiB use 4 KiB
 * pages so that page 0 can stay unmapped and a NULL dereference faults.
 * Pages without RAM are uncached, since they can only be device memory.
 */
#include "hal/native/native.h"

#define PTE_P 0x001ull
#define PTE_W 0x002ull
#define PTE_PWT 0x008ull
#define PTE_PCD 0x010ull
#define PTE_PS 0x080ull

#define GIB (1ull << 30)
#define MIB2 (1ull << 21)

static uint64_t *pml4;

/* Does [a, a + 2 MiB) hold any RAM-backed range (RAM, ACPI, NVS)? */
static int
has_ram(uint64_t a)
{
	int i;

	for (i = 0; i < hal_boot.nmemmap; i++) {
		const struct hal_boot_range *r = &hal_boot.memmap[i];

		if ((r->type == 1 || r->type == 3 || r->type == 4) &&
		    r->base < a + MIB2 && r->base + r->size > a)
			return 1;
	}
	return 0;
}

void
hal_paging_init(void)
{
	uint64_t end, *pdpt, *pd, *pt, a;
	uint64_t g, ngib, i;

	end = hal_boot_mem_end();
	if (end < 4 * GIB)
		end = 4 * GIB;
	ngib = HAL_ROUNDUP(end, GIB) / GIB;
	if (ngib > 512) {
		hal_printf("toro: RAM above 512 GiB is not used\n");
		ngib = 512;
	}

	pml4 = hal_boot_alloc(HAL_PAGE);
	pdpt = hal_boot_alloc(HAL_PAGE);
	pml4[0] = (uintptr_t)pdpt | PTE_P | PTE_W;
	for (g = 0; g < ngib; g++) {
		pd = hal_boot_alloc(HAL_PAGE);
		pdpt[g] = (uintptr_t)pd | PTE_P | PTE_W;
		for (i = 0; i < 512; i++) {
			a = g * GIB + i * MIB2;
			if (has_ram(a))
				pd[i] = a | PTE_P | PTE_W | PTE_PS;
			else if (a < 4 * GIB)
				pd[i] = a | PTE_P | PTE_W | PTE_PS | PTE_PCD |
				    PTE_PWT;
		}
	}

	pt = hal_boot_alloc(HAL_PAGE);
	for (i = 1; i < 512; i++)
		pt[i] = i * HAL_PAGE | PTE_P | PTE_W;
	pd = (uint64_t *)(uintptr_t)(pdpt[0] & ~0xfffull);
	pd[0] = (uintptr_t)pt | PTE_P | PTE_W;

	__asm__ volatile("movq %0, %%cr3" : : "r"(pml4) : "memory");
}

/* The table entry `e` points to, made (empty) if it is not there. */
static uint64_t *
table(uint64_t *e)
{
	if (!(*e & PTE_P))
		*e = (uintptr_t)hal_boot_alloc(HAL_PAGE) | PTE_P | PTE_W;
	return (uint64_t *)(uintptr_t)(*e & 0xffffffffff000ull);
}

void
hal_paging_map_mmio(uint64_t base, uint64_t size)
{
	uint64_t a, end, *pd;

	end = HAL_ROUNDUP(base + size, MIB2);
	a = HAL_ROUNDDOWN(base, MIB2);
	if (a < 4 * GIB)
		a = 4 * GIB; /* mapped already */
	if (size == 0 || end <= a || end > (1ull << 47))
		return;
	for (; a < end; a += MIB2) {
		pd = table(&table(&pml4[a >> 39 & 511])[a >> 30 & 511]);
		if (!(pd[a >> 21 & 511] & PTE_P))
			pd[a >> 21 & 511] = a | PTE_P | PTE_W | PTE_PS |
			    PTE_PCD | PTE_PWT;
	}
	/* Not-present entries are not cached, but be plain about it. */
	__asm__ volatile("movq %0, %%cr3" : : "r"(pml4) : "memory");
}

uint64_t
hal_paging_root(void)
{
	return (uintptr_t)pml4;
}
