/*
 * test_tcp_loss.c: repairing losses: the tail loss probe then the RTO
 * with its backoff, giving up with ETIMEDOUT, fast retransmit on three
 * duplicate ACKs, NewReno partial ACKs without SACK, SACK blocks and
 * SACK recovery, lost retransmissions, early retransmit in a small
 * window.  Each test drops chosen segments and checks when, and how,
 * they were sent again.
 */
#include <check.h>
#include <string.h>

#include "tests/unit/tcp_link.h"
#include "toro/errno.h"

static struct link lk;

/* Drop A's next `drop_data` data segments, or given sequence numbers. */
static unsigned drop_data;
static uint32_t drop_seq[8];
static unsigned drop_times[8];
static unsigned ndrop_seq;

static bool
drop_filter(struct link *l, int from, uint8_t *seg, size_t len, void *arg)
{
	unsigned off = (seg[12] >> 4) * 4u, i;
	uint32_t seq = net_get32(seg + 4);

	if (from != 0 || len == off)
		return false;
	if (drop_data > 0) {
		drop_data--;
		return true;
	}
	for (i = 0; i < ndrop_seq; i++) {
		if (drop_times[i] > 0 && drop_seq[i] == seq) {
			drop_times[i]--;
			return true;
		}
	}
	return false;
}

static void
drop_at(uint32_t seq, unsigned times)
{
	drop_seq[ndrop_seq] = seq;
	drop_times[ndrop_seq] = times;
	ndrop_seq++;
}

/* Two stacks, connected, with the drop filter; nosack: no SACK. */
static struct ev ea, eb;

static void
setup(struct tcp_conn **a, struct tcp_conn **b, bool nosack)
{
	struct tcp_config ca, cb;

	link_init(&lk, NULL, NULL);
	if (nosack) {
		tcp_stack_free(lk.st[0]);
		tcp_stack_free(lk.st[1]);
		link_default_config(&lk, 0, &ca);
		link_default_config(&lk, 1, &cb);
		ca.nosack = cb.nosack = true;
		lk.st[0] = tcp_stack_new(&ca);
		lk.st[1] = tcp_stack_new(&cb);
	}
	memset(&ea, 0, sizeof(ea));
	memset(&eb, 0, sizeof(eb));
	ck_assert(link_connect_pair(&lk, 80, a, b, &ea, &eb, NULL));
	lk.filter = drop_filter;
	drop_data = 0;
	ndrop_seq = 0;
}

/* The times A sent data at sequence number seq, in order. */
static unsigned
sends_of(uint32_t seq, uint64_t *t, unsigned max)
{
	unsigned i, k = 0;

	for (i = 0; i < lk.nlog && i < LOG_MAX; i++)
		if (lk.log[i].from == 0 && lk.log[i].len > 0 &&
		    lk.log[i].seq == seq && k < max)
			t[k++] = lk.log[i].t;
	return k;
}

/*
 * A lone segment lost again and again: a tail loss probe after 2 SRTT
 * plus a delayed ACK, then RTOs of 200 ms doubling each time.
 */
TCP_TEST(probe_then_rto_backoff)
{
	struct tcp_conn *a, *b;
	struct tcp_info in;
	const struct tcp_stats *st;
	uint64_t t[8], gap[5];
	char buf[1000];
	unsigned k, i;

	setup(&a, &b, false);
	link_advance(&lk, 10 * MS);
	tcp_get_info(a, &in);
	gap[0] = 2 * in.srtt + TCP_DELACK_NS;
	for (i = 1; i < 5; i++)
		gap[i] = TCP_RTO_MIN_NS << (i - 1);
	drop_data = 5;
	memset(buf, 'r', sizeof(buf));
	ck_assert_int_eq(tcp_send(a, buf, sizeof(buf)), 1000);
	link_advance(&lk, 10 * SEC);
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 1000);
	k = sends_of(in.snd_nxt, t, 8);
	ck_assert_uint_eq(k, 6);
	for (i = 1; i < k; i++)
		ck_assert_uint_eq(t[i] - t[i - 1], gap[i - 1]);
	st = tcp_stack_stats(lk.st[0]);
	ck_assert_uint_eq(st->tlp_probes, 1);
	ck_assert_uint_eq(st->rto_fires, 4);
	ck_assert_uint_eq(st->out_retrans, 5);
	/* The backoff ended with the ACK; the RTO is back at its floor. */
	tcp_get_info(a, &in);
	ck_assert_uint_eq(in.rto, TCP_RTO_MIN_NS);
	ck_assert_uint_eq(in.retries, 0);
	link_free(&lk);
	return NULL;
}

/* Every retransmission lost: ETIMEDOUT after 10 retries, ~222 s. */
TCP_TEST(rto_gives_up)
{
	struct tcp_conn *a, *b;
	struct tcp_info in;
	uint64_t t0, total, rto = TCP_RTO_MIN_NS;
	int i;

	setup(&a, &b, false);
	link_advance(&lk, 10 * MS);
	tcp_get_info(a, &in);
	lk.loss[0] = 1000;
	t0 = lk.now;
	ck_assert_int_eq(tcp_send(a, "lost", 4), 4);
	link_run(&lk, lk.now + 1000 * SEC, NULL, NULL);
	total = 2 * in.srtt + TCP_DELACK_NS; /* the probe */
	for (i = 0; i <= TCP_MAX_RETRIES; i++) {
		total += rto;
		rto = MIN(2 * rto, TCP_RTO_MAX_NS);
	}
	ck_assert_int_eq(ea.closed, 1);
	ck_assert_int_eq(ea.close_err, -TORO_ETIMEDOUT);
	ck_assert_uint_eq(ea.t_closed, t0 + total);
	ck_assert_int_eq(tcp_state(a), TCP_CLOSED);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->timeouts, 1);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->out_retrans,
	    TCP_MAX_RETRIES + 1);
	ck_assert_int_eq(tcp_send(a, "x", 1), -TORO_EPIPE);
	ck_assert_int_eq(tcp_recv(a, &i, 1), -TORO_ETIMEDOUT);
	link_free(&lk);
	return NULL;
}

/* One segment lost in a wide window: repaired at once, not by RTO. */
static void
one_loss(bool nosack)
{
	struct tcp_conn *a, *b;
	struct tcp_info in;
	const struct tcp_stats *sa;
	uint64_t t[4];
	uint32_t seq;

	setup(&a, &b, nosack);
	tcp_get_info(a, &in);
	seq = in.snd_nxt + 60 * 1460;
	drop_at(seq, 1);
	link_bulk(&lk, 0, a, b, 1 << 20);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	ck_assert_uint_eq(sends_of(seq, t, 4), 2);
	/* Three duplicate ACKs come within about one RTT (2 ms). */
	ck_assert_uint_lt(t[1] - t[0], 5 * MS);
	sa = tcp_stack_stats(lk.st[0]);
	ck_assert_uint_eq(sa->fast_retrans, 1);
	ck_assert_uint_eq(sa->rto_fires, 0);
	ck_assert_uint_eq(sa->out_retrans, 1);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[1])->in_ooo_segs, 3);
	link_free(&lk);
}

TCP_TEST(fast_retransmit)
{
	one_loss(true);
	return NULL;
}

TCP_TEST(fast_retransmit_sack)
{
	one_loss(false);
	return NULL;
}

/* Three losses in one window. */
static void
three_losses(bool nosack)
{
	struct tcp_conn *a, *b;
	struct tcp_info in;
	const struct tcp_stats *sa;
	uint32_t base;
	uint64_t t[3][2];
	int i;

	setup(&a, &b, nosack);
	tcp_get_info(a, &in);
	base = in.snd_nxt;
	drop_at(base + 60 * 1460, 1);
	drop_at(base + 64 * 1460, 1);
	drop_at(base + 70 * 1460, 1);
	link_bulk(&lk, 0, a, b, 1 << 20);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	sa = tcp_stack_stats(lk.st[0]);
	ck_assert_uint_eq(sa->fast_retrans, 1);
	ck_assert_uint_eq(sa->rto_fires, 0);
	ck_assert_uint_eq(sa->out_retrans, 3);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(sends_of(base + (uint32_t)(i == 0 ? 60 :
		    i == 1 ? 64 : 70) * 1460, t[i], 2), 2);
	if (nosack) {
		/* NewReno: one hole per round trip, by partial ACKs. */
		ck_assert_uint_eq(sa->partial_acks, 2);
		ck_assert_uint_ge(t[2][1] - t[0][1], 2 * 2 * MS);
	} else {
		/* SACK: every hole before the first one is ACKed. */
		ck_assert_uint_eq(sa->sack_rexmits, 2);
		ck_assert_uint_lt(t[2][1] - t[0][1], 2 * 2 * MS);
		ck_assert_uint_gt(sa->sack_blocks_in, 10);
	}
	tcp_get_info(a, &in);
	ck_assert(!in.in_recovery);
	ck_assert_uint_eq(in.sack, !nosack);
	link_free(&lk);
}

TCP_TEST(newreno_partial_acks)
{
	three_losses(true);
	return NULL;
}

TCP_TEST(sack_recovery)
{
	three_losses(false);
	return NULL;
}

/* A fast retransmission lost too: SACKs after it show it; sent again. */
TCP_TEST(lost_retransmission)
{
	struct tcp_conn *a, *b;
	struct tcp_info in;
	const struct tcp_stats *sa;
	uint64_t t[4];
	uint32_t seq;

	setup(&a, &b, false);
	tcp_get_info(a, &in);
	seq = in.snd_nxt + 60 * 1460;
	drop_at(seq, 2);
	link_bulk(&lk, 0, a, b, 1 << 20);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	sa = tcp_stack_stats(lk.st[0]);
	ck_assert_uint_eq(sends_of(seq, t, 4), 3);
	ck_assert_uint_lt(t[2] - t[0], 10 * MS);
	ck_assert_uint_eq(sa->lost_rexmits, 1);
	ck_assert_uint_eq(sa->rto_fires, 0);
	link_free(&lk);
	return NULL;
}

/* The last two segments of a burst lost: the probe brings them back. */
TCP_TEST(tail_loss_probe)
{
	struct tcp_conn *a, *b;
	struct tcp_info in;
	const struct tcp_stats *sa;
	static char buf[20 * 1460];

	setup(&a, &b, false);
	tcp_set_nodelay(a, true);
	link_advance(&lk, 10 * MS);
	tcp_get_info(a, &in);
	drop_at(in.snd_nxt + 18 * 1460, 1);
	drop_at(in.snd_nxt + 19 * 1460, 1);
	memset(buf, 't', sizeof(buf));
	ck_assert_int_eq(tcp_send(a, buf, sizeof(buf)), (int)sizeof(buf));
	link_advance(&lk, 150 * MS);
	ck_assert_uint_eq(tcp_readable(b), sizeof(buf));
	sa = tcp_stack_stats(lk.st[0]);
	ck_assert_uint_eq(sa->tlp_probes, 1);
	ck_assert_uint_eq(sa->rto_fires, 0);
	ck_assert_uint_eq(sa->fast_retrans, 1); /* the probe was SACKed */
	link_free(&lk);
	return NULL;
}

/* Three segments, the first lost: two duplicates are enough. */
TCP_TEST(early_retransmit)
{
	struct tcp_conn *a, *b;
	struct tcp_info in;
	const struct tcp_stats *sa;
	static char buf[3 * 1460];
	uint64_t t[4];

	setup(&a, &b, true);
	tcp_set_nodelay(a, true);
	/* First learn B's window, or its first ACK is an update. */
	ck_assert_int_eq(tcp_send(a, "w", 1), 1);
	link_advance(&lk, 100 * MS);
	ck_assert_int_eq(tcp_recv(b, buf, 1), 1);
	tcp_get_info(a, &in);
	drop_at(in.snd_nxt, 1);
	ck_assert_int_eq(tcp_send(a, buf, sizeof(buf)), (int)sizeof(buf));
	link_advance(&lk, 100 * MS);
	ck_assert_uint_eq(tcp_readable(b), sizeof(buf));
	sa = tcp_stack_stats(lk.st[0]);
	ck_assert_uint_eq(sa->early_retrans, 1);
	ck_assert_uint_eq(sa->fast_retrans, 1);
	ck_assert_uint_eq(sa->tlp_probes, 0);
	ck_assert_uint_eq(sends_of(in.snd_nxt, t, 4), 2);
	ck_assert_uint_eq(t[1] - t[0], 2 * MS);
	link_free(&lk);
	return NULL;
}

/*
 * SACK blocks out: at most four, the one with the latest arrival
 * first, the lowest holes next; none once the holes are filled.
 */
TCP_TEST(sack_blocks_sent)
{
	struct tcp_conn *a, *b;
	struct tcp_info in;
	const struct seg *s;
	uint32_t base;
	unsigned mark, i;
	char d[100];

	setup(&a, &b, false);
	memset(d, 'd', sizeof(d));
	lk.hold[1] = true;
	tcp_get_info(a, &in);
	base = in.snd_nxt;
	for (i = 1; i <= 6; i++) {
		mark = lk.nlog;
		link_send_seg(&lk, 1, in.lport, 80, base + 100 * i, in.rcv_nxt,
		    F_ACK, 1000, d, 10);
		s = link_seg(&lk, mark, 1, 0);
		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->ack, base);
		ck_assert_uint_eq(s->nsack, MIN(i, 4u));
		ck_assert_uint_eq(s->sack[0][0], base + 100 * i);
		ck_assert_uint_eq(s->sack[0][1], base + 100 * i + 10);
	}
	ck_assert_uint_eq(s->sack[1][0], base + 100);
	ck_assert_uint_eq(s->sack[2][0], base + 200);
	ck_assert_uint_eq(s->sack[3][0], base + 300);
	/* Filling the first hole: the ACK moves, the blocks above stay. */
	mark = lk.nlog;
	link_send_seg(&lk, 1, in.lport, 80, base, in.rcv_nxt, F_ACK, 1000,
	    d, 100);
	s = link_seg(&lk, mark, 1, 0);
	ck_assert_uint_eq(s->ack, base + 110);
	ck_assert_uint_eq(s->nsack, 4);
	ck_assert_uint_eq(s->sack[0][0], base + 600);
	ck_assert_uint_eq(s->sack[1][0], base + 200);
	ck_assert_uint_eq(s->sack[3][0], base + 400);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_loss");
	TCase *tc = tcase_create("loss");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, probe_then_rto_backoff);
	tcase_add_test(tc, rto_gives_up);
	tcase_add_test(tc, fast_retransmit);
	tcase_add_test(tc, fast_retransmit_sack);
	tcase_add_test(tc, newreno_partial_acks);
	tcase_add_test(tc, sack_recovery);
	tcase_add_test(tc, lost_retransmission);
	tcase_add_test(tc, tail_loss_probe);
	tcase_add_test(tc, early_retransmit);
	tcase_add_test(tc, sack_blocks_sent);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
