/*
 * socket.c: the network CPU's side of the socket calls: requests as
 * they arrive, wait and finish (the descriptor table is sock_table.c),
 * and the calls every kind of socket shares (close, options, names,
 * poll) plus the interface's info, counters and toro_net_wait().
 *
 * Interface: sock.h (sockapi.c sends the requests; sock_dgram.c and
 * sock_stream.c implement the operations of their sockets).
 *
 * Rules: all of it runs on the network CPU, in message handlers or in
 * the network thread, and never blocks.  A request arrives as a
 * sched_call() and leaves with sched_reply(); in between only this CPU
 * touches it.  Deadlines are kept here, so a request is never
 * abandoned by a caller that timed out while the stack still uses it.
 */
#include "core/net/sock.h"
#include "toro/errno.h"
#include "toro/mbox.h"
#include "toro/mem.h"

static struct list timed;        /* parked requests, by deadline */
static struct list pollers;      /* polls parked without places */
static struct list polls_placed; /* polls parked on their sockets */
static struct list addr_waiters; /* parked toro_net_wait() calls */

void
net_sock_init(void)
{
	net_sock_table_init();
	list_init(&timed);
	list_init(&pollers);
	list_init(&polls_placed);
	list_init(&addr_waiters);
}

uint16_t
net_ephemeral_port(bool (*in_use)(uint16_t port))
{
	/* RFC 6335's dynamic range, from a random start. */
	uint32_t start = net_random() % 16384, i;
	uint16_t port;

	for (i = 0; i < 16384; i++) {
		port = (uint16_t)(49152 + (start + i) % 16384);
		if (!in_use(port))
			return port;
	}
	return 0;
}

/*
 * The request engine.
 */

/* Take a parked poll off every socket it waits on. */
static void
poll_unplace(struct net_req *r)
{
	int i;

	if (r->pents == NULL)
		return;
	for (i = 0; i < r->npfd; i++)
		list_remove(&r->pents[i].link);
}

void
net_req_finish(struct net_req *r, long result)
{
	if (r->pents != NULL) {
		poll_unplace(r);
		toro_free(r->pents);
		r->pents = NULL;
	}
	list_remove(&r->wlink);
	list_remove(&r->tlink);
	if (r->done != NULL)
		r->done(r);
	/* From here on the request belongs to the caller's CPU. */
	sched_reply(&r->call, result);
}

static void
add_timed(struct net_req *r)
{
	struct list *pos = timed.prev;

	while (pos != &timed &&
	    container_of(pos, struct net_req, tlink)->deadline > r->deadline)
		pos = pos->prev;
	list_insert_before(pos->next, &r->tlink);
	net_timer_hint(r->deadline);
}

static long dispatch(struct net_req *r);

/* Run r; park it if it has to wait, else finish it. */
static void
run(struct net_req *r, bool first)
{
	long res = dispatch(r);

	if (res != NET_PENDING) {
		net_req_finish(r, res);
		return;
	}
	if (r->nonblock) {
		net_req_finish(r, r->progress > 0 ? (long)r->progress :
		    -TORO_EAGAIN);
		return;
	}
	list_push_back(r->waitq, &r->wlink);
	if (first && r->deadline != NET_NEVER)
		add_timed(r);
}

/* Run again every request parked on q (in order); they may re-park. */
static void
rerun(struct list *q)
{
	struct list batch, *l;

	if (list_empty(q))
		return;
	list_init(&batch);
	while ((l = list_pop_front(q)) != NULL)
		list_push_back(&batch, l);
	while ((l = list_pop_front(&batch)) != NULL)
		run(container_of(l, struct net_req, wlink), false);
}

/*
 * Run again the polls that watch s and now have something to say
 * about it (all of them when s closes); they may place themselves
 * again.
 */
static void
rerun_polls(struct net_sock *s, bool closing)
{
	struct list batch, *l;
	struct net_pollent *e;
	struct net_req *r;

	if (list_empty(&s->pollq))
		return;
	list_init(&batch);
	while ((l = list_pop_front(&s->pollq)) != NULL)
		list_push_back(&batch, l);
	while ((l = list_pop_front(&batch)) != NULL) {
		e = container_of(l, struct net_pollent, link);
		r = e->req;
		/* Not what it waits for (an ACK for a reader): stay put. */
		if (!closing && !(s->ops->poll(s) & (r->pfd[e - r->pents].events |
		    TORO_POLLERR | TORO_POLLHUP))) {
			list_push_back(&s->pollq, l);
			continue;
		}
		/* Its other places on s leave batch with poll_unplace(). */
		list_remove(&r->wlink);
		run(r, false);
	}
}

void
net_sock_wake(struct net_sock *s)
{
	/* 0 is never a count: an edge-mode entry's "not seen yet". */
	if (++s->gen == 0)
		s->gen = 1;
	rerun(&s->waiters);
	rerun_polls(s, false);
	rerun(&pollers);
	if (!list_empty(&s->epq))
		net_epoll_wake(s);
}

void
net_sock_addr_changed(void)
{
	net_stream_addr_changed();
	rerun(&addr_waiters);
}

uint64_t
net_sock_timer(uint64_t now)
{
	struct net_req *r;

	while (!list_empty(&timed)) {
		r = container_of(timed.next, struct net_req, tlink);
		if (r->deadline > now)
			return r->deadline;
		/* Bytes already sent count; the rest timed out. */
		net_req_finish(r, r->progress > 0 ? (long)r->progress :
		    r->timeout_result);
	}
	return NET_NEVER;
}

/* A request arrives on the network CPU. */
void
net_req_arrive(struct sched_call *c)
{
	struct net_req *r = container_of(c, struct net_req, call);

	list_init(&r->wlink);
	list_init(&r->tlink);
	r->waitq = NULL;
	r->stage = 0;
	r->progress = 0;
	r->deadline = NET_NEVER;
	r->timeout_result = -TORO_ETIMEDOUT;
	r->nonblock = false;
	r->sock = NULL;
	r->pents = NULL;
	r->done = NULL;
	run(r, true);
}

/*
 * Operations every socket shares.
 */

static uint64_t
deadline_after(int64_t ns)
{
	if (ns == TORO_FOREVER)
		return NET_NEVER;
	return net_now() + (uint64_t)ns;
}

static long
op_socket(struct net_req *r)
{
	int type = (int)(r->value & ~TORO_SOCK_NONBLOCK);
	const struct net_sock_ops *ops;
	struct net_sock *s;
	int err;

	if (r->fd != TORO_AF_INET)
		return -TORO_EINVAL;
	if (type == TORO_SOCK_DGRAM && (r->flags == 0 ||
	    r->flags == NET_PROTO_UDP))
		ops = &net_dgram_ops;
	else if (type == TORO_SOCK_STREAM && (r->flags == 0 ||
	    r->flags == NET_PROTO_TCP))
		ops = net_stream_ops;
	else
		return -TORO_EPROTONOSUPPORT;
	if (ops == NULL)
		return -TORO_EPROTONOSUPPORT;
	if ((s = net_sock_new(type, ops)) == NULL)
		return -TORO_ENFILE;
	if (ops->init != NULL && (err = ops->init(s)) < 0) {
		net_sock_fd_release(s->fd);
		toro_free(s);
		return err;
	}
	s->nonblock = (r->value & TORO_SOCK_NONBLOCK) != 0;
	return s->fd;
}

/* s's descriptor goes: its waiters fail, polls see POLLNVAL. */
static void
drop_fd(struct net_sock *s)
{
	struct list *l;

	net_epoll_forget(s);
	while ((l = list_pop_front(&s->waiters)) != NULL)
		net_req_finish(container_of(l, struct net_req, wlink),
		    -TORO_EBADF);
	net_sock_fd_release(s->fd);
	rerun_polls(s, true);
}

/*
 * Close: the descriptor goes at once, the socket too unless a lingering
 * close (sock_opt.c) keeps it while it waits.
 */
static long
op_close(struct net_req *r)
{
	struct net_sock *s = r->sock;

	if (r->stage++ > 0)
		return net_sock_linger(r, false);
	drop_fd(s);
	if (net_sock_linger(r, true) == NET_PENDING)
		return NET_PENDING;
	net_sock_destroy(s);
	return 0;
}

/*
 * The machine's exit (net_drain): every descriptor closes as close()
 * does without SO_LINGER (the FIN follows the data; unread data or
 * SO_LINGER {1, 0} reset), and the answer is how many connections still
 * owe their peers data or a FIN, plus the packets not yet on the wire
 * (a datagram waiting for ARP, say).  Each time it is asked it also
 * closes what was opened since.
 */
static long
op_exit(void)
{
	struct net_sock *s;
	int fd, n = net_sock_table_size();

	for (fd = 0; fd < n; fd++) {
		if ((s = net_sock_lookup(fd)) == NULL)
			continue;
		drop_fd(s);
		net_sock_destroy(s);
	}
	return net_stream_owing() + net_if_unsent();
}

static long
op_name(struct net_req *r, bool peer)
{
	struct net_sock *s = r->sock;

	if (peer && !s->connected)
		return -TORO_ENOTCONN;
	r->from->family = TORO_AF_INET;
	r->from->addr = peer ? s->raddr : s->laddr;
	r->from->port = peer ? s->rport : s->lport;
	/* Bound to any address: the one we would use now. */
	if (!peer && r->from->addr == 0 && s->connected)
		r->from->addr = net_ip_source(s->raddr);
	return 0;
}

/*
 * Park a poll that found nothing on each socket it watches.  Without
 * memory for its places it waits for any socket's event instead.
 */
static long
poll_place(struct net_req *r)
{
	struct net_sock *s;
	int i;

	if (r->pents == NULL && r->npfd > 0)
		r->pents = toro_malloc((size_t)r->npfd * sizeof(*r->pents));
	if (r->pents == NULL) {
		r->waitq = &pollers;
		return NET_PENDING;
	}
	for (i = 0; i < r->npfd; i++) {
		list_init(&r->pents[i].link);
		r->pents[i].req = r;
		if ((s = net_sock_lookup(r->pfd[i].fd)) != NULL)
			list_push_back(&s->pollq, &r->pents[i].link);
	}
	r->waitq = &polls_placed;
	return NET_PENDING;
}

/* What of p's interest s has now; in edge mode, only if s changed. */
static short
ready(struct net_sock *s, struct toro_pollfd *p)
{
	short ev = (short)(s->ops->poll(s) &
	    (p->events | TORO_POLLERR | TORO_POLLHUP));

	if (p->events & TORO_POLLET) {
		if (p->gen == s->gen)
			ev = 0;
		else if (ev != 0)
			p->gen = s->gen;
	}
	return ev;
}

static long
op_poll(struct net_req *r)
{
	struct toro_pollfd *p;
	struct net_sock *s;
	int i, n = 0;

	poll_unplace(r);
	for (i = 0; i < r->npfd; i++) {
		p = &r->pfd[i];
		p->revents = 0;
		if (p->fd < 0)
			continue;
		if ((s = net_sock_lookup(p->fd)) == NULL)
			p->revents = TORO_POLLNVAL;
		else
			p->revents = ready(s, p);
		if (p->revents != 0)
			n++;
	}
	if (n > 0 || r->value == 0)
		return n;
	return poll_place(r);
}

static long
op_info(struct net_req *r)
{
	struct toro_net_info *in = r->out;

	memset(in, 0, sizeof(*in));
	memcpy(in->mac, net_if.mac, sizeof(in->mac));
	in->mtu = net_if.mtu;
	in->up = net_if.up;
	in->dhcp = net_if.dhcp;
	in->cpu = net_if.cpu;
	in->addr = net_if.addr;
	in->mask = net_if.mask;
	in->gateway = net_if.gw;
	in->dns = net_if.dns;
	in->lease_ns = net_if.dhcp ? net_dhcp_lease_left() : 0;
	return 0;
}

static long
op_wait(struct net_req *r)
{
	if (net_if.addr != 0)
		return 0;
	if (!net_if.up)
		return -TORO_ENETDOWN; /* the loopback alone: none will come */
	if (r->value == 0)
		return -TORO_ETIMEDOUT;
	r->waitq = &addr_waiters;
	return NET_PENDING;
}

/* Operations on one socket, by its kind. */
static long
sock_op(struct net_req *r)
{
	struct net_sock *s = r->sock;
	const struct net_sock_ops *o = s->ops;

	switch (r->op) {
	case OP_BIND:
		return o->bind != NULL ? o->bind(s, r->to) : -TORO_EOPNOTSUPP;
	case OP_LISTEN:
		return o->listen != NULL ? o->listen(s, r->flags) :
		    -TORO_EOPNOTSUPP;
	case OP_ACCEPT:
		return o->accept != NULL ? o->accept(r) : -TORO_EOPNOTSUPP;
	case OP_CONNECT:
		return o->connect(r);
	case OP_SEND:
		return o->send(r);
	case OP_RECV:
		return o->recv(r);
	case OP_SHUTDOWN:
		if (r->flags < TORO_SHUT_RD || r->flags > TORO_SHUT_RDWR)
			return -TORO_EINVAL;
		return o->shutdown(s, r->flags + 1);
	case OP_CLOSE:
		return op_close(r);
	case OP_NAME:
		return op_name(r, false);
	case OP_PEER:
		return op_name(r, true);
	case OP_NONBLOCK:
		s->nonblock = r->value != 0;
		return 0;
	case OP_TIMEOUT:
		if (r->value <= 0)
			return -TORO_EINVAL;
		s->rcv_timeout = s->snd_timeout = r->value;
		return 0;
	case OP_NODELAY:
		return net_stream_nodelay(s, r->value != 0);
	case OP_EPCTL:
		return net_epoll_ctl(s,
		    net_sock_lookup(((struct net_epctl *)r->out)->fd), r->out);
	case OP_EPWAIT:
		if (r->stage++ == 0) {
			r->deadline = deadline_after(r->value);
			r->timeout_result = 0;
		}
		return net_epoll_wait(r);
	case OP_SETOPT:
		return net_sock_setopt(s, r->flags, r->value);
	case OP_GETOPT:
		return net_sock_getopt(s, r->flags, r->out);
	case OP_ERROR: /* the pending error, said once */
		r->value = s->error;
		s->error = 0;
		return r->value;
	}
	return -TORO_EINVAL;
}

static long
dispatch(struct net_req *r)
{
	if (r->sock == NULL) {
		switch (r->op) {
		case OP_SOCKET:
			return op_socket(r);
		case OP_POLL:
			if (r->stage++ == 0)
				r->deadline = deadline_after(r->value);
			r->timeout_result = 0;
			return op_poll(r);
		case OP_INFO:
			return op_info(r);
		case OP_STATS:
			memcpy(r->out, &net_stats, sizeof(net_stats));
			net_stream_stats(r->out);
			return 0;
		case OP_WAIT:
			if (r->stage++ == 0)
				r->deadline = deadline_after(r->value);
			return op_wait(r);
		case OP_PIPE:
			return net_pipe_new(r->fd, r->flags, (uint64_t)r->value,
			    r->out);
		case OP_EPCREATE:
			return net_epoll_new();
		case OP_EXIT:
			return op_exit();
		}
		if ((r->sock = net_sock_lookup(r->fd)) == NULL)
			return -TORO_EBADF;
		/* SO_SNDTIMEO for send and connect, else SO_RCVTIMEO. */
		r->deadline = deadline_after(r->op == OP_SEND ||
		    r->op == OP_CONNECT ? r->sock->snd_timeout :
		    r->sock->rcv_timeout);
		r->nonblock = r->sock->nonblock ||
		    (r->flags & TORO_MSG_DONTWAIT) != 0;
	}
	return sock_op(r);
}
