/*
 * tcp_cc.c: what an ACK means for the sender: the RTT estimate and RTO
 * (RFC 6298), and congestion control (RFC 5681) with NewReno fast
 * recovery (RFC 6582).
 *
 * RTT: one segment at a time is timed; a retransmission stops the
 * timing (Karn), so every sample is unambiguous.  RTO = SRTT +
 * max(G, 4 RTTVAR), at least 200 ms (a LAN kernel: RFC 6298's 1 s
 * minimum would make every loss cost a second), at most 60 s, doubled
 * per timeout.
 *
 * Windows: slow start below ssthresh (cwnd += min(acked, SMSS)),
 * congestion avoidance above it (one SMSS per cwnd of acknowledged
 * bytes).  Three duplicate ACKs (or SACK blocks showing the first
 * segment lost, tcp_sack.c) retransmit the first segment at once and
 * enter fast recovery, which lasts until everything sent before the
 * loss is ACKed.  With SACK the scoreboard picks what to resend; without
 * it, NewReno: partial ACKs resend the next hole, cwnd inflates with
 * each duplicate.
 * The first two duplicates each let one new segment out (limited
 * transmit, RFC 3042, in tcp_output.c), and a flight under four
 * segments needs fewer of them (early retransmit, RFC 5827).
 */
#include "core/net/tcp_impl.h"

#define CWND_MAX (1u << 30)

uint64_t
tcp_cur_rto(const struct tcp_conn *c)
{
	uint64_t rto = c->rto;
	uint32_t i;

	for (i = 0; i < c->backoff && rto < TCP_RTO_MAX_NS; i++)
		rto *= 2;
	return MIN(rto, TCP_RTO_MAX_NS);
}

void
tcp_rtt_sample(struct tcp_conn *c, uint64_t r)
{
	uint64_t delta, var;

	if (r == 0)
		r = 1;
	if (c->srtt == 0) {
		c->srtt = r;
		c->rttvar = r / 2;
	} else {
		delta = c->srtt > r ? c->srtt - r : r - c->srtt;
		c->rttvar = (3 * c->rttvar + delta) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
	}
	var = MAX(TCP_G_NS, 4 * c->rttvar);
	c->rto = MIN(MAX(c->srtt + var, TCP_RTO_MIN_NS), TCP_RTO_MAX_NS);
	c->backoff = 0;
}

void
tcp_cc_init(struct tcp_conn *c)
{
	uint32_t mss = c->snd_mss;

	/* RFC 5681 3.1: IW, but one segment if the SYN had to be resent. */
	if (c->flags & TF_SYN_REXMT) {
		c->cwnd = mss;
		if (c->rto < 3000000000ULL) /* RFC 6298 5.7 */
			c->rto = 3000000000ULL;
	} else {
		c->cwnd = MIN(4 * mss, MAX(2 * mss, 4380u));
	}
	c->ssthresh = CWND_MAX;
	c->bytes_acked = 0;
	c->dupacks = 0;
	c->recover = c->snd_una;
}

/*
 * The duplicate ACKs that mean a loss: 3, or with fewer than 4 segments
 * in flight and nothing new to send, one less than those (early
 * retransmit, RFC 5827): a small window never gets 3.
 */
uint32_t
tcp_dup_threshold(const struct tcp_conn *c)
{
	uint32_t flight = c->snd_max - c->snd_una, oseg;
	bool more;

	oseg = (flight + c->snd_mss - 1) / c->snd_mss;
	more = SEQ_LT(c->snd_max, tcp_data_end(c)) &&
	    SEQ_LT(c->snd_max, c->snd_una + c->snd_wnd);
	if (oseg >= 4 || more)
		return 3;
	return oseg > 1 ? oseg - 1 : 1;
}

/* A loss: resend the first segment, halve, and enter fast recovery. */
static void
enter_recovery(struct tcp_conn *c, uint32_t thresh)
{
	struct tcp_stack *s = c->stack;
	uint32_t mss = c->snd_mss, flight = c->snd_max - c->snd_una;

	c->ssthresh = MAX(flight / 2, 2 * mss);
	c->recover = c->snd_max;
	c->flags |= TF_RECOVERY;
	c->flags &= ~(TF_PARTIAL | TF_TLP);
	s->stats.fast_retrans++;
	if (thresh < 3)
		s->stats.early_retrans++;
	/* RFC 6675 4.3 and 5681 3.2: the first segment goes now. */
	c->rxt_high = c->snd_una + tcp_retransmit_first(c);
	c->rxt_mark = c->snd_max;
	if (c->flags & TF_SACK_OK)
		c->cwnd = c->ssthresh; /* the pipe does the rest */
	else
		c->cwnd = c->ssthresh + 3 * mss;
	tcp_timer_arm_rexmt(c);
}

static void
partial_ack(struct tcp_conn *c, uint32_t acked)
{
	uint32_t mss = c->snd_mss;

	c->stack->stats.partial_acks++;
	if (c->flags & TF_SACK_OK) {
		/*
		 * What was sent before the resent hole that just arrived
		 * and is still missing is lost, as NewReno reasons; the
		 * scoreboard says what else is.
		 */
		if (SEQ_LEQ(c->rxt_high, c->snd_una)) {
			c->rxt_high = c->snd_una + tcp_retransmit_first(c);
			c->rxt_mark = c->snd_max;
		}
	} else {
		/* NewReno: the next hole, deflate, stay (6582 3.2 4). */
		tcp_retransmit_first(c);
		c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
		if (acked >= mss)
			c->cwnd += mss;
		c->cwnd = MAX(c->cwnd, mss);
	}
	if (!(c->flags & TF_PARTIAL)) {
		c->flags |= TF_PARTIAL; /* "impatient": once only */
		tcp_timer_arm_rexmt(c);
	}
}

/* snd_una moves to sg->ack, acked bytes (SYN/FIN included) later. */
void
tcp_ack_new(struct tcp_conn *c, const struct tcp_seg *sg, uint32_t acked)
{
	struct tcp_stack *s = c->stack;
	uint32_t ack = sg->ack, n = 0, mss = c->snd_mss, flight, thresh;

	if ((c->flags & TF_RTT_TIMING) && SEQ_GT(ack, c->rtt_seq)) {
		c->flags &= ~TF_RTT_TIMING;
		tcp_rtt_sample(c, s->now - c->rtt_start);
	}
	if (SEQ_GT(ack, c->sb_seq)) {
		n = MIN(ack - c->sb_seq, c->snd.len);
		tcp_ring_drop(&c->snd, n);
		c->sb_seq += n;
		if (c->snd.len == 0)
			tcp_buf_release(c, &c->snd); /* all acknowledged */
	}
	c->snd_una = ack;
	if (SEQ_LT(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	tcp_ooo_trim(&c->sacked, ack);
	c->flags &= ~TF_TLP_SENT;
	c->backoff = 0;
	c->retries = 0;
	c->dupacks = 0;
	if (c->flags & TF_RECOVERY) {
		if (SEQ_GEQ(ack, c->recover)) {
			/* Full ACK: deflate (RFC 6582 3.2 step 3, option 1). */
			flight = c->snd_max - c->snd_una;
			c->cwnd = MIN(c->ssthresh, MAX(flight, mss) + mss);
			c->flags &= ~(TF_RECOVERY | TF_PARTIAL);
		} else {
			partial_ack(c, acked);
		}
	} else if (c->cwnd < c->ssthresh) {
		c->cwnd += MIN(acked, mss);
	} else {
		c->bytes_acked += acked;
		if (c->bytes_acked >= c->cwnd) {
			c->bytes_acked -= c->cwnd;
			c->cwnd += mss;
		}
	}
	c->cwnd = MIN(c->cwnd, CWND_MAX);
	if (c->snd_una == c->snd_max) {
		c->t_rexmt = 0; /* RFC 6298 5.2 */
		c->flags &= ~(TF_PERSIST | TF_TLP);
	} else if (!(c->flags & TF_RECOVERY)) {
		thresh = tcp_dup_threshold(c);
		if (SEQ_GEQ(c->snd_una, c->recover) &&
		    tcp_sack_loss(c, thresh))
			enter_recovery(c, thresh); /* progress, yet holes */
		else
			tcp_timer_arm_loss(c); /* 5.3, or a probe first */
	}
	if (n > 0 && (c->flags & TF_WANT_WRITE)) {
		c->flags &= ~TF_WANT_WRITE;
		tcp_post(c, TE_WRITABLE);
	}
}

/*
 * A duplicate ACK (RFC 5681 2; with SACK, any ACK that SACKs new data
 * and moves nothing).
 */
void
tcp_ack_dup(struct tcp_conn *c)
{
	uint32_t thresh;

	c->dupacks++;
	if (c->flags & TF_RECOVERY) {
		if (!(c->flags & TF_SACK_OK)) /* NewReno inflates */
			c->cwnd = MIN(c->cwnd + c->snd_mss, CWND_MAX);
		return;
	}
	if (SEQ_LT(c->snd_una, c->recover))
		return; /* not twice for one window (RFC 6582 4.1) */
	thresh = tcp_dup_threshold(c);
	if (c->dupacks >= thresh || tcp_sack_loss(c, thresh))
		enter_recovery(c, thresh);
}

/* The retransmission timer fired (RFC 5681 3.1 eq. 4, RFC 6298 5.5). */
void
tcp_cc_timeout(struct tcp_conn *c)
{
	uint32_t mss = c->snd_mss, flight = c->snd_max - c->snd_una;

	if (c->backoff == 0)
		c->ssthresh = MAX(flight / 2, 2 * mss);
	c->cwnd = mss;
	c->bytes_acked = 0;
	c->dupacks = 0;
	c->flags &= ~(TF_RECOVERY | TF_PARTIAL | TF_RTT_TIMING | TF_TLP |
	    TF_TLP_SENT);
	c->recover = c->snd_max;
	c->sacked.n = 0; /* RFC 2018 8: the receiver may have reneged */
	c->rxt_high = c->snd_una;
	c->snd_nxt = c->snd_una; /* go back N */
}
