/*
 * virtio_blk.c: a disk on a virtio-blk device (spec 5.2), registered
 * with blk.c behind hal.h's hal_blk_*().
 *
 * Interface: hal_virtio_blk_init() at boot finds the first virtio-blk
 * device (PCI, else MMIO), sets it up and registers it as the next disk;
 * hal_virtio_blk_irq() is the handler of HAL_VEC_BLK.
 *
 * Features: VIRTIO_F_VERSION_1, VIRTIO_BLK_F_RO, VIRTIO_BLK_F_FLUSH
 * (the device caches writes until a flush), VIRTIO_F_INDIRECT_DESC and
 * VIRTIO_BLK_F_SEG_MAX (scatter-gather), nothing else (a legacy MMIO
 * device takes the same requests without VERSION_1); the capacity
 * comes from the configuration space.  Queue 0 carries the requests, each
 * a chain of three descriptors: the 16-byte header (type, sector), the
 * caller's buffer, and the status byte the device writes; a flush has no
 * buffer and skips the middle one.  A request in segments (hal.h) is one
 * indirect descriptor instead, naming the slot's table: the header, a
 * descriptor a segment, the status byte.  Without INDIRECT_DESC the disk
 * takes one buffer only (seg_max 1).
 * Slot i owns descriptors 3i to 3i+2, a header, a status byte and a
 * table in boot memory for good; the free slots wait on a stack, so a
 * full queue is simply an empty stack (-TORO_EAGAIN).  Requests complete
 * in whatever order the device uses them.
 *
 * Rules: the ring and headers come from boot memory, only when there is
 * a device.  The device gets DRIVER_OK and its interrupt on open; from
 * then on submit and complete run on the owner CPU only (hal.h), so
 * nothing takes a lock.  The caller's buffer is handed to the device as
 * it is: RAM is identity mapped, so its address is its physical one.
 * The handler only acknowledges and posts HAL_EV_BLK.
 */
#include "hal/native/virtio.h"
#include "toro/errno.h"

#define F_SEG_MAX (1ull << 2)
#define F_RO (1ull << 5)
#define F_FLUSH (1ull << 9)
#define F_INDIRECT (1ull << 28)
#define TABLE (HAL_BLK_SEG_MAX + 2) /* descriptors of a slot's table */
#define QMAX 192 /* descriptors: 64 requests at most */
#define NSLOT (QMAX / 3)

/* Request types and status (spec 5.2.6). */
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define S_OK 0

/* The largest transfer one data descriptor can say (a 32-bit length). */
#define COUNT_MAX (0xffffffffu / HAL_BLK_SECTOR)

/* struct virtio_blk_req without its data, and the status apart. */
struct hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct slot {
	struct hdr hdr;
	uint8_t status;
	struct hal_blk_req *req;
	struct hal_virtq_desc *table; /* TABLE, with INDIRECT_DESC only */
};

struct vblk {
	struct hal_virtio v;
	struct hal_virtq q;
	struct slot *slots;
	uint16_t free[NSLOT];
	int nfree, nslots;
	uint32_t seg_max;
	int disk;
	bool running;
	char what[48];
};

static struct vblk blk = { .disk = -1 };

static void
open_dev(void *dev, uint32_t apic_id)
{
	struct vblk *b = dev;

	b->v.ops->route(&b->v, apic_id);
	if (!b->running) {
		hal_virtio_ready(&b->v);
		b->running = true;
	}
}

/* Point d at s's table, filled for r's segments (hal.h). */
static void
scatter(struct slot *s, struct hal_blk_req *r, struct hal_virtq_desc *d)
{
	struct hal_virtq_desc *t = s->table;
	uint32_t i, n = r->nseg;

	t[0].addr = (uintptr_t)&s->hdr;
	t[0].len = sizeof(s->hdr);
	t[0].flags = HAL_VIRTQ_DESC_NEXT;
	t[0].next = 1;
	for (i = 0; i < n; i++) {
		t[1 + i].addr = (uintptr_t)r->seg[i].buf;
		t[1 + i].len = r->seg[i].count * HAL_BLK_SECTOR;
		t[1 + i].flags = HAL_VIRTQ_DESC_NEXT |
		    (r->op == HAL_BLK_WRITE ? 0 : HAL_VIRTQ_DESC_WRITE);
		t[1 + i].next = (uint16_t)(2 + i);
	}
	t[n + 1].addr = (uintptr_t)&s->status;
	t[n + 1].len = 1;
	t[n + 1].flags = HAL_VIRTQ_DESC_WRITE;
	t[n + 1].next = 0;
	d->addr = (uintptr_t)t;
	d->len = (n + 2) * sizeof(*t);
	d->flags = HAL_VIRTQ_DESC_INDIRECT;
	d->next = 0;
}

static int
submit(void *dev, struct hal_blk_req *r)
{
	struct vblk *b = dev;
	struct hal_virtq_desc *d;
	struct slot *s;
	uint16_t i, h;

	if (r->count > COUNT_MAX || (r->buf == NULL && r->nseg > b->seg_max))
		return -TORO_EINVAL;
	if (b->nfree == 0)
		return -TORO_EAGAIN; /* a completion's HAL_EV_BLK follows */
	i = b->free[--b->nfree];
	s = &b->slots[i];
	s->hdr.type = r->op == HAL_BLK_FLUSH ? T_FLUSH
	    : r->op == HAL_BLK_WRITE	     ? T_OUT
					     : T_IN;
	s->hdr.reserved = 0;
	s->hdr.sector = r->sector;
	s->status = 0xff; /* a device that says nothing has failed */
	s->req = r;
	h = (uint16_t)(3 * i);
	d = &b->q.desc[h];
	if (r->op != HAL_BLK_FLUSH && r->buf == NULL) {
		scatter(s, r, d);
		hal_virtq_post(&b->q, h);
		hal_virtq_kick(&b->q, 0);
		return 0;
	}
	d[0].addr = (uintptr_t)&s->hdr;
	d[0].len = sizeof(s->hdr);
	d[0].flags = HAL_VIRTQ_DESC_NEXT;
	d[0].next = (uint16_t)(h + 1);
	d[1].addr = (uintptr_t)r->buf;
	d[1].len = r->count * HAL_BLK_SECTOR;
	d[1].flags = HAL_VIRTQ_DESC_NEXT |
	    (r->op == HAL_BLK_WRITE ? 0 : HAL_VIRTQ_DESC_WRITE);
	d[1].next = (uint16_t)(h + 2);
	if (r->op == HAL_BLK_FLUSH)
		d[0].next = (uint16_t)(h + 2);
	d[2].addr = (uintptr_t)&s->status;
	d[2].len = 1;
	d[2].flags = HAL_VIRTQ_DESC_WRITE;
	d[2].next = 0;
	hal_virtq_post(&b->q, h);
	hal_virtq_kick(&b->q, 0);
	return 0;
}

static struct hal_blk_req *
complete(void *dev)
{
	struct vblk *b = dev;
	struct hal_blk_req *r;
	uint32_t len;
	uint16_t id;
	struct slot *s;

	for (;;) {
		if (!hal_virtq_take(&b->q, &id, &len))
			return NULL;
		/* A head we never posted would be a broken device: skip. */
		if (id % 3 != 0 || id / 3 >= b->nslots ||
		    b->slots[id / 3].req == NULL)
			continue;
		s = &b->slots[id / 3];
		r = s->req;
		s->req = NULL;
		b->free[b->nfree++] = (uint16_t)(id / 3);
		r->status = s->status == S_OK ? 0 : -TORO_EIO;
		return r;
	}
}

static const struct hal_blk_ops ops = { open_dev, submit, complete };

static int
setup(struct vblk *b)
{
	struct hal_virtq_desc *t;
	uint64_t f, cap;
	uint32_t seg;
	int i;

	b->v.type = HAL_VIRTIO_BLK;
	b->v.vector = HAL_VEC_BLK;
	if (hal_virtio_start(&b->v,
		HAL_VIRTIO_F_VERSION_1 | F_RO | F_FLUSH | F_INDIRECT |
		    F_SEG_MAX,
		&f) < 0)
		return -1;
	if (hal_virtq_init(&b->v, &b->q, 0, QMAX) < 0) {
		hal_virtio_fail(&b->v);
		return -1;
	}
	/* Three descriptors a request; a tiny queue still takes one. */
	b->nslots = b->q.size / 3;
	if (b->nslots == 0) {
		hal_virtio_fail(&b->v);
		return -1;
	}
	b->slots = hal_boot_alloc(sizeof(struct slot) * (size_t)b->nslots);
	for (i = 0; i < b->nslots; i++)
		b->free[i] = (uint16_t)(b->nslots - 1 - i);
	b->nfree = b->nslots;
	hal_virtio_config(&b->v, 0, &cap, sizeof(cap));
	b->seg_max = 1;
	if (f & F_INDIRECT) {
		b->seg_max = HAL_BLK_SEG_MAX;
		/* The device's own limit (config offset 12), where it has one.
		 */
		if (f & F_SEG_MAX) {
			hal_virtio_config(&b->v, 12, &seg, sizeof(seg));
			if (seg >= 1 && seg < b->seg_max)
				b->seg_max = seg;
		}
		/* Boot memory comes in pages: one block for every table. */
		t = hal_boot_alloc(sizeof(*t) * TABLE * (size_t)b->nslots);
		for (i = 0; i < b->nslots; i++)
			b->slots[i].table = t + (size_t)i * TABLE;
	}
	b->disk = hal_blk_add(&ops, b, cap, (f & F_RO) != 0, (f & F_FLUSH) != 0,
	    b->seg_max, b->what);
	return 0;
}

/* "virtio-blk (pci 00:04.0)", "(mmio)" or "(mmio, legacy)", for
 * hal_blk_print(). */
static void
describe(struct vblk *b)
{
	static const char hex[] = "0123456789abcdef";
	static const char pci[] = "virtio-blk (pci bb:dd.f)";
	static const char mmio[] = "virtio-blk (mmio)";
	static const char legacy[] = "virtio-blk (mmio, legacy)";
	char *p = b->what;

	if (b->v.base != 0) {
		if (b->v.legacy)
			memcpy(p, legacy, sizeof(legacy));
		else
			memcpy(p, mmio, sizeof(mmio));
		return;
	}
	memcpy(p, pci, sizeof(pci));
	p += sizeof("virtio-blk (pci ") - 1; /* at "bb" */
	p[0] = hex[b->v.pci.bus >> 4];
	p[1] = hex[b->v.pci.bus & 15];
	p[3] = hex[b->v.pci.dev >> 4];
	p[4] = hex[b->v.pci.dev & 15];
	p[6] = hex[b->v.pci.fn & 7];
}

void
hal_virtio_blk_init(void)
{
	if (hal_virtio_pci_find(HAL_VIRTIO_BLK, &blk.v) < 0 &&
	    hal_virtio_mmio_find(HAL_VIRTIO_BLK, &blk.v) < 0)
		return;
	describe(&blk);
	if (setup(&blk) < 0)
		hal_printf("toro: virtio-blk: the device refused to start\n");
}

void
hal_virtio_blk_irq(void)
{
	if (blk.disk < 0)
		return;
	blk.v.ops->ack(&blk.v);
	hal_blk_intr(blk.disk);
}
