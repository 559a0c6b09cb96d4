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
 *
 * Stack guards (hal_stack_guard/unguard from hal.h) clear and set the
 * present bit of one 4 KiB page.  A 2 MiB page is split into 4 KiB ones
 * the first time a guard falls in it, and stays split.  The page table
 * for the 2 MiB region number i is slot i of a pool reserved at boot, one
 * page per 2 MiB of RAM (0.2%), so a split never allocates.  Only the
 * calling CPU's TLB is flushed: a guard is only ever touched by the one
 * thread whose stack it bounds, which runs on this CPU (hal.h), and
 * other CPUs never cache a not-present entry.  A lock keeps two CPUs
 * from splitting the same region at once.
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
static uint64_t *pool;       /* page tables for splits, by 2 MiB region */
static uint64_t pool_size;   /* regions the pool covers */
static int guard_lock;

/*
 * Map every 2 MiB page that holds any RAM-backed range (RAM, ACPI, NVS)
 * cached, the page directories being the ngib consecutive pages at pd:
 * one pass over the memory map rather than one per page.
 */
static void
map_ram(uint64_t *pd, uint64_t ngib)
{
	uint64_t a, end;
	int i;

	for (i = 0; i < hal_boot.nmemmap; i++) {
		const struct hal_boot_range *r = &hal_boot.memmap[i];

		if (!(r->type == 1 || r->type == 3 || r->type == 4) ||
		    r->size == 0)
			continue;
		end = HAL_ROUNDUP(r->base + r->size, MIB2);
		if (end > ngib * GIB)
			end = ngib * GIB;
		for (a = HAL_ROUNDDOWN(r->base, MIB2); a < end; a += MIB2)
			pd[a / MIB2] = a | PTE_P | PTE_W | PTE_PS;
	}
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
	/* Consecutive pages, so that map_ram() sees one array. */
	pd = hal_boot_alloc(ngib * HAL_PAGE);
	for (g = 0; g < ngib; g++)
		pdpt[g] = (uintptr_t)(pd + g * 512) | PTE_P | PTE_W;
	for (a = 0; a < 4 * GIB; a += MIB2)
		pd[a / MIB2] = a | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
	map_ram(pd, ngib);

	pt = hal_boot_alloc(HAL_PAGE);
	for (i = 1; i < 512; i++)
		pt[i] = i * HAL_PAGE | PTE_P | PTE_W;
	pd = (uint64_t *)(uintptr_t)(pdpt[0] & ~0xfffull);
	pd[0] = (uintptr_t)pt | PTE_P | PTE_W;

	pool_size = HAL_ROUNDUP(hal_boot_mem_end(), MIB2) / MIB2;
	pool = hal_boot_reserve(pool_size * HAL_PAGE);

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

static uint64_t *
entries(uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & 0xffffffffff000ull);
}

/* The 4 KiB entry mapping `a`, splitting its 2 MiB page; NULL if none. */
static uint64_t *
pte(uint64_t a)
{
	uint64_t *e, *pt, base, flags;
	int i;

	e = &pml4[a >> 39 & 511];
	if (!(*e & PTE_P))
		return NULL;
	e = &entries(*e)[a >> 30 & 511];
	if (!(*e & PTE_P))
		return NULL;
	e = &entries(*e)[a >> 21 & 511];
	if (!(*e & PTE_P))
		return NULL;
	if (*e & PTE_PS) {
		if (a / MIB2 >= pool_size)
			return NULL;
		pt = pool + a / MIB2 * 512;
		base = *e & 0xfffffffe00000ull;
		flags = *e & (PTE_P | PTE_W | PTE_PWT | PTE_PCD);
		for (i = 0; i < 512; i++)
			pt[i] = (base + (uint64_t)i * HAL_PAGE) | flags;
		*e = (uintptr_t)pt | PTE_P | PTE_W;
	}
	return &entries(*e)[a >> 12 & 511];
}

static void
set_present(void *page, int present)
{
	uint64_t *e;

	while (__atomic_exchange_n(&guard_lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	e = pte((uintptr_t)page);
	if (e == NULL) {
		hal_printf("toro: no page to guard at %p\n", page);
		hal_exit(HAL_EXIT_FAULT);
	}
	if (present)
		*e |= PTE_P;
	else
		*e &= ~PTE_P;
	/* Also drops a 2 MiB entry cached before a split. */
	__asm__ volatile("invlpg (%0)" : : "r"(page) : "memory");
	__atomic_store_n(&guard_lock, 0, __ATOMIC_RELEASE);
}

void
hal_stack_guard(void *page)
{
	set_present(page, 0);
}

void
hal_stack_unguard(void *page)
{
	set_present(page, 1);
}
