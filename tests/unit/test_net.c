/*
 * test_net.c: the IPv4 stack's bring-up, ARP (a flood of unanswered
 * resolutions too), IPv4 validation and ICMP
 * on the fake machine's NIC (hal/fake/fakenet.h), on the virtual clock.
 * The test plays the rest of the LAN (net_util.h).
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
 * Bring-up.
 */

/*
 * Without a NIC, the first socket call starts the stack with the
 * loopback alone: 127.0.0.0/8 works, nothing else is reachable, and no
 * address will ever come.
 */
static void *
no_nic_main(void *unused)
{
	struct toro_sockaddr_in lo = { TORO_AF_INET, 7,
		TORO_INADDR_LOOPBACK };
	struct toro_sockaddr_in far = { TORO_AF_INET, 7,
		TORO_IPV4(10, 0, 2, 2) };
	struct toro_net_info info;
	struct toro_pollfd pfd = { .events = TORO_POLLIN };
	char buf[8];
	int s;

	fake_net_set_present(0);
	ck_assert_int_eq(net_start(0), -TORO_ENODEV);
	s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(toro_bind(s, &lo), 0);
	ck_assert_int_eq(toro_sendto(s, "hi", 2, 0, &lo), 2);
	pfd.fd = s;
	ck_assert_int_eq(toro_poll(&pfd, 1, SEC), 1);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), 2);
	ck_assert_int_eq(toro_sendto(s, "hi", 2, 0, &far),
	    -TORO_ENETUNREACH);
	ck_assert_int_eq(toro_close(s), 0);
	ck_assert_int_eq(toro_net_info(&info), 0);
	ck_assert_int_eq(info.up, 0);
	ck_assert_uint_eq(info.addr, 0);
	ck_assert_int_eq(toro_net_wait(SEC), -TORO_ENETDOWN);
	ck_assert_int_eq(fake_net_sent_count(), 0);
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
	ck_assert_int_eq(info.cpu, net_cpu);
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
	/* 66 datagrams while resolving: 64 wait, the two oldest go. */
	for (i = 0; i < 66; i++) {
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
	for (i = 2; i < 66; i++) {
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

/*
 * What waits for ARP is bounded in bytes across addresses too: four
 * silent neighbours, 64 datagrams of 1,400 bytes each (IP packets of
 * 1,428).  256 KiB hold 183 of them: the first two addresses keep all
 * 64, the third its last 55 (its own oldest make room), the fourth none.
 */
static void *
arp_hold_main(void *unused)
{
	static char big[1400];
	struct toro_sockaddr_in to = { TORO_AF_INET, 9, 0 };
	int s, a, i;

	start_static();
	s = udp_socket(0);
	for (a = 0; a < 4; a++) {
		to.addr = TORO_IPV4(10, 0, 2, 50 + a);
		for (i = 0; i < 64; i++)
			ck_assert_int_eq(toro_sendto(s, big, sizeof(big), 0,
			    &to), (int)sizeof(big));
	}
	settle();
	ck_assert_uint_eq(stats().arp_queue_full, 9 + 64);
	/* The announcement, then a request for each address. */
	ck_assert_uint_eq(stats().arp_out, 1 + 4);
	/* Given up after 3 s: the held ones count as unresolved. */
	toro_sleep_ns(4 * SEC);
	ck_assert_uint_eq(stats().arp_unresolved, 64 + 64 + 55);
	return NULL;
}

START_TEST(arp_hold_bytes)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 64 * MB, arp_hold_main, NULL), 0);
}
END_TEST

START_TEST(arp_retry_and_give_up)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, arp_retry_main, NULL), 0);
}
END_TEST

/*
 * Packets to on-link addresses that never answer (a SYN flood's
 * spoofed sources, each SYN-ACK wanting its own entry): the resolved
 * peer keeps its entry; young pending entries are not pushed out, so
 * the requests are bounded by the table and the rest dropped; a host
 * that speaks ARP to us still gets a slot; older pending entries make
 * room.
 */
static void *
arp_flood_main(void *unused)
{
	static const uint8_t zero[6];
	static const uint8_t other[6] = { 2, 0, 0, 0, 0, 9 };
	struct toro_sockaddr_in to = { TORO_AF_INET, 9, 0 };
	uint8_t f[64];
	struct pkt p;
	int s, i, n;

	start_static();
	prime_arp();
	s = udp_socket(4000);
	for (i = 0; i < 200; i++) {
		to.addr = TORO_IPV4(10, 0, 2, 20 + i);
		ck_assert_int_eq(toro_sendto(s, "f", 1, 0, &to), 1);
	}
	settle();
	for (n = 0; take(&p) == 1; n++)
		ck_assert_uint_eq(p.type, 0x0806);
	ck_assert_int_eq(n, 63); /* 64 slots, one the peer's */
	ck_assert_uint_eq(stats().arp_unresolved, 200 - 63);
	to.addr = PEER_IP;
	ck_assert_int_eq(toro_sendto(s, "p", 1, 0, &to), 1);
	settle();
	expect_udp(&p, 4000, 9);
	ck_assert(memcmp(p.f, peer_mac, 6) == 0);
	expect_none();
	fake_net_inject(f, mk_arp(f, 1, other, DNS_IP, zero, OUR_IP));
	settle();
	expect_arp(2, other, OUR_IP, other, DNS_IP);
	to.addr = DNS_IP;
	ck_assert_int_eq(toro_sendto(s, "d", 1, 0, &to), 1);
	settle();
	expect_udp(&p, 4000, 9);
	ck_assert(memcmp(p.f, other, 6) == 0);
	expect_none();
	toro_sleep_ns(300 * MS);
	to.addr = TORO_IPV4(10, 0, 2, 250);
	ck_assert_int_eq(toro_sendto(s, "g", 1, 0, &to), 1);
	settle();
	expect_arp(1, bcast_mac, OUR_IP, zero, to.addr);
	expect_none();
	return NULL;
}

START_TEST(arp_flood)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, arp_flood_main, NULL), 0);
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
	TCase *tc = tcase_create("net");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, no_nic);
	tcase_add_loop_test(tc, bad_options, 0, 10);
	tcase_add_loop_test(tc, static_address, 0, 2);
	tcase_add_test(tc, address_text);
	tcase_add_loop_test(tc, arp_reply, 0, 2);
	tcase_add_loop_test(tc, arp_resolve_and_expire, 0, 2);
	tcase_add_loop_test(tc, arp_retry_and_give_up, 0, 2);
	tcase_add_loop_test(tc, arp_hold_bytes, 0, 2);
	tcase_add_loop_test(tc, arp_flood, 0, 2);
	tcase_add_loop_test(tc, ipv4_validation, 0, 2);
	tcase_add_loop_test(tc, icmp_echo, 0, 2);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
