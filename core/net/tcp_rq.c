/*
 * tcp_rq.c: the receive queue: in-order data held in the packets it
 * came in, so that it is copied once, into the reader's buffer, instead
 * of into the receive ring first and out of it later.
 *
 * Interface: tcp_rq_take() queues a segment's in-order data on c->rq
 * (false: the caller copies it into the ring, as before); tcp_rq_read()
 * copies from the queue's front and frees the packets it empties;
 * tcp_rq_free() drops them all; tcp_rcv_held() is the bytes waiting for
 * the reader, queue and ring together.
 *
 * Rules: the queue's bytes come before the ring's, so data is queued
 * only while the ring holds no out-of-order data, and the ring's
 * in-order bytes (a hole filled, a tiny segment) go to the queue first,
 * copied, once they are no more than the segment's: never more copying
 * than the ring would have cost.  A packet held counts its
 * allocation's real size, not its payload, in the stack's memory and
 * the connection's charge.  A packet whose payload is under half its
 * allocation (a small frame in the NIC's 64 KiB buffer) is copied into
 * a buffer of its own size, and data under TCP_RQ_MIN goes to the
 * ring, so a peer sending small segments pins no large buffer each:
 * the memory held is about twice the bytes at most, and the bytes at most
 * the receive buffer (the window is counted in bytes, as advertised).
 * When the stack's memory left would not hold a whole receive buffer
 * more, data goes to the ring too, where bytes cost only themselves.
 */
#include "core/net/tcp_impl.h"
#include "toro/mem.h"

/* The least payload worth a queued buffer rather than the ring. */
#define TCP_RQ_MIN 512u

/* Queue b, its len bytes from b->data, charged its real size. */
static void
rq_hold(struct tcp_conn *c, struct net_buf *b)
{
	struct tcp_stats *st = &c->stack->stats;
	uint32_t size = (uint32_t)toro_malloc_usable_size(b);

	b->flags = size;
	list_push_back(&c->rq, &b->link);
	c->rq_len += (uint32_t)b->len;
	c->rq_size += size;
	c->charge += size;
	st->mem_used += size;
}

/* A buffer of n bytes' size holding a copy of p, queued; false: none. */
static bool
rq_copy(struct tcp_conn *c, const uint8_t *p, uint32_t n, bool ring)
{
	struct net_buf *b;

	if ((b = net_buf_alloc(n)) == NULL)
		return false;
	if (ring)
		tcp_ring_read(&c->rcv, b->data, n);
	else
		memcpy(b->data, p, n);
	b->len = n;
	rq_hold(c, b);
	return true;
}

/*
 * Queue sg's len bytes of in-order data (from sg->data), taking its
 * packet from sg when it is worth holding; false: copy them to the
 * ring instead.
 */
bool
tcp_rq_take(struct tcp_conn *c, struct tcp_seg *sg, uint32_t len)
{
	struct tcp_stack *s = c->stack;
	struct net_buf *b = sg->buf;

	if (len < TCP_RQ_MIN || c->ooo.n > 0 ||
	    s->stats.mem_used + 2 * (uint64_t)len + c->rcv.cap > s->cfg.mem)
		return false;
	if (c->rcv.len > 0) {
		/* The ring's bytes come first: into the queue with them. */
		if (c->rcv.len > len || !rq_copy(c, NULL, c->rcv.len, true))
			return false;
		tcp_buf_release(c, &c->rcv);
	}
	if (b != NULL && toro_malloc_usable_size(b) <= 2 * (size_t)len) {
		b->data = (uint8_t *)sg->data;
		b->len = len;
		rq_hold(c, b);
		sg->buf = NULL;
		s->stats.in_queued++;
		return true;
	}
	return rq_copy(c, sg->data, len, false);
}

/* Free the front packet, which the reader has emptied. */
static void
rq_pop(struct tcp_conn *c, struct net_buf *b)
{
	list_remove(&b->link);
	c->rq_size -= b->flags;
	c->charge -= b->flags;
	c->stack->stats.mem_used -= b->flags;
	net_buf_free(b);
}

/* Copy up to n bytes from the front of the queue to p; the count. */
uint32_t
tcp_rq_read(struct tcp_conn *c, uint8_t *p, uint32_t n)
{
	struct net_buf *b;
	uint32_t done = 0, k;

	while (done < n && !list_empty(&c->rq)) {
		b = container_of(c->rq.next, struct net_buf, link);
		k = (uint32_t)MIN((size_t)(n - done), b->len);
		memcpy(p + done, b->data, k);
		done += k;
		b->data += k;
		b->len -= k;
		if (b->len == 0)
			rq_pop(c, b);
	}
	c->rq_len -= done;
	return done;
}

void
tcp_rq_free(struct tcp_conn *c)
{
	struct list *l;

	while ((l = list_pop_front(&c->rq)) != NULL)
		rq_pop(c, container_of(l, struct net_buf, link));
	c->rq_len = 0;
}

uint32_t
tcp_rcv_held(const struct tcp_conn *c)
{
	return c->rq_len + c->rcv.len;
}
