/*
 * test_net_sock.c: socket calls from threads on another CPU (blocking,
 * timeouts, non-blocking, poll, close), and stream sockets over the TCP
 * engine through the loopback, on the fake machine.
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

/*
 * Thousands of sockets: descriptors past the old fixed table of 1024,
 * the lowest free one handed out again, and one poll over all of them
 * woken by the one that gets a datagram.
 */
#define MANY 3000
static struct toro_pollfd many_pfd[MANY];

static void *
many_poller(void *unused)
{
	int i;

	ready = 1;
	ck_assert_int_eq(toro_poll(many_pfd, MANY, SEC), 1);
	for (i = 0; i < MANY; i++)
		ck_assert_int_eq(many_pfd[i].revents,
		    i == MANY - 7 ? TORO_POLLIN : 0);
	return NULL;
}

static void *
many_main(void *unused)
{
	struct toro_thread *t;
	int i, fd;

	start_static();
	for (i = 0; i < MANY; i++) {
		many_pfd[i].fd = udp_socket((uint16_t)(7000 + i));
		many_pfd[i].events = TORO_POLLIN;
		ck_assert_int_ge(many_pfd[i].fd, 0);
	}
	ck_assert_int_ge(many_pfd[MANY - 1].fd, MANY - 1);
	fd = many_pfd[10].fd;
	ck_assert_int_eq(toro_close(fd), 0);
	ck_assert_int_eq(udp_socket(7000 + 10), fd);
	ready = 0;
	ck_assert_int_eq(toro_thread_create(&t, 1 - net_cpu, many_poller,
	    NULL, NULL), 0);
	while (!ready)
		toro_sleep_ns(MS);
	toro_sleep_ns(10 * MS);
	inject_udp(PEER_IP, 999, OUR_IP, (uint16_t)(7000 + MANY - 7), "x");
	ck_assert_int_eq(toro_thread_join(t, NULL), 0);
	for (i = 0; i < MANY; i++)
		ck_assert_int_eq(toro_close(many_pfd[i].fd), 0);
	return NULL;
}

START_TEST(poll_many_sockets)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, many_main, NULL), 0);
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
	pfd[0] = (struct toro_pollfd){ .fd = c, .events = TORO_POLLOUT };
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
	pfd[0] = (struct toro_pollfd){ .fd = l, .events = TORO_POLLIN };
	pfd[1] = (struct toro_pollfd){ .fd = c, .events = TORO_POLLOUT };
	ck_assert_int_ge(toro_poll(pfd, 2, SEC), 1);
	ck_assert_int_eq(toro_poll(pfd, 1, SEC), 1);
	ck_assert_int_eq(pfd[0].revents, TORO_POLLIN);
	ck_assert_int_eq(toro_poll(pfd + 1, 1, SEC), 1);
	ck_assert_int_eq(pfd[1].revents, TORO_POLLOUT);
	ck_assert_int_eq(toro_connect(c, &to), -TORO_EISCONN);
	ck_assert_int_eq(toro_socket_error(c), 0);
	ck_assert_int_eq(toro_accept4(l, NULL, 1), -TORO_EINVAL);
	/* Accepted non-blocking: a recv with nothing there does not wait. */
	s = toro_accept4(l, NULL, TORO_SOCK_NONBLOCK);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), -TORO_EAGAIN);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), -TORO_EAGAIN);
	/* A timeout on a blocking recv. */
	ck_assert_int_eq(toro_socket_set_nonblock(c, 0), 0);
	ck_assert_int_eq(toro_socket_set_timeout(c, 30 * MS), 0);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), -TORO_ETIMEDOUT);
	/* The peer closes: poll says readable, recv says end of stream. */
	ck_assert_int_eq(toro_close(s), 0);
	pfd[1] = (struct toro_pollfd){ .fd = c, .events = TORO_POLLIN };
	ck_assert_int_eq(toro_poll(pfd + 1, 1, SEC), 1);
	ck_assert_int_eq(pfd[1].revents & TORO_POLLIN, TORO_POLLIN);
	ck_assert_int_eq(toro_recv(c, buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(toro_close(c), 0);
	ck_assert_int_eq(toro_close(l), 0);
	/* A refused non-blocking connect: its error is said once. */
	c = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM | TORO_SOCK_NONBLOCK,
	    0);
	to.port = 9; /* nobody listens there */
	ck_assert_int_eq(toro_connect(c, &to), -TORO_EINPROGRESS);
	pfd[1] = (struct toro_pollfd){ .fd = c, .events = TORO_POLLOUT };
	ck_assert_int_eq(toro_poll(pfd + 1, 1, SEC), 1);
	ck_assert_int_eq(toro_socket_error(c), -TORO_ECONNREFUSED);
	ck_assert_int_eq(toro_socket_error(c), 0);
	ck_assert_int_eq(toro_close(c), 0);
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

int
main(void)
{
	Suite *s = suite_create("net_sock");
	TCase *tc = tcase_create("net_sock");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, blocking_recv_other_cpu, 0, 2);
	tcase_add_loop_test(tc, timeout_and_nonblock, 0, 2);
	tcase_add_loop_test(tc, poll_two_sockets, 0, 2);
	tcase_add_loop_test(tc, poll_many_sockets, 0, 2);
	tcase_add_loop_test(tc, close_wakes_blocked, 0, 2);
	tcase_add_test(tc, tcp_echo_loopback);
	tcase_add_test(tc, tcp_errors_and_poll);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
