/*
 * virtio_pci.c: the virtio PCI transport, modern interface (spec 4.1).
 *
 * Interface (virtio.h): hal_virtio_pci_find(type, v) finds the first
 * virtio PCI function of that device type, modern (device id 0x1040 +
 * type) or transitional (0x1000-0x103f, type in the subsystem id), maps
 * its structures and fills v with ops for the rest of virtio.
 *
 * The modern interface is found through vendor capabilities (id 0x09)
 * that point into memory BARs: common configuration, notifications, ISR
 * status and device configuration; the first of each kind is used.  A
 * transitional device (QEMU's default on pc and q35) has them too; a
 * device without them is legacy only and is ignored.  Interrupts: MSI-X
 * when the function has it (no IOAPIC or _PRT needed), all queues on
 * table entry 0, configuration changes on none; else INTx through the
 * IOAPIC input the firmware wrote into the Interrupt Line register,
 * level triggered, active high as QEMU wires it unless the MADT says
 * otherwise.  BARs the firmware put above 4 GiB get mapped.
 */
#include "hal/native/virtio.h"

#define VENDOR_VIRTIO 0x1af4

#define REG_COMMAND 0x04
#define CMD_MEM 0x0002
#define CMD_MASTER 0x0004
#define CMD_INTX_OFF 0x0400
#define REG_SUBSYS 0x2e
#define REG_INT_LINE 0x3c
#define REG_INT_PIN 0x3d

#define CAP_VENDOR 0x09
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4

/* struct virtio_pci_common_cfg */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_NUMQ 0x12
#define C_STATUS 0x14
#define C_CFGGEN 0x15
#define C_QSELECT 0x16
#define C_QSIZE 0x18
#define C_QMSIX 0x1a
#define C_QENABLE 0x1c
#define C_QNOFF 0x1e
#define C_QDESC 0x20
#define C_QAVAIL 0x28
#define C_QUSED 0x30

struct find {
	int type;
	struct hal_virtio *v;
};

static uint8_t
get_status(struct hal_virtio *v)
{
	return hal_mmio_read8(v->common + C_STATUS);
}

static void
set_status(struct hal_virtio *v, uint8_t st)
{
	hal_mmio_write8(v->common + C_STATUS, st);
}

static uint32_t
get_features(struct hal_virtio *v, int word)
{
	hal_mmio_write32(v->common + C_DFSELECT, (uint32_t)word);
	return hal_mmio_read32(v->common + C_DF);
}

static void
set_features(struct hal_virtio *v, int word, uint32_t f)
{
	hal_mmio_write32(v->common + C_GFSELECT, (uint32_t)word);
	hal_mmio_write32(v->common + C_GF, f);
}

static int
queue_max(struct hal_virtio *v, int index)
{
	if (index >= hal_mmio_read16(v->common + C_NUMQ))
		return 0;
	hal_mmio_write16(v->common + C_QSELECT, (uint16_t)index);
	return hal_mmio_read16(v->common + C_QSIZE);
}

/* 64-bit fields are written as two 32-bit halves, low first. */
static void
write64(uintptr_t a, uint64_t v)
{
	hal_mmio_write32(a, (uint32_t)v);
	hal_mmio_write32(a + 4, (uint32_t)(v >> 32));
}

static int
queue_setup(struct hal_virtio *v, struct hal_virtq *q)
{
	uintptr_t c = v->common;

	hal_mmio_write16(c + C_QSELECT, (uint16_t)q->index);
	hal_mmio_write16(c + C_QSIZE, q->size);
	if (v->msix != 0) {
		hal_mmio_write16(c + C_QMSIX, 0);
		/* The device answers NO_VECTOR (0xffff) when it refuses. */
		if (hal_mmio_read16(c + C_QMSIX) != 0)
			return -1;
	}
	write64(c + C_QDESC, (uintptr_t)q->desc);
	write64(c + C_QAVAIL, (uintptr_t)q->avail);
	write64(c + C_QUSED, (uintptr_t)q->used);
	q->notify = v->notify + (uintptr_t)hal_mmio_read16(c + C_QNOFF) *
	    v->notify_mul;
	q->notify32 = 0;
	hal_mmio_write16(c + C_QENABLE, 1);
	return 0;
}

static uint32_t
config_gen(struct hal_virtio *v)
{
	return hal_mmio_read8(v->common + C_CFGGEN);
}

static uint8_t
config_read8(struct hal_virtio *v, int off)
{
	return v->device != 0 ? hal_mmio_read8(v->device + off) : 0;
}

static void
route(struct hal_virtio *v, uint32_t apic_id)
{
	if (v->msix != 0)
		hal_pci_msix_set(v->msix, 0, apic_id, v->vector);
	else
		hal_ioapic_route_gsi((uint32_t)v->gsi, v->gsi_flags, v->vector,
		    apic_id);
}

static uint32_t
ack(struct hal_virtio *v)
{
	/* MSI-X interrupts are edges with nothing to acknowledge. */
	if (v->msix != 0)
		return 1;
	return hal_mmio_read8(v->isr); /* reading clears it, and INTx */
}

static const struct hal_virtio_ops ops = {
	get_status, set_status, get_features, set_features, queue_max,
	queue_setup, config_gen, config_read8, route, ack,
};

/* Where the INTx line goes: the MADT's override, else QEMU's wiring. */
static int
intx(const struct hal_pci_dev *d, struct hal_virtio *v)
{
	int line = hal_pci_read8(d, REG_INT_LINE);

	if (hal_pci_read8(d, REG_INT_PIN) == 0 || line == 0 || line == 0xff)
		return -1;
	v->gsi = line;
	v->gsi_flags = HAL_INTI_LEVEL | HAL_INTI_HIGH;
	if (line < 16) {
		v->gsi = (int)hal_acpi.isa_gsi[line];
		if (hal_acpi.isa_flags[line] != 0)
			v->gsi_flags = hal_acpi.isa_flags[line];
	}
	return 0;
}

/* Map the modern structures and set the function up; 0 or -1. */
static int
setup(const struct hal_pci_dev *d, struct hal_virtio *v)
{
	uintptr_t at[5] = { 0 };
	uint64_t bar;
	uint32_t off, len;
	uint16_t cmd;
	int cap, cfg, n;

	for (cap = hal_pci_cap(d, CAP_VENDOR, 0); cap != 0;
	    cap = hal_pci_cap(d, CAP_VENDOR, cap)) {
		cfg = hal_pci_read8(d, cap + 3);
		if (cfg < CFG_COMMON || cfg > CFG_DEVICE || at[cfg] != 0)
			continue;
		if ((bar = hal_pci_bar(d, hal_pci_read8(d, cap + 4))) == 0)
			continue;
		off = hal_pci_read32(d, cap + 8);
		len = hal_pci_read32(d, cap + 12);
		hal_paging_map_mmio(bar + off, len);
		at[cfg] = (uintptr_t)(bar + off);
		if (cfg == CFG_NOTIFY)
			v->notify_mul = hal_pci_read32(d, cap + 16);
	}
	if (at[CFG_COMMON] == 0 || at[CFG_NOTIFY] == 0 || at[CFG_ISR] == 0)
		return -1;
	v->ops = &ops;
	v->pci = *d;
	v->common = at[CFG_COMMON];
	v->notify = at[CFG_NOTIFY];
	v->isr = at[CFG_ISR];
	v->device = at[CFG_DEVICE];
	v->base = 0;
	v->gsi = -1;
	cmd = hal_pci_read16(d, REG_COMMAND) | CMD_MEM | CMD_MASTER;
	if ((v->msix = hal_pci_msix_init(d, &n)) != 0)
		cmd |= CMD_INTX_OFF;
	else if (intx(d, v) == 0)
		cmd &= ~CMD_INTX_OFF;
	else
		return -1;
	hal_pci_write16(d, REG_COMMAND, cmd);
	return 0;
}

static int
match(const struct hal_pci_dev *d, void *arg)
{
	struct find *f = arg;

	if (d->vendor != VENDOR_VIRTIO || d->hdr != 0)
		return 0;
	if (d->device != 0x1040 + f->type && !(d->device >= 0x1000 &&
	    d->device <= 0x103f && hal_pci_read16(d, REG_SUBSYS) == f->type))
		return 0;
	return setup(d, f->v) == 0;
}

int
hal_virtio_pci_find(int type, struct hal_virtio *v)
{
	struct find f;

	f.type = type;
	f.v = v;
	return hal_pci_scan(match, &f) ? 0 : -1;
}
