/*
 * test_net_udp.c: UDP in and out, UDP sockets, the transmit backlog, and
 * the DHCP client against a scripted server, on the fake machine's NIC.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net/net.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakenet.h"
#include "tests/unit/net_util.h"
#include "tests/unit/unit.h"

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

int
main(void)
{
	Suite *s = suite_create("net_udp");
	TCase *tc = tcase_create("net_udp");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, udp_in_out, 0, 2);
	tcase_add_loop_test(tc, udp_connected, 0, 2);
	tcase_add_loop_test(tc, udp_loopback, 0, 2);
	tcase_add_test(tc, udp_queue_bound);
	tcase_add_loop_test(tc, tx_ring_full, 0, 2);
	tcase_add_loop_test(tc, dhcp_exchange, 0, 2);
	tcase_add_test(tc, dhcp_nak_and_retries);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
