/*
 * test_tcp_data.c: moving bytes: bulk transfers with every byte
 * checked, many segments in flight and window scaling, the MSS option,
 * reordering, duplication, zero windows and persist probes, delayed
 * ACKs, Nagle, the RTT estimate.  Loss repair is in test_tcp_loss.c,
 * bulk and echo through a lossy, reordering link in test_tcp_stress.c.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/tcp_link.h"
#include "toro/errno.h"
#include "toro/mem.h"

static struct link lk;
/* 4 MiB one way on a clean link: a wide window, no retransmission. */
TCP_TEST(bulk_one_way)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	const struct tcp_stats *sa;
	uint64_t t0;
	unsigned i, big = 0;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	t0 = lk.now;
	link_bulk(&lk, 0, a, b, 4 << 20);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	sa = tcp_stack_stats(lk.st[0]);
	ck_assert_uint_eq(sa->out_retrans, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->in_ooo_segs, 0);
	/* Far more than 10 segments, and than 64 KiB, in flight. */
	ck_assert_uint_gt(lk.max_flight[0], 80 * 1460);
	/* The window field was scaled: 128 KiB advertised as 32768. */
	for (i = 0; i < LOG_MAX && i < lk.nlog; i++)
		if (lk.log[i].from == 1 && lk.log[i].wnd > 16384)
			big++;
	ck_assert_uint_gt(big, 10);
	ck_assert_uint_eq(sa->out_data_bytes, 4 << 20);
	fprintf(stderr, "# bulk_one_way: 4 MiB in %.1f ms of link time "
	    "(2 ms RTT), %llu segments, max in flight %u bytes\n",
	    (double)(lk.now - t0) / 1e6,
	    (unsigned long long)sa->out_segs, lk.max_flight[0]);
	link_free(&lk);
	return NULL;
}

/* 2 MiB each way at once. */
TCP_TEST(bulk_both_ways)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	int sa, sb;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	link_bulk(&lk, 0, a, b, 2 << 20);
	link_bulk(&lk, 1, b, a, 2 << 20);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	link_bulk_check(&lk, 1);
	link_advance(&lk, 100 * MS);
	/*
	 * An orderly close: whichever FIN went first, its sender waits in
	 * TIME_WAIT and the other side is closed without an error (both
	 * wait when the FINs cross).
	 */
	sa = tcp_state(a);
	sb = tcp_state(b);
	ck_assert(sa == TCP_TIME_WAIT || sb == TCP_TIME_WAIT);
	ck_assert(sa == TCP_TIME_WAIT ||
	    (sa == TCP_CLOSED && ea.closed == 1 && ea.close_err == 0));
	ck_assert(sb == TCP_TIME_WAIT ||
	    (sb == TCP_CLOSED && eb.closed == 1 && eb.close_err == 0));
	link_free(&lk);
	return NULL;
}

/*
 * An idle connection holds no buffer: B's receive ring exists while
 * bytes wait for the reader, A's send ring until they are acknowledged,
 * and both go back once empty, so thousands of idle connections fit.
 */
TCP_TEST(idle_holds_no_buffer)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	const struct tcp_stats *sa, *st;
	uint64_t ma, m0;
	char buf[1000];
	int i;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	link_advance(&lk, 100 * MS);
	/* Counted by state: one ESTABLISHED conn each side. */
	st = tcp_stack_stats(lk.st[1]);
	ck_assert_uint_eq(st->states[TCP_ESTABLISHED], 1);
	ck_assert_uint_eq(st->states[TCP_SYN_RCVD] + st->states[TCP_TIME_WAIT],
	    0);
	sa = tcp_stack_stats(lk.st[0]);
	ma = sa->mem_used;
	m0 = st->mem_used;
	for (i = 0; i < 3; i++) {
		memset(buf, 'a' + i, sizeof(buf));
		ck_assert_int_eq(tcp_send(a, buf, sizeof(buf)), sizeof(buf));
		link_advance(&lk, 100 * MS);
		/* B's receive buffer holds the bytes, and is charged. */
		ck_assert_uint_ge(st->mem_used, m0 + sizeof(buf));
		ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), sizeof(buf));
		ck_assert_int_eq(buf[0], 'a' + i);
		link_advance(&lk, 100 * MS);
		/* Read and acknowledged: both buffers are given back. */
		ck_assert_uint_eq(st->mem_used, m0);
		ck_assert_uint_eq(sa->mem_used, ma);
	}
	link_free(&lk);
	return NULL;
}

/* B's MTU is 576: both ends send at most 536 bytes a segment. */
TCP_TEST(mss_respected)
{
	struct tcp_config cb;
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info in;
	unsigned i, full = 0;

	link_init(&lk, NULL, NULL);
	tcp_stack_free(lk.st[1]);
	link_default_config(&lk, 1, &cb);
	cb.mtu = 576;
	lk.st[1] = tcp_stack_new(&cb);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	ck_assert_int_eq(link_seg(&lk, 0, 1, 0)->mss, 536);
	tcp_get_info(a, &in);
	ck_assert_uint_eq(in.snd_mss, 536);
	tcp_get_info(b, &in);
	ck_assert_uint_eq(in.snd_mss, 536);
	link_bulk(&lk, 0, a, b, 200000);
	link_bulk(&lk, 1, b, a, 200000);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	link_bulk_check(&lk, 1);
	for (i = 0; i < lk.nlog && i < LOG_MAX; i++) {
		ck_assert_uint_le(lk.log[i].len, 536);
		full += lk.log[i].len == 536;
	}
	ck_assert_uint_gt(full, 2 * 200000 / 536 - 10);
	link_free(&lk);
	return NULL;
}

/* A peer without window scaling: none on our SYN-ACK, none used. */
TCP_TEST(no_window_scaling_peer)
{
	static const uint8_t mss_only[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t ws_big[] = { 2, 4, 0x02, 0x00, 1, 3, 3, 20 };
	struct tcp_conn *l, *b;
	struct ev el = { 0 };
	struct tcp_info in;
	const struct seg *sa;
	uint8_t seg[64];
	size_t n;

	link_init(&lk, NULL, NULL);
	lk.hold[1] = true;
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 4), 0);
	n = seg_build(seg, A_ADDR, B_ADDR, 4000, 80, 1000, 0, F_SYN, 8192,
	    mss_only, sizeof(mss_only), NULL, 0);
	link_inject(&lk, 1, A_ADDR, B_ADDR, seg, n);
	sa = link_seg(&lk, 0, 1, 0);
	ck_assert_uint_eq(sa->flags, F_SYN | F_ACK);
	ck_assert_int_eq(sa->ws, -1);
	ck_assert_int_eq(sa->mss, 1460);
	ck_assert_uint_eq(sa->ack, 1001);
	link_send_seg(&lk, 1, 4000, 80, 1001, sa->seq + 1, F_ACK, 8192, "hi",
	    2);
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	tcp_get_info(b, &in);
	ck_assert_uint_eq(in.snd_wscale, 0);
	ck_assert_uint_eq(in.rcv_wscale, 0);
	ck_assert_uint_eq(in.snd_wnd, 8192);
	ck_assert_uint_eq(in.snd_mss, 1460);
	ck_assert_uint_eq(tcp_readable(b), 2);
	/* Its ACK: the unscaled window, capped at 65535. */
	link_advance(&lk, 100 * MS);
	ck_assert_uint_eq(link_seg(&lk, 0, 1, 1)->wnd, 65535);
	/* A shift above 14 counts as 14 (RFC 7323 2.3); MSS 512 kept. */
	n = seg_build(seg, A_ADDR, B_ADDR, 4001, 80, 5000, 0, F_SYN, 1,
	    ws_big, sizeof(ws_big), NULL, 0);
	link_inject(&lk, 1, A_ADDR, B_ADDR, seg, n);
	sa = link_seg(&lk, 0, 1, 2);
	ck_assert_int_eq(sa->ws, 2);
	link_send_seg(&lk, 1, 4001, 80, 5001, sa->seq + 1, F_ACK, 1, NULL, 0);
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	tcp_get_info(b, &in);
	ck_assert_uint_eq(in.snd_wscale, 14);
	ck_assert_uint_eq(in.snd_wnd, 16384);
	ck_assert_uint_eq(in.snd_mss, 512);
	link_free(&lk);
	return NULL;
}

/* Reordered segments are queued and reassembled. */
TCP_TEST(reordering)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	lk.reorder[0] = 300;
	lk.reorder_extra = 3 * MS;
	link_bulk(&lk, 0, a, b, 1 << 20);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[1])->in_ooo_segs, 50);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->in_ooo_drops, 0);
	link_free(&lk);
	return NULL;
}

/* Duplicated segments are recognised and dropped. */
TCP_TEST(duplicates)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	lk.dup[0] = lk.dup[1] = 300;
	link_bulk(&lk, 0, a, b, 1 << 20);
	link_bulk(&lk, 1, b, a, 256 << 10);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	link_bulk_check(&lk, 1);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[1])->in_dup_segs, 50);
	ck_assert_uint_gt(lk.duplicated[0], 100);
	link_free(&lk);
	return NULL;
}

/*
 * A receiver that stops reading: the window closes, the sender probes
 * with backoff while it stays closed, and resumes when it reopens.
 */
static bool rx_paused;

static void
pump_paused(struct link *l)
{
	struct bulk *b = &lk.bulk[0];
	struct tcp_conn *rx = b->rx;

	if (rx_paused)
		b->rx = NULL;
	bulk_pump(b);
	b->rx = rx;
}

TCP_TEST(zero_window_persist)
{
	struct tcp_config cb;
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info in;
	uint64_t t[8], gap;
	unsigned i, k = 0;
	uint32_t probe_seq = 0;

	link_init(&lk, NULL, NULL);
	tcp_stack_free(lk.st[1]);
	link_default_config(&lk, 1, &cb);
	cb.rcvbuf = 8192;
	lk.st[1] = tcp_stack_new(&cb);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	link_bulk(&lk, 0, a, b, 100000);
	lk.pump = pump_paused;
	rx_paused = true;
	link_advance(&lk, 20 * SEC);
	tcp_get_info(a, &in);
	ck_assert_uint_eq(in.snd_wnd, 0);
	ck_assert_uint_eq(tcp_readable(b), 8192);
	/* Probes: one byte each, 0.2, 0.4, 0.8... s apart. */
	for (i = 0; i < lk.nlog && i < LOG_MAX && k < 8; i++) {
		if (lk.log[i].from != 0 || lk.log[i].len != 1)
			continue;
		if (k == 0)
			probe_seq = lk.log[i].seq;
		ck_assert_uint_eq(lk.log[i].seq, probe_seq);
		t[k++] = lk.log[i].t;
	}
	ck_assert_uint_ge(k, 5);
	for (i = 1; i < k; i++) {
		gap = t[i] - t[i - 1];
		ck_assert_uint_eq(gap, MIN(TCP_RTO_MIN_NS << i,
		    TCP_RTO_MAX_NS));
	}
	/* Each probe was answered: no timeout however long it lasts. */
	link_advance(&lk, 300 * SEC);
	ck_assert_int_eq(tcp_state(a), TCP_ESTABLISHED);
	ck_assert_uint_ge(tcp_stack_stats(lk.st[0])->persist_probes, 8);
	rx_paused = false;
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	link_free(&lk);
	return NULL;
}

/* Delayed ACK: 40 ms for a lone segment, none for the second full one. */
TCP_TEST(delayed_ack)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	static char buf[2920];
	const struct seg *s;
	unsigned mark;
	uint64_t t0;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	tcp_set_nodelay(a, true);
	link_advance(&lk, 10 * MS);
	mark = lk.nlog;
	t0 = lk.now;
	ck_assert_int_eq(tcp_send(a, buf, 100), 100);
	link_advance(&lk, 100 * MS);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_uint_eq(s->flags, F_ACK);
	ck_assert_uint_eq(s->t, t0 + lk.delay + TCP_DELACK_NS);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->delayed_acks, 1);
	/* Two full segments: ACKed as soon as the second arrives. */
	mark = lk.nlog;
	t0 = lk.now;
	ck_assert_int_eq(tcp_send(a, buf, 2920), 2920);
	link_advance(&lk, 100 * MS);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_uint_eq(s->t, t0 + lk.delay);
	ck_assert_ptr_null(link_seg(&lk, mark, 1, 1));
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->delayed_acks, 1);
	/* A reply piggybacks the ACK: no separate one. */
	mark = lk.nlog;
	ck_assert_int_eq(tcp_send(a, buf, 10), 10);
	link_advance(&lk, 5 * MS);
	ck_assert_int_eq(tcp_send(b, buf, 10), 10);
	link_advance(&lk, 100 * MS);
	ck_assert_uint_eq(link_seg(&lk, mark, 1, 0)->len, 10);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->delayed_acks, 1);
	link_free(&lk);
	return NULL;
}

/*
 * Window updates: a read sends one only once the window the peer knows
 * is down to half the buffer, and then when the right edge moves by
 * half the buffer, not one per read (B's buffer is 128 KiB: 96 KiB
 * unread leave a window of 32 KiB).
 */
TCP_TEST(window_update_lazy)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	static char buf[96 * 1024];
	const struct seg *s;
	unsigned mark, i;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	ck_assert_int_eq(tcp_send(a, buf, sizeof(buf)), sizeof(buf));
	link_advance(&lk, 500 * MS);
	ck_assert_uint_eq(tcp_readable(b), sizeof(buf));
	mark = lk.nlog;
	/* 56 KiB read: the edge could move 56 KiB, not yet 64. */
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(tcp_recv(b, buf, 8192), 8192);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 0);
	/* 64 KiB read: 96 KiB free, the edge 64 KiB on: one update. */
	ck_assert_int_eq(tcp_recv(b, buf, 8192), 8192);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 1);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_uint_eq(s->len, 0);
	ck_assert_uint_eq((uint32_t)s->wnd << 2, 96 * 1024);
	/* The rest: the window A knows is wide, no more updates. */
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 32 * 1024);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 1);
	link_advance(&lk, 500 * MS);
	ck_assert_int_eq(tcp_state(b), TCP_ESTABLISHED);
	/* The buffer emptied: the whole of it advertised at once. */
	ck_assert_int_eq(tcp_send(a, buf, 90 * 1024), 90 * 1024);
	link_advance(&lk, 500 * MS);
	mark = lk.nlog;
	ck_assert_int_eq(tcp_recv(b, buf, 20 * 1024), 20 * 1024);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 0);
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 70 * 1024);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 1);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_uint_eq((uint32_t)s->wnd << 2, 128 * 1024);
	link_free(&lk);
	return NULL;
}

/*
 * A request read right after the handshake sends no window update: the
 * window the SYN offered (64 KiB) is still wide, and the answer carries
 * the whole buffer (128 KiB) instead.
 */
TCP_TEST(window_update_not_after_syn)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	char buf[512];
	const struct seg *s;
	unsigned mark;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	tcp_set_nodelay(a, true);
	tcp_set_nodelay(b, true);
	memset(buf, 'r', sizeof(buf));
	ck_assert_int_eq(tcp_send(a, buf, 62), 62);
	link_advance(&lk, lk.delay + MS);
	ck_assert_uint_eq(tcp_readable(b), 62);
	mark = lk.nlog;
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 62);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 0);
	ck_assert_int_eq(tcp_send(b, buf, 115), 115);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 1);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_uint_eq(s->len, 115);
	ck_assert_uint_eq((uint32_t)s->wnd << 2, 128 * 1024);
	link_free(&lk);
	return NULL;
}

/* Nagle: small writes wait for the ACK of what is in flight. */
TCP_TEST(nagle)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	unsigned mark, i;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	link_advance(&lk, 10 * MS);
	mark = lk.nlog;
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(tcp_send(a, "0123456789", 10), 10);
	link_advance(&lk, 200 * MS);
	/* The first alone, the other nine together after its ACK. */
	ck_assert_uint_eq(link_seg(&lk, mark, 0, 0)->len, 10);
	ck_assert_uint_eq(link_seg(&lk, mark, 0, 1)->len, 90);
	ck_assert_uint_eq(tcp_readable(b), 100);
	tcp_set_nodelay(a, true);
	mark = lk.nlog;
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(tcp_send(a, "0123456789", 10), 10);
	ck_assert_uint_eq(link_count(&lk, mark, 0, F_PSH), 10);
	link_free(&lk);
	return NULL;
}

/* A longer path: SRTT follows it, RTO stays at its floor. */
TCP_TEST(rtt_estimate)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info in;

	link_init(&lk, NULL, NULL);
	lk.delay = 25 * MS;
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	link_bulk(&lk, 0, a, b, 1 << 20);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	tcp_get_info(a, &in);
	ck_assert_uint_ge(in.srtt, 50 * MS);
	ck_assert_uint_le(in.srtt, 100 * MS);
	ck_assert_uint_ge(in.rto, TCP_RTO_MIN_NS);
	ck_assert_uint_le(in.rto, 400 * MS);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_data");
	TCase *tc = tcase_create("data");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bulk_one_way);
	tcase_add_test(tc, bulk_both_ways);
	tcase_add_test(tc, idle_holds_no_buffer);
	tcase_add_test(tc, mss_respected);
	tcase_add_test(tc, no_window_scaling_peer);
	tcase_add_test(tc, reordering);
	tcase_add_test(tc, duplicates);
	tcase_add_test(tc, zero_window_persist);
	tcase_add_test(tc, delayed_ack);
	tcase_add_test(tc, window_update_lazy);
	tcase_add_test(tc, window_update_not_after_syn);
	tcase_add_test(tc, nagle);
	tcase_add_test(tc, rtt_estimate);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
