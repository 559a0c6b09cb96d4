/*
 * pci.c: PCI configuration space, bus enumeration and MSI-X.
 *
 * Interface: hal_pci_read32/16/8() and hal_pci_write32/16() at a byte
 * offset of a function's configuration space; hal_pci_present() says
 * whether the machine has PCI at all; hal_pci_scan(fn, arg) calls
 * fn for every function present, until fn returns nonzero; hal_pci_bar()
 * gives the address of a memory BAR; hal_pci_cap() walks the capability
 * list; hal_pci_msix_init() and hal_pci_msix_set() drive MSI-X.
 *
 * Configuration mechanism 1 (address at port 0xcf8, data at 0xcfc) works
 * on QEMU's pc and q35 alike; q35's ECAM is only needed beyond offset
 * 0xff, which nothing here reads.  The address/data pair is not atomic,
 * so configuration access is for boot only: CPU 0, before the other
 * CPUs start (hal_pci_msix_set() is memory access only: any time).  The
 * scan follows PCI-to-PCI bridges from bus 0 instead of probing all 256
 * buses: under KVM every port access is a VM exit.  A machine without a
 * host bridge at 00:00.0 (microvm) has no PCI at all.
 */
#include "hal/native/native.h"

#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc

#define REG_VENDOR 0x00
#define REG_HDR 0x0e
#define REG_BAR0 0x10
#define REG_SECONDARY 0x19
#define REG_CAPS 0x34
#define REG_STATUS 0x06
#define STATUS_CAPS 0x10

#define CAP_MSIX 0x11
#define MSIX_ENABLE 0x8000
#define MSIX_FMASK 0x4000

static uint32_t
addr(const struct hal_pci_dev *d, int off)
{
	return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 |
	    (uint32_t)d->fn << 8 | (uint32_t)(off & 0xfc);
}

uint32_t
hal_pci_read32(const struct hal_pci_dev *d, int off)
{
	hal_outl(CFG_ADDR, addr(d, off));
	return hal_inl(CFG_DATA);
}

uint16_t
hal_pci_read16(const struct hal_pci_dev *d, int off)
{
	return (uint16_t)(hal_pci_read32(d, off) >> (off & 2) * 8);
}

uint8_t
hal_pci_read8(const struct hal_pci_dev *d, int off)
{
	return (uint8_t)(hal_pci_read32(d, off) >> (off & 3) * 8);
}

void
hal_pci_write32(const struct hal_pci_dev *d, int off, uint32_t v)
{
	hal_outl(CFG_ADDR, addr(d, off));
	hal_outl(CFG_DATA, v);
}

void
hal_pci_write16(const struct hal_pci_dev *d, int off, uint16_t v)
{
	/* A 16-bit data access: read-modify-write could clear RW1C bits. */
	hal_outl(CFG_ADDR, addr(d, off));
	hal_outw(CFG_DATA + (off & 2), v);
}

static int scan_bus(int bus, uint8_t *seen,
    int (*fn)(const struct hal_pci_dev *, void *), void *arg);

/* One function: report it, and descend if it is a bridge. */
static int
scan_fn(struct hal_pci_dev *d, uint8_t *seen,
    int (*fn)(const struct hal_pci_dev *, void *), void *arg)
{
	uint32_t id = hal_pci_read32(d, REG_VENDOR);
	int r;

	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->hdr = hal_pci_read8(d, REG_HDR) & 0x7f;
	if ((r = fn(d, arg)) != 0)
		return r;
	if (d->hdr == 1)
		return scan_bus(hal_pci_read8(d, REG_SECONDARY), seen, fn,
		    arg);
	return 0;
}

static int
scan_bus(int bus, uint8_t *seen,
    int (*fn)(const struct hal_pci_dev *, void *), void *arg)
{
	struct hal_pci_dev d;
	int nfn, r;

	/* Seen before: an unconfigured bridge (bus 0) or a loop. */
	if (seen[bus / 8] & 1 << bus % 8)
		return 0;
	seen[bus / 8] |= 1 << bus % 8;
	memset(&d, 0, sizeof(d));
	d.bus = (uint8_t)bus;
	for (d.dev = 0; d.dev < 32; d.dev++) {
		d.fn = 0;
		if (hal_pci_read16(&d, REG_VENDOR) == 0xffff)
			continue;
		nfn = hal_pci_read8(&d, REG_HDR) & 0x80 ? 8 : 1;
		for (d.fn = 0; d.fn < nfn; d.fn++) {
			if (d.fn > 0 && hal_pci_read16(&d, REG_VENDOR) ==
			    0xffff)
				continue;
			if ((r = scan_fn(&d, seen, fn, arg)) != 0)
				return r;
		}
	}
	return 0;
}

/* Is there a host bridge at 00:00.0? */
int
hal_pci_present(void)
{
	static const struct hal_pci_dev host;

	return hal_pci_read16(&host, REG_VENDOR) != 0xffff;
}

int
hal_pci_scan(int (*fn)(const struct hal_pci_dev *, void *), void *arg)
{
	uint8_t seen[32];

	if (!hal_pci_present())
		return 0;
	memset(seen, 0, sizeof(seen));
	return scan_bus(0, seen, fn, arg);
}

/* The address of memory BAR `bar`; 0 for an I/O or unassigned BAR. */
uint64_t
hal_pci_bar(const struct hal_pci_dev *d, int bar)
{
	uint32_t lo;
	uint64_t a;

	if (bar < 0 || bar > 5 || d->hdr != 0)
		return 0;
	lo = hal_pci_read32(d, REG_BAR0 + 4 * bar);
	if (lo & 1)
		return 0;
	a = lo & ~0xfull;
	if ((lo & 6) == 4 && bar < 5)
		a |= (uint64_t)hal_pci_read32(d, REG_BAR0 + 4 * bar + 4) << 32;
	return a;
}

/* The offset of the next capability `id` after offset `after` (0: from
 * the start), or 0 when there is none. */
int
hal_pci_cap(const struct hal_pci_dev *d, int id, int after)
{
	int off, n;

	if (!(hal_pci_read16(d, REG_STATUS) & STATUS_CAPS))
		return 0;
	off = after ? hal_pci_read8(d, after + 1) : hal_pci_read8(d, REG_CAPS);
	/* 48 is the most that fit in 256 bytes: a loop guard. */
	for (n = 0; off >= 0x40 && n < 48; n++) {
		off &= 0xfc;
		if (hal_pci_read8(d, off) == id)
			return off;
		off = hal_pci_read8(d, off + 1);
	}
	return 0;
}

/*
 * Enable MSI-X with every entry masked; returns the table's address (0
 * when the function has no MSI-X or its BAR is not there) and sets *n to
 * the number of entries.  The table is mapped if it lies above 4 GiB.
 */
uintptr_t
hal_pci_msix_init(const struct hal_pci_dev *d, int *n)
{
	uint32_t tab;
	uint64_t bar;
	uintptr_t t;
	uint16_t ctl;
	int cap, i;

	if ((cap = hal_pci_cap(d, CAP_MSIX, 0)) == 0)
		return 0;
	ctl = hal_pci_read16(d, cap + 2);
	tab = hal_pci_read32(d, cap + 4);
	if ((bar = hal_pci_bar(d, tab & 7)) == 0)
		return 0;
	*n = (ctl & 0x7ff) + 1;
	t = (uintptr_t)(bar + (tab & ~7u));
	hal_paging_map_mmio(t, (uint64_t)*n * 16);
	for (i = 0; i < *n; i++)
		hal_mmio_write32(t + 16 * i + 12, 1);
	hal_pci_write16(d, cap + 2, (ctl | MSIX_ENABLE) & ~MSIX_FMASK);
	return t;
}

/* Point MSI-X entry `entry` at a fixed interrupt on one CPU, unmasked. */
void
hal_pci_msix_set(uintptr_t table, int entry, uint32_t apic_id, int vector)
{
	uintptr_t e = table + 16 * (uintptr_t)entry;

	hal_mmio_write32(e + 12, 1);
	hal_mmio_write32(e + 0, 0xfee00000u | apic_id << 12);
	hal_mmio_write32(e + 4, 0);
	hal_mmio_write32(e + 8, (uint32_t)vector);
	hal_mmio_write32(e + 12, 0);
}
