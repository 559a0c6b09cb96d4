/*
 * test_tcp_state.c: the TCP state machine between two stacks on the
 * simulated link: active and passive open, options on the SYNs,
 * simultaneous open, refused and timed-out connects, FIN from either
 * side, half close, simultaneous close, TIME_WAIT and its reuse, and
 * listeners.  RSTs and the API's errors are in test_tcp_rst.c.
 */
#include <check.h>
#include <string.h>

#include "tests/unit/tcp_link.h"
#include "toro/errno.h"

static struct link lk;

static bool
ev_connected_p(void *arg)
{
	return ((struct ev *)arg)->connected > 0;
}

static bool
ev_closed_p(void *arg)
{
	return ((struct ev *)arg)->closed > 0;
}

/* Active open from A, passive on B: segments, options, states. */
TCP_TEST(handshake)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info ia, ib;
	const struct seg *syn, *synack, *ack;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	syn = link_seg(&lk, 0, 0, 0);
	synack = link_seg(&lk, 0, 1, 0);
	ack = link_seg(&lk, 0, 0, 1);
	ck_assert_uint_eq(syn->flags, F_SYN);
	ck_assert_int_eq(syn->mss, 1460);
	ck_assert_int_eq(syn->ws, 2); /* 128 KiB needs a shift of 2 */
	ck_assert_uint_eq(syn->dport, 80);
	ck_assert_uint_ge(syn->sport, 49152);
	ck_assert_uint_eq(synack->flags, F_SYN | F_ACK);
	ck_assert_uint_eq(synack->ack, syn->seq + 1);
	ck_assert_int_eq(synack->mss, 1460);
	ck_assert_int_eq(synack->ws, 2);
	ck_assert_uint_eq(synack->wnd, 65535); /* a SYN's is unscaled */
	ck_assert_uint_eq(ack->flags, F_ACK);
	ck_assert_uint_eq(ack->seq, syn->seq + 1);
	ck_assert_uint_eq(ack->ack, synack->seq + 1);
	ck_assert_uint_eq(ack->wnd, (128 * 1024) >> 2);
	ck_assert_int_eq(ea.connected, 1);
	ck_assert_int_eq(ea.conn_err, 0);
	ck_assert_int_eq(lk.lev.accepts, 1);
	/* One round trip of 2 ms. */
	ck_assert_uint_eq(ea.t_connected, 1 * SEC + 2 * MS);
	tcp_get_info(a, &ia);
	tcp_get_info(b, &ib);
	ck_assert_int_eq(ia.state, TCP_ESTABLISHED);
	ck_assert_int_eq(ib.state, TCP_ESTABLISHED);
	ck_assert_uint_eq(ia.snd_mss, 1460);
	ck_assert_uint_eq(ia.snd_wscale, 2);
	ck_assert_uint_eq(ib.rcv_wscale, 2);
	ck_assert_uint_eq(ia.lport, syn->sport);
	ck_assert_uint_eq(ib.rport, syn->sport);
	ck_assert_uint_eq(ib.laddr, B_ADDR);
	ck_assert_uint_eq(ib.raddr, A_ADDR);
	ck_assert_uint_eq(ia.iss, syn->seq);
	ck_assert_uint_eq(ib.iss, synack->seq);
	/* 2 ms RTT measured on the SYN; RTO at its 200 ms floor. */
	ck_assert_uint_eq(ia.srtt, 2 * MS);
	ck_assert_uint_eq(ia.rto, TCP_RTO_MIN_NS);
	ck_assert_uint_eq(ia.cwnd, 4380); /* RFC 5681 IW for 1460 */
	ck_assert_str_eq(tcp_state_name(ia.state), "ESTABLISHED");
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->active_opens, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->passive_opens, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 2);
	link_free(&lk);
	return NULL;
}

/* Both ends connect to each other at once (RFC 9293 figure 7). */
TCP_TEST(simultaneous_open)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	char buf[16];

	link_init(&lk, NULL, NULL);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	b = tcp_conn_new(lk.st[1], &ev_callbacks, &eb);
	ck_assert_int_eq(tcp_bind(a, 0, 1000), 0);
	ck_assert_int_eq(tcp_bind(b, 0, 2000), 0);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 2000), 0);
	ck_assert_int_eq(tcp_connect(b, A_ADDR, 1000), 0);
	ck_assert(link_run(&lk, lk.now + 5 * SEC, ev_connected_p, &eb));
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(ea.connected, 1);
	ck_assert_int_eq(ea.conn_err, 0);
	ck_assert_int_eq(eb.conn_err, 0);
	ck_assert_int_eq(tcp_state(a), TCP_ESTABLISHED);
	ck_assert_int_eq(tcp_state(b), TCP_ESTABLISHED);
	/* Both sent a SYN, then a SYN-ACK. */
	ck_assert_uint_eq(link_count(&lk, 0, 0, F_SYN | F_ACK), 1);
	ck_assert_uint_eq(link_count(&lk, 0, 1, F_SYN | F_ACK), 1);
	ck_assert_int_eq(tcp_send(a, "ping", 4), 4);
	ck_assert_int_eq(tcp_send(b, "pong", 4), 4);
	link_advance(&lk, 100 * MS);
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 4);
	ck_assert_int_eq(memcmp(buf, "ping", 4), 0);
	ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 4);
	ck_assert_int_eq(memcmp(buf, "pong", 4), 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->out_retrans, 0);
	link_free(&lk);
	return NULL;
}

/* A SYN to a port nobody listens on: RST, ECONNREFUSED. */
TCP_TEST(connect_refused)
{
	struct tcp_conn *a;
	struct ev ea = { 0 };
	const struct seg *syn, *rst;
	char c;

	link_init(&lk, NULL, NULL);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 81), 0);
	ck_assert_int_eq(tcp_state(a), TCP_SYN_SENT);
	ck_assert(link_run(&lk, lk.now + SEC, ev_closed_p, &ea));
	syn = link_seg(&lk, 0, 0, 0);
	rst = link_seg(&lk, 0, 1, 0);
	ck_assert_uint_eq(rst->flags, F_RST | F_ACK);
	ck_assert_uint_eq(rst->seq, 0);
	ck_assert_uint_eq(rst->ack, syn->seq + 1);
	ck_assert_int_eq(ea.connected, 1);
	ck_assert_int_eq(ea.conn_err, -TORO_ECONNREFUSED);
	ck_assert_int_eq(ea.closed, 1);
	ck_assert_int_eq(ea.close_err, -TORO_ECONNREFUSED);
	ck_assert_int_eq(tcp_state(a), TCP_CLOSED);
	ck_assert_int_eq(tcp_recv(a, &c, 1), -TORO_ECONNREFUSED);
	ck_assert_int_eq(tcp_send(a, &c, 1), -TORO_EPIPE);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->in_no_conn, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->out_rsts, 1);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 81), -TORO_EISCONN);
	tcp_close(a);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->conns, 0);
	link_free(&lk);
	return NULL;
}

/* SYNs into a black hole: 1, 2, 4, 8, 16 s apart, ETIMEDOUT at 63 s. */
TCP_TEST(connect_timeout)
{
	static const uint64_t at[] = { 0, 1, 3, 7, 15, 31 };
	struct tcp_conn *a;
	struct ev ea = { 0 };
	uint64_t t0;
	unsigned i;

	link_init(&lk, NULL, NULL);
	lk.loss[0] = 1000;
	t0 = lk.now;
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
	ck_assert(link_run(&lk, lk.now + 200 * SEC, ev_closed_p, &ea));
	ck_assert_uint_eq(link_count(&lk, 0, 0, F_SYN), nitems(at));
	for (i = 0; i < nitems(at); i++)
		ck_assert_uint_eq(link_seg(&lk, 0, 0, i)->t, t0 + at[i] * SEC);
	ck_assert_int_eq(ea.conn_err, -TORO_ETIMEDOUT);
	ck_assert_int_eq(ea.close_err, -TORO_ETIMEDOUT);
	ck_assert_uint_eq(ea.t_closed, t0 + 63 * SEC);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->timeouts, 1);
	tcp_close(a);
	link_free(&lk);
	return NULL;
}

/* The client closes first: FIN_WAIT_1/2, TIME_WAIT; the server's EOF. */
TCP_TEST(close_active_client)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	char buf[8];
	uint64_t t;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	ck_assert_int_eq(tcp_send(a, "bye", 3), 3);
	ck_assert_int_eq(tcp_shutdown(a), 0);
	ck_assert_int_eq(tcp_shutdown(a), 0); /* again: no-op */
	ck_assert_int_eq(tcp_send(a, "x", 1), -TORO_EPIPE);
	link_advance(&lk, 50 * MS);
	ck_assert_int_eq(tcp_state(a), TCP_FIN_WAIT_2);
	ck_assert_int_eq(tcp_state(b), TCP_CLOSE_WAIT);
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 3);
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 0); /* EOF */
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 0);
	ck_assert_int_gt(eb.readable, 0);
	/* The server may still send in CLOSE_WAIT (half close). */
	ck_assert_int_eq(tcp_send(b, "late", 4), 4);
	link_advance(&lk, 50 * MS);
	ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 4);
	ck_assert_int_eq(memcmp(buf, "late", 4), 0);
	tcp_close(b);
	ck_assert_int_eq(eb.closed, 0); /* no callback after close */
	link_advance(&lk, 50 * MS);
	ck_assert_int_eq(tcp_state(a), TCP_TIME_WAIT);
	ck_assert_int_eq(ea.closed, 1);
	ck_assert_int_eq(ea.close_err, 0);
	ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1); /* listener */
	/* TIME_WAIT lasts 60 s, then the conn is CLOSED. */
	t = lk.now;
	link_run(&lk, t + TCP_TIME_WAIT_NS - 100 * MS, NULL, NULL);
	ck_assert_int_eq(tcp_state(a), TCP_TIME_WAIT);
	link_advance(&lk, 200 * MS);
	ck_assert_int_eq(tcp_state(a), TCP_CLOSED);
	ck_assert_int_eq(ea.closed, 1);
	tcp_close(a);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->conns, 0);
	link_free(&lk);
	return NULL;
}

/*
 * What the machine's exit waits for (tcp_stack_owing): conns that may
 * still send, or whose FIN is not yet acknowledged; not listeners, not
 * FIN_WAIT_2 or TIME_WAIT.
 */
TCP_TEST(owing)
{
	static char big[64 * 1024];
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	ck_assert_int_eq(tcp_stack_owing(lk.st[0]), 1);
	/* b; the listener owes nothing. */
	ck_assert_int_eq(tcp_stack_owing(lk.st[1]), 1);
	ck_assert_int_eq(tcp_send(a, big, sizeof(big)), (int)sizeof(big));
	tcp_close(a); /* the FIN goes after the data */
	ck_assert_int_eq(tcp_stack_owing(lk.st[0]), 1);
	link_advance(&lk, 1 * MS);
	ck_assert_int_eq(tcp_stack_owing(lk.st[0]), 1);
	link_advance(&lk, 200 * MS);
	ck_assert_int_eq(tcp_state(b), TCP_CLOSE_WAIT);
	ck_assert_int_eq(tcp_stack_owing(lk.st[0]), 0); /* FIN_WAIT_2 */
	ck_assert_int_eq(tcp_stack_owing(lk.st[1]), 1);
	tcp_close(b); /* unread data: a reset, nothing owed */
	ck_assert_int_eq(tcp_stack_owing(lk.st[1]), 0);
	link_advance(&lk, 50 * MS);
	ck_assert_int_eq(tcp_stack_owing(lk.st[0]), 0);
	link_free(&lk);
	return NULL;
}

/* The server closes first; the client reads then closes: LAST_ACK. */
TCP_TEST(close_active_server)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	char buf[8];

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	ck_assert_int_eq(tcp_send(b, "hello", 5), 5);
	tcp_close(b); /* graceful: data then FIN, owned by the engine */
	link_advance(&lk, 50 * MS);
	ck_assert_int_eq(tcp_state(a), TCP_CLOSE_WAIT);
	ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 5);
	ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 0);
	ck_assert_int_eq(tcp_shutdown(a), 0);
	ck_assert_int_eq(tcp_state(a), TCP_LAST_ACK);
	link_advance(&lk, 50 * MS);
	ck_assert_int_eq(tcp_state(a), TCP_CLOSED);
	ck_assert_int_eq(ea.closed, 1);
	ck_assert_int_eq(ea.close_err, 0);
	/*
	 * B's orphan is a TIME_WAIT record for 60 s, then goes; it is no
	 * longer a connection (only the listener is).
	 */
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->time_wait, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->states[TCP_TIME_WAIT],
	    1);
	link_advance(&lk, 59 * SEC);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->time_wait, 1);
	link_advance(&lk, 2 * SEC);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->time_wait, 0);
	tcp_close(a);
	link_free(&lk);
	return NULL;
}

/* Both send FIN at once: CLOSING on both sides, then TIME_WAIT. */
TCP_TEST(simultaneous_close)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_shutdown(a), 0);
	ck_assert_int_eq(tcp_shutdown(b), 0);
	ck_assert_int_eq(tcp_state(a), TCP_FIN_WAIT_1);
	ck_assert_int_eq(tcp_state(b), TCP_FIN_WAIT_1);
	link_advance(&lk, lk.delay); /* each FIN arrives before its ACK */
	ck_assert_int_eq(tcp_state(a), TCP_CLOSING);
	ck_assert_int_eq(tcp_state(b), TCP_CLOSING);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_state(a), TCP_TIME_WAIT);
	ck_assert_int_eq(tcp_state(b), TCP_TIME_WAIT);
	ck_assert_int_eq(ea.closed, 1);
	ck_assert_int_eq(eb.closed, 1);
	ck_assert_int_eq(ea.close_err, 0);
	tcp_close(a);
	tcp_close(b);
	link_advance(&lk, 61 * SEC);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->conns, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1);
	link_free(&lk);
	return NULL;
}

/* A lost FIN is retransmitted; a lost last ACK makes TIME_WAIT re-ACK. */
static unsigned drop_fins;

static bool
drop_fin_filter(struct link *l, int from, uint8_t *seg, size_t len,
    void *arg)
{
	if ((seg[13] & F_FIN) && drop_fins > 0) {
		drop_fins--;
		return true;
	}
	return false;
}

TCP_TEST(fin_lost)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	drop_fins = 2; /* and its tail loss probe */
	lk.filter = drop_fin_filter;
	ck_assert_int_eq(tcp_shutdown(a), 0);
	link_advance(&lk, 100 * MS);
	ck_assert_int_eq(tcp_state(a), TCP_FIN_WAIT_1);
	ck_assert_int_eq(tcp_state(b), TCP_ESTABLISHED);
	link_advance(&lk, 200 * MS); /* the RTO */
	ck_assert_int_eq(tcp_state(a), TCP_FIN_WAIT_2);
	ck_assert_int_eq(tcp_state(b), TCP_CLOSE_WAIT);
	ck_assert_uint_eq(link_count(&lk, 0, 0, F_FIN), 3);
	tcp_close(b);
	link_advance(&lk, 100 * MS);
	ck_assert_int_eq(tcp_state(a), TCP_TIME_WAIT);
	tcp_close(a);
	link_advance(&lk, 61 * SEC);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->conns, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1);
	link_free(&lk);
	return NULL;
}

/* TIME_WAIT then reuse: of the 4-tuple, by waiting or by a new SYN. */
TCP_TEST(time_wait_reuse)
{
	struct tcp_conn *a, *b, *l, *a2, *b2;
	struct ev ea = { 0 }, eb = { 0 }, ea2 = { 0 };
	char buf[4];

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
	/* The server closes first, so its side waits in TIME_WAIT. */
	tcp_close(b);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_recv(a, buf, 4), 0);
	tcp_close(a);
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->time_wait, 1);
	/* The same client port again, 1 s later: a SYN ends TIME_WAIT. */
	link_advance(&lk, 1 * SEC);
	a2 = tcp_conn_new(lk.st[0], &ev_callbacks, &ea2);
	ck_assert_int_eq(tcp_bind(a2, 0, link_seg(&lk, 0, 0, 0)->sport), 0);
	ck_assert_int_eq(tcp_connect(a2, B_ADDR, 80), 0);
	ck_assert(link_run(&lk, lk.now + SEC, ev_connected_p, &ea2));
	ck_assert_int_eq(ea2.conn_err, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->time_wait_reuse, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->time_wait, 0);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_accept(l, &b2), 0);
	ck_assert_int_eq(tcp_state(b2), TCP_ESTABLISHED);
	/* The client side's TIME_WAIT holds its 4-tuple for 60 s. */
	tcp_close(b2);
	link_advance(&lk, 10 * MS);
	tcp_shutdown(a2);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_state(a2), TCP_CLOSED);
	link_free(&lk);
	return NULL;
}

/* Client-side TIME_WAIT blocks the same 4-tuple until it expires. */
TCP_TEST(time_wait_blocks_tuple)
{
	struct tcp_conn *a, *b, *a2;
	struct ev ea = { 0 }, eb = { 0 }, ea2 = { 0 };
	uint16_t port;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	port = link_seg(&lk, 0, 0, 0)->sport;
	tcp_close(a);
	link_advance(&lk, 10 * MS);
	tcp_close(b);
	link_advance(&lk, 10 * MS);
	a2 = tcp_conn_new(lk.st[0], &ev_callbacks, &ea2);
	ck_assert_int_eq(tcp_bind(a2, 0, port), 0); /* reuse allowed */
	ck_assert_int_eq(tcp_connect(a2, B_ADDR, 80), -TORO_EADDRINUSE);
	link_advance(&lk, 61 * SEC);
	ck_assert_int_eq(tcp_connect(a2, B_ADDR, 80), 0);
	ck_assert(link_run(&lk, lk.now + SEC, ev_connected_p, &ea2));
	ck_assert_int_eq(ea2.conn_err, 0);
	link_free(&lk);
	return NULL;
}

/* Data sent before accept waits in the accepted conn. */
TCP_TEST(data_before_accept)
{
	struct tcp_conn *l, *a, *b;
	struct ev el = { 0 }, ea = { 0 };
	char buf[16];

	link_init(&lk, NULL, NULL);
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 4), 0);
	ck_assert_int_eq(tcp_accept(l, &b), -TORO_EAGAIN);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
	/* Queued in SYN_SENT, sent once established. */
	ck_assert_int_eq(tcp_send(a, "early", 5), 5);
	ck_assert_int_eq(tcp_shutdown(a), 0);
	link_advance(&lk, 100 * MS);
	ck_assert_int_eq(el.accepts, 1);
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	ck_assert_int_eq(tcp_accept(l, &b), -TORO_EAGAIN);
	ck_assert_int_eq(tcp_state(b), TCP_CLOSE_WAIT);
	ck_assert_uint_eq(tcp_readable(b), 5);
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 5);
	ck_assert_int_eq(memcmp(buf, "early", 5), 0);
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(tcp_state(a), TCP_FIN_WAIT_2);
	link_free(&lk);
	return NULL;
}

/* Closing a listener resets what it had queued. */
TCP_TEST(listener_close_resets_queue)
{
	struct tcp_conn *l, *a;
	struct ev el = { 0 }, ea = { 0 };

	link_init(&lk, NULL, NULL);
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 4), 0);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
	link_advance(&lk, 100 * MS);
	ck_assert_int_eq(ea.conn_err, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 2);
	tcp_close(l);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 0);
	ck_assert(link_run(&lk, lk.now + SEC, ev_closed_p, &ea));
	ck_assert_int_eq(ea.close_err, -TORO_ECONNRESET);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_state");
	TCase *tc = tcase_create("state");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, handshake);
	tcase_add_test(tc, simultaneous_open);
	tcase_add_test(tc, connect_refused);
	tcase_add_test(tc, connect_timeout);
	tcase_add_test(tc, close_active_client);
	tcase_add_test(tc, close_active_server);
	tcase_add_test(tc, simultaneous_close);
	tcase_add_test(tc, fin_lost);
	tcase_add_test(tc, owing);
	tcase_add_test(tc, time_wait_reuse);
	tcase_add_test(tc, time_wait_blocks_tuple);
	tcase_add_test(tc, data_before_accept);
	tcase_add_test(tc, listener_close_resets_queue);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
