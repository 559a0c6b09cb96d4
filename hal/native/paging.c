/*
 * paging.c: the kernel's page tables, entry.S's refined once at boot.
 *
 * Interface: hal_paging_init() on CPU 0 (finishes the tables entry.S
 * runs on and reloads CR3), hal_paging_root() for the APs,
 * hal_paging_map_mmio(base, size) for device memory above 4 GiB (64-bit
 * PCI BARs), at boot only since it takes page tables from the boot
 * allocator.  The map is the identity:
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

#define PTE_RAM 0x200ull /* available to software: paging_init's mark */
#define RAM_TYPES (1u << 1 | 1u << 3 | 1u << 4) /* RAM, ACPI, NVS */

/* entry.S's tables: the PML4, its PDPT, 0..4 GiB and the first 2 MiB. */
extern uint64_t hal_pml4[512], hal_pdpt[512], hal_pd[4 * 512], hal_pt0[512];

static uint64_t *const pml4 = hal_pml4;
static uint64_t *pool;	   /* page tables for splits, by 2 MiB region */
static uint64_t pool_size; /* regions the pool covers */
static int guard_lock;

static uint64_t *
entries(uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & 0xffffffffff000ull);
}

/* The page directory entry of `a`, below 512 GiB. */
static uint64_t *
pde(uint64_t a)
{
	return &entries(hal_pdpt[a >> 30])[a >> 21 & 511];
}

/*
 * entry.S mapped 0..4 GiB with cached 2 MiB pages.  Add the RAM above
 * (page directories from the boot allocator), make uncached the pages
 * of the first 4 GiB that hold no RAM-backed range (RAM, ACPI, NVS),
 * which can only be device memory, and put the first 2 MiB in 4 KiB
 * pages.  One pass over the memory map marks the RAM pages, one over
 * the directories acts on the marks: no page is visited per range.
 */
void
hal_paging_init(void)
{
	uint64_t top = hal_boot_mem_end(), end, ngib, a, v, *e;
	const struct hal_boot_range *r;

	ngib = top > 4 * GIB ? HAL_ROUNDUP(top, GIB) / GIB : 4;
	if (ngib > 512) {
		hal_printf("toro: RAM above 512 GiB is not used\n");
		ngib = 512;
	}
	for (a = 4; a < ngib; a++)
		hal_pdpt[a] =
		    (uintptr_t)hal_boot_alloc(HAL_PAGE) | PTE_P | PTE_W;
	/* A range not backed by RAM ends at 0: its inner loop does not run. */
	for (r = hal_boot.memmap; r < hal_boot.memmap + hal_boot.nmemmap; r++) {
		end = HAL_ROUNDUP(r->base + r->size, MIB2);
		end = end < ngib * GIB ? end : ngib * GIB;
		end &= -(uint64_t)(RAM_TYPES >> (r->type & 31) & 1);
		for (a = HAL_ROUNDDOWN(r->base, MIB2); a < end; a += MIB2)
			*pde(a) = a | PTE_P | PTE_W | PTE_PS | PTE_RAM;
	}
	/* Unmarked and present: uncached.  No branch, one block a loop. */
	for (a = 0; a < ngib * GIB; a += MIB2) {
		e = pde(a);
		v = *e;
		*e = (v & ~PTE_RAM) | ((~v >> 9) & v & 1) * (PTE_PCD | PTE_PWT);
	}
	hal_pd[0] = (uintptr_t)hal_pt0 | PTE_P | PTE_W;

	end = HAL_ROUNDUP(top, MIB2);
	pool_size = (end < ngib * GIB ? end : ngib * GIB) / MIB2;
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

/*
 * The 4 KiB entry mapping `a`, splitting its 2 MiB page; NULL if none.
 * The pool covers mapped RAM only (below ngib GiB): there the PDPT entry
 * is always present.
 */
static uint64_t *
pte(uint64_t a)
{
	uint64_t *e, *pt, v;
	int i;

	if (a / MIB2 >= pool_size)
		return NULL;
	e = pde(a);
	v = *e;
	if (!(v & PTE_P))
		return NULL;
	if (v & PTE_PS) {
		pt = pool + a / MIB2 * 512;
		v &= 0xfffffffe00000ull | PTE_P | PTE_W | PTE_PWT | PTE_PCD;
		for (i = 0; i < 512; i++)
			pt[i] = v + (uint64_t)i * HAL_PAGE;
		*e = (uintptr_t)pt | PTE_P | PTE_W;
	}
	return &entries(*e)[a >> 12 & 511];
}

static void
set_present(void *page, uint64_t present)
{
	uint64_t *e;

	while (__atomic_exchange_n(&guard_lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	e = pte((uintptr_t)page);
	if (e == NULL) {
		hal_printf("toro: no page to guard at %p\n", page);
		hal_exit(HAL_EXIT_FAULT);
	}
	*e = (*e & ~PTE_P) | present;
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
	set_present(page, PTE_P);
}
