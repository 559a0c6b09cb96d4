/*
 * sock_stream.c: stream (TCP) sockets over the TCP engine of tcp.h.
 *
 * Interface: net_stream_ops (sock.h) for the socket layer; for IPv4,
 * net_stream_input() and net_stream_timer(); net_stream_addr_changed()
 * when DHCP changes our address (stack.h).
 *
 * Rules: one engine (struct tcp_stack), made on the network CPU the
 * first time it is needed.  Each socket owns one struct tcp_conn whose
 * callbacks only run the socket's parked requests again.  A listener
 * moves finished connections from the engine into its own accept queue,
 * at most `backlog` of them, so the engine's backlog keeps refusing
 * SYNs while the application is slow to accept.  A blocking send
 * returns once all of it is queued; a timeout or a non-blocking socket
 * returns the part that was.  A call that may arm a TCP timer tells the
 * network thread, which sleeps until the engine's next deadline.
 * The engine's limits come from the machine's memory (tcp.h) unless
 * the kernel options tcp_mem=MiB, tcp_conns=N or tcp_timewait=N say
 * otherwise.
 */
#include "core/lib/lib.h"
#include "core/net/sock.h"
#include "core/net/tcp.h"
#include "toro/errno.h"
#include "toro/mem.h"

/*
 * A connection's receive buffer may hold up to 1 MiB, against the
 * engine's 128 KiB default (the send buffer keeps it).  The memory
 * follows the bytes held, so it costs nothing to a reader that keeps
 * up, while the window stays wide: with 128 KiB a bulk sender coalesced
 * into 64 KiB segments had two in flight, and a reader taking 100 KiB
 * at a time (curl's size) had the window fall under half and a window
 * update go out after nearly every read, each one more host system call
 * and a smaller segment next (measured over TAP, 100 MiB: about 15%
 * more CPU).  Linux grows a socket's to 6 MiB.
 */
#define RCVBUF (1024u * 1024)

struct pending_conn {
	struct list link;
	struct tcp_conn *conn;
};

static struct tcp_stack *stack;
/*
 * A pending_conn a fill made but found nothing for: the next fill takes
 * it, so a poll of an empty listener costs no allocation.
 */
static struct pending_conn *spare;

static int
tcp_out(void *ctx, struct net_buf *b, uint32_t src, uint32_t dst)
{
	return net_ip_output(b, src, dst, NET_PROTO_TCP);
}

static uint64_t
tcp_clock(void *ctx)
{
	return net_now();
}

/* A numeric kernel option in [1, max]; 0 if absent. */
static uint64_t
option_num(const char *key, uint64_t max)
{
	const char *opt = lib_option(key), *p;
	uint64_t v = 0;

	if (opt == NULL)
		return 0;
	for (p = opt; *p >= '0' && *p <= '9' && v <= max; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (*p != '\0' || p == opt || v < 1 || v > max)
		lib_panic("%s=%s: want a number from 1 to %llu", key, opt,
		    (unsigned long long)max);
	return v;
}

static struct tcp_stack *
engine(void)
{
	struct tcp_config cfg;

	if (stack != NULL)
		return stack;
	memset(&cfg, 0, sizeof(cfg));
	cfg.mem = option_num("tcp_mem", 1u << 20) << 20;
	cfg.max_conns = (uint32_t)option_num("tcp_conns", 1u << 24);
	cfg.max_time_wait = (uint32_t)option_num("tcp_timewait", 1u << 24);
	cfg.rcvbuf = RCVBUF;
	cfg.output = tcp_out;
	cfg.clock = tcp_clock;
	cfg.addr = net_if.addr;
	cfg.mtu = net_if.mtu;
	cfg.csum_offload = (net_if.offloads & HAL_NET_TX_CSUM) != 0;
	cfg.tso_max = net_if.tso_max;
	lib_random(cfg.secret, sizeof(cfg.secret));
	stack = tcp_stack_new(&cfg);
	return stack;
}

/* After an engine call: its timers may have moved earlier. */
void
net_stream_rearm(void)
{
	if (stack != NULL)
		net_timer_hint(tcp_timers(stack, net_now()));
}

/*
 * The connection is over: poll says so (POLLHUP), and if it failed once
 * connected (reset, keep-alive timeout) SO_ERROR and POLLERR say why.
 * Once: SO_ERROR takes the error.
 */
static void
ended(struct net_sock *s, int err)
{
	if (s->hup)
		return;
	s->hup = true;
	if (err != 0 && s->connected)
		s->error = err;
}

static void
cb_wake(void *ctx)
{
	struct net_sock *s = ctx;

	/* An end wakes readers before on_closed, which comes last. */
	if (tcp_state(s->proto) == TCP_CLOSED)
		ended(s, tcp_error(s->proto));
	net_sock_wake(s);
}

static void
cb_connected(void *ctx, int err)
{
	struct net_sock *s = ctx;

	s->connecting = false;
	if (err == 0)
		s->connected = true;
	else
		s->error = err;
	net_sock_wake(s);
}

static void
cb_closed(void *ctx, int err)
{
	ended(ctx, err);
	net_sock_wake(ctx);
}

static void fill_acceptq(struct net_sock *s);

static void
cb_accept(void *ctx)
{
	fill_acceptq(ctx);
	net_sock_wake(ctx);
}

static const struct tcp_callbacks callbacks = {
	.on_accept = cb_accept,
	.on_connected = cb_connected,
	.on_readable = cb_wake,
	.on_writable = cb_wake,
	.on_closed = cb_closed,
};

static int
stream_init(struct net_sock *s)
{
	if (engine() == NULL)
		return -TORO_ENOMEM;
	s->proto = tcp_conn_new(stack, &callbacks, s);
	return s->proto != NULL ? 0 : -TORO_ENOBUFS;
}

static void
update_names(struct net_sock *s)
{
	struct tcp_info ti;

	tcp_get_info(s->proto, &ti);
	s->laddr = ti.laddr;
	s->lport = ti.lport;
	s->raddr = ti.raddr;
	s->rport = ti.rport;
}

static int
stream_bind(struct net_sock *s, const struct toro_sockaddr_in *a)
{
	int err;

	if (a->addr != 0 && !net_ip_is_local(a->addr))
		return -TORO_EADDRNOTAVAIL;
	if ((err = tcp_bind(s->proto, a->addr, a->port)) < 0)
		return err;
	s->bound = true;
	update_names(s);
	return 0;
}

static int
stream_listen(struct net_sock *s, int backlog)
{
	int err;

	if (s->listening)
		return 0;
	backlog = backlog < 1 ? 1 : MIN(backlog, TCP_BACKLOG_MAX);
	if (!s->bound && (err = tcp_bind(s->proto, 0, 0)) < 0)
		return err;
	if ((err = tcp_listen(s->proto, backlog)) < 0)
		return err;
	s->bound = true;
	s->listening = true;
	s->backlog = backlog;
	update_names(s);
	return 0;
}

/* Take finished connections from the engine, up to the backlog. */
static void
fill_acceptq(struct net_sock *s)
{
	struct pending_conn *p;
	struct tcp_conn *c;

	while (s->listening && s->acceptq_n < s->backlog) {
		if ((p = spare) == NULL &&
		    (p = toro_malloc(sizeof(*p))) == NULL)
			return;
		spare = NULL;
		if (tcp_accept(s->proto, &c) < 0) {
			spare = p;
			return;
		}
		p->conn = c;
		list_push_back(&s->acceptq, &p->link);
		s->acceptq_n++;
	}
}

static long
stream_accept(struct net_req *r)
{
	struct net_sock *s = r->sock, *ns;
	struct pending_conn *p;

	if (!s->listening)
		return -TORO_EINVAL;
	fill_acceptq(s);
	if (list_empty(&s->acceptq)) {
		r->waitq = &s->waiters;
		return NET_PENDING;
	}
	if ((ns = net_sock_new(TORO_SOCK_STREAM, s->ops)) == NULL)
		return -TORO_ENFILE;
	p = container_of(list_pop_front(&s->acceptq), struct pending_conn,
	    link);
	s->acceptq_n--;
	ns->proto = p->conn;
	toro_free(p);
	ns->bound = ns->connected = true;
	ns->nonblock = (r->value & TORO_SOCK_NONBLOCK) != 0;
	net_sock_inherit(ns, s);
	update_names(ns);
	tcp_set_callbacks(ns->proto, &callbacks, ns);
	if (r->from != NULL) {
		r->from->family = TORO_AF_INET;
		r->from->addr = ns->raddr;
		r->from->port = ns->rport;
	}
	fill_acceptq(s);
	net_stream_rearm();
	return ns->fd;
}

static long
stream_connect(struct net_req *r)
{
	struct net_sock *s = r->sock;
	int err;

	if (r->stage == 0) {
		if (s->listening)
			return -TORO_EINVAL;
		if (s->connected)
			return -TORO_EISCONN;
		if (s->connecting)
			return -TORO_EALREADY;
		if (r->to->addr == 0 || r->to->port == 0)
			return -TORO_EINVAL;
		/* How an earlier non-blocking connect ended. */
		if (s->error != 0) {
			err = s->error;
			s->error = 0;
			return err;
		}
		err = tcp_connect(s->proto, r->to->addr, r->to->port);
		net_stream_rearm();
		if (err < 0)
			return err;
		s->bound = true;
		s->connecting = !s->connected && s->error == 0;
		update_names(s);
		r->stage = 1;
		if (r->nonblock && s->connecting)
			return -TORO_EINPROGRESS;
	}
	if (s->connected)
		return 0;
	if (s->error != 0) {
		err = s->error;
		s->error = 0;
		return err;
	}
	r->waitq = &s->waiters;
	return NET_PENDING;
}

static long
stream_send(struct net_req *r)
{
	struct net_sock *s = r->sock;
	int n;

	if (s->shut & NET_SHUT_WR)
		return -TORO_EPIPE;
	if (r->to != NULL)
		return -TORO_EISCONN;
	while (r->progress < r->len) {
		/* What the ring can take of the caller's bytes, checked. */
		if (lib_caller_check((const uint8_t *)r->cbuf + r->progress,
		    MIN(r->len - r->progress, tcp_writable(s->proto)),
		    false) < 0) {
			net_stream_rearm();
			return r->progress > 0 ? (long)r->progress :
			    -TORO_EFAULT;
		}
		n = tcp_send_flags(s->proto,
		    (const uint8_t *)r->cbuf + r->progress,
		    MIN(r->len - r->progress, (size_t)1 << 30),
		    (r->flags & TORO_MSG_MORE) ? TCP_SEND_MORE : 0);
		if (n == -TORO_EAGAIN) {
			net_stream_rearm();
			r->waitq = &s->waiters;
			return NET_PENDING;
		}
		if (n < 0) {
			net_stream_rearm();
			return r->progress > 0 ? (long)r->progress : n;
		}
		r->progress += (size_t)n;
	}
	net_stream_rearm();
	return (long)r->len;
}

static long
stream_recv(struct net_req *r)
{
	struct net_sock *s = r->sock;
	int n;

	if (r->flags & TORO_MSG_PEEK)
		return -TORO_EOPNOTSUPP;
	if (r->len == 0)
		return 0;
	if (s->listening)
		return -TORO_ENOTCONN;
	/* What the read will take, checked: a bad buffer consumes nothing. */
	if (lib_caller_check(r->buf, MIN(r->len, tcp_readable(s->proto)),
	    true) < 0)
		return -TORO_EFAULT;
	n = tcp_recv(s->proto, r->buf, MIN(r->len, (size_t)1 << 30));
	/* Reading opens the window: an update may go out. */
	net_stream_rearm();
	if (n != -TORO_EAGAIN)
		return n;
	if (s->shut & NET_SHUT_RD)
		return 0;
	r->waitq = &s->waiters;
	return NET_PENDING;
}

static int
stream_shutdown(struct net_sock *s, int how)
{
	int err = 0;

	if (!s->connected && !s->connecting)
		return -TORO_ENOTCONN;
	if ((how & NET_SHUT_WR) && !(s->shut & NET_SHUT_WR))
		err = tcp_shutdown(s->proto);
	s->shut |= how;
	net_stream_rearm();
	net_sock_wake(s);
	return err;
}

static void
stream_close(struct net_sock *s)
{
	struct pending_conn *p;
	struct list *l;

	while ((l = list_pop_front(&s->acceptq)) != NULL) {
		p = container_of(l, struct pending_conn, link);
		tcp_close(p->conn);
		toro_free(p);
	}
	s->acceptq_n = 0;
	/* SO_LINGER {1, 0}: reset, no TIME_WAIT. */
	if (s->proto != NULL && s->linger && s->linger_s == 0)
		tcp_abort(s->proto);
	else if (s->proto != NULL)
		tcp_close(s->proto);
	s->proto = NULL;
	net_stream_rearm();
}

/*
 * A lingering close: the FIN goes after the data (unless unread data
 * makes the close a reset: nothing to wait for), then the wait lasts
 * until it is acknowledged or the connection is over.
 */
static bool
stream_draining(struct net_sock *s, bool first)
{
	enum tcp_state st = tcp_state(s->proto);

	if (first) {
		if (s->listening || !s->connected || tcp_readable(s->proto) > 0)
			return false;
		tcp_shutdown(s->proto);
		net_stream_rearm();
		st = tcp_state(s->proto);
	}
	return st != TCP_FIN_WAIT_2 && st != TCP_TIME_WAIT &&
	    st != TCP_CLOSED;
}

static bool
fin_received(enum tcp_state st)
{
	return st == TCP_CLOSE_WAIT || st == TCP_LAST_ACK ||
	    st == TCP_CLOSING || st == TCP_TIME_WAIT || st == TCP_CLOSED;
}

static short
stream_poll(struct net_sock *s)
{
	enum tcp_state st;
	short ev = 0;

	if (s->listening) {
		fill_acceptq(s);
		return list_empty(&s->acceptq) ? 0 : TORO_POLLIN;
	}
	if (s->error != 0)
		ev |= TORO_POLLERR | TORO_POLLIN | TORO_POLLOUT;
	if (!s->connected)
		return ev;
	st = tcp_state(s->proto);
	if (fin_received(st) || s->hup || (s->shut & NET_SHUT_RD))
		ev |= TORO_POLLIN | TORO_POLLRDHUP;
	else if (tcp_readable(s->proto) > 0)
		ev |= TORO_POLLIN;
	if ((st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT) &&
	    !(s->shut & NET_SHUT_WR) && tcp_writable(s->proto) > 0)
		ev |= TORO_POLLOUT;
	if (s->hup)
		ev |= TORO_POLLHUP;
	return ev;
}

static const struct net_sock_ops stream_ops = {
	.init = stream_init,
	.bind = stream_bind,
	.listen = stream_listen,
	.accept = stream_accept,
	.connect = stream_connect,
	.send = stream_send,
	.recv = stream_recv,
	.shutdown = stream_shutdown,
	.close = stream_close,
	.poll = stream_poll,
	.draining = stream_draining,
};

const struct net_sock_ops *const net_stream_ops = &stream_ops;

void
net_stream_input(struct net_buf *b, const struct net_ipinfo *ii)
{
	/* TCP is unicast only (RFC 9293 3.9.1). */
	if (ii->bcast || engine() == NULL) {
		net_buf_free(b);
		return;
	}
	tcp_input(stack, b, ii->src, ii->dst);
}

void
net_stream_batch(bool begin)
{
	if (stack == NULL)
		return;
	if (begin)
		tcp_batch_begin(stack);
	else
		tcp_batch_end(stack);
}

uint64_t
net_stream_timer(uint64_t now)
{
	return stack != NULL ? tcp_timers(stack, now) : NET_NEVER;
}

void
net_stream_stats(struct toro_net_stats *st)
{
	const struct tcp_stats *t;
	int i;

	if (stack == NULL)
		return;
	t = tcp_stack_stats(stack);
	st->tcp_conns = t->conns;
	st->tcp_active_opens = t->active_opens;
	st->tcp_passive_opens = t->passive_opens;
	st->tcp_established = t->established;
	st->tcp_retrans = t->out_retrans;
	st->tcp_resets = t->resets;
	st->tcp_in_errs = t->in_csum_errs + t->in_hdr_errs;
	st->tcp_syn_drops = t->syn_drops;
	st->tcp_syncookies_sent = t->syncookies_sent;
	st->tcp_syncookies_ok = t->syncookies_ok;
	st->tcp_time_wait_recycled = t->time_wait_recycled;
	st->tcp_max_conns = t->max_conns;
	st->tcp_max_time_wait = t->max_time_wait;
	st->tcp_mem_used = t->mem_used;
	st->tcp_mem_max = t->mem_max;
	_Static_assert(TORO_TCP_NSTATES == nitems(t->states), "TCP states");
	for (i = 0; i < TORO_TCP_NSTATES; i++)
		st->tcp_state[i] = t->states[i];
}

void
net_stream_addr_changed(void)
{
	if (stack != NULL)
		tcp_stack_set_addr(stack, net_if.addr);
}

int
net_stream_nodelay(struct net_sock *s, bool on)
{
	if (s->type != TORO_SOCK_STREAM)
		return -TORO_EOPNOTSUPP;
	if (s->proto == NULL)
		return -TORO_EINVAL;
	tcp_set_nodelay(s->proto, on);
	return 0;
}

int
net_stream_owing(void)
{
	return stack != NULL ? tcp_stack_owing(stack) : 0;
}
