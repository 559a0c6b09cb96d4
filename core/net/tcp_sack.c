/*
 * tcp_sack.c: selective acknowledgments (RFC 2018) and the loss
 * recovery that uses them (RFC 6675, conservative and simplified).
 *
 * Receiving: our ACKs carry up to four blocks of the out-of-order data
 * the receive ring holds, the block with the latest arrival first.
 *
 * Sending: the peer's blocks above snd_una go into a scoreboard (a
 * bounded range set; blocks beyond its slots are ignored, which only
 * costs retransmissions).  A hole is lost once more than DupThresh - 1
 * segments' worth of data above it is SACKed, or DupThresh blocks lie
 * above it (IsLost of RFC 6675), or the tail loss probe was SACKed.  In
 * recovery cwnd is not inflated: the "pipe", the bytes believed still
 * in the network, limits sending, lost holes first and new data after.
 * A retransmission counts as lost, and goes again, once data sent after
 * it is SACKed while its hole stays open (RFC 6675 leaves that to the
 * RTO).  An RTO forgets the scoreboard.
 */
#include "core/net/tcp_impl.h"

/*
 * The SACK option of an ACK, in at most room bytes; *cut says whether
 * blocks were left out for want of room.
 */
unsigned
tcp_sack_options(const struct tcp_conn *c, uint8_t *p, unsigned room,
    bool *cut)
{
	unsigned n = 0, i, first = TCP_OOO_RANGES, max;
	const struct tcp_ooo *q = &c->ooo;

	*cut = false;
	if (!(c->flags & TF_SACK_OK) || q->n == 0)
		return 0;
	max = room >= 12 ? MIN((room - 4) / 8, TCP_SACK_BLOCKS) : 0;
	*cut = max < MIN(q->n, TCP_SACK_BLOCKS);
	if (max == 0)
		return 0;
	for (i = 0; i < q->n; i++)
		if (SEQ_LEQ(q->r[i].start, c->last_ooo) &&
		    SEQ_LT(c->last_ooo, q->r[i].end))
			first = i;
	p[0] = TCP_OPT_NOP;
	p[1] = TCP_OPT_NOP;
	p[2] = TCP_OPT_SACK;
	if (first < q->n) {
		net_put32(p + 4, q->r[first].start);
		net_put32(p + 8, q->r[first].end);
		n = 1;
	}
	for (i = 0; i < q->n && n < max; i++) {
		if (i == first)
			continue;
		net_put32(p + 4 + 8 * n, q->r[i].start);
		net_put32(p + 8 + 8 * n, q->r[i].end);
		n++;
	}
	p[3] = (uint8_t)(2 + 8 * n);
	return 4 + 8 * n;
}

static uint32_t
sacked_bytes(const struct tcp_ooo *q)
{
	uint32_t i, sum = 0;

	for (i = 0; i < q->n; i++)
		sum += q->r[i].end - q->r[i].start;
	return sum;
}

/* Take the blocks of an ACK; returns the bytes newly SACKed. */
uint32_t
tcp_sack_update(struct tcp_conn *c, const struct tcp_seg *sg)
{
	uint32_t before, i, s, e;

	if (!(c->flags & TF_SACK_OK) || sg->nsack == 0)
		return 0;
	before = sacked_bytes(&c->sacked);
	for (i = 0; i < sg->nsack; i++) {
		s = sg->sack[i][0];
		e = sg->sack[i][1];
		/* Only blocks within what is outstanding (RFC 2018 8). */
		if (!SEQ_LT(s, e) || SEQ_LEQ(e, sg->ack) ||
		    SEQ_LEQ(e, c->snd_una) || SEQ_GT(e, c->snd_max))
			continue;
		if (SEQ_LT(s, c->snd_una))
			s = c->snd_una;
		c->stack->stats.sack_blocks_in++;
		(void)tcp_ooo_add(&c->sacked, s, e);
	}
	tcp_ooo_trim(&c->sacked, SEQ_GT(sg->ack, c->snd_una) ? sg->ack :
	    c->snd_una);
	return sacked_bytes(&c->sacked) - MIN(before,
	    sacked_bytes(&c->sacked));
}

/* Is the hole below range k lost?  sack_above: bytes SACKed from k on. */
static bool
hole_lost(const struct tcp_conn *c, uint32_t k, uint32_t sack_above,
    uint32_t thresh)
{
	return sack_above > (thresh - 1) * (uint32_t)c->snd_mss ||
	    c->sacked.n - k >= thresh;
}

/*
 * Is the segment at snd_una lost, by the SACK rule (`thresh` is the
 * DupThresh in force), or because the tail loss probe, sent after it,
 * was SACKed (RFC 8985's reasoning, without its timestamps)?
 */
bool
tcp_sack_loss(const struct tcp_conn *c, uint32_t thresh)
{
	const struct tcp_ooo *q = &c->sacked;

	if (!(c->flags & TF_SACK_OK) || q->n == 0)
		return false;
	if ((c->flags & TF_TLP_SENT) && q->r[q->n - 1].end == c->snd_max)
		return true;
	return hole_lost(c, 0, sacked_bytes(q), thresh);
}

/*
 * A retransmission is lost if data sent after it was SACKed while the
 * lowest resent hole is still missing: resend that hole once more
 * (RFC 6675 would wait for the RTO).
 */
static void
lost_retransmission(struct tcp_conn *c)
{
	const struct tcp_ooo *q = &c->sacked;
	uint32_t len;

	if (q->n == 0 || !SEQ_LT(c->snd_una, c->rxt_high) ||
	    !SEQ_GT(q->r[q->n - 1].end, c->rxt_mark) ||
	    !SEQ_LT(c->snd_una, q->r[0].start))
		return;
	len = MIN(q->r[0].start - c->snd_una, (uint32_t)c->snd_mss);
	c->stack->stats.lost_rexmits++;
	c->stack->stats.out_retrans++;
	c->rxt_mark = c->snd_max;
	c->flags &= ~TF_RTT_TIMING;
	tcp_xmit(c, c->snd_una, TH_ACK, len);
}

/*
 * Recovery's pipe (RFC 6675 SetPipe) and the next lost bytes to send
 * (NextSeg rule 1): *len 0 if none.
 */
static uint32_t
pipe_and_next(const struct tcp_conn *c, uint32_t thresh, uint32_t *seq,
    uint32_t *len)
{
	const struct tcp_ooo *q = &c->sacked;
	uint32_t above[TCP_OOO_RANGES + 1], pipe, k, hs, he, from;

	above[q->n] = 0;
	for (k = q->n; k > 0; k--)
		above[k - 1] = above[k] + q->r[k - 1].end - q->r[k - 1].start;
	pipe = c->snd_max - c->snd_una - above[0];
	*len = 0;
	for (k = 0; k < q->n; k++) {
		hs = k == 0 ? c->snd_una : q->r[k - 1].end;
		he = q->r[k].start;
		if (!SEQ_LT(hs, he) || !hole_lost(c, k, above[k], thresh))
			continue;
		from = SEQ_GT(c->rxt_high, hs) ? c->rxt_high : hs;
		if (!SEQ_LT(from, he))
			continue; /* resent: counts as in the network */
		/* Lost and not yet resent: not in the network. */
		pipe = pipe > he - from ? pipe - (he - from) : 0;
		if (*len == 0) {
			*seq = from;
			*len = MIN(he - from, (uint32_t)c->snd_mss);
		}
	}
	return pipe;
}

/* Send what recovery allows: lost holes, then new data. */
void
tcp_sack_output(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;
	uint32_t thresh = tcp_dup_threshold(c), pipe, seq = 0, len, end;
	uint32_t avail, room, mss = c->snd_mss;
	bool fin;

	lost_retransmission(c);
	for (;;) {
		pipe = pipe_and_next(c, thresh, &seq, &len);
		if (pipe + mss > c->cwnd)
			return;
		if (len > 0) {
			c->rxt_high = seq + len;
			c->rxt_mark = c->snd_max;
			c->flags &= ~TF_RTT_TIMING;
			s->stats.out_retrans++;
			s->stats.sack_rexmits++;
			tcp_xmit(c, seq, TH_ACK, len);
			continue;
		}
		end = tcp_data_end(c);
		avail = SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
		room = SEQ_LT(c->snd_nxt, c->snd_una + c->snd_wnd) ?
		    c->snd_una + c->snd_wnd - c->snd_nxt : 0;
		if (avail == 0 || room == 0)
			return;
		len = MIN(MIN(avail, room), mss);
		fin = (c->flags & TF_FIN_WANTED) && tcp_fin_state(c->state) &&
		    c->snd_nxt + len == end;
		tcp_send_data(c, len, fin, avail);
	}
}
