/*
 * test_net_epoll.c: the kernel's epoll sets (sock_epoll.c) on the fake
 * machine, called from the network CPU and from the other one: the
 * errors of toro_epoll_ctl, level, edge and one-shot entries, entries
 * keyed by socket and key, the ready list when a socket or the set
 * closes (every byte given back), a wait woken by a write and by an
 * add from the other CPU, a timeout, a bad array (nothing taken), a
 * wait with room for fewer than are ready (each one in turn), and
 * 10,000 idle entries that a wait does not look at.
 */
#include <check.h>
#include <string.h>

#include "core/net/net.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakenet.h"
#include "tests/unit/net_util.h"
#include "tests/unit/unit.h"

#define IN TORO_EPOLLIN
static int ep, pfd[2];

static int
ctl(int op, int s, uint32_t events, uint64_t data)
{
	return toro_epoll_ctl(ep, op, s, s, events, data);
}

/* How many a wait of max reports at once; the first one in *ev. */
static int
wait_now(struct toro_epoll_event *ev, int max)
{
	struct toro_epoll_event out[16];
	int n = toro_epoll_wait(ep, out, max, 0);

	if (n > 0 && ev != NULL)
		*ev = out[0];
	return n;
}

static void *
modes_main(void *unused)
{
	struct toro_epoll_event ev;
	char b[16];
	int ep2;

	start_static();
	ck_assert_int_eq(toro_epoll_create(1), -TORO_EINVAL);
	ck_assert_int_ge(ep = toro_epoll_create(0), 0);
	ck_assert_int_ge(ep2 = toro_epoll_create(0), 0);
	ck_assert_int_eq(toro_pipe(pfd, 0), 0);
	ck_assert_int_eq(ctl(TORO_EPOLL_MOD, pfd[0], IN, 1), -TORO_ENOENT);
	ck_assert_int_eq(ctl(TORO_EPOLL_DEL, pfd[0], IN, 1), -TORO_ENOENT);
	ck_assert_int_eq(ctl(9, pfd[0], IN, 1), -TORO_EINVAL);
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, 4000, IN, 1), -TORO_EBADF);
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, ep, IN, 1), -TORO_EINVAL);
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, ep2, IN, 1), -TORO_EPERM);
	ck_assert_int_eq(
	    toro_epoll_ctl(pfd[0], TORO_EPOLL_ADD, pfd[1], 0, IN, 1),
	    -TORO_EINVAL);
	ck_assert_int_eq(toro_epoll_wait(ep, &ev, 0, 0), -TORO_EINVAL);
	ck_assert_int_eq(toro_epoll_wait(pfd[0], &ev, 1, 0), -TORO_EINVAL);
	ck_assert_int_eq(toro_close(ep2), 0);

	/* Level: every wait while readable, none once read. */
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, pfd[0], IN, 7), 0);
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, pfd[0], IN, 7), -TORO_EEXIST);
	ck_assert_int_eq(wait_now(NULL, 4), 0);
	ck_assert_int_eq(toro_send(pfd[1], "abc", 3, 0), 3);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_uint_eq(ev.events, IN);
	ck_assert_uint_eq(ev.data, 7);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_int_eq(toro_recv(pfd[0], b, sizeof(b), 0), 3);
	ck_assert_int_eq(wait_now(&ev, 4), 0);

	/* Edge: once per change, even while still readable. */
	ck_assert_int_eq(ctl(TORO_EPOLL_MOD, pfd[0], IN | TORO_EPOLLET, 8), 0);
	ck_assert_int_eq(toro_send(pfd[1], "abc", 3, 0), 3);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_uint_eq(ev.data, 8);
	ck_assert_int_eq(wait_now(&ev, 4), 0);
	ck_assert_int_eq(toro_epoll_wait(ep, &ev, 1, 10 * MS), 0);
	ck_assert_int_eq(toro_send(pfd[1], "d", 1, 0), 1);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_int_eq(wait_now(&ev, 4), 0);

	/* One-shot: once, then off until MOD (which looks again). */
	ck_assert_int_eq(
	    ctl(TORO_EPOLL_MOD, pfd[0], IN | TORO_EPOLLONESHOT, 9), 0);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_int_eq(wait_now(&ev, 4), 0);
	ck_assert_int_eq(toro_send(pfd[1], "e", 1, 0), 1);
	ck_assert_int_eq(wait_now(&ev, 4), 0);
	ck_assert_int_eq(
	    ctl(TORO_EPOLL_MOD, pfd[0], IN | TORO_EPOLLONESHOT, 9), 0);
	ck_assert_int_eq(wait_now(&ev, 4), 1);

	/* The same socket under another key is another entry. */
	ck_assert_int_eq(
	    toro_epoll_ctl(ep, TORO_EPOLL_ADD, pfd[0], 99, IN, 10), 0);
	ck_assert_int_eq(ctl(TORO_EPOLL_MOD, pfd[0], IN, 9), 0);
	ck_assert_int_eq(wait_now(&ev, 4), 2);
	ck_assert_int_eq(
	    toro_epoll_ctl(ep, TORO_EPOLL_DEL, pfd[0], 99, 0, 0), 0);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_uint_eq(ev.data, 9);

	/* A pipe's writer gone: HUP alone, even if RDHUP is asked (Linux). */
	ck_assert_int_eq(toro_recv(pfd[0], b, sizeof(b), 0), 5);
	ck_assert_int_eq(
	    ctl(TORO_EPOLL_MOD, pfd[0], IN | TORO_EPOLLRDHUP, 9), 0);
	ck_assert_int_eq(toro_close(pfd[1]), 0);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_uint_eq(ev.events, TORO_EPOLLHUP);
	ck_assert_int_eq(toro_close(pfd[0]), 0);
	ck_assert_int_eq(wait_now(&ev, 4), 0);

	/* A pair's peer stops writing: RDHUP if asked, and no HUP yet. */
	ck_assert_int_eq(toro_socketpair(pfd, 0), 0);
	ck_assert_int_eq(
	    ctl(TORO_EPOLL_ADD, pfd[0], IN | TORO_EPOLLRDHUP, 3), 0);
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, pfd[1], IN, 4), 0);
	ck_assert_int_eq(toro_shutdown(pfd[1], TORO_SHUT_WR), 0);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_uint_eq(ev.events, IN | TORO_EPOLLRDHUP);
	ck_assert_int_eq(toro_close(pfd[0]), 0);
	ck_assert_int_eq(wait_now(&ev, 4), 1);
	ck_assert_uint_eq(ev.data, 4); /* its peer gone: IN, HUP, no RDHUP */
	ck_assert_uint_eq(ev.events, IN | TORO_EPOLLHUP);
	ck_assert_int_eq(toro_close(pfd[1]), 0);
	ck_assert_int_eq(toro_close(ep), 0);
	return NULL;
}

START_TEST(level_edge_oneshot)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, modes_main, NULL), 0);
}
END_TEST

static void *
closes_main(void *unused)
{
	struct toro_mem_stats m0, m1;
	struct toro_epoll_event ev;
	int c[3], i;

	start_static();
	/* The descriptor table is made once, by the first socket. */
	ck_assert_int_eq(toro_close(toro_eventfd(0, 0)), 0);
	toro_sleep_ns(5 * MS);
	toro_mem_stats(&m0);
	ck_assert_int_ge(ep = toro_epoll_create(0), 0);
	ck_assert_int_eq(toro_pipe(pfd, 0), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_ge(c[i] = toro_eventfd(1, 0), 0);
		ck_assert_int_eq(ctl(TORO_EPOLL_ADD, c[i], IN, (uint64_t)i), 0);
	}
	/* The middle one closes while on the ready list. */
	ck_assert_int_eq(toro_close(c[1]), 0);
	ck_assert_int_eq(wait_now(NULL, 16), 2);
	ck_assert_int_eq(ctl(TORO_EPOLL_DEL, c[0], 0, 0), 0);
	ck_assert_int_eq(wait_now(&ev, 16), 1);
	ck_assert_uint_eq(ev.data, 2);
	/* The set closes with entries on its list, one still ready. */
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, pfd[0], IN, 5), 0);
	ck_assert_int_eq(toro_close(ep), 0);
	/* Its sockets live on, and change without it. */
	ck_assert_int_eq(toro_send(pfd[1], "x", 1, 0), 1);
	ck_assert_int_eq(toro_close(c[2]), 0);
	ck_assert_int_eq(toro_close(c[0]), 0);
	ck_assert_int_eq(toro_close(pfd[0]), 0);
	ck_assert_int_eq(toro_close(pfd[1]), 0);
	toro_sleep_ns(5 * MS);
	toro_mem_stats(&m1);
	ck_assert_uint_eq(m1.in_use, m0.in_use);
	return NULL;
}

START_TEST(close_on_ready_list)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, closes_main, NULL), 0);
}
END_TEST

static int late;

/* From the other CPU: a write into the pipe, then an add of a counter. */
static void *
other_cpu(void *unused)
{
	toro_sleep_ns(20 * MS);
	ck_assert_int_eq(toro_send(pfd[1], "z", 1, 0), 1);
	toro_sleep_ns(20 * MS);
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, late, IN, 42), 0);
	return NULL;
}

static void *
wake_main(void *unused)
{
	struct toro_epoll_event ev[4];
	struct toro_thread *t;
	uint64_t t0;
	char b;

	start_static();
	ck_assert_int_ge(ep = toro_epoll_create(0), 0);
	ck_assert_int_eq(toro_pipe(pfd, 0), 0);
	ck_assert_int_ge(late = toro_eventfd(3, 0), 0);
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, pfd[0], IN, 1), 0);
	t0 = toro_time_ns();
	ck_assert_int_eq(toro_epoll_wait(ep, ev, 4, 10 * MS), 0);
	ck_assert_uint_ge(toro_time_ns() - t0, 10 * MS);
	ck_assert_int_eq(
	    toro_thread_create(&t, 1 - net_cpu, other_cpu, NULL, NULL), 0);
	ck_assert_int_eq(toro_epoll_wait(ep, ev, 4, TORO_FOREVER), 1);
	ck_assert_uint_eq(ev[0].data, 1);
	ck_assert_int_eq(toro_recv(pfd[0], &b, 1, 0), 1);
	ck_assert_int_eq(toro_epoll_wait(ep, ev, 4, TORO_FOREVER), 1);
	ck_assert_uint_eq(ev[0].data, 42);
	ck_assert_int_eq(toro_thread_join(t, NULL), 0);
	ck_assert_int_eq(toro_close(late), 0);
	ck_assert_int_eq(toro_close(pfd[0]), 0);
	ck_assert_int_eq(toro_close(pfd[1]), 0);
	ck_assert_int_eq(toro_close(ep), 0);
	return NULL;
}

START_TEST(wake_from_other_cpu)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, wake_main, NULL), 0);
}
END_TEST

#define NREADY 8

static void *
rotate_main(void *unused)
{
	struct toro_epoll_event ev[NREADY];
	int c[NREADY], seen[NREADY] = { 0 }, i, j, n;

	start_static();
	ck_assert_int_ge(ep = toro_epoll_create(0), 0);
	for (i = 0; i < NREADY; i++) {
		ck_assert_int_ge(c[i] = toro_eventfd(1, 0), 0);
		ck_assert_int_eq(ctl(TORO_EPOLL_ADD, c[i], IN, (uint64_t)i), 0);
	}
	/* A bad array takes nothing: one-shot entries stay on. */
	for (i = 0; i < NREADY; i++)
		ck_assert_int_eq(ctl(TORO_EPOLL_MOD, c[i],
				     IN | TORO_EPOLLONESHOT, (uint64_t)i),
		    0);
	ck_assert_int_eq(
	    toro_epoll_wait(ep, (void *)8, NREADY, 0), -TORO_EFAULT);
	ck_assert_int_eq(toro_epoll_wait(ep, ev, NREADY, 0), NREADY);
	ck_assert_int_eq(toro_epoll_wait(ep, ev, NREADY, 0), 0);
	for (i = 0; i < NREADY; i++)
		ck_assert_int_eq(ctl(TORO_EPOLL_MOD, c[i], IN, (uint64_t)i), 0);
	/* Three at a time: in 8 waits, each of 8 reported 3 times. */
	for (i = 0; i < NREADY; i++) {
		ck_assert_int_eq(n = toro_epoll_wait(ep, ev, 3, 0), 3);
		for (j = 0; j < n; j++)
			seen[ev[j].data]++;
	}
	for (i = 0; i < NREADY; i++)
		ck_assert_int_eq(seen[i], 3);
	for (i = 0; i < NREADY; i++)
		ck_assert_int_eq(toro_close(c[i]), 0);
	ck_assert_int_eq(toro_close(ep), 0);
	return NULL;
}

START_TEST(fewer_than_ready_rotates)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 16 * MB, rotate_main, NULL), 0);
}
END_TEST

#define NIDLE 10000

/* 10,000 idle entries: small, and a wait reports the busy one alone. */
static void *
many_main(void *unused)
{
	static int c[NIDLE];
	struct toro_mem_stats m0, m1;
	struct toro_epoll_event ev[4];
	int i;
	char b;

	start_static();
	ck_assert_int_ge(ep = toro_epoll_create(0), 0);
	ck_assert_int_eq(toro_pipe(pfd, 0), 0);
	for (i = 0; i < NIDLE; i++)
		ck_assert_int_ge(c[i] = toro_eventfd(0, 0), 0);
	toro_mem_stats(&m0);
	for (i = 0; i < NIDLE; i++)
		ck_assert_int_eq(ctl(TORO_EPOLL_ADD, c[i], IN, (uint64_t)i), 0);
	toro_mem_stats(&m1);
	ck_assert_uint_le((m1.in_use - m0.in_use) / NIDLE, 128);
	ck_assert_int_eq(ctl(TORO_EPOLL_ADD, pfd[0], IN, 77777), 0);
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(toro_send(pfd[1], "q", 1, 0), 1);
		ck_assert_int_eq(toro_epoll_wait(ep, ev, 4, TORO_FOREVER), 1);
		ck_assert_uint_eq(ev[0].data, 77777);
		ck_assert_int_eq(toro_recv(pfd[0], &b, 1, 0), 1);
	}
	ck_assert_int_eq(toro_close(ep), 0);
	for (i = 0; i < NIDLE; i++)
		ck_assert_int_eq(toro_close(c[i]), 0);
	ck_assert_int_eq(toro_close(pfd[0]), 0);
	ck_assert_int_eq(toro_close(pfd[1]), 0);
	return NULL;
}

START_TEST(ten_thousand_idle)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 64 * MB, many_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net_epoll");
	TCase *tc = tcase_create("net_epoll");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, level_edge_oneshot, 0, 2);
	tcase_add_loop_test(tc, close_on_ready_list, 0, 2);
	tcase_add_loop_test(tc, wake_from_other_cpu, 0, 2);
	tcase_add_loop_test(tc, fewer_than_ready_rotates, 0, 2);
	tcase_add_loop_test(tc, ten_thousand_idle, 0, 2);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
