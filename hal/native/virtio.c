/*
 * virtio.c: the transport-independent half of virtio 1.0.
 *
 * Interface (virtio.h): hal_virtio_start() resets a device and
 * negotiates features (spec 3.1.1 steps 1-6; a legacy device, spec
 * 3.1.2, has 32 feature bits, no VERSION_1 and no FEATURES_OK, and gets
 * ANY_LAYOUT so that a frame may share a buffer with its header),
 * hal_virtio_ready() sets
 * DRIVER_OK, hal_virtio_fail() gives up on it, hal_virtio_config() reads
 * its configuration space consistently; hal_virtq_init() makes a split
 * virtqueue, hal_virtq_post() makes a descriptor chain available,
 * hal_virtq_kick() notifies the device unless it said not to,
 * hal_virtq_take() takes the next used chain, hal_virtq_intr() turns the
 * queue's interrupts on or off.  A legacy queue is one page-aligned area:
 * descriptors, the available ring, then the used ring on the next
 * HAL_VIRTIO_LEGACY_ALIGN boundary.
 *
 * Rules: the rings live in boot memory (physical = virtual), so queues
 * are made at boot.  The device is another agent reading and writing the
 * rings at any time: descriptors and ring entries are written before the
 * index that publishes them (a release store: x86 keeps stores in order,
 * the compiler must too); a used entry is read after the index that
 * published it (an acquire load); and a full fence separates our index
 * or flag write from the read of the device's flag or index that
 * decides whether to notify or sleep (the store-load order x86 does not
 * keep by itself).  A queue belongs to one CPU at a time: no locks.
 */
#include "hal/native/virtio.h"

int
hal_virtio_start(struct hal_virtio *v, uint64_t want, uint64_t *got)
{
	const struct hal_virtio_ops *o = v->ops;
	uint64_t have;
	uint8_t st;
	int spins;

	o->set_status(v, 0);
	/* The reset is done when the status reads 0 again. */
	for (spins = 0; o->get_status(v) != 0; spins++)
		if (spins == 1000000)
			return -1;
	st = HAL_VIRTIO_ACKNOWLEDGE;
	o->set_status(v, st);
	st |= HAL_VIRTIO_DRIVER;
	o->set_status(v, st);
	if (v->legacy) {
		*got = o->get_features(v, 0) &
		    (uint32_t)(want | HAL_VIRTIO_F_ANY_LAYOUT);
		o->set_features(v, 0, (uint32_t)*got);
		return 0;
	}
	have = o->get_features(v, 0) | (uint64_t)o->get_features(v, 1) << 32;
	*got = have & want;
	if (!(*got & HAL_VIRTIO_F_VERSION_1)) {
		hal_virtio_fail(v);
		return -1;
	}
	o->set_features(v, 0, (uint32_t)*got);
	o->set_features(v, 1, (uint32_t)(*got >> 32));
	st |= HAL_VIRTIO_FEATURES_OK;
	o->set_status(v, st);
	if (!(o->get_status(v) & HAL_VIRTIO_FEATURES_OK)) {
		hal_virtio_fail(v);
		return -1;
	}
	return 0;
}

void
hal_virtio_ready(struct hal_virtio *v)
{
	v->ops->set_status(v, v->ops->get_status(v) | HAL_VIRTIO_DRIVER_OK);
}

void
hal_virtio_fail(struct hal_virtio *v)
{
	v->ops->set_status(v, v->ops->get_status(v) | HAL_VIRTIO_FAILED);
}

/* Bytes [off, off + n) of the device configuration, all of one version. */
void
hal_virtio_config(struct hal_virtio *v, int off, void *buf, int n)
{
	uint8_t *b = buf;
	uint32_t gen;
	int i;

	do {
		gen = v->ops->config_gen(v);
		for (i = 0; i < n; i++)
			b[i] = v->ops->config_read8(v, off + i);
	} while (gen != v->ops->config_gen(v));
}

/* A legacy queue: one area, the used ring on its own aligned boundary. */
static void
legacy_layout(struct hal_virtq *q)
{
	size_t ring, used;
	uint8_t *area;

	ring = HAL_ROUNDUP(sizeof(struct hal_virtq_desc) * q->size +
	    sizeof(struct hal_virtq_avail) + sizeof(uint16_t) * (q->size + 1),
	    HAL_VIRTIO_LEGACY_ALIGN);
	used = sizeof(struct hal_virtq_used) +
	    sizeof(struct hal_virtq_used_elem) * q->size + sizeof(uint16_t);
	area = hal_boot_alloc(ring + used); /* page aligned, zeroed */
	q->desc = (struct hal_virtq_desc *)area;
	q->avail = (struct hal_virtq_avail *)(area +
	    sizeof(struct hal_virtq_desc) * q->size);
	q->used = (struct hal_virtq_used *)(area + ring);
}

/* Queue `index` with at most `max` entries; 0, or -1 if there is none. */
int
hal_virtq_init(struct hal_virtio *v, struct hal_virtq *q, int index,
    int max)
{
	int n = v->ops->queue_max(v, index), size = 1;

	if (n <= 0)
		return -1;
	if (n > max)
		n = max;
	while (size * 2 <= n)
		size *= 2;
	memset(q, 0, sizeof(*q));
	q->index = index;
	q->size = (uint16_t)size;
	if (v->legacy) {
		legacy_layout(q);
		return v->ops->queue_setup(v, q);
	}
	q->desc = hal_boot_alloc(sizeof(struct hal_virtq_desc) * size);
	q->avail = hal_boot_alloc(sizeof(struct hal_virtq_avail) +
	    sizeof(uint16_t) * (size + 1));
	q->used = hal_boot_alloc(sizeof(struct hal_virtq_used) +
	    sizeof(struct hal_virtq_used_elem) * size + sizeof(uint16_t));
	return v->ops->queue_setup(v, q);
}

/* Make the chain starting at descriptor `head` available. */
void
hal_virtq_post(struct hal_virtq *q, uint16_t head)
{
	q->avail->ring[q->avail_idx & (q->size - 1)] = head;
	q->avail_idx++;
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
}

/* Tell the device about new buffers, if it wants to hear (or `force`). */
void
hal_virtq_kick(struct hal_virtq *q, int force)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!force && __atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) &
	    HAL_VIRTQ_USED_NO_NOTIFY)
		return;
	if (q->notify32)
		hal_mmio_write32(q->notify, (uint32_t)q->index);
	else
		hal_mmio_write16(q->notify, (uint16_t)q->index);
}

/* Take the next used chain: 1 and its head and length, or 0. */
int
hal_virtq_take(struct hal_virtq *q, uint16_t *id, uint32_t *len)
{
	const struct hal_virtq_used_elem *e;

	if (q->used_idx == __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE))
		return 0;
	e = &q->used->ring[q->used_idx & (q->size - 1)];
	*id = (uint16_t)e->id;
	*len = e->len;
	q->used_idx++;
	return 1;
}

/* Look at the next used chain without taking it: 1, or 0 if none. */
int
hal_virtq_peek(const struct hal_virtq *q, uint16_t *id, uint32_t *len)
{
	const struct hal_virtq_used_elem *e;

	if (q->used_idx == __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE))
		return 0;
	e = &q->used->ring[q->used_idx & (q->size - 1)];
	*id = (uint16_t)e->id;
	*len = e->len;
	return 1;
}

/*
 * Interrupts for this queue on or off (a hint the device may ignore).
 * After turning them on, the caller must look at the used ring once more:
 * the device may have used a buffer before it saw the flag.
 */
void
hal_virtq_intr(struct hal_virtq *q, int on)
{
	__atomic_store_n(&q->avail->flags, on ? 0 :
	    HAL_VIRTQ_AVAIL_NO_INTERRUPT, __ATOMIC_RELAXED);
	if (on)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
