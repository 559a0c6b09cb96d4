/*
 * tcp_output.c: building and sending segments.
 *
 * tcp_output() is the one place that decides what a synchronized
 * connection sends: in SACK recovery, what the pipe allows
 * (tcp_sack.c); then as much new (or, after a timeout, old) data as
 * the smaller of the peer's window and cwnd (plus two segments on the
 * first duplicate ACKs: limited transmit, RFC 3042) allows, cut in
 * snd_mss pieces (or, when the NIC segments, in runs of them up to
 * tso_max: its gso_size says where the NIC cuts);
 * small pieces only when Nagle's rule allows (RFC 1122 4.2.3.4: nothing
 * in flight, or TCP_NODELAY) or they fill half the peer's largest
 * window (sender-side SWS avoidance); the FIN after the last byte; and
 * a pure ACK when one is owed and nothing else carries it.  Every
 * segment carries the latest ACK and window, so it clears any pending
 * delayed ACK.  The others send one special segment each (SYN, RST,
 * challenge ACK, the first unacknowledged segment again, a tail loss
 * probe, a zero-window probe).
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"

#define CHALLENGE_PER_SEC 100 /* RFC 5961 7: a global limit */

/*
 * The window field to send, per RFC 1122 receiver SWS avoidance: the
 * right edge moves only by at least min(buffer / 2, one segment), and
 * never back (RFC 9293 3.8.6.2.2).
 */
uint32_t
tcp_rcv_window(struct tcp_conn *c, bool syn)
{
	uint32_t freesp, cur, want, field;

	if (syn) {
		/* The window of a SYN is never scaled (RFC 7323 2.2). */
		want = MIN(c->rcvbuf, 65535u);
		c->rcv_adv = c->rcv_nxt + want;
		c->rcv_wnd_max = MAX(c->rcv_wnd_max, want);
		return want;
	}
	cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	if (c->rcv.cap == 0) /* half-open or lingering: as promised */
		return MIN(cur >> c->rcv_wscale, 65535u);
	freesp = c->rcv.cap - tcp_rcv_held(c);
	want = cur;
	if (freesp > cur && freesp - cur >= MIN(c->rcv.cap / 2,
	    (uint32_t)c->rcv_mss))
		want = freesp;
	want &= ~(((uint32_t)1 << c->rcv_wscale) - 1);
	field = MIN(want >> c->rcv_wscale, 65535u);
	want = field << c->rcv_wscale;
	if (SEQ_GT(c->rcv_nxt + want, c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + want;
	c->rcv_wnd_max = MAX(c->rcv_wnd_max, want);
	return field;
}

/*
 * Checksum (or leave to the NIC the part after the pseudo-header) and
 * hand a finished segment to the layer below.
 */
static void
emit(struct tcp_stack *s, struct net_buf *b, uint32_t src, uint32_t dst)
{
	uint8_t *h = b->data;
	uint32_t sum = net_csum_pseudo(src, dst, NET_PROTO_TCP,
	    (uint16_t)b->len);

	net_put16(h + 16, 0);
	if (s->cfg.csum_offload) {
		net_put16(h + 16, (uint16_t)~net_csum_fold(sum));
		b->csum = NET_CSUM_PARTIAL;
		b->csum_off = 16;
	} else {
		net_put16(h + 16, net_csum_fold(net_csum_add(sum, h, b->len)));
	}
	s->stats.out_segs++;
	if (s->cfg.output(s->cfg.ctx, b, src, dst) < 0)
		s->stats.out_errs++;
}

/* Fill the fixed header at h. */
static void
put_header(uint8_t *h, uint16_t sport, uint16_t dport, uint32_t seq,
    uint32_t ack, uint8_t flags, uint16_t wnd, unsigned hlen)
{
	net_put16(h, sport);
	net_put16(h + 2, dport);
	net_put32(h + 4, seq);
	net_put32(h + 8, ack);
	h[12] = (uint8_t)((hlen / 4) << 4);
	h[13] = flags;
	net_put16(h + 14, wnd);
	net_put16(h + 16, 0);
	net_put16(h + 18, 0);
}

/* The timestamps option (RFC 7323), 12 bytes with its padding. */
static unsigned
ts_option(const struct tcp_conn *c, uint8_t *p)
{
	p[0] = TCP_OPT_NOP;
	p[1] = TCP_OPT_NOP;
	p[2] = TCP_OPT_TS;
	p[3] = 10;
	net_put32(p + 4, tcp_ts_now(c->stack, c->ts_off));
	net_put32(p + 8, c->ts_recent);
	return TCP_TS_LEN;
}

/* The options of a SYN: MSS, window scale, SACK permitted, timestamps. */
static unsigned
syn_options(const struct tcp_conn *c, uint8_t *p)
{
	unsigned n = 4;

	p[0] = TCP_OPT_MSS;
	p[1] = 4;
	net_put16(p + 2, (uint16_t)(c->stack->cfg.mtu - 40));
	if (c->state == TCP_SYN_SENT || (c->flags & TF_WS_OK)) {
		p[n] = TCP_OPT_NOP;
		p[n + 1] = TCP_OPT_WS;
		p[n + 2] = 3;
		p[n + 3] = c->rcv_wscale;
		n += 4;
	}
	if (c->flags & TF_SACK_OK) {
		p[n] = TCP_OPT_NOP;
		p[n + 1] = TCP_OPT_NOP;
		p[n + 2] = TCP_OPT_SACK_OK;
		p[n + 3] = 2;
		n += 4;
	}
	if (c->flags & TF_TS_OK)
		n += ts_option(c, p + n);
	return n;
}

/*
 * Send one segment of c: seq, flags, and len bytes of the send ring
 * starting at seq.  SYNs carry their options, ACKs SACK blocks.
 */
void
tcp_xmit(struct tcp_conn *c, uint32_t seq, uint8_t flags, uint32_t len)
{
	struct tcp_stack *s = c->stack;
	struct net_buf *b;
	unsigned optlen = 0, hlen, room, cap = 40;
	uint16_t wnd;
	uint8_t *h, *p, opt[40];
	bool cut = false;

	b = net_buf_alloc(len);
	if (b == NULL) {
		s->stats.out_errs++;
		return; /* as if lost: the timers recover */
	}
	if (len > 0) {
		p = net_buf_put(b, len);
		tcp_ring_peek(&c->snd, seq - c->sb_seq, p, len);
	}
	if (flags & TH_SYN) {
		optlen = syn_options(c, opt);
	} else if ((flags & (TH_ACK | TH_RST)) == TH_ACK) {
		/* Timestamps are already out of snd_mss (tcp_input.c). */
		if (c->flags & TF_TS_OK) {
			optlen = ts_option(c, opt);
			cap -= TCP_TS_LEN;
		}
		/*
		 * Options come out of the MSS (RFC 6691): a full segment
		 * with SACK blocks would exceed the MTU and be dropped.
		 */
		room = len < c->snd_mss ? c->snd_mss - len : 0;
		optlen += tcp_sack_options(c, opt + optlen, MIN(room, cap),
		    &cut);
		if (room >= cap)
			cut = false; /* no segment could carry more */
	}
	hlen = TCP_HDR_LEN + optlen;
	h = net_buf_push(b, hlen);
	wnd = (uint16_t)tcp_rcv_window(c, (flags & TH_SYN) != 0);
	put_header(h, c->lport, c->rport, seq, (flags & TH_ACK) ?
	    c->rcv_nxt : 0, flags, wnd, hlen);
	memcpy(h + TCP_HDR_LEN, opt, optlen);
	if (flags & TH_ACK) {
		c->flags &= ~TF_ACKNOW;
		c->t_delack = 0;
		c->rcv_unacked = 0;
	}
	if (cut) {
		/* A pure ACK follows with all the blocks. */
		c->flags |= TF_ACKNOW;
		c->t_delack = MAX(s->now, 1);
		tcp_timer_on(c);
	}
	if (flags & TH_RST)
		s->stats.out_rsts++;
	if (len > c->snd_mss) {
		b->gso_size = c->snd_mss; /* the NIC cuts it (tso_max) */
		s->stats.out_tso_segs++;
	}
	s->stats.out_data_bytes += len;
	emit(s, b, c->laddr, c->raddr);
}

void
tcp_send_syn(struct tcp_conn *c)
{
	uint8_t flags = TH_SYN;

	if (c->state == TCP_SYN_RCVD)
		flags |= TH_ACK;
	if (c->snd_max != c->iss) {
		/* Again: Karn's rule, and RFC 5681's one-segment IW. */
		c->flags |= TF_SYN_REXMT;
		c->flags &= ~TF_RTT_TIMING;
		c->stack->stats.out_retrans++;
	} else {
		c->flags |= TF_RTT_TIMING;
		c->rtt_seq = c->iss;
		c->rtt_start = c->stack->now;
	}
	c->snd_nxt = c->snd_max = c->iss + 1;
	tcp_xmit(c, c->iss, flags, 0);
}

/* The sequence number of a pure ACK: one the peer will accept. */
static uint32_t
ack_seq(const struct tcp_conn *c)
{
	uint32_t edge = c->snd_una + c->snd_wnd;

	return SEQ_LEQ(c->snd_max, edge) ? c->snd_max : edge;
}

void
tcp_send_ack(struct tcp_conn *c)
{
	tcp_xmit(c, ack_seq(c), TH_ACK, 0);
}

void
tcp_send_rst(struct tcp_conn *c)
{
	tcp_xmit(c, c->snd_max, TH_RST | TH_ACK, 0);
}

void
tcp_challenge_ack(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;
	uint64_t sec = s->now / 1000000000ULL;

	if (sec != s->chal_second) {
		s->chal_second = sec;
		s->chal_count = 0;
	}
	if (s->chal_count >= CHALLENGE_PER_SEC)
		return;
	s->chal_count++;
	s->stats.challenge_acks++;
	tcp_send_ack(c);
}

/* Resend the segment at snd_una (fast retransmit); its length. */
uint32_t
tcp_retransmit_first(struct tcp_conn *c)
{
	uint32_t end = tcp_data_end(c), len = 0;
	uint8_t flags = TH_ACK;

	if (SEQ_LT(c->snd_una, end))
		len = MIN(end - c->snd_una, (uint32_t)c->snd_mss);
	else if (!(c->flags & TF_FIN_SENT))
		return 0;
	if (c->snd_una + len == end && (c->flags & TF_FIN_SENT))
		flags |= TH_FIN;
	c->flags &= ~TF_RTT_TIMING;
	c->stack->stats.out_retrans++;
	tcp_xmit(c, c->snd_una, flags, len);
	return len;
}

bool
tcp_fin_state(enum tcp_state st)
{
	return st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT ||
	    st == TCP_FIN_WAIT_1 || st == TCP_CLOSING || st == TCP_LAST_ACK;
}

/* Send the segment [snd_nxt, +len) (+FIN) and account for it. */
void
tcp_send_data(struct tcp_conn *c, uint32_t len, bool fin, uint32_t avail)
{
	struct tcp_stack *s = c->stack;
	uint8_t flags = TH_ACK;

	if (len > 0 && len == avail)
		flags |= TH_PSH;
	if (fin)
		flags |= TH_FIN;
	if (SEQ_LT(c->snd_nxt, c->snd_max)) {
		s->stats.out_retrans++;
		c->flags &= ~TF_RTT_TIMING; /* Karn */
	} else if (len > 0 && !(c->flags & TF_RTT_TIMING)) {
		c->flags |= TF_RTT_TIMING;
		c->rtt_seq = c->snd_nxt;
		c->rtt_start = s->now;
	}
	tcp_xmit(c, c->snd_nxt, flags, len);
	c->snd_nxt += len + (fin ? 1 : 0);
	if (SEQ_GT(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
	if (fin && !(c->flags & TF_FIN_SENT)) {
		c->flags |= TF_FIN_SENT;
		if (c->state == TCP_ESTABLISHED)
			tcp_set_state(c, TCP_FIN_WAIT_1);
		else if (c->state == TCP_CLOSE_WAIT)
			tcp_set_state(c, TCP_LAST_ACK);
	}
}

/*
 * The length of the next new segment: what the windows allow, up to
 * snd_mss, or with TSO whole snd_mss pieces up to tso_max; a piece
 * smaller than snd_mss at its end only where Nagle would let it go alone.
 */
static uint32_t
next_len(const struct tcp_conn *c, uint32_t avail, uint32_t usable,
    uint32_t flight)
{
	uint32_t mss = c->snd_mss, tso = c->stack->cfg.tso_max, len;

	len = MIN(MIN(avail, usable), MAX(tso - tso % mss, (uint32_t)mss));
	if (len > mss && (len < avail || !((c->flags & TF_NODELAY) ||
	    flight == 0 || (c->flags & TF_FIN_WANTED))))
		len -= len % mss;
	return len;
}

void
tcp_output(struct tcp_conn *c)
{
	uint32_t end, flight, avail, wnd, usable, len;
	bool fin, go;

	if (c->flags & TF_DEAD)
		return;
	if (c->state < TCP_ESTABLISHED) {
		if ((c->flags & TF_ACKNOW) && c->state == TCP_SYN_RCVD)
			tcp_send_ack(c);
		return;
	}
	if ((c->flags & (TF_RECOVERY | TF_SACK_OK)) ==
	    (TF_RECOVERY | TF_SACK_OK))
		tcp_sack_output(c);
	for (;;) {
		end = tcp_data_end(c);
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		flight = c->snd_nxt - c->snd_una;
		avail = SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
		wnd = c->cwnd;
		if (!(c->flags & TF_RECOVERY))
			wnd += MIN(c->dupacks, 2u) * c->snd_mss; /* RFC 3042 */
		wnd = MIN(c->snd_wnd, wnd);
		usable = wnd > flight ? wnd - flight : 0;
		len = next_len(c, avail, usable, flight);
		fin = (c->flags & TF_FIN_WANTED) && tcp_fin_state(c->state) &&
		    c->snd_nxt + len == end;
		go = false;
		if (len > 0) {
			if (len >= c->snd_mss)
				go = true;
			else if (len == avail && ((c->flags & TF_NODELAY) ||
			    flight == 0 || fin))
				go = true;
			else if (c->max_snd_wnd > 0 &&
			    len >= c->max_snd_wnd / 2)
				go = true;
			else if (SEQ_LT(c->snd_nxt, c->snd_max))
				go = true;
		} else if (fin && (avail == 0)) {
			go = true;
		}
		if (!go)
			break;
		tcp_send_data(c, len, fin, avail);
		if (c->t_rexmt == 0 || (c->flags & (TF_PERSIST | TF_TLP)))
			tcp_timer_arm_loss(c);
	}
	if (c->flags & TF_ACKNOW)
		tcp_send_ack(c);
	/* Data waits, nothing in flight to clock it out: probe. */
	if (c->t_rexmt == 0 && c->snd_una == c->snd_max &&
	    SEQ_LT(c->snd_nxt, tcp_data_end(c)))
		tcp_timer_arm_persist(c);
}

/*
 * The probe timeout fired (RFC 8985 7.3): one new segment if the peer's
 * window has room (cwnd notwithstanding), else the last one again.
 */
void
tcp_output_tlp(struct tcp_conn *c)
{
	uint32_t end = tcp_data_end(c), avail, room, len, start, dend;
	uint8_t flags = TH_ACK;
	bool fin;

	avail = SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
	room = SEQ_LT(c->snd_nxt, c->snd_una + c->snd_wnd) ?
	    c->snd_una + c->snd_wnd - c->snd_nxt : 0;
	if (avail > 0 && room > 0) {
		len = MIN(MIN(avail, room), (uint32_t)c->snd_mss);
		fin = (c->flags & TF_FIN_WANTED) && tcp_fin_state(c->state) &&
		    c->snd_nxt + len == end;
		tcp_send_data(c, len, fin, avail);
		return;
	}
	dend = SEQ_LT(c->snd_max, end) ? c->snd_max : end;
	start = dend - c->snd_una > c->snd_mss ? dend - c->snd_mss :
	    c->snd_una;
	if ((c->flags & TF_FIN_SENT) && c->snd_max == end + 1)
		flags |= TH_FIN;
	c->flags &= ~TF_RTT_TIMING;
	c->stack->stats.out_retrans++;
	tcp_xmit(c, start, flags, dend - start);
}

/*
 * The persist timer fired: send at least one byte past the window (a
 * zero-window probe, RFC 9293 3.8.6.1), or what a small window allows.
 */
void
tcp_output_force(struct tcp_conn *c)
{
	uint32_t end = tcp_data_end(c), avail, usable, flight, len;
	bool fin;

	if (SEQ_LT(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	avail = SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
	flight = c->snd_nxt - c->snd_una;
	usable = c->snd_wnd > flight ? c->snd_wnd - flight : 0;
	len = MIN(MIN(avail, MAX(usable, 1u)), (uint32_t)c->snd_mss);
	fin = (c->flags & TF_FIN_WANTED) && tcp_fin_state(c->state) &&
	    c->snd_nxt + len == end;
	if (len == 0 && !fin) {
		tcp_send_ack(c);
		return;
	}
	c->stack->stats.persist_probes++;
	tcp_send_data(c, len, fin, avail);
}

/*
 * Answer a segment that has no connection (RFC 9293 3.10.7.1), unless
 * it is itself an RST.
 */
void
tcp_respond_rst(struct tcp_stack *s, const struct tcp_seg *sg)
{
	struct net_buf *b;
	uint8_t *h;

	if (sg->flags & TH_RST)
		return;
	b = net_buf_alloc(0);
	if (b == NULL) {
		s->stats.out_errs++;
		return;
	}
	h = net_buf_push(b, TCP_HDR_LEN);
	if (sg->flags & TH_ACK)
		put_header(h, sg->dport, sg->sport, sg->ack, 0, TH_RST, 0,
		    TCP_HDR_LEN);
	else
		put_header(h, sg->dport, sg->sport, 0, sg->seq + sg->seqlen,
		    TH_RST | TH_ACK, 0, TCP_HDR_LEN);
	s->stats.out_rsts++;
	emit(s, b, sg->dst, sg->src);
}
