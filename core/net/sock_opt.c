/*
 * sock_opt.c: socket options (toro/socket.h's TORO_SO_* and TORO_TCP_*)
 * on the network CPU.
 *
 * Interface: net_sock_setopt() and net_sock_getopt() serve OP_SETOPT
 * and OP_GETOPT (socket.c); net_sock_linger() is a close's linger
 * (socket.c); net_sock_inherit() gives an accepted socket its
 * listener's options (sock_stream.c).
 *
 * Rules: what the socket layer does itself (timeouts, linger, the
 * datagram queue) lives in struct net_sock; a stream's keep-alive,
 * buffers and Nagle live in its struct tcp_conn, which the engine
 * copies from a listener to what it accepts, so there is one copy of
 * each.  An option a socket of this kind lacks is -TORO_ENOPROTOOPT,
 * never a silent yes.  Pipes, pairs and counters (type 0) have the
 * timeouts and TORO_SO_REUSEADDR only.
 */
#include "core/net/sock.h"
#include "core/net/tcp.h"
#include "toro/errno.h"
#include "toro/mbox.h"

static bool
is_stream(const struct net_sock *s)
{
	return s->type == TORO_SOCK_STREAM && s->proto != NULL;
}

/* A stream's keep-alive settings with one of them changed. */
static int
set_keepalive(struct net_sock *s, int opt, int64_t v)
{
	struct tcp_keepalive k;

	tcp_get_keepalive(s->proto, &k);
	if (opt == TORO_SO_KEEPALIVE)
		k.on = v != 0;
	else if (v < 1 ||
	    v > (opt == TORO_TCP_KEEPCNT ? TCP_KEEP_CNT_MAX
					 : TCP_KEEP_TIME_MAX))
		return -TORO_EINVAL;
	else if (opt == TORO_TCP_KEEPIDLE)
		k.idle = (uint32_t)v;
	else if (opt == TORO_TCP_KEEPINTVL)
		k.intvl = (uint32_t)v;
	else
		k.cnt = (uint32_t)v;
	return tcp_set_keepalive(s->proto, &k);
}

/* A size in bytes: negative or huge is the most (as Linux's clamp). */
static uint32_t
size_of(int64_t v)
{
	if (v < 0 || v > TCP_BUF_MAX)
		return TCP_BUF_MAX;
	return MAX((uint32_t)v, TCP_BUF_MIN);
}

static int
set_stream(struct net_sock *s, int opt, int64_t v)
{
	int err;

	switch (opt) {
	case TORO_SO_KEEPALIVE:
	case TORO_TCP_KEEPIDLE:
	case TORO_TCP_KEEPINTVL:
	case TORO_TCP_KEEPCNT:
		err = set_keepalive(s, opt, v);
		net_stream_rearm(); /* a keep-alive timer may be earlier */
		return err;
	case TORO_SO_RCVBUF:
		return tcp_set_bufsize(s->proto, 0, size_of(v));
	case TORO_SO_SNDBUF:
		return tcp_set_bufsize(s->proto, size_of(v), 0);
	case TORO_TCP_NODELAY:
		tcp_set_nodelay(s->proto, v != 0);
		return 0;
	}
	return -TORO_ENOPROTOOPT;
}

static int
set_dgram(struct net_sock *s, int opt, int64_t v)
{
	switch (opt) {
	case TORO_SO_KEEPALIVE:
		s->keepalive = v != 0;
		return 0;
	case TORO_SO_RCVBUF:
		s->rcvbuf = size_of(v);
		return 0;
	case TORO_SO_SNDBUF:
		s->sndbuf = size_of(v);
		return 0;
	}
	return -TORO_ENOPROTOOPT;
}

int
net_sock_setopt(struct net_sock *s, int opt, int64_t v)
{
	switch (opt) {
	case TORO_SO_REUSEADDR:
		s->reuseaddr = v != 0;
		return 0;
	case TORO_SO_RCVTIMEO:
	case TORO_SO_SNDTIMEO:
		if (v <= 0)
			return -TORO_EINVAL;
		if (opt == TORO_SO_RCVTIMEO)
			s->rcv_timeout = v;
		else
			s->snd_timeout = v;
		return 0;
	}
	if (s->type == 0)
		return -TORO_ENOPROTOOPT;
	if (opt == TORO_SO_LINGER) {
		s->linger = TORO_LINGER_ON(v);
		if (s->linger)
			s->linger_s = TORO_LINGER_SEC(v) < 0
			    ? INT32_MAX
			    : TORO_LINGER_SEC(v);
		return 0;
	}
	return is_stream(s) ? set_stream(s, opt, v) : set_dgram(s, opt, v);
}

static int
get_stream(struct net_sock *s, int opt, int64_t *v)
{
	struct tcp_keepalive k;
	struct tcp_info ti;

	tcp_get_keepalive(s->proto, &k);
	tcp_get_info(s->proto, &ti);
	switch (opt) {
	case TORO_SO_KEEPALIVE:
		*v = k.on;
		return 0;
	case TORO_TCP_KEEPIDLE:
		*v = k.idle;
		return 0;
	case TORO_TCP_KEEPINTVL:
		*v = k.intvl;
		return 0;
	case TORO_TCP_KEEPCNT:
		*v = k.cnt;
		return 0;
	case TORO_SO_RCVBUF:
		*v = ti.rcvbuf;
		return 0;
	case TORO_SO_SNDBUF:
		*v = ti.sndbuf;
		return 0;
	case TORO_TCP_NODELAY:
		*v = ti.nodelay;
		return 0;
	}
	return -TORO_ENOPROTOOPT;
}

static int
get_dgram(struct net_sock *s, int opt, int64_t *v)
{
	switch (opt) {
	case TORO_SO_KEEPALIVE:
		*v = s->keepalive;
		return 0;
	case TORO_SO_RCVBUF:
		*v = s->rcvbuf;
		return 0;
	case TORO_SO_SNDBUF:
		*v = s->sndbuf;
		return 0;
	}
	return -TORO_ENOPROTOOPT;
}

/* *v is the request's own (sockapi.c copies it out). */
int
net_sock_getopt(struct net_sock *s, int opt, int64_t *v)
{
	switch (opt) {
	case TORO_SO_REUSEADDR:
		*v = s->reuseaddr;
		return 0;
	case TORO_SO_RCVTIMEO:
		*v = s->rcv_timeout;
		return 0;
	case TORO_SO_SNDTIMEO:
		*v = s->snd_timeout;
		return 0;
	}
	if (s->type == 0)
		return -TORO_ENOPROTOOPT;
	switch (opt) {
	case TORO_SO_LINGER:
		*v = TORO_LINGER(s->linger, s->linger_s);
		return 0;
	case TORO_SO_ACCEPTCONN:
		*v = s->listening;
		return 0;
	}
	return is_stream(s) ? get_stream(s, opt, v) : get_dgram(s, opt, v);
}

/* However a lingering close ends, the socket goes then. */
static void
linger_done(struct net_req *r)
{
	net_sock_destroy(r->sock);
}

/*
 * A connection whose data or FIN is not all acknowledged keeps its
 * socket while the close waits on it for the acknowledgement or N s,
 * then 0 either way (the connection going on as without linger).
 * Non-blocking or not, as on Linux.
 */
long
net_sock_linger(struct net_req *r, bool first)
{
	struct net_sock *s = r->sock;

	if (!first) {
		if (!s->ops->draining(s, false))
			return 0;
		r->waitq = &s->waiters;
		return NET_PENDING;
	}
	if (!s->linger || s->linger_s <= 0 || s->ops->draining == NULL ||
	    !s->ops->draining(s, true))
		return 0;
	r->done = linger_done;
	r->nonblock = false;
	r->deadline = net_now() + (uint64_t)s->linger_s * 1000000000ULL;
	r->timeout_result = 0;
	r->waitq = &s->waiters;
	return NET_PENDING;
}

/* What Linux's accepted socket takes from its listener, at our level. */
void
net_sock_inherit(struct net_sock *ns, const struct net_sock *l)
{
	ns->rcv_timeout = l->rcv_timeout;
	ns->snd_timeout = l->snd_timeout;
	ns->reuseaddr = l->reuseaddr;
	ns->linger = l->linger;
	ns->linger_s = l->linger_s;
}
