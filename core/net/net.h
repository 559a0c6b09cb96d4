/*
 * net.h: what every part of the network stack shares: packet buffers,
 * byte order, the Internet checksum, the IPv4 layer's entry points and
 * the counters.
 *
 * Rules: the stack runs on one CPU, the network CPU, in its network
 * thread; nothing here takes a lock.  Inside the stack, addresses and
 * ports are host-order integers; only the wire is big-endian.  Input
 * from the network is never trusted: every length is checked before use.
 */
#ifndef CORE_NET_NET_H
#define CORE_NET_NET_H

#include "core/lib/klib.h"

/* Room before the data for Ethernet, IPv4 and TCP with options. */
#define NET_HEADROOM 128

struct net_buf {
	struct list link; /* for whoever owns the buffer now */
	uint8_t *data;    /* first valid byte */
	size_t len;       /* valid bytes */
	size_t size;      /* bytes of storage in buf[] */
	uint32_t seq;     /* for the owner (TCP: first sequence number) */
	uint32_t flags;   /* for the owner */
	uint64_t when;    /* for the owner (TCP: time sent) */
	uint16_t gso_size; /* send: a TCP segment the NIC cuts in these */
	uint8_t csum;     /* NET_CSUM_* */
	uint8_t csum_off; /* NET_CSUM_PARTIAL: checksum field in the L4 hdr */
	uint8_t buf[];
};

/*
 * Checksum offload state of a buffer.  Sent: PARTIAL leaves the
 * transport checksum to the NIC (the field holds the pseudo-header sum).
 * Received: OK means the NIC verified it, or the packet never left the
 * machine (it came partial, as Linux's own packets do), so the transport
 * layer skips its check; NONE means software verifies everything.
 */
#define NET_CSUM_NONE 0
#define NET_CSUM_PARTIAL 1
#define NET_CSUM_OK 2

/* A buffer for `payload` bytes after NET_HEADROOM; len 0.  NULL: OOM. */
struct net_buf *net_buf_alloc(size_t payload);
void net_buf_free(struct net_buf *b);
/* Grow at the front by n (a header); the stack's own bug if no room. */
void *net_buf_push(struct net_buf *b, size_t n);
/* Drop n bytes at the front; returns them, or NULL if len < n. */
void *net_buf_pull(struct net_buf *b, size_t n);
/* Grow at the end by n; returns the new bytes, or NULL if no room. */
void *net_buf_put(struct net_buf *b, size_t n);
/* Keep only the first len bytes (len <= b->len). */
void net_buf_trim(struct net_buf *b, size_t len);

static inline uint16_t
net_get16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
net_get32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static inline void
net_put16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void
net_put32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/*
 * The Internet checksum (RFC 1071): add bytes to a running 32-bit sum,
 * then fold it to 16 bits and complement.  A correct packet, checksum
 * field included, folds to 0.
 */
uint32_t net_csum_add(uint32_t sum, const void *p, size_t n);
uint16_t net_csum_fold(uint32_t sum);
/* The IPv4 pseudo-header sum of TCP and UDP. */
uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
    uint16_t len);

#define NET_PROTO_ICMP 1
#define NET_PROTO_TCP 6
#define NET_PROTO_UDP 17

/*
 * The IPv4 layer (ipv4.c).  net_ip_output() sends b, whose data starts
 * at the transport header, from src (0: the interface's address) to dst;
 * it takes b whatever happens.  Returns 0 or a negative TORO_E* code
 * (-TORO_ENETUNREACH without an address or route, -TORO_EMSGSIZE).
 */
int net_ip_output(struct net_buf *b, uint32_t src, uint32_t dst,
    uint8_t proto);

/* Monotonic time for the stack, in ns. */
uint64_t net_now(void);

/*
 * Start the stack on `cpu` (netif.c), once, at boot: take the NIC and
 * start the network thread there.  Returns 0, -TORO_ENODEV when there
 * is no NIC (the stack stays down until net_start_loopback()), or
 * -TORO_EINVAL (bad ip=/gw=).
 */
int net_start(int cpu);
/*
 * For the first socket call of a machine without a NIC: start the
 * stack on net_start()'s CPU with the loopback alone (pipes, pairs,
 * counters and 127.0.0.0/8), once.  0, or -TORO_ENETDOWN if net_start()
 * never ran or the start failed.
 */
int net_start_loopback(void);

/* Close socket descriptor s (toro_close() picks files or sockets). */
int net_close(int s);

/*
 * The machine's exit (drain.c): close every socket descriptor, then wait
 * up to wait_ns (0: not at all) for the connections to deliver what
 * they hold and their FINs, and for every packet to be on the wire.
 * Nothing to do if the stack never started.
 * Call from a thread, after sched_freeze().
 */
void net_drain(uint64_t wait_ns);
/*
 * Set by the stack's start (sockapi.c's net_exit_step): one pass that
 * closes every descriptor, returning how many connections still owe
 * their peers data or a FIN, plus the packets not yet on the wire.
 */
extern int (*net_drain_step)(void);
int net_exit_step(void);

#endif
