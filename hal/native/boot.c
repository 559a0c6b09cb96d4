/*
 * boot.c: from the boot protocol's data to kern_boot().
 *
 * Interface: hal_boot_main() (called by entry.S on CPU 0), hal_cmdline(),
 * hal_cmdline_has(word), hal_boot_phases() (hal.h: each phase's end is
 * the TSC, turned into ns once the TSC's rate is known).
 * It copies what the loader handed over (command line, memory map, RSDP)
 * into hal_boot before anything else, because the loader left those
 * structures in RAM that the boot allocator and the core will reuse.  It
 * then brings up the machine in dependency order and calls kern_boot().
 *
 * PVH: %ebx pointed at struct hvm_start_info (magic 0x336ec578); version
 * 1 adds the memory map.  Multiboot v1: %ebx pointed at the info block;
 * its command line starts with the kernel's file name (QEMU and GRUB both
 * put it there), which we drop so both protocols give the same string.
 */
#include "hal/native/native.h"

#define PVH_MAGIC 0x336ec578u

struct pvh_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
};

struct mb_mmap_entry {
	uint32_t size; /* of the rest of the entry */
	uint64_t base;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

#define MB_INFO_MEM 0x01
#define MB_INFO_CMDLINE 0x04
#define MB_INFO_MMAP 0x40

struct hal_boot_info hal_boot;

static struct {
	const char *name;
	uint64_t tsc;
} phases[HAL_BOOT_PHASES_MAX];
static int nphases;

static void
phase(const char *name)
{
	if (nphases < HAL_BOOT_PHASES_MAX) {
		phases[nphases].name = name;
		phases[nphases++].tsc = hal_rdtsc();
	}
}

int
hal_boot_phases(struct hal_boot_phase *p, int max)
{
	int i;

	for (i = 0; i < nphases && i < max; i++) {
		p[i].name = phases[i].name;
		p[i].ns = (uint64_t)((unsigned __int128)(phases[i].tsc -
		    hal_boot_tsc0) * 1000000000u / hal_tsc_hz());
	}
	return i;
}

HAL_BOOT_FN void hal_boot_main(int protocol, uint32_t info)
    __attribute__((noreturn));

/* Kept sorted by base, as loaders usually give it: an insertion. */
static void
add_range(uint64_t base, uint64_t size, uint32_t type)
{
	struct hal_boot_range *r;

	if (hal_boot.nmemmap == HAL_BOOT_MEMMAP_MAX || size == 0)
		return;
	r = &hal_boot.memmap[hal_boot.nmemmap++];
	for (; r > hal_boot.memmap && r[-1].base > base; r--)
		r[0] = r[-1];
	r->base = base;
	r->size = size;
	r->type = type;
}

static void
copy_cmdline(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < sizeof(hal_boot.cmdline) - 1; i++)
		hal_boot.cmdline[i] = s[i];
	hal_boot.cmdline[i] = '\0';
}

static void
from_pvh(const struct pvh_start_info *si)
{
	const struct pvh_memmap_entry *m;
	uint32_t i;

	hal_boot.protocol = "pvh";
	if (si->magic != PVH_MAGIC) {
		hal_printf("toro: bad PVH start_info magic %x\n", si->magic);
		hal_exit(HAL_EXIT_BOOT);
	}
	if (si->cmdline_paddr != 0)
		copy_cmdline((const char *)(uintptr_t)si->cmdline_paddr);
	hal_boot.rsdp = si->rsdp_paddr;
	if (si->version >= 1 && si->memmap_paddr != 0) {
		m = (const void *)(uintptr_t)si->memmap_paddr;
		for (i = 0; i < si->memmap_entries; i++)
			add_range(m[i].addr, m[i].size, m[i].type);
	}
}

static void
from_multiboot(const struct mb_info *mb)
{
	const char *s;
	uintptr_t p, end;

	hal_boot.protocol = "multiboot";
	if (mb->flags & MB_INFO_CMDLINE) {
		s = (const char *)(uintptr_t)mb->cmdline;
		while (*s != '\0' && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
		copy_cmdline(s);
	}
	if (mb->flags & MB_INFO_MMAP) {
		p = mb->mmap_addr;
		end = p + mb->mmap_length;
		while (p < end) {
			const struct mb_mmap_entry *e = (const void *)p;

			add_range(e->base, e->len, e->type);
			p += e->size + 4;
		}
	} else if (mb->flags & MB_INFO_MEM) {
		add_range(0, (uint64_t)mb->mem_lower << 10, 1);
		add_range(0x100000, (uint64_t)mb->mem_upper << 10, 1);
	}
}

const char *
hal_cmdline(void)
{
	return hal_boot.cmdline;
}

/* Does the command line hold `word` as a whole word? */
int
hal_cmdline_has(const char *word)
{
	const char *s = hal_boot.cmdline;
	size_t n = strlen(word);

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if (strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\0'))
			return 1;
		while (*s != '\0' && *s != ' ')
			s++;
	}
	return 0;
}

/*
 * Each driver looks for its devices, unless the machine has neither PCI
 * nor a virtio-mmio transport: then there is nothing to look for.
 */
static void
devices(void)
{
	if (hal_virtio_mmio_init() == 0 && !hal_pci_present())
		return;
	hal_virtio_net_init();
	hal_virtio_blk_init(); /* disk 0 is virtio-blk when there is one */
	hal_ata_init();
}

/*
 * The machine, in dependency order, and the boot phase each step ends.
 * One loop calls them all: under TCG a call site is translated once.
 */
static const struct {
	void (*fn)(void);
	const char *phase;
} steps[] = {
	{ hal_mem_init, "memory map" },
	{ hal_canary_init, NULL },
	{ hal_bsp_init, NULL }, /* CPU 0's descriptors, %gs and %fs */
	{ hal_acpi_init, NULL },
	{ hal_smp_init, "CPUs found" },
	{ hal_paging_init, "paging" },
	{ hal_lapic_init, NULL },
	{ hal_time_init, "clock" },
	/* Devices take their DMA memory before the core gets the rest. */
	{ devices, "devices" },
	{ hal_power_init, NULL },
	{ hal_kbd_init, NULL },
};

void
hal_boot_main(int protocol, uint32_t info)
{
	struct hal_mem_region r[32];
	uint64_t free = 0;
	size_t s;
	int i, n;

	phases[nphases].name = "first instruction";
	phases[nphases++].tsc = hal_boot_tsc0;
	hal_serial_init();
	if (protocol == HAL_PROTO_PVH)
		from_pvh((const struct pvh_start_info *)(uintptr_t)info);
	else
		from_multiboot((const struct mb_info *)(uintptr_t)info);
	/* The clock's window opens now: the rest of the boot is in it. */
	hal_time_start();
	if (hal_boot.nmemmap == 0) {
		hal_printf("toro: the loader gave no memory map\n");
		hal_exit(HAL_EXIT_BOOT);
	}
	for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		steps[s].fn();
		if (steps[s].phase != NULL)
			phase(steps[s].phase);
	}

	if (hal_cmdline_has("loglevel=debug")) {
		n = hal_mem_regions(r, 32);
		for (i = 0; i < n; i++)
			free += r[i].size;
		hal_printf("toro: booted via %s, %d CPU%s, %lu MiB free, "
		    "tsc %lu MHz (%s)\n", hal_boot.protocol, hal_ncpus,
		    hal_ncpus == 1 ? "" : "s", (unsigned long)(free >> 20),
		    (unsigned long)((hal_tsc_hz() + 500000) / 1000000),
		    hal_tsc_source());
		hal_virtio_net_print();
		hal_blk_print();
	}
	kern_boot();
}
