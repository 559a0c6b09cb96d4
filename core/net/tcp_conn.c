/*
 * tcp_conn.c: the life of a connection: creation, bind, listen,
 * accept, connect, close and abort, and the state changes every other
 * file shares (established, TIME_WAIT, dropped); how many conns the
 * machine's exit still waits for (tcp_stack_owing).
 *
 * Ownership: tcp_conn_new() and tcp_accept() hand a conn to its owner
 * (TF_USER) until tcp_close() or tcp_abort().  A half-open or
 * not-yet-accepted conn belongs to its listener; a closed-but-lingering
 * conn (FIN_WAIT, TIME_WAIT) to the engine.  Ownerless conns are freed
 * as soon as they reach CLOSED; owned ones wait for tcp_close().
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"
#include "toro/mem.h"
#include "toro/socket.h"

static const char *state_names[] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
	"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
	"TIME_WAIT"
};

const char *
tcp_state_name(enum tcp_state st)
{
	if ((unsigned)st >= nitems(state_names))
		return "?";
	return state_names[st];
}

struct tcp_conn *
tcp_conn_new(struct tcp_stack *s, const struct tcp_callbacks *cb,
    void *ctx)
{
	struct tcp_conn *c;

	tcp_enter(s);
	c = tcp_conn_alloc(s, TCP_CONN_HEADROOM);
	if (c != NULL) {
		c->flags |= TF_USER;
		c->cb = cb;
		c->ctx = ctx;
	}
	tcp_leave(s);
	return c;
}

void
tcp_set_callbacks(struct tcp_conn *c, const struct tcp_callbacks *cb,
    void *ctx)
{
	c->cb = cb;
	c->ctx = ctx;
}

static uint32_t
buf_clamp(uint32_t n)
{
	return MIN(MAX(n, TCP_BUF_MIN), TCP_BUF_MAX);
}

/*
 * The receive ring's cap: rcvbuf, but never less than the bytes held
 * plus the window advertised, which the peer may fill (tcp.h).
 */
void
tcp_rcv_fit(struct tcp_conn *c)
{
	uint32_t promised = tcp_rcv_held(c);

	if (c->rcv.cap == 0)
		return;
	if (SEQ_GT(c->rcv_adv, c->rcv_nxt))
		promised += c->rcv_adv - c->rcv_nxt;
	c->rcv.cap = MAX(c->rcvbuf, promised);
}

int
tcp_set_bufsize(struct tcp_conn *c, uint32_t sndbuf, uint32_t rcvbuf)
{
	if (sndbuf != 0)
		c->sndbuf = buf_clamp(sndbuf);
	if (rcvbuf != 0)
		c->rcvbuf = buf_clamp(rcvbuf);
	/* Rings made (connected): a send ring over its cap takes nothing. */
	if (c->snd.cap != 0)
		c->snd.cap = c->sndbuf;
	tcp_rcv_fit(c);
	return 0;
}

void
tcp_set_nodelay(struct tcp_conn *c, bool on)
{
	if (on)
		c->flags |= TF_NODELAY;
	else
		c->flags &= ~TF_NODELAY;
}

/* Our window shift: the least that fits the receive buffer in 16 bits. */
void
tcp_choose_wscale(struct tcp_conn *c)
{
	uint8_t ws = 0;

	while (ws < TCP_MAX_WS && (c->rcvbuf >> ws) > 65535)
		ws++;
	c->rcv_wscale = ws;
}

/* Give c its rings: sizes only, the memory comes with the bytes. */
int
tcp_alloc_buffers(struct tcp_conn *c)
{
	if (c->snd.cap == 0)
		tcp_ring_init(&c->snd, c->sndbuf);
	if (c->rcv.cap == 0)
		tcp_ring_init(&c->rcv, c->rcvbuf);
	return 0;
}

/*
 * Room in r for need bytes from its head, charged to c within the
 * stack's memory limit: 0, or -TORO_ENOMEM.
 */
int
tcp_buf_reserve(struct tcp_conn *c, struct tcp_ring *r, uint32_t need)
{
	struct tcp_stats *st = &c->stack->stats;
	uint32_t size = tcp_ring_next_size(r, need), grow = size - r->size;

	if (grow == 0)
		return 0;
	if (st->mem_used + grow > c->stack->cfg.mem ||
	    tcp_ring_resize(r, size) < 0)
		return -TORO_ENOMEM;
	st->mem_used += grow;
	c->charge += grow;
	return 0;
}

/* An empty ring gives its memory back. */
void
tcp_buf_release(struct tcp_conn *c, struct tcp_ring *r)
{
	uint32_t n = tcp_ring_release(r);

	c->stack->stats.mem_used -= n;
	c->charge -= n;
}

void
tcp_buf_free(struct tcp_conn *c, struct tcp_ring *r)
{
	c->stack->stats.mem_used -= r->size;
	c->charge -= r->size;
	tcp_ring_free(r);
}

uint32_t
tcp_data_end(const struct tcp_conn *c)
{
	return c->sb_seq + c->snd.len;
}

void
tcp_set_state(struct tcp_conn *c, enum tcp_state st)
{
	c->stack->stats.states[c->state]--;
	c->stack->stats.states[st]++;
	c->state = st;
}

int
tcp_bind(struct tcp_conn *c, uint32_t addr, uint16_t port)
{
	struct tcp_stack *s = c->stack;
	int err = 0;

	tcp_enter(s);
	if (c->state != TCP_CLOSED || c->lport != 0 || c->rport != 0)
		err = -TORO_EINVAL;
	else if (port == 0)
		err = tcp_port_ephemeral(s, &port);
	else if (tcp_port_taken(s, addr, port))
		err = -TORO_EADDRINUSE;
	if (err == 0) {
		c->laddr = addr;
		c->lport = port;
		tcp_port_ref(s, port, 1);
		tcp_hash_insert(c);
	}
	tcp_leave(s);
	return err;
}

int
tcp_listen(struct tcp_conn *c, int backlog)
{
	if (c->state != TCP_CLOSED || c->lport == 0 || c->rport != 0)
		return -TORO_EINVAL;
	if (backlog < 1)
		backlog = 1;
	if (backlog > TCP_BACKLOG_MAX)
		backlog = TCP_BACKLOG_MAX;
	c->backlog = (uint32_t)backlog;
	tcp_set_state(c, TCP_LISTEN);
	tcp_hash_insert(c);
	return 0;
}

int
tcp_accept(struct tcp_conn *c, struct tcp_conn **out)
{
	struct list *l;
	struct tcp_conn *n;

	if (c->state != TCP_LISTEN)
		return -TORO_EINVAL;
	l = list_pop_front(&c->acceptq);
	if (l == NULL)
		return -TORO_EAGAIN;
	n = container_of(l, struct tcp_conn, qlink);
	n->listener = NULL;
	c->nqueued--;
	n->flags |= TF_USER;
	n->cb = NULL;
	n->ctx = NULL;
	*out = n;
	return 0;
}

/*
 * The source address of a connection to addr from an unbound socket:
 * 127.0.0.1 to the loopback net, which answers before (and without) an
 * address of the interface's, else the interface's.
 */
static uint32_t
source_for(const struct tcp_stack *s, uint32_t addr)
{
	return (addr >> 24) == 127 ? TORO_INADDR_LOOPBACK : s->cfg.addr;
}

int
tcp_connect(struct tcp_conn *c, uint32_t addr, uint16_t port)
{
	struct tcp_stack *s = c->stack;
	uint32_t laddr;
	int err = 0;

	if (c->state == TCP_LISTEN || addr == 0 || port == 0)
		return -TORO_EINVAL;
	if (c->state != TCP_CLOSED || c->rport != 0)
		return -TORO_EISCONN;
	tcp_enter(s);
	laddr = c->laddr != 0 ? c->laddr : source_for(s, addr);
	if (laddr == 0) {
		err = -TORO_EADDRNOTAVAIL;
	} else if (c->lport == 0) {
		err = tcp_port_ephemeral(s, &c->lport);
		if (err == 0)
			tcp_port_ref(s, c->lport, 1);
	}
	if (err == 0 && (tcp_lookup(s, laddr, c->lport, addr, port) != NULL ||
	    tcp_tw_lookup(s, laddr, c->lport, addr, port) != NULL))
		err = -TORO_EADDRINUSE;
	if (err == 0)
		err = tcp_alloc_buffers(c);
	if (err < 0) {
		tcp_leave(s);
		return err;
	}
	c->laddr = laddr;
	c->raddr = addr;
	c->rport = port;
	c->iss = tcp_isn(s, laddr, c->lport, addr, port);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->sb_seq = c->iss + 1;
	c->recover = c->iss;
	c->snd_mss = TCP_DEFAULT_MSS;
	c->rcv_mss = TCP_DEFAULT_MSS;
	tcp_choose_wscale(c);
	c->flags |= TF_CONNECTING;
	if (!s->cfg.nosack)
		c->flags |= TF_SACK_OK;
	if (!s->cfg.nots)
		c->flags |= TF_TS_OK;
	c->ts_off = tcp_ts_offset(s, laddr, c->lport, addr, port);
	tcp_set_state(c, TCP_SYN_SENT);
	tcp_hash_insert(c);
	s->stats.active_opens++;
	tcp_send_syn(c);
	tcp_timer_arm_rexmt(c);
	tcp_leave(s);
	return 0;
}

/* ESTABLISHED reached, from SYN_SENT or SYN_RCVD. */
void
tcp_established(struct tcp_conn *c)
{
	struct tcp_conn *l = c->listener;

	tcp_set_state(c, TCP_ESTABLISHED);
	c->stack->stats.established++;
	tcp_cc_init(c);
	tcp_keep_start(c);
	if (l != NULL) {
		list_remove(&c->qlink);
		if (c->flags & TF_HALF)
			l->nhalf--;
		c->flags &= ~TF_HALF;
		list_push_back(&l->acceptq, &c->qlink);
		tcp_post(l, TE_ACCEPT);
	} else if (c->flags & TF_CONNECTING) {
		c->flags &= ~TF_CONNECTING;
		c->conn_err = 0;
		tcp_post(c, TE_CONNECTED);
	}
	/* Data or a FIN queued while opening goes now. */
	tcp_output(c);
}

/*
 * The connection ends now with err (0: orderly).  The owner hears it;
 * anyone else's conn is freed.
 */
void
tcp_drop(struct tcp_conn *c, int err)
{
	if (c->flags & TF_DEAD)
		return;
	tcp_timers_cancel(c);
	tcp_unhash(c);
	tcp_set_state(c, TCP_CLOSED);
	if (!(c->flags & TF_USER)) {
		tcp_conn_destroy(c);
		return;
	}
	if (err != 0 && c->error == 0)
		c->error = err;
	if (c->flags & TF_CONNECTING) {
		c->flags &= ~TF_CONNECTING;
		c->conn_err = err != 0 ? err : -TORO_ECONNRESET;
		tcp_post(c, TE_CONNECTED);
	}
	tcp_buf_free(c, &c->snd);
	if (!(c->flags & TF_CLOSED_CB)) {
		c->flags |= TF_CLOSED_CB;
		tcp_post(c, TE_CLOSED | TE_READABLE);
	}
}

/*
 * TIME_WAIT: an owned conn waits in it until tcp_close(); an ownerless
 * one becomes a small record (tcp_tw.c) and is freed now.
 */
void
tcp_enter_time_wait(struct tcp_conn *c)
{
	tcp_timers_cancel(c);
	tcp_set_state(c, TCP_TIME_WAIT);
	c->t_wait = c->stack->now + TCP_TIME_WAIT_NS;
	tcp_timer_on(c);
	tcp_buf_free(c, &c->snd);
	if (!(c->flags & TF_USER)) {
		/* The ACK of their FIN goes before the conn does. */
		if (c->flags & TF_ACKNOW)
			tcp_send_ack(c);
		tcp_tw_enter(c);
	} else if (!(c->flags & TF_CLOSED_CB)) {
		c->flags |= TF_CLOSED_CB;
		tcp_post(c, TE_CLOSED);
	}
}

/* Reset and free a listener's queued connections. */
static void
reset_queue(struct list *q)
{
	struct list *l;
	struct tcp_conn *n;

	while ((l = q->next) != q) {
		n = container_of(l, struct tcp_conn, qlink);
		tcp_send_rst(n);
		tcp_conn_destroy(n);
	}
}

static void
disown(struct tcp_conn *c)
{
	c->flags &= ~TF_USER;
	c->cb = NULL;
	c->ctx = NULL;
	list_remove(&c->evlink);
	c->events = 0;
}

void
tcp_close(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	tcp_enter(s);
	disown(c);
	switch (c->state) {
	case TCP_LISTEN:
		reset_queue(&c->halfq);
		reset_queue(&c->acceptq);
		tcp_conn_destroy(c);
		break;
	case TCP_SYN_RCVD:
		tcp_send_rst(c);
		tcp_conn_destroy(c);
		break;
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_FIN_WAIT_2:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (tcp_rcv_held(c) > 0) {
			/* Unread data: tell the peer it was lost. */
			tcp_send_rst(c);
			tcp_conn_destroy(c);
			break;
		}
		c->flags |= TF_FIN_WANTED;
		if (c->state == TCP_FIN_WAIT_2)
			c->t_wait = s->now + TCP_FIN_WAIT_2_NS;
		tcp_timer_on(c);
		tcp_output(c);
		break;
	case TCP_TIME_WAIT:
		tcp_tw_enter(c);
		break;
	default: /* CLOSED, SYN_SENT */
		tcp_conn_destroy(c);
		break;
	}
	tcp_leave(s);
}

void
tcp_abort(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	tcp_enter(s);
	disown(c);
	if (c->state == TCP_LISTEN) {
		reset_queue(&c->halfq);
		reset_queue(&c->acceptq);
	} else if (c->state != TCP_CLOSED && c->state != TCP_SYN_SENT &&
	    c->state != TCP_TIME_WAIT) {
		tcp_send_rst(c);
	}
	tcp_conn_destroy(c);
	tcp_leave(s);
}

int
tcp_stack_owing(const struct tcp_stack *s)
{
	const struct tcp_conn *c;
	const struct list *l;
	int n = 0;

	for (l = s->conns.next; l != &s->conns; l = l->next) {
		c = container_of(l, struct tcp_conn, all);
		n += c->state != TCP_LISTEN && c->state != TCP_FIN_WAIT_2 &&
		    c->state != TCP_TIME_WAIT && c->state != TCP_CLOSED;
	}
	return n;
}
