/*
 * tcp_receive.c: a segment for a synchronized connection (SYN_RCVD
 * onwards), in the order of RFC 9293 3.10.7.4: sequence check, RST,
 * SYN, ACK, data, FIN.
 *
 * With RFC 5961: an RST resets only if its sequence number is exactly
 * rcv_nxt (in the window: a challenge ACK; outside: ignored), a SYN
 * gets a challenge ACK, and an ACK must lie within a window's width of
 * snd_una.  RSTs in TIME_WAIT are ignored (RFC 1337).
 *
 * In-order data stays in its packet on the receive queue (tcp_rq.c)
 * or is copied to the receive ring, and is ACKed at once every second
 * full segment (within a batch, once at its end: tcp.h), else by the
 * delayed-ACK timer; data ahead of a hole goes to its place in the ring
 * (tcp_buf.c) and is answered by an immediate duplicate ACK, as is the
 * segment that fills a hole (RFC 5681 4.2).  A FIN ahead of a hole is remembered until the hole fills.
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"

/* RFC 9293 3.10.7.4: does any of the segment fall in the window? */
static bool
acceptable(const struct tcp_conn *c, const struct tcp_seg *sg, uint32_t wnd)
{
	uint32_t nxt = c->rcv_nxt, last;

	if (sg->seqlen == 0) {
		if (wnd == 0)
			return sg->seq == nxt;
		return SEQ_LEQ(nxt, sg->seq) && SEQ_LT(sg->seq, nxt + wnd);
	}
	if (wnd == 0)
		return false;
	last = sg->seq + sg->seqlen - 1;
	return (SEQ_LEQ(nxt, sg->seq) && SEQ_LT(sg->seq, nxt + wnd)) ||
	    (SEQ_LEQ(nxt, last) && SEQ_LT(last, nxt + wnd));
}

/* Cut what we already have and what lies beyond the window. */
static void
trim(struct tcp_conn *c, struct tcp_seg *sg, uint32_t wnd)
{
	uint32_t d, edge = c->rcv_nxt + wnd;

	if (SEQ_LT(sg->seq, c->rcv_nxt)) {
		d = MIN(c->rcv_nxt - sg->seq, sg->len);
		if (d > 0) {
			c->stack->stats.in_dup_segs++;
			c->flags |= TF_ACKNOW;
		}
		sg->data += d;
		sg->len -= d;
		sg->seq += d;
		if (SEQ_LT(sg->seq, c->rcv_nxt))
			sg->flags &= ~TH_FIN; /* that FIN is old too */
	}
	if (SEQ_GT(sg->seq + sg->len, edge)) {
		sg->len = SEQ_GT(edge, sg->seq) ? edge - sg->seq : 0;
		sg->flags &= ~TH_FIN;
	}
	sg->seqlen = sg->len + !!(sg->flags & TH_FIN);
}

static bool
fin_acked(const struct tcp_conn *c)
{
	return (c->flags & TF_FIN_SENT) && c->snd_una == c->snd_max;
}

static bool
orphan(const struct tcp_conn *c)
{
	return !(c->flags & TF_USER) && c->listener == NULL;
}

/* Step 5 for every synchronized state.  -1: stop processing. */
static int
process_ack(struct tcp_conn *c, struct tcp_seg *sg)
{
	struct tcp_stack *s = c->stack;
	uint32_t ack = sg->ack, neww, old, sacked;

	/* The peer is there: keep-alive waits again (tcp_keep.c). */
	c->ka_last = s->now;
	c->ka_probes = 0;
	if (SEQ_GT(ack, c->snd_max) ||
	    SEQ_LT(ack, c->snd_una - MAX(c->max_snd_wnd, 1u))) {
		s->stats.in_dropped++;
		tcp_send_ack(c);
		return -1;
	}
	neww = sg->syn_wnd ? c->snd_wnd : (uint32_t)sg->wnd << c->snd_wscale;
	sacked = tcp_sack_update(c, sg);
	if (SEQ_GT(ack, c->snd_una)) {
		tcp_ack_new(c, sg, ack - c->snd_una);
	} else if (ack == c->snd_una && c->snd_max != c->snd_una &&
	    ((sg->seqlen == 0 && neww == c->snd_wnd && neww > 0) ||
	    sacked > 0)) {
		tcp_ack_dup(c);
	}
	if (c->flags & TF_PERSIST)
		c->retries = 0; /* RFC 1122 4.2.2.17: answered, go on */
	if (!sg->syn_wnd && (SEQ_LT(c->snd_wl1, sg->seq) ||
	    (c->snd_wl1 == sg->seq && SEQ_LEQ(c->snd_wl2, ack)))) {
		old = c->snd_wnd;
		c->snd_wnd = neww;
		c->snd_wl1 = sg->seq;
		c->snd_wl2 = ack;
		c->max_snd_wnd = MAX(c->max_snd_wnd, neww);
		if (old == 0 && neww > 0 && (c->flags & TF_PERSIST)) {
			/* The window opened: back to normal sending. */
			c->flags &= ~TF_PERSIST;
			c->t_rexmt = 0;
			c->backoff = 0;
		}
	}
	switch (c->state) {
	case TCP_FIN_WAIT_1:
		if (fin_acked(c)) {
			tcp_set_state(c, TCP_FIN_WAIT_2);
			/* Everything acknowledged: a lingering close ends. */
			tcp_post(c, TE_WRITABLE);
			c->t_rexmt = 0;
			if (orphan(c))
				c->t_wait = s->now + TCP_FIN_WAIT_2_NS;
			tcp_timer_on(c);
		}
		break;
	case TCP_CLOSING:
		if (fin_acked(c))
			tcp_enter_time_wait(c);
		break;
	case TCP_LAST_ACK:
		if (fin_acked(c)) {
			tcp_drop(c, 0);
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/*
 * Put len bytes of sg's data in the ring, off bytes past rcv_nxt:
 * 0, or -1 when they could not be kept (dropped: as if lost).
 */
static int
store(struct tcp_conn *c, struct tcp_seg *sg, uint32_t off, uint32_t len)
{
	struct tcp_stack *s = c->stack;

	if (tcp_buf_reserve(c, &c->rcv, c->rcv.len + off + len) < 0) {
		/* Out of memory: as if lost; the sender will resend it. */
		s->stats.in_nomem++;
		return -1;
	}
	if (off == 0) {
		tcp_ring_put_at(&c->rcv, c->rcv.len, sg->data, len);
		tcp_ring_extend(&c->rcv, len);
		return 0;
	}
	if (tcp_ooo_add(&c->ooo, sg->seq, sg->seq + len) < 0) {
		s->stats.in_ooo_drops++;
		return -1;
	}
	s->stats.in_ooo_segs++;
	c->last_ooo = sg->seq;
	tcp_ring_put_at(&c->rcv, c->rcv.len + off, sg->data, len);
	return 0;
}

/* Step 7: take the payload.  -1 if the conn was reset. */
static int
receive_data(struct tcp_conn *c, struct tcp_seg *sg)
{
	struct tcp_stack *s = c->stack;
	uint32_t off, freesp, nxt, len = sg->len;
	bool filled_hole;

	if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 &&
	    c->state != TCP_FIN_WAIT_2)
		return 0; /* after their FIN: nothing more can come */
	if (orphan(c)) {
		/* Nobody will ever read it (RFC 9293 3.10.4). */
		tcp_send_rst(c);
		tcp_drop(c, -TORO_ECONNRESET);
		return -1;
	}
	off = sg->seq - c->rcv_nxt;
	freesp = c->rcv.cap - tcp_rcv_held(c);
	if (off >= freesp) {
		s->stats.in_dropped++;
		sg->flags &= ~TH_FIN;
		c->flags |= TF_ACKNOW;
		return 0;
	}
	if (len > freesp - off) {
		len = freesp - off;
		sg->flags &= ~TH_FIN;
	}
	if (len > c->rcv_mss)
		c->rcv_mss = (uint16_t)MIN(len, (uint32_t)s->cfg.mtu - 40);
	if ((off > 0 || !tcp_rq_take(c, sg, len)) &&
	    store(c, sg, off, len) < 0) {
		sg->flags &= ~TH_FIN;
		c->flags |= TF_ACKNOW;
		return 0;
	}
	sg->len = len;
	if (off > 0) {
		c->flags |= TF_ACKNOW; /* duplicate ACK: a hole */
		return 0;
	}
	c->rcv_nxt += len;
	filled_hole = c->ooo.n > 0;
	nxt = tcp_ooo_advance(&c->ooo, c->rcv_nxt);
	tcp_ring_extend(&c->rcv, nxt - c->rcv_nxt);
	c->rcv_nxt = nxt;
	tcp_post(c, TE_READABLE);
	c->rcv_unacked += len;
	if (filled_hole)
		c->flags |= TF_ACKNOW;
	else if (c->rcv_unacked >= 2 * (uint32_t)c->rcv_mss && s->batch)
		tcp_post(c, TE_ACK); /* one for the batch, at its end */
	else if (c->rcv_unacked >= 2 * (uint32_t)c->rcv_mss)
		c->flags |= TF_ACKNOW;
	else if (c->t_delack == 0)
		c->t_delack = s->now + TCP_DELACK_NS;
	tcp_timer_on(c);
	return 0;
}

/* Step 8: their FIN is next in sequence. */
static void
take_fin(struct tcp_conn *c)
{
	c->rcv_nxt++;
	c->flags |= TF_FIN_RCVD | TF_ACKNOW;
	c->flags &= ~TF_FIN_QUEUED;
	tcp_post(c, TE_READABLE);
	switch (c->state) {
	case TCP_ESTABLISHED:
		tcp_set_state(c, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT_1:
		if (fin_acked(c))
			tcp_enter_time_wait(c);
		else
			tcp_set_state(c, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT_2:
		tcp_enter_time_wait(c);
		break;
	default:
		break;
	}
}

/* SYN_RCVD -> ESTABLISHED on an acceptable ACK.  -1: stop. */
static int
syn_rcvd_ack(struct tcp_conn *c, struct tcp_seg *sg)
{
	struct tcp_stack *s = c->stack;

	if (SEQ_LEQ(sg->ack, c->snd_una) || SEQ_GT(sg->ack, c->snd_max)) {
		s->stats.in_dropped++;
		tcp_respond_rst(s, sg);
		return -1;
	}
	if (tcp_alloc_buffers(c) < 0) {
		s->stats.out_errs++;
		tcp_send_rst(c);
		tcp_drop(c, -TORO_ENOMEM);
		return -1;
	}
	c->snd_una = c->iss + 1;
	if ((c->flags & TF_RTT_TIMING) && SEQ_GT(sg->ack, c->rtt_seq)) {
		c->flags &= ~TF_RTT_TIMING;
		tcp_rtt_sample(c, s->now - c->rtt_start);
	}
	c->t_rexmt = 0;
	c->retries = 0;
	c->backoff = 0;
	if (!sg->syn_wnd) {
		c->snd_wnd = (uint32_t)sg->wnd << c->snd_wscale;
		c->snd_wl1 = sg->seq;
		c->snd_wl2 = sg->ack;
		c->max_snd_wnd = MAX(c->max_snd_wnd, c->snd_wnd);
	}
	tcp_established(c);
	return (c->flags & TF_DEAD) ? -1 : 0;
}

/* Step 2: an RST that passed the sequence check. */
static void
receive_rst(struct tcp_conn *c, const struct tcp_seg *sg)
{
	struct tcp_stack *s = c->stack;

	if (sg->seq != c->rcv_nxt || c->state == TCP_TIME_WAIT) {
		s->stats.in_rsts_ignored++;
		if (c->state != TCP_TIME_WAIT)
			tcp_challenge_ack(c);
		return;
	}
	s->stats.in_rsts++;
	if (c->state == TCP_SYN_RCVD) {
		/* A passive open goes back to LISTEN: forget the conn. */
		tcp_drop(c, -TORO_ECONNREFUSED);
		return;
	}
	s->stats.resets++;
	tcp_drop(c, -TORO_ECONNRESET);
}

void
tcp_input_sync(struct tcp_conn *c, struct tcp_seg *sg)
{
	struct tcp_stack *s = c->stack;
	uint32_t wnd;

	if (c->state == TCP_SYN_RCVD &&
	    (sg->flags & (TH_SYN | TH_RST)) == TH_SYN && sg->seq == c->irs) {
		if (!(sg->flags & TH_ACK)) {
			tcp_send_syn(c); /* our SYN-ACK was lost */
			return;
		}
		/* The SYN-ACK of a simultaneous open: its SYN we have. */
		sg->flags &= ~TH_SYN;
		sg->seq++;
		sg->seqlen--;
		sg->syn_wnd = true;
		c->flags |= TF_ACKNOW;
	}
	wnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	if (!acceptable(c, sg, wnd)) {
		if (sg->flags & TH_RST) {
			s->stats.in_rsts_ignored++;
			return;
		}
		if (wnd == 0 && sg->seq == c->rcv_nxt &&
		    (sg->flags & (TH_ACK | TH_SYN)) == TH_ACK) {
			/* A zero window still takes ACKs (3.10.7.4). */
			sg->len = 0;
			sg->flags &= ~TH_FIN;
			sg->seqlen = 0;
			c->flags |= TF_ACKNOW;
		} else {
			if (SEQ_LT(sg->seq, c->rcv_nxt))
				s->stats.in_dup_segs++;
			else
				s->stats.in_dropped++;
			if (c->state == TCP_TIME_WAIT &&
			    (sg->flags & TH_FIN))
				c->t_wait = s->now + TCP_TIME_WAIT_NS;
			tcp_timer_on(c);
			tcp_send_ack(c);
			return;
		}
	}
	if (sg->flags & TH_RST) {
		receive_rst(c, sg);
		return;
	}
	if (sg->flags & TH_SYN) {
		s->stats.in_dropped++;
		tcp_challenge_ack(c); /* RFC 5961 4.2 */
		return;
	}
	if (!(sg->flags & TH_ACK)) {
		s->stats.in_dropped++;
		return;
	}
	/* RFC 7323 4.3, with rcv_nxt for Last.ACK.sent. */
	if ((c->flags & TF_TS_OK) && sg->ts_ok &&
	    SEQ_GEQ(sg->tsval, c->ts_recent) && SEQ_LEQ(sg->seq, c->rcv_nxt))
		c->ts_recent = sg->tsval;
	trim(c, sg, wnd);
	if (c->state == TCP_SYN_RCVD && syn_rcvd_ack(c, sg) < 0)
		return;
	if (process_ack(c, sg) < 0 || (c->flags & TF_DEAD))
		return;
	if (sg->len > 0 && receive_data(c, sg) < 0)
		return;
	if ((sg->flags & TH_FIN) && !(c->flags & TF_FIN_RCVD) &&
	    SEQ_GEQ(sg->seq + sg->len, c->rcv_nxt)) {
		c->flags |= TF_FIN_QUEUED;
		c->rcv_fin_seq = sg->seq + sg->len;
	}
	if ((c->flags & TF_FIN_QUEUED) && c->rcv_fin_seq == c->rcv_nxt)
		take_fin(c);
	else if (c->flags & TF_FIN_QUEUED)
		c->flags |= TF_ACKNOW; /* a FIN ahead of a hole */
	if (c->state == TCP_TIME_WAIT && (sg->flags & TH_FIN))
		c->t_wait = s->now + TCP_TIME_WAIT_NS;
	tcp_timer_on(c);
	tcp_output(c);
}
