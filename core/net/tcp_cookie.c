/*
 * tcp_cookie.c: SYN cookies (RFC 4987 3.6), so that a listener whose
 * half-open queue is full still completes legitimate handshakes while
 * a SYN flood costs it no memory at all.
 *
 * Interface (tcp_impl.h): tcp_cookie_send() answers a SYN with a
 * SYN-ACK whose ISN is a cookie and keeps nothing; tcp_cookie_check()
 * turns the ACK that returns a valid cookie into a conn.
 *
 * The cookie (our ISN) is 27 bits of SipHash-2-4, under the stack's
 * secret (random at boot), of the 4-tuple, the peer's ISN, the MSS
 * index and a 64 s time slot, then 2 bits of the slot and 3 bits of
 * the index in clear.  It is good for the slot it was made in and the
 * next: 64 to 128 s.  The MSS index picks from a table the largest MSS
 * not above the peer's.  When the SYN carries timestamps, the low 6
 * bits of our TSval carry the window scale (4 bits, 15: none) and SACK
 * permitted (1 bit), as Linux does, and come back in TSecr; without
 * timestamps there is nowhere to keep them, so the SYN-ACK offers
 * neither and the connection goes without.
 *
 * Rules: cookies are made only while the half-open queue is full, or
 * while half-open conns fill the stack's table (then a completed cookie
 * handshake evicts the oldest half-open conn); an ACK is checked as a
 * cookie only for two slots after the last one was sent, so that at
 * other times a forged ACK is just a stray ACK.
 * The state-full handshake stays the normal path: it keeps every
 * option and retransmits its SYN-ACK.
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"

#define SLOT_NS (64ULL * 1000000000ULL)
#define SLOT_BITS 2
#define MSS_BITS 3
#define CLEAR_MASK ((1u << (SLOT_BITS + MSS_BITS)) - 1)
#define TS_BITS 6
#define TS_NO_WS 0xf
#define TS_SACK 0x10

static const uint16_t mss_table[1 << MSS_BITS] = {
	64, 536, 1220, 1360, 1400, 1440, 1460, 8960
};

/* sg is the SYN or the ACK: both come from the peer. */
static uint32_t
make_cookie(struct tcp_stack *s, const struct tcp_seg *sg, uint32_t irs,
    uint64_t slot, unsigned idx)
{
	uint8_t t[25];
	uint32_t h;

	net_put32(t, sg->dst);
	net_put32(t + 4, sg->src);
	net_put16(t + 8, sg->dport);
	net_put16(t + 10, sg->sport);
	net_put32(t + 12, irs);
	net_put32(t + 16, (uint32_t)slot);
	net_put32(t + 20, (uint32_t)(slot >> 32));
	t[24] = (uint8_t)idx;
	h = (uint32_t)tcp_siphash(s->cfg.secret, t, sizeof(t));
	return (h & ~CLEAR_MASK) |
	    (uint32_t)(slot & ((1u << SLOT_BITS) - 1)) << MSS_BITS | idx;
}

static unsigned
mss_index(const struct tcp_stack *s, const struct tcp_seg *sg)
{
	uint16_t mss = tcp_clamp_mss(s, sg->mss);
	unsigned i = nitems(mss_table) - 1;

	while (i > 0 && mss_table[i] > mss)
		i--;
	return i;
}

void
tcp_cookie_send(struct tcp_conn *l, const struct tcp_seg *sg)
{
	struct tcp_stack *s = l->stack;
	struct tcp_conn c;
	uint32_t tsval, enc = 0;
	uint64_t slot = s->now / SLOT_NS;

	memset(&c, 0, sizeof(c));
	c.stack = s;
	c.state = TCP_SYN_RCVD;
	c.laddr = sg->dst;
	c.lport = sg->dport;
	c.raddr = sg->src;
	c.rport = sg->sport;
	c.rcvbuf = l->rcvbuf;
	c.rcv_nxt = sg->seq + 1;
	c.iss = make_cookie(s, sg, sg->seq, slot, mss_index(s, sg));
	if (sg->ts_ok && !s->cfg.nots) {
		/* Options we can remember: in the TSval's low bits. */
		c.flags |= TF_TS_OK;
		if (sg->wscale >= 0) {
			c.flags |= TF_WS_OK;
			tcp_choose_wscale(&c);
			enc = (uint32_t)sg->wscale;
		} else {
			enc = TS_NO_WS;
		}
		if (sg->sack_ok && !s->cfg.nosack) {
			c.flags |= TF_SACK_OK;
			enc |= TS_SACK;
		}
		c.ts_recent = sg->tsval;
		c.ts_off = tcp_ts_offset(s, c.laddr, c.lport, c.raddr,
		    c.rport);
		tsval = tcp_ts_now(s, c.ts_off);
		enc |= tsval & ~((1u << TS_BITS) - 1);
		if (SEQ_GT(enc, tsval))
			enc -= 1u << TS_BITS; /* never ahead of our clock */
		c.ts_off += enc - tsval;
	}
	s->stats.syncookies_sent++;
	l->cookies_until = (slot + 2) * SLOT_NS;
	tcp_xmit(&c, c.iss, TH_SYN | TH_ACK, 0);
}

/* The SYN the cookie in sg's ACK stands for; false if it is not one. */
static bool
decode(struct tcp_stack *s, const struct tcp_seg *sg, struct tcp_seg *syn)
{
	uint32_t v = sg->ack - 1, irs = sg->seq - 1, enc;
	uint64_t slot, now = s->now / SLOT_NS;
	unsigned idx = v & ((1u << MSS_BITS) - 1), k;

	/* The slot it was made in, or the one before. */
	for (k = 0;; k++) {
		if (k == 2 || k > now)
			return false;
		slot = now - k;
		if (make_cookie(s, sg, irs, slot, idx) == v)
			break;
	}
	*syn = *sg;
	syn->seq = irs;
	syn->mss = mss_table[idx];
	syn->wscale = -1;
	syn->sack_ok = false;
	syn->ts_ok = false;
	if (sg->ts_ok && !s->cfg.nots) {
		enc = sg->tsecr & ((1u << TS_BITS) - 1);
		if ((enc & TS_NO_WS) != TS_NO_WS)
			syn->wscale = (int)MIN(enc & TS_NO_WS, TCP_MAX_WS);
		syn->sack_ok = (enc & TS_SACK) != 0;
		syn->ts_ok = true;
	}
	return true;
}

/*
 * The table is full and a handshake is complete: the oldest half-open
 * conn (l's, else anyone's) gives way, a flood's most likely.  If it
 * was real, its client's SYN retransmission will get a cookie.
 */
static bool
evict_half_open(struct tcp_stack *s, struct tcp_conn *l)
{
	struct list *e;
	struct tcp_conn *c = NULL;

	if (l->nhalf > 0) {
		c = container_of(l->halfq.next, struct tcp_conn, qlink);
	} else {
		for (e = s->conns.next; e != &s->conns && c == NULL;
		    e = e->next) {
			c = container_of(e, struct tcp_conn, all);
			if (!(c->flags & TF_HALF))
				c = NULL;
		}
	}
	if (c == NULL)
		return false;
	s->stats.half_open_evicted++;
	tcp_conn_destroy(c);
	return true;
}

/*
 * An ACK to listener l: 1 and *out if it returned a valid cookie (a
 * conn now in SYN_RCVD, for tcp_input_sync() to finish), 0 if it did
 * not, -1 if it did but there is no room (dropped: the peer resends).
 */
int
tcp_cookie_check(struct tcp_conn *l, const struct tcp_seg *sg,
    struct tcp_conn **out)
{
	struct tcp_stack *s = l->stack;
	struct tcp_seg syn;
	struct tcp_conn *c;

	if (!decode(s, sg, &syn)) {
		s->stats.syncookies_bad++;
		return 0;
	}
	if (l->nqueued - l->nhalf >= l->backlog) {
		s->stats.syn_drops++;
		return -1;
	}
	c = tcp_passive_conn(l, &syn, sg->ack - 1);
	if (c == NULL && evict_half_open(s, l))
		c = tcp_passive_conn(l, &syn, sg->ack - 1);
	if (c == NULL) {
		s->stats.syn_drops++;
		return -1;
	}
	/* As if our SYN-ACK had gone out from this conn. */
	c->snd_nxt = c->snd_max = c->iss + 1;
	tcp_rcv_window(c, true);
	s->stats.syncookies_ok++;
	*out = c;
	return 1;
}
