/*
 * fakenet.c: the fake machine's NIC (fakenet.h), behind hal_net_open,
 * hal_net_send, hal_net_recv and hal_net_tx_pending of hal.h.
 *
 * Two rings of frames: what the test injects (read by hal_net_recv)
 * and what the stack sends (read by the test), each frame with its
 * offload data.  Injection and freed transmit room post HAL_EV_NET to
 * the CPU that opened the NIC.  By default the NIC has no offload, so
 * the stack's software path is what the tests see.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hal/fake/fake.h"
#include "hal/fake/fakenet.h"
#include "hal/hal.h"
#include "toro/errno.h"

struct frame {
	size_t len;
	struct hal_net_meta meta;
	uint8_t *data; /* malloc'ed */
};

struct ring {
	struct frame f[FAKE_NET_QUEUE];
	int head, n;
};

const uint8_t fake_net_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct ring *rx, *tx;
static int absent, owner = -1, room = -1, peek_max;
static uint32_t offered, in_effect;
static uint64_t refused;

static struct ring *
ring(struct ring **r)
{
	if (*r == NULL && (*r = calloc(1, sizeof(**r))) == NULL)
		abort();
	return *r;
}

static int
push(struct ring *r, const void *p, size_t len, const struct hal_net_meta *m)
{
	struct frame *f;

	if (r->n == FAKE_NET_QUEUE || len > HAL_NET_GSO_MAX)
		return -1;
	f = &r->f[(r->head + r->n) % FAKE_NET_QUEUE];
	if ((f->data = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(f->data, p, len);
	f->len = len;
	if (m != NULL)
		f->meta = *m;
	else
		memset(&f->meta, 0, sizeof(f->meta));
	r->n++;
	return 0;
}

static size_t
pop(struct ring *r, void *buf, size_t size, int *fits, struct hal_net_meta *m)
{
	struct frame *f;
	size_t n;

	if (r->n == 0)
		return 0;
	f = &r->f[r->head];
	n = f->len < size ? f->len : size;
	memcpy(buf, f->data, n);
	free(f->data);
	f->data = NULL;
	*fits = f->len <= size;
	if (m != NULL)
		*m = f->meta;
	r->head = (r->head + 1) % FAKE_NET_QUEUE;
	r->n--;
	return f->len;
}

void
fake_net_set_present(int present)
{
	absent = !present;
}

void
fake_net_set_peek_max(int on)
{
	peek_max = on;
}

void
fake_net_set_offloads(uint32_t offloads)
{
	offered = offloads;
}

uint32_t
fake_net_offloads(void)
{
	return in_effect;
}

int
fake_net_inject(const void *frame, size_t len)
{
	return fake_net_inject_meta(frame, len, NULL);
}

int
fake_net_inject_meta(const void *frame, size_t len,
    const struct hal_net_meta *m)
{
	if (len > (m != NULL && m->gso_type != HAL_NET_GSO_NONE ?
	    HAL_NET_GSO_MAX : HAL_NET_FRAME_MAX))
		return -1;
	if (push(ring(&rx), frame, len, m) < 0)
		return -1;
	if (owner >= 0)
		fake_post(owner, HAL_EV_NET);
	return 0;
}

int
fake_net_sent_count(void)
{
	return ring(&tx)->n;
}

size_t
fake_net_sent(void *buf, size_t size)
{
	return fake_net_sent_meta(buf, size, NULL);
}

size_t
fake_net_sent_meta(void *buf, size_t size, struct hal_net_meta *m)
{
	int fits;
	size_t n = pop(ring(&tx), buf, size, &fits, m);

	return n < size ? n : size;
}

void
fake_net_tx_room(int n)
{
	room = n;
	if (n != 0 && owner >= 0)
		fake_post(owner, HAL_EV_NET);
}

uint64_t
fake_net_tx_refused(void)
{
	return refused;
}

void
fake_net_release(void)
{
	free(rx);
	free(tx);
	rx = tx = NULL;
}

int
hal_net_open(int cpu, struct hal_net_info *info)
{
	if (absent)
		return -TORO_ENODEV;
	owner = cpu;
	memcpy(info->mac, fake_net_mac, 6);
	info->mtu = 1500;
	in_effect = info->offloads & offered;
	info->offloads = in_effect;
	return 0;
}

int
hal_net_send(const void *frame, size_t len, const struct hal_net_meta *m)
{
	bool gso = m != NULL && m->gso_type != HAL_NET_GSO_NONE;

	/* Offloads not in effect are the stack's bug: fail loudly. */
	if (m != NULL && (((m->flags & HAL_NET_M_CSUM_PARTIAL) &&
	    !(in_effect & HAL_NET_TX_CSUM)) ||
	    (gso && !(in_effect & HAL_NET_TX_TSO4))))
		abort();
	if (len > (gso ? HAL_NET_GSO_MAX : HAL_NET_FRAME_MAX))
		return -TORO_EMSGSIZE;
	if (room == 0) {
		refused++;
		return -TORO_EAGAIN;
	}
	if (push(ring(&tx), frame, len, m) < 0)
		abort(); /* a test that never reads what was sent */
	if (room > 0)
		room--;
	return 0;
}

int
hal_net_tx_pending(void)
{
	/* A frame in the transmit ring is on the wire: the test reads it. */
	return 0;
}

size_t
hal_net_peek(void)
{
	struct ring *r = ring(&rx);

	if (peek_max)
		return HAL_NET_GSO_MAX;
	return r->n == 0 ? 0 : r->f[r->head].len;
}

int
hal_net_recv(void *buf, size_t size, struct hal_net_meta *m)
{
	int fits = 1;
	size_t n = pop(ring(&rx), buf, size, &fits, m);

	if (!fits)
		return -TORO_EMSGSIZE;
	return (int)n;
}
