/*
 * virtio_net.c: the NIC, a virtio-net device (spec 5.1), behind hal.h's
 * hal_net_open(), hal_net_send(), hal_net_recv() and hal_net_peek().
 *
 * Interface: hal_virtio_net_init() at boot finds the first virtio-net
 * device (PCI, else MMIO) and sets it up; hal_virtio_net_print() says
 * what it found (loglevel=debug); hal_virtio_net_irq() is the handler of
 * HAL_VEC_NET; hal.h's hal_net_* calls.
 *
 * Features: VIRTIO_F_VERSION_1 and VIRTIO_NET_F_MAC, and each offload
 * the device offers (QEMU: csum=, guest_csum=, host_tso4=, guest_tso4=,
 * mrg_rxbuf= switch them): CSUM (it finishes our partial checksums),
 * HOST_TSO4 (it cuts our TCP segments), GUEST_CSUM (it may hand us
 * partial or verified checksums), MRG_RXBUF (a frame may span several
 * receive buffers) and GUEST_TSO4 (coalesced TCP segments), the last
 * only with MRG_RXBUF and GUEST_CSUM, so that 2 KiB receive buffers are
 * always enough.  hal_net_open() puts in effect what the core asks for
 * of those; a received checksum it did not ask for (offload=off) is
 * finished or forgotten here, so the core verifies it.  Every frame
 * sits behind a 12-byte struct virtio_net_hdr (10 bytes on a legacy
 * device without MRG_RXBUF: no num_buffers).  Queue 0 receives: each descriptor owns a 2 KiB
 * buffer for good and goes back to the device as soon as hal_net_recv()
 * has copied its part of a frame out.  Queue 1 sends: each descriptor
 * owns a 2 KiB buffer too; a frame takes a chain of as many as it needs
 * (a 64 KiB segment, 33), the free ones wait on a stack, and
 * hal_net_send() copies the frame in behind its header and takes back,
 * on its way, the chains the device is done with.  It asks for a
 * transmit interrupt only when the ring is full, so that HAL_EV_NET
 * follows its -TORO_EAGAIN; receive interrupts stay on.
 *
 * Rules: rings and buffers (about 1 MiB for 256-entry queues) come from
 * boot memory, and only when there is a NIC.  The device gets DRIVER_OK
 * and its interrupt on hal_net_open(); from then on send and receive run
 * on the owner CPU only (hal.h), so nothing here takes a lock.  The
 * handler only acknowledges the interrupt and posts HAL_EV_NET to the
 * owner.  What the device writes is checked: a bad id or length drops
 * the frame, never reads outside a buffer.
 */
#include "hal/native/virtio.h"
#include "toro/errno.h"

#define F_CSUM (1ull << 0)
#define F_GUEST_CSUM (1ull << 1)
#define F_MAC (1ull << 5)
#define F_GUEST_TSO4 (1ull << 7)
#define F_HOST_TSO4 (1ull << 11)
#define F_MRG_RXBUF (1ull << 15)
#define HDR 12   /* struct virtio_net_hdr with VIRTIO_F_VERSION_1 */
#define HDR_LEGACY 10 /* a legacy device's without MRG_RXBUF: no num_buffers */
#define BUF 2048 /* a buffer: header and frame, or part of a frame */
#define QMAX 256
#define MTU 1500
#define ETHER_HDR 14

/* struct virtio_net_hdr (spec 5.1.6), little-endian fields. */
#define H_NEEDS_CSUM 1
#define H_DATA_VALID 2
#define H_GSO_TCPV4 1
#define H_GSO_ECN 0x80

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
static uint64_t feat;     /* negotiated */
static size_t hdr = HDR;  /* the header's length on this device */
static uint32_t offloads; /* HAL_NET_* in effect */
static uint32_t asked;    /* HAL_NET_* the core asked for */

/* The offloads the device offers, as features we may take together. */
static uint64_t
offload_features(void)
{
	uint64_t have = nic.ops->get_features(&nic, 0), f = 0;

	if (have & F_CSUM)
		f |= F_CSUM | (have & F_HOST_TSO4);
	if (have & F_GUEST_CSUM) {
		f |= F_GUEST_CSUM | (have & F_MRG_RXBUF);
		if ((have & F_MRG_RXBUF) && (have & F_GUEST_TSO4))
			f |= F_GUEST_TSO4;
	} else {
		f |= have & F_MRG_RXBUF;
	}
	return f;
}

static int
setup(void)
{
	uint64_t want = HAL_VIRTIO_F_VERSION_1 | F_MAC | offload_features();
	int i;

	nic.type = HAL_VIRTIO_NET;
	nic.vector = HAL_VEC_NET;
	if (hal_virtio_start(&nic, want, &feat) < 0)
		return -1;
	hdr = (feat & (HAL_VIRTIO_F_VERSION_1 | F_MRG_RXBUF)) ? HDR : HDR_LEGACY;
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
	if (feat & F_MAC) {
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
	hal_printf("toro: NIC features:%s%s%s%s%s%s\n",
	    (feat & (F_CSUM | F_GUEST_CSUM | F_MRG_RXBUF)) == 0 ? " none" : "",
	    (feat & F_CSUM) ? " csum" : "", (feat & F_HOST_TSO4) ?
	    " host_tso4" : "", (feat & F_GUEST_CSUM) ? " guest_csum" : "",
	    (feat & F_GUEST_TSO4) ? " guest_tso4" : "", (feat & F_MRG_RXBUF) ?
	    " mrg_rxbuf" : "");
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
	uint32_t o = 0;

	if (!found)
		return -TORO_ENODEV;
	if (cpu < 0 || cpu >= hal_ncpus)
		return -TORO_EINVAL;
	/*
	 * Sending is ours to choose.  Receiving is what was negotiated at
	 * boot: unasked, partial checksums are finished here and verified
	 * ones reported plain, so the core checks them all; coalesced
	 * segments still come (the core takes them).
	 */
	asked = info->offloads;
	if ((feat & F_CSUM) && (asked & HAL_NET_TX_CSUM)) {
		o |= HAL_NET_TX_CSUM;
		if ((feat & F_HOST_TSO4) && (asked & HAL_NET_TX_TSO4))
			o |= HAL_NET_TX_TSO4;
	}
	if ((feat & F_GUEST_CSUM) && (asked & HAL_NET_RX_CSUM))
		o |= HAL_NET_RX_CSUM;
	if (feat & F_GUEST_TSO4)
		o |= HAL_NET_RX_LRO;
	offloads = o;
	info->offloads = o;
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

/* Take back the transmit chains the device is done with. */
static void
reclaim(void)
{
	uint32_t len;
	uint16_t id;
	int n;

	while (hal_virtq_take(&txq, &id, &len))
		for (n = 0; id < txq.size && ntxfree < txq.size &&
		    n < txq.size; n++) {
			txfree[ntxfree++] = id;
			if (!(txq.desc[id].flags & HAL_VIRTQ_DESC_NEXT))
				break;
			id = txq.desc[id].next;
		}
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The header of a frame sent with m. */
static void
tx_header(uint8_t *h, const uint8_t *frame, size_t len,
    const struct hal_net_meta *m)
{
	memset(h, 0, HDR);
	if (m == NULL)
		return;
	if ((m->flags & HAL_NET_M_CSUM_PARTIAL) && (offloads & HAL_NET_TX_CSUM)) {
		h[0] = H_NEEDS_CSUM;
		put16(h + 6, m->csum_start);
		put16(h + 8, m->csum_offset);
	}
	if (m->gso_type == HAL_NET_GSO_TCPV4 && m->csum_start + 20u <= len) {
		h[1] = H_GSO_TCPV4;
		/* Ethernet, IP and TCP headers, by TCP's data offset. */
		put16(h + 2, (uint16_t)(m->csum_start +
		    (frame[m->csum_start + 12] >> 4) * 4));
		put16(h + 4, m->gso_size);
	}
}

/* Room for n descriptors, or -TORO_EAGAIN with an interrupt to come. */
static int
tx_room(int n)
{
	reclaim();
	if (ntxfree < n) {
		/* Full: ask for an interrupt, then look once more. */
		if (!txintr) {
			hal_virtq_intr(&txq, 1);
			txintr = 1;
		}
		reclaim();
		if (ntxfree < n)
			return -TORO_EAGAIN;
	}
	if (txintr) {
		hal_virtq_intr(&txq, 0);
		txintr = 0;
	}
	return 0;
}

int
hal_net_send(const void *frame, size_t len, const struct hal_net_meta *m)
{
	const uint8_t *f = frame;
	bool gso = m != NULL && m->gso_type != HAL_NET_GSO_NONE;
	size_t off, k, total;
	uint16_t id, head = 0, prev = 0;
	int n, i, err;

	if (!running)
		return -TORO_ENODEV;
	if (len < ETHER_HDR || len > (gso ? HAL_NET_GSO_MAX :
	    HAL_NET_FRAME_MAX) || (gso && !(offloads & HAL_NET_TX_TSO4)))
		return -TORO_EMSGSIZE;
	total = hdr + len;
	n = (int)((total + BUF - 1) / BUF);
	if ((err = tx_room(n)) < 0)
		return err;
	/* The header, then the frame, across a chain of n buffers. */
	for (i = 0, off = 0; i < n; i++) {
		id = txfree[--ntxfree];
		k = total - off < BUF ? total - off : BUF;
		if (i == 0) {
			tx_header(txbuf + (size_t)id * BUF, f, len, m);
			memcpy(txbuf + (size_t)id * BUF + hdr, f, k - hdr);
			head = id;
		} else {
			memcpy(txbuf + (size_t)id * BUF, f + off - hdr, k);
			txq.desc[prev].flags = HAL_VIRTQ_DESC_NEXT;
			txq.desc[prev].next = id;
		}
		txq.desc[id].len = (uint32_t)k;
		txq.desc[id].flags = 0;
		off += k;
		prev = id;
	}
	hal_virtq_post(&txq, head);
	hal_virtq_kick(&txq, 0);
	return 0;
}

int
hal_net_tx_pending(void)
{
	if (!running)
		return 0;
	reclaim();
	return txq.size - ntxfree;
}

/* Give receive buffer id back to the device. */
static void
rx_recycle(uint16_t id)
{
	hal_virtq_post(&rxq, id);
	hal_virtq_kick(&rxq, 0);
}

/* The buffers of the oldest frame (1 without MRG_RXBUF), 0: a bad one. */
static int
rx_nbufs(uint16_t id)
{
	int n;

	if (!(feat & F_MRG_RXBUF))
		return 1;
	n = get16(rxbuf + (size_t)id * BUF + 10);
	return n >= 1 && n <= rxq.size ? n : 0;
}

size_t
hal_net_peek(void)
{
	uint32_t len;
	uint16_t id;
	int n;

	if (!running || !hal_virtq_peek(&rxq, &id, &len))
		return 0;
	if (id >= rxq.size || (n = rx_nbufs(id)) == 0)
		return BUF; /* broken: hal_net_recv() drops it */
	return (size_t)n * BUF - hdr;
}

/* The offload data of a received frame, as the device gives it. */
static void
rx_meta(const uint8_t *h, struct hal_net_meta *m)
{
	memset(m, 0, sizeof(*m));
	if ((feat & F_GUEST_CSUM) && (h[0] & H_NEEDS_CSUM)) {
		m->flags = HAL_NET_M_CSUM_PARTIAL;
		m->csum_start = get16(h + 6);
		m->csum_offset = get16(h + 8);
	} else if ((feat & F_GUEST_CSUM) && (h[0] & H_DATA_VALID)) {
		m->flags = HAL_NET_M_CSUM_VALID;
	}
	if ((offloads & HAL_NET_RX_LRO) &&
	    (h[1] & ~H_GSO_ECN) == H_GSO_TCPV4) {
		m->gso_type = HAL_NET_GSO_TCPV4;
		m->gso_size = get16(h + 4);
	}
}

/*
 * Take one frame of n buffers (the first is id, len bytes) into buf;
 * its length, or -TORO_EMSGSIZE (dropped, every buffer recycled).
 */
static int
rx_gather(uint16_t id, uint32_t len, int n, uint8_t *buf, size_t size,
    struct hal_net_meta *m)
{
	size_t got = 0;
	int i, bad = 0;

	len = len > BUF ? BUF : len;
	if (len < hdr || n == 0)
		bad = 1;
	else
		rx_meta(rxbuf + (size_t)id * BUF, m);
	for (i = 0; i < n || (i == 0 && n == 0); i++) {
		if (i > 0) {
			if (!hal_virtq_take(&rxq, &id, &len) ||
			    id >= rxq.size)
				return -TORO_EMSGSIZE; /* broken device */
			len = len > BUF ? BUF : len;
		}
		if (!bad) {
			uint32_t skip = i == 0 ? (uint32_t)hdr : 0;

			if (got + len - skip > size)
				bad = 1;
			else
				memcpy(buf + got, rxbuf + (size_t)id * BUF +
				    skip, len - skip);
			got += len - skip;
		}
		rx_recycle(id);
	}
	return bad ? -TORO_EMSGSIZE : (int)got;
}

/*
 * A checksum the core did not ask the device to handle: finish a partial
 * one here (the one's-complement sum from csum_start to the end), and
 * forget that one was verified.
 */
static void
rx_unasked(uint8_t *f, size_t len, struct hal_net_meta *m)
{
	size_t at = (size_t)m->csum_start + m->csum_offset, i;
	uint32_t sum = 0;

	if ((asked & HAL_NET_RX_CSUM) || m->flags == 0)
		return;
	if ((m->flags & HAL_NET_M_CSUM_PARTIAL) && m->csum_start < len &&
	    at + 2 <= len) {
		for (i = m->csum_start; i + 1 < len; i += 2)
			sum += (uint32_t)(f[i] << 8 | f[i + 1]);
		if (i < len)
			sum += (uint32_t)f[i] << 8;
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		sum = ~sum & 0xffff;
		if (sum == 0)
			sum = 0xffff; /* UDP's 0 says "none"; the same for TCP */
		f[at] = (uint8_t)(sum >> 8);
		f[at + 1] = (uint8_t)sum;
	}
	m->flags = 0;
	m->csum_start = m->csum_offset = 0;
}

int
hal_net_recv(void *buf, size_t size, struct hal_net_meta *m)
{
	uint32_t len;
	uint16_t id;
	int r;

	memset(m, 0, sizeof(*m));
	if (!running)
		return 0;
	do {
		if (!hal_virtq_take(&rxq, &id, &len))
			return 0;
		if (id >= rxq.size) {
			r = 0;
			continue; /* a broken device: nothing to recycle */
		}
		r = rx_gather(id, len, rx_nbufs(id), buf, size, m);
	} while (r == 0); /* 0 would say "nothing waiting": skip empties */
	if (r > 0)
		rx_unasked(buf, (size_t)r, m);
	return r;
}
