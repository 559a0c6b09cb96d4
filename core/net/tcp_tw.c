/*
 * tcp_tw.c: TIME_WAIT records (RFC 9293 3.6.1, RFC 6191).
 *
 * Interface (tcp_impl.h): tcp_tw_enter() turns an ownerless conn in
 * TIME_WAIT into a record and frees the conn; tcp_tw_lookup() finds a
 * record by 4-tuple; tcp_tw_input() answers a segment for one;
 * tcp_tw_expire() ends the records whose 2 MSL are over.
 *
 * Rules: a record is a few dozen bytes against a conn's hundreds plus
 * buffers, and it is not a connection: it does not count in max_conns
 * or in the memory charge.  The records have their own bound
 * (max_time_wait); when it is reached the oldest record is ended early
 * (as Linux does), which is the one closest to its end anyway.  Records
 * sit in a hash by 4-tuple and in one FIFO by expiry: every record
 * waits the same 2 MSL, so the FIFO is sorted and expiry is O(1).
 * A retransmitted FIN is ACKed and restarts the wait; an RST is
 * ignored (RFC 1337); a SYN may open a new incarnation (see
 * syn_acceptable()); anything else gets an ACK.
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"
#include "toro/mem.h"

int
tcp_tw_init(struct tcp_stack *s)
{
	uint32_t i, n = 64;

	while (n < s->cfg.max_time_wait / 2 && n < (1u << 16))
		n <<= 1;
	s->tw_hash = toro_calloc(n, sizeof(*s->tw_hash));
	if (s->tw_hash == NULL)
		return -TORO_ENOMEM;
	s->tw_mask = n - 1;
	for (i = 0; i < n; i++)
		list_init(&s->tw_hash[i]);
	list_init(&s->tw_fifo);
	return 0;
}

static void
tw_free(struct tcp_stack *s, struct tcp_tw *tw)
{
	list_remove(&tw->hlink);
	list_remove(&tw->qlink);
	tcp_port_ref(s, tw->lport, -1);
	s->stats.time_wait--;
	s->stats.states[TCP_TIME_WAIT]--;
	toro_free(tw);
}

void
tcp_tw_free_all(struct tcp_stack *s)
{
	struct list *l;

	if (s->tw_hash == NULL)
		return;
	while ((l = s->tw_fifo.next) != &s->tw_fifo)
		tw_free(s, container_of(l, struct tcp_tw, qlink));
	toro_free(s->tw_hash);
	s->tw_hash = NULL;
}

void
tcp_tw_enter(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;
	struct tcp_tw *tw;
	uint32_t h;

	if (s->stats.time_wait >= s->cfg.max_time_wait &&
	    s->tw_fifo.next != &s->tw_fifo) {
		s->stats.time_wait_recycled++;
		tw_free(s, container_of(s->tw_fifo.next, struct tcp_tw,
		    qlink));
	}
	tw = toro_malloc(sizeof(*tw));
	if (tw != NULL) {
		tw->laddr = c->laddr;
		tw->raddr = c->raddr;
		tw->lport = c->lport;
		tw->rport = c->rport;
		tw->snd_nxt = c->snd_max;
		tw->rcv_nxt = c->rcv_nxt;
		tw->ts = (c->flags & TF_TS_OK) != 0;
		tw->ts_recent = c->ts_recent;
		tw->ts_off = c->ts_off;
		tw->wnd = (uint16_t)tcp_rcv_window(c, false);
		tw->expire = c->t_wait != 0 ? c->t_wait :
		    s->now + TCP_TIME_WAIT_NS;
		s->next_timer = MIN(s->next_timer, tw->expire);
		h = tcp_tuple_hash(s, tw->laddr, tw->lport, tw->raddr,
		    tw->rport) & s->tw_mask;
		list_push_back(&s->tw_hash[h], &tw->hlink);
		list_push_back(&s->tw_fifo, &tw->qlink);
		tcp_port_ref(s, tw->lport, 1);
		s->stats.time_wait++;
		s->stats.states[TCP_TIME_WAIT]++;
	}
	/* Without memory for a record, TIME_WAIT is simply cut short. */
	tcp_conn_destroy(c);
}

struct tcp_tw *
tcp_tw_lookup(struct tcp_stack *s, uint32_t laddr, uint16_t lport,
    uint32_t raddr, uint16_t rport)
{
	struct list *b, *l;
	struct tcp_tw *tw;

	b = &s->tw_hash[tcp_tuple_hash(s, laddr, lport, raddr, rport) &
	    s->tw_mask];
	for (l = b->next; l != b; l = l->next) {
		tw = container_of(l, struct tcp_tw, hlink);
		if (tw->lport == lport && tw->rport == rport &&
		    tw->laddr == laddr && tw->raddr == raddr)
			return tw;
	}
	return NULL;
}

/*
 * May a SYN start a new incarnation?  RFC 6191: if the old connection
 * used timestamps and the SYN has one, it must be newer than the last
 * seen; otherwise (RFC 9293 3.6.1, RFC 1122 4.2.2.13) its ISN must lie
 * above everything the old connection received.
 */
static bool
syn_acceptable(const struct tcp_tw *tw, const struct tcp_seg *sg)
{
	if (tw->ts && sg->ts_ok)
		return SEQ_GT(sg->tsval, tw->ts_recent);
	return SEQ_GT(sg->seq, tw->rcv_nxt);
}

/* A conn on the stack that stands for tw, for tcp_xmit(). */
static void
tw_conn(struct tcp_stack *s, const struct tcp_tw *tw, struct tcp_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->stack = s;
	c->state = TCP_TIME_WAIT;
	c->laddr = tw->laddr;
	c->raddr = tw->raddr;
	c->lport = tw->lport;
	c->rport = tw->rport;
	c->snd_una = c->snd_nxt = c->snd_max = tw->snd_nxt;
	c->rcv_nxt = tw->rcv_nxt;
	c->rcv_adv = tw->rcv_nxt + tw->wnd; /* the field, unscaled */
	c->ts_recent = tw->ts_recent;
	c->ts_off = tw->ts_off;
	if (tw->ts)
		c->flags |= TF_TS_OK;
}

static void
tw_ack(struct tcp_stack *s, struct tcp_tw *tw, bool challenge)
{
	struct tcp_conn c;

	tw_conn(s, tw, &c);
	if (challenge)
		tcp_challenge_ack(&c); /* rate-limited (RFC 5961 7) */
	else
		tcp_send_ack(&c);
}

/*
 * A segment for a TIME_WAIT record.  true: a SYN was accepted as a new
 * incarnation and the record is gone; hand the SYN to the listener.
 */
bool
tcp_tw_input(struct tcp_stack *s, struct tcp_tw *tw,
    const struct tcp_seg *sg)
{
	if (sg->flags & TH_RST) {
		s->stats.in_rsts_ignored++; /* RFC 1337 */
		return false;
	}
	if ((sg->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		if (syn_acceptable(tw, sg) &&
		    tcp_lookup_listener(s, tw->laddr, tw->lport) != NULL) {
			s->stats.time_wait_reuse++;
			tw_free(s, tw);
			return true;
		}
		s->stats.in_dropped++;
		/* RFC 6191 drops it silently; else a challenge ACK. */
		if (!(tw->ts && sg->ts_ok))
			tw_ack(s, tw, true);
		return false;
	}
	if ((sg->flags & TH_FIN) && sg->seq + sg->len + 1 == tw->rcv_nxt) {
		/* Our ACK of their FIN was lost: ACK again, wait anew. */
		tw->expire = s->now + TCP_TIME_WAIT_NS;
		s->next_timer = MIN(s->next_timer, tw->expire);
		list_remove(&tw->qlink);
		list_push_back(&s->tw_fifo, &tw->qlink);
		tw_ack(s, tw, false);
		return false;
	}
	if (sg->seqlen > 0 || sg->seq != tw->rcv_nxt || (sg->flags & TH_SYN))
		tw_ack(s, tw, false);
	return false;
}

/* End the records due at now; the next expiry (UINT64_MAX: none). */
uint64_t
tcp_tw_expire(struct tcp_stack *s, uint64_t now)
{
	struct tcp_tw *tw;

	while (s->tw_fifo.next != &s->tw_fifo) {
		tw = container_of(s->tw_fifo.next, struct tcp_tw, qlink);
		if (tw->expire > now)
			return tw->expire;
		tw_free(s, tw);
	}
	return UINT64_MAX;
}
