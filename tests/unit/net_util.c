/*
 * net_util.c: helpers of the network unit tests (net_util.h).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net/net.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakenet.h"
#include "tests/unit/net_util.h"

const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
int net_cpu;

/* Let the network CPU run: a short sleep on the virtual clock. */
void
settle(void)
{
	toro_sleep_ns(1000);
}

struct toro_net_stats
stats(void)
{
	struct toro_net_stats st;

	ck_assert_int_eq(toro_net_stats(&st), 0);
	return st;
}

int
take(struct pkt *p)
{
	size_t hl;

	memset(p, 0, sizeof(*p));
	p->len = fake_net_sent(p->f, sizeof(p->f));
	if (p->len == 0)
		return 0;
	if (getenv("NET_TRACE") != NULL)
		fprintf(stderr, "%.6f: sent type %04x len %zu\n",
		    fake_now() / 1e9, net_get16(p->f + 12), p->len);
	ck_assert_uint_ge(p->len, 14);
	ck_assert(memcmp(p->f + 6, fake_net_mac, 6) == 0);
	p->type = net_get16(p->f + 12);
	if (p->type != 0x0800)
		return 1;
	p->ip = p->f + 14;
	hl = (size_t)(p->ip[0] & 15) * 4;
	ck_assert_int_eq(p->ip[0] >> 4, 4);
	ck_assert_uint_eq(net_get16(p->ip + 2), p->len - 14);
	ck_assert_uint_eq(net_csum_fold(net_csum_add(0, p->ip, hl)), 0);
	ck_assert_uint_eq(p->ip[8], 64);
	ck_assert_uint_eq(net_get16(p->ip + 6) & 0x3fff, 0);
	p->src = net_get32(p->ip + 12);
	p->dst = net_get32(p->ip + 16);
	p->proto = p->ip[9];
	p->l4 = p->ip + hl;
	p->l4len = p->len - 14 - hl;
	return 1;
}

void
expect_none(void)
{
	ck_assert_int_eq(fake_net_sent_count(), 0);
}

/* The next frame is a UDP datagram with a right checksum. */
void
expect_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	ck_assert_int_eq(take(p), 1);
	ck_assert_uint_eq(p->type, 0x0800);
	ck_assert_uint_eq(p->proto, 17);
	ck_assert_uint_ge(p->l4len, 8);
	ck_assert_uint_eq(net_get16(p->l4 + 4), p->l4len);
	ck_assert_uint_ne(net_get16(p->l4 + 6), 0);
	ck_assert_uint_eq(net_csum_fold(net_csum_add(net_csum_pseudo(p->src,
	    p->dst, 17, (uint16_t)p->l4len), p->l4, p->l4len)), 0);
	ck_assert_uint_eq(net_get16(p->l4), sport);
	ck_assert_uint_eq(net_get16(p->l4 + 2), dport);
}

size_t
mk_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	net_put16(f + 12, type);
	return 14;
}

void
ip_csum(uint8_t *f)
{
	uint8_t *h = f + 14;
	size_t hl = (size_t)(h[0] & 15) * 4;

	net_put16(h + 10, 0);
	net_put16(h + 10, net_csum_fold(net_csum_add(0, h, hl)));
}

size_t
mk_ip(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
    const void *payload, size_t plen)
{
	uint8_t *h = f + 14;

	mk_eth(f, fake_net_mac, peer_mac, 0x0800);
	memset(h, 0, 20);
	h[0] = 0x45;
	net_put16(h + 2, (uint16_t)(20 + plen));
	net_put16(h + 4, 0x1234);
	h[8] = 64;
	h[9] = proto;
	net_put32(h + 12, src);
	net_put32(h + 16, dst);
	memcpy(h + 20, payload, plen);
	ip_csum(f);
	return 34 + plen;
}

size_t
mk_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst,
    uint16_t dport, const void *data, size_t len)
{
	uint8_t u[1500];
	uint16_t c;

	net_put16(u, sport);
	net_put16(u + 2, dport);
	net_put16(u + 4, (uint16_t)(8 + len));
	net_put16(u + 6, 0);
	memcpy(u + 8, data, len);
	c = net_csum_fold(net_csum_add(net_csum_pseudo(src, dst, 17,
	    (uint16_t)(8 + len)), u, 8 + len));
	net_put16(u + 6, c == 0 ? 0xffff : c);
	return mk_ip(f, src, dst, 17, u, 8 + len);
}

void
inject_udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
    const char *text)
{
	uint8_t f[HAL_NET_FRAME_MAX];

	ck_assert_int_eq(fake_net_inject(f, mk_udp(f, src, sport, dst, dport,
	    text, strlen(text))), 0);
}

size_t
mk_arp(uint8_t *f, uint16_t op, const uint8_t *sha, uint32_t spa,
    const uint8_t *tha, uint32_t tpa)
{
	uint8_t *a = f + 14;

	mk_eth(f, op == 1 ? bcast_mac : fake_net_mac, sha, 0x0806);
	net_put16(a, 1);
	net_put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	net_put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	net_put32(a + 14, spa);
	memcpy(a + 18, tha, 6);
	net_put32(a + 24, tpa);
	/* Padded to the Ethernet minimum, as on a wire. */
	memset(f + 42, 0, 18);
	return 60;
}

/* The next frame is an ARP packet with these fields. */
void
expect_arp(uint16_t op, const uint8_t *edst, uint32_t spa,
    const uint8_t *tha, uint32_t tpa)
{
	struct pkt p;
	uint8_t *a;

	ck_assert_int_eq(take(&p), 1);
	ck_assert_uint_eq(p.type, 0x0806);
	ck_assert_uint_ge(p.len, 42);
	a = p.f + 14;
	ck_assert(memcmp(p.f, edst, 6) == 0);
	ck_assert_uint_eq(net_get16(a), 1);
	ck_assert_uint_eq(net_get16(a + 2), 0x0800);
	ck_assert_uint_eq(a[4], 6);
	ck_assert_uint_eq(a[5], 4);
	ck_assert_uint_eq(net_get16(a + 6), op);
	ck_assert(memcmp(a + 8, fake_net_mac, 6) == 0);
	ck_assert_uint_eq(net_get32(a + 14), spa);
	if (tha != NULL)
		ck_assert(memcmp(a + 18, tha, 6) == 0);
	ck_assert_uint_eq(net_get32(a + 24), tpa);
}

/* Start the stack with a static address; the gratuitous ARP goes out. */
void
start_static(void)
{
	static const uint8_t zero[6];

	ck_assert_int_eq(net_start(net_cpu), 0);
	settle();
	expect_arp(1, bcast_mac, OUR_IP, zero, OUR_IP);
	expect_none();
}

/* The peer asks for us; we answer and learn its MAC. */
void
prime_arp(void)
{
	uint8_t f[64];
	static const uint8_t zero[6];

	ck_assert_int_eq(fake_net_inject(f, mk_arp(f, 1, peer_mac, PEER_IP,
	    zero, OUR_IP)), 0);
	settle();
	expect_arp(2, peer_mac, OUR_IP, peer_mac, PEER_IP);
}

int
udp_socket(uint16_t port)
{
	struct toro_sockaddr_in a = { TORO_AF_INET, port, 0 };
	int s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0);

	ck_assert_int_ge(s, 0);
	if (port != 0)
		ck_assert_int_eq(toro_bind(s, &a), 0);
	return s;
}
