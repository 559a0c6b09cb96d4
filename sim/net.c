/*
 * net.c: the machine's NIC, between the kernel's network CPU and a
 * backend on the host (libslirp, a TAP interface, or none).
 *
 * Interface: sim_net_init() picks the backend of --net at boot;
 * sim_net_open/send/recv/peek serve hal.h's NIC.  The TAP backend is
 * read and written by the NIC's CPU directly (net_tap.c), with the
 * offloads it negotiates.  The libslirp backend has none: its received
 * frames come through sim_net_input() into the RX queue, each one
 * posting HAL_EV_NET to the NIC's CPU, and frames sent wait in the TX
 * queue, which it drains with sim_net_tx_take() on the loop thread.
 * Every frame that crosses the NIC also goes to the --pcap file.
 *
 * Rules: each queue is a bounded ring with one producer and one consumer
 * (the loop thread and the NIC's CPU), so neither side takes a lock.  A
 * full RX queue drops the frame and counts it: the loop never waits for
 * the kernel.  A full TX queue makes sim_net_send() fail with -EAGAIN,
 * and HAL_EV_NET follows once the loop has made room.  Frames that arrive
 * before hal_net_open() are dropped, as on a NIC nobody has enabled.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hal/hal.h"
#include "sim/sim.h"

enum { RING_FRAMES = 512 }; /* a power of two */
enum { ETHER_HDR_LEN = 14 };

struct slot {
	uint16_t len;
	uint8_t data[HAL_NET_FRAME_MAX];
};

/* Frames [tail, head) are queued; the counters only grow. */
struct ring {
	_Atomic size_t head __attribute__((aligned(64))); /* producer's */
	_Atomic size_t tail __attribute__((aligned(64))); /* consumer's */
	struct slot *slots;
};

static struct ring rx, tx;
static _Atomic int net_cpu = -1; /* the CPU that opened the NIC */
static atomic_bool tx_blocked;   /* a send found the TX queue full */
static bool queued_tx;           /* the backend drains the TX queue */

/* Received frames dropped, by reason (written by the loop thread). */
static _Atomic uint64_t drop_full, drop_closed, drop_big;

static void
ring_init(struct ring *r)
{
	if ((r->slots = calloc(RING_FRAMES, sizeof(*r->slots))) == NULL)
		sim_fatal("out of memory for the NIC's queues");
}

/* Producer: copy a frame in; false when the ring is full. */
static bool
ring_put(struct ring *r, const void *frame, size_t len)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct slot *s;

	if (h - atomic_load_explicit(&r->tail, memory_order_acquire) ==
	    RING_FRAMES)
		return false;
	s = &r->slots[h % RING_FRAMES];
	memcpy(s->data, frame, len);
	s->len = (uint16_t)len;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return true;
}

/* Consumer: the oldest frame's length, 0, or -EMSGSIZE (dropped). */
static int
ring_get(struct ring *r, void *buf, size_t size)
{
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	struct slot *s;
	int n;

	if (atomic_load_explicit(&r->head, memory_order_acquire) == t)
		return 0;
	s = &r->slots[t % RING_FRAMES];
	if (s->len > size) {
		n = -EMSGSIZE;
	} else {
		memcpy(buf, s->data, s->len);
		n = s->len;
	}
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return n;
}

/* At exit: say so if the kernel lost frames it should have had. */
static void
report_drops(void)
{
	uint64_t full = atomic_load(&drop_full), big = atomic_load(&drop_big);

	if (full > 0)
		dprintf(STDERR_FILENO, "%s: net: %llu received frames dropped:"
		    " the kernel's queue was full\n", sim_config.prog,
		    (unsigned long long)full);
	if (big > 0)
		dprintf(STDERR_FILENO, "%s: net: %llu received frames dropped:"
		    " longer than %d bytes (the host's MTU is above %d?)\n",
		    sim_config.prog, (unsigned long long)big,
		    HAL_NET_FRAME_MAX, SIM_NET_MTU);
}

void
sim_net_init(struct uv_loop_s *loop)
{
	if (sim_config.pcap != NULL)
		sim_pcap_open(sim_config.pcap);
	if (sim_config.net == SIM_NET_NONE)
		return;
	switch (sim_config.net) {
	case SIM_NET_USER:
		ring_init(&rx);
		sim_at_exit(report_drops);
		ring_init(&tx);
		queued_tx = true;
		sim_slirp_init(loop);
		break;
	case SIM_NET_TAP:
		sim_tap_init(sim_config.tap);
		break;
	default:
		sim_fatal("net: unknown backend %d", (int)sim_config.net);
	}
}

int
sim_net_open(int cpu, uint8_t mac[6], uint16_t *mtu, uint32_t *offloads)
{
	if (sim_config.net == SIM_NET_NONE)
		return -ENODEV;
	if (cpu < 0 || cpu >= sim_config.cpus)
		return -EINVAL;
	memcpy(mac, sim_config.mac, 6);
	*mtu = SIM_NET_MTU;
	/* First: the TAP may post HAL_EV_NET as soon as it is set up. */
	atomic_store(&net_cpu, cpu);
	*offloads = queued_tx ? 0 : sim_tap_offloads(*offloads);
	return 0;
}

/* The NIC's functions but open run on its CPU only: catch core bugs. */
static int
check_cpu(const char *fn)
{
	int cpu = atomic_load_explicit(&net_cpu, memory_order_relaxed);

	if (cpu < 0)
		return -ENODEV;
	if (cpu != sim_cpu_self)
		sim_fatal("%s on CPU %d, but the NIC belongs to CPU %d", fn,
		    sim_cpu_self, cpu);
	return 0;
}

/* Queue a frame for the libslirp backend (which has no offloads). */
static int
queue_tx(const void *frame, size_t len, const struct hal_net_meta *m)
{
	if (!ring_put(&tx, frame, len)) {
		/*
		 * Ask for HAL_EV_NET, then look again: the loop may have
		 * drained the queue before it could see the request.
		 */
		atomic_store(&tx_blocked, true);
		if (!ring_put(&tx, frame, len)) {
			sim_slirp_kick();
			return -EAGAIN;
		}
	}
	sim_slirp_kick();
	return 0;
}

int
sim_net_send(const void *frame, size_t len, const struct hal_net_meta *m)
{
	bool gso = m != NULL && m->gso_type != HAL_NET_GSO_NONE;
	int error;

	if ((error = check_cpu("hal_net_send")) != 0)
		return error;
	if (len < ETHER_HDR_LEN ||
	    len > (gso ? HAL_NET_GSO_MAX : HAL_NET_FRAME_MAX))
		return -EMSGSIZE;
	return sim_pcap_send(queued_tx ? queue_tx : sim_tap_send, frame, len,
	    m);
}

int
sim_net_recv(void *buf, size_t size, struct hal_net_meta *m)
{
	int error, n;

	if ((error = check_cpu("hal_net_recv")) != 0)
		return error;
	if (!queued_tx)
		return sim_tap_recv(buf, size, m);
	memset(m, 0, sizeof(*m));
	if ((n = ring_get(&rx, buf, size)) > 0)
		sim_pcap_write(buf, (size_t)n, NULL);
	return n;
}

size_t
sim_net_peek(void)
{
	size_t t = atomic_load_explicit(&rx.tail, memory_order_relaxed);

	if (check_cpu("hal_net_peek") != 0)
		return 0;
	if (!queued_tx)
		return sim_tap_peek();
	if (atomic_load_explicit(&rx.head, memory_order_acquire) == t)
		return 0;
	return rx.slots[t % RING_FRAMES].len;
}

void
sim_net_input(const void *frame, size_t len)
{
	int cpu = atomic_load_explicit(&net_cpu, memory_order_relaxed);

	if (cpu < 0) {
		atomic_fetch_add_explicit(&drop_closed, 1,
		    memory_order_relaxed);
		return;
	}
	if (len > HAL_NET_FRAME_MAX) {
		atomic_fetch_add_explicit(&drop_big, 1, memory_order_relaxed);
		return;
	}
	if (!ring_put(&rx, frame, len)) {
		atomic_fetch_add_explicit(&drop_full, 1, memory_order_relaxed);
		return;
	}
	sim_cpu_post(cpu, HAL_EV_NET);
}

int
sim_net_tx_take(void *buf, size_t size)
{
	int n;

	if ((n = ring_get(&tx, buf, size)) == 0 &&
	    atomic_exchange(&tx_blocked, false))
		sim_net_notify();
	return n;
}

void
sim_net_watch(int fd, short events)
{
	int cpu = atomic_load(&net_cpu);

	if (cpu >= 0)
		sim_cpu_watch(cpu, fd, events, HAL_EV_NET);
}

void
sim_net_notify(void)
{
	int cpu = atomic_load(&net_cpu);

	if (cpu >= 0)
		sim_cpu_post(cpu, HAL_EV_NET);
}
