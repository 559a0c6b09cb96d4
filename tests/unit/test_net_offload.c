/*
 * test_net_offload.c: the stack over a NIC with offloads (hal.h's
 * HAL_NET_*), on the fake machine: which are put in effect (all the NIC
 * has, none with offload=off, TSO never without the checksum), what a
 * TCP segment sent carries (a partial checksum the NIC can finish, or a
 * whole one), and received checksums the NIC vouched for or left
 * partial, against ones software must check.  Also the receive buffer
 * a stream socket offers for bulk transfers (its SYN's window scale),
 * and long received frames, which netif.c reads into a spare buffer.
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

static const struct {
	const char *cmdline;
	uint32_t offered, want;
} cases[] = {
	{ STATIC, HAL_NET_OFFLOADS, HAL_NET_OFFLOADS },
	{ STATIC " offload=off", HAL_NET_OFFLOADS, 0 },
	{ STATIC, 0, 0 },
	{ STATIC, HAL_NET_TX_TSO4 | HAL_NET_RX_CSUM, HAL_NET_RX_CSUM },
	{ STATIC, HAL_NET_TX_CSUM | HAL_NET_RX_LRO | HAL_NET_RX_CSUM,
	    HAL_NET_TX_CSUM | HAL_NET_RX_LRO | HAL_NET_RX_CSUM },
};

static int which;

/* Connect to the peer; the SYN that goes out, with its offload data. */
static size_t
take_syn(uint8_t *f, size_t size, struct hal_net_meta *m)
{
	struct toro_sockaddr_in a = { TORO_AF_INET, 80, PEER_IP };
	int s = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM |
	    TORO_SOCK_NONBLOCK, 0);
	size_t n;

	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(toro_connect(s, &a), -TORO_EINPROGRESS);
	settle();
	n = fake_net_sent_meta(f, size, m);
	ck_assert_uint_ge(n, 54);
	ck_assert_uint_eq(f[23], 6);
	ck_assert_uint_eq(f[47] & 0x02, 0x02); /* SYN */
	ck_assert_int_eq(toro_close(s), 0);
	return n;
}

static void *
negotiate_main(void *unused)
{
	uint8_t f[HAL_NET_FRAME_MAX];
	struct hal_net_meta m;
	uint32_t want = cases[which].want;
	size_t n;

	fake_net_set_offloads(cases[which].offered);
	start_static();
	prime_arp();
	ck_assert_uint_eq(fake_net_offloads(), strstr(cases[which].cmdline,
	    "offload=off") != NULL ? 0 : cases[which].offered);
	ck_assert_uint_eq(stats().offloads, want);
	n = take_syn(f, sizeof(f), &m);
	ck_assert_uint_eq(m.gso_type, HAL_NET_GSO_NONE);
	if (want & HAL_NET_TX_CSUM) {
		/* Partial: the NIC's sum from csum_start makes it whole. */
		ck_assert_uint_eq(m.flags, HAL_NET_M_CSUM_PARTIAL);
		ck_assert_uint_eq(m.csum_start, 34);
		ck_assert_uint_eq(m.csum_offset, 16);
		net_put16(f + 50, net_csum_fold(net_csum_add(0, f + 34,
		    n - 34)));
	} else {
		ck_assert_uint_eq(m.flags, 0);
	}
	ck_assert_uint_eq(net_csum_fold(net_csum_add(net_csum_pseudo(OUR_IP,
	    PEER_IP, 6, (uint16_t)(n - 34)), f + 34, n - 34)), 0);
	return NULL;
}

START_TEST(negotiate)
{
	which = _i;
	net_cpu = 0;
	fake_set_cmdline(cases[_i].cmdline);
	ck_assert_int_eq(fake_run(2, 16 * MB, negotiate_main, NULL), 0);
}
END_TEST

/* The window scale option of the TCP SYN in f, or -1. */
static int
syn_wscale(const uint8_t *f, size_t n)
{
	size_t i = 54, end = 34 + (size_t)(f[46] >> 4) * 4;

	ck_assert_uint_le(end, n);
	while (i < end && f[i] != 0) {
		if (f[i] == 1) {
			i++;
			continue;
		}
		ck_assert_uint_ge(f[i + 1], 2);
		if (f[i] == 3 && f[i + 1] == 3)
			return f[i + 2];
		i += f[i + 1];
	}
	return -1;
}

/*
 * A stream socket's receive buffer is 1 MiB (sock_stream.c): the SYN
 * offers the window scale that covers it (5: 1 MiB >> 5 fits 16 bits,
 * >> 4 does not), not the engine's default 128 KiB's (2).
 */
static void *
syn_window_main(void *unused)
{
	uint8_t f[HAL_NET_FRAME_MAX];
	struct hal_net_meta m;
	size_t n;

	fake_net_set_offloads(HAL_NET_OFFLOADS);
	start_static();
	prime_arp();
	n = take_syn(f, sizeof(f), &m);
	ck_assert_int_eq(syn_wscale(f, n), 5);
	/* The SYN's own window is never scaled: the most 16 bits hold. */
	ck_assert_uint_eq(net_get16(f + 48), 65535);
	return NULL;
}

START_TEST(syn_window)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, syn_window_main, NULL), 0);
}
END_TEST

/* Inject a UDP datagram to port 5000 whose checksum is `bad` or not. */
static void
inject(bool bad, const struct hal_net_meta *m, bool partial)
{
	uint8_t f[HAL_NET_FRAME_MAX];
	size_t n = mk_udp(f, PEER_IP, 999, OUR_IP, 5000, "check", 5);

	if (partial) /* the pseudo-header sum, as a host leaves it */
		net_put16(f + 40, (uint16_t)~net_csum_fold(net_csum_pseudo(
		    PEER_IP, OUR_IP, 17, 13)));
	if (bad)
		f[40] ^= 0x5a;
	ck_assert_int_eq(fake_net_inject_meta(f, n, m), 0);
	settle();
}

/* Inject a UDP datagram of len bytes of fill to port 5000, coalesced. */
static void
inject_long(size_t len, uint8_t fill)
{
	static uint8_t f[14 + 20 + 8 + 8000], u[8 + 8000];
	struct hal_net_meta m = { .flags = HAL_NET_M_CSUM_VALID,
		.gso_type = HAL_NET_GSO_TCPV4, .gso_size = 1448 };

	ck_assert_uint_le(len, 8000);
	net_put16(u, 999);
	net_put16(u + 2, 5000);
	net_put16(u + 4, (uint16_t)(8 + len));
	net_put16(u + 6, 0); /* no checksum */
	memset(u + 8, fill, len);
	ck_assert_int_eq(fake_net_inject_meta(f, mk_ip(f, PEER_IP, OUR_IP, 17,
	    u, 8 + len), &m), 0);
	settle();
}

/* A datagram of len bytes of fill waits on s. */
static void
expect_long(int s, size_t len, uint8_t fill)
{
	static char buf[8001];
	struct toro_sockaddr_in from;
	size_t i;

	ck_assert_int_eq(toro_recvfrom(s, buf, sizeof(buf), 0, &from),
	    (long)len);
	for (i = 0; i < len; i++)
		ck_assert_uint_eq((uint8_t)buf[i], fill);
}

/*
 * Long frames are read into the spare buffer: one that stays long
 * takes it along (the next gets a new one), a short one is copied out
 * and leaves it for the next.  Each must arrive whole, none mixed up
 * with the one before, also while the earlier ones still wait.  Run
 * twice: with a NIC that says each frame's length (only the long ones
 * go to the spare), and with one that cannot (all do, as on the TAP).
 */
static void *
long_frames_main(void *unused)
{
	int s;

	fake_net_set_offloads(HAL_NET_OFFLOADS);
	fake_net_set_peek_max(which);
	start_static();
	s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM | TORO_SOCK_NONBLOCK, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(toro_bind(s, &(struct toro_sockaddr_in){
	    TORO_AF_INET, 5000, 0 }), 0);
	inject_long(5000, 0xa1);
	inject_long(100, 0xb2);
	inject_long(7000, 0xc3);
	inject_long(2100, 0xd4);
	expect_long(s, 5000, 0xa1);
	expect_long(s, 100, 0xb2);
	expect_long(s, 7000, 0xc3);
	expect_long(s, 2100, 0xd4);
	ck_assert_uint_eq(stats().rx_gso, 3);
	ck_assert_int_eq(toro_close(s), 0);
	return NULL;
}

START_TEST(long_frames)
{
	which = _i;
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, long_frames_main, NULL), 0);
}
END_TEST

static void *
receive_main(void *unused)
{
	struct hal_net_meta valid = { .flags = HAL_NET_M_CSUM_VALID };
	struct hal_net_meta partial = { .flags = HAL_NET_M_CSUM_PARTIAL,
		.csum_start = 34, .csum_offset = 6 };
	struct toro_sockaddr_in from;
	char buf[16];
	int s;

	fake_net_set_offloads(HAL_NET_OFFLOADS);
	start_static();
	s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM | TORO_SOCK_NONBLOCK, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(toro_bind(s, &(struct toro_sockaddr_in){
	    TORO_AF_INET, 5000, 0 }), 0);
	/* Software checks a plain frame: a bad one is dropped. */
	inject(true, NULL, false);
	ck_assert_uint_eq(stats().udp_bad_csum, 1);
	ck_assert_int_eq(toro_recvfrom(s, buf, sizeof(buf), 0, &from),
	    -TORO_EAGAIN);
	/* Vouched for by the NIC: taken as it is. */
	inject(true, &valid, false);
	ck_assert_uint_eq(stats().udp_bad_csum, 1);
	ck_assert_int_eq(toro_recvfrom(s, buf, sizeof(buf), 0, &from), 5);
	/* Partial (it never left the host): taken. */
	inject(false, &partial, true);
	ck_assert_int_eq(toro_recvfrom(s, buf, sizeof(buf), 0, &from), 5);
	ck_assert_uint_eq(stats().rx_csum_ok, 2);
	ck_assert_uint_eq(stats().udp_bad_csum, 1);
	ck_assert_int_eq(toro_close(s), 0);
	return NULL;
}

START_TEST(receive_checksums)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, receive_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net_offload");
	TCase *tc = tcase_create("offload");

	tcase_add_loop_test(tc, negotiate, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, receive_checksums);
	tcase_add_test(tc, syn_window);
	tcase_add_loop_test(tc, long_frames, 0, 2);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
