/*
 * tcp_buf.c: the byte rings of a connection and the out-of-order map.
 *
 * A ring holds len bytes starting at head.  The send ring keeps the
 * bytes from snd_una on (acknowledged bytes are dropped from the front),
 * so a retransmission copies from it again.  The receive ring keeps the
 * bytes the application has not read; data that arrives ahead of a hole
 * is written straight into its place past len (the advertised window
 * guarantees room), and struct tcp_ooo remembers which ranges are there
 * until the hole fills and tcp_ring_extend() takes them in.  So
 * out-of-order data costs no buffer of its own, only a range slot.
 *
 * Memory follows use: cap is what a ring may hold, size what it has
 * allocated (0 at first).  tcp_ring_resize() grows it (to
 * tcp_ring_next_size(): doubling from 4 KiB) before bytes are written
 * and tcp_ring_release() gives it back when it is empty, both through
 * tcp_conn.c, which charges the stack; so an idle connection holds no
 * buffer.
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"
#include "toro/mem.h"

void
tcp_ring_init(struct tcp_ring *r, uint32_t cap)
{
	r->buf = NULL;
	r->cap = cap;
	r->size = r->head = r->len = 0;
}

void
tcp_ring_free(struct tcp_ring *r)
{
	toro_free(r->buf);
	r->buf = NULL;
	r->cap = r->size = r->head = r->len = 0;
}

/* The size that holds need bytes from head: doubling, from 4 KiB. */
uint32_t
tcp_ring_next_size(const struct tcp_ring *r, uint32_t need)
{
	uint32_t size = MAX(r->size, 4096u);

	if (need <= r->size)
		return r->size;
	while (size < need)
		size *= 2;
	return MAX(MIN(size, r->cap), need);
}

/*
 * Reallocate r to size bytes (>= its size): 0 or -TORO_ENOMEM.  Bytes
 * past len (out-of-order data) move with the rest.
 */
int
tcp_ring_resize(struct tcp_ring *r, uint32_t size)
{
	uint32_t first;
	uint8_t *b;

	b = toro_malloc(size);
	if (b == NULL)
		return -TORO_ENOMEM;
	if (r->size > 0) {
		first = r->size - r->head;
		memcpy(b, r->buf + r->head, first);
		memcpy(b + first, r->buf, r->head);
	}
	toro_free(r->buf);
	r->buf = b;
	r->head = 0;
	r->size = size;
	return 0;
}

/* Free the memory of an empty ring; the bytes it gave back. */
uint32_t
tcp_ring_release(struct tcp_ring *r)
{
	uint32_t size = r->size;

	if (r->len > 0 || size == 0)
		return 0;
	toro_free(r->buf);
	r->buf = NULL;
	r->size = r->head = 0;
	return size;
}

/* Copy n bytes into the ring at byte position pos (mod size). */
static void
ring_copy_in(struct tcp_ring *r, uint32_t pos, const uint8_t *p,
    uint32_t n)
{
	uint32_t first;

	pos %= r->size;
	first = MIN(n, r->size - pos);
	memcpy(r->buf + pos, p, first);
	memcpy(r->buf, p + first, n - first);
}

static void
ring_copy_out(const struct tcp_ring *r, uint32_t pos, uint8_t *p,
    uint32_t n)
{
	uint32_t first;

	pos %= r->size;
	first = MIN(n, r->size - pos);
	memcpy(p, r->buf + pos, first);
	memcpy(p + first, r->buf, n - first);
}

/* Append up to n bytes, as many as the allocated size takes. */
uint32_t
tcp_ring_append(struct tcp_ring *r, const void *p, uint32_t n)
{
	n = MIN(n, r->size - r->len);
	if (n > 0) {
		ring_copy_in(r, r->head + r->len, p, n);
		r->len += n;
	}
	return n;
}

uint32_t
tcp_ring_read(struct tcp_ring *r, void *p, uint32_t n)
{
	n = MIN(n, r->len);
	if (n > 0) {
		ring_copy_out(r, r->head, p, n);
		tcp_ring_drop(r, n);
	}
	return n;
}

/* Copy n bytes starting off bytes after head; off + n <= len. */
void
tcp_ring_peek(const struct tcp_ring *r, uint32_t off, void *p, uint32_t n)
{
	if (n > 0)
		ring_copy_out(r, r->head + off, p, n);
}

/* Write past the valid bytes; off + n <= size. */
void
tcp_ring_put_at(struct tcp_ring *r, uint32_t off, const void *p,
    uint32_t n)
{
	if (n > 0)
		ring_copy_in(r, r->head + off, p, n);
}

void
tcp_ring_drop(struct tcp_ring *r, uint32_t n)
{
	n = MIN(n, r->len);
	if (n == 0)
		return;
	r->head = (r->head + n) % r->size;
	r->len -= n;
	/* head never jumps back: out-of-order bytes sit past len. */
}

/* Take n bytes already written past len (by tcp_ring_put_at) in. */
void
tcp_ring_extend(struct tcp_ring *r, uint32_t n)
{
	r->len = MIN(r->len + n, r->size);
}

/*
 * Remember that [start, end) arrived ahead of rcv_nxt, merging with the
 * ranges it touches.  The ranges stay sorted and disjoint.  Returns 0,
 * or -TORO_ENOBUFS when a new range would need a slot there is not
 * (the caller drops the data: the sender will send it again).
 */
int
tcp_ooo_add(struct tcp_ooo *q, uint32_t start, uint32_t end)
{
	uint32_t i, j, k;

	/* First range that ends at or after start. */
	for (i = 0; i < q->n && SEQ_LT(q->r[i].end, start); i++)
		;
	/* Ranges i..j-1 overlap or touch [start, end). */
	for (j = i; j < q->n && SEQ_LEQ(q->r[j].start, end); j++)
		;
	if (i == j) {
		if (q->n == TCP_OOO_RANGES)
			return -TORO_ENOBUFS;
		for (k = q->n; k > i; k--)
			q->r[k] = q->r[k - 1];
		q->r[i].start = start;
		q->r[i].end = end;
		q->n++;
		return 0;
	}
	if (SEQ_LT(q->r[i].start, start))
		start = q->r[i].start;
	if (SEQ_GT(q->r[j - 1].end, end))
		end = q->r[j - 1].end;
	q->r[i].start = start;
	q->r[i].end = end;
	for (k = j; k < q->n; k++)
		q->r[i + 1 + k - j] = q->r[k];
	q->n -= j - i - 1;
	return 0;
}

/*
 * rcv_nxt has moved: forget ranges below it and, if the first range now
 * starts at or before it, return its end (the new rcv_nxt).
 */
uint32_t
tcp_ooo_advance(struct tcp_ooo *q, uint32_t rcv_nxt)
{
	uint32_t i = 0, k;

	while (i < q->n && SEQ_LEQ(q->r[i].start, rcv_nxt)) {
		if (SEQ_GT(q->r[i].end, rcv_nxt))
			rcv_nxt = q->r[i].end;
		i++;
	}
	for (k = i; k < q->n; k++)
		q->r[k - i] = q->r[k];
	q->n -= i;
	return rcv_nxt;
}

/* Forget what lies below `below`, cutting a range that straddles it. */
void
tcp_ooo_trim(struct tcp_ooo *q, uint32_t below)
{
	uint32_t i = 0, k;

	while (i < q->n && SEQ_LEQ(q->r[i].end, below))
		i++;
	for (k = i; k < q->n; k++)
		q->r[k - i] = q->r[k];
	q->n -= i;
	if (q->n > 0 && SEQ_LT(q->r[0].start, below))
		q->r[0].start = below;
}
