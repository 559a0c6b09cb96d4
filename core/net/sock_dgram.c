/*
 * sock_dgram.c: datagram (UDP) sockets.
 *
 * Interface: net_dgram_ops (sock.h) for the socket layer; for UDP,
 * net_dgram_input() delivers a datagram to the socket bound to its port
 * and net_dgram_error() an ICMP error to a connected socket (stack.h).
 *
 * Rules: one socket per port (no SO_REUSEADDR).  A socket bound to a
 * specific address gets only datagrams sent to it; broadcasts go to
 * sockets bound to any address.  A connected socket gets datagrams
 * from its peer only, and ICMP errors about what it sent, reported once
 * by the next call.  Each socket queues at most RXQ_MAX datagrams and
 * its receive buffer's bytes (NET_DGRAM_RCVBUF unless TORO_SO_RCVBUF
 * says otherwise; an empty queue takes one datagram of any size, as
 * Linux does); beyond, arrivals are dropped and counted.  Sending
 * never waits: UDP has no flow control, so it either goes or fails.
 */
#include "core/net/sock.h"
#include "toro/errno.h"

#define RXQ_MAX 64
#define HASH 64

static struct list ports[HASH];
static bool ready;

static struct list *
chain(uint16_t port)
{
	int i;

	if (!ready) {
		for (i = 0; i < HASH; i++)
			list_init(&ports[i]);
		ready = true;
	}
	return &ports[port % HASH];
}

static bool
in_use(uint16_t port)
{
	struct list *c = chain(port), *l;

	for (l = c->next; l != c; l = l->next)
		if (container_of(l, struct net_sock, hlink)->lport == port)
			return true;
	return false;
}

static int
do_bind(struct net_sock *s, uint32_t addr, uint16_t port)
{
	if (addr != 0 && !net_ip_is_local(addr))
		return -TORO_EADDRNOTAVAIL;
	if (port == 0 && (port = net_ephemeral_port(in_use)) == 0)
		return -TORO_EADDRINUSE;
	if (in_use(port))
		return -TORO_EADDRINUSE;
	s->laddr = addr;
	s->lport = port;
	s->bound = true;
	list_push_back(chain(port), &s->hlink);
	return 0;
}

static int
dgram_bind(struct net_sock *s, const struct toro_sockaddr_in *a)
{
	if (s->bound)
		return -TORO_EINVAL;
	return do_bind(s, a->addr, a->port);
}

static long
dgram_connect(struct net_req *r)
{
	struct net_sock *s = r->sock;
	int err;

	if (r->to->addr == 0 || r->to->port == 0)
		return -TORO_EINVAL;
	if (!s->bound && (err = do_bind(s, 0, 0)) < 0)
		return err;
	s->raddr = r->to->addr;
	s->rport = r->to->port;
	s->connected = true;
	s->error = 0;
	return 0;
}

static int
take_error(struct net_sock *s)
{
	int err = s->error;

	s->error = 0;
	return err;
}

static long
dgram_send(struct net_req *r)
{
	struct net_sock *s = r->sock;
	struct net_buf *b;
	uint32_t dst;
	uint16_t dport;
	int err;

	if (s->shut & NET_SHUT_WR)
		return -TORO_EPIPE;
	if (r->flags & TORO_MSG_MORE)
		return -TORO_EOPNOTSUPP; /* datagrams are not joined */
	if (s->error != 0)
		return take_error(s);
	if (r->to != NULL) {
		dst = r->to->addr;
		dport = r->to->port;
	} else if (s->connected) {
		dst = s->raddr;
		dport = s->rport;
	} else
		return -TORO_ENOTCONN;
	if (dst == 0 || dport == 0)
		return -TORO_EINVAL;
	if (r->len > (size_t)net_if.mtu - NET_IP_HLEN - NET_UDP_HLEN)
		return -TORO_EMSGSIZE;
	if (!s->bound && (err = do_bind(s, 0, 0)) < 0)
		return err;
	if ((b = net_buf_alloc(r->len)) == NULL)
		return -TORO_ENOBUFS;
	/* The caller sleeps; its buffer is read here, on this CPU. */
	if (hal_copy(net_buf_put(b, r->len), r->cbuf, r->len) < 0) {
		net_buf_free(b);
		return -TORO_EFAULT;
	}
	err = net_udp_output(b, s->laddr, s->lport, dst, dport);
	return err < 0 ? err : (long)r->len;
}

static long
dgram_recv(struct net_req *r)
{
	struct net_sock *s = r->sock;
	struct net_buf *b;
	size_t n;

	if (s->error != 0)
		return take_error(s);
	if (list_empty(&s->rxq)) {
		if (s->shut & NET_SHUT_RD)
			return 0;
		r->waitq = &s->waiters;
		return NET_PENDING;
	}
	b = container_of(s->rxq.next, struct net_buf, link);
	n = MIN(r->len, b->len);
	/* Into the caller's buffer before the datagram leaves the queue. */
	if (hal_copy(r->buf, b->data, n) < 0)
		return -TORO_EFAULT;
	if (r->from != NULL) {
		r->from->family = TORO_AF_INET;
		r->from->addr = b->seq;
		r->from->port = (uint16_t)b->flags;
	}
	if ((r->flags & TORO_MSG_PEEK) == 0) {
		list_remove(&b->link);
		s->rxq_n--;
		s->rxq_bytes -= b->len;
		net_buf_free(b);
	}
	return (long)n;
}

static int
dgram_shutdown(struct net_sock *s, int how)
{
	if (!s->connected)
		return -TORO_ENOTCONN;
	s->shut |= how;
	net_sock_wake(s);
	return 0;
}

static void
dgram_close(struct net_sock *s)
{
	struct list *l;

	if (s->bound)
		list_remove(&s->hlink);
	while ((l = list_pop_front(&s->rxq)) != NULL)
		net_buf_free(container_of(l, struct net_buf, link));
	s->rxq_n = 0;
	s->rxq_bytes = 0;
}

static short
dgram_poll(struct net_sock *s)
{
	short ev = TORO_POLLOUT;

	if (!list_empty(&s->rxq) || (s->shut & NET_SHUT_RD) || s->error)
		ev |= TORO_POLLIN;
	if (s->error)
		ev |= TORO_POLLERR;
	return ev;
}

const struct net_sock_ops net_dgram_ops = {
	.bind = dgram_bind,
	.connect = dgram_connect,
	.send = dgram_send,
	.recv = dgram_recv,
	.shutdown = dgram_shutdown,
	.close = dgram_close,
	.poll = dgram_poll,
};

static struct net_sock *
find(uint16_t lport, uint32_t dst, uint32_t src, uint16_t sport, bool bcast)
{
	struct list *c = chain(lport), *l;
	struct net_sock *s;

	for (l = c->next; l != c; l = l->next) {
		s = container_of(l, struct net_sock, hlink);
		if (s->lport != lport)
			continue;
		if (s->laddr != 0 && (bcast || s->laddr != dst))
			continue;
		if (s->connected && (s->raddr != src || s->rport != sport))
			continue;
		return s;
	}
	return NULL;
}

bool
net_dgram_input(struct net_buf *b, uint32_t src, uint16_t sport,
    uint32_t dst, uint16_t dport)
{
	struct net_sock *s = find(dport, dst, src, sport, net_ip_is_bcast(dst));

	if (s == NULL)
		return false;
	if ((s->shut & NET_SHUT_RD) || s->rxq_n >= RXQ_MAX ||
	    (s->rxq_n > 0 && s->rxq_bytes + b->len > s->rcvbuf)) {
		if ((s->shut & NET_SHUT_RD) == 0)
			net_stats.udp_queue_full++;
		net_buf_free(b);
		return true;
	}
	b->seq = src;
	b->flags = sport;
	list_push_back(&s->rxq, &b->link);
	s->rxq_n++;
	s->rxq_bytes += b->len;
	net_sock_wake(s);
	return true;
}

void
net_dgram_error(uint16_t sport, uint32_t dst, uint16_t dport, int err)
{
	struct list *c = chain(sport), *l;
	struct net_sock *s;

	for (l = c->next; l != c; l = l->next) {
		s = container_of(l, struct net_sock, hlink);
		if (s->lport == sport && s->connected && s->raddr == dst &&
		    s->rport == dport) {
			s->error = err;
			net_sock_wake(s);
			return;
		}
	}
}
