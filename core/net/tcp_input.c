/*
 * tcp_input.c: segments in: validation, demux, and the two states that
 * are not yet synchronized (LISTEN and SYN_SENT, RFC 9293 3.10.7.2-3).
 * The synchronized states are in tcp_receive.c, TIME_WAIT records in
 * tcp_tw.c, SYN cookies in tcp_cookie.c.
 *
 * Nothing from the wire is trusted: the length, checksum (with the
 * pseudo-header; unless the NIC verified it), data offset and every
 * option are checked before use, and a segment failing any check is
 * dropped and counted.  A SYN to a
 * listener creates a half-open conn that owns no buffers and counts
 * against the listener's backlog and the stack's connection limit; past
 * the backlog, or when half-open conns fill the table, it is answered
 * with a SYN cookie and costs nothing, so a SYN flood costs a bounded
 * amount of memory and legitimate clients still get through.  Past the accept queue or the stack's limits a SYN
 * is dropped silently: the peer sends it again 1, 3, 7... s later, by
 * when connections may have closed, and a refusal needs no answer that
 * a spoofed flood would turn into backscatter.
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"

static void
parse_sack(struct tcp_seg *sg, const uint8_t *p, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && sg->nsack < TCP_SACK_BLOCKS; i++) {
		sg->sack[sg->nsack][0] = net_get32(p + 8 * i);
		sg->sack[sg->nsack][1] = net_get32(p + 8 * i + 4);
		sg->nsack++;
	}
}

/* Options: structure errors reject the segment; odd values are ignored. */
static int
parse_options(struct tcp_seg *sg, const uint8_t *p, unsigned n)
{
	unsigned i = 0, olen;

	while (i < n) {
		if (p[i] == TCP_OPT_EOL)
			break;
		if (p[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			return -1; /* kind without a length */
		olen = p[i + 1];
		if (olen < 2 || olen > n - i)
			return -1; /* overruns the header */
		if (p[i] == TCP_OPT_MSS && olen == 4)
			sg->mss = net_get16(p + i + 2);
		else if (p[i] == TCP_OPT_WS && olen == 3)
			sg->wscale = MIN(p[i + 2], TCP_MAX_WS);
		else if (p[i] == TCP_OPT_SACK_OK && olen == 2)
			sg->sack_ok = true;
		else if (p[i] == TCP_OPT_SACK && olen >= 10 &&
		    (olen - 2) % 8 == 0)
			parse_sack(sg, p + i + 2, (olen - 2) / 8);
		else if (p[i] == TCP_OPT_TS && olen == 10) {
			sg->ts_ok = true;
			sg->tsval = net_get32(p + i + 2);
			sg->tsecr = net_get32(p + i + 6);
		}
		i += olen;
	}
	return 0;
}

static bool
bad_address(uint32_t a)
{
	return a == 0 || a == 0xffffffff || (a >> 28) == 0xe;
}

/* Validate b into sg; 0 if it may be processed. */
static int
parse(struct tcp_stack *s, struct net_buf *b, uint32_t src, uint32_t dst,
    struct tcp_seg *sg)
{
	const uint8_t *h = b->data;
	size_t len = b->len;
	unsigned off;

	if (len < TCP_HDR_LEN || len > 65535) {
		s->stats.in_hdr_errs++;
		return -1;
	}
	if (b->csum != NET_CSUM_OK && net_csum_fold(net_csum_add(
	    net_csum_pseudo(src, dst, NET_PROTO_TCP, (uint16_t)len), h,
	    len)) != 0) {
		s->stats.in_csum_errs++;
		return -1;
	}
	off = (unsigned)(h[12] >> 4) * 4;
	memset(sg, 0, sizeof(*sg));
	sg->mss = -1;
	sg->wscale = -1;
	if (off < TCP_HDR_LEN || off > len ||
	    parse_options(sg, h + TCP_HDR_LEN, off - TCP_HDR_LEN) < 0) {
		s->stats.in_hdr_errs++;
		return -1;
	}
	sg->src = src;
	sg->dst = dst;
	sg->sport = net_get16(h);
	sg->dport = net_get16(h + 2);
	sg->seq = net_get32(h + 4);
	sg->ack = net_get32(h + 8);
	sg->flags = h[13] & 0x3f;
	sg->wnd = net_get16(h + 14);
	sg->data = h + off;
	sg->len = (uint32_t)(len - off);
	sg->seqlen = sg->len + !!(sg->flags & TH_SYN) +
	    !!(sg->flags & TH_FIN);
	if (sg->sport == 0 || sg->dport == 0 || bad_address(src) ||
	    bad_address(dst)) {
		s->stats.in_dropped++;
		return -1;
	}
	return 0;
}

uint16_t
tcp_clamp_mss(const struct tcp_stack *s, int opt)
{
	uint32_t mss = opt < 0 ? TCP_DEFAULT_MSS : (uint32_t)opt;

	mss = MIN(mss, (uint32_t)s->cfg.mtu - 40);
	return (uint16_t)MAX(mss, (uint32_t)TCP_MIN_MSS);
}

/* The options of the peer's SYN. */
void
tcp_take_syn_options(struct tcp_conn *c, const struct tcp_seg *sg)
{
	c->snd_mss = tcp_clamp_mss(c->stack, sg->mss);
	if (sg->ts_ok && (c->flags & TF_TS_OK) && !c->stack->cfg.nots) {
		c->ts_recent = sg->tsval;
		/* Every segment carries them: they come out of the MSS. */
		c->snd_mss = (uint16_t)MAX(c->snd_mss - TCP_TS_LEN,
		    TCP_MIN_MSS);
	} else {
		c->flags &= ~TF_TS_OK;
	}
	c->rcv_mss = c->snd_mss;
	if (!sg->sack_ok || c->stack->cfg.nosack)
		c->flags &= ~TF_SACK_OK;
	if (sg->wscale >= 0 && (c->flags & TF_WS_OK)) {
		c->snd_wscale = (uint8_t)sg->wscale;
	} else {
		c->flags &= ~TF_WS_OK;
		c->snd_wscale = 0;
		c->rcv_wscale = 0;
	}
	c->snd_wnd = sg->wnd; /* unscaled in a SYN */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = sg->seq;
	c->snd_wl2 = sg->ack;
}

/*
 * A half-open conn for the SYN sg (or what a cookie remembers of it),
 * our ISN iss, on l's half-open queue; NULL at the stack's limits.
 */
struct tcp_conn *
tcp_passive_conn(struct tcp_conn *l, const struct tcp_seg *sg,
    uint32_t iss)
{
	struct tcp_stack *s = l->stack;
	struct tcp_conn *c;

	c = tcp_conn_alloc(s, TCP_CONN_HEADROOM);
	if (c == NULL)
		return NULL;
	if (tcp_keep_inherit(c, l) < 0) {
		tcp_conn_destroy(c);
		return NULL;
	}
	c->listener = l;
	list_push_back(&l->halfq, &c->qlink);
	l->nqueued++;
	l->nhalf++;
	c->laddr = sg->dst;
	c->lport = sg->dport;
	c->raddr = sg->src;
	c->rport = sg->sport;
	tcp_port_ref(s, c->lport, 1);
	c->sndbuf = l->sndbuf;
	c->rcvbuf = l->rcvbuf;
	c->flags |= (l->flags & TF_NODELAY) | TF_HALF | TF_WS_OK |
	    TF_SACK_OK | TF_TS_OK;
	tcp_choose_wscale(c);
	c->irs = sg->seq;
	c->rcv_nxt = sg->seq + 1; /* data and FIN on a SYN wait for later */
	c->ts_off = tcp_ts_offset(s, c->laddr, c->lport, c->raddr,
	    c->rport);
	tcp_take_syn_options(c, sg);
	c->iss = iss;
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sb_seq = c->iss + 1;
	c->recover = c->iss;
	tcp_set_state(c, TCP_SYN_RCVD);
	tcp_hash_insert(c);
	s->stats.passive_opens++;
	return c;
}

/* An ACK for a listener: the end of a cookie handshake, or stray. */
static void
listen_ack(struct tcp_conn *l, const struct tcp_seg *sg)
{
	struct tcp_stack *s = l->stack;
	struct tcp_seg seg = *sg;
	struct tcp_conn *c;
	int r;

	seg.buf = NULL; /* the packet stays the caller's: its data is copied */
	if (s->now < l->cookies_until && !(sg->flags & TH_SYN)) {
		r = tcp_cookie_check(l, sg, &c);
		if (r > 0)
			tcp_input_sync(c, &seg);
		if (r != 0)
			return; /* < 0: valid, but no room; the peer retries */
	}
	s->stats.in_dropped++;
	tcp_respond_rst(s, sg);
}

void
tcp_input_listen(struct tcp_conn *l, const struct tcp_seg *sg)
{
	struct tcp_stack *s = l->stack;
	struct tcp_conn *c;

	if (sg->flags & TH_RST)
		return;
	if (sg->flags & TH_ACK) {
		listen_ack(l, sg);
		return;
	}
	if (!(sg->flags & TH_SYN)) {
		s->stats.in_dropped++;
		return;
	}
	if (l->nqueued - l->nhalf >= l->backlog) {
		s->stats.syn_drops++; /* the application is behind */
		return;
	}
	if (l->nhalf >= l->backlog) {
		tcp_cookie_send(l, sg);
		return;
	}
	c = tcp_passive_conn(l, sg, tcp_isn(s, sg->dst, sg->dport, sg->src,
	    sg->sport));
	if (c == NULL && s->stats.states[TCP_SYN_RCVD] > 0) {
		/* Half-open conns fill the table: one may make room. */
		tcp_cookie_send(l, sg);
		return;
	}
	if (c == NULL) {
		s->stats.syn_drops++;
		return;
	}
	tcp_send_syn(c);
	tcp_timer_arm_rexmt(c);
}

void
tcp_input_syn_sent(struct tcp_conn *c, const struct tcp_seg *sg)
{
	struct tcp_stack *s = c->stack;
	bool ackok = false;

	if (sg->flags & TH_ACK) {
		if (SEQ_LEQ(sg->ack, c->iss) || SEQ_GT(sg->ack, c->snd_max)) {
			s->stats.in_dropped++;
			tcp_respond_rst(s, sg);
			return;
		}
		ackok = true;
	}
	if (sg->flags & TH_RST) {
		if (ackok) {
			s->stats.in_rsts++;
			tcp_drop(c, -TORO_ECONNREFUSED);
		} else {
			s->stats.in_rsts_ignored++;
		}
		return;
	}
	if (!(sg->flags & TH_SYN)) {
		s->stats.in_dropped++;
		return;
	}
	c->irs = sg->seq;
	c->rcv_nxt = sg->seq + 1;
	c->rcv_adv = c->rcv_nxt + MIN(c->rcvbuf, 65535u);
	c->flags |= TF_WS_OK;
	tcp_take_syn_options(c, sg);
	if (!ackok) {
		/* Simultaneous open (RFC 9293 figure 7): SYN-ACK ours. */
		tcp_set_state(c, TCP_SYN_RCVD);
		c->snd_max = c->iss; /* the SYN-ACK is not a retransmission */
		tcp_send_syn(c);
		return;
	}
	c->snd_una = sg->ack;
	if ((c->flags & TF_RTT_TIMING) && SEQ_GT(sg->ack, c->rtt_seq)) {
		c->flags &= ~TF_RTT_TIMING;
		tcp_rtt_sample(c, s->now - c->rtt_start);
	}
	c->t_rexmt = 0;
	c->retries = 0;
	c->backoff = 0;
	c->flags |= TF_ACKNOW;
	tcp_established(c);
	if (sg->len > 0 || (sg->flags & TH_FIN)) {
		/* Data on the SYN-ACK: the rest as in ESTABLISHED. */
		struct tcp_seg rest = *sg;

		rest.flags &= ~TH_SYN;
		rest.seq++;
		rest.seqlen--;
		rest.syn_wnd = true;
		rest.buf = NULL;
		tcp_input_sync(c, &rest);
	}
}

void
tcp_input(struct tcp_stack *s, struct net_buf *b, uint32_t src,
    uint32_t dst)
{
	struct tcp_seg sg;
	struct tcp_conn *c, *l;
	struct tcp_tw *tw;

	tcp_enter(s);
	s->stats.in_segs++;
	if (parse(s, b, src, dst, &sg) < 0) {
		net_buf_free(b);
		tcp_leave(s);
		return;
	}
	sg.buf = b; /* the receive queue may keep it */
	c = tcp_lookup(s, dst, sg.dport, src, sg.sport);
	if (c == NULL && (tw = tcp_tw_lookup(s, dst, sg.dport, src,
	    sg.sport)) != NULL && !tcp_tw_input(s, tw, &sg))
		goto out;
	if (c != NULL && c->state == TCP_TIME_WAIT &&
	    (sg.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    SEQ_GT(sg.seq, c->rcv_nxt) &&
	    tcp_lookup_listener(s, dst, sg.dport) != NULL) {
		/* A new incarnation (RFC 9293 3.6.1): end TIME_WAIT. */
		s->stats.time_wait_reuse++;
		tcp_drop(c, 0);
		c = NULL;
	}
	if (c == NULL) {
		l = tcp_lookup_listener(s, dst, sg.dport);
		if (l != NULL) {
			tcp_input_listen(l, &sg);
		} else {
			s->stats.in_no_conn++;
			tcp_respond_rst(s, &sg);
		}
	} else if (c->state == TCP_SYN_SENT) {
		tcp_input_syn_sent(c, &sg);
	} else {
		tcp_input_sync(c, &sg);
	}
out:
	net_buf_free(sg.buf);
	tcp_leave(s);
}
