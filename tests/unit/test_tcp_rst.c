/*
 * test_tcp_rst.c: resets and refusals: RST on an established conn,
 * RFC 5961 checks of RSTs and SYNs, RSTs answering strays, closing with
 * unread data, data after close, the API's errors, and callbacks that
 * close their own conn.
 */
#include <check.h>
#include <string.h>

#include "tests/unit/tcp_link.h"
#include "toro/errno.h"

static struct link lk;

static bool
ev_closed_p(void *arg)
{
	return ((struct ev *)arg)->closed > 0;
}

/* tcp_abort sends RST: the peer sees ECONNRESET, not an EOF. */
TCP_TEST(rst_established)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	char buf[8];

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	ck_assert_int_eq(tcp_send(a, "abc", 3), 3);
	link_advance(&lk, 10 * MS);
	tcp_abort(a);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->conns, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->out_rsts, 1);
	ck_assert(link_run(&lk, lk.now + SEC, ev_closed_p, &eb));
	ck_assert_int_eq(eb.close_err, -TORO_ECONNRESET);
	ck_assert_int_eq(tcp_state(b), TCP_CLOSED);
	/* Data that came before the RST can still be read, then the error. */
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 3);
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), -TORO_ECONNRESET);
	ck_assert_int_eq(tcp_send(b, "x", 1), -TORO_EPIPE);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->resets, 1);
	ck_assert_int_eq(ea.closed, 0);
	tcp_close(b);
	link_free(&lk);
	return NULL;
}

/*
 * RFC 5961 3: an RST outside the window is ignored, one inside but not
 * at rcv_nxt draws a challenge ACK, one at rcv_nxt resets.
 */
TCP_TEST(rst_window_checks)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info ia, ib;
	const struct tcp_stats *st;
	unsigned mark;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	link_advance(&lk, 10 * MS);
	tcp_get_info(a, &ia);
	tcp_get_info(b, &ib);
	st = tcp_stack_stats(lk.st[1]);
	mark = lk.nlog;
	/* Outside the window: silently ignored. */
	link_send_seg(&lk, 1, ia.lport, 80, ib.rcv_nxt + 10000000, 0, F_RST,
	    0, NULL, 0);
	link_send_seg(&lk, 1, ia.lport, 80, ib.rcv_nxt - 1, 0, F_RST, 0,
	    NULL, 0);
	ck_assert_int_eq(tcp_state(b), TCP_ESTABLISHED);
	ck_assert_uint_eq(st->in_rsts_ignored, 2);
	ck_assert_uint_eq(lk.nlog, mark);
	/* In the window, not exact: a challenge ACK, nothing else. */
	link_send_seg(&lk, 1, ia.lport, 80, ib.rcv_nxt + 100, 0, F_RST, 0,
	    NULL, 0);
	ck_assert_int_eq(tcp_state(b), TCP_ESTABLISHED);
	ck_assert_uint_eq(st->challenge_acks, 1);
	ck_assert_uint_eq(lk.nlog, mark + 1);
	ck_assert_uint_eq(lk.log[mark].flags, F_ACK);
	ck_assert_uint_eq(lk.log[mark].ack, ib.rcv_nxt);
	/* The wrong ports: nobody's, answered by nothing (it is an RST). */
	link_send_seg(&lk, 1, ia.lport + 1, 80, ib.rcv_nxt, 0, F_RST, 0,
	    NULL, 0);
	ck_assert_int_eq(tcp_state(b), TCP_ESTABLISHED);
	/* Exact: reset. */
	link_send_seg(&lk, 1, ia.lport, 80, ib.rcv_nxt, 0, F_RST, 0, NULL,
	    0);
	ck_assert_int_eq(tcp_state(b), TCP_CLOSED);
	ck_assert_int_eq(eb.closed, 1);
	ck_assert_int_eq(eb.close_err, -TORO_ECONNRESET);
	ck_assert_uint_eq(st->in_rsts, 1);
	link_free(&lk);
	return NULL;
}

/* RFC 5961 4: a SYN on an established conn draws a challenge ACK. */
TCP_TEST(syn_on_established)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info ia, ib;
	unsigned mark;
	char buf[4];

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	tcp_get_info(a, &ia);
	tcp_get_info(b, &ib);
	mark = lk.nlog;
	link_send_seg(&lk, 1, ia.lport, 80, ib.rcv_nxt + 5, 0, F_SYN, 1000,
	    NULL, 0);
	ck_assert_int_eq(tcp_state(b), TCP_ESTABLISHED);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->challenge_acks, 1);
	ck_assert_uint_eq(lk.log[mark].flags, F_ACK);
	ck_assert_int_eq(tcp_send(a, "ok", 2), 2);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_recv(b, buf, 4), 2);
	link_free(&lk);
	return NULL;
}

/* Segments that do not belong: RSTs with the right numbers. */
TCP_TEST(rst_for_strays)
{
	struct tcp_conn *l;
	struct ev el = { 0 };
	unsigned mark;

	link_init(&lk, NULL, NULL);
	lk.hold[1] = true;
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, B_ADDR, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 4), 0);
	/* An ACK to a listener: <SEQ=SEG.ACK><CTL=RST>. */
	mark = lk.nlog;
	link_send_seg(&lk, 1, 5555, 80, 1000, 777777, F_ACK, 1000, NULL, 0);
	ck_assert_uint_eq(lk.nlog, mark + 1);
	ck_assert_uint_eq(lk.log[mark].flags, F_RST);
	ck_assert_uint_eq(lk.log[mark].seq, 777777);
	/* Data without ACK to a closed port: <SEQ=0><ACK=SEG.SEQ+LEN>. */
	link_send_seg(&lk, 1, 5555, 81, 1000, 0, F_PSH, 1000, "abcd", 4);
	ck_assert_uint_eq(lk.log[mark + 1].flags, F_RST | F_ACK);
	ck_assert_uint_eq(lk.log[mark + 1].seq, 0);
	ck_assert_uint_eq(lk.log[mark + 1].ack, 1004);
	/* A SYN+FIN counts its two flags. */
	link_send_seg(&lk, 1, 5555, 81, 1000, 0, F_SYN | F_FIN, 1000, NULL,
	    0);
	ck_assert_uint_eq(lk.log[mark + 2].ack, 1002);
	/* RSTs are never answered, and a listener ignores them. */
	link_send_seg(&lk, 1, 5555, 81, 1000, 0, F_RST, 0, NULL, 0);
	link_send_seg(&lk, 1, 5555, 80, 1000, 0, F_RST, 0, NULL, 0);
	ck_assert_uint_eq(lk.nlog, mark + 3);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->in_no_conn, 3);
	ck_assert_int_eq(tcp_state(l), TCP_LISTEN);
	link_free(&lk);
	return NULL;
}

/* Closing with unread data resets (RFC 9293 3.10.4). */
TCP_TEST(close_with_unread_data)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	ck_assert_int_eq(tcp_send(a, "unread", 6), 6);
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(tcp_readable(b), 6);
	tcp_close(b);
	ck_assert(link_run(&lk, lk.now + SEC, ev_closed_p, &ea));
	ck_assert_int_eq(ea.close_err, -TORO_ECONNRESET);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1);
	link_free(&lk);
	return NULL;
}

/* After close, data from the peer gets an RST: nobody will read it. */
TCP_TEST(data_after_close)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	tcp_close(b);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_state(a), TCP_CLOSE_WAIT);
	ck_assert_int_eq(tcp_send(a, "late", 4), 4);
	ck_assert(link_run(&lk, lk.now + SEC, ev_closed_p, &ea));
	ck_assert_int_eq(ea.close_err, -TORO_ECONNRESET);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1);
	link_free(&lk);
	return NULL;
}

/* The API refuses what makes no sense. */
TCP_TEST(api_errors)
{
	struct tcp_conn *a, *b, *c;
	struct tcp_info ti;
	struct ev ea = { 0 };
	char buf[4];

	link_init(&lk, NULL, NULL);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	b = tcp_conn_new(lk.st[0], NULL, NULL);
	c = tcp_conn_new(lk.st[0], NULL, NULL);
	ck_assert_int_eq(tcp_send(a, "x", 1), -TORO_ENOTCONN);
	ck_assert_int_eq(tcp_recv(a, buf, 4), -TORO_ENOTCONN);
	ck_assert_int_eq(tcp_shutdown(a), -TORO_ENOTCONN);
	ck_assert_int_eq(tcp_listen(a, 5), -TORO_EINVAL); /* not bound */
	ck_assert_int_eq(tcp_accept(a, &c), -TORO_EINVAL);
	ck_assert_int_eq(tcp_connect(a, 0, 80), -TORO_EINVAL);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 0), -TORO_EINVAL);
	ck_assert_int_eq(tcp_bind(a, 0, 80), 0);
	ck_assert_int_eq(tcp_bind(a, 0, 81), -TORO_EINVAL);
	ck_assert_int_eq(tcp_bind(b, 0, 80), -TORO_EADDRINUSE);
	ck_assert_int_eq(tcp_bind(b, A_ADDR, 80), -TORO_EADDRINUSE);
	ck_assert_int_eq(tcp_listen(a, 0), 0);
	ck_assert_int_eq(tcp_bind(b, 0, 80), -TORO_EADDRINUSE);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), -TORO_EINVAL);
	ck_assert_int_eq(tcp_set_bufsize(a, 1, 1), 0); /* clamped */
	ck_assert_int_eq(tcp_set_bufsize(b, 1, 1 << 30), 0);
	tcp_get_info(a, &ti);
	ck_assert_uint_eq(ti.sndbuf, TCP_BUF_MIN);
	ck_assert_uint_eq(ti.rcvbuf, TCP_BUF_MIN);
	tcp_get_info(b, &ti);
	ck_assert_uint_eq(ti.rcvbuf, TCP_BUF_MAX);
	ck_assert_int_eq(tcp_bind(b, 0, 0), 0); /* ephemeral */
	ck_assert_int_eq(tcp_bind(c, 0, 0), 0);
	tcp_close(a);
	ck_assert_int_eq(tcp_listen(b, 100000), 0); /* clamped */
	tcp_abort(b);
	tcp_close(c);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->conns, 0);
	/* No local address yet (before DHCP). */
	tcp_stack_set_addr(lk.st[0], 0);
	a = tcp_conn_new(lk.st[0], NULL, NULL);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), -TORO_EADDRNOTAVAIL);
	tcp_stack_set_addr(lk.st[0], A_ADDR);
	tcp_close(a);
	link_free(&lk);
	return NULL;
}

/* Callbacks may close their own conn; nothing fires after that. */
static struct tcp_conn *self_closing;

static void
close_on_readable(void *ctx)
{
	int *n = ctx;

	(*n)++;
	tcp_close(self_closing);
}

TCP_TEST(close_inside_callback)
{
	static const struct tcp_callbacks cb = {
		.on_readable = close_on_readable,
	};
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	int n = 0;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	self_closing = b;
	tcp_set_callbacks(b, &cb, &n);
	ck_assert_int_eq(tcp_send(a, "x", 1), 1);
	ck_assert_int_eq(tcp_shutdown(a), 0);
	link_advance(&lk, 100 * MS);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(ea.closed, 1); /* unread data: reset */
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_rst");
	TCase *tc = tcase_create("rst");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rst_established);
	tcase_add_test(tc, rst_window_checks);
	tcase_add_test(tc, syn_on_established);
	tcase_add_test(tc, rst_for_strays);
	tcase_add_test(tc, close_with_unread_data);
	tcase_add_test(tc, data_after_close);
	tcase_add_test(tc, api_errors);
	tcase_add_test(tc, close_inside_callback);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
