/*
 * acpi.c: what the HAL reads from the ACPI tables.
 *
 * Interface: hal_acpi_init() at boot fills what the boot needs in
 * hal_acpi: the enabled local APICs (in MADT order), the IOAPICs and the
 * ISA interrupt overrides (MADT), the virtio-mmio devices the DSDT
 * lists (microvm with ACPI on lists them there, not on the command
 * line) and its Generic Event Device (the power button of HW-reduced
 * machines).  hal_acpi_fadt() adds, the first time something needs
 * them, the PM timer, the fixed power button and the power-off
 * registers (FADT) and the S5 sleep type (the \_S5 package in the
 * DSDT): a clock without a better reference and a power-off are rare,
 * a boot is not.  The RSDP comes from the PVH
 * start_info when the loader gave it, else from a scan of the EBDA and
 * 0xe0000-0xfffff.
 * Tables with a bad checksum are ignored.  Without a MADT the machine has
 * one CPU and one IOAPIC at the architectural address (0xfec00000, GSI
 * 0: microvm with acpi=off, Firecracker); without a FADT there is no
 * ACPI power-off.  Code that runs at every boot is kept short (TCG
 * translates each instruction the first time it runs): signatures are
 * compared as words, fields read with plain loads.
 */
#include "hal/native/native.h"

struct sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_revision;
	uint32_t creator;
	uint32_t creator_revision;
} __attribute__((packed));

/* ISA IRQs are GSIs of the same number unless the MADT overrides them. */
struct hal_acpi_info hal_acpi = {
	.isa_gsi = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
};

static const uint8_t *fadt;	/* valid, or NULL */
static volatile int fadt_state; /* 0 unread, 1 being read, 2 read */

/* A table's signature as the word its four bytes make. */
#define SIG(s)                                                                 \
	((uint32_t)(s)[0] | (uint32_t)(s)[1] << 8 | (uint32_t)(s)[2] << 16 |   \
	    (uint32_t)(s)[3] << 24)

static uint8_t
sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n-- > 0)
		s += *b++;
	return s;
}

static uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
scan_rsdp(uint64_t start, uint64_t len)
{
	uint64_t p;

	for (p = start; p + 20 <= start + len; p += 16)
		if (rd64((const uint8_t *)(uintptr_t)p) == 0x2052545020445352 &&
		    sum((const void *)(uintptr_t)p, 20) == 0)
			return p; /* "RSD PTR " */
	return 0;
}

static uint64_t
find_rsdp(void)
{
	uintptr_t bda = 0x40e; /* the EBDA segment, in the BIOS data area */
	uint64_t ebda, p;

	if (hal_boot.rsdp != 0)
		return hal_boot.rsdp;
	__asm__("" : "+r"(bda)); /* a real address, not a NULL offset */
	ebda = (uint64_t)*(volatile uint16_t *)bda << 4;
	if (ebda >= 0x80000 && ebda < 0xa0000 && (p = scan_rsdp(ebda, 1024)))
		return p;
	return scan_rsdp(0xe0000, 0x20000);
}

/* The table at `a` if it has signature `sig` and its checksum holds. */
static const uint8_t *
valid(uint64_t a, uint32_t sig)
{
	const struct sdt *t = (const struct sdt *)(uintptr_t)a;

	if (a - 1 >= 0xffffffffull) /* 0, or above 4 GiB */
		return NULL;
	if ((t->length < sizeof(*t)) | (SIG(t->sig) != sig) ||
	    sum(t, t->length) != 0)
		return NULL;
	return (const uint8_t *)t;
}

static void
parse_madt(const uint8_t *t)
{
	const uint8_t *p = t + 44, *end = t + rd32(t + 4);
	uint32_t id, on;
	int n;

	for (; p + 2 <= end && (p[1] >= 2) & (p + p[1] <= end); p += p[1]) {
		if (p[0] == 1) { /* IOAPIC */
			n = hal_acpi.nioapic;
			if (n < 4) {
				hal_acpi.ioapic_addr[n] = rd32(p + 4);
				hal_acpi.ioapic_gsi[n] = rd32(p + 8);
				hal_acpi.nioapic++;
			}
		} else if (p[0] == 2) { /* interrupt source override */
			if ((p[2] == 0) & (p[3] < 16)) {
				hal_acpi.isa_gsi[p[3]] = rd32(p + 4);
				hal_acpi.isa_flags[p[3]] = rd16(p + 8);
			}
		} else if ((p[0] == 0) | (p[0] == 9)) {
			/*
			 * A processor local APIC, or x2APIC (of which xAPIC
			 * mode reaches those below 255), if enabled.
			 */
			id = p[0] == 0 ? p[3] : rd32(p + 4);
			on = rd32(p + (p[0] == 0 ? 4 : 8)) & 1;
			if (on & (id < 255) & (hal_acpi.ncpus < HAL_CPU_MAX))
				hal_acpi.apic_ids[hal_acpi.ncpus++] = id;
		}
	}
}

/* A ZeroOp, OneOp, BytePrefix or WordPrefix integer; -1 otherwise. */
static int
aml_int(const uint8_t **pp)
{
	const uint8_t *p = *pp;

	switch (p[0]) {
	case 0x00:
	case 0x01:
		*pp = p + 1;
		return p[0];
	case 0x0a:
		*pp = p + 2;
		return p[1];
	case 0x0b:
		*pp = p + 3;
		return rd16(p + 1);
	}
	return -1;
}

/* Find Name(_S5, Package() {typ_a, typ_b, ...}) in the DSDT. */
static void
parse_s5(const uint8_t *t)
{
	const uint8_t *p = t + sizeof(struct sdt);
	const uint8_t *end = t + rd32(t + 4);

	for (; p + 12 < end; p++) {
		if (rd32(p) != SIG("_S5_") || p[4] != 0x12)
			continue;
		if (p[-1] != 0x08 && !(p[-1] == '\\' && p[-2] == 0x08))
			continue;
		p += 5;
		p += 1 + (p[0] >> 6); /* PkgLength */
		p++;                  /* NumElements */
		hal_acpi.s5_typ_a = aml_int(&p);
		hal_acpi.s5_typ_b = aml_int(&p);
		return;
	}
}

/* An extended Interrupt descriptor (tag 0x89) at q: its first GSI. */
static void
ext_irq(const uint8_t *q, uint32_t *gsi, uint16_t *flags)
{
	*gsi = rd32(q + 5);
	*flags = (q[3] & 2 ? HAL_INTI_EDGE : HAL_INTI_LEVEL) |
	    (q[3] & 4 ? HAL_INTI_LOW : HAL_INTI_HIGH);
}

/*
 * A virtio-mmio device (_HID "LNRO0005") at p, the name's string: the
 * resource template that follows, Memory32Fixed (tag 0x86, 9 bytes of
 * body) then an extended Interrupt.
 */
static void
virtio_mmio_at(const uint8_t *p, const uint8_t *lim)
{
	struct hal_acpi_mmio *m;
	const uint8_t *q;

	for (q = p + 10; q + 21 <= lim; q++)
		if (((rd32(q) & 0xffffff) == 0x000986) & (q[12] == 0x89) &
		    (q[16] >= 1))
			break;
	if (q + 21 > lim || hal_acpi.nvirtio_mmio == HAL_ACPI_MMIO_MAX)
		return;
	m = &hal_acpi.virtio_mmio[hal_acpi.nvirtio_mmio++];
	m->base = rd32(q + 4);
	m->size = rd32(q + 8);
	ext_irq(q + 12, &m->gsi, &m->flags);
}

/*
 * The Generic Event Device (_HID "ACPI0013") at p: the extended
 * Interrupt of its _CRS and the SystemMemory OperationRegion (0x5b
 * 0x80, a name, space 0, a DWord or QWord offset) of its event
 * selector, which _EVT reads: bit 1 is the power button.
 */
static void
ged_at(const uint8_t *p, const uint8_t *lim)
{
	const uint8_t *q;

	for (q = p + 10; q + 9 <= lim; q++)
		if ((q[0] == 0x89) & (q[1] >= 6) & (q[2] == 0))
			break;
	if (q + 9 > lim || q[4] < 1)
		return;
	ext_irq(q, &hal_acpi.ged_gsi, &hal_acpi.ged_flags);
	for (; q + 16 <= lim; q++) {
		if (q[0] != 0x5b || q[1] != 0x80 || q[6] != 0)
			continue;
		if (q[7] == 0x0c)
			hal_acpi.ged_base = rd32(q + 8);
		/* Only the first 4 GiB are mapped for devices at boot. */
		else if (q[7] == 0x0e && rd64(q + 8) < 1ull << 32)
			hal_acpi.ged_base = rd64(q + 8);
		return;
	}
}

/*
 * The devices the boot needs from the DSDT, by _HID: virtio-mmio ones
 * and the Generic Event Device.  No AML interpreter: like QEMU's
 * microvm, what we read must be literal data within 128 bytes after the
 * _HID string (a string prefix, then the name).
 */
static void
parse_devices(const uint8_t *t)
{
	const uint8_t *p = t + sizeof(struct sdt), *end = t + rd32(t + 4);
	uint64_t id;

	for (; p + 10 < end; p++) {
		if (p[0] != 0x0d)
			continue;
		id = rd64(p + 1);
		if (id == 0x353030304f524e4c) /* "LNRO0005" */
			virtio_mmio_at(p, p + 128 < end ? p + 128 : end);
		else if (id == 0x3331303049504341) /* "ACPI0013" */
			ged_at(p, p + 128 < end ? p + 128 : end);
	}
}

/* The DSDT the FADT names, valid, or NULL. */
static const uint8_t *
dsdt(const uint8_t *f)
{
	uint64_t a = rd32(f + 40);

	if (rd32(f + 4) >= 148 && rd64(f + 140) != 0)
		a = rd64(f + 140);
	return valid(a, SIG("DSDT"));
}

void
hal_acpi_fadt(void)
{
	const uint8_t *f = fadt, *d;
	uint32_t len;
	int expect = 0;

	if (__atomic_load_n(&fadt_state, __ATOMIC_ACQUIRE) == 2)
		return;
	if (!__atomic_compare_exchange_n(&fadt_state, &expect, 1, 0,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		while (__atomic_load_n(&fadt_state, __ATOMIC_ACQUIRE) != 2)
			__asm__ volatile("pause");
		return;
	}
	hal_acpi.s5_typ_a = hal_acpi.s5_typ_b = -1;
	if (f != NULL) {
		len = rd32(f + 4);
		hal_acpi.pm1a_cnt = (uint16_t)rd32(f + 64);
		hal_acpi.pm1b_cnt = (uint16_t)rd32(f + 68);
		if (f[91] == 4) {
			hal_acpi.pm_tmr = (uint16_t)rd32(f + 76);
			hal_acpi.pm_tmr_32 = (rd32(f + 112) >> 8) & 1;
		}
		if (len >= 116)
			hal_acpi.hw_reduced = (rd32(f + 112) >> 20) & 1;
		/* Flag PWR_BUTTON clear: the fixed-feature button. */
		if (len >= 116 && !hal_acpi.hw_reduced &&
		    !(rd32(f + 112) & 0x10) && rd32(f + 56) != 0 &&
		    f[88] >= 4) {
			hal_acpi.pwrbtn = 1;
			hal_acpi.sci_irq = rd16(f + 46);
			hal_acpi.smi_cmd = rd32(f + 48);
			hal_acpi.acpi_enable = f[52];
			hal_acpi.pm1a_evt = (uint16_t)rd32(f + 56);
			hal_acpi.pm1_evt_len = f[88];
		}
		/* HW-reduced machines (microvm) power off through this. */
		if (len >= 256 && rd64(f + 248) != 0) {
			hal_acpi.sleep_ctl = rd64(f + 248);
			hal_acpi.sleep_ctl_io = f[244] == 1;
		}
		if ((d = dsdt(f)) != NULL)
			parse_s5(d);
	}
	__atomic_store_n(&fadt_state, 2, __ATOMIC_RELEASE);
}

void
hal_acpi_init(void)
{
	const uint8_t *rsdp, *root, *e, *t;
	uint64_t a;
	int wide;

	if ((a = find_rsdp()) == 0)
		goto out;
	rsdp = (const uint8_t *)(uintptr_t)a;
	wide = rsdp[15] >= 2 && rd64(rsdp + 24) != 0 &&
	    sum(rsdp, rd32(rsdp + 20)) == 0;
	root = wide ? valid(rd64(rsdp + 24), SIG("XSDT")) :
		      valid(rd32(rsdp + 16), SIG("RSDT"));
	if (root == NULL)
		goto out;
	for (e = root + sizeof(struct sdt);
	     e + (wide ? 8 : 4) <= root + rd32(root + 4); e += wide ? 8 : 4) {
		a = wide ? rd64(e) : rd32(e);
		if ((t = valid(a, SIG("APIC"))) != NULL)
			parse_madt(t);
		else if ((t = valid(a, SIG("FACP"))) != NULL) {
			fadt = t;
			if ((t = dsdt(t)) != NULL)
				parse_devices(t);
		}
	}
out:
	if (hal_acpi.nioapic == 0) {
		hal_acpi.ioapic_addr[0] = 0xfec00000;
		hal_acpi.ioapic_gsi[0] = 0;
		hal_acpi.nioapic = 1;
	}
}
