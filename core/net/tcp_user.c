/*
 * tcp_user.c: the data calls of a connection's owner: tcp_send,
 * tcp_recv, tcp_shutdown and the queries.
 *
 * tcp_send copies into the send ring and lets tcp_output decide what
 * the windows allow (with TCP_SEND_MORE, a partial segment waits a
 * while for more or for the FIN); tcp_recv copies out of the receive
 * queue's packets, then the receive ring (tcp_rq.c), and, when that
 * opens the window by enough to matter (RFC 1122 4.2.3.3: two segments
 * or half the buffer), sends a window update at once rather than leave
 * the peer waiting for its persist timer.
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"

static bool
can_send(const struct tcp_conn *c)
{
	switch (c->state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RCVD:
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		return c->error == 0 && !(c->flags & TF_FIN_WANTED);
	default:
		return false;
	}
}

/*
 * With TCP_SEND_MORE, less than a segment waits: for more, for the FIN,
 * or for the delayed-ACK timer armed here, whose output takes it along.
 */
static void
send_now(struct tcp_conn *c, unsigned flags)
{
	struct tcp_stack *s = c->stack;

	if (!(flags & TCP_SEND_MORE) ||
	    tcp_data_end(c) - c->snd_nxt >= c->snd_mss) {
		tcp_output(c);
		return;
	}
	if (c->t_delack == 0 || c->t_delack > s->now + TCP_MORE_NS) {
		c->t_delack = s->now + TCP_MORE_NS;
		tcp_timer_on(c);
	}
}

int
tcp_send(struct tcp_conn *c, const void *data, size_t len)
{
	return tcp_send_flags(c, data, len, 0);
}

int
tcp_send_flags(struct tcp_conn *c, const void *data, size_t len, unsigned flags)
{
	struct tcp_stack *s = c->stack;
	uint32_t n, room;
	int ret;

	if (c->rport == 0)
		return -TORO_ENOTCONN;
	if (!can_send(c))
		return -TORO_EPIPE;
	if (len == 0)
		return 0;
	tcp_enter(s);
	if (len > 0x40000000)
		len = 0x40000000;
	/* Memory as needed; short of it, what the ring already has. */
	if (tcp_buf_reserve(c, &c->snd, (uint32_t)MIN((uint64_t)c->snd.len +
	    len, c->snd.cap)) < 0)
		(void)tcp_buf_reserve(c, &c->snd, MIN(c->snd.len + 4096,
		    c->snd.cap));
	/* A ring shrunk below what it holds takes nothing (tcp.h). */
	room = c->snd.cap > c->snd.len ? c->snd.cap - c->snd.len : 0;
	n = tcp_ring_append(&c->snd, data, MIN((uint32_t)len, room));
	if (n < len || c->snd.len >= c->snd.cap)
		c->flags |= TF_WANT_WRITE;
	if (n == 0 && c->snd.len == 0) {
		ret = -TORO_ENOMEM; /* no ACK will ever free space */
	} else if (n == 0) {
		ret = -TORO_EAGAIN;
	} else {
		ret = (int)n;
		if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
			send_now(c, flags);
	}
	tcp_leave(s);
	return ret;
}

/*
 * After a read: tell the peer about a window that opened enough.  Only
 * once the window it knows has shrunk to half the widest we offered or
 * less (as Linux's tcp_cleanup_rbuf): while it is wide the peer is not
 * waiting for us, and the ACKs that data brings advertise the room
 * anyway.  The widest is the SYN's 64 KiB until data arrives, so a
 * request read after the handshake sends no update of its own: its
 * answer carries the whole buffer.  Then only when the right edge
 * moves by half the buffer (as it does when the reader empties it,
 * and so waits for data): an update per read would open a nearly
 * closed window a read at a time, the peer sending a read's worth per
 * ACK.
 */
static void
window_update(struct tcp_conn *c)
{
	uint32_t freesp, cur, grow, edge;

	if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 &&
	    c->state != TCP_FIN_WAIT_2)
		return;
	freesp = c->rcv.cap - tcp_rcv_held(c);
	edge = c->rcv_nxt + freesp;
	cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	if (!SEQ_GT(edge, c->rcv_adv))
		return;
	grow = edge - c->rcv_adv;
	if (cur <= MIN(c->rcv.cap, c->rcv_wnd_max) / 2 &&
	    grow >= c->rcv.cap / 2) {
		c->flags |= TF_ACKNOW;
		tcp_output(c);
	}
}

int
tcp_recv(struct tcp_conn *c, void *buf, size_t len)
{
	struct tcp_stack *s = c->stack;
	uint32_t n;
	int ret;

	if (c->rcv.cap == 0 || tcp_rcv_held(c) == 0) {
		if (c->flags & TF_FIN_RCVD)
			return 0;
		if (c->error != 0)
			return c->error;
		if (c->rport == 0)
			return -TORO_ENOTCONN;
		return -TORO_EAGAIN;
	}
	if (len == 0)
		return 0;
	tcp_enter(s);
	if (len > 0x40000000)
		len = 0x40000000;
	n = tcp_rq_read(c, buf, (uint32_t)len);
	n += tcp_ring_read(&c->rcv, (uint8_t *)buf + n, (uint32_t)len - n);
	if (c->rcv.len == 0 && c->ooo.n == 0)
		tcp_buf_release(c, &c->rcv); /* idle: no memory held */
	if (c->rcv.cap > c->rcvbuf)
		tcp_rcv_fit(c); /* a smaller buffer, as it empties */
	window_update(c);
	ret = (int)n;
	tcp_leave(s);
	return ret;
}

int
tcp_error(const struct tcp_conn *c)
{
	return c->error;
}

size_t
tcp_readable(const struct tcp_conn *c)
{
	return c->rcv.cap != 0 ? tcp_rcv_held(c) : 0;
}

size_t
tcp_writable(const struct tcp_conn *c)
{
	if (!can_send(c) || c->snd.cap <= c->snd.len)
		return 0;
	return c->snd.cap - c->snd.len;
}

int
tcp_shutdown(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	if (c->rport == 0)
		return -TORO_ENOTCONN;
	if (c->flags & TF_FIN_WANTED)
		return 0;
	tcp_enter(s);
	c->flags |= TF_FIN_WANTED;
	if (c->state == TCP_ESTABLISHED || c->state == TCP_CLOSE_WAIT)
		tcp_output(c);
	tcp_leave(s);
	return 0;
}

enum tcp_state
tcp_state(const struct tcp_conn *c)
{
	return c->state;
}

void
tcp_get_info(const struct tcp_conn *c, struct tcp_info *in)
{
	memset(in, 0, sizeof(*in));
	in->state = c->state;
	in->laddr = c->laddr;
	in->raddr = c->raddr;
	in->lport = c->lport;
	in->rport = c->rport;
	in->snd_mss = c->snd_mss;
	in->snd_wscale = c->snd_wscale;
	in->rcv_wscale = c->rcv_wscale;
	in->snd_wnd = c->snd_wnd;
	if (SEQ_GT(c->rcv_adv, c->rcv_nxt))
		in->rcv_wnd = c->rcv_adv - c->rcv_nxt;
	in->cwnd = c->cwnd;
	in->ssthresh = c->ssthresh;
	in->in_flight = c->snd_max - c->snd_una;
	in->sndbuf_used = c->snd.len;
	in->rcvbuf_used = tcp_rcv_held(c);
	in->srtt = c->srtt;
	in->rttvar = c->rttvar;
	in->rto = tcp_cur_rto(c);
	in->retries = c->retries;
	in->in_recovery = (c->flags & TF_RECOVERY) != 0;
	in->sack = (c->flags & TF_SACK_OK) != 0;
	in->iss = c->iss;
	in->irs = c->irs;
	in->snd_una = c->snd_una;
	in->snd_nxt = c->snd_nxt;
	in->rcv_nxt = c->rcv_nxt;
	in->sndbuf = c->sndbuf;
	in->rcvbuf = c->rcvbuf;
	in->nodelay = (c->flags & TF_NODELAY) != 0;
}
