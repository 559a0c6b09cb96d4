/*
 * tcp_link.c: the simulated link between two TCP stacks (see
 * tcp_link.h).
 *
 * A sent segment is logged, offered to the filter, then lost,
 * duplicated or delayed by the link's per-mille rates, and queued by
 * arrival time.  A sender with offloads (lk->nic) may leave checksums
 * partial and send TSO segments: the link finishes the checksum and
 * cuts them as a NIC does, or, for a receiver with lk->lro, delivers
 * them whole with the checksum vouched for (NET_CSUM_OK).  link_run() alternates: run both stacks' timers, let
 * the applications (pump) act, deliver what is due, jump the clock to
 * the next arrival or deadline.
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tcp_link.h"

struct pkt {
	struct pkt *next;
	uint64_t at, no;
	int to;
	struct net_buf *b;
	uint32_t src, dst;
};

static struct link *cur_link;

uint32_t
link_rand(struct link *lk)
{
	/* xorshift64* */
	lk->rng ^= lk->rng >> 12;
	lk->rng ^= lk->rng << 25;
	lk->rng ^= lk->rng >> 27;
	return (uint32_t)((lk->rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static void
enqueue(struct link *lk, int to, struct net_buf *b, uint32_t src,
    uint32_t dst, uint64_t at)
{
	struct pkt *p = malloc(sizeof(*p)), **pp;

	ck_assert_ptr_nonnull(p);
	p->at = at;
	p->no = lk->pktno++;
	p->to = to;
	p->b = b;
	p->src = src;
	p->dst = dst;
	for (pp = &lk->q; *pp != NULL && (*pp)->at <= at; pp = &(*pp)->next)
		;
	p->next = *pp;
	*pp = p;
}

static void
log_seg(struct link *lk, int from, const uint8_t *h, size_t len,
    bool dropped)
{
	struct seg *s;
	unsigned off, i, olen, k;

	if (lk->nlog++ >= LOG_MAX)
		return;
	s = &lk->log[lk->nlog - 1];
	memset(s, 0, sizeof(*s));
	s->t = lk->now;
	s->from = from;
	s->sport = net_get16(h);
	s->dport = net_get16(h + 2);
	s->seq = net_get32(h + 4);
	s->ack = net_get32(h + 8);
	s->flags = h[13];
	s->wnd = net_get16(h + 14);
	off = (h[12] >> 4) * 4u;
	s->len = (uint32_t)(len - off);
	s->mss = s->ws = -1;
	s->dropped = dropped;
	for (i = 20; i < off; ) {
		if (h[i] == 0)
			break;
		if (h[i] == 1) {
			i++;
			continue;
		}
		olen = h[i + 1];
		if (h[i] == 2)
			s->mss = net_get16(h + i + 2);
		if (h[i] == 3)
			s->ws = h[i + 2];
		if (h[i] == 4)
			s->sack_ok = true;
		if (h[i] == 8 && olen == 10) {
			s->ts = true;
			s->tsval = net_get32(h + i + 2);
			s->tsecr = net_get32(h + i + 6);
		}
		for (k = 0; h[i] == 5 && k < (olen - 2) / 8u && k < 4; k++) {
			s->sack[k][0] = net_get32(h + i + 2 + 8 * k);
			s->sack[k][1] = net_get32(h + i + 6 + 8 * k);
			s->nsack = k + 1;
		}
		i += olen;
	}
}

/* Finish a partial checksum as a NIC does: sum all of it, field too. */
static void
nic_finish(struct net_buf *b)
{
	ck_assert_uint_eq(b->csum_off, 16);
	net_put16(b->data + 16, net_csum_fold(net_csum_add(0, b->data,
	    b->len)));
	b->csum = NET_CSUM_NONE;
}

/* One segment onto the wire: filter, loss, log, delay, duplicates. */
static void
wire(struct link *lk, int from, struct net_buf *b, uint32_t src,
    uint32_t dst)
{
	int to = 1 - from;
	bool drop = false;
	struct net_buf *d;
	uint64_t at;

	if (lk->filter != NULL)
		drop = lk->filter(lk, from, b->data, b->len, lk->filter_arg);
	if (!drop && lk->loss[from] > 0 &&
	    link_rand(lk) % 1000 < lk->loss[from])
		drop = true;
	log_seg(lk, from, b->data, b->len, drop);
	if (drop || lk->hold[from]) {
		if (drop)
			lk->dropped[from]++;
		net_buf_free(b);
		return;
	}
	at = lk->now + lk->delay;
	if (lk->reorder[from] > 0 && link_rand(lk) % 1000 < lk->reorder[from])
		at += 1 + link_rand(lk) % (lk->reorder_extra + 1);
	if (lk->dup[from] > 0 && link_rand(lk) % 1000 < lk->dup[from]) {
		d = net_buf_alloc(b->len);
		ck_assert_ptr_nonnull(d);
		memcpy(net_buf_put(d, b->len), b->data, b->len);
		d->csum = b->csum;
		enqueue(lk, to, d, src, dst, at + link_rand(lk) % (lk->delay +
		    1));
		lk->duplicated[from]++;
	}
	enqueue(lk, to, b, src, dst, at);
}

/*
 * Cut a TSO segment into gso_size pieces as a NIC does: the header
 * copied, the sequence number advanced, FIN and PSH on the last piece
 * only, each checksum computed from scratch.
 */
static void
nic_cut(struct link *lk, int from, struct net_buf *b, uint32_t src,
    uint32_t dst)
{
	size_t hlen = (size_t)(b->data[12] >> 4) * 4, off, n;
	size_t plen = b->len - hlen;
	uint32_t seq = net_get32(b->data + 4);
	struct net_buf *p;
	uint8_t *h;

	ck_assert_uint_gt(plen, b->gso_size);
	for (off = 0; off < plen; off += n) {
		n = MIN((size_t)b->gso_size, plen - off);
		p = net_buf_alloc(hlen + n);
		ck_assert_ptr_nonnull(p);
		h = net_buf_put(p, hlen + n);
		memcpy(h, b->data, hlen);
		memcpy(h + hlen, b->data + hlen + off, n);
		net_put32(h + 4, seq + (uint32_t)off);
		if (off + n < plen)
			h[13] &= (uint8_t)~(F_FIN | F_PSH);
		net_put16(h + 16, 0);
		net_put16(h + 16, net_csum_fold(net_csum_add(net_csum_pseudo(
		    src, dst, 6, (uint16_t)p->len), h, p->len)));
		lk->cut[from]++;
		wire(lk, from, p, src, dst);
	}
	net_buf_free(b);
}

static int
link_output(void *ctx, struct net_buf *b, uint32_t src, uint32_t dst)
{
	struct link_end *e = ctx;
	struct link *lk = e->lk;
	int from = e->idx;

	ck_assert_uint_ge(b->data - b->buf, 68); /* headroom promised */
	/* Offloads only where the stack was told the NIC has them. */
	ck_assert(lk->nic[from] || (b->csum == NET_CSUM_NONE &&
	    b->gso_size == 0));
	ck_assert(b->gso_size == 0 || b->csum == NET_CSUM_PARTIAL);
	if (b->gso_size != 0) {
		ck_assert_msg(b->len + 20 <= 65535, "a %zu-byte TSO segment",
		    b->len);
		if (lk->lro[1 - from]) {
			/* Coalesced: whole, its checksum vouched for. */
			b->csum = NET_CSUM_OK;
			b->gso_size = 0;
			lk->coalesced[from]++;
			wire(lk, from, b, src, dst);
		} else {
			nic_cut(lk, from, b, src, dst);
		}
		return 0;
	}
	if (b->csum == NET_CSUM_PARTIAL)
		nic_finish(b);
	/* net_ip_output() would drop it: options come out of the MSS. */
	ck_assert_msg(b->len + 20 <= e->mtu, "%s sent a %zu-byte segment, "
	    "MTU %u", from == 0 ? "A" : "B", b->len, e->mtu);
	wire(lk, from, b, src, dst);
	return 0;
}

static uint64_t
link_clock(void *ctx)
{
	return ((struct link_end *)ctx)->lk->now;
}

void
link_default_config(struct link *lk, int i, struct tcp_config *cfg)
{
	int k;

	memset(cfg, 0, sizeof(*cfg));
	cfg->output = link_output;
	cfg->clock = link_clock;
	cfg->ctx = &lk->end[i];
	cfg->addr = i == 0 ? A_ADDR : B_ADDR;
	for (k = 0; k < 16; k++)
		cfg->secret[k] = (uint8_t)(k * 17 + i);
	/*
	 * The segment sizes and option room most tests count on are those
	 * without timestamps; the tests of timestamps turn them on.
	 */
	cfg->nots = true;
}

void
link_init(struct link *lk, const struct tcp_config *cfg_a,
    const struct tcp_config *cfg_b)
{
	const struct tcp_config *given[2] = { cfg_a, cfg_b };
	struct tcp_config cfg;
	int i;

	memset(lk, 0, sizeof(*lk));
	lk->now = 1 * SEC;
	lk->delay = 1 * MS;
	lk->rng = 0x12345678abcdefULL;
	cur_link = lk;
	for (i = 0; i < 2; i++) {
		lk->end[i].lk = lk;
		lk->end[i].idx = i;
		if (given[i] != NULL) {
			cfg = *given[i];
		} else {
			link_default_config(lk, i, &cfg);
		}
		lk->end[i].mtu = cfg.mtu != 0 ? cfg.mtu : 1500;
		lk->st[i] = tcp_stack_new(&cfg);
		ck_assert_ptr_nonnull(lk->st[i]);
	}
}

void
link_free(struct link *lk)
{
	struct pkt *p;

	while ((p = lk->q) != NULL) {
		lk->q = p->next;
		net_buf_free(p->b);
		free(p);
	}
	tcp_stack_free(lk->st[0]);
	tcp_stack_free(lk->st[1]);
}

bool
link_run(struct link *lk, uint64_t until, bool (*stop)(void *), void *arg)
{
	uint64_t t, d;
	struct pkt *p;

	for (;;) {
		t = tcp_timers(lk->st[0], lk->now);
		d = tcp_timers(lk->st[1], lk->now);
		if (lk->pump != NULL)
			lk->pump(lk);
		if (stop != NULL && stop(arg))
			return true;
		/* The pump may have armed timers: ask again. */
		t = MIN(t, tcp_timers(lk->st[0], lk->now));
		d = MIN(d, tcp_timers(lk->st[1], lk->now));
		t = MIN(t, d);
		if (lk->q != NULL && lk->q->at < t)
			t = lk->q->at;
		if (t > until) {
			if (until > lk->now)
				lk->now = until;
			return false;
		}
		if (t > lk->now)
			lk->now = t;
		while ((p = lk->q) != NULL && p->at <= lk->now) {
			lk->q = p->next;
			lk->delivered[p->to]++;
			tcp_input(lk->st[p->to], p->b, p->src, p->dst);
			free(p);
		}
	}
}

void
link_advance(struct link *lk, uint64_t d)
{
	link_run(lk, lk->now + d, NULL, NULL);
}

size_t
seg_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
    uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
    uint16_t wnd, const uint8_t *opt, size_t optlen, const void *data,
    size_t len)
{
	size_t hlen = 20 + ((optlen + 3) & ~(size_t)3);

	memset(buf, 0, hlen);
	net_put16(buf, sport);
	net_put16(buf + 2, dport);
	net_put32(buf + 4, seq);
	net_put32(buf + 8, ack);
	buf[12] = (uint8_t)((hlen / 4) << 4);
	buf[13] = flags;
	net_put16(buf + 14, wnd);
	if (optlen > 0)
		memcpy(buf + 20, opt, optlen);
	if (len > 0)
		memcpy(buf + hlen, data, len);
	net_put16(buf + 16, net_csum_fold(net_csum_add(net_csum_pseudo(src,
	    dst, NET_PROTO_TCP, (uint16_t)(hlen + len)), buf, hlen + len)));
	return hlen + len;
}

void
link_inject(struct link *lk, int to, uint32_t src, uint32_t dst,
    const void *seg, size_t len)
{
	struct net_buf *b = net_buf_alloc(len);

	ck_assert_ptr_nonnull(b);
	memcpy(net_buf_put(b, len), seg, len);
	tcp_input(lk->st[to], b, src, dst);
}

void
link_send_seg(struct link *lk, int to, uint16_t sport, uint16_t dport,
    uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
    const void *data, size_t len)
{
	uint8_t buf[2048];
	uint32_t src = to == 0 ? B_ADDR : A_ADDR, dst = to == 0 ? A_ADDR :
	    B_ADDR;
	size_t n;

	ck_assert_uint_le(len, 1500);
	n = seg_build(buf, src, dst, sport, dport, seq, ack, flags, wnd, NULL,
	    0, data, len);
	link_inject(lk, to, src, dst, buf, n);
}

const struct seg *
link_seg(struct link *lk, unsigned mark, int from, unsigned n)
{
	unsigned i, end = MIN(lk->nlog, (unsigned)LOG_MAX);

	for (i = mark; i < end; i++) {
		if (from >= 0 && lk->log[i].from != from)
			continue;
		if (n-- == 0)
			return &lk->log[i];
	}
	return NULL;
}

unsigned
link_count(struct link *lk, unsigned mark, int from, uint8_t flags_set)
{
	unsigned i, k = 0, end = MIN(lk->nlog, (unsigned)LOG_MAX);

	for (i = mark; i < end; i++)
		if ((from < 0 || lk->log[i].from == from) &&
		    (lk->log[i].flags & flags_set) == flags_set)
			k++;
	return k;
}

static uint64_t
ev_now(void)
{
	return cur_link != NULL ? cur_link->now : 0;
}

static void
ev_accept(void *ctx)
{
	((struct ev *)ctx)->accepts++;
}

static void
ev_connected(void *ctx, int err)
{
	struct ev *e = ctx;

	e->connected++;
	e->conn_err = err;
	e->t_connected = ev_now();
}

static void
ev_readable(void *ctx)
{
	((struct ev *)ctx)->readable++;
}

static void
ev_writable(void *ctx)
{
	((struct ev *)ctx)->writable++;
}

static void
ev_closed(void *ctx, int err)
{
	struct ev *e = ctx;

	e->closed++;
	e->close_err = err;
	e->t_closed = ev_now();
}

const struct tcp_callbacks ev_callbacks = {
	ev_accept, ev_connected, ev_readable, ev_writable, ev_closed
};

void
bulk_pump(struct bulk *b)
{
	static uint8_t tmp[65536];
	uint64_t i, n;
	int r;

	while (b->tx != NULL && b->sent < b->total) {
		n = MIN(b->total - b->sent, (uint64_t)sizeof(tmp));
		for (i = 0; i < n; i++)
			tmp[i] = pattern(b->key, b->sent + i);
		r = tcp_send(b->tx, tmp, n);
		if (r <= 0)
			break;
		b->sent += (uint64_t)r;
	}
	if (b->tx != NULL && b->sent == b->total && !b->shut) {
		ck_assert_int_eq(tcp_shutdown(b->tx), 0);
		b->shut = true;
	}
	while (b->rx != NULL && !b->eof) {
		r = tcp_recv(b->rx, tmp, sizeof(tmp));
		if (r == 0)
			b->eof = true;
		if (r <= 0)
			break;
		for (i = 0; i < (uint64_t)r; i++) {
			if (!b->bad && tmp[i] != pattern(b->key, b->rcvd + i)) {
				b->bad = true;
				b->bad_at = b->rcvd + i;
			}
		}
		b->rcvd += (uint64_t)r;
	}
}

void
link_bulk_pump(struct link *lk)
{
	struct tcp_info in;
	int i;

	for (i = 0; i < lk->nbulk; i++) {
		bulk_pump(&lk->bulk[i]);
		if (lk->bulk[i].tx != NULL) {
			tcp_get_info(lk->bulk[i].tx, &in);
			if (in.in_flight > lk->max_flight[i])
				lk->max_flight[i] = in.in_flight;
		}
	}
}

bool
link_bulk_done(void *arg)
{
	struct link *lk = arg;
	int i;

	for (i = 0; i < lk->nbulk; i++)
		if (!lk->bulk[i].eof || lk->bulk[i].bad)
			return lk->bulk[i].bad;
	return true;
}

void
link_bulk(struct link *lk, int i, struct tcp_conn *tx, struct tcp_conn *rx,
    uint64_t total)
{
	struct bulk *b = &lk->bulk[i];

	memset(b, 0, sizeof(*b));
	b->tx = tx;
	b->rx = rx;
	b->total = total;
	b->key = (uint32_t)(i * 1000 + 7);
	if (i >= lk->nbulk)
		lk->nbulk = i + 1;
	lk->pump = link_bulk_pump;
}

void
link_bulk_check(struct link *lk, int i)
{
	struct bulk *b = &lk->bulk[i];

	ck_assert_msg(!b->bad, "stream %d: wrong byte at %llu", i,
	    (unsigned long long)b->bad_at);
	ck_assert(b->eof);
	ck_assert_uint_eq(b->rcvd, b->total);
}

struct pair_wait {
	struct ev *ea;
	struct link *lk;
};

static bool
pair_ready(void *arg)
{
	struct pair_wait *w = arg;

	return w->ea->connected > 0 && w->lk->lev.accepts > 0;
}

bool
link_connect_pair(struct link *lk, uint16_t port, struct tcp_conn **ca,
    struct tcp_conn **cb, struct ev *ea, struct ev *eb,
    struct tcp_conn **listener)
{
	struct pair_wait w = { ea, lk };
	struct tcp_conn *l;

	memset(&lk->lev, 0, sizeof(lk->lev));
	l = tcp_conn_new(lk->st[1], &ev_callbacks, &lk->lev);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(tcp_bind(l, 0, port), 0);
	ck_assert_int_eq(tcp_listen(l, 16), 0);
	*ca = tcp_conn_new(lk->st[0], &ev_callbacks, ea);
	ck_assert_ptr_nonnull(*ca);
	ck_assert_int_eq(tcp_connect(*ca, B_ADDR, port), 0);
	if (!link_run(lk, lk->now + 30 * SEC, pair_ready, &w))
		return false;
	if (ea->conn_err != 0 || tcp_accept(l, cb) != 0)
		return false;
	tcp_set_callbacks(*cb, &ev_callbacks, eb);
	if (listener != NULL)
		*listener = l;
	return true;
}
