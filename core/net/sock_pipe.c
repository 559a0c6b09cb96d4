/*
 * sock_pipe.c: byte pipes, socket pairs and event counters, kept in the
 * socket table so that toro_poll() watches them together with sockets.
 *
 * Interface: net_pipe_new() for socket.c's OP_PIPE (toro_pipe,
 * toro_socketpair, toro_eventfd in toro/socket.h).
 *
 * A pipe is one ring of NET_PIPE_SIZE bytes (made on the first write)
 * between a read end and a write end; a pair is two rings, one each
 * way; an event counter is a 64-bit count on one descriptor (Linux's
 * eventfd: a read takes the count, or 1 with TORO_EFD_SEMAPHORE, and
 * waits while it is 0; a write adds, and waits while the sum would pass
 * 2^64 - 2).  As on Linux, a write of at most NET_PIPE_ATOMIC bytes goes
 * in whole or waits; a longer one goes in pieces; a read waits for the
 * first byte only; reading an empty ring whose writer is gone is the
 * end (0), and writing to one whose reader is gone is -TORO_EPIPE.
 *
 * Rules: socket.c's: all of it runs on the network CPU and never
 * blocks; the caller's buffers are reached with hal_copy(), so a bad
 * one fails the call (-TORO_EFAULT) and takes or adds nothing; an operation
 * that must wait parks on its socket's waiters and carries on from r->progress
 * when run again.  Every change to a ring wakes the socket at its other end.
 */
#include "core/net/sock.h"
#include "toro/errno.h"
#include "toro/mem.h"

#define NET_PIPE_SIZE 65536u  /* Linux's default pipe capacity */
#define NET_PIPE_ATOMIC 4096u /* PIPE_BUF */
#define COUNT_MAX (~(uint64_t)0 - 1)

struct ring {
	uint8_t *buf; /* NET_PIPE_SIZE bytes once written to */
	size_t head, len;
	struct net_sock *rd, *wr; /* its ends; NULL once gone */
};

/* A pipe end, a pair end or a counter: s->proto. */
struct end {
	struct ring *rx, *tx;
	uint64_t count;
	bool counter, sema;
};

static struct end *
end_of(struct net_sock *s)
{
	return s->proto;
}

static long
no_connect(struct net_req *r)
{
	return -TORO_EOPNOTSUPP;
}

/* No more bytes will come into g: its writer closed or shut down. */
static bool
ended(const struct ring *g)
{
	return g->wr == NULL || (g->wr->shut & NET_SHUT_WR);
}

/* Nobody will read g: its reader closed or shut down. */
static bool
unread(const struct ring *g)
{
	return g->rd == NULL || (g->rd->shut & NET_SHUT_RD);
}

static void
wake(struct net_sock *s)
{
	if (s != NULL)
		net_sock_wake(s);
}

static long
ring_send(struct net_req *r)
{
	struct ring *g = end_of(r->sock)->tx;
	size_t want, room, n, at, first;

	if (g == NULL)
		return -TORO_EBADF;
	while (r->progress < r->len) {
		if (unread(g) || ended(g))
			return r->progress > 0 ? (long)r->progress
					       : -TORO_EPIPE;
		if (g->buf == NULL &&
		    (g->buf = toro_malloc(NET_PIPE_SIZE)) == NULL)
			return r->progress > 0 ? (long)r->progress
					       : -TORO_ENOMEM;
		want = r->len - r->progress;
		room = NET_PIPE_SIZE - g->len;
		/* A short write goes in whole or not at all. */
		if (room == 0 || (r->len <= NET_PIPE_ATOMIC && room < want)) {
			r->waitq = &r->sock->waiters;
			return NET_PENDING;
		}
		n = MIN(want, room);
		at = (g->head + g->len) % NET_PIPE_SIZE;
		first = MIN(n, NET_PIPE_SIZE - at);
		/* The caller's bytes: a bad pointer adds nothing, and fails. */
		if (hal_copy(g->buf + at,
			(const uint8_t *)r->cbuf + r->progress, first) < 0 ||
		    hal_copy(g->buf,
			(const uint8_t *)r->cbuf + r->progress + first,
			n - first) < 0)
			return r->progress > 0 ? (long)r->progress
					       : -TORO_EFAULT;
		g->len += n;
		r->progress += n;
		wake(g->rd);
	}
	return (long)r->progress;
}

static long
ring_recv(struct net_req *r)
{
	struct ring *g = end_of(r->sock)->rx;
	size_t n, first;

	if (g == NULL)
		return -TORO_EBADF;
	if (r->len == 0)
		return 0;
	if (g->len == 0) {
		if (ended(g) || unread(g))
			return 0;
		r->waitq = &r->sock->waiters;
		return NET_PENDING;
	}
	n = MIN(r->len, g->len);
	first = MIN(n, NET_PIPE_SIZE - g->head);
	/* Into the caller's buffer before anything is taken. */
	if (hal_copy(r->buf, g->buf + g->head, first) < 0 ||
	    hal_copy((uint8_t *)r->buf + first, g->buf, n - first) < 0)
		return -TORO_EFAULT;
	if ((r->flags & TORO_MSG_PEEK) == 0) {
		g->head = (g->head + n) % NET_PIPE_SIZE;
		g->len -= n;
		wake(g->wr);
	}
	return (long)n;
}

/*
 * As Linux: a pipe's read end hangs up when its writer goes, its write
 * end errs when its reader goes; a pair's end reads the end of the
 * stream (and says RDHUP) when its peer stops writing, stays writable (the write says
 * EPIPE) and hangs up when the peer is gone both ways.
 */
static short
ring_poll(struct net_sock *s)
{
	struct end *e = end_of(s);
	bool pair = e->rx != NULL && e->tx != NULL;
	short ev = 0;

	if (e->rx != NULL) {
		if (e->rx->len > 0 || (pair && ended(e->rx)))
			ev |= TORO_POLLIN;
		if (pair && ended(e->rx))
			ev |= TORO_POLLRDHUP;
		if (!pair && ended(e->rx))
			ev |= TORO_POLLHUP;
	}
	if (e->tx != NULL) {
		if (e->tx->len < NET_PIPE_SIZE && !(s->shut & NET_SHUT_WR))
			ev |= TORO_POLLOUT;
		if (!pair && unread(e->tx))
			ev |= TORO_POLLERR;
	}
	if (pair && ended(e->rx) && unread(e->tx))
		ev |= TORO_POLLHUP;
	return ev;
}

/* Leave ring g as its reader (or writer); the last one out frees it. */
static void
ring_leave(struct ring *g, bool reader)
{
	if (g == NULL)
		return;
	if (reader) {
		g->rd = NULL;
		wake(g->wr);
	} else {
		g->wr = NULL;
		wake(g->rd);
	}
	if (g->rd == NULL && g->wr == NULL) {
		toro_free(g->buf);
		toro_free(g);
	}
}

static int
ring_shutdown(struct net_sock *s, int how)
{
	struct end *e = end_of(s);

	if (e->rx == NULL || e->tx == NULL)
		return -TORO_ENOTCONN; /* a pipe end is not a socket */
	s->shut |= how;
	/* The peer sees the end of what we send, or EPIPE on its writes. */
	if (how & NET_SHUT_WR)
		wake(e->tx->rd);
	if (how & NET_SHUT_RD)
		wake(e->rx->wr);
	net_sock_wake(s);
	return 0;
}

static void
ring_close(struct net_sock *s)
{
	struct end *e = end_of(s);

	ring_leave(e->rx, true);
	ring_leave(e->tx, false);
	toro_free(e);
	s->proto = NULL;
}

static const struct net_sock_ops ring_ops = {
	.connect = no_connect,
	.send = ring_send,
	.recv = ring_recv,
	.shutdown = ring_shutdown,
	.close = ring_close,
	.poll = ring_poll,
};

static long
count_recv(struct net_req *r)
{
	struct end *e = end_of(r->sock);
	uint64_t v;

	if (r->len < sizeof(v))
		return -TORO_EINVAL;
	if (e->count == 0) {
		r->waitq = &r->sock->waiters;
		return NET_PENDING;
	}
	v = e->sema ? 1 : e->count;
	if (hal_copy(r->buf, &v, sizeof(v)) < 0)
		return -TORO_EFAULT;
	e->count -= v;
	net_sock_wake(r->sock);
	return sizeof(v);
}

static long
count_send(struct net_req *r)
{
	struct end *e = end_of(r->sock);
	uint64_t v;

	if (r->len < sizeof(v))
		return -TORO_EINVAL;
	if (hal_copy(&v, r->cbuf, sizeof(v)) < 0)
		return -TORO_EFAULT;
	if (v > COUNT_MAX)
		return -TORO_EINVAL;
	if (e->count > COUNT_MAX - v) {
		r->waitq = &r->sock->waiters;
		return NET_PENDING;
	}
	e->count += v;
	if (v > 0)
		net_sock_wake(r->sock);
	return sizeof(v);
}

static short
count_poll(struct net_sock *s)
{
	struct end *e = end_of(s);

	return (short)((e->count > 0 ? TORO_POLLIN : 0) |
	    (e->count < COUNT_MAX ? TORO_POLLOUT : 0));
}

static int
count_shutdown(struct net_sock *s, int how)
{
	return -TORO_ENOTCONN;
}

static void
count_close(struct net_sock *s)
{
	toro_free(s->proto);
	s->proto = NULL;
}

static const struct net_sock_ops count_ops = {
	.connect = no_connect,
	.send = count_send,
	.recv = count_recv,
	.shutdown = count_shutdown,
	.close = count_close,
	.poll = count_poll,
};

/*
 * A socket of ops with a zeroed end, or NULL (and nothing made).  Its
 * type is neither TCP's nor UDP's, so no protocol option applies.
 */
static struct net_sock *
end_new(const struct net_sock_ops *ops, bool nonblock)
{
	struct net_sock *s;
	struct end *e;

	if ((e = toro_calloc(1, sizeof(*e))) == NULL)
		return NULL;
	if ((s = net_sock_new(0, ops)) == NULL) {
		toro_free(e);
		return NULL;
	}
	s->proto = e;
	s->nonblock = nonblock;
	s->connected = true;
	return s;
}

/* The rings of a pipe (one) or a pair (two), joined to ends a and b. */
static int
join(struct net_sock *a, struct net_sock *b, bool pair)
{
	struct ring *ab, *ba = NULL;

	if ((ab = toro_calloc(1, sizeof(*ab))) == NULL ||
	    (pair && (ba = toro_calloc(1, sizeof(*ba))) == NULL)) {
		toro_free(ab);
		return -TORO_ENOMEM;
	}
	/* A pipe: a (fds[0]) reads what b (fds[1]) writes. */
	ab->rd = a;
	ab->wr = b;
	end_of(a)->rx = ab;
	end_of(b)->tx = ab;
	if (pair) {
		ba->rd = b;
		ba->wr = a;
		end_of(b)->rx = ba;
		end_of(a)->tx = ba;
	}
	return 0;
}

int
net_pipe_new(int kind, int flags, uint64_t init, int fds[2])
{
	bool nonblock = (flags & TORO_SOCK_NONBLOCK) != 0;
	struct net_sock *a, *b;

	if (kind == NET_PIPE_COUNTER) {
		if ((a = end_new(&count_ops, nonblock)) == NULL)
			return -TORO_ENFILE;
		end_of(a)->counter = true;
		end_of(a)->count = init;
		end_of(a)->sema = (flags & TORO_EFD_SEMAPHORE) != 0;
		fds[0] = a->fd;
		return 0;
	}
	if ((a = end_new(&ring_ops, nonblock)) == NULL)
		return -TORO_ENFILE;
	if ((b = end_new(&ring_ops, nonblock)) == NULL) {
		net_sock_free(a);
		return -TORO_ENFILE;
	}
	if (join(a, b, kind == NET_PIPE_PAIR) < 0) {
		net_sock_free(a);
		net_sock_free(b);
		return -TORO_ENOMEM;
	}
	fds[0] = a->fd;
	fds[1] = b->fd;
	return 0;
}
