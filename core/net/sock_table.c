/*
 * sock_table.c: the socket table: descriptors and the sockets behind
 * them.
 *
 * Interface (sock.h): net_sock_table_init() at the stack's start;
 * net_sock_new() takes the lowest free descriptor for a new socket,
 * net_sock_lookup() finds a descriptor's socket (all of them are below
 * net_sock_table_size()), net_sock_fd_release()
 * gives a descriptor back (its socket may live on: a lingering close),
 * net_sock_destroy() closes and frees a socket, net_sock_free() both.
 *
 * Rules: socket.c's: the network CPU only, never blocking.
 */
#include "core/net/sock.h"
#include "toro/mbox.h"
#include "toro/mem.h"

/*
 * The descriptor table grows by doubling up to NET_SOCK_MAX; a bit map
 * of taken slots finds the lowest free descriptor (as POSIX wants) 64
 * slots at a time, and no slot below lowfree is free.
 */
static struct net_sock **fds;
static uint64_t *fd_used;
static int nfds, lowfree;

void
net_sock_table_init(void)
{
	/* A machine that boots again starts with no table. */
	fds = NULL;
	fd_used = NULL;
	nfds = lowfree = 0;
}

static int
fd_grow(void)
{
	int n = nfds == 0 ? 64 : nfds * 2;
	struct net_sock **f;
	uint64_t *u;

	if (n > NET_SOCK_MAX)
		return -1;
	if ((f = toro_calloc((size_t)n, sizeof(*f))) == NULL)
		return -1;
	if ((u = toro_calloc((size_t)n / 64, sizeof(*u))) == NULL) {
		toro_free(f);
		return -1;
	}
	if (nfds > 0) {
		memcpy(f, fds, (size_t)nfds * sizeof(*f));
		memcpy(u, fd_used, (size_t)nfds / 64 * sizeof(*u));
	}
	toro_free(fds);
	toro_free(fd_used);
	fds = f;
	fd_used = u;
	nfds = n;
	return 0;
}

/* The lowest free descriptor, taken; -1 if there is none. */
static int
fd_alloc(void)
{
	int w, fd;

	for (w = lowfree / 64; w < nfds / 64 && fd_used[w] == ~0ull; w++)
		continue;
	if (w == nfds / 64 && fd_grow() < 0)
		return -1;
	fd = w * 64 + __builtin_ctzll(~fd_used[w]);
	fd_used[w] |= 1ull << (fd % 64);
	lowfree = fd + 1;
	return fd;
}

void
net_sock_fd_release(int fd)
{
	fds[fd] = NULL;
	fd_used[fd / 64] &= ~(1ull << (fd % 64));
	if (fd < lowfree)
		lowfree = fd;
}

struct net_sock *
net_sock_new(int type, const struct net_sock_ops *ops)
{
	struct net_sock *s;
	int fd;

	if ((s = toro_calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((fd = fd_alloc()) < 0) {
		toro_free(s);
		return NULL;
	}
	s->fd = fd;
	s->type = type;
	s->ops = ops;
	s->rcv_timeout = s->snd_timeout = TORO_FOREVER;
	s->rcvbuf = s->sndbuf = NET_DGRAM_RCVBUF;
	s->gen = 1;
	list_init(&s->waiters);
	list_init(&s->hlink);
	list_init(&s->rxq);
	list_init(&s->acceptq);
	list_init(&s->pollq);
	list_init(&s->epq);
	fds[fd] = s;
	return s;
}

void
net_sock_free(struct net_sock *s)
{
	net_sock_fd_release(s->fd);
	net_sock_destroy(s);
}

void
net_sock_destroy(struct net_sock *s)
{
	if (s->ops->close != NULL)
		s->ops->close(s);
	net_epoll_forget(s);
	toro_free(s);
}

struct net_sock *
net_sock_lookup(int fd)
{
	return fd >= 0 && fd < nfds ? fds[fd] : NULL;
}

int
net_sock_table_size(void)
{
	return nfds;
}
