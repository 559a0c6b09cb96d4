/*
 * test_tcp_conn.c: the connection table at scale: TIME_WAIT records (a
 * new SYN accepted when newer by its ISN or its timestamp, refused when
 * older; records kept apart from live connections, bounded, the oldest
 * recycled), the limits (derived from memory; buffers charged as they
 * fill; a clean refusal past them and recovery), and lookup with
 * thousands of connections in the table; an answer held for its FIN
 * (TCP_SEND_MORE); the source address of a connection to the loopback
 * net.  SYN cookies are in
 * test_tcp_cookie.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tcp_spoof.h"
#include "toro/errno.h"
#include "toro/mem.h"
#include "toro/socket.h"

static struct link lk;

/*
 * A connection the server closes first (B keeps a TIME_WAIT record)
 * and the client's next SYN on the same 4-tuple.  Returns the client
 * port; *rcv_nxt is the record's, *ts_recent the last TSval from A.
 */
static uint16_t
server_time_wait(uint32_t *rcv_nxt, uint32_t *ts_recent)
{
	struct tcp_conn *a, *b, *l;
	struct ev ea = { 0 }, eb = { 0 };
	const struct seg *s;
	uint16_t port;
	unsigned i;
	char buf[4];

	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
	port = link_seg(&lk, 0, 0, 0)->sport;
	tcp_close(b);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_recv(a, buf, 4), 0);
	tcp_close(a);
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->time_wait, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 1);
	*rcv_nxt = 0;
	for (i = 0; (s = link_seg(&lk, 0, 0, i)) != NULL; i++) {
		if (s->flags & F_FIN)
			*rcv_nxt = s->seq + s->len + 1;
		if (s->ts)
			*ts_recent = s->tsval;
	}
	return port;
}

/* RFC 9293 3.6.1: without timestamps, the ISN decides. */
TCP_TEST(time_wait_reuse_isn)
{
	const struct tcp_stats *st;
	const struct seg *s;
	uint32_t rcv_nxt, tsr = 0;
	uint16_t port;
	unsigned mark;

	spoof_stacks(&lk, false, false);
	st = tcp_stack_stats(lk.st[1]);
	port = server_time_wait(&rcv_nxt, &tsr);
	lk.hold[1] = true;
	/* An older ISN: the record stays and answers with an ACK. */
	mark = lk.nlog;
	spoof_syn_to_b(&lk, A_ADDR, port, 80, rcv_nxt - 1000, 0);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->flags, F_ACK);
	ck_assert_uint_eq(s->ack, rcv_nxt);
	ck_assert_uint_eq(st->time_wait, 1);
	ck_assert_uint_eq(st->time_wait_reuse, 0);
	/* A newer one: a new incarnation. */
	mark = lk.nlog;
	spoof_syn_to_b(&lk, A_ADDR, port, 80, rcv_nxt + 100000, 0);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->flags, F_SYN | F_ACK);
	ck_assert_uint_eq(s->ack, rcv_nxt + 100001);
	ck_assert_uint_eq(st->time_wait, 0);
	ck_assert_uint_eq(st->time_wait_reuse, 1);
	link_free(&lk);
	return NULL;
}

/*
 * RFC 6191: with timestamps, a newer TSval is enough even with a lower
 * ISN, and an older TSval is dropped silently even with a higher one.
 */
TCP_TEST(time_wait_reuse_timestamps)
{
	const struct tcp_stats *st;
	const struct seg *s;
	uint32_t rcv_nxt, tsr = 0;
	uint16_t port;
	unsigned mark;

	spoof_stacks(&lk, true, true);
	st = tcp_stack_stats(lk.st[1]);
	port = server_time_wait(&rcv_nxt, &tsr);
	lk.hold[1] = true;
	ck_assert_uint_ne(tsr, 0);
	mark = lk.nlog;
	spoof_syn_to_b(&lk, A_ADDR, port, 80, rcv_nxt + 100000, tsr - 5);
	ck_assert_ptr_null(link_seg(&lk, mark, 1, 0));
	ck_assert_uint_eq(st->time_wait, 1);
	ck_assert_uint_eq(st->time_wait_reuse, 0);
	spoof_syn_to_b(&lk, A_ADDR, port, 80, rcv_nxt - 100000, tsr + 5);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->flags, F_SYN | F_ACK);
	ck_assert_uint_eq(s->ack, rcv_nxt - 99999);
	ck_assert(s->ts);
	ck_assert_uint_eq(s->tsecr, tsr + 5);
	ck_assert_uint_eq(st->time_wait, 0);
	ck_assert_uint_eq(st->time_wait_reuse, 1);
	link_free(&lk);
	return NULL;
}

/*
 * 20 connections the server closes first, on a stack of 4 live conns
 * and 5 TIME_WAIT records: every one is served, the records never take
 * a connection's place, and the 15 oldest are recycled.
 */
TCP_TEST(time_wait_apart_and_bounded)
{
	struct tcp_config cfg;
	struct tcp_conn *l, *a, *b;
	struct ev el = { 0 }, ea, eb = { 0 };
	const struct tcp_stats *st;
	uint32_t iss[20];
	uint16_t port[20];
	unsigned i, mark;
	char buf[8];

	memset(&lk, 0, sizeof(lk));
	link_default_config(&lk, 1, &cfg);
	cfg.max_conns = 4;
	cfg.max_time_wait = 5;
	link_init(&lk, NULL, &cfg);
	st = tcp_stack_stats(lk.st[1]);
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 8), 0);
	for (i = 0; i < 20; i++) {
		memset(&ea, 0, sizeof(ea));
		mark = lk.nlog;
		a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
		ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
		ck_assert(
		    link_run(&lk, lk.now + 500 * MS, spoof_connected, &ea));
		ck_assert_int_eq(ea.conn_err, 0);
		iss[i] = link_seg(&lk, mark, 0, 0)->seq;
		port[i] = link_seg(&lk, mark, 0, 0)->sport;
		link_advance(&lk, 5 * MS);
		ck_assert_int_eq(tcp_accept(l, &b), 0);
		tcp_set_callbacks(b, &ev_callbacks, &eb);
		ck_assert_int_eq(tcp_send(a, "ping", 4), 4);
		link_advance(&lk, 5 * MS);
		ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 4);
		tcp_close(b);
		link_advance(&lk, 5 * MS);
		ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 0);
		tcp_close(a);
		link_advance(&lk, 5 * MS);
		ck_assert_uint_eq(st->conns, 1);
	}
	ck_assert_uint_eq(st->conns_peak, 2);
	ck_assert_uint_eq(st->time_wait, 5);
	ck_assert_uint_eq(st->states[TCP_TIME_WAIT], 5);
	ck_assert_uint_eq(st->time_wait_recycled, 15);
	/* The newest records stand: an old ISN there is only ACKed... */
	lk.hold[1] = true;
	mark = lk.nlog;
	spoof_syn_to_b(&lk, A_ADDR, port[19], 80, iss[19], 0);
	ck_assert_uint_eq(link_seg(&lk, mark, 1, 0)->flags, F_ACK);
	/* ...while the oldest are gone: the listener answers. */
	mark = lk.nlog;
	spoof_syn_to_b(&lk, A_ADDR, port[0], 80, iss[0], 0);
	ck_assert_uint_eq(link_seg(&lk, mark, 1, 0)->flags, F_SYN | F_ACK);
	/* 60 s on, every record has expired. */
	link_advance(&lk, 61 * SEC);
	ck_assert_uint_eq(st->time_wait, 0);
	ck_assert_uint_eq(st->states[TCP_TIME_WAIT], 0);
	link_free(&lk);
	return NULL;
}

/*
 * Limits from memory: half the machine's RAM for TCP, and a count of
 * conns that bounds the table.  An idle conn costs its struct only;
 * buffers are charged as they fill and given back when they empty.
 * A SYN that finds too little memory left is refused silently, and
 * the client's retransmission gets in once memory comes back.
 */
TCP_TEST(limits_from_memory)
{
	static uint8_t data[150000], got[150000];
	struct tcp_config cfg;
	struct tcp_conn *l, *a, *b, *c[20], *xs[20], *x;
	struct ev ea = { 0 }, eb = { 0 }, ec[20], ex = { 0 };
	const struct tcp_stats *st;
	struct toro_mem_stats m;
	uint64_t idle;
	int i, n;

	toro_mem_stats(&m);
	link_init(&lk, NULL, NULL);
	st = tcp_stack_stats(lk.st[1]);
	ck_assert_uint_eq(st->mem_max, m.total / 2);
	ck_assert_uint_gt(st->max_conns, 10000);
	ck_assert_uint_lt(st->max_conns, m.total / 2 / 2048);
	ck_assert_uint_gt(st->max_time_wait, 10000);
	link_free(&lk);
	/* 150 KiB for B: 22 conns, a 128 KiB buffer, little more. */
	memset(&lk, 0, sizeof(lk));
	link_default_config(&lk, 1, &cfg);
	cfg.mem = 150 * 1024;
	link_init(&lk, NULL, &cfg);
	st = tcp_stack_stats(lk.st[1]);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
	memset(ec, 0, sizeof(ec));
	for (i = 0; i < 20; i++) {
		c[i] = tcp_conn_new(lk.st[0], &ev_callbacks, &ec[i]);
		ck_assert_int_eq(tcp_connect(c[i], B_ADDR, 80), 0);
		link_advance(&lk, 5 * MS);
		ck_assert_int_eq(ec[i].conn_err, 0);
		ck_assert_int_eq(tcp_accept(l, &xs[i]), 0);
		ck_assert_int_eq(tcp_send(c[i], "hi", 2), 2);
		link_advance(&lk, 5 * MS);
		ck_assert_int_eq(tcp_recv(xs[i], got, sizeof(got)), 2);
	}
	/* 22 conns, data moved, nothing left unread: no buffer held. */
	idle = st->mem_used;
	ck_assert_uint_lt(idle, 22 * 1024);
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	n = tcp_send(a, data, sizeof(data));
	ck_assert_int_gt(n, 100000);
	link_advance(&lk, 100 * MS);
	ck_assert_uint_ge(st->mem_used, idle + 128 * 1024);
	ck_assert_uint_le(st->mem_used, 150 * 1024);
	/* Too little left for another conn: its SYN gets no answer. */
	x = tcp_conn_new(lk.st[0], &ev_callbacks, &ex);
	ck_assert_int_eq(tcp_connect(x, B_ADDR, 80), 0);
	link_advance(&lk, 500 * MS);
	ck_assert_int_eq(ex.connected, 0);
	ck_assert_uint_eq(st->syn_drops, 1);
	/* Data beyond the memory left is dropped as if lost. */
	ck_assert_int_eq(tcp_send(c[0], data, 20000), 20000);
	link_advance(&lk, 100 * MS);
	ck_assert_uint_gt(st->in_nomem, 0);
	ck_assert_uint_le(st->mem_used, 150 * 1024);
	/* The reader catches up: the memory comes back, x gets in. */
	ck_assert_int_eq(tcp_recv(b, got, sizeof(got)), 128 * 1024);
	ck_assert_int_eq(memcmp(got, data, 128 * 1024), 0);
	ck_assert_uint_lt(st->mem_used, idle + 64 * 1024);
	link_advance(&lk, 3 * SEC);
	ck_assert_int_eq(ex.connected, 1);
	ck_assert_int_eq(ex.conn_err, 0);
	ck_assert_int_eq(tcp_recv(xs[0], got, sizeof(got)), 20000);
	ck_assert_int_eq(memcmp(got, data, 20000), 0);
	link_free(&lk);
	return NULL;
}

/*
 * TCP_SEND_MORE (MSG_MORE): a short answer waits for the close and
 * leaves with the FIN in one segment, so the client reads both at once
 * and only the server keeps TIME_WAIT; without a close it goes after
 * TCP_MORE_NS, and a full segment goes at once.
 */
TCP_TEST(send_more)
{
	static char big[3000];
	struct tcp_conn *a, *b, *l;
	struct ev ea = { 0 }, eb = { 0 };
	const struct seg *s;
	unsigned mark;
	char buf[16];

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
	tcp_set_nodelay(b, true);
	mark = lk.nlog;
	ck_assert_int_eq(tcp_send_flags(b, "answer", 6, TCP_SEND_MORE), 6);
	link_advance(&lk, 50 * MS);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 0);
	tcp_close(b);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 1);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_uint_eq(s->len, 6);
	ck_assert_uint_eq(s->flags, F_ACK | F_PSH | F_FIN);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 6);
	ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 0);
	ck_assert_int_eq(tcp_state(a), TCP_CLOSE_WAIT);
	tcp_close(a);
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->time_wait, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->time_wait, 1);

	/* No close: the answer goes when the hold is over. */
	ck_assert(link_connect_pair(&lk, 81, &a, &b, &ea, &eb, &l));
	tcp_set_nodelay(b, true);
	mark = lk.nlog;
	ck_assert_int_eq(tcp_send_flags(b, "answer", 6, TCP_SEND_MORE), 6);
	link_advance(&lk, TCP_MORE_NS - 10 * MS);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 0);
	link_advance(&lk, 20 * MS);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 1);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_uint_eq(s->len, 6);
	ck_assert_uint_eq(s->flags & F_FIN, 0);

	/* More than a segment: out at once, the tail too (TCP_NODELAY). */
	mark = lk.nlog;
	ck_assert_int_eq(tcp_send_flags(b, big, sizeof(big), TCP_SEND_MORE),
	    (int)sizeof(big));
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 3);
	link_advance(&lk, 10 * MS);
	ck_assert_int_eq(tcp_recv(a, big, sizeof(big)), (int)sizeof(big));
	link_free(&lk);
	return NULL;
}

/*
 * TCP_NODELAY set on a listener is inherited by what it accepts (as on
 * Linux): a second small segment goes without waiting for an ACK.
 * Without it, Nagle holds the second one back.
 */
TCP_TEST(nodelay_inherited)
{
	struct tcp_conn *l, *a, *b;
	struct ev el = { 0 }, ea = { 0 };
	unsigned mark;
	int port;

	link_init(&lk, NULL, NULL);
	for (port = 80; port <= 81; port++) {
		l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
		ck_assert_int_eq(tcp_bind(l, 0, (uint16_t)port), 0);
		tcp_set_nodelay(l, port == 80);
		ck_assert_int_eq(tcp_listen(l, 8), 0);
		a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
		ck_assert_int_eq(tcp_connect(a, B_ADDR, (uint16_t)port), 0);
		link_advance(&lk, 20 * MS);
		ck_assert_int_eq(tcp_accept(l, &b), 0);
		mark = lk.nlog;
		ck_assert_int_eq(tcp_send(b, "x", 1), 1);
		ck_assert_int_eq(tcp_send(b, "y", 1), 1);
		ck_assert_uint_eq(link_count(&lk, mark, 1, 0),
		    port == 80 ? 2 : 1);
	}
	link_free(&lk);
	return NULL;
}

#define MANY 2000

/*
 * 2000 connections at once, each carrying its own number: every
 * server conn gets its own client's bytes, so the demux finds the
 * right conn among thousands.
 */
TCP_TEST(many_connections)
{
	static struct tcp_conn *a[MANY], *b[MANY];
	static struct ev ea[MANY];
	static uint8_t seen[MANY];
	struct tcp_conn *l;
	struct ev el = { 0 };
	const struct tcp_stats *st;
	struct tcp_info ia, ib;
	uint8_t msg[8];
	int i, k, n = 0;

	link_init(&lk, NULL, NULL);
	st = tcp_stack_stats(lk.st[1]);
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_set_bufsize(l, 4096, 4096), 0);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, TCP_BACKLOG_MAX), 0);
	for (i = 0; i < MANY; i++) {
		a[i] = tcp_conn_new(lk.st[0], &ev_callbacks, &ea[i]);
		ck_assert_int_eq(tcp_set_bufsize(a[i], 4096, 4096), 0);
		ck_assert_int_eq(tcp_connect(a[i], B_ADDR, 80), 0);
		if (i % 500 == 499) {
			link_advance(&lk, 20 * MS);
			while (n < MANY && tcp_accept(l, &b[n]) == 0)
				n++;
		}
	}
	link_advance(&lk, 20 * MS);
	while (n < MANY && tcp_accept(l, &b[n]) == 0)
		n++;
	ck_assert_int_eq(n, MANY);
	ck_assert_uint_eq(st->states[TCP_ESTABLISHED], MANY);
	ck_assert_uint_eq(st->syncookies_sent, 0);
	for (i = 0; i < MANY; i++) {
		ck_assert_int_eq(ea[i].conn_err, 0);
		net_put16(msg, (uint16_t)i);
		tcp_get_info(a[i], &ia);
		net_put16(msg + 2, ia.lport);
		ck_assert_int_eq(tcp_send(a[i], msg, 4), 4);
	}
	link_advance(&lk, 100 * MS);
	/* Each server conn has its client's number and port, and no more. */
	for (k = 0; k < MANY; k++) {
		ck_assert_int_eq(tcp_recv(b[k], msg, sizeof(msg)), 4);
		tcp_get_info(b[k], &ib);
		i = net_get16(msg);
		ck_assert_int_lt(i, MANY);
		ck_assert_uint_eq(ib.rport, net_get16(msg + 2));
		tcp_get_info(a[i], &ia);
		ck_assert_uint_eq(ia.lport, ib.rport);
		ck_assert_uint_eq(seen[i]++, 0);
	}
	ck_assert_uint_eq(st->conns, MANY + 1);
	link_free(&lk);
	return NULL;
}

/*
 * A connection to the loopback net from an unbound conn leaves from
 * 127.0.0.1, even before the interface has an address; any other from
 * the interface's address, and none without one.
 */
TCP_TEST(loopback_source)
{
	struct tcp_config cfg;
	struct tcp_conn *c;
	struct tcp_info ti;

	link_default_config(&lk, 0, &cfg);
	cfg.addr = 0;
	link_init(&lk, &cfg, NULL);
	c = tcp_conn_new(lk.st[0], NULL, NULL);
	ck_assert_int_eq(tcp_connect(c, B_ADDR, 80), -TORO_EADDRNOTAVAIL);
	ck_assert_int_eq(tcp_connect(c, TORO_IPV4(127, 0, 0, 5), 80), 0);
	tcp_get_info(c, &ti);
	ck_assert_uint_eq(ti.laddr, TORO_INADDR_LOOPBACK);
	tcp_close(c);
	link_free(&lk);

	link_init(&lk, NULL, NULL);
	c = tcp_conn_new(lk.st[0], NULL, NULL);
	ck_assert_int_eq(tcp_connect(c, TORO_INADDR_LOOPBACK, 80), 0);
	tcp_get_info(c, &ti);
	ck_assert_uint_eq(ti.laddr, TORO_INADDR_LOOPBACK);
	tcp_close(c);
	c = tcp_conn_new(lk.st[0], NULL, NULL);
	ck_assert_int_eq(tcp_connect(c, B_ADDR, 80), 0);
	tcp_get_info(c, &ti);
	ck_assert_uint_eq(ti.laddr, A_ADDR);
	tcp_close(c);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_conn");
	TCase *tc = tcase_create("conn");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, time_wait_reuse_isn);
	tcase_add_test(tc, time_wait_reuse_timestamps);
	tcase_add_test(tc, time_wait_apart_and_bounded);
	tcase_add_test(tc, limits_from_memory);
	tcase_add_test(tc, many_connections);
	tcase_add_test(tc, send_more);
	tcase_add_test(tc, nodelay_inherited);
	tcase_add_test(tc, loopback_source);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
