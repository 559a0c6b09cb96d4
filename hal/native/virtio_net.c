/*
 * virtio_net.c: the NIC, a virtio-net device (spec 5.1), behind hal.h's
 * hal_net_open(), hal_net_send() and hal_net_recv().
 *
 * Interface: hal_virtio_net_init() at boot finds the first virtio-net
 * device (PCI, else MMIO) and sets it up; hal_virtio_net_print() says
 * what it found (loglevel=debug); hal_virtio_net_irq() is the handler of
 * HAL_VEC_NET.
 *
 * Features: VIRTIO_F_VERSION_1 and VIRTIO_NET_F_MAC, nothing else: no
 * checksum offload, no GSO, no merged receive buffers, so every frame is
 * one buffer behind a 12-byte struct virtio_net_hdr (10 bytes on a
 * legacy device: no num_buffers without VERSION_1).  Queue 0 receives:
 * each descriptor owns a 2 KiB buffer for good and goes back to the
 * device as soon as hal_net_recv() has copied its frame out.  Queue 1
 * sends: each descriptor owns a 2 KiB buffer too and the free ones wait
 * on a stack; hal_net_send() copies the frame in behind a zeroed header
 * and takes back, on its way, the buffers the device is done with.  It
 * asks for a transmit interrupt only when the ring is full, so that
 * HAL_EV_NET follows its -TORO_EAGAIN; receive interrupts stay on.
 *
 * Rules: rings and buffers (about 1 MiB for 256-entry queues) come from
 * boot memory, and only when there is a NIC.  The device gets DRIVER_OK
 * and its interrupt on hal_net_open(); from then on send and receive run
 * on the owner CPU only (hal.h), so nothing here takes a lock.  The
 * handler only acknowledges the interrupt and posts HAL_EV_NET to the
 * owner.
 */
#include "hal/native/virtio.h"
#include "toro/errno.h"

#define F_MAC (1ull << 5)
#define HDR 12   /* struct virtio_net_hdr with VIRTIO_F_VERSION_1 */
#define HDR_LEGACY 10 /* without it */
#define BUF 2048 /* a buffer: header and frame */
#define QMAX 256
#define MTU 1500
#define ETHER_HDR 14

static struct hal_virtio nic;
static struct hal_virtq rxq, txq;
static uint8_t *rxbuf, *txbuf;
static uint16_t txfree[QMAX];
static int ntxfree;
static int txintr;   /* transmit interrupts are on */
static int found;
static int running;  /* DRIVER_OK given */
static int owner = -1;
static uint8_t mac[6];
static int hdr = HDR; /* the header's length on this device */

static int
setup(void)
{
	uint64_t f;
	int i;

	nic.type = HAL_VIRTIO_NET;
	nic.vector = HAL_VEC_NET;
	if (hal_virtio_start(&nic, HAL_VIRTIO_F_VERSION_1 | F_MAC, &f) < 0)
		return -1;
	hdr = (f & HAL_VIRTIO_F_VERSION_1) ? HDR : HDR_LEGACY;
	if (hal_virtq_init(&nic, &rxq, 0, QMAX) < 0 ||
	    hal_virtq_init(&nic, &txq, 1, QMAX) < 0) {
		hal_virtio_fail(&nic);
		return -1;
	}
	rxbuf = hal_boot_alloc((size_t)rxq.size * BUF);
	txbuf = hal_boot_alloc((size_t)txq.size * BUF);
	for (i = 0; i < rxq.size; i++) {
		rxq.desc[i].addr = (uintptr_t)rxbuf + (uintptr_t)i * BUF;
		rxq.desc[i].len = BUF;
		rxq.desc[i].flags = HAL_VIRTQ_DESC_WRITE;
		hal_virtq_post(&rxq, (uint16_t)i);
	}
	for (i = 0; i < txq.size; i++) {
		txq.desc[i].addr = (uintptr_t)txbuf + (uintptr_t)i * BUF;
		txfree[i] = (uint16_t)(txq.size - 1 - i);
	}
	ntxfree = txq.size;
	hal_virtq_intr(&txq, 0);
	if (f & F_MAC) {
		hal_virtio_config(&nic, 0, mac, 6);
	} else {
		/* QEMU's prefix (locally administered), then the TSC. */
		uint64_t t = hal_rdtsc();

		mac[0] = 0x52;
		mac[1] = 0x54;
		mac[2] = 0x00;
		mac[3] = (uint8_t)(t >> 4);
		mac[4] = (uint8_t)(t >> 12);
		mac[5] = (uint8_t)(t >> 20);
	}
	return 0;
}

void
hal_virtio_net_init(void)
{
	if (hal_virtio_pci_find(HAL_VIRTIO_NET, &nic) < 0 &&
	    hal_virtio_mmio_find(HAL_VIRTIO_NET, &nic) < 0)
		return;
	if (setup() < 0) {
		hal_printf("toro: virtio-net: the device refused to start\n");
		return;
	}
	found = 1;
}

void
hal_virtio_net_print(void)
{
	static const char hex[] = "0123456789abcdef";
	const char *irq = nic.msix != 0 ? "MSI-X entry" : "GSI";
	const char *how = nic.msix != 0 ? "" :
	    (nic.gsi_flags & HAL_INTI_LEVEL) == HAL_INTI_LEVEL ? " level" :
	    " edge";
	int i, line = nic.msix != 0 ? 0 : nic.gsi;
	char m[18];

	if (!found)
		return;
	for (i = 0; i < 6; i++) {
		m[3 * i] = hex[mac[i] >> 4];
		m[3 * i + 1] = hex[mac[i] & 15];
		m[3 * i + 2] = i < 5 ? ':' : '\0';
	}
	/* One call, one line. */
	if (nic.base != 0)
		hal_printf("toro: NIC virtio-mmio%s at 0x%lx, MAC %s, "
		    "%s %d%s, vector 0x%x\n", nic.legacy ? " (legacy)" : "",
		    (unsigned long)nic.base, m, irq, line, how, nic.vector);
	else
		hal_printf("toro: NIC virtio-pci %02x:%02x.%x (%s) at "
		    "0x%lx, MAC %s, %s %d%s, vector 0x%x\n", nic.pci.bus,
		    nic.pci.dev, nic.pci.fn, nic.pci.device == 0x1000 ?
		    "transitional" : "modern", (unsigned long)nic.common, m,
		    irq, line, how, nic.vector);
}

void
hal_virtio_net_irq(void)
{
	int cpu;

	if (!found)
		return;
	nic.ops->ack(&nic);
	cpu = __atomic_load_n(&owner, __ATOMIC_RELAXED);
	if (cpu >= 0)
		hal_cpu_post(cpu, HAL_EV_NET);
}

int
hal_net_open(int cpu, struct hal_net_info *info)
{
	if (!found)
		return -TORO_ENODEV;
	if (cpu < 0 || cpu >= hal_ncpus)
		return -TORO_EINVAL;
	__atomic_store_n(&owner, cpu, __ATOMIC_SEQ_CST);
	nic.ops->route(&nic, hal_pcpus[cpu].apic_id);
	if (!__atomic_exchange_n(&running, 1, __ATOMIC_SEQ_CST)) {
		hal_virtio_ready(&nic);
		hal_virtq_kick(&rxq, 1);
	}
	memcpy(info->mac, mac, sizeof(info->mac));
	info->mtu = MTU;
	/* Frames may have come before the interrupt was routed. */
	hal_cpu_post(cpu, HAL_EV_NET);
	return 0;
}

/* Take back the transmit buffers the device is done with. */
static void
reclaim(void)
{
	uint32_t len;
	uint16_t id;

	while (hal_virtq_take(&txq, &id, &len))
		if (id < txq.size && ntxfree < txq.size)
			txfree[ntxfree++] = id;
}

int
hal_net_send(const void *frame, size_t len)
{
	uint8_t *b;
	uint16_t id;

	if (!running)
		return -TORO_ENODEV;
	if (len < ETHER_HDR || len > HAL_NET_FRAME_MAX)
		return -TORO_EMSGSIZE;
	reclaim();
	if (ntxfree == 0) {
		/* Full: ask for an interrupt, then look once more. */
		if (!txintr) {
			hal_virtq_intr(&txq, 1);
			txintr = 1;
		}
		reclaim();
		if (ntxfree == 0)
			return -TORO_EAGAIN;
	}
	if (txintr) {
		hal_virtq_intr(&txq, 0);
		txintr = 0;
	}
	id = txfree[--ntxfree];
	b = txbuf + (size_t)id * BUF;
	memset(b, 0, (size_t)hdr);
	memcpy(b + hdr, frame, len);
	txq.desc[id].len = (uint32_t)(hdr + len);
	txq.desc[id].flags = 0;
	hal_virtq_post(&txq, id);
	hal_virtq_kick(&txq, 0);
	return 0;
}

int
hal_net_recv(void *buf, size_t size)
{
	uint32_t len;
	uint16_t id;
	int r;

	if (!running)
		return 0;
	do {
		if (!hal_virtq_take(&rxq, &id, &len))
			return 0;
		r = 0;
		if (id >= rxq.size)
			continue; /* a broken device: nothing to recycle */
		if (len > BUF)
			len = BUF;
		len = len > (uint32_t)hdr ? len - (uint32_t)hdr : 0;
		if (len > size) {
			r = -TORO_EMSGSIZE;
		} else {
			memcpy(buf, rxbuf + (size_t)id * BUF + hdr, len);
			r = (int)len;
		}
		hal_virtq_post(&rxq, id);
		hal_virtq_kick(&rxq, 0);
	} while (r == 0); /* 0 would say "nothing waiting": skip empties */
	return r;
}
