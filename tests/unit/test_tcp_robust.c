/*
 * test_tcp_robust.c: what the network must not be able to do to the
 * engine: malformed segments (dropped and counted, never answered), a
 * SYN flood against a small backlog (bounded memory, an established
 * connection unharmed), the connection limit, a bounded out-of-order
 * queue, ACKs of unsent data, and memory that comes back after many
 * connections.  Also the ISNs: clock-driven, keyed, per connection.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tcp_link.h"
#include "toro/errno.h"
#include "toro/mem.h"

static struct link lk;

static void
fix_csum(uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
	net_put16(seg + 16, 0);
	net_put16(seg + 16, net_csum_fold(net_csum_add(net_csum_pseudo(src,
	    dst, NET_PROTO_TCP, (uint16_t)len), seg, len)));
}

/* Hand B a broken segment; it must be dropped without a word. */
static void
expect_dropped(const uint8_t *seg, size_t len, const uint64_t *counter,
    uint32_t src)
{
	uint64_t before = *counter;
	unsigned mark = lk.nlog;

	link_inject(&lk, 1, src, B_ADDR, seg, len);
	ck_assert_uint_eq(*counter, before + 1);
	ck_assert_uint_eq(lk.nlog, mark);
}

TCP_TEST(malformed_segments)
{
	static const uint8_t overrun[] = { 1, 1, 2, 8 };
	static const uint8_t zero_len[] = { 3, 0, 0, 0 };
	static const uint8_t one_len[] = { 8, 1, 0, 0 };
	static const uint8_t no_len[] = { 1, 1, 1, 2 };
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info ia, ib;
	const struct tcp_stats *st;
	uint8_t seg[128], *big;
	size_t n;
	char buf[8];
	uint16_t sp;
	uint32_t seq, ack;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	tcp_get_info(a, &ia);
	tcp_get_info(b, &ib);
	st = tcp_stack_stats(lk.st[1]);
	sp = ia.lport;
	seq = ib.rcv_nxt;
	ack = ib.snd_nxt;
	/* A bad checksum. */
	n = seg_build(seg, A_ADDR, B_ADDR, sp, 80, seq, ack, F_ACK, 1000,
	    NULL, 0, "evil", 4);
	seg[n - 1] ^= 1;
	expect_dropped(seg, n, &st->in_csum_errs, A_ADDR);
	/* The right checksum, from the wrong address. */
	seg[n - 1] ^= 1;
	expect_dropped(seg, n, &st->in_csum_errs, A_ADDR + 1);
	/* Data offset below 5 words, and beyond the segment. */
	seg[12] = 4 << 4;
	fix_csum(seg, n, A_ADDR, B_ADDR);
	expect_dropped(seg, n, &st->in_hdr_errs, A_ADDR);
	seg[12] = 15 << 4;
	fix_csum(seg, n, A_ADDR, B_ADDR);
	expect_dropped(seg, n, &st->in_hdr_errs, A_ADDR);
	/* Truncated below a header, and empty. */
	n = seg_build(seg, A_ADDR, B_ADDR, sp, 80, seq, ack, F_ACK, 1000,
	    NULL, 0, NULL, 0);
	fix_csum(seg, 19, A_ADDR, B_ADDR);
	expect_dropped(seg, 19, &st->in_hdr_errs, A_ADDR);
	expect_dropped(seg, 0, &st->in_hdr_errs, A_ADDR);
	/* Options that overrun, have a length of 0 or 1, or none. */
	n = seg_build(seg, A_ADDR, B_ADDR, sp, 80, seq, ack, F_ACK, 1000,
	    overrun, 4, "x", 1);
	expect_dropped(seg, n, &st->in_hdr_errs, A_ADDR);
	n = seg_build(seg, A_ADDR, B_ADDR, sp, 80, seq, ack, F_ACK, 1000,
	    zero_len, 4, "x", 1);
	expect_dropped(seg, n, &st->in_hdr_errs, A_ADDR);
	n = seg_build(seg, A_ADDR, B_ADDR, sp, 80, seq, ack, F_ACK, 1000,
	    one_len, 4, "x", 1);
	expect_dropped(seg, n, &st->in_hdr_errs, A_ADDR);
	n = seg_build(seg, A_ADDR, B_ADDR, sp, 80, seq, ack, F_ACK, 1000,
	    no_len, 4, "x", 1);
	expect_dropped(seg, n, &st->in_hdr_errs, A_ADDR);
	/* Longer than any IP packet. */
	big = calloc(70000, 1);
	ck_assert_ptr_nonnull(big);
	memcpy(big, seg, n);
	expect_dropped(big, 70000, &st->in_hdr_errs, A_ADDR);
	free(big);
	/* From a broadcast or multicast address, or port 0. */
	n = seg_build(seg, 0xffffffff, B_ADDR, sp, 80, 1, 0, F_SYN, 1000,
	    NULL, 0, NULL, 0);
	expect_dropped(seg, n, &st->in_dropped, 0xffffffff);
	n = seg_build(seg, 0xe0000001, B_ADDR, sp, 80, 1, 0, F_SYN, 1000,
	    NULL, 0, NULL, 0);
	expect_dropped(seg, n, &st->in_dropped, 0xe0000001);
	n = seg_build(seg, A_ADDR, B_ADDR, 0, 80, 1, 0, F_SYN, 1000, NULL,
	    0, NULL, 0);
	expect_dropped(seg, n, &st->in_dropped, A_ADDR);
	/* None of it touched the connection. */
	ck_assert_uint_eq(st->in_csum_errs, 2);
	ck_assert_uint_eq(st->in_hdr_errs, 9);
	ck_assert_uint_eq(tcp_readable(b), 0);
	ck_assert_int_eq(tcp_state(b), TCP_ESTABLISHED);
	ck_assert_int_eq(tcp_send(a, "fine", 4), 4);
	link_advance(&lk, 100 * MS);
	ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 4);
	ck_assert_int_eq(memcmp(buf, "fine", 4), 0);
	link_free(&lk);
	return NULL;
}

/*
 * A SYN flood from spoofed addresses against a backlog of 8, while an
 * established connection moves 1 MiB: the flood gets 8 half-open
 * conns and no more, the rest SYN cookies, memory stays flat, the
 * transfer is whole, and a legitimate client is served during the
 * flood (through a cookie) as after it.
 */
static bool
connected_p(void *arg)
{
	return ((struct ev *)arg)->connected > 0;
}

static struct tcp_conn *flood_l;
static uint64_t flood_sent;
static bool flooding;

static bool
to_a_only(struct link *l, int from, uint8_t *seg, size_t len, void *arg)
{
	/* SYN-ACKs to the spoofed sources go nowhere. */
	return from == 1 && net_get16(seg + 2) >= 10000 &&
	    net_get16(seg + 2) < 40000;
}

static void
flood_pump(struct link *l)
{
	uint8_t seg[64];
	uint32_t src;
	size_t n;
	int i;

	for (i = 0; flooding && i < 20; i++) {
		src = 0x0b000000 | (link_rand(l) & 0xffffff);
		n = seg_build(seg, src, B_ADDR, (uint16_t)(10000 +
		    link_rand(l) % 30000), 81, link_rand(l), 0, F_SYN, 8192,
		    NULL, 0, NULL, 0);
		link_inject(l, 1, src, B_ADDR, seg, n);
		flood_sent++;
	}
	link_bulk_pump(l);
}

TCP_TEST(syn_flood)
{
	struct tcp_conn *a, *b, *c, *n;
	struct ev ea = { 0 }, eb = { 0 }, el = { 0 }, ec = { 0 };
	struct toro_mem_stats m0, m1;
	const struct tcp_stats *st;
	uint64_t drops;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	flood_l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(flood_l, 0, 81), 0);
	ck_assert_int_eq(tcp_listen(flood_l, 8), 0);
	st = tcp_stack_stats(lk.st[1]);
	lk.filter = to_a_only;
	link_bulk(&lk, 0, a, b, 1 << 20);
	flooding = true;
	lk.pump = flood_pump;
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	while (flood_sent < 5000)
		flood_pump(&lk);
	flooding = false;
	link_bulk_check(&lk, 0);
	ck_assert_uint_ge(flood_sent, 5000);
	ck_assert_uint_eq(st->syn_drops, 0);
	ck_assert_uint_eq(st->syncookies_sent, flood_sent - 8);
	ck_assert_uint_eq(st->passive_opens, 1 + 8);
	ck_assert_uint_le(st->conns_peak, 2 + 1 + 8);
	ck_assert_int_eq(tcp_accept(flood_l, &n), -TORO_EAGAIN);
	/* Memory: 5000 more SYNs cost eight half-open conns, < 64 KiB. */
	link_advance(&lk, 16 * SEC);
	toro_mem_stats(&m0);
	flood_sent = 0;
	flooding = true;
	lk.pump = flood_pump;
	while (flood_sent < 5000)
		flood_pump(&lk);
	flooding = false;
	toro_mem_stats(&m1);
	ck_assert_uint_le(m0.free_pages - m1.free_pages, 64 * 1024);
	ck_assert_uint_eq(st->conns, 3 + 8);
	/* A client during the flood: its handshake is a cookie's. */
	flooding = true;
	c = tcp_conn_new(lk.st[0], &ev_callbacks, &ec);
	ck_assert_int_eq(tcp_connect(c, B_ADDR, 81), 0);
	ck_assert(link_run(&lk, lk.now + 1 * SEC, connected_p, &ec));
	flooding = false;
	ck_assert_int_eq(ec.conn_err, 0);
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(st->syncookies_ok, 1);
	ck_assert_int_eq(tcp_accept(flood_l, &n), 0);
	ck_assert_int_eq(tcp_state(n), TCP_ESTABLISHED);
	tcp_abort(n);
	tcp_abort(c);
	/* The SYN-ACKs give up after 1 + 2 + 4 + 8 s. */
	link_advance(&lk, 16 * SEC);
	ck_assert_uint_eq(st->conns, 3);
	drops = st->syn_drops;
	memset(&ec, 0, sizeof(ec));
	c = tcp_conn_new(lk.st[0], &ev_callbacks, &ec);
	ck_assert_int_eq(tcp_connect(c, B_ADDR, 81), 0);
	link_advance(&lk, 100 * MS);
	ck_assert_int_eq(ec.conn_err, 0);
	ck_assert_int_eq(ec.connected, 1);
	ck_assert_int_eq(tcp_accept(flood_l, &n), 0);
	ck_assert_uint_eq(st->syn_drops, drops);
	ck_assert_uint_eq(st->syncookies_ok, 1); /* a normal handshake */
	link_free(&lk);
	return NULL;
}

/*
 * A stack of at most 8 conns (the listener and 7): beyond, SYNs are
 * dropped silently, nothing breaks, and the clients' own SYN
 * retransmissions get in once connections close (their TIME_WAIT
 * records do not count).
 */
TCP_TEST(connection_limit)
{
	struct tcp_config cfg;
	struct tcp_conn *l, *c[10], *x;
	struct ev el = { 0 }, ec[10];
	const struct tcp_stats *st;
	int i, ok = 0;

	link_init(&lk, NULL, NULL);
	tcp_stack_free(lk.st[1]);
	link_default_config(&lk, 1, &cfg);
	cfg.max_conns = 8;
	lk.st[1] = tcp_stack_new(&cfg);
	st = tcp_stack_stats(lk.st[1]);
	ck_assert_uint_eq(st->max_conns, 8);
	l = tcp_conn_new(lk.st[1], &ev_callbacks, &el);
	ck_assert_int_eq(tcp_bind(l, 0, 80), 0);
	ck_assert_int_eq(tcp_listen(l, 100), 0);
	memset(ec, 0, sizeof(ec));
	for (i = 0; i < 10; i++) {
		c[i] = tcp_conn_new(lk.st[0], &ev_callbacks, &ec[i]);
		ck_assert_int_eq(tcp_connect(c[i], B_ADDR, 80), 0);
		link_advance(&lk, 10 * MS);
	}
	link_advance(&lk, 500 * MS);
	for (i = 0; i < 10; i++)
		ok += ec[i].conn_err == 0 && ec[i].connected;
	ck_assert_int_eq(ok, 7);
	ck_assert_uint_eq(st->conns, 8);
	ck_assert_uint_eq(st->syn_drops, 3);
	ck_assert_uint_eq(link_count(&lk, 0, 1, F_RST), 0); /* silence */
	ck_assert_ptr_null(tcp_conn_new(lk.st[1], NULL, NULL));
	/* The server closes three: they leave TIME_WAIT records. */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(tcp_accept(l, &x), 0);
		tcp_close(x);
	}
	link_advance(&lk, 10 * MS);
	for (i = 0; i < 10; i++)
		if (ec[i].connected && tcp_state(c[i]) == TCP_CLOSE_WAIT)
			tcp_close(c[i]);
	link_advance(&lk, 10 * MS);
	ck_assert_uint_eq(st->conns, 5);
	ck_assert_uint_eq(st->time_wait, 3);
	/* The refused clients try again at 1 and 3 s, and get in. */
	link_advance(&lk, 3 * SEC);
	for (i = 0, ok = 0; i < 10; i++)
		ok += ec[i].conn_err == 0 && ec[i].connected;
	ck_assert_int_eq(ok, 10);
	ck_assert_uint_eq(st->conns, 8);
	ck_assert_uint_eq(st->conns_peak, 8);
	link_free(&lk);
	return NULL;
}

/* ISNs: keyed per 4-tuple, moving with the clock. */
static uint32_t
isn_at(uint64_t t, uint16_t port)
{
	struct tcp_conn *c;
	uint32_t isn;

	lk.now = t;
	c = tcp_conn_new(lk.st[0], NULL, NULL);
	ck_assert_int_eq(tcp_bind(c, 0, port), 0);
	ck_assert_int_eq(tcp_connect(c, B_ADDR, 80), 0);
	isn = lk.log[lk.nlog - 1].seq;
	ck_assert_uint_eq(lk.log[lk.nlog - 1].flags, F_SYN);
	tcp_abort(c);
	return isn;
}

TCP_TEST(isn_choice)
{
	struct tcp_config cfg;
	uint64_t t0 = 10 * SEC, t1 = 11 * SEC;
	uint32_t a0, b0, a1, k0, tick = (uint32_t)(t1 >> 12) -
	    (uint32_t)(t0 >> 12);

	link_init(&lk, NULL, NULL);
	lk.hold[0] = true;
	a0 = isn_at(t0, 1000);
	b0 = isn_at(t0, 1001);
	a1 = isn_at(t1, 1000);
	/* The same 4-tuple a second later: further by 1 s / 4.096 us. */
	ck_assert_uint_eq(a1 - a0, tick);
	/* One port apart, same time: unrelated numbers. */
	ck_assert_uint_ne(a0, b0);
	ck_assert_uint_gt(MIN(a0 - b0, b0 - a0), 1000000);
	/* Another secret: another sequence for the same tuple and time. */
	tcp_stack_free(lk.st[0]);
	link_default_config(&lk, 0, &cfg);
	cfg.secret[0] ^= 0x55;
	lk.st[0] = tcp_stack_new(&cfg);
	k0 = isn_at(t0, 1000);
	ck_assert_uint_gt(MIN(a0 - k0, k0 - a0), 1000000);
	link_free(&lk);
	return NULL;
}

/* More holes than TCP_OOO_RANGES: the extra ones are dropped. */
TCP_TEST(ooo_queue_bounded)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info ia, ib;
	const struct tcp_stats *st;
	char d[2000];
	int i;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	lk.hold[1] = true;
	tcp_get_info(a, &ia);
	tcp_get_info(b, &ib);
	st = tcp_stack_stats(lk.st[1]);
	for (i = 0; i < (int)sizeof(d); i++)
		d[i] = (char)pattern(3, (uint64_t)i);
	for (i = 0; i < 20; i++)
		link_send_seg(&lk, 1, ia.lport, 80, ib.rcv_nxt + 100 +
		    (uint32_t)i * 50, ib.snd_nxt, F_ACK, 1000, d + 100 + i * 50,
		    10);
	ck_assert_uint_eq(st->in_ooo_segs, TCP_OOO_RANGES);
	ck_assert_uint_eq(st->in_ooo_drops, 20 - TCP_OOO_RANGES);
	ck_assert_uint_eq(tcp_readable(b), 0);
	/* The whole range in order: everything correct, once. */
	link_send_seg(&lk, 1, ia.lport, 80, ib.rcv_nxt, ib.snd_nxt, F_ACK,
	    1000, d, 1400);
	ck_assert_uint_eq(tcp_readable(b), 1400);
	ck_assert_int_eq(tcp_recv(b, d + 1400, 600), 600);
	for (i = 0; i < 600; i++)
		ck_assert_int_eq((uint8_t)d[1400 + i], pattern(3, (uint64_t)i));
	link_free(&lk);
	return NULL;
}

/* ACKs of what was never sent, or far in the past, are dropped. */
TCP_TEST(bad_acks)
{
	struct tcp_conn *a, *b;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info ia, ib;
	const struct tcp_stats *st;
	unsigned mark;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, NULL));
	lk.hold[1] = true;
	tcp_get_info(a, &ia);
	tcp_get_info(b, &ib);
	st = tcp_stack_stats(lk.st[1]);
	mark = lk.nlog;
	link_send_seg(&lk, 1, ia.lport, 80, ib.rcv_nxt, ib.snd_nxt + 5000,
	    F_ACK, 1000, "abc", 3);
	ck_assert_uint_eq(st->in_dropped, 1);
	ck_assert_uint_eq(lk.nlog, mark + 1); /* an ACK back */
	link_send_seg(&lk, 1, ia.lport, 80, ib.rcv_nxt, ib.snd_nxt -
	    0x40000000, F_ACK, 1000, "abc", 3);
	ck_assert_uint_eq(st->in_dropped, 2);
	ck_assert_uint_eq(tcp_readable(b), 0);
	/* A SYN-ACK with a wrong ACK to a SYN_SENT conn: RST. */
	lk.hold[0] = true;
	a = tcp_conn_new(lk.st[0], NULL, NULL);
	ck_assert_int_eq(tcp_connect(a, B_ADDR, 99), 0);
	tcp_get_info(a, &ia);
	mark = lk.nlog;
	link_send_seg(&lk, 0, 99, ia.lport, 5000, ia.iss + 7, F_SYN | F_ACK,
	    1000, NULL, 0);
	ck_assert_uint_eq(lk.log[mark].flags, F_RST);
	ck_assert_uint_eq(lk.log[mark].seq, ia.iss + 7);
	ck_assert_int_eq(tcp_state(a), TCP_SYN_SENT);
	/* An RST without ACK there is ignored. */
	link_send_seg(&lk, 0, 99, ia.lport, 5000, 0, F_RST, 0, NULL, 0);
	ck_assert_int_eq(tcp_state(a), TCP_SYN_SENT);
	link_free(&lk);
	return NULL;
}

/* 200 connections come and go: memory and counts return to the start. */
TCP_TEST(memory_returns)
{
	struct tcp_conn *a, *b, *l = NULL;
	struct ev ea, eb;
	struct toro_mem_stats m0, m1;
	char buf[64];
	int i;

	link_init(&lk, NULL, NULL);
	for (i = 0; i < 210; i++) {
		if (i == 10) {
			/* Warm: every size class has its spare span. */
			link_advance(&lk, 61 * SEC);
			toro_mem_stats(&m0);
		}
		memset(&ea, 0, sizeof(ea));
		memset(&eb, 0, sizeof(eb));
		if (l != NULL)
			tcp_close(l);
		ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
		ck_assert_int_eq(tcp_send(a, "request", 7), 7);
		link_advance(&lk, 5 * MS);
		ck_assert_int_eq(tcp_recv(b, buf, sizeof(buf)), 7);
		ck_assert_int_eq(tcp_send(b, "response", 8), 8);
		tcp_close(b);
		link_advance(&lk, 5 * MS);
		ck_assert_int_eq(tcp_recv(a, buf, sizeof(buf)), 8);
		tcp_close(a);
		link_advance(&lk, 5 * MS);
	}
	tcp_close(l);
	ck_assert_uint_ge(tcp_stack_stats(lk.st[1])->time_wait, 100);
	link_advance(&lk, 61 * SEC);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[0])->conns, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->conns, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->time_wait, 0);
	ck_assert_uint_eq(tcp_stack_stats(lk.st[1])->mem_used, 0);
	toro_mem_stats(&m1);
	ck_assert_uint_eq(m1.free_pages, m0.free_pages);
	link_free(&lk);
	return NULL;
}

/*
 * Random segments on a live connection's 4-tuple: every flag mix,
 * sequence and ACK numbers near the windows, random options.  The
 * engine must stay consistent (run under ASan/UBSan too) and a fresh
 * connection must still work afterwards.
 */
TCP_TEST(fuzz_segments)
{
	struct tcp_conn *a, *b, *l;
	struct ev ea = { 0 }, eb = { 0 };
	struct tcp_info ia, ib;
	const struct tcp_stats *st;
	uint8_t seg[1600], opt[40], data[1400];
	size_t n, optlen, len;
	uint32_t r, seq, ack;
	int i, k;

	link_init(&lk, NULL, NULL);
	ck_assert(link_connect_pair(&lk, 80, &a, &b, &ea, &eb, &l));
	link_bulk(&lk, 0, a, b, 256 << 10);
	lk.bulk[0].key = 9;
	for (i = 0; i < 20000; i++) {
		tcp_get_info(a, &ia);
		tcp_get_info(b, &ib);
		r = link_rand(&lk);
		seq = ib.rcv_nxt + (uint32_t)((int32_t)(link_rand(&lk) %
		    400000) - 200000);
		ack = ib.snd_una + (uint32_t)((int32_t)(link_rand(&lk) %
		    400000) - 200000);
		optlen = (r >> 24) % 4 == 0 ? (r >> 8) % 41 : 0;
		for (k = 0; k < (int)optlen; k++)
			opt[k] = (uint8_t)(k % 3 == 0 ? link_rand(&lk) % 9 :
			    link_rand(&lk));
		len = (r >> 16) % 3 == 0 ? link_rand(&lk) % sizeof(data) : 0;
		memset(data, 'f', len);
		n = seg_build(seg, A_ADDR, B_ADDR, ia.lport, 80, seq, ack,
		    (uint8_t)(r & 0x3f), (uint16_t)link_rand(&lk), opt,
		    optlen, data, len);
		link_inject(&lk, 1, A_ADDR, B_ADDR, seg, n);
		if (i % 100 == 0)
			link_advance(&lk, 1 * MS);
	}
	ck_assert_uint_ge(tcp_stack_stats(lk.st[1])->in_segs, 20000);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[1])->in_hdr_errs, 1000);
	ck_assert_uint_gt(tcp_stack_stats(lk.st[1])->in_dropped, 1000);
	st = tcp_stack_stats(lk.st[1]);
	fprintf(stderr, "# fuzz: B %s; %llu header errors, %llu dropped, "
	    "%llu challenge ACKs, %llu RSTs taken, %llu ignored\n",
	    tcp_state_name(tcp_state(b)),
	    (unsigned long long)st->in_hdr_errs,
	    (unsigned long long)st->in_dropped,
	    (unsigned long long)st->challenge_acks,
	    (unsigned long long)st->in_rsts,
	    (unsigned long long)st->in_rsts_ignored);
	link_advance(&lk, 100 * SEC);
	/* Whatever became of it, a new connection works. */
	lk.pump = NULL;
	lk.nbulk = 0;
	tcp_abort(a);
	tcp_close(b);
	tcp_close(l);
	memset(&ea, 0, sizeof(ea));
	memset(&eb, 0, sizeof(eb));
	ck_assert(link_connect_pair(&lk, 81, &a, &b, &ea, &eb, NULL));
	link_bulk(&lk, 0, a, b, 100000);
	ck_assert(link_run(&lk, lk.now + 60 * SEC, link_bulk_done, &lk));
	link_bulk_check(&lk, 0);
	link_free(&lk);
	return NULL;
}

int
main(void)
{
	Suite *s = suite_create("tcp_robust");
	TCase *tc = tcase_create("robust");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, malformed_segments);
	tcase_add_test(tc, syn_flood);
	tcase_add_test(tc, connection_limit);
	tcase_add_test(tc, isn_choice);
	tcase_add_test(tc, ooo_queue_bounded);
	tcase_add_test(tc, bad_acks);
	tcase_add_test(tc, memory_returns);
	tcase_add_test(tc, fuzz_segments);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
