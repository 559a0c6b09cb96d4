/*
 * virtio.h: what the virtio files of hal/native share (virtio 1.0).
 *
 * A struct hal_virtio is one device behind either transport: PCI
 * (virtio_pci.c) or MMIO (virtio_mmio.c) fill it in and supply its ops;
 * virtio.c does the rest the same way for both: the status handshake,
 * feature negotiation, configuration reads and the split virtqueues
 * (spec 2.6).  Device drivers (virtio_net.c) use only what is declared
 * here.  PCI speaks only the modern interface (legacy-only PCI devices
 * are ignored); MMIO speaks both: a legacy (version 1) transport sets
 * `legacy`, and virtio.c then negotiates 32 feature bits without
 * FEATURES_OK and lays each queue out in one contiguous area (spec
 * 2.6.2, "Legacy Interfaces: A Note on Virtqueue Layout").  Everything
 * here runs at boot on CPU 0, except the virtqueue calls and
 * ops->route/ops->ack, which the driver makes later.
 */
#ifndef HAL_NATIVE_VIRTIO_H
#define HAL_NATIVE_VIRTIO_H

#include "hal/native/native.h"

/* Device types (spec 5). */
#define HAL_VIRTIO_NET 1
#define HAL_VIRTIO_BLK 2

/* Device status bits (spec 2.1). */
#define HAL_VIRTIO_ACKNOWLEDGE 1
#define HAL_VIRTIO_DRIVER 2
#define HAL_VIRTIO_DRIVER_OK 4
#define HAL_VIRTIO_FEATURES_OK 8
#define HAL_VIRTIO_FAILED 128

#define HAL_VIRTIO_F_ANY_LAYOUT (1ull << 27) /* legacy only */
#define HAL_VIRTIO_F_VERSION_1 (1ull << 32)

/* Legacy queues: the used ring starts on this boundary, PFNs count it. */
#define HAL_VIRTIO_LEGACY_ALIGN 4096

/* The split virtqueue as the device sees it (spec 2.6). */
struct hal_virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define HAL_VIRTQ_DESC_NEXT 1
#define HAL_VIRTQ_DESC_WRITE 2 /* the device writes the buffer */
#define HAL_VIRTQ_DESC_INDIRECT 4 /* the buffer is a table of descriptors */

struct hal_virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

#define HAL_VIRTQ_AVAIL_NO_INTERRUPT 1

struct hal_virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct hal_virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct hal_virtq_used_elem ring[];
};

#define HAL_VIRTQ_USED_NO_NOTIFY 1

/* One queue, as the driver keeps it. */
struct hal_virtq {
	int index;                   /* the queue's number in the device */
	uint16_t size;               /* entries, a power of two */
	uint16_t avail_idx;          /* our copy of avail->idx */
	uint16_t used_idx;           /* the next used entry to take */
	struct hal_virtq_desc *desc;
	struct hal_virtq_avail *avail;
	struct hal_virtq_used *used;
	uintptr_t notify;            /* write the index here to notify */
	int notify32;                /* as 32 bits (MMIO), else 16 (PCI) */
};

struct hal_virtio;

/* What differs between the transports. */
struct hal_virtio_ops {
	uint8_t (*get_status)(struct hal_virtio *);
	void (*set_status)(struct hal_virtio *, uint8_t);
	uint32_t (*get_features)(struct hal_virtio *, int word);
	void (*set_features)(struct hal_virtio *, int word, uint32_t);
	int (*queue_max)(struct hal_virtio *, int index); /* 0: none */
	int (*queue_setup)(struct hal_virtio *, struct hal_virtq *);
	uint32_t (*config_gen)(struct hal_virtio *);
	uint8_t (*config_read8)(struct hal_virtio *, int off);
	void (*route)(struct hal_virtio *, uint32_t apic_id);
	uint32_t (*ack)(struct hal_virtio *); /* interrupt causes */
};

struct hal_virtio {
	const struct hal_virtio_ops *ops;
	int type;               /* HAL_VIRTIO_NET, ... */
	int vector;             /* our IDT vector for its interrupts */
	/* PCI */
	struct hal_pci_dev pci;
	uintptr_t common, isr, device, notify;
	uint32_t notify_mul;
	uintptr_t msix;         /* MSI-X table, 0 for INTx */
	/* MMIO; 0 for PCI */
	uintptr_t base;
	int legacy; /* a version 1 transport */
	/* IOAPIC input (INTx, MMIO); -1 with MSI-X */
	int gsi;
	uint16_t gsi_flags;
};

/* virtio.c */
int hal_virtio_start(struct hal_virtio *v, uint64_t want, uint64_t *got);
void hal_virtio_ready(struct hal_virtio *v);
void hal_virtio_fail(struct hal_virtio *v);
void hal_virtio_config(struct hal_virtio *v, int off, void *buf, int n);
int hal_virtq_init(struct hal_virtio *v, struct hal_virtq *q, int index,
    int max);
void hal_virtq_post(struct hal_virtq *q, uint16_t head);
void hal_virtq_kick(struct hal_virtq *q, int force);
int hal_virtq_take(struct hal_virtq *q, uint16_t *id, uint32_t *len);
int hal_virtq_peek(const struct hal_virtq *q, uint16_t *id, uint32_t *len);
void hal_virtq_intr(struct hal_virtq *q, int on);

/* virtio_pci.c, virtio_mmio.c: find a device of `type`; 0 or -1. */
int hal_virtio_pci_find(int type, struct hal_virtio *v);
int hal_virtio_mmio_find(int type, struct hal_virtio *v);

#endif
