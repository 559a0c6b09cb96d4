/*
 * test_net_pipe.c: pipes, socket pairs and event counters (sock_pipe.c)
 * on the fake machine, between threads on two CPUs: a writer held by a
 * full ring and let go by reads, a short write whole or not at all, the
 * end of a pipe and EPIPE, a pair's shutdown, a counter's count and
 * semaphore mode, poll's edge mode (TORO_POLLET), and every byte of
 * memory given back once they are closed.
 */
#include <check.h>
#include <string.h>

#include "core/net/net.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakenet.h"
#include "tests/unit/net_util.h"
#include "tests/unit/unit.h"

#define RING 65536
static int pfd[2];
static volatile int done;

/* Writes 3 rings' worth at once: it must wait for the reader. */
static void *
big_writer(void *unused)
{
	static char big[3 * RING];

	memset(big, 'w', sizeof(big));
	ck_assert_int_eq(toro_send(pfd[1], big, sizeof(big), 0), 3 * RING);
	done = 1;
	ck_assert_int_eq(toro_close(pfd[1]), 0);
	return NULL;
}

static void *
pipe_main(void *unused)
{
	struct toro_mem_stats m0, m1;
	struct toro_thread *t;
	char buf[8192];
	long n, total = 0;

	start_static();
	ck_assert_int_eq(toro_pipe(pfd, 0), 0);
	ck_assert_int_eq(toro_recv(pfd[1], buf, 1, 0), -TORO_EBADF);
	ck_assert_int_eq(toro_send(pfd[0], "x", 1, 0), -TORO_EBADF);
	ck_assert_int_eq(
	    toro_thread_create(&t, 1 - net_cpu, big_writer, NULL, NULL), 0);
	toro_sleep_ns(20 * MS);
	ck_assert_int_eq(done, 0); /* held by the full ring */
	while ((n = toro_recv(pfd[0], buf, sizeof(buf), 0)) > 0)
		total += n;
	ck_assert_int_eq(n, 0); /* the writer closed: the end */
	ck_assert_int_eq(total, 3 * RING);
	ck_assert_int_eq(toro_thread_join(t, NULL), 0);
	ck_assert_int_eq(toro_close(pfd[0]), 0);

	/* Non-blocking: a short write goes in whole or not at all. */
	toro_sleep_ns(5 * MS);
	toro_mem_stats(&m0);
	ck_assert_int_eq(toro_pipe(pfd, TORO_SOCK_NONBLOCK), 0);
	memset(buf, 'a', sizeof(buf));
	for (total = 0; total < RING - 100; total += n)
		ck_assert_int_gt(
		    n = toro_send(pfd[1], buf,
			MIN(sizeof(buf), (size_t)(RING - 100 - total)), 0),
		    0);
	ck_assert_int_eq(toro_send(pfd[1], buf, 200, 0), -TORO_EAGAIN);
	ck_assert_int_eq(toro_send(pfd[1], buf, 100, 0), 100);
	ck_assert_int_eq(toro_close(pfd[0]), 0);
	ck_assert_int_eq(toro_send(pfd[1], buf, 1, 0), -TORO_EPIPE);
	ck_assert_int_eq(toro_close(pfd[1]), 0);
	toro_sleep_ns(5 * MS);
	toro_mem_stats(&m1);
	ck_assert_uint_eq(m1.in_use, m0.in_use);
	return NULL;
}

START_TEST(pipe_across_cpus)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 32 * MB, pipe_main, NULL), 0);
}
END_TEST

static void *
pair_counter_main(void *unused)
{
	struct toro_pollfd p[2];
	int sp[2], e;
	uint64_t v;
	char b[8];

	start_static();
	ck_assert_int_eq(toro_socketpair(sp, 0), 0);
	ck_assert_int_eq(toro_send(sp[0], "ab", 2, 0), 2);
	ck_assert_int_eq(toro_send(sp[1], "cd", 2, 0), 2);
	ck_assert_int_eq(toro_recv(sp[1], b, 8, 0), 2);
	ck_assert_int_eq(toro_recv(sp[0], b, 8, 0), 2);
	ck_assert_int_eq(toro_socket_set_nodelay(sp[0], 1), -TORO_EOPNOTSUPP);

	/* Edge mode: reported once, again only after a change. */
	p[0].fd = sp[1];
	p[0].events = TORO_POLLIN | TORO_POLLET;
	p[0].gen = 0;
	ck_assert_int_eq(toro_poll(p, 1, 0), 0);
	ck_assert_int_eq(toro_send(sp[0], "e", 1, 0), 1);
	ck_assert_int_eq(toro_poll(p, 1, 0), 1);
	ck_assert_int_ne(p[0].gen, 0);
	ck_assert_int_eq(toro_poll(p, 1, 10 * MS), 0);
	ck_assert_int_eq(toro_send(sp[0], "f", 1, 0), 1);
	ck_assert_int_eq(toro_poll(p, 1, 0), 1);
	p[0].events = TORO_POLLIN; /* level: as long as it is there */
	ck_assert_int_eq(toro_poll(p, 1, 0), 1);

	ck_assert_int_eq(toro_shutdown(sp[0], TORO_SHUT_WR), 0);
	ck_assert_int_eq(toro_recv(sp[1], b, 8, 0), 2);
	ck_assert_int_eq(toro_recv(sp[1], b, 8, 0), 0);
	ck_assert_int_eq(toro_send(sp[0], "x", 1, 0), -TORO_EPIPE);
	ck_assert_int_eq(toro_send(sp[1], "gh", 2, 0), 2);
	ck_assert_int_eq(toro_recv(sp[0], b, 8, 0), 2);
	ck_assert_int_eq(toro_close(sp[1]), 0);
	p[0].fd = sp[0];
	p[0].events = TORO_POLLIN | TORO_POLLOUT;
	ck_assert_int_eq(toro_poll(p, 1, 0), 1);
	ck_assert(p[0].revents & TORO_POLLHUP);
	ck_assert_int_eq(toro_close(sp[0]), 0);

	e = toro_eventfd(5, TORO_SOCK_NONBLOCK | TORO_EFD_SEMAPHORE);
	ck_assert_int_ge(e, 0);
	ck_assert_int_eq(toro_recv(e, &v, 8, 0), 8);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(toro_recv(e, b, 4, 0), -TORO_EINVAL);
	v = ~(uint64_t)0;
	ck_assert_int_eq(toro_send(e, &v, 8, 0), -TORO_EINVAL);
	v = ~(uint64_t)0 - 1 - 4;
	ck_assert_int_eq(toro_send(e, &v, 8, 0), 8);
	ck_assert_int_eq(toro_send(e, &v, 8, 0), -TORO_EAGAIN);
	p[1].fd = e;
	p[1].events = TORO_POLLOUT;
	ck_assert_int_eq(toro_poll(&p[1], 1, 0), 0);
	ck_assert_int_eq(toro_close(e), 0);
	ck_assert_int_eq(toro_eventfd(0, 0x40), -TORO_EINVAL);
	return NULL;
}

START_TEST(pair_and_counter)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, pair_counter_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net_pipe");
	TCase *tc = tcase_create("net_pipe");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, pipe_across_cpus, 0, 2);
	tcase_add_loop_test(tc, pair_and_counter, 0, 2);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
