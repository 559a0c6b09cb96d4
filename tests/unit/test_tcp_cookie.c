/*
 * test_tcp_cookie.c: SYN cookies (RFC 4987): a handshake completed
 * through one with and without timestamps (window scale and SACK
 * carried in the TSval, the MSS in the cookie); forged, tampered and
 * expired cookies refused; a flood's half-open conns filling the table
 * while a real client still gets in.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tcp_spoof.h"
#include "toro/errno.h"
#include "toro/mem.h"

static struct link lk;

/* An ACK by hand from A's address to B, with timestamps if ts. */
static void
ack_to_b(uint16_t port, uint16_t dport, uint32_t seq, uint32_t ack, bool ts,
    uint32_t tsval, uint32_t tsecr)
{
	uint8_t seg[64], opt[12] = { 1, 1, 8, 10 };
	size_t n;

	net_put32(opt + 4, tsval);
	net_put32(opt + 8, tsecr);
	n = seg_build(seg, A_ADDR, B_ADDR, port, dport, seq, ack, F_ACK, 65535,
	    opt, ts ? sizeof(opt) : 0, NULL, 0);
	link_inject(&lk, 1, A_ADDR, B_ADDR, seg, n);
}

/* A listener on B:80 with backlog 1, its half-open queue full. */
static struct tcp_conn *
full_listener(struct ev *el)
{
	struct tcp_conn *l;

	l = tcp_conn_new(lk.st[1], &ev_callbacks, el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 1), 0);
	spoof_syn_to_b(&lk, SPOOF_ADDR, SPOOF_PORT, 80, 12345, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->states[TCP_SYN_RCVD], 1);
	return l;
}

/* The first segment from B to port since mark with flags. */
static const struct seg *
from_b(unsigned mark, uint16_t port, uint8_t flags)
{
	const struct seg *s;
	unsigned i;

	for (i = 0; (s = link_seg(&lk, mark, 1, i)) != NULL; i++)
		if (s->dport == port && (s->flags & flags) == flags)
			return s;
	return NULL;
}

/*
 * Through a cookie, both sides with timestamps: window scaling and
 * SACK survive in the TSval, the MSS in the cookie; data flows with
 * loss (SACK recovery needs the SACK that was carried).
 */
TCP_TEST(cookie_with_timestamps)
{
	struct tcp_conn *l, *a, *b;
	struct ev el = { 0 }, ea = { 0 }, eb = { 0 };
	const struct tcp_stats *st;
	const struct seg *sa;
	struct tcp_info ia, ib;

	spoof_stacks(&lk, true, true);
	st = tcp_stack_stats(lk.st[1]);
	l = full_listener(&el);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
	/* Before A's first SYN retransmission (1 s): no retry needed. */
	ck_assert(link_run(&lk, lk.now + 500 * MS, spoof_connected, &ea));
	ck_assert_int_eq(ea.conn_err, 0);
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(st->syncookies_sent, 1);
	ck_assert_uint_eq(st->syncookies_ok, 1);
	sa = from_b(0, link_seg(&lk, 0, 0, 0)->sport, F_SYN | F_ACK);
	ck_assert_ptr_nonnull(sa);
	ck_assert(sa->ts && sa->sack_ok);
	ck_assert_int_eq(sa->ws, 2); /* 128 KiB needs a shift of 2 */
	ck_assert_uint_eq(sa->tsval & 0x3f, 0x10 | 2); /* SACK, wscale 2 */
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	tcp_set_callbacks(b, &ev_callbacks, &eb);
	tcp_get_info(a, &ia);
	tcp_get_info(b, &ib);
	ck_assert(ia.sack && ib.sack);
	ck_assert_uint_eq(ib.snd_wscale, ia.rcv_wscale);
	ck_assert_uint_eq(ia.snd_wscale, ib.rcv_wscale);
	ck_assert_uint_eq(ib.snd_mss, 1460 - 12);
	ck_assert_uint_eq(ia.snd_mss, 1460 - 12);
	ck_assert_uint_eq(ib.irs, ia.iss);
	ck_assert_uint_eq(ia.irs, ib.iss);
	/* 1 MiB each way, 2% loss: the scaled window and SACK at work. */
	lk.loss[0] = lk.loss[1] = 20;
	link_bulk(&lk, 0, a, b, 1 << 20);
	link_bulk(&lk, 1, b, a, 1 << 20);
	ck_assert(link_run(&lk, lk.now + 120 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	link_bulk_check(&lk, 1);
	ck_assert_uint_gt(
	    tcp_stack_stats(lk.st[0])->sack_blocks_in + st->sack_blocks_in, 0);
	link_free(&lk);
	return NULL;
}

/* Without timestamps a cookie keeps the MSS only, and still works. */
TCP_TEST(cookie_without_timestamps)
{
	struct tcp_conn *l, *a, *b;
	struct ev el = { 0 }, ea = { 0 }, eb = { 0 };
	const struct tcp_stats *st;
	const struct seg *sa;
	struct tcp_info ia, ib;

	spoof_stacks(&lk, false, true);
	st = tcp_stack_stats(lk.st[1]);
	l = full_listener(&el);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
	ck_assert(link_run(&lk, lk.now + 500 * MS, spoof_connected, &ea));
	ck_assert_int_eq(ea.conn_err, 0);
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(st->syncookies_ok, 1);
	sa = from_b(0, link_seg(&lk, 0, 0, 0)->sport, F_SYN | F_ACK);
	ck_assert_ptr_nonnull(sa);
	ck_assert(!sa->ts && !sa->sack_ok);
	ck_assert_int_eq(sa->ws, -1);
	ck_assert_int_eq(sa->mss, 1460);
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	tcp_set_callbacks(b, &ev_callbacks, &eb);
	tcp_get_info(a, &ia);
	tcp_get_info(b, &ib);
	ck_assert(!ia.sack && !ib.sack);
	ck_assert_uint_eq(
	    ia.snd_wscale + ia.rcv_wscale + ib.snd_wscale + ib.rcv_wscale, 0);
	ck_assert_uint_eq(ib.snd_mss, 1460);
	link_bulk(&lk, 0, a, b, 256 * 1024);
	link_bulk(&lk, 1, b, a, 256 * 1024);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	link_bulk_check(&lk, 1);
	link_free(&lk);
	return NULL;
}

/* The cookie B sent to A's port p for a SYN with sequence seq. */
static uint32_t
cookie_for(uint16_t p, uint32_t seq)
{
	const struct seg *s;
	unsigned mark = lk.nlog;

	spoof_syn_to_b(&lk, A_ADDR, p, 80, seq, 0);
	s = from_b(mark, p, F_SYN | F_ACK);
	ck_assert_ptr_nonnull(s);
	return s->seq;
}

/*
 * Cookies that are not: a made-up number, a real one with another
 * peer ISN or another value, one past its time.  Each is refused with
 * an RST and makes no conn; the genuine one makes exactly one.
 */
TCP_TEST(cookie_forged_expired)
{
	struct tcp_conn *l, *n;
	struct ev el = { 0 };
	const struct tcp_stats *st;
	uint32_t ck, conns;
	unsigned mark;

	spoof_stacks(&lk, false, false);
	lk.hold[1] = true; /* what B sends, A does not hear */
	st = tcp_stack_stats(lk.st[1]);
	l = full_listener(&el);
	ck = cookie_for(5000, 1000);
	conns = st->conns;
	mark = lk.nlog;
	ack_to_b(5000, 80, 1001, 0x12345678, false, 0, 0);
	ack_to_b(5000, 80, 1002, ck + 1, false, 0, 0); /* another ISN */
	ack_to_b(5000, 80, 1001, ck + 2, false, 0, 0); /* another value */
	ack_to_b(5001, 80, 1001, ck + 1, false, 0, 0); /* another port */
	ck_assert_uint_eq(st->syncookies_bad, 4);
	ck_assert_uint_eq(link_count(&lk, mark, 1, F_RST), 4);
	ck_assert_uint_eq(st->conns, conns);
	ck_assert_uint_eq(st->syncookies_ok, 0);
	/* The genuine one, 100 s later (within its two 64 s slots). */
	link_advance(&lk, 100 * SEC);
	ack_to_b(5000, 80, 1001, ck + 1, false, 0, 0);
	ck_assert_uint_eq(st->syncookies_ok, 1);
	ck_assert_uint_eq(el.accepts, 1);
	ck_assert_int_eq(tcp_accept(l, &n), 0);
	tcp_abort(n);
	/* Another, made now, is stale once two slots have passed. */
	spoof_syn_to_b(
	    &lk, SPOOF_ADDR, SPOOF_PORT, 80, 777, 0); /* the queue full */
	ck = cookie_for(5002, 2000);
	link_advance(&lk, 129 * SEC);
	/* A fresh cookie keeps cookie ACKs looked at. */
	spoof_syn_to_b(&lk, SPOOF_ADDR, SPOOF_PORT, 80, 778, 0);
	spoof_syn_to_b(&lk, SPOOF_ADDR, SPOOF_PORT + 1, 80, 778, 0);
	mark = lk.nlog;
	ack_to_b(5002, 80, 2001, ck + 1, false, 0, 0);
	ck_assert_uint_eq(st->syncookies_ok, 1);
	ck_assert_uint_eq(st->syncookies_bad, 5);
	ck_assert_uint_eq(link_count(&lk, mark, 1, F_RST), 1);
	tcp_close(l);
	link_free(&lk);
	return NULL;
}

/*
 * A flood's half-open conns fill a table of 8 (the backlog is larger):
 * the flood's further SYNs get cookies, and a real client's completed
 * cookie handshake takes the place of the oldest half-open conn.
 */
TCP_TEST(half_open_table_full)
{
	struct tcp_config cfg;
	struct tcp_conn *l, *a, *b;
	struct ev el = { 0 }, ea = { 0 };
	const struct tcp_stats *st;
	int i;

	memset(&lk, 0, sizeof(lk));
	link_default_config(&lk, 1, &cfg);
	cfg.max_conns = 8;
	link_init(&lk, NULL, &cfg);
	lk.filter = spoof_drop;
	st = tcp_stack_stats(lk.st[1]);
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 100), 0);
	for (i = 0; i < 50; i++)
		spoof_syn_to_b(
		    &lk, SPOOF_ADDR + (uint32_t)i, SPOOF_PORT, 80, 1000, 0);
	ck_assert_uint_eq(st->states[TCP_SYN_RCVD], 7);
	ck_assert_uint_eq(st->syncookies_sent, 43);
	a = tcp_conn_new(lk.st[0], &ev_callbacks, &ea);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 80), 0);
	ck_assert(link_run(&lk, lk.now + 500 * MS, spoof_connected, &ea));
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(st->half_open_evicted, 1);
	ck_assert_uint_eq(st->syncookies_ok, 1);
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	ck_assert_uint_eq(st->states[TCP_SYN_RCVD], 6);
	ck_assert_uint_eq(st->conns, 8);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_cookie");
	TCase *tc = tcase_create("cookie");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, cookie_with_timestamps);
	tcase_add_test(tc, cookie_without_timestamps);
	tcase_add_test(tc, cookie_forged_expired);
	tcase_add_test(tc, half_open_table_full);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
