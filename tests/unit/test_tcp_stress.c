/*
 * test_tcp_stress.c: data through a bad link: a bulk transfer both ways
 * and an echo server, each under loss, reordering and duplication, with
 * every byte checked.  The clean-link cases are in test_tcp_data.c.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tests/unit/tcp_link.h"
#include "toro/errno.h"

/* The stress run's sizes: -DSTRESS_A=... -DSTRESS_B=... for others. */
#ifndef STRESS_A
#define STRESS_A (4 << 20)
#define STRESS_B (1 << 20)
#endif

static struct link lk;

/*
 * The stress of the integration tests, in the simulator: 4 MiB one
 * way and 1 MiB back through 10% loss, 25% reordering and 5%
 * duplication in both directions.
 */
TCP_TEST(stress_lossy_link)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	const struct tcp_stats *sa;
	struct timespec w0, w1;
	uint64_t t0;
	int i;

	link_init(&lk, NULL, NULL);
	for (i = 0; i < 2; i++) {
		lk.loss[i] = 100;
		lk.reorder[i] = 250;
		lk.dup[i] = 50;
	}
	lk.reorder_extra = 2 * MS;
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	clock_gettime(CLOCK_MONOTONIC, &w0);
	t0 = lk.now;
	link_bulk(&lk, 0, a, b, STRESS_A);
	if (STRESS_B)
		link_bulk(&lk, 1, b, a, STRESS_B);
	ck_assert(link_run(&lk, lk.now + 3000 * SEC, link_bulk_done, &lk));
	clock_gettime(CLOCK_MONOTONIC, &w1);
	link_bulk_check(&lk, 0);
	if (STRESS_B)
		link_bulk_check(&lk, 1);
	sa = tcp_stack_stats(lk.st[0]);
	ck_assert_uint_gt(sa->fast_retrans, 10);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[1])->in_ooo_segs, 100);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[1])->in_dup_segs, 10);
	ck_assert_int_eq(ea.close_err, 0);
	ck_assert_int_eq(eb.close_err, 0);
	fprintf(stderr, "# stress: %llu+%llu KiB in %.2f s of link time "
	    "(%.2f Mbit/s), %.3f s of CPU; A sent %llu segments, "
	    "%llu again (%llu fast, %llu RTO), B queued %llu out of "
	    "order\n", (unsigned long long)STRESS_A >> 10,
	    (unsigned long long)STRESS_B >> 10, (double)(lk.now - t0) / 1e9,
	    (double)(STRESS_A + STRESS_B) * 8 / ((double)(lk.now - t0) /
	    1e3),
	    (double)(w1.tv_sec - w0.tv_sec) +
	    (double)(w1.tv_nsec - w0.tv_nsec) / 1e9,
	    (unsigned long long)sa->out_segs,
	    (unsigned long long)sa->out_retrans,
	    (unsigned long long)sa->fast_retrans,
	    (unsigned long long)sa->rto_fires,
	    (unsigned long long)tcp_stack_stats(lk.st[1])->in_ooo_segs);
	link_free(&lk);
	return NULL;
}

/*
 * An echo server (examples/echo): B reads at most 4 KiB, and reads
 * again only once all of it went into its send buffer; A sends 2 MiB
 * and reads the echo.  Both of B's windows fill and B sends while it
 * holds out-of-order data, so its full segments would carry SACK
 * blocks: they must still fit the MTU.  Loss, reordering and
 * duplication towards B, as tests/net/web.sh's relay does.
 */
struct echo {
	struct bulk a;            /* A's stream out and its echo back */
	struct tcp_conn *b;
	uint8_t buf[4096];
	uint32_t held, off;       /* B's bytes read, not yet sent */
	bool b_shut;
};

static void
echo_pump(struct link *l)
{
	struct echo *e = l->app;
	int r;

	bulk_pump(&e->a);
	for (;;) {
		while (e->off < e->held) {
			r = tcp_send(e->b, e->buf + e->off, e->held - e->off);
			if (r <= 0)
				return;
			e->off += (uint32_t)r;
		}
		r = tcp_recv(e->b, e->buf, sizeof(e->buf));
		if (r == 0 && !e->b_shut) {
			ck_assert_int_eq(tcp_shutdown(e->b), 0);
			e->b_shut = true;
		}
		if (r <= 0)
			return;
		e->held = (uint32_t)r;
		e->off = 0;
	}
}

static bool
echo_done(void *arg)
{
	struct echo *e = arg;

	return e->a.eof || e->a.bad;
}

TCP_TEST(echo_lossy_link)
{
	static struct echo e;
	struct tcp_config cb;
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };

	link_default_config(&lk, 1, &cb);
	cb.sndbuf = cb.rcvbuf = 32768;
	link_init(&lk, NULL, &cb);
	lk.loss[0] = 100;
	lk.reorder[0] = 250;
	lk.dup[0] = 50;
	lk.reorder_extra = 1 * MS;
	ck_assert(link_connect_pair(&lk, 7, &a, &b, &ea, &eb, NULL));
	memset(&e, 0, sizeof(e));
	e.a.tx = e.a.rx = a;
	e.a.total = 2 << 20;
	e.a.key = 7;
	e.b = b;
	lk.app = &e;
	lk.pump = echo_pump;
	ck_assert(link_run(&lk, lk.now + 600 * SEC, echo_done, &e));
	ck_assert_msg(!e.a.bad, "wrong byte at %llu",
	    (unsigned long long)e.a.bad_at);
	ck_assert_uint_eq(e.a.rcvd, e.a.total);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[1])->in_ooo_segs, 100);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_stress");
	TCase *tc = tcase_create("stress");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stress_lossy_link);
	tcase_add_test(tc, echo_lossy_link);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
