/*
 * netif.c: the network interface and the network thread.
 *
 * Interface: net_start() (net.h) takes the NIC for one CPU, the network
 * CPU, and starts the "net" thread there; stack.h lists the rest.  The
 * thread loops: receive every waiting frame, push out frames the NIC had
 * no room for, deliver packets sent to ourselves, run the protocols'
 * timers, then sleep until the earliest deadline.  HAL_EV_NET wakes it.
 *
 * Without a NIC, net_start() leaves the stack down and the first socket
 * call starts it with the loopback alone (net_start_loopback()).
 *
 * Rules: the stack's state is touched only on the network CPU: by this
 * thread, or by message handlers in its scheduler (socket requests), and
 * neither ever blocks half-way through an update.  So no lock is needed.
 * Addresses and offloads are netcfg.c's; frames carry their checksum and segmentation state both ways in the
 * net_buf (net.h), and a partial checksum is finished here in software
 * when the NIC cannot, or the packet loops back to ourselves.
 */
#include "core/lib/lib.h"
#include "core/net/stack.h"
#include "core/sched/sched.h"
#include "toro/errno.h"
#include "toro/thread.h"

#define RX_BATCH 64    /* frames per round before other threads run */
#define TX_BACKLOG 128 /* frames held while the NIC's ring is full */
#define LOOP_MAX 64    /* packets to ourselves waiting for delivery */
#define THREAD_STACK (64u * 1024)
#define RX_COPY_MAX 2048 /* a frame read into the spare this long: copied */

struct net_iface net_if = { .cpu = -1 };
struct toro_net_stats net_stats;

static struct list txq, loopq;
static uint64_t sleeping_until; /* the thread's deadline; 0: awake */
static int ntxq, nloopq;
static uint64_t rng;
static int lazy_cpu = -1;      /* no NIC: the loopback's CPU, made later */
static volatile int lazy_state; /* 0, 1 being made, 2 made, 3 failed */
static uint8_t scratch[HAL_NET_GSO_MAX];
static struct net_buf *rx_spare; /* for frames of unknown length */

uint64_t
net_now(void)
{
	return hal_time_ns();
}

/*
 * xorshift64*, seeded from lib_random(): enough for DHCP's transaction
 * IDs, ports and jitter, cheap on the network CPU.  Secrets come from
 * lib_random() itself.
 */
uint32_t
net_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

void
net_wakeup(void)
{
	if (net_if.thread != NULL)
		sched_wake(net_if.thread);
}

void
net_timer_hint(uint64_t when)
{
	if (when < sleeping_until)
		net_wakeup();
}

static void
on_net_event(void)
{
	net_wakeup();
}

/* The NIC's view of b's offload state. */
static void
tx_meta(const struct net_buf *b, struct hal_net_meta *m)
{
	memset(m, 0, sizeof(*m));
	if (b->csum == NET_CSUM_PARTIAL) {
		m->flags = HAL_NET_M_CSUM_PARTIAL;
		m->csum_start = (uint16_t)(NET_ETH_HLEN +
		    (b->data[NET_ETH_HLEN] & 0x0f) * 4);
		m->csum_offset = b->csum_off;
	}
	if (b->gso_size != 0) {
		m->gso_type = HAL_NET_GSO_TCPV4;
		m->gso_size = b->gso_size;
	}
}

/* Fill in a partial transport checksum (of an IP packet at b->data). */
void
net_csum_finish(struct net_buf *b)
{
	size_t hlen = (size_t)(b->data[0] & 0x0f) * 4;
	uint8_t *l4 = b->data + hlen;

	if (b->csum != NET_CSUM_PARTIAL || hlen + b->csum_off + 2 > b->len)
		return;
	net_put16(l4 + b->csum_off,
	    net_csum_fold(net_csum_add(0, l4, b->len - hlen)));
	b->csum = NET_CSUM_NONE;
}

/* Send b now: 0, or -TORO_EAGAIN (keep it), else it is gone. */
static int
tx_one(struct net_buf *b)
{
	struct hal_net_meta m;
	int err;

	if (b->csum == NET_CSUM_PARTIAL &&
	    !(net_if.offloads & HAL_NET_TX_CSUM)) {
		net_buf_pull(b, NET_ETH_HLEN);
		net_csum_finish(b);
		net_buf_push(b, NET_ETH_HLEN);
	}
	tx_meta(b, &m);
	err = hal_net_send(b->data, b->len, &m);
	if (err == -TORO_EAGAIN)
		return err;
	if (err < 0) {
		net_stats.tx_errors++;
	} else {
		net_stats.tx_frames++;
		net_stats.tx_bytes += b->len;
		if (b->gso_size != 0)
			net_stats.tx_gso++;
	}
	net_buf_free(b);
	return 0;
}

void
net_tx(struct net_buf *b)
{
	/*
	 * Without a NIC (the loopback alone) no frame leaves; and TCP asks
	 * for TSO only when the NIC has it, else it is a bug.
	 */
	if (!net_if.up || (b->gso_size != 0 &&
	    !(net_if.offloads & HAL_NET_TX_TSO4))) {
		net_stats.tx_errors++;
		net_buf_free(b);
		return;
	}
	if (list_empty(&txq) && tx_one(b) == 0)
		return;
	/* Keep the order: once frames wait, new ones wait behind them. */
	if (ntxq >= TX_BACKLOG) {
		net_stats.tx_full++;
		net_buf_free(b);
		return;
	}
	list_push_back(&txq, &b->link);
	ntxq++;
}

static void
tx_flush(void)
{
	struct net_buf *b;

	while (!list_empty(&txq)) {
		b = container_of(txq.next, struct net_buf, link);
		list_remove(&b->link);
		if (tx_one(b) == -TORO_EAGAIN) {
			list_push_front(&txq, &b->link);
			return;
		}
		ntxq--;
	}
}

void
net_loopback(struct net_buf *b)
{
	if (nloopq >= LOOP_MAX) {
		net_stats.tx_full++;
		net_buf_free(b);
		return;
	}
	/* It never left the machine: nothing to verify, or to cut. */
	if (b->csum == NET_CSUM_PARTIAL)
		b->csum = NET_CSUM_OK;
	b->gso_size = 0;
	list_push_back(&loopq, &b->link);
	nloopq++;
	net_wakeup();
}

/* Deliver packets to ourselves outside the call that sent them. */
static bool
loop_drain(void)
{
	struct list *l;
	int n;

	for (n = nloopq; n > 0 && (l = list_pop_front(&loopq)) != NULL; n--) {
		nloopq--;
		net_ip_input(container_of(l, struct net_buf, link));
	}
	return nloopq > 0;
}

/*
 * A frame that came with its checksum partial (it never left the host):
 * finish it, unless it is TCP, so that what we quote in an ICMP error
 * reads as the sender meant it.  TCP keeps it partial: nothing quotes
 * it, and 64 KiB segments are worth not summing.
 */
static void
rx_partial(struct net_buf *b, const struct hal_net_meta *m)
{
	size_t at = (size_t)m->csum_start + m->csum_offset;
	uint8_t *f = b->data;
	uint16_t sum;

	if (b->len < NET_ETH_HLEN + NET_IP_HLEN || m->csum_start >= b->len ||
	    at + 2 > b->len)
		return;
	if (net_get16(f + 12) == NET_ETHERTYPE_IP &&
	    f[NET_ETH_HLEN + 9] == NET_PROTO_TCP)
		return;
	sum = net_csum_fold(
	    net_csum_add(0, f + m->csum_start, b->len - m->csum_start));
	net_put16(f + at, sum == 0 ? 0xffff : sum); /* UDP's 0: no sum */
}

/*
 * A buffer for a frame of at most want bytes.  A large want (a NIC that
 * cannot tell the length says the most a frame can be, and a coalesced
 * segment is large) gets the spare: the frame is read straight into it,
 * and rx_keep() decides whether it stays the spare.
 */
static struct net_buf *
rx_buffer(size_t want)
{
	if (want <= RX_COPY_MAX)
		return net_buf_alloc(want);
	if (rx_spare == NULL)
		rx_spare = net_buf_alloc(HAL_NET_GSO_MAX);
	return rx_spare;
}

/*
 * The n-byte frame in b, in a buffer of its own.  Read into the spare, a
 * large frame takes the spare with it (a new one comes with the next
 * frame); a small one is copied out, so that a datagram waiting in a
 * queue does not hold 64 KiB.
 */
static struct net_buf *
rx_keep(struct net_buf *b, size_t n)
{
	struct net_buf *c;

	if (b != rx_spare)
		return b;
	if (n > RX_COPY_MAX || (c = net_buf_alloc(n)) == NULL) {
		rx_spare = NULL;
		return b;
	}
	memcpy(c->data, b->data, n);
	return c;
}

/*
 * A frame read into the scratch area (no buffer of the size asked for
 * was free: the TAP asks for 64 KiB) in a buffer of its own length, so
 * that a short frame still gets in when memory is tight; NULL: lost.
 */
static struct net_buf *
rx_scratch(size_t n)
{
	struct net_buf *b;

	if ((b = net_buf_alloc(n)) == NULL) {
		net_stats.rx_nomem++;
		return NULL;
	}
	memcpy(b->data, scratch, n);
	return b;
}

/* The accounting and offload data of frame b, n bytes long. */
static struct net_buf *
rx_done(struct net_buf *b, int n, const struct hal_net_meta *m)
{
	net_buf_put(b, (size_t)n);
	net_stats.rx_frames++;
	net_stats.rx_bytes += (uint64_t)n;
	if (m->flags & HAL_NET_M_CSUM_PARTIAL)
		rx_partial(b, m);
	if (m->flags & (HAL_NET_M_CSUM_VALID | HAL_NET_M_CSUM_PARTIAL)) {
		b->csum = NET_CSUM_OK;
		net_stats.rx_csum_ok++;
	}
	if ((size_t)n > (size_t)net_if.mtu + NET_ETH_HLEN)
		net_stats.rx_gso++;
	return b;
}

/* Take one received frame into a buffer; NULL: none/lost. */
static struct net_buf *
rx_one(bool *more)
{
	struct hal_net_meta m;
	struct net_buf *b;
	size_t want;
	int n;

	*more = true;
	if ((want = hal_net_peek()) == 0) {
		*more = false;
		return NULL;
	}
	want = MIN(want, (size_t)HAL_NET_GSO_MAX);
	memset(&m, 0, sizeof(m));
	if ((b = rx_buffer(want)) == NULL) {
		/* Take the frame anyway, or it blocks the ring. */
		n = hal_net_recv(scratch, sizeof(scratch), &m);
		if (n == 0)
			*more = false;
		else if (n < 0)
			net_stats.rx_runt++;
		else
			b = rx_scratch((size_t)n);
		return b == NULL ? NULL : rx_done(b, n, &m);
	}
	n = hal_net_recv(b->data, b == rx_spare ? HAL_NET_GSO_MAX : want, &m);
	if (n <= 0) {
		if (b != rx_spare)
			net_buf_free(b);
		if (n == 0)
			*more = false;
		else
			net_stats.rx_runt++;
		return NULL;
	}
	return rx_done(rx_keep(b, (size_t)n), n, &m);
}

/*
 * Returns whether frames may still be waiting.  The frames are one TCP
 * batch: a reader is woken, and an ACK sent, once for all of them.
 */
static bool
rx_drain(void)
{
	struct net_buf *b;
	bool more = true;
	int i;

	if (!net_if.up)
		return false;
	net_stream_batch(true);
	for (i = 0; i < RX_BATCH && more; i++) {
		if ((b = rx_one(&more)) != NULL)
			net_eth_input(b);
	}
	net_stream_batch(false);
	return more;
}

static uint64_t
run_timers(void)
{
	uint64_t now = net_now(), next;

	next = net_arp_timer(now);
	next = MIN(next, net_dhcp_timer(now));
	next = MIN(next, net_sock_timer(now));
	next = MIN(next, net_stream_timer(now));
	return next;
}

static void *
net_main(void *unused)
{
	uint64_t next;
	bool more;

	if (sched_on_event(HAL_EV_NET, on_net_event) < 0)
		lib_panic("net: cannot take HAL_EV_NET");
	if (net_if.up && net_if.dhcp)
		net_dhcp_start();
	else if (net_if.up)
		net_arp_announce();
	for (;;) {
		more = rx_drain();
		tx_flush();
		more |= loop_drain();
		next = run_timers();
		if (more) {
			toro_yield();
			continue;
		}
		sleeping_until = next;
		sched_block(next, "net");
		sleeping_until = 0;
	}
	return NULL;
}

/* Seed, queues, sockets, the network thread; then calls see the stack. */
static int
start_thread(int cpu)
{
	struct toro_thread_attr attr = { "net", THREAD_STACK };
	struct toro_thread *t;
	int err;

	do
		lib_random(&rng, sizeof(rng));
	while (rng == 0); /* xorshift's one stuck state */
	list_init(&txq);
	list_init(&loopq);
	net_sock_init();
	err = sched_thread_create(
	    &t, cpu, net_main, NULL, &attr, SCHED_THREAD_SYSTEM);
	if (err < 0)
		return err;
	toro_thread_detach(t);
	net_if.thread = t;
	/* Socket calls see the stack only once it is ready; the exit too. */
	__atomic_store_n(&net_if.cpu, cpu, __ATOMIC_RELEASE);
	__atomic_store_n(&net_drain_step, net_exit_step, __ATOMIC_RELEASE);
	return 0;
}

int
net_if_unsent(void)
{
	return ntxq + net_arp_held() + (net_if.up ? hal_net_tx_pending() : 0);
}

int
net_start(int cpu)
{
	struct hal_net_info info = { .offloads = 0 };
	int err;

	/* A negative CPU is a large unsigned one. */
	if ((unsigned)cpu >= (unsigned)sched_ncpu || net_if.cpu >= 0)
		return -TORO_EINVAL;
	/* No option at all, the usual case: DHCP and every offload. */
	if (lib_nopts == 0) {
		net_if.dhcp = true;
		info.offloads = HAL_NET_OFFLOADS;
	} else if ((err = net_cfg_read(&info.offloads)) < 0)
		return err;
	if ((err = hal_net_open(cpu, &info)) < 0) {
		/* No NIC: the first socket call starts the loopback alone. */
		if (err == -TORO_ENODEV)
			lazy_cpu = cpu;
		return err;
	}
	memcpy(net_if.mac, info.mac, sizeof(net_if.mac));
	net_if.mtu = info.mtu >= 576 && info.mtu <= 1500 ? info.mtu : 1500;
	net_if.up = true;
	net_cfg_offloads(info.offloads);
	if ((err = start_thread(cpu)) < 0)
		return err;
	if (!net_if.dhcp)
		net_cfg_print_addr();
	return 0;
}

int
net_start_loopback(void)
{
	int s = 0;

	if (lazy_cpu < 0)
		return -TORO_ENETDOWN;
	if (__atomic_compare_exchange_n(&lazy_state, &s, 1, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* Addresses of an interface that is not there route nowhere. */
		net_if.dhcp = false;
		net_if.addr = net_if.mask = net_if.gw = net_if.dns = 0;
		net_if.mtu = 1500;
		s = start_thread(lazy_cpu) < 0 ? 3 : 2;
		__atomic_store_n(&lazy_state, s, __ATOMIC_RELEASE);
	}
	while ((s = __atomic_load_n(&lazy_state, __ATOMIC_ACQUIRE)) == 1)
		toro_yield();
	return s == 2 ? 0 : -TORO_ENETDOWN;
}
