/*
 * buf.c: packet buffers (net.h).
 *
 * A buffer is one allocation from the network CPU's heap: a header, then
 * NET_HEADROOM bytes so that each layer can prepend its header without a
 * copy, then the payload.
 */
#include "core/lib/lib.h"
#include "core/net/net.h"
#include "toro/mem.h"

struct net_buf *
net_buf_alloc(size_t payload)
{
	struct net_buf *b;
	size_t size;

	if (payload > ((size_t)1 << 30))
		return NULL;
	size = NET_HEADROOM + payload;
	b = toro_malloc(sizeof(*b) + size);
	if (b == NULL)
		return NULL;
	list_init(&b->link);
	b->data = b->buf + NET_HEADROOM;
	b->len = 0;
	b->size = size;
	b->seq = 0;
	b->flags = 0;
	b->when = 0;
	b->gso_size = 0;
	b->csum = NET_CSUM_NONE;
	b->csum_off = 0;
	return b;
}

void
net_buf_free(struct net_buf *b)
{
	toro_free(b);
}

void *
net_buf_push(struct net_buf *b, size_t n)
{
	if ((size_t)(b->data - b->buf) < n)
		lib_panic("net: no headroom for a %zu-byte header", n);
	b->data -= n;
	b->len += n;
	return b->data;
}

void *
net_buf_pull(struct net_buf *b, size_t n)
{
	uint8_t *p = b->data;

	if (b->len < n)
		return NULL;
	b->data += n;
	b->len -= n;
	return p;
}

void *
net_buf_put(struct net_buf *b, size_t n)
{
	uint8_t *p = b->data + b->len;

	if (n > b->size - (size_t)(p - b->buf))
		return NULL;
	b->len += n;
	return p;
}

void
net_buf_trim(struct net_buf *b, size_t len)
{
	if (len < b->len)
		b->len = len;
}
