/*
 * test_net.c: the IPv4 stack below TCP, and the sockets, on the fake
 * machine's NIC (hal/fake/fakenet.h): ARP, IPv4 validation, ICMP echo,
 * UDP in and out, the DHCP client against a scripted server, and socket
 * calls from threads on another CPU, all on the virtual clock.
 *
 * The test plays the rest of the LAN: it injects frames from a peer
 * (10.0.2.2, the gateway) and reads back what the stack sent.
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net/net.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakenet.h"
#include "hal/hal.h"
#include "toro/socket.h"
#include "toro/toro.h"

#define MB (1024 * 1024)
#define MS 1000000ull
#define SEC 1000000000ull

#define OUR_IP TORO_IPV4(10, 0, 2, 15)
#define PEER_IP TORO_IPV4(10, 0, 2, 2)
#define DNS_IP TORO_IPV4(10, 0, 2, 3)
#define FAR_IP TORO_IPV4(93, 184, 216, 34)
#define STATIC "ip=10.0.2.15/24 gw=10.0.2.2"
#define NET_SOCK_TEST_MAX 1024 /* one past the last descriptor */

static const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static int net_cpu;

/* A frame the stack sent, with its layers located. */
struct pkt {
	uint8_t f[HAL_NET_FRAME_MAX];
	size_t len;
	uint16_t type;
	uint8_t *ip, *l4; /* IPv4 header and payload, if IPv4 */
	size_t l4len;
	uint32_t src, dst;
	uint8_t proto;
};

/* Let the network CPU run: a short sleep on the virtual clock. */
static void
settle(void)
{
	toro_sleep_ns(1000);
}

static struct toro_net_stats
stats(void)
{
	struct toro_net_stats st;

	ck_assert_int_eq(toro_net_stats(&st), 0);
	return st;
}

static int
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

static void
expect_none(void)
{
	ck_assert_int_eq(fake_net_sent_count(), 0);
}

/* The next frame is a UDP datagram with a right checksum. */
static void
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

static size_t
mk_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	net_put16(f + 12, type);
	return 14;
}

static void
ip_csum(uint8_t *f)
{
	uint8_t *h = f + 14;
	size_t hl = (size_t)(h[0] & 15) * 4;

	net_put16(h + 10, 0);
	net_put16(h + 10, net_csum_fold(net_csum_add(0, h, hl)));
}

static size_t
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

static size_t
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

static void
inject_udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
    const char *text)
{
	uint8_t f[HAL_NET_FRAME_MAX];

	ck_assert_int_eq(fake_net_inject(f, mk_udp(f, src, sport, dst, dport,
	    text, strlen(text))), 0);
}

static size_t
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
static void
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
static void
start_static(void)
{
	static const uint8_t zero[6];

	ck_assert_int_eq(net_start(net_cpu), 0);
	settle();
	expect_arp(1, bcast_mac, OUR_IP, zero, OUR_IP);
	expect_none();
}

/* The peer asks for us; we answer and learn its MAC. */
static void
prime_arp(void)
{
	uint8_t f[64];
	static const uint8_t zero[6];

	ck_assert_int_eq(fake_net_inject(f, mk_arp(f, 1, peer_mac, PEER_IP,
	    zero, OUR_IP)), 0);
	settle();
	expect_arp(2, peer_mac, OUR_IP, peer_mac, PEER_IP);
}

static int
udp_socket(uint16_t port)
{
	struct toro_sockaddr_in a = { TORO_AF_INET, port, 0 };
	int s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0);

	ck_assert_int_ge(s, 0);
	if (port != 0)
		ck_assert_int_eq(toro_bind(s, &a), 0);
	return s;
}

/*
 * Bring-up.
 */

static void *
no_nic_main(void *unused)
{
	struct toro_sockaddr_in a = { TORO_AF_INET, 7, 0 };
	struct toro_net_info info;
	struct toro_pollfd pfd = { 0, TORO_POLLIN, 0 };

	fake_net_set_present(0);
	ck_assert_int_eq(net_start(0), -TORO_ENODEV);
	ck_assert_int_eq(toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0),
	    -TORO_ENETDOWN);
	ck_assert_int_eq(toro_bind(0, &a), -TORO_ENETDOWN);
	ck_assert_int_eq(toro_poll(&pfd, 1, 0), -TORO_ENETDOWN);
	ck_assert_int_eq(toro_net_info(&info), -TORO_ENETDOWN);
	ck_assert_int_eq(info.up, 0);
	ck_assert_int_eq(toro_net_wait(SEC), -TORO_ENETDOWN);
	return NULL;
}

START_TEST(no_nic)
{
	ck_assert_int_eq(fake_run(1, 16 * MB, no_nic_main, NULL), 0);
}
END_TEST

static void *
bad_option_main(void *unused)
{
	ck_assert_int_eq(net_start(0), -TORO_EINVAL);
	ck_assert_int_eq(toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0),
	    -TORO_ENETDOWN);
	return NULL;
}

START_TEST(bad_options)
{
	static const char *const lines[] = {
		"ip=10.0.2.300/24", "ip=10.0.2.15/33", "ip=10.0.2.15/0",
		"ip=10.0.2/24", "ip=10.0.2.15/", "ip=10.0.2.15/24x",
		"gw=10.0.2.2", "ip=10.0.2.15/24 gw=10.0.2", "ip=0.0.0.0/8",
		"ip=10.0.2.15.1/24",
	};

	fake_set_cmdline(lines[_i]);
	ck_assert_int_eq(fake_run(1, 16 * MB, bad_option_main, NULL), 0);
}
END_TEST

static void *
static_main(void *unused)
{
	struct toro_net_info info;
	char buf[16];

	start_static();
	ck_assert_int_eq(toro_net_info(&info), 0);
	ck_assert_int_eq(info.up, 1);
	ck_assert_int_eq(info.dhcp, 0);
	ck_assert_uint_eq(info.addr, OUR_IP);
	ck_assert_uint_eq(info.mask, 0xffffff00u);
	ck_assert_uint_eq(info.gateway, PEER_IP);
	ck_assert_uint_eq(info.mtu, 1500);
	ck_assert(memcmp(info.mac, fake_net_mac, 6) == 0);
	ck_assert_int_eq(toro_net_wait(0), 0);
	ck_assert_str_eq(toro_inet_ntoa(info.addr, buf), "10.0.2.15");
	ck_assert_int_eq(net_start(net_cpu), -TORO_EINVAL);
	return NULL;
}

START_TEST(static_address)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, static_main, NULL), 0);
}
END_TEST

/*
 * ARP.
 */

static void *
arp_reply_main(void *unused)
{
	static const uint8_t zero[6];
	static const uint8_t other[6] = { 2, 0, 0, 0, 0, 9 };
	uint8_t f[64];
	size_t n;

	start_static();
	prime_arp();
	/* For another host: no answer. */
	fake_net_inject(f, mk_arp(f, 1, other, DNS_IP, zero, PEER_IP));
	/* Malformed: bad hardware type, short, group sender. */
	n = mk_arp(f, 1, other, DNS_IP, zero, OUR_IP);
	net_put16(f + 14, 6);
	fake_net_inject(f, n);
	fake_net_inject(f, 14 + 20);
	n = mk_arp(f, 1, bcast_mac, DNS_IP, zero, OUR_IP);
	fake_net_inject(f, n);
	/* A probe (sender 0.0.0.0) is answered to 0.0.0.0, not cached. */
	fake_net_inject(f, mk_arp(f, 1, other, 0, zero, OUR_IP));
	settle();
	expect_arp(2, other, OUR_IP, other, 0);
	expect_none();
	ck_assert_uint_eq(stats().arp_in, 6);
	ck_assert_uint_eq(stats().arp_bad, 3);
	return NULL;
}

START_TEST(arp_reply)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, arp_reply_main, NULL), 0);
}
END_TEST

static void *
arp_resolve_main(void *unused)
{
	static const uint8_t zero[6];
	struct toro_sockaddr_in to = { TORO_AF_INET, 9, DNS_IP };
	uint8_t f[64];
	char msg[2] = "0";
	struct pkt p;
	int s, i;

	start_static();
	s = udp_socket(4000);
	/* Six datagrams while resolving: the two oldest are dropped. */
	for (i = 0; i < 6; i++) {
		msg[0] = (char)('0' + i);
		ck_assert_int_eq(toro_sendto(s, msg, 1, 0, &to), 1);
	}
	settle();
	expect_arp(1, bcast_mac, OUR_IP, zero, DNS_IP);
	expect_none();
	ck_assert_uint_eq(stats().arp_queue_full, 2);
	fake_net_inject(f, mk_arp(f, 2, peer_mac, DNS_IP, fake_net_mac,
	    OUR_IP));
	settle();
	for (i = 2; i < 6; i++) {
		expect_udp(&p, 4000, 9);
		ck_assert(memcmp(p.f, peer_mac, 6) == 0);
		ck_assert_uint_eq(p.dst, DNS_IP);
		ck_assert_int_eq(p.l4[8], '0' + i);
	}
	expect_none();
	/* Cached: straight out. */
	ck_assert_int_eq(toro_sendto(s, "x", 1, 0, &to), 1);
	settle();
	expect_udp(&p, 4000, 9);
	expect_none();
	/* Still cached at 59 s, gone at 60 s: asked again. */
	toro_sleep_ns(59 * SEC - 2 * 1000);
	ck_assert_int_eq(toro_sendto(s, "y", 1, 0, &to), 1);
	settle();
	expect_udp(&p, 4000, 9);
	toro_sleep_ns(SEC);
	ck_assert_int_eq(toro_sendto(s, "z", 1, 0, &to), 1);
	settle();
	expect_arp(1, bcast_mac, OUR_IP, zero, DNS_IP);
	expect_none();
	/* Off our network: through the gateway, which needs ARP too. */
	to.addr = FAR_IP;
	ck_assert_int_eq(toro_sendto(s, "w", 1, 0, &to), 1);
	settle();
	expect_arp(1, bcast_mac, OUR_IP, zero, PEER_IP);
	fake_net_inject(f, mk_arp(f, 2, peer_mac, PEER_IP, fake_net_mac,
	    OUR_IP));
	settle();
	expect_udp(&p, 4000, 9);
	ck_assert(memcmp(p.f, peer_mac, 6) == 0);
	ck_assert_uint_eq(p.dst, FAR_IP);
	return NULL;
}

START_TEST(arp_resolve_and_expire)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, arp_resolve_main, NULL), 0);
}
END_TEST

static void *
arp_retry_main(void *unused)
{
	static const uint8_t zero[6];
	struct toro_sockaddr_in to = { TORO_AF_INET, 9, DNS_IP };
	uint64_t t0;
	int s, i;

	start_static();
	s = udp_socket(0);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_sendto(s, "a", 1, 0, &to), 1);
	/* Requests at 0, 1 and 2 s, then the packet is dropped at 3 s. */
	for (i = 0; i < 3; i++) {
		toro_sleep_ns(t0 + (uint64_t)i * SEC + 500 * MS -
		    toro_time_ns());
		expect_arp(1, bcast_mac, OUR_IP, zero, DNS_IP);
		expect_none();
		ck_assert_uint_eq(stats().arp_unresolved, 0);
	}
	toro_sleep_ns(t0 + 3 * SEC + 500 * MS - toro_time_ns());
	expect_none();
	ck_assert_uint_eq(stats().arp_unresolved, 1);
	ck_assert_uint_eq(stats().arp_out, 4);
	return NULL;
}

START_TEST(arp_retry_and_give_up)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, arp_retry_main, NULL), 0);
}
END_TEST

/*
 * IPv4 input checks and ICMP.
 */

static const uint8_t echo_req[] = {
	8, 0, 0, 0, 0x12, 0x34, 0x00, 0x07, 'p', 'i', 'n', 'g', '!', 0, 1,
};

static size_t
mk_echo(uint8_t *f, uint32_t dst)
{
	uint8_t m[sizeof(echo_req)];

	memcpy(m, echo_req, sizeof(m));
	net_put16(m + 2, net_csum_fold(net_csum_add(0, m, sizeof(m))));
	return mk_ip(f, PEER_IP, dst, 1, m, sizeof(m));
}

static void
expect_echo_reply(void)
{
	struct pkt p;

	ck_assert_int_eq(take(&p), 1);
	ck_assert_uint_eq(p.proto, 1);
	ck_assert(memcmp(p.f, peer_mac, 6) == 0);
	ck_assert_uint_eq(p.src, OUR_IP);
	ck_assert_uint_eq(p.dst, PEER_IP);
	ck_assert_uint_eq(p.l4len, sizeof(echo_req));
	ck_assert_uint_eq(p.l4[0], 0);
	ck_assert_uint_eq(p.l4[1], 0);
	ck_assert(memcmp(p.l4 + 4, echo_req + 4, sizeof(echo_req) - 4) == 0);
	ck_assert_uint_eq(net_csum_fold(net_csum_add(0, p.l4, p.l4len)), 0);
}

static void *
ip_checks_main(void *unused)
{
	struct toro_net_stats st;
	uint8_t f[HAL_NET_FRAME_MAX];
	size_t n;

	start_static();
	prime_arp();
	n = mk_echo(f, OUR_IP);
	f[14] = 0x65; /* version 6 */
	ip_csum(f);
	fake_net_inject(f, n);
	n = mk_echo(f, OUR_IP);
	f[14] = 0x44; /* IHL 4 */
	fake_net_inject(f, n);
	n = mk_echo(f, OUR_IP);
	f[14] = 0x4f; /* IHL 60 > total length */
	ip_csum(f);
	fake_net_inject(f, n);
	n = mk_echo(f, OUR_IP);
	net_put16(f + 16, (uint16_t)(n - 14 + 1)); /* longer than the frame */
	ip_csum(f);
	fake_net_inject(f, n);
	n = mk_echo(f, OUR_IP);
	fake_net_inject(f, 14 + 19); /* truncated header */
	f[24] ^= 1; /* bad header checksum */
	fake_net_inject(f, n);
	n = mk_echo(f, OUR_IP);
	net_put16(f + 20, 0x2000); /* more fragments */
	ip_csum(f);
	fake_net_inject(f, n);
	n = mk_echo(f, OUR_IP);
	net_put16(f + 20, 0x0010); /* a later fragment */
	ip_csum(f);
	fake_net_inject(f, n);
	fake_net_inject(f, mk_echo(f, DNS_IP)); /* another host */
	fake_net_inject(f, mk_echo(f, TORO_IPV4(224, 0, 0, 1)));
	n = mk_echo(f, OUR_IP);
	net_put32(f + 26, 0xffffffffu); /* from broadcast */
	ip_csum(f);
	fake_net_inject(f, n);
	n = mk_echo(f, OUR_IP);
	f[14 + 9] = 99; /* unknown protocol: ICMP protocol unreachable */
	ip_csum(f);
	fake_net_inject(f, n);
	n = mk_eth(f, fake_net_mac, peer_mac, 0x86dd); /* IPv6 */
	fake_net_inject(f, n + 40);
	n = mk_echo(f, OUR_IP);
	f[0] = 0x01; /* a multicast MAC */
	fake_net_inject(f, n);
	fake_net_inject(f, 10); /* runt */
	settle();
	st = stats();
	ck_assert_uint_eq(st.ip_bad_version, 1);
	ck_assert_uint_eq(st.ip_bad_hdrlen, 2);
	ck_assert_uint_eq(st.ip_bad_len, 2);
	ck_assert_uint_eq(st.ip_bad_csum, 1);
	ck_assert_uint_eq(st.ip_fragments, 2);
	ck_assert_uint_eq(st.ip_not_ours, 2);
	ck_assert_uint_eq(st.ip_bad_src, 1);
	ck_assert_uint_eq(st.ip_unknown_proto, 1);
	ck_assert_uint_eq(st.rx_unknown_type, 1);
	ck_assert_uint_eq(st.rx_not_ours, 1);
	ck_assert_uint_eq(st.rx_runt, 1);
	ck_assert_uint_eq(st.icmp_in, 0);
	/* Only the protocol unreachable went out. */
	{
		struct pkt p;

		ck_assert_int_eq(take(&p), 1);
		ck_assert_uint_eq(p.proto, 1);
		ck_assert_uint_eq(p.l4[0], 3);
		ck_assert_uint_eq(p.l4[1], 2);
		ck_assert_uint_eq(net_csum_fold(net_csum_add(0, p.l4,
		    p.l4len)), 0);
		ck_assert_uint_eq(p.l4[8 + 9], 99);
	}
	expect_none();
	/* A valid one, padded by Ethernet, is accepted and answered. */
	n = mk_echo(f, OUR_IP);
	memset(f + n, 0xee, 20);
	fake_net_inject(f, n + 20);
	settle();
	expect_echo_reply();
	expect_none();
	st = stats();
	ck_assert_uint_eq(st.icmp_in, 1);
	ck_assert_uint_eq(st.icmp_echo_in, 1);
	ck_assert_uint_eq(st.icmp_out, 2);
	ck_assert_uint_eq(st.ip_in, 13);
	return NULL;
}

START_TEST(ipv4_validation)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, ip_checks_main, NULL), 0);
}
END_TEST

static void *
icmp_main(void *unused)
{
	uint8_t f[HAL_NET_FRAME_MAX];
	size_t n;

	start_static();
	prime_arp();
	fake_net_inject(f, mk_echo(f, OUR_IP));
	settle();
	expect_echo_reply();
	/* To the broadcast address: not answered. */
	fake_net_inject(f, mk_echo(f, TORO_IPV4(10, 0, 2, 255)));
	fake_net_inject(f, mk_echo(f, 0xffffffffu));
	/* A bad ICMP checksum. */
	n = mk_echo(f, OUR_IP);
	f[34 + 8] ^= 0xff;
	fake_net_inject(f, n);
	/* Other types are counted: a timestamp request, an echo reply. */
	n = mk_echo(f, OUR_IP);
	f[34] = 13;
	net_put16(f + 36, 0);
	net_put16(f + 36, net_csum_fold(net_csum_add(0, f + 34, n - 34)));
	fake_net_inject(f, n);
	f[34] = 0;
	net_put16(f + 36, 0);
	net_put16(f + 36, net_csum_fold(net_csum_add(0, f + 34, n - 34)));
	fake_net_inject(f, n);
	settle();
	expect_none();
	ck_assert_uint_eq(stats().icmp_in, 6);
	ck_assert_uint_eq(stats().icmp_bad, 1);
	ck_assert_uint_eq(stats().icmp_echo_in, 3);
	ck_assert_uint_eq(stats().icmp_other_in, 2);
	ck_assert_uint_eq(stats().icmp_out, 1);
	return NULL;
}

START_TEST(icmp_echo)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, icmp_main, NULL), 0);
}
END_TEST

/*
 * UDP.
 */

static void *
udp_main(void *unused)
{
	struct toro_sockaddr_in from, to = { TORO_AF_INET, 5353, PEER_IP };
	uint8_t f[HAL_NET_FRAME_MAX], big[1500];
	char buf[64];
	struct pkt p;
	size_t n;
	int s;

	start_static();
	prime_arp();
	s = udp_socket(7);
	/* In: a right checksum, a zero one (none), a wrong one. */
	inject_udp(PEER_IP, 1234, OUR_IP, 7, "first");
	n = mk_udp(f, PEER_IP, 1234, OUR_IP, 7, "second", 6);
	net_put16(f + 34 + 6, 0);
	fake_net_inject(f, n);
	n = mk_udp(f, PEER_IP, 1234, OUR_IP, 7, "third", 5);
	f[n - 1] ^= 1;
	fake_net_inject(f, n);
	/* A length field longer than the packet, and shorter than 8. */
	n = mk_udp(f, PEER_IP, 1234, OUR_IP, 7, "fourth", 6);
	net_put16(f + 34 + 4, 15);
	fake_net_inject(f, n);
	net_put16(f + 34 + 4, 7);
	fake_net_inject(f, n);
	settle();
	ck_assert_int_eq(toro_recvfrom(s, buf, sizeof(buf), 0, &from), 5);
	ck_assert(memcmp(buf, "first", 5) == 0);
	ck_assert_uint_eq(from.family, TORO_AF_INET);
	ck_assert_uint_eq(from.addr, PEER_IP);
	ck_assert_uint_eq(from.port, 1234);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), 6);
	ck_assert(memcmp(buf, "second", 6) == 0);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), TORO_MSG_DONTWAIT),
	    -TORO_EAGAIN);
	ck_assert_uint_eq(stats().udp_bad_csum, 1);
	ck_assert_uint_eq(stats().udp_bad_len, 2);
	/* Peek, then truncation: the rest of a datagram is lost. */
	inject_udp(PEER_IP, 1234, OUR_IP, 7, "abcdefgh");
	settle();
	ck_assert_int_eq(toro_recv(s, buf, 3, TORO_MSG_PEEK), 3);
	ck_assert_int_eq(toro_recv(s, buf, 3, 0), 3);
	ck_assert(memcmp(buf, "abc", 3) == 0);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), TORO_MSG_DONTWAIT),
	    -TORO_EAGAIN);
	/* Out, with the checksum the test verifies in expect_udp(). */
	ck_assert_int_eq(toro_sendto(s, "reply", 5, 0, &to), 5);
	settle();
	expect_udp(&p, 7, 5353);
	ck_assert_uint_eq(p.src, OUR_IP);
	ck_assert_uint_eq(p.dst, PEER_IP);
	ck_assert(memcmp(p.l4 + 8, "reply", 5) == 0);
	ck_assert(memcmp(p.f, peer_mac, 6) == 0);
	/* The largest datagram fits in the MTU; one more byte does not. */
	memset(big, 'b', sizeof(big));
	ck_assert_int_eq(toro_sendto(s, big, 1472, 0, &to), 1472);
	ck_assert_int_eq(toro_sendto(s, big, 1473, 0, &to), -TORO_EMSGSIZE);
	settle();
	expect_udp(&p, 7, 5353);
	ck_assert_uint_eq(p.len, 1514);
	/* No socket on the port: ICMP port unreachable quotes it. */
	inject_udp(PEER_IP, 1234, OUR_IP, 8, "nobody");
	settle();
	ck_assert_int_eq(take(&p), 1);
	ck_assert_uint_eq(p.proto, 1);
	ck_assert_uint_eq(p.l4[0], 3);
	ck_assert_uint_eq(p.l4[1], 3);
	ck_assert_uint_eq(net_csum_fold(net_csum_add(0, p.l4, p.l4len)), 0);
	ck_assert_uint_eq(net_get32(p.l4 + 8 + 16), OUR_IP);
	ck_assert_uint_eq(net_get16(p.l4 + 8 + 20 + 2), 8);
	ck_assert_uint_eq(stats().udp_no_port, 1);
	/* ... but not for a broadcast. */
	inject_udp(PEER_IP, 1234, 0xffffffffu, 8, "nobody");
	settle();
	expect_none();
	/* Port in use; sending without a peer; a bad family. */
	{
		struct toro_sockaddr_in a = { TORO_AF_INET, 7, 0 };
		int s2 = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0);

		ck_assert_int_eq(toro_bind(s2, &a), -TORO_EADDRINUSE);
		a.addr = DNS_IP;
		a.port = 70;
		ck_assert_int_eq(toro_bind(s2, &a), -TORO_EADDRNOTAVAIL);
		ck_assert_int_eq(toro_send(s2, "x", 1, 0), -TORO_ENOTCONN);
		a.family = 10;
		ck_assert_int_eq(toro_sendto(s2, "x", 1, 0, &a),
		    -TORO_EINVAL);
		ck_assert_int_eq(toro_close(s2), 0);
		ck_assert_int_eq(toro_close(s2), -TORO_EBADF);
	}
	ck_assert_uint_eq(stats().udp_in, 8);
	ck_assert_uint_eq(stats().udp_out, 2);
	return NULL;
}

START_TEST(udp_in_out)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, udp_main, NULL), 0);
}
END_TEST

/* A connected socket: default peer, filter, ICMP error, ephemeral port. */
static void *
udp_connected_main(void *unused)
{
	struct toro_sockaddr_in peer = { TORO_AF_INET, 53, PEER_IP }, me;
	uint8_t f[HAL_NET_FRAME_MAX], icmp[64];
	char buf[16];
	struct pkt p;
	size_t n;
	int s;

	start_static();
	prime_arp();
	s = udp_socket(0);
	ck_assert_int_eq(toro_connect(s, &peer), 0);
	ck_assert_int_eq(toro_getsockname(s, &me), 0);
	ck_assert_uint_ge(me.port, 49152);
	ck_assert_uint_eq(me.addr, OUR_IP);
	ck_assert_int_eq(toro_getpeername(s, &me), 0);
	ck_assert_uint_eq(me.port, 53);
	ck_assert_int_eq(toro_getsockname(s, &me), 0);
	ck_assert_int_eq(toro_send(s, "q", 1, 0), 1);
	settle();
	expect_udp(&p, me.port, 53);
	/* From a stranger: not for this socket. */
	inject_udp(DNS_IP, 53, OUR_IP, me.port, "spoof");
	inject_udp(PEER_IP, 53, OUR_IP, me.port, "answer");
	settle();
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), 6);
	/* Port unreachable for the stranger, who must be resolved first. */
	expect_arp(1, bcast_mac, OUR_IP, NULL, DNS_IP);
	/* The peer says its port is closed: the next call reports it. */
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 3;
	icmp[1] = 3;
	n = mk_udp(f, OUR_IP, me.port, PEER_IP, 53, "q", 1);
	memcpy(icmp + 8, f + 14, n - 14);
	net_put16(icmp + 2, net_csum_fold(net_csum_add(0, icmp,
	    8 + n - 14)));
	fake_net_inject(f, mk_ip(f, PEER_IP, OUR_IP, 1, icmp, 8 + n - 14));
	settle();
	ck_assert_uint_eq(stats().icmp_unreach_in, 1);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0),
	    -TORO_ECONNREFUSED);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), TORO_MSG_DONTWAIT),
	    -TORO_EAGAIN);
	/* Shut down for reading: recv gives 0 at once. */
	ck_assert_int_eq(toro_shutdown(s, TORO_SHUT_RD), 0);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(toro_shutdown(s, TORO_SHUT_WR), 0);
	ck_assert_int_eq(toro_send(s, "q", 1, 0), -TORO_EPIPE);
	ck_assert_int_eq(toro_close(s), 0);
	expect_none();
	return NULL;
}

START_TEST(udp_connected)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, udp_connected_main, NULL), 0);
}
END_TEST

/* Datagrams to ourselves never reach the NIC. */
static void *
loopback_main(void *unused)
{
	struct toro_sockaddr_in to = { TORO_AF_INET, 9000, 0 }, from;
	char buf[16];
	int a, b;

	start_static();
	a = udp_socket(9000);
	b = udp_socket(9001);
	to.addr = TORO_INADDR_LOOPBACK;
	ck_assert_int_eq(toro_sendto(b, "lo", 2, 0, &to), 2);
	ck_assert_int_eq(toro_recvfrom(a, buf, sizeof(buf), 0, &from), 2);
	ck_assert_uint_eq(from.addr, TORO_INADDR_LOOPBACK);
	ck_assert_uint_eq(from.port, 9001);
	to.addr = OUR_IP;
	ck_assert_int_eq(toro_sendto(b, "me", 2, 0, &to), 2);
	ck_assert_int_eq(toro_recvfrom(a, buf, sizeof(buf), 0, &from), 2);
	ck_assert(memcmp(buf, "me", 2) == 0);
	ck_assert_uint_eq(from.addr, OUR_IP);
	expect_none();
	return NULL;
}

START_TEST(udp_loopback)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, loopback_main, NULL), 0);
}
END_TEST

/* A full receive queue drops and counts. */
static void *
queue_main(void *unused)
{
	char buf[8];
	int s, i;

	start_static();
	s = udp_socket(7);
	for (i = 0; i < 70; i++)
		inject_udp(PEER_IP, 1234, OUR_IP, 7, "x");
	settle();
	ck_assert_uint_eq(stats().udp_queue_full, 6);
	for (i = 0; i < 64; i++)
		ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), 1);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), TORO_MSG_DONTWAIT),
	    -TORO_EAGAIN);
	return NULL;
}

START_TEST(udp_queue_bound)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(1, 32 * MB, queue_main, NULL), 0);
}
END_TEST

/* A full transmit ring: frames wait in order, go when room frees. */
static void *
tx_full_main(void *unused)
{
	struct toro_sockaddr_in to = { TORO_AF_INET, 9, PEER_IP };
	struct pkt p;
	char c;
	int s, i;

	start_static();
	prime_arp();
	s = udp_socket(7);
	fake_net_tx_room(1);
	for (i = 0; i < 5; i++) {
		c = (char)('a' + i);
		ck_assert_int_eq(toro_sendto(s, &c, 1, 0, &to), 1);
	}
	settle();
	ck_assert_int_eq(fake_net_sent_count(), 1);
	ck_assert_uint_ge(fake_net_tx_refused(), 1);
	fake_net_tx_room(-1);
	settle();
	for (i = 0; i < 5; i++) {
		expect_udp(&p, 7, 9);
		ck_assert_int_eq(p.l4[8], 'a' + i);
	}
	ck_assert_uint_eq(stats().tx_full, 0);
	return NULL;
}

START_TEST(tx_ring_full)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, tx_full_main, NULL), 0);
}
END_TEST

/*
 * DHCP against a scripted server.
 */

#define DHCP_SERVER PEER_IP

struct dhcp_msg {
	int type;
	uint32_t xid, ciaddr, req_addr, server;
	uint16_t flags;
	struct pkt p;
};

static void
expect_dhcp(struct dhcp_msg *m, uint32_t src, uint32_t dst)
{
	const uint8_t *b, *o, *end;

	memset(m, 0, sizeof(*m));
	expect_udp(&m->p, 68, 67);
	ck_assert_uint_eq(m->p.src, src);
	ck_assert_uint_eq(m->p.dst, dst);
	ck_assert_uint_eq(m->p.l4len, 8 + 548);
	b = m->p.l4 + 8;
	ck_assert_uint_eq(b[0], 1);
	ck_assert_uint_eq(b[1], 1);
	ck_assert_uint_eq(b[2], 6);
	ck_assert(memcmp(b + 28, fake_net_mac, 6) == 0);
	ck_assert_uint_eq(net_get32(b + 236), 0x63825363u);
	m->xid = net_get32(b + 4);
	m->flags = net_get16(b + 10);
	m->ciaddr = net_get32(b + 12);
	for (o = b + 240, end = b + 548; o < end && *o != 255;) {
		if (*o == 0) {
			o++;
			continue;
		}
		ck_assert(o + 2 + o[1] <= end);
		if (o[0] == 53)
			m->type = o[2];
		if (o[0] == 50)
			m->req_addr = net_get32(o + 2);
		if (o[0] == 54)
			m->server = net_get32(o + 2);
		o += 2 + o[1];
	}
	ck_assert(o < end);
}

static void
dhcp_reply(int type, uint32_t xid, uint32_t yiaddr, uint32_t lease,
    uint32_t dst)
{
	uint8_t b[548], f[HAL_NET_FRAME_MAX], *o;

	memset(b, 0, sizeof(b));
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	net_put32(b + 4, xid);
	net_put32(b + 16, yiaddr);
	net_put32(b + 20, DHCP_SERVER);
	memcpy(b + 28, fake_net_mac, 6);
	net_put32(b + 236, 0x63825363u);
	o = b + 240;
	*o++ = 53, *o++ = 1, *o++ = (uint8_t)type;
	*o++ = 54, *o++ = 4, net_put32(o, DHCP_SERVER), o += 4;
	if (type != 6) {
		*o++ = 1, *o++ = 4, net_put32(o, 0xffffff00u), o += 4;
		*o++ = 3, *o++ = 4, net_put32(o, PEER_IP), o += 4;
		*o++ = 6, *o++ = 8, net_put32(o, DNS_IP), o += 4;
		net_put32(o, PEER_IP), o += 4;
		*o++ = 51, *o++ = 4, net_put32(o, lease), o += 4;
	}
	*o = 255;
	ck_assert_int_eq(fake_net_inject(f, mk_udp(f, DHCP_SERVER, 67, dst,
	    68, b, sizeof(b))), 0);
}

static void
sleep_until(uint64_t t)
{
	uint64_t now = toro_time_ns();

	if (t > now)
		toro_sleep_ns(t - now);
}

static void *
waiter(void *unused)
{
	return (void *)(intptr_t)toro_net_wait(TORO_FOREVER);
}

static void *
dhcp_main(void *unused)
{
	static const uint8_t zero[6];
	struct toro_net_info info;
	struct toro_thread *w;
	struct dhcp_msg m, m2;
	uint64_t t0, acked;
	void *ret;
	uint8_t f[64];

	ck_assert_int_eq(net_start(net_cpu), 0);
	ck_assert_int_eq(toro_thread_create(&w, 1, waiter, NULL, NULL), 0);
	t0 = toro_time_ns();
	settle();
	/* DISCOVER, broadcast from 0.0.0.0, then again at 4 +-1 s. */
	expect_dhcp(&m, 0, 0xffffffffu);
	ck_assert_int_eq(m.type, 1);
	ck_assert_uint_eq(m.flags, 0x8000);
	ck_assert(memcmp(m.p.f, bcast_mac, 6) == 0);
	ck_assert_int_eq(toro_net_wait(0), -TORO_ETIMEDOUT);
	sleep_until(t0 + 3 * SEC - MS);
	expect_none();
	sleep_until(t0 + 5 * SEC + MS);
	expect_dhcp(&m2, 0, 0xffffffffu);
	ck_assert_int_eq(m2.type, 1);
	ck_assert_uint_eq(m2.xid, m.xid);
	/* Offers with the wrong xid or MAC are ignored. */
	dhcp_reply(2, m.xid + 1, OUR_IP, 100, 0xffffffffu);
	settle();
	expect_none();
	/* The offer, unicast to the offered address: REQUEST follows. */
	dhcp_reply(2, m.xid, OUR_IP, 100, OUR_IP);
	settle();
	expect_dhcp(&m, 0, 0xffffffffu);
	ck_assert_int_eq(m.type, 3);
	ck_assert_uint_eq(m.xid, m2.xid);
	ck_assert_uint_eq(m.req_addr, OUR_IP);
	ck_assert_uint_eq(m.server, DHCP_SERVER);
	ck_assert_uint_eq(m.ciaddr, 0);
	acked = toro_time_ns();
	dhcp_reply(5, m.xid, OUR_IP, 100, 0xffffffffu);
	settle();
	/* Bound: the waiter wakes, a gratuitous ARP announces us. */
	ck_assert_int_eq(toro_thread_join(w, &ret), 0);
	ck_assert_int_eq((int)(intptr_t)ret, 0);
	expect_arp(1, bcast_mac, OUR_IP, zero, OUR_IP);
	expect_none();
	ck_assert_int_eq(toro_net_info(&info), 0);
	ck_assert_int_eq(info.dhcp, 1);
	ck_assert_uint_eq(info.addr, OUR_IP);
	ck_assert_uint_eq(info.mask, 0xffffff00u);
	ck_assert_uint_eq(info.gateway, PEER_IP);
	ck_assert_uint_eq(info.dns, DNS_IP);
	ck_assert_uint_le(info.lease_ns, 100 * SEC);
	ck_assert_uint_gt(info.lease_ns, 99 * SEC);
	/* T1 = 50 s: renew, unicast to the server (after ARP). */
	sleep_until(acked + 50 * SEC - 10 * MS);
	expect_none();
	sleep_until(acked + 50 * SEC + MS);
	expect_arp(1, bcast_mac, OUR_IP, zero, DHCP_SERVER);
	fake_net_inject(f, mk_arp(f, 2, peer_mac, PEER_IP, fake_net_mac,
	    OUR_IP));
	settle();
	expect_dhcp(&m, OUR_IP, DHCP_SERVER);
	ck_assert_int_eq(m.type, 3);
	ck_assert_uint_eq(m.ciaddr, OUR_IP);
	ck_assert_uint_eq(m.req_addr, 0);
	ck_assert_uint_eq(m.flags, 0);
	ck_assert(memcmp(m.p.f, peer_mac, 6) == 0);
	/* No answer: T2 = 87.5 s, rebinding by broadcast. */
	sleep_until(acked + 87 * SEC + 400 * MS);
	expect_none();
	sleep_until(acked + 87 * SEC + 600 * MS);
	expect_dhcp(&m, OUR_IP, 0xffffffffu);
	ck_assert_int_eq(m.type, 3);
	ck_assert_uint_eq(m.ciaddr, OUR_IP);
	/* No answer: at 100 s the address goes, DISCOVER again. */
	sleep_until(acked + 99 * SEC + 900 * MS);
	expect_none();
	ck_assert_int_eq(toro_net_info(&info), 0);
	ck_assert_uint_eq(info.addr, OUR_IP);
	sleep_until(acked + 100 * SEC + MS);
	expect_dhcp(&m, 0, 0xffffffffu);
	ck_assert_int_eq(m.type, 1);
	ck_assert_int_eq(toro_net_info(&info), 0);
	ck_assert_uint_eq(info.addr, 0);
	ck_assert_uint_eq(stats().dhcp_leases, 1);
	return NULL;
}

START_TEST(dhcp_exchange)
{
	net_cpu = _i;
	ck_assert_int_eq(fake_run(2, 16 * MB, dhcp_main, NULL), 0);
}
END_TEST

static void *
dhcp_nak_main(void *unused)
{
	struct dhcp_msg m;
	uint64_t t0;

	ck_assert_int_eq(net_start(0), 0);
	settle();
	expect_dhcp(&m, 0, 0xffffffffu);
	dhcp_reply(2, m.xid, OUR_IP, 3600, 0xffffffffu);
	settle();
	expect_dhcp(&m, 0, 0xffffffffu);
	ck_assert_int_eq(m.type, 3);
	/* A NAK starts over with a new xid. */
	dhcp_reply(6, m.xid, 0, 0, 0xffffffffu);
	settle();
	expect_dhcp(&m, 0, 0xffffffffu);
	ck_assert_int_eq(m.type, 1);
	/* REQUEST unanswered 4 times: back to DISCOVER. */
	dhcp_reply(2, m.xid, OUR_IP, 3600, 0xffffffffu);
	settle();
	t0 = toro_time_ns();
	expect_dhcp(&m, 0, 0xffffffffu);
	ck_assert_int_eq(m.type, 3);
	sleep_until(t0 + 3 * SEC + 8 * SEC + 16 * SEC - 3 * SEC - MS);
	ck_assert_int_eq(fake_net_sent_count(), 2);
	sleep_until(t0 + 4 * SEC + 8 * SEC + 16 * SEC + 32 * SEC + 4 * SEC);
	expect_dhcp(&m, 0, 0xffffffffu);
	expect_dhcp(&m, 0, 0xffffffffu);
	expect_dhcp(&m, 0, 0xffffffffu);
	ck_assert_int_eq(m.type, 3);
	expect_dhcp(&m, 0, 0xffffffffu);
	ck_assert_int_eq(m.type, 1);
	return NULL;
}

START_TEST(dhcp_nak_and_retries)
{
	ck_assert_int_eq(fake_run(1, 16 * MB, dhcp_nak_main, NULL), 0);
}
END_TEST

/*
 * Sockets from a thread on another CPU.
 */

static volatile int ready;
static uint64_t woke_at;

static void *
blocking_receiver(void *unused)
{
	struct toro_sockaddr_in from;
	char buf[32];
	long n;
	int s = udp_socket(5000);

	ready = 1;
	n = toro_recvfrom(s, buf, sizeof(buf), 0, &from);
	woke_at = toro_time_ns();
	ck_assert_int_eq(n, 5);
	ck_assert(memcmp(buf, "wake!", 5) == 0);
	ck_assert_uint_eq(from.addr, PEER_IP);
	ck_assert_uint_eq(from.port, 999);
	ck_assert_int_eq(toro_close(s), 0);
	return (void *)(intptr_t)toro_cpu_id();
}

static void *
cross_cpu_main(void *unused)
{
	struct toro_thread *t;
	uint64_t sent;
	void *ret;

	start_static();
	ck_assert_int_eq(toro_thread_create(&t, 1 - net_cpu,
	    blocking_receiver, NULL, NULL), 0);
	while (!ready)
		toro_sleep_ns(MS);
	toro_sleep_ns(10 * MS);
	sent = toro_time_ns();
	inject_udp(PEER_IP, 999, OUR_IP, 5000, "wake!");
	ck_assert_int_eq(toro_thread_join(t, &ret), 0);
	ck_assert_int_eq((int)(intptr_t)ret, 1 - net_cpu);
	ck_assert_uint_ge(woke_at, sent);
	ck_assert_uint_lt(woke_at - sent, MS);
	return NULL;
}

START_TEST(blocking_recv_other_cpu)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, cross_cpu_main, NULL), 0);
}
END_TEST

static void *
timeouts_other_cpu(void *unused)
{
	char buf[8];
	uint64_t t0;
	int s = udp_socket(5001), n;

	/* A timeout ends a blocking call exactly on time. */
	ck_assert_int_eq(toro_socket_set_timeout(s, 50 * MS), 0);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), -TORO_ETIMEDOUT);
	ck_assert_uint_eq(toro_time_ns() - t0, 50 * MS);
	ck_assert_int_eq(toro_socket_set_timeout(s, 0), -TORO_EINVAL);
	ck_assert_int_eq(toro_socket_set_timeout(s, TORO_FOREVER), 0);
	ck_assert_int_eq(toro_socket_set_nodelay(s, 1), -TORO_EOPNOTSUPP);
	/* Non-blocking: at once. */
	ck_assert_int_eq(toro_socket_set_nonblock(s, 1), 0);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), -TORO_EAGAIN);
	ck_assert_uint_eq(toro_time_ns(), t0);
	ck_assert_int_eq(toro_close(s), 0);
	s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM | TORO_SOCK_NONBLOCK,
	    0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), -TORO_EAGAIN);
	n = toro_close(s);
	ck_assert_int_eq(n, 0);
	/* Bad descriptors and arguments. */
	ck_assert_int_eq(toro_recv(-1, buf, 1, 0), -TORO_EBADF);
	ck_assert_int_eq(toro_recv(NET_SOCK_TEST_MAX, buf, 1, 0),
	    -TORO_EBADF);
	ck_assert_int_eq(toro_socket(TORO_AF_INET + 1, TORO_SOCK_DGRAM, 0),
	    -TORO_EINVAL);
	ck_assert_int_eq(toro_socket(TORO_AF_INET, 3, 0),
	    -TORO_EPROTONOSUPPORT);
	ck_assert_int_eq(toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 6),
	    -TORO_EPROTONOSUPPORT);
	return NULL;
}

static void *
timeouts_main(void *unused)
{
	struct toro_thread *t;

	start_static();
	ck_assert_int_eq(toro_thread_create(&t, 1 - net_cpu,
	    timeouts_other_cpu, NULL, NULL), 0);
	ck_assert_int_eq(toro_thread_join(t, NULL), 0);
	return NULL;
}

START_TEST(timeout_and_nonblock)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, timeouts_main, NULL), 0);
}
END_TEST

static void *
poller(void *unused)
{
	struct toro_pollfd pfd[3];
	char buf[8];
	uint64_t t0;
	int a = udp_socket(6000), b = udp_socket(6001);

	pfd[0].fd = a;
	pfd[0].events = TORO_POLLIN;
	pfd[1].fd = b;
	pfd[1].events = TORO_POLLIN;
	pfd[2].fd = -1;
	pfd[2].events = TORO_POLLIN;
	/* Nothing yet; POLLOUT is always true for UDP. */
	ck_assert_int_eq(toro_poll(pfd, 3, 0), 0);
	pfd[2].fd = 77;
	ck_assert_int_eq(toro_poll(pfd, 3, 0), 1);
	ck_assert_int_eq(pfd[2].revents, TORO_POLLNVAL);
	pfd[2].fd = -1;
	ready = 1;
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_poll(pfd, 3, SEC), 1);
	woke_at = toro_time_ns() - t0;
	ck_assert_int_eq(pfd[0].revents, 0);
	ck_assert_int_eq(pfd[1].revents, TORO_POLLIN);
	ck_assert_int_eq(pfd[2].revents, 0);
	ck_assert_int_eq(toro_recv(b, buf, sizeof(buf), 0), 4);
	/* A timeout returns 0, exactly on time. */
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_poll(pfd, 2, 20 * MS), 0);
	ck_assert_uint_eq(toro_time_ns() - t0, 20 * MS);
	pfd[0].events = TORO_POLLOUT;
	ck_assert_int_eq(toro_poll(pfd, 2, TORO_FOREVER), 1);
	ck_assert_int_eq(pfd[0].revents, TORO_POLLOUT);
	ck_assert_int_eq(toro_poll(pfd, -1, 0), -TORO_EINVAL);
	return NULL;
}

static void *
poll_main(void *unused)
{
	struct toro_thread *t;

	start_static();
	ck_assert_int_eq(toro_thread_create(&t, 1 - net_cpu, poller, NULL,
	    NULL), 0);
	while (!ready)
		toro_sleep_ns(MS);
	toro_sleep_ns(10 * MS);
	inject_udp(PEER_IP, 999, OUR_IP, 6001, "poll");
	ck_assert_int_eq(toro_thread_join(t, NULL), 0);
	ck_assert_uint_ge(woke_at, 10 * MS);
	ck_assert_uint_le(woke_at, 11 * MS);
	return NULL;
}

START_TEST(poll_two_sockets)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, poll_main, NULL), 0);
}
END_TEST

/* Closing a socket ends the calls blocked on it. */
static int shared_sock;

static void *
blocked_reader(void *unused)
{
	char buf[4];

	ready = 1;
	return (void *)(intptr_t)toro_recv(shared_sock, buf, sizeof(buf), 0);
}

static void *
close_main(void *unused)
{
	struct toro_thread *t;
	void *ret;

	start_static();
	shared_sock = udp_socket(7);
	ck_assert_int_eq(toro_thread_create(&t, 1, blocked_reader, NULL,
	    NULL), 0);
	while (!ready)
		toro_sleep_ns(MS);
	toro_sleep_ns(MS);
	ck_assert_int_eq(toro_close(shared_sock), 0);
	ck_assert_int_eq(toro_thread_join(t, &ret), 0);
	ck_assert_int_eq((int)(intptr_t)ret, -TORO_EBADF);
	/* The port is free again. */
	shared_sock = udp_socket(7);
	return NULL;
}

START_TEST(close_wakes_blocked)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, close_main, NULL), 0);
}
END_TEST

/*
 * Stream sockets, over the TCP engine, through the loopback.
 */

#define BULK (1024 * 1024)

static void *
tcp_server(void *arg)
{
	struct toro_sockaddr_in a = { TORO_AF_INET, 8080, 0 }, peer;
	static char buf[65536];
	long n, total = 0;
	int l, c;

	l = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0);
	ck_assert_int_ge(l, 0);
	ck_assert_int_eq(toro_bind(l, &a), 0);
	ck_assert_int_eq(toro_listen(l, 4), 0);
	ready = 1;
	c = toro_accept(l, &peer);
	ck_assert_int_ge(c, 0);
	ck_assert_uint_eq(peer.addr, OUR_IP);
	ck_assert_uint_ge(peer.port, 49152);
	ck_assert_int_eq(toro_getsockname(c, &a), 0);
	ck_assert_uint_eq(a.port, 8080);
	/* Echo until the client's FIN, counting bytes. */
	while ((n = toro_recv(c, buf, sizeof(buf), 0)) > 0) {
		total += n;
		ck_assert_int_eq(toro_send(c, buf, (size_t)n, 0), n);
	}
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(toro_close(c), 0);
	ck_assert_int_eq(toro_close(l), 0);
	return (void *)(intptr_t)total;
}

static void *
tcp_reader(void *arg)
{
	static char buf[65536];
	int c = *(int *)arg;
	long n, total = 0;
	unsigned char want = 0;

	while ((n = toro_recv(c, buf, sizeof(buf), 0)) > 0) {
		for (long i = 0; i < n; i++, want++)
			if ((unsigned char)buf[i] != (unsigned char)(want * 7))
				return (void *)-1;
		total += n;
	}
	return (void *)(intptr_t)(n < 0 ? n : total);
}

static void *
tcp_echo_main(void *unused)
{
	struct toro_sockaddr_in to = { TORO_AF_INET, 8080, OUR_IP };
	struct toro_thread *srv, *rd;
	static unsigned char data[BULK];
	char buf[16];
	void *ret;
	int c, i;

	start_static();
	ck_assert_int_eq(toro_thread_create(&srv, 1, tcp_server, NULL, NULL),
	    0);
	while (!ready)
		toro_sleep_ns(MS);
	c = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0);
	ck_assert_int_ge(c, 0);
	ck_assert_int_eq(toro_send(c, "x", 1, 0), -TORO_ENOTCONN);
	ck_assert_int_eq(toro_connect(c, &to), 0);
	ck_assert_int_eq(toro_connect(c, &to), -TORO_EISCONN);
	ck_assert_int_eq(toro_socket_set_nodelay(c, 1), 0);
	ck_assert_int_eq(toro_socket_set_nodelay(c + 1000, 1), -TORO_EBADF);
	ck_assert_int_eq(toro_send(c, "hello", 5, 0), 5);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), 5);
	ck_assert(memcmp(buf, "hello", 5) == 0);
	/* A megabyte both ways: a reader on CPU 0 drains the echo. */
	for (i = 0; i < BULK; i++)
		data[i] = (unsigned char)(i * 7);
	ck_assert_int_eq(toro_thread_create(&rd, 0, tcp_reader, &c, NULL),
	    0);
	ck_assert_int_eq(toro_send(c, data, BULK, 0), BULK);
	ck_assert_int_eq(toro_shutdown(c, TORO_SHUT_WR), 0);
	ck_assert_int_eq(toro_send(c, "x", 1, 0), -TORO_EPIPE);
	ck_assert_int_eq(toro_thread_join(rd, &ret), 0);
	ck_assert_int_eq((long)(intptr_t)ret, BULK);
	ck_assert_int_eq(toro_thread_join(srv, &ret), 0);
	ck_assert_int_eq((long)(intptr_t)ret, BULK + 5);
	ck_assert_int_eq(toro_close(c), 0);
	ck_assert_uint_eq(stats().tcp_active_opens, 1);
	ck_assert_uint_eq(stats().tcp_passive_opens, 1);
	ck_assert_uint_eq(stats().tcp_established, 2);
	ck_assert_uint_eq(stats().tcp_in_errs, 0);
	if (getenv("NET_TRACE") != NULL)
		fprintf(stderr, "tx_full %llu tcp_out %llu t %.3f\n",
		    (unsigned long long)stats().tx_full,
		    (unsigned long long)stats().tcp_out, fake_now() / 1e9);
	expect_none();
	return NULL;
}

START_TEST(tcp_echo_loopback)
{
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 64 * MB, tcp_echo_main, NULL), 0);
}
END_TEST

static void *
tcp_errors_main(void *unused)
{
	struct toro_sockaddr_in to = { TORO_AF_INET, 8081, OUR_IP }, a;
	struct toro_pollfd pfd[2];
	char buf[8];
	int c, l, s;

	start_static();
	/* Nobody listens: refused. */
	c = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0);
	ck_assert_int_eq(toro_connect(c, &to), -TORO_ECONNREFUSED);
	ck_assert_int_eq(toro_close(c), 0);
	c = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM | TORO_SOCK_NONBLOCK,
	    0);
	ck_assert_int_eq(toro_connect(c, &to), -TORO_EINPROGRESS);
	pfd[0] = (struct toro_pollfd){ c, TORO_POLLOUT, 0 };
	ck_assert_int_eq(toro_poll(pfd, 1, SEC), 1);
	ck_assert_int_eq(pfd[0].revents & TORO_POLLERR, TORO_POLLERR);
	ck_assert_int_eq(toro_connect(c, &to), -TORO_ECONNREFUSED);
	ck_assert_int_eq(toro_close(c), 0);
	/* A non-blocking listener and connect, completed through poll. */
	l = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM | TORO_SOCK_NONBLOCK,
	    0);
	a = (struct toro_sockaddr_in){ TORO_AF_INET, 8081, 0 };
	ck_assert_int_eq(toro_bind(l, &a), 0);
	s = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0);
	ck_assert_int_eq(toro_bind(s, &a), -TORO_EADDRINUSE);
	ck_assert_int_eq(toro_close(s), 0);
	ck_assert_int_eq(toro_listen(l, 2), 0);
	ck_assert_int_eq(toro_accept(l, NULL), -TORO_EAGAIN);
	c = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM | TORO_SOCK_NONBLOCK,
	    0);
	ck_assert_int_eq(toro_connect(c, &to), -TORO_EINPROGRESS);
	ck_assert_int_eq(toro_connect(c, &to), -TORO_EALREADY);
	pfd[0] = (struct toro_pollfd){ l, TORO_POLLIN, 0 };
	pfd[1] = (struct toro_pollfd){ c, TORO_POLLOUT, 0 };
	ck_assert_int_ge(toro_poll(pfd, 2, SEC), 1);
	ck_assert_int_eq(toro_poll(pfd, 1, SEC), 1);
	ck_assert_int_eq(pfd[0].revents, TORO_POLLIN);
	ck_assert_int_eq(toro_poll(pfd + 1, 1, SEC), 1);
	ck_assert_int_eq(pfd[1].revents, TORO_POLLOUT);
	ck_assert_int_eq(toro_connect(c, &to), -TORO_EISCONN);
	s = toro_accept(l, NULL);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), -TORO_EAGAIN);
	/* A timeout on a blocking recv. */
	ck_assert_int_eq(toro_socket_set_nonblock(c, 0), 0);
	ck_assert_int_eq(toro_socket_set_timeout(c, 30 * MS), 0);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), -TORO_ETIMEDOUT);
	/* The peer closes: poll says readable, recv says end of stream. */
	ck_assert_int_eq(toro_close(s), 0);
	pfd[1] = (struct toro_pollfd){ c, TORO_POLLIN, 0 };
	ck_assert_int_eq(toro_poll(pfd + 1, 1, SEC), 1);
	ck_assert_int_eq(pfd[1].revents & TORO_POLLIN, TORO_POLLIN);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(toro_close(c), 0);
	ck_assert_int_eq(toro_close(l), 0);
	/* Stream-only calls on a datagram socket and vice versa. */
	s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0);
	ck_assert_int_eq(toro_listen(s, 1), -TORO_EOPNOTSUPP);
	ck_assert_int_eq(toro_accept(s, NULL), -TORO_EOPNOTSUPP);
	return NULL;
}

START_TEST(tcp_errors_and_poll)
{
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 32 * MB, tcp_errors_main, NULL), 0);
}
END_TEST

static void *
addr_text_main(void *unused)
{
	uint32_t a;
	char buf[16];

	ck_assert_int_eq(toro_inet_aton("192.168.1.254", &a), 0);
	ck_assert_uint_eq(a, TORO_IPV4(192, 168, 1, 254));
	ck_assert_str_eq(toro_inet_ntoa(a, buf), "192.168.1.254");
	ck_assert_str_eq(toro_inet_ntoa(0, buf), "0.0.0.0");
	ck_assert_str_eq(toro_inet_ntoa(0xffffffffu, buf),
	    "255.255.255.255");
	ck_assert_int_eq(toro_inet_aton("1.2.3", &a), -TORO_EINVAL);
	ck_assert_int_eq(toro_inet_aton("1.2.3.4.", &a), -TORO_EINVAL);
	ck_assert_int_eq(toro_inet_aton("1.2.3.256", &a), -TORO_EINVAL);
	ck_assert_int_eq(toro_inet_aton("1..3.4", &a), -TORO_EINVAL);
	ck_assert_int_eq(toro_inet_aton(" 1.2.3.4", &a), -TORO_EINVAL);
	ck_assert_int_eq(toro_inet_aton("0001.2.3.4", &a), -TORO_EINVAL);
	return NULL;
}

START_TEST(address_text)
{
	ck_assert_int_eq(fake_run(1, 8 * MB, addr_text_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("ipv4");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, no_nic);
	tcase_add_loop_test(tc, bad_options, 0, 10);
	tcase_add_loop_test(tc, static_address, 0, 2);
	tcase_add_test(tc, address_text);
	tcase_add_loop_test(tc, arp_reply, 0, 2);
	tcase_add_loop_test(tc, arp_resolve_and_expire, 0, 2);
	tcase_add_loop_test(tc, arp_retry_and_give_up, 0, 2);
	tcase_add_loop_test(tc, ipv4_validation, 0, 2);
	tcase_add_loop_test(tc, icmp_echo, 0, 2);
	tcase_add_loop_test(tc, udp_in_out, 0, 2);
	tcase_add_loop_test(tc, udp_connected, 0, 2);
	tcase_add_loop_test(tc, udp_loopback, 0, 2);
	tcase_add_test(tc, udp_queue_bound);
	tcase_add_loop_test(tc, tx_ring_full, 0, 2);
	tcase_add_loop_test(tc, dhcp_exchange, 0, 2);
	tcase_add_test(tc, dhcp_nak_and_retries);
	tcase_add_loop_test(tc, blocking_recv_other_cpu, 0, 2);
	tcase_add_loop_test(tc, timeout_and_nonblock, 0, 2);
	tcase_add_loop_test(tc, poll_two_sockets, 0, 2);
	tcase_add_loop_test(tc, close_wakes_blocked, 0, 2);
	tcase_add_test(tc, tcp_echo_loopback);
	tcase_add_test(tc, tcp_errors_and_poll);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
