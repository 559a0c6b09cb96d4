/*
 * test_net_sockopt.c: socket options through the socket calls, on the
 * fake machine: defaults, set and read back, bounds, the options each
 * kind of socket has, what an accepted socket inherits, the two
 * timeouts apart; SO_LINGER {1, 0} (a reset, no TIME_WAIT) and {1, N}
 * (close waits for the ACK of data and FIN, returns when it comes, or
 * after N s against a peer that never answers); keep-alive ending a
 * connection to a silent peer with ETIMEDOUT for recv, poll and
 * SO_ERROR; a datagram socket's receive buffer bounding its queue.
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

/* tcp_link.c's: a TCP segment with its checksum. */
size_t seg_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
    uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
    const uint8_t *opt, size_t optlen, const void *data, size_t len);

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

static int64_t
opt(int s, int o)
{
	int64_t v = -12345;

	ck_assert_int_eq(toro_socket_getopt(s, o, &v), 0);
	return v;
}

static int
stream(void)
{
	int s = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0);

	ck_assert_int_ge(s, 0);
	return s;
}

/* A listener on port, a client connected to it, the accepted socket. */
static void
loop_pair(uint16_t port, int *l, int *c, int *a)
{
	struct toro_sockaddr_in any = { TORO_AF_INET, port, 0 };
	struct toro_sockaddr_in to = { TORO_AF_INET, port, OUR_IP };

	if (*l < 0)
		*l = stream();
	if (opt(*l, TORO_SO_ACCEPTCONN) == 0) {
		ck_assert_int_eq(toro_bind(*l, &any), 0);
		ck_assert_int_eq(toro_listen(*l, 8), 0);
	}
	*c = stream();
	ck_assert_int_eq(toro_connect(*c, &to), 0);
	*a = toro_accept(*l, NULL);
	ck_assert_int_ge(*a, 0);
}

static void *
options_main(void *unused)
{
	int s, u, p[2], l = -1, c, a;
	int64_t v;
	char buf[8];
	uint64_t t0;

	start_static();
	s = stream();
	/* Linux's defaults. */
	ck_assert_int_eq(opt(s, TORO_SO_KEEPALIVE), 0);
	ck_assert_int_eq(opt(s, TORO_TCP_KEEPIDLE), 7200);
	ck_assert_int_eq(opt(s, TORO_TCP_KEEPINTVL), 75);
	ck_assert_int_eq(opt(s, TORO_TCP_KEEPCNT), 9);
	ck_assert_int_eq(opt(s, TORO_TCP_NODELAY), 0);
	ck_assert_int_eq(opt(s, TORO_SO_LINGER), TORO_LINGER(0, 0));
	ck_assert_int_eq(opt(s, TORO_SO_RCVTIMEO), TORO_FOREVER);
	ck_assert_int_eq(opt(s, TORO_SO_ACCEPTCONN), 0);
	ck_assert_int_eq(opt(s, TORO_SO_REUSEADDR), 0);
	/* Set, read back. */
	ck_assert_int_eq(toro_socket_setopt(s, TORO_SO_KEEPALIVE, 5), 0);
	ck_assert_int_eq(opt(s, TORO_SO_KEEPALIVE), 1);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_TCP_KEEPIDLE, 30), 0);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_TCP_KEEPINTVL, 32767), 0);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_TCP_KEEPCNT, 127), 0);
	ck_assert_int_eq(opt(s, TORO_TCP_KEEPIDLE), 30);
	ck_assert_int_eq(opt(s, TORO_TCP_KEEPINTVL), 32767);
	ck_assert_int_eq(opt(s, TORO_TCP_KEEPCNT), 127);
	ck_assert_int_eq(
	    toro_socket_setopt(s, TORO_TCP_KEEPIDLE, 0), -TORO_EINVAL);
	ck_assert_int_eq(
	    toro_socket_setopt(s, TORO_TCP_KEEPINTVL, 32768), -TORO_EINVAL);
	ck_assert_int_eq(
	    toro_socket_setopt(s, TORO_TCP_KEEPCNT, 128), -TORO_EINVAL);
	ck_assert_int_eq(opt(s, TORO_TCP_KEEPCNT), 127);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_SO_RCVBUF, 8192), 0);
	ck_assert_int_eq(opt(s, TORO_SO_RCVBUF), 8192);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_SO_SNDBUF, 1), 0);
	ck_assert_int_eq(opt(s, TORO_SO_SNDBUF), 4096);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_SO_SNDBUF, -1), 0);
	ck_assert_int_eq(opt(s, TORO_SO_SNDBUF), 16 << 20);
	ck_assert_int_eq(
	    toro_socket_setopt(s, TORO_SO_LINGER, TORO_LINGER(1, 7)), 0);
	ck_assert_int_eq(opt(s, TORO_SO_LINGER), TORO_LINGER(1, 7));
	/* Off keeps the seconds, as Linux. */
	ck_assert_int_eq(
	    toro_socket_setopt(s, TORO_SO_LINGER, TORO_LINGER(0, 3)), 0);
	ck_assert_int_eq(opt(s, TORO_SO_LINGER), TORO_LINGER(0, 7));
	ck_assert_int_eq(
	    toro_socket_setopt(s, TORO_SO_RCVTIMEO, 0), -TORO_EINVAL);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_SO_SNDTIMEO, 5 * MS), 0);
	ck_assert_int_eq(opt(s, TORO_SO_SNDTIMEO), 5 * MS);
	ck_assert_int_eq(opt(s, TORO_SO_RCVTIMEO), TORO_FOREVER);
	ck_assert_int_eq(
	    toro_socket_setopt(s, TORO_SO_ACCEPTCONN, 1), -TORO_ENOPROTOOPT);
	ck_assert_int_eq(toro_socket_setopt(s, 99, 1), -TORO_ENOPROTOOPT);
	ck_assert_int_eq(toro_socket_getopt(s, 99, &v), -TORO_ENOPROTOOPT);
	ck_assert_int_eq(
	    toro_socket_getopt(s, TORO_SO_RCVBUF, NULL), -TORO_EFAULT);
	ck_assert_int_eq(
	    toro_socket_setopt(s + 100, TORO_SO_RCVBUF, 1), -TORO_EBADF);
	ck_assert_int_eq(toro_close(s), 0);
	/* A datagram socket: no TCP options; buffers and keep-alive kept. */
	u = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0);
	ck_assert_int_eq(
	    toro_socket_setopt(u, TORO_TCP_NODELAY, 1), -TORO_ENOPROTOOPT);
	ck_assert_int_eq(
	    toro_socket_getopt(u, TORO_TCP_KEEPIDLE, &v), -TORO_ENOPROTOOPT);
	ck_assert_int_eq(toro_socket_setopt(u, TORO_SO_KEEPALIVE, 1), 0);
	ck_assert_int_eq(opt(u, TORO_SO_KEEPALIVE), 1);
	ck_assert_int_eq(opt(u, TORO_SO_RCVBUF), 256 * 1024);
	ck_assert_int_eq(toro_close(u), 0);
	/* A pipe: the timeouts only. */
	ck_assert_int_eq(toro_pipe(p, 0), 0);
	ck_assert_int_eq(
	    toro_socket_setopt(p[0], TORO_SO_RCVTIMEO, 20 * MS), 0);
	ck_assert_int_eq(
	    toro_socket_setopt(p[0], TORO_SO_LINGER, 0), -TORO_ENOPROTOOPT);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_recv(p[0], buf, 1, 0), -TORO_ETIMEDOUT);
	ck_assert_uint_eq(toro_time_ns() - t0, 20 * MS);
	toro_close(p[0]);
	toro_close(p[1]);
	/* Inherited from a listener, the timeouts apart. */
	l = stream();
	ck_assert_int_eq(toro_socket_setopt(l, TORO_SO_KEEPALIVE, 1), 0);
	ck_assert_int_eq(toro_socket_setopt(l, TORO_TCP_KEEPIDLE, 600), 0);
	ck_assert_int_eq(toro_socket_setopt(l, TORO_SO_RCVBUF, 10000), 0);
	ck_assert_int_eq(toro_socket_setopt(l, TORO_TCP_NODELAY, 1), 0);
	ck_assert_int_eq(
	    toro_socket_setopt(l, TORO_SO_LINGER, TORO_LINGER(1, 4)), 0);
	ck_assert_int_eq(toro_socket_setopt(l, TORO_SO_RCVTIMEO, 30 * MS), 0);
	loop_pair(7000, &l, &c, &a);
	ck_assert_int_eq(opt(l, TORO_SO_ACCEPTCONN), 1);
	ck_assert_int_eq(opt(a, TORO_SO_ACCEPTCONN), 0);
	ck_assert_int_eq(opt(a, TORO_SO_KEEPALIVE), 1);
	ck_assert_int_eq(opt(a, TORO_TCP_KEEPIDLE), 600);
	ck_assert_int_eq(opt(a, TORO_SO_RCVBUF), 10000);
	ck_assert_int_eq(opt(a, TORO_TCP_NODELAY), 1);
	ck_assert_int_eq(opt(a, TORO_SO_LINGER), TORO_LINGER(1, 4));
	ck_assert_int_eq(opt(a, TORO_SO_RCVTIMEO), 30 * MS);
	ck_assert_int_eq(opt(c, TORO_SO_KEEPALIVE), 0);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_recv(a, buf, 1, 0), -TORO_ETIMEDOUT);
	ck_assert_uint_eq(toro_time_ns() - t0, 30 * MS);
	/* SO_SNDTIMEO alone leaves a receive waiting. */
	ck_assert_int_eq(toro_socket_setopt(c, TORO_SO_SNDTIMEO, 10 * MS), 0);
	ck_assert_int_eq(toro_socket_setopt(c, TORO_SO_RCVTIMEO, 50 * MS), 0);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_recv(c, buf, 1, 0), -TORO_ETIMEDOUT);
	ck_assert_uint_eq(toro_time_ns() - t0, 50 * MS);
	toro_close(c);
	toro_close(a);
	toro_close(l);
	return NULL;
}

START_TEST(options)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 32 * MB, options_main, NULL), 0);
}
END_TEST

/*
 * Over the loopback: {1, 0} resets (the peer's recv says ECONNRESET,
 * so does its SO_ERROR, poll says POLLERR) and leaves no TIME_WAIT;
 * {1, 5} with a peer that acknowledges returns at once, the data and
 * the end of stream arriving.
 */
static void *
linger_loop_main(void *unused)
{
	struct toro_pollfd pfd;
	int l = -1, c, a;
	uint64_t t0;
	char buf[8];

	start_static();
	loop_pair(7001, &l, &c, &a);
	ck_assert_int_eq(toro_send(a, "bye", 3, 0), 3);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), 3);
	ck_assert_int_eq(
	    toro_socket_setopt(a, TORO_SO_LINGER, TORO_LINGER(1, 0)), 0);
	ck_assert_int_eq(toro_close(a), 0);
	pfd = (struct toro_pollfd) { .fd = c, .events = TORO_POLLIN };
	ck_assert_int_eq(toro_poll(&pfd, 1, SEC), 1);
	ck_assert_int_eq(pfd.revents & TORO_POLLERR, TORO_POLLERR);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), -TORO_ECONNRESET);
	ck_assert_int_eq(toro_socket_error(c), -TORO_ECONNRESET);
	ck_assert_int_eq(toro_close(c), 0);
	ck_assert_uint_eq(stats().tcp_state[10], 0); /* TIME_WAIT */
	/* {1, 5}, acknowledged at once. */
	loop_pair(7001, &l, &c, &a);
	ck_assert_int_eq(
	    toro_socket_setopt(a, TORO_SO_LINGER, TORO_LINGER(1, 5)), 0);
	ck_assert_int_eq(toro_send(a, "data", 4, 0), 4);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_close(a), 0);
	ck_assert_uint_lt(toro_time_ns() - t0, 10 * MS);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), 4);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(toro_close(c), 0);
	ck_assert_uint_eq(stats().tcp_state[10], 1); /* a's TIME_WAIT */
	toro_close(l);
	return NULL;
}

START_TEST(linger_loopback)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 32 * MB, linger_loop_main, NULL), 0);
}
END_TEST

/*
 * The peer (PEER_IP:80) is the test, crafting its segments by hand.
 */

#define PEER_ISS 5000u

static uint32_t our_iss;
static uint16_t our_port;

/* The next TCP segment we sent; *seq and the flags. */
static int
next_tcp(uint32_t *seq, uint32_t *len)
{
	struct pkt p;

	while (take(&p)) {
		if (p.type != 0x0800 || p.proto != 6)
			continue;
		*seq = net_get32(p.l4 + 4);
		*len = (uint32_t)(p.l4len - (size_t)(p.l4[12] >> 4) * 4);
		return p.l4[13];
	}
	return -1;
}

static void
peer_send(uint32_t seq, uint32_t ack, uint8_t flags)
{
	uint8_t seg[64], f[128];
	size_t n = seg_build(seg, PEER_IP, OUR_IP, 80, our_port, seq, ack,
	    flags, 65535, NULL, 0, NULL, 0);

	ck_assert_int_eq(
	    fake_net_inject(f, mk_ip(f, PEER_IP, OUR_IP, 6, seg, n)), 0);
	settle();
}

/* A connection to the peer, established; its socket. */
static int
peer_connect(void)
{
	struct toro_sockaddr_in to = { TORO_AF_INET, 80, PEER_IP };
	struct pkt p;
	int s = stream();

	while (take(&p))
		;
	ck_assert_int_eq(toro_socket_set_nonblock(s, 1), 0);
	ck_assert_int_eq(toro_connect(s, &to), -TORO_EINPROGRESS);
	settle();
	ck_assert_int_eq(take(&p), 1);
	ck_assert_uint_eq(p.l4[13], F_SYN);
	our_port = net_get16(p.l4);
	our_iss = net_get32(p.l4 + 4);
	peer_send(PEER_ISS, our_iss + 1, F_SYN | F_ACK);
	ck_assert_int_eq(toro_connect(s, &to), -TORO_EISCONN);
	ck_assert_int_eq(toro_socket_set_nonblock(s, 0), 0);
	while (take(&p))
		;
	return s;
}

static volatile uint64_t closed_at;

static void *
closer(void *arg)
{
	ck_assert_int_eq(toro_close((int)(intptr_t)arg), 0);
	closed_at = toro_time_ns();
	return NULL;
}

/*
 * {1, 2}: close sends data and FIN and waits; the peer's ACK of both
 * 100 ms later ends the wait then.  A peer that never answers: close
 * returns after the 2 s, and the connection goes on retransmitting.
 */
static void *
linger_wait_main(void *unused)
{
	struct toro_thread *t;
	uint32_t seq, len;
	uint64_t t0;
	int s, fl;

	start_static();
	prime_arp();
	s = peer_connect();
	ck_assert_int_eq(
	    toro_socket_setopt(s, TORO_SO_LINGER, TORO_LINGER(1, 2)), 0);
	ck_assert_int_eq(toro_send(s, "hello", 5, 0), 5);
	settle();
	closed_at = 0;
	t0 = toro_time_ns();
	ck_assert_int_eq(
	    toro_thread_create(&t, 1, closer, (void *)(intptr_t)s, NULL), 0);
	toro_sleep_ns(100 * MS);
	ck_assert_uint_eq(closed_at, 0);
	/* What went: the data, then the FIN (perhaps together). */
	fl = next_tcp(&seq, &len);
	ck_assert_uint_eq(seq, our_iss + 1);
	if (!(fl & F_FIN)) {
		ck_assert_uint_eq(len, 5);
		fl = next_tcp(&seq, &len);
		ck_assert_uint_eq(seq, our_iss + 6);
	}
	ck_assert_int_eq(fl & F_FIN, F_FIN);
	peer_send(PEER_ISS + 1, our_iss + 7, F_ACK);
	ck_assert_int_eq(toro_thread_join(t, NULL), 0);
	ck_assert_uint_eq(closed_at - t0, 100 * MS);

	/* Nobody answers: 2 s. */
	s = peer_connect();
	ck_assert_int_eq(
	    toro_socket_setopt(s, TORO_SO_LINGER, TORO_LINGER(1, 2)), 0);
	ck_assert_int_eq(toro_send(s, "hello", 5, 0), 5);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_close(s), 0);
	ck_assert_uint_eq(toro_time_ns() - t0, 2 * SEC);
	ck_assert_uint_eq(stats().tcp_state[5], 1); /* FIN_WAIT_1 */
	while (next_tcp(&seq, &len) >= 0)
		ck_assert_uint_ge(seq, our_iss + 1);
	toro_sleep_ns(5 * SEC);
	ck_assert_int_ge(next_tcp(&seq, &len), 0); /* retransmitted */
	return NULL;
}

START_TEST(linger_wait)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 32 * MB, linger_wait_main, NULL), 0);
}
END_TEST

/*
 * Keep-alive on a connection whose peer went silent: probes at 10, 11
 * and 12 s (SND.NXT - 1, no data), then an RST, and the owner hears
 * ETIMEDOUT from poll (POLLERR), SO_ERROR and recv.
 */
static void *
keepalive_main(void *unused)
{
	struct toro_pollfd pfd;
	uint32_t seq, len;
	char buf[4];
	int s, i;

	start_static();
	prime_arp();
	s = peer_connect();
	ck_assert_int_eq(toro_socket_setopt(s, TORO_TCP_KEEPIDLE, 10), 0);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_TCP_KEEPINTVL, 1), 0);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_TCP_KEEPCNT, 3), 0);
	ck_assert_int_eq(toro_socket_setopt(s, TORO_SO_KEEPALIVE, 1), 0);
	/* Nothing else is due: the option alone must wake the stack. */
	toro_sleep_ns(12 * SEC + 500 * MS);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(next_tcp(&seq, &len), F_ACK);
		ck_assert_uint_eq(seq, our_iss);
		ck_assert_uint_eq(len, 0);
	}
	ck_assert_int_eq(next_tcp(&seq, &len), -1);
	pfd = (struct toro_pollfd) { .fd = s, .events = TORO_POLLIN };
	ck_assert_int_eq(toro_poll(&pfd, 1, SEC), 1);
	ck_assert_int_eq(pfd.revents & TORO_POLLERR, TORO_POLLERR);
	ck_assert_int_eq(next_tcp(&seq, &len) & F_RST, F_RST);
	ck_assert_uint_eq(seq, our_iss + 1);
	ck_assert_int_eq(toro_socket_error(s), -TORO_ETIMEDOUT);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), -TORO_ETIMEDOUT);
	ck_assert_int_eq(toro_close(s), 0);
	return NULL;
}

START_TEST(keepalive_silent_peer)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 32 * MB, keepalive_main, NULL), 0);
}
END_TEST

/*
 * A datagram socket's receive buffer bounds the bytes queued: 4 KiB
 * takes two datagrams of 1400 bytes, not a third; read, it takes
 * more again.
 */
static void *
dgram_rcvbuf_main(void *unused)
{
	static char data[1400], buf[2000];
	uint8_t f[HAL_NET_FRAME_MAX];
	int u, i;

	start_static();
	u = udp_socket(5000);
	ck_assert_int_eq(toro_socket_setopt(u, TORO_SO_RCVBUF, 4096), 0);
	ck_assert_int_eq(toro_socket_set_nonblock(u, 1), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(fake_net_inject(f,
				     mk_udp(f, PEER_IP, 999, OUR_IP, 5000, data,
					 sizeof(data))),
		    0);
	settle();
	ck_assert_uint_eq(stats().udp_queue_full, 1);
	ck_assert_int_eq(toro_recv(u, buf, sizeof(buf), 0), 1400);
	ck_assert_int_eq(toro_recv(u, buf, sizeof(buf), 0), 1400);
	ck_assert_int_eq(toro_recv(u, buf, sizeof(buf), 0), -TORO_EAGAIN);
	ck_assert_int_eq(
	    fake_net_inject(
		f, mk_udp(f, PEER_IP, 999, OUR_IP, 5000, data, sizeof(data))),
	    0);
	settle();
	ck_assert_int_eq(toro_recv(u, buf, sizeof(buf), 0), 1400);
	ck_assert_int_eq(toro_close(u), 0);
	return NULL;
}

START_TEST(dgram_rcvbuf)
{
	net_cpu = 0;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 32 * MB, dgram_rcvbuf_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net_sockopt");
	TCase *tc = tcase_create("net_sockopt");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, options);
	tcase_add_test(tc, linger_loopback);
	tcase_add_test(tc, linger_wait);
	tcase_add_test(tc, keepalive_silent_peer);
	tcase_add_test(tc, dgram_rcvbuf);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
