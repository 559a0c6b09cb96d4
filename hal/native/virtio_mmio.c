/*
 * virtio_mmio.c: the virtio MMIO transport, versions 1 and 2 (spec 4.2).
 *
 * Interface: hal_virtio_mmio_init() once at boot, before the core reads
 * the command line, returns how many transports there are; hal_virtio_mmio_find(type, v) (virtio.h) takes the
 * first transport holding a device of that type and fills v with ops.
 *
 * MMIO has no discovery of its own: the machine says where transports
 * are.  QEMU's microvm says it in the DSDT when ACPI is on (its default;
 * acpi.c collects those) and on the kernel command line when ACPI is off
 * (auto-kernel-cmdline), with words like
 * `virtio_mmio.device=512@0xfeb00e00:12` (size, base, GSI; Linux's
 * syntax, which Firecracker uses too).  Both are read; init strips those
 * words from hal_cmdline() so they never reach main's argv.  Interrupts
 * go through the IOAPIC, level triggered and active high unless ACPI
 * says otherwise: the device holds its line up until it is acknowledged.
 * Both versions are driven: version 2 (modern, spec 4.2.2) and version
 * 1 (legacy, spec 4.2.4), which QEMU 7.2's microvm makes by default
 * unless told `-global virtio-mmio.force-legacy=false`.  A legacy
 * transport has 32 feature bits, no QueueReady and no config generation;
 * a queue is one area given by its page number (QueuePFN, in units of
 * GuestPageSize) with the used ring at QueueAlign (virtio.c lays it out).
 */
#include "hal/native/virtio.h"

#define MAGIC 0x74726976 /* "virt" */

#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DFEATURES 0x010
#define R_DFSEL 0x014
#define R_GFEATURES 0x020
#define R_GFSEL 0x024
#define R_GPAGESIZE 0x028 /* legacy */
#define R_QSEL 0x030
#define R_QNUM_MAX 0x034
#define R_QNUM 0x038
#define R_QALIGN 0x03c /* legacy */
#define R_QPFN 0x040   /* legacy */
#define R_QREADY 0x044
#define R_QNOTIFY 0x050
#define R_ISTATUS 0x060
#define R_IACK 0x064
#define R_STATUS 0x070
#define R_QDESC 0x080
#define R_QDRIVER 0x090
#define R_QDEVICE 0x0a0
#define R_CFGGEN 0x0fc
#define R_CONFIG 0x100

#define WORD "virtio_mmio.device="
#define NDEV 16

static struct hal_acpi_mmio devs[NDEV];
static int taken[NDEV];
static int ndevs;

static uint32_t
rd(struct hal_virtio *v, int reg)
{
	return hal_mmio_read32(v->base + reg);
}

static void
wr(struct hal_virtio *v, int reg, uint32_t x)
{
	hal_mmio_write32(v->base + reg, x);
}

static uint8_t
get_status(struct hal_virtio *v)
{
	return (uint8_t)rd(v, R_STATUS);
}

static void
set_status(struct hal_virtio *v, uint8_t st)
{
	wr(v, R_STATUS, st);
}

/* A legacy device has one word of features: the second reads as 0. */
static uint32_t
get_features(struct hal_virtio *v, int word)
{
	if (v->legacy && word != 0)
		return 0;
	wr(v, R_DFSEL, (uint32_t)word);
	return rd(v, R_DFEATURES);
}

static void
set_features(struct hal_virtio *v, int word, uint32_t f)
{
	if (v->legacy && word != 0)
		return;
	wr(v, R_GFSEL, (uint32_t)word);
	wr(v, R_GFEATURES, f);
}

/* A queue already in use (ready, or a legacy one with a page) is none. */
static int
queue_max(struct hal_virtio *v, int index)
{
	wr(v, R_QSEL, (uint32_t)index);
	if (rd(v, v->legacy ? R_QPFN : R_QREADY) != 0)
		return 0;
	return (int)rd(v, R_QNUM_MAX);
}

static void
write64(struct hal_virtio *v, int reg, uint64_t x)
{
	wr(v, reg, (uint32_t)x);
	wr(v, reg + 4, (uint32_t)(x >> 32));
}

/* Legacy: the area's page number says where all three parts are. */
static int
queue_setup_legacy(struct hal_virtio *v, struct hal_virtq *q)
{
	uintptr_t pfn = (uintptr_t)q->desc / HAL_VIRTIO_LEGACY_ALIGN;

	if (pfn > 0xffffffffu)
		return -1;
	wr(v, R_GPAGESIZE, HAL_VIRTIO_LEGACY_ALIGN);
	wr(v, R_QSEL, (uint32_t)q->index);
	wr(v, R_QNUM, q->size);
	wr(v, R_QALIGN, HAL_VIRTIO_LEGACY_ALIGN);
	wr(v, R_QPFN, (uint32_t)pfn);
	q->notify = v->base + R_QNOTIFY;
	q->notify32 = 1;
	return 0;
}

static int
queue_setup(struct hal_virtio *v, struct hal_virtq *q)
{
	if (v->legacy)
		return queue_setup_legacy(v, q);
	wr(v, R_QSEL, (uint32_t)q->index);
	wr(v, R_QNUM, q->size);
	write64(v, R_QDESC, (uintptr_t)q->desc);
	write64(v, R_QDRIVER, (uintptr_t)q->avail);
	write64(v, R_QDEVICE, (uintptr_t)q->used);
	q->notify = v->base + R_QNOTIFY;
	q->notify32 = 1;
	wr(v, R_QREADY, 1);
	return 0;
}

/* Legacy has no generation: the caller reads once and takes it. */
static uint32_t
config_gen(struct hal_virtio *v)
{
	return v->legacy ? 0 : rd(v, R_CFGGEN);
}

static uint8_t
config_read8(struct hal_virtio *v, int off)
{
	return hal_mmio_read8(v->base + R_CONFIG + off);
}

static void
route(struct hal_virtio *v, uint32_t apic_id)
{
	hal_ioapic_route_gsi((uint32_t)v->gsi, v->gsi_flags, v->vector,
	    apic_id);
}

static uint32_t
ack(struct hal_virtio *v)
{
	uint32_t st = rd(v, R_ISTATUS);

	if (st != 0)
		wr(v, R_IACK, st); /* lowers the line */
	return st;
}

static const struct hal_virtio_ops ops = {
	get_status, set_status, get_features, set_features, queue_max,
	queue_setup, config_gen, config_read8, route, ack,
};

/* Device memory can be neither low memory nor RAM: a bad word is. */
static int
plausible(uint64_t base, uint32_t size)
{
	const struct hal_boot_range *r;
	int i;

	if (base < 0x100000 || base % 4 != 0 || size < R_CONFIG)
		return 0;
	for (i = 0; i < hal_boot.nmemmap; i++) {
		r = &hal_boot.memmap[i];
		if (r->type == 1 && base < r->base + r->size &&
		    base + size > r->base)
			return 0;
	}
	return 1;
}

static void
add(uint64_t base, uint32_t size, uint32_t gsi, uint16_t flags)
{
	int i;

	for (i = 0; i < ndevs; i++)
		if (devs[i].base == base)
			return;
	if (ndevs == NDEV || !plausible(base, size)) {
		hal_printf("toro: virtio-mmio at 0x%lx: ignored\n",
		    (unsigned long)base);
		return;
	}
	devs[ndevs].base = base;
	devs[ndevs].size = size;
	devs[ndevs].gsi = gsi;
	devs[ndevs].flags = flags;
	ndevs++;
}

/* A number as Linux writes it: 0x for hex; a size may end in K, M, G. */
static int
num(const char **pp, uint64_t *v, int suffix)
{
	const char *p = *pp;
	uint64_t x = 0;
	int base = 10, d, any = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		x = x * base + d;
		any = 1;
	}
	d = 0;
	if (suffix && (*p == 'K' || *p == 'k'))
		d = 10;
	else if (suffix && (*p == 'M' || *p == 'm'))
		d = 20;
	else if (suffix && (*p == 'G' || *p == 'g'))
		d = 30;
	if (d != 0)
		p++;
	*v = x << d;
	*pp = p;
	return any ? 0 : -1;
}

/* `<size>@<base>:<gsi>[:<id>]`, up to a space or the end. */
static void
parse(const char *p)
{
	uint64_t size, base, gsi;

	if (num(&p, &size, 1) < 0 || *p++ != '@' || num(&p, &base, 0) < 0 ||
	    *p++ != ':' || num(&p, &gsi, 0) < 0)
		return;
	if (*p != ' ' && *p != '\0' && *p != ':')
		return;
	add(base, (uint32_t)size, (uint32_t)gsi,
	    HAL_INTI_LEVEL | HAL_INTI_HIGH);
}

/* Take the virtio_mmio.device= words out of the command line. */
static void
strip(char *s)
{
	char *w = s, *e;
	size_t n = sizeof(WORD) - 1;

	while (*w != '\0') {
		if (*w == ' ' || (w > s && w[-1] != ' ') ||
		    strncmp(w, WORD, n) != 0) {
			w++;
			continue;
		}
		parse(w + n);
		for (e = w; *e != '\0' && *e != ' '; e++)
			;
		/* Drop the word and the space before it (or after it). */
		if (w > s)
			w--;
		else if (*e == ' ')
			e++;
		memmove(w, e, strlen(e) + 1);
	}
}

int
hal_virtio_mmio_init(void)
{
	int i;

	strip(hal_boot.cmdline);
	for (i = 0; i < hal_acpi.nvirtio_mmio; i++)
		add(hal_acpi.virtio_mmio[i].base, hal_acpi.virtio_mmio[i].size,
		    hal_acpi.virtio_mmio[i].gsi, hal_acpi.virtio_mmio[i].flags);
	return ndevs;
}

int
hal_virtio_mmio_find(int type, struct hal_virtio *v)
{
	uint32_t version;
	int i;

	for (i = 0; i < ndevs; i++) {
		if (taken[i])
			continue;
		hal_paging_map_mmio(devs[i].base, devs[i].size);
		v->base = (uintptr_t)devs[i].base;
		if (rd(v, R_MAGIC) != MAGIC ||
		    (int)rd(v, R_DEVICE_ID) != type)
			continue;
		version = rd(v, R_VERSION);
		if (version != 1 && version != 2) {
			hal_printf("toro: virtio-mmio at 0x%lx: version %u, "
			    "ignored\n", (unsigned long)v->base,
			    (unsigned)version);
			continue;
		}
		taken[i] = 1;
		v->legacy = version == 1;
		v->ops = &ops;
		v->gsi = (int)devs[i].gsi;
		v->gsi_flags = devs[i].flags;
		v->msix = 0;
		return 0;
	}
	v->base = 0;
	return -1;
}
