/*
 * test_tcp_rq.c: the receive queue (core/net/tcp_rq.c): in-order data
 * held in its packets and read out across them, partial reads, small
 * data through the ring and back to the queue, a hole filled out of
 * order, and the memory a peer can make the receiver hold with small
 * segments or small payloads in large buffers; and a batch of segments
 * (tcp_batch_begin), which wakes the reader and is ACKed once.
 *
 * Segments are crafted by hand from A (port 4000, ISN 1000) to B's
 * listener (port 80), B's answers are only logged (hold), so each test
 * decides exactly what arrives, in which buffer and in which order.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "core/net/net.h"
#include "tests/unit/tcp_link.h"
#include "toro/errno.h"
#include "toro/mem.h"

#define KEY 7
#define ISN 1000u

static struct link lk;
static uint32_t ack_b; /* what A acknowledges: B's ISN + 1 */

/* A conn on B that A's SYN (no options but the MSS) opened. */
static struct tcp_conn *
open_b(void)
{
	static const uint8_t mss_only[] = { 2, 4, 0x05, 0xb4 };
	struct tcp_conn *l, *b;
	static struct ev el;
	const struct seg *sa;
	uint8_t seg[64];
	size_t n;

	memset(&el, 0, sizeof(el));
	link_init(&lk, NULL, NULL);
	lk.hold[1] = true;
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 4), 0);
	n = seg_build(seg, A_ADDR, B_ADDR, 4000, 80, ISN, 0, F_SYN, 65535,
	    mss_only, sizeof(mss_only), NULL, 0);
	link_inject(&lk, 1, A_ADDR, B_ADDR, seg, n);
	sa = link_seg(&lk, 0, 1, 0);
	ck_assert_uint_eq(sa->flags, F_SYN | F_ACK);
	ack_b = sa->seq + 1;
	link_send_seg(&lk, 1, 4000, 80, ISN + 1, ack_b, F_ACK, 65535, NULL,
	    0);
	ck_assert_int_eq(tcp_accept(l, &b), 0);
	return b;
}

/* Stream bytes [off, off + n) from A, in a packet buffer of `size`. */
static void
send_in(uint32_t off, uint32_t n, size_t size)
{
	static uint8_t d[65536], seg[65600];
	struct net_buf *nb;
	uint32_t i;
	size_t len;

	for (i = 0; i < n; i++)
		d[i] = pattern(KEY, off + i);
	len = seg_build(seg, A_ADDR, B_ADDR, 4000, 80, ISN + 1 + off, ack_b,
	    F_ACK, 65535, NULL, 0, d, n);
	ck_assert_uint_le(len, size);
	nb = net_buf_alloc(size);
	ck_assert_ptr_nonnull(nb);
	memcpy(net_buf_put(nb, len), seg, len);
	tcp_input(lk.st[1], nb, A_ADDR, B_ADDR);
}

/* The same in a buffer of the segment's size. */
static void
send_at(uint32_t off, uint32_t n)
{
	send_in(off, n, n + 20);
}

/* Read n bytes (all there) and check they are stream bytes from off. */
static void
read_check(struct tcp_conn *b, uint32_t off, uint32_t n)
{
	static uint8_t got[1 << 20];
	uint32_t i;

	ck_assert_int_eq(tcp_recv(b, got, n), (int)n);
	for (i = 0; i < n; i++)
		if (got[i] != pattern(KEY, off + i))
			ck_abort_msg("byte %u of the stream is wrong", off + i);
}

static const struct tcp_stats *
stats(void)
{
	return tcp_stack_stats(lk.st[1]);
}

/* Packets held whole, read back in pieces that straddle them. */
TCP_TEST(in_order_partial_reads)
{
	struct tcp_conn *b = open_b();
	uint64_t base = stats()->mem_used, q = stats()->in_queued;
	uint32_t off = 0;
	struct tcp_info in;
	int i;

	for (i = 0; i < 8; i++)
		send_at((uint32_t)i * 1400, 1400);
	ck_assert_uint_eq(stats()->in_queued, q + 8);
	ck_assert_uint_eq(tcp_readable(b), 8 * 1400);
	/* Each held packet counts its allocation, at most twice its data. */
	ck_assert_uint_ge(stats()->mem_used, base + 8 * 1400);
	ck_assert_uint_le(stats()->mem_used, base + 2 * 8 * 1400);
	tcp_get_info(b, &in);
	ck_assert_uint_eq(in.rcvbuf_used, 8 * 1400);
	read_check(b, off, 1);
	off += 1;
	read_check(b, off, 1399); /* to the end of the first packet */
	off += 1399;
	read_check(b, off, 3000); /* across three */
	off += 3000;
	ck_assert_uint_eq(tcp_readable(b), 8 * 1400 - off);
	read_check(b, off, 8 * 1400 - off);
	ck_assert_uint_eq(tcp_readable(b), 0);
	ck_assert_int_eq(tcp_recv(b, &i, 1), -TORO_EAGAIN);
	/* Read out: every packet is freed. */
	ck_assert_uint_eq(stats()->mem_used, base);
	link_free(&lk);
	return NULL;
}

/*
 * Small data goes to the ring, behind the queued packets; the next
 * packet, as large as what the ring holds, takes the ring's bytes into
 * the queue first: the bytes stay in order.
 */
TCP_TEST(small_data_between_packets)
{
	struct tcp_conn *b = open_b();
	uint64_t base = stats()->mem_used, q = stats()->in_queued;

	send_at(0, 2000);
	send_at(2000, 100); /* small: copied to the ring */
	send_at(2100, 50);
	ck_assert_uint_eq(stats()->in_queued, q + 1);
	ck_assert_uint_eq(tcp_readable(b), 2150);
	send_at(2150, 3000); /* the ring's 150 bytes go first */
	ck_assert_uint_eq(stats()->in_queued, q + 2);
	send_at(5150, 4000);
	ck_assert_uint_eq(stats()->in_queued, q + 3);
	ck_assert_uint_eq(tcp_readable(b), 9150);
	read_check(b, 0, 1999);
	read_check(b, 1999, 200); /* the queue, then what the ring held */
	read_check(b, 2199, 9150 - 2199);
	ck_assert_uint_eq(tcp_readable(b), 0);
	ck_assert_uint_eq(stats()->mem_used, base);
	link_free(&lk);
	return NULL;
}

/*
 * A hole: the data after it waits in the ring (and is SACKed); the
 * segment that fills it joins it there, behind the packets queued
 * before the hole, and the stream reads whole.
 */
TCP_TEST(out_of_order_fill)
{
	struct tcp_conn *b = open_b();
	uint64_t base = stats()->mem_used, q;
	unsigned mark;
	const struct seg *s;

	send_at(0, 1400);
	mark = lk.nlog;
	send_at(2800, 1400); /* ahead of a hole */
	send_at(4200, 1400);
	ck_assert_uint_eq(stats()->in_ooo_segs, 2);
	ck_assert_uint_eq(tcp_readable(b), 1400);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->ack, ISN + 1 + 1400); /* duplicate ACKs */
	read_check(b, 0, 700);
	send_at(1400, 1400); /* fills it */
	ck_assert_uint_eq(tcp_readable(b), 5600 - 700);
	send_at(5600, 1400); /* in order again, behind the ring's bytes */
	read_check(b, 700, 6300);
	ck_assert_uint_eq(tcp_readable(b), 0);
	/* The ring's bytes read out: the next packet is queued again. */
	q = stats()->in_queued;
	send_at(7000, 1400);
	ck_assert_uint_eq(stats()->in_queued, q + 1);
	ck_assert_uint_eq(tcp_readable(b), 1400);
	read_check(b, 7000, 1400);
	ck_assert_uint_eq(stats()->mem_used, base);
	link_free(&lk);
	return NULL;
}

/*
 * Tiny segments are copied into the ring: the memory follows the bytes,
 * not the packets (1,000 of them would pin 1,000 buffers).
 */
TCP_TEST(tiny_segments_memory)
{
	struct tcp_conn *b = open_b();
	uint64_t base = stats()->mem_used, q = stats()->in_queued;
	int i;

	for (i = 0; i < 1000; i++)
		send_at((uint32_t)i * 10, 10);
	ck_assert_uint_eq(stats()->in_queued, q);
	ck_assert_uint_eq(tcp_readable(b), 10000);
	ck_assert_uint_le(stats()->mem_used, base + 16384);
	read_check(b, 0, 10000);
	ck_assert_uint_eq(stats()->mem_used, base);
	link_free(&lk);
	return NULL;
}

/*
 * Small payloads in a NIC's 64 KiB buffers are copied into buffers of
 * their own size; a full one is held whole.
 */
TCP_TEST(large_buffers_small_payloads)
{
	struct tcp_conn *b = open_b();
	uint64_t base = stats()->mem_used, q = stats()->in_queued;
	int i;

	for (i = 0; i < 20; i++)
		send_in((uint32_t)i * 600, 600, 65536);
	ck_assert_uint_eq(stats()->in_queued, q);
	ck_assert_uint_eq(tcp_readable(b), 12000);
	ck_assert_uint_le(stats()->mem_used, base + 2 * 12000);
	send_in(12000, 40000, 65536);
	ck_assert_uint_eq(stats()->in_queued, q + 1);
	ck_assert_uint_ge(stats()->mem_used, base + 12000 + 65536);
	read_check(b, 0, 52000);
	ck_assert_uint_eq(stats()->mem_used, base);
	link_free(&lk);
	return NULL;
}

/* Closing with packets unread resets, and frees them. */
TCP_TEST(close_unread)
{
	struct tcp_conn *b = open_b();
	uint64_t rsts = stats()->out_rsts;

	send_at(0, 3000);
	send_at(3000, 3000);
	ck_assert_uint_gt(stats()->mem_used, 6000);
	tcp_close(b);
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(stats()->out_rsts, rsts + 1);
	ck_assert_uint_eq(stats()->conns, 1); /* the listener */
	link_free(&lk);
	return NULL;
}

/*
 * A batch (one look at the NIC): the reader hears once and one ACK
 * covers it all, at the end; a hole is still reported at once.
 */
TCP_TEST(batch_one_ack)
{
	struct tcp_conn *b = open_b();
	struct ev eb = { 0 };
	unsigned mark = lk.nlog;
	const struct seg *s;
	int i;

	tcp_set_callbacks(b, &ev_callbacks, &eb);
	tcp_batch_begin(lk.st[1]);
	for (i = 0; i < 6; i++)
		send_at((uint32_t)i * 1400, 1400);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 0);
	ck_assert_int_eq(eb.readable, 0);
	tcp_batch_end(lk.st[1]);
	ck_assert_int_eq(eb.readable, 1);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 1);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_uint_eq(s->ack, ISN + 1 + 6 * 1400);
	/* Out of order inside a batch: its duplicate ACK goes now. */
	mark = lk.nlog;
	tcp_batch_begin(lk.st[1]);
	send_at(7 * 1400, 1400);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 1);
	ck_assert_uint_eq(link_seg(&lk, mark, 1, 0)->ack, ISN + 1 + 6 * 1400);
	send_at(6 * 1400, 1400); /* fills the hole: at once too */
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 2);
	ck_assert_uint_eq(link_seg(&lk, mark, 1, 1)->ack, ISN + 1 + 8 * 1400);
	tcp_batch_end(lk.st[1]);
	ck_assert_uint_eq(link_count(&lk, mark, 1, 0), 2);
	ck_assert_int_eq(eb.readable, 2);
	read_check(b, 0, 8 * 1400);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_rq");
	TCase *tc = tcase_create("rq");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, in_order_partial_reads);
	tcase_add_test(tc, small_data_between_packets);
	tcase_add_test(tc, out_of_order_fill);
	tcase_add_test(tc, tiny_segments_memory);
	tcase_add_test(tc, large_buffers_small_payloads);
	tcase_add_test(tc, close_unread);
	tcase_add_test(tc, batch_one_ack);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
