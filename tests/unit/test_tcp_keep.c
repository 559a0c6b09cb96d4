/*
 * test_tcp_keep.c: the options of a connection in the engine:
 * keep-alive (a probe after idle seconds at SND.NXT-1 without data, a
 * reply or any segment starting the wait over, cnt unanswered probes
 * ending the conn with ETIMEDOUT and an RST, nothing at all when off,
 * the settings inherited from a listener, Linux's bounds, many idle
 * conns on one timer), and buffer sizes (the window follows the
 * receive buffer, before the connection and after; a send buffer
 * shrunk takes no more until it holds less).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tcp_link.h"
#include "toro/errno.h"

static struct link lk;

static void
keep(struct tcp_conn *c, bool on, uint32_t idle, uint32_t intvl, uint32_t cnt)
{
	struct tcp_keepalive k = { on, idle, intvl, cnt };

	ck_assert_int_eq(tcp_set_keepalive(c, &k), 0);
}

/* A's segments since mark: the count, and every one a bare probe. */
static unsigned
probes_since(unsigned mark, uint32_t snd_nxt)
{
	const struct seg *s;
	unsigned n;

	for (n = 0; (s = link_seg(&lk, mark, 0, n)) != NULL; n++) {
		ck_assert_uint_eq(s->flags, F_ACK);
		ck_assert_uint_eq(s->len, 0);
		ck_assert_uint_eq(s->seq, snd_nxt - 1);
	}
	return n;
}

/*
 * Idle for 60 s: one probe at SND.NXT-1, no data; B answers, which
 * starts the wait over (the next probe 60 s after the answer, not 10 s
 * after the first probe); data from B does too.
 */
TCP_TEST(probe_after_idle)
{
	struct tcp_conn *a, *b, *l;
	struct ev ea = { 0 }, eb = { 0 };
	const struct tcp_stats *st;
	struct tcp_info ia;
	const struct seg *s;
	unsigned mark;
	uint64_t t0;
	char buf[8];

	link_init(&lk, NULL, NULL);
	st = tcp_stack_stats(lk.st[0]);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
	link_advance(&lk, 1 * SEC);
	keep(a, true, 60, 10, 3);
	t0 = lk.now;
	tcp_get_info(a, &ia);
	mark = lk.nlog;
	link_advance(&lk, 60 * SEC - 1);
	ck_assert_uint_eq(link_count(&lk, mark, -1, 0), 0);
	link_advance(&lk, 1 * MS);
	ck_assert_uint_eq(probes_since(mark, ia.snd_nxt), 1);
	ck_assert_uint_eq(link_seg(&lk, mark, 0, 0)->t, t0 + 60 * SEC);
	ck_assert_uint_eq(st->keepalive_probes, 1);
	/* B's answer: an ACK of what A has sent. */
	link_advance(&lk, 100 * MS);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->flags, F_ACK);
	ck_assert_uint_eq(s->ack, ia.snd_nxt);
	/* Answered: quiet for another 60 s, then the next. */
	mark = lk.nlog;
	link_advance(&lk, 59 * SEC);
	ck_assert_uint_eq(link_count(&lk, mark, 0, 0), 0);
	link_advance(&lk, 1 * SEC);
	ck_assert_uint_eq(probes_since(mark, ia.snd_nxt), 1);
	/* Data from B 30 s in moves the next probe to 60 s after it. */
	link_advance(&lk, 30 * SEC);
	ck_assert_int_eq(tcp_send(b, "data", 4), 4);
	link_advance(&lk, 1 * MS);
	ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 4);
	link_advance(&lk, 100 * MS); /* A's delayed ACK of it */
	tcp_get_info(a, &ia);
	mark = lk.nlog;
	link_advance(&lk, 60 * SEC - 200 * MS);
	ck_assert_uint_eq(link_count(&lk, mark, 0, 0), 0);
	link_advance(&lk, 200 * MS);
	ck_assert_uint_eq(probes_since(mark, ia.snd_nxt), 1);
	ck_assert_int_eq(ea.closed, 0);
	ck_assert_uint_eq(st->keepalive_drops, 0);
	link_free(&lk);
	return NULL;
}

/*
 * B vanishes: probes at 60, 70 and 80 s, and at 90 s the conn ends with
 * ETIMEDOUT (callback, recv, send) and an RST.
 */
TCP_TEST(unanswered_probes)
{
	struct tcp_conn *a, *b, *l;
	struct ev ea = { 0 }, eb = { 0 };
	const struct tcp_stats *st;
	struct tcp_info ia;
	const struct seg *s;
	unsigned mark, i;
	uint64_t t0;
	char buf[8];

	link_init(&lk, NULL, NULL);
	st = tcp_stack_stats(lk.st[0]);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
	keep(a, true, 60, 10, 3);
	t0 = lk.now;
	tcp_get_info(a, &ia);
	lk.hold[1] = true;
	mark = lk.nlog;
	link_advance(&lk, 90 * SEC - 1);
	ck_assert_int_eq(ea.closed, 0);
	ck_assert_uint_eq(probes_since(mark, ia.snd_nxt), 3);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(
		    link_seg(&lk, mark, 0, i)->t, t0 + (60 + 10 * i) * SEC);
	mark = lk.nlog;
	link_advance(&lk, 1 * MS);
	ck_assert_int_eq(ea.closed, 1);
	ck_assert_int_eq(ea.close_err, -TORO_ETIMEDOUT);
	ck_assert_uint_eq(ea.t_closed, t0 + 90 * SEC);
	s = link_seg(&lk, mark, 0, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->flags & F_RST, F_RST);
	ck_assert_uint_eq(s->seq, ia.snd_nxt);
	ck_assert_uint_eq(link_count(&lk, mark, 0, 0), 1);
	ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), -TORO_ETIMEDOUT);
	ck_assert_int_eq(tcp_send(a, "x", 1), -TORO_EPIPE);
	ck_assert_int_eq(tcp_state(a), TCP_CLOSED);
	ck_assert_uint_eq(st->keepalive_probes, 3);
	ck_assert_uint_eq(st->keepalive_drops, 1);
	/* The RST reaches B once the link carries again. */
	lk.hold[1] = false;
	link_send_seg(
	    &lk, 1, s->sport, s->dport, s->seq, s->ack, F_RST, 0, NULL, 0);
	link_advance(&lk, 1 * MS);
	ck_assert_int_eq(eb.close_err, -TORO_ECONNRESET);
	tcp_close(a);
	link_free(&lk);
	return NULL;
}

/*
 * Keep-alive off (the default, or turned off again): three hours of
 * silence send nothing either way.  On, with data in flight that is
 * never acknowledged, retransmissions watch the peer, not probes.
 */
TCP_TEST(off_sends_nothing)
{
	struct tcp_conn *a, *b, *l, *c, *d;
	struct ev ea = { 0 }, eb = { 0 }, ec = { 0 }, ed = { 0 };
	struct tcp_keepalive k;
	unsigned mark;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
	ck_assert(link_connect_pair(&lk, 81, &c, &d, &ec, &ed, &l));
	tcp_get_keepalive(a, &k);
	ck_assert(!k.on);
	keep(c, true, 60, 10, 3);
	link_advance(&lk, 30 * SEC);
	keep(c, false, 60, 10, 3);
	mark = lk.nlog;
	link_advance(&lk, 3 * 3600 * SEC);
	ck_assert_uint_eq(link_count(&lk, mark, -1, 0), 0);
	ck_assert_int_eq(tcp_state(a), TCP_ESTABLISHED);
	ck_assert_int_eq(tcp_state(c), TCP_ESTABLISHED);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->keepalive_probes, 0);
	/* Data lost: the retransmission timer, no probe. */
	keep(a, true, 1, 1, 1);
	lk.hold[1] = true;
	ck_assert_int_eq(tcp_send(a, "lost", 4), 4);
	link_advance(&lk, 5 * SEC);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->keepalive_probes, 0);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[0])->rto_fires, 0);
	link_free(&lk);
	return NULL;
}

/* Linux's bounds and defaults; a listener's settings are inherited. */
TCP_TEST(bounds_and_inherited)
{
	struct tcp_conn *l, *a, *b;
	struct ev el = { 0 }, ea = { 0 };
	struct tcp_keepalive k;
	struct tcp_info ib;
	unsigned mark;

	link_init(&lk, NULL, NULL);
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	tcp_get_keepalive(l, &k);
	ck_assert(!k.on);
	ck_assert_uint_eq(k.idle, 7200);
	ck_assert_uint_eq(k.intvl, 75);
	ck_assert_uint_eq(k.cnt, 9);
	k.on = true;
	k.idle = 0;
	ck_assert_int_eq(tcp_set_keepalive(l, &k), -TORO_EINVAL);
	k.idle = 32768;
	ck_assert_int_eq(tcp_set_keepalive(l, &k), -TORO_EINVAL);
	k.idle = 32767;
	k.intvl = 0;
	ck_assert_int_eq(tcp_set_keepalive(l, &k), -TORO_EINVAL);
	k.intvl = 32768;
	ck_assert_int_eq(tcp_set_keepalive(l, &k), -TORO_EINVAL);
	k.intvl = 75;
	k.cnt = 0;
	ck_assert_int_eq(tcp_set_keepalive(l, &k), -TORO_EINVAL);
	k.cnt = 128;
	ck_assert_int_eq(tcp_set_keepalive(l, &k), -TORO_EINVAL);
	/* Refused: nothing changed. */
	tcp_get_keepalive(l, &k);
	ck_assert(!k.on);
	ck_assert_uint_eq(k.idle, 7200);
	keep(l, true, 20, 5, 2);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 8), 0);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	tcp_get_keepalive(b, &k);
	ck_assert(k.on);
	ck_assert_uint_eq(k.idle, 20);
	ck_assert_uint_eq(k.intvl, 5);
	ck_assert_uint_eq(k.cnt, 2);
	tcp_get_info(b, &ib);
	mark = lk.nlog;
	link_advance(&lk, 21 * SEC);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 1);
	ck_assert_uint_eq(link_seg(&lk, mark, 1, 0)->seq, ib.snd_nxt - 1);
	/* A's side stays silent: it only answers. */
	ck_assert_uint_eq(link_count(&lk, mark, 0, 0), 1);
	tcp_close(b);
	tcp_close(a);
	link_free(&lk);
	return NULL;
}

#define IDLE 5000

/*
 * Five thousand idle conns with keep-alive on, their timers due at
 * many different times: each probes once per idle period, no sooner
 * and no later, and a tcp_timers() call with nothing due returns the
 * next deadline without running anything.
 */
TCP_TEST(many_idle_conns)
{
	static struct tcp_conn *a[IDLE], *b[IDLE];
	static struct ev ea[IDLE];
	struct tcp_conn *l;
	struct ev el = { 0 };
	const struct tcp_stats *st;
	uint64_t t0, t, want = 0;
	int i, n = 0;

	link_init(&lk, NULL, NULL);
	st = tcp_stack_stats(lk.st[0]);
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, TCP_BACKLOG_MAX), 0);
	for (i = 0; i < IDLE; i++) {
		a[i] = tcp_conn_new(lk.st[0], &ev_callbacks, &ea[i]);
		ck_assert_int_eq(tcp_set_bufsize(a[i], 4096, 4096), 0);
		ck_assert_int_eq(tcp_connect(a[i], B_ADDR, 80), 0);
		if (i % 500 == 499) {
			link_advance(&lk, 20 * MS);
			while (n < IDLE && tcp_accept(l, &b[n]) == 0)
				n++;
		}
	}
	link_advance(&lk, 20 * MS);
	while (n < IDLE && tcp_accept(l, &b[n]) == 0)
		n++;
	ck_assert_int_eq(n, IDLE);
	t0 = lk.now;
	for (i = 0; i < IDLE; i++)
		keep(a[i], true, 100 + (uint32_t)(i % 97), 10, 3);
	link_advance(&lk, 100 * SEC - 1);
	ck_assert_uint_eq(st->keepalive_probes, 0);
	link_advance(&lk, 97 * SEC);
	ck_assert_uint_eq(st->keepalive_probes, IDLE);
	/* Each answered 2 ms later: probe k at k idle + (k - 1) 2 ms. */
	for (i = 0; i < IDLE; i++)
		for (t = (100 + i % 97) * 1000ULL; t <= 450500;
		     t += (100 + i % 97) * 1000ULL + 2)
			want++;
	link_run(&lk, t0 + 450500 * MS, NULL, NULL);
	ck_assert_uint_eq(st->keepalive_probes, want);
	ck_assert_uint_eq(st->keepalive_drops, 0);
	ck_assert_uint_eq(st->states[TCP_ESTABLISHED], IDLE);
	link_free(&lk);
	return NULL;
}

/*
 * The window follows the receive buffer: 8 KiB set before connect is
 * the SYN's window and bounds what B may send unread; grown to 32 KiB
 * on the open conn, the window opens to it; shrunk to 4 KiB, it never
 * moves its edge back, and comes down as A reads.
 */
TCP_TEST(window_follows_rcvbuf)
{
	static uint8_t data[200000], got[200000];
	struct tcp_conn *l, *a, *b;
	struct ev el = { 0 }, ea = { 0 }, eb = { 0 };
	struct tcp_info ia, ib;
	const struct seg *s;
	unsigned mark, i;
	int n;

	link_init(&lk, NULL, NULL);
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 8), 0);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_set_bufsize(a, 0, 8192), 0);
	mark = lk.nlog;
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
	ck_assert_uint_eq(link_seg(&lk, mark, 0, 0)->wnd, 8192);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	tcp_set_callbacks(b, &ev_callbacks, &eb);
	tcp_get_info(a, &ia);
	ck_assert_uint_eq(ia.rcvbuf, 8192);
	ck_assert_uint_eq(ia.rcv_wscale, 0);
	ck_assert_int_eq(tcp_send(b, data, sizeof(data)), 128 * 1024);
	link_advance(&lk, 100 * MS);
	/* Full segments only (SWS avoidance): up to a segment short. */
	n = (int)tcp_readable(a);
	ck_assert_int_le(n, 8192);
	ck_assert_int_gt(n, 8192 - 1460);
	tcp_get_info(b, &ib);
	ck_assert_uint_eq(ib.snd_una - ib.iss - 1, (uint32_t)n);
	for (i = mark; i < MIN(lk.nlog, LOG_MAX); i++)
		if (lk.log[i].from == 0)
			ck_assert_uint_le(lk.log[i].wnd, 8192);
	/* Grown: reading opens the window to 32 KiB. */
	ck_assert_int_eq(tcp_set_bufsize(a, 0, 32768), 0);
	ck_assert_int_eq(tcp_recv(a, got, sizeof(got)), n);
	link_advance(&lk, 100 * MS);
	n = (int)tcp_readable(a);
	ck_assert_int_le(n, 32768);
	ck_assert_int_gt(n, 32768 - 1460);
	/* Shrunk to 4 KiB while 32 KiB are promised: those are taken. */
	ck_assert_int_eq(tcp_recv(a, got, sizeof(got)), n);
	ck_assert_int_eq(tcp_set_bufsize(a, 0, 1), 0);
	tcp_get_info(a, &ia);
	ck_assert_uint_eq(ia.rcvbuf, 4096);
	ck_assert_uint_gt(ia.rcv_wnd, 32768 - 1460);
	link_advance(&lk, 100 * MS);
	n = (int)tcp_readable(a);
	ck_assert_int_le(n, 32768);
	ck_assert_int_gt(n, 32768 - 1460);
	ck_assert_int_eq(tcp_recv(a, got, sizeof(got)), n);
	mark = lk.nlog;
	link_advance(&lk, 100 * MS);
	for (i = 0; (s = link_seg(&lk, mark, 0, i)) != NULL; i++)
		ck_assert_uint_le(s->wnd, 4096);
	tcp_get_info(a, &ia);
	ck_assert_uint_le(ia.rcv_wnd, 4096);
	ck_assert_uint_gt(ia.rcv_wnd, 0);
	link_free(&lk);
	return NULL;
}

/*
 * The send buffer: 4 KiB takes 4 KiB; shrunk below what it holds it
 * takes nothing until the peer's ACKs bring it under; grown, more.
 * A listener's sizes are its accepted conns'.
 */
TCP_TEST(sndbuf_resize)
{
	static uint8_t data[100000];
	struct tcp_conn *l, *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info ib;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
	ck_assert_int_eq(tcp_set_bufsize(b, 4096, 0), 0);
	ck_assert_uint_eq(tcp_writable(b), 4096);
	ck_assert_int_eq(tcp_send(b, data, sizeof(data)), 4096);
	ck_assert_int_eq(tcp_send(b, data, sizeof(data)), -TORO_EAGAIN);
	lk.hold[0] = true; /* no ACK comes back */
	ck_assert_int_eq(tcp_set_bufsize(b, 20000, 0), 0);
	ck_assert_uint_eq(tcp_writable(b), 20000 - 4096);
	ck_assert_int_eq(tcp_send(b, data, sizeof(data)), 20000 - 4096);
	ck_assert_int_eq(tcp_set_bufsize(b, 8192, 0), 0);
	ck_assert_uint_eq(tcp_writable(b), 0);
	ck_assert_int_eq(tcp_send(b, data, sizeof(data)), -TORO_EAGAIN);
	lk.hold[0] = false;
	link_advance(&lk, 2 * SEC);
	ck_assert_uint_eq(tcp_readable(a), 20000);
	ck_assert_uint_eq(tcp_writable(b), 8192);
	/* Set on a listener already listening: its next conns'. */
	ck_assert_int_eq(tcp_set_bufsize(l, 6000, 7000), 0);
	tcp_close(a);
	tcp_close(b);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	tcp_get_info(b, &ib);
	ck_assert_uint_eq(ib.sndbuf, 6000);
	ck_assert_uint_eq(ib.rcvbuf, 7000);
	ck_assert_uint_eq(tcp_writable(b), 6000);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_keep");
	TCase *tc = tcase_create("keep");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, probe_after_idle);
	tcase_add_test(tc, unanswered_probes);
	tcase_add_test(tc, off_sends_nothing);
	tcase_add_test(tc, bounds_and_inherited);
	tcase_add_test(tc, many_idle_conns);
	tcase_add_test(tc, window_follows_rcvbuf);
	tcase_add_test(tc, sndbuf_resize);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
