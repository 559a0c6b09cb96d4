/*
 * sockapi.c: the socket calls of toro/socket.h on the caller's side.
 *
 * Interface: each toro_* function checks what it can without the
 * stack, fills a struct net_req on its own stack and hands it to
 * net_call(), which sends it to the network CPU (socket.c) with
 * sched_call() and sleeps until the answer (sock.h tells the protocol).
 *
 * The network CPU reads and writes the caller's buffers in place, with
 * hal_copy() or after lib_caller_check(), so a bad one is -TORO_EFAULT.
 * The small things a call passes (addresses, the counters) are copied
 * here, into and out of the request's own, with hal_copy(); an address
 * a call fills is checked before the call, so that a bad one does not
 * cost a connection or a datagram.
 *
 * Rules: sched_call()'s.  This is the only code of the socket layer that
 * runs on the caller's CPU.  The same path serves callers on the
 * network CPU itself.
 */
#include "core/lib/lib.h"
#include "core/net/sock.h"
#include "toro/errno.h"
#include "toro/mbox.h"

static long
net_call(struct net_req *r, int op)
{
	int cpu = __atomic_load_n(&net_if.cpu, __ATOMIC_ACQUIRE);
	int err;

	/* Without a NIC the first call starts the loopback alone. */
	if (cpu < 0) {
		if ((err = net_start_loopback()) < 0)
			return err;
		cpu = __atomic_load_n(&net_if.cpu, __ATOMIC_ACQUIRE);
	}
	r->op = op;
	return sched_call(cpu, &r->call, net_req_arrive, "socket");
}

int
net_exit_step(void)
{
	struct net_req r = { .fd = -1 };

	return (int)net_call(&r, OP_EXIT);
}

int
toro_socket(int domain, int type, int protocol)
{
	struct net_req r = { .fd = domain, .value = type, .flags = protocol };

	return (int)net_call(&r, OP_SOCKET);
}

static int
addr_call(int s, const struct toro_sockaddr_in *a, int op)
{
	struct toro_sockaddr_in to;
	struct net_req r = { .fd = s, .to = &to };

	if (a == NULL || hal_copy(&to, a, sizeof(to)) < 0)
		return -TORO_EFAULT;
	if (to.family != TORO_AF_INET)
		return -TORO_EINVAL;
	return (int)net_call(&r, op);
}

/* Give the caller the address a call filled in: 0 or -TORO_EFAULT. */
static int
addr_out(struct toro_sockaddr_in *to, const struct toro_sockaddr_in *a)
{
	return to == NULL ? 0 : hal_copy(to, a, sizeof(*a));
}

int
toro_bind(int s, const struct toro_sockaddr_in *addr)
{
	return addr_call(s, addr, OP_BIND);
}

int
toro_connect(int s, const struct toro_sockaddr_in *addr)
{
	return addr_call(s, addr, OP_CONNECT);
}

int
toro_listen(int s, int backlog)
{
	struct net_req r = { .fd = s, .flags = backlog };

	return (int)net_call(&r, OP_LISTEN);
}

int
toro_accept(int s, struct toro_sockaddr_in *peer)
{
	return toro_accept4(s, peer, 0);
}

/* One call where accept and a non-blocking switch would take two. */
int
toro_accept4(int s, struct toro_sockaddr_in *peer, int flags)
{
	struct toro_sockaddr_in a;
	struct net_req r = { .fd = s, .from = peer != NULL ? &a : NULL,
		.value = flags };
	int fd;

	if (flags & ~TORO_SOCK_NONBLOCK)
		return -TORO_EINVAL;
	if (lib_caller_check(peer, peer != NULL ? sizeof(*peer) : 0, true) < 0)
		return -TORO_EFAULT;
	if ((fd = (int)net_call(&r, OP_ACCEPT)) >= 0 &&
	    addr_out(peer, &a) < 0) {
		/* It went since the check: the connection goes too (Linux). */
		net_close(fd);
		return -TORO_EFAULT;
	}
	return fd;
}

long
toro_sendto(int s, const void *buf, size_t len, int flags,
    const struct toro_sockaddr_in *to)
{
	struct toro_sockaddr_in a;
	struct net_req r = { .fd = s, .cbuf = buf, .len = len,
		.flags = flags, .to = to != NULL ? &a : NULL };

	if (buf == NULL && len > 0)
		return -TORO_EFAULT;
	if (to != NULL && hal_copy(&a, to, sizeof(a)) < 0)
		return -TORO_EFAULT;
	if (to != NULL && a.family != TORO_AF_INET)
		return -TORO_EINVAL;
	return net_call(&r, OP_SEND);
}

long
toro_send(int s, const void *buf, size_t len, int flags)
{
	return toro_sendto(s, buf, len, flags, NULL);
}

long
toro_recvfrom(int s, void *buf, size_t len, int flags,
    struct toro_sockaddr_in *from)
{
	struct toro_sockaddr_in a;
	struct net_req r = { .fd = s, .buf = buf, .len = len,
		.flags = flags, .from = from != NULL ? &a : NULL };
	long n;

	if (buf == NULL && len > 0)
		return -TORO_EFAULT;
	if (lib_caller_check(from, from != NULL ? sizeof(*from) : 0, true) < 0)
		return -TORO_EFAULT;
	n = net_call(&r, OP_RECV);
	if (n >= 0 && addr_out(from, &a) < 0)
		return -TORO_EFAULT;
	return n;
}

long
toro_recv(int s, void *buf, size_t len, int flags)
{
	return toro_recvfrom(s, buf, len, flags, NULL);
}

int
toro_shutdown(int s, int how)
{
	struct net_req r = { .fd = s, .flags = how };

	return (int)net_call(&r, OP_SHUTDOWN);
}

int
net_close(int s)
{
	struct net_req r = { .fd = s };

	return (int)net_call(&r, OP_CLOSE);
}

static int
name_call(int s, struct toro_sockaddr_in *addr, int op)
{
	struct toro_sockaddr_in a;
	struct net_req r = { .fd = s, .from = &a };
	int err;

	if (addr == NULL)
		return -TORO_EFAULT;
	if ((err = (int)net_call(&r, op)) < 0)
		return err;
	return addr_out(addr, &a);
}

int
toro_getsockname(int s, struct toro_sockaddr_in *addr)
{
	return name_call(s, addr, OP_NAME);
}

int
toro_getpeername(int s, struct toro_sockaddr_in *addr)
{
	return name_call(s, addr, OP_PEER);
}

int
toro_socket_set_nonblock(int s, int on)
{
	struct net_req r = { .fd = s, .value = on };

	return (int)net_call(&r, OP_NONBLOCK);
}

int
toro_socket_set_timeout(int s, int64_t ns)
{
	struct net_req r = { .fd = s, .value = ns };

	return (int)net_call(&r, OP_TIMEOUT);
}

int
toro_socket_set_nodelay(int s, int on)
{
	struct net_req r = { .fd = s, .value = on };

	return (int)net_call(&r, OP_NODELAY);
}

int
toro_socket_error(int s)
{
	struct net_req r = { .fd = s };

	return (int)net_call(&r, OP_ERROR);
}

int
toro_socket_setopt(int s, int opt, int64_t value)
{
	struct net_req r = { .fd = s, .flags = opt, .value = value };

	return (int)net_call(&r, OP_SETOPT);
}

/* The network CPU fills the request's own; the caller's gets a copy. */
int
toro_socket_getopt(int s, int opt, int64_t *value)
{
	int64_t v = 0;
	struct net_req r = { .fd = s, .flags = opt, .out = &v };
	int err;

	if (value == NULL)
		return -TORO_EFAULT;
	if ((err = (int)net_call(&r, OP_GETOPT)) < 0)
		return err;
	return hal_copy(value, &v, sizeof(v));
}

int
toro_poll(struct toro_pollfd *fds_, int n, int64_t timeout_ns)
{
	struct net_req r = { .pfd = fds_, .npfd = n, .value = timeout_ns };

	if (n < 0 || n > TORO_POLL_MAX || timeout_ns < 0 ||
	    (fds_ == NULL && n > 0))
		return -TORO_EINVAL;
	/* The network CPU reads and writes the entries in place. */
	if (lib_caller_check(fds_, (size_t)n * sizeof(*fds_), true) < 0)
		return -TORO_EFAULT;
	return (int)net_call(&r, OP_POLL);
}

int
toro_net_info(struct toro_net_info *info)
{
	struct toro_net_info in;
	struct net_req r = { .out = &in };
	int err;

	if (info == NULL)
		return -TORO_EFAULT;
	memset(&in, 0, sizeof(in));
	if ((err = (int)net_call(&r, OP_INFO)) < 0)
		return err;
	return hal_copy(info, &in, sizeof(in));
}

int
toro_net_stats(struct toro_net_stats *st)
{
	struct toro_net_stats ns;
	struct net_req r = { .out = &ns };
	int err;

	if (st == NULL)
		return -TORO_EFAULT;
	memset(&ns, 0, sizeof(ns));
	if ((err = (int)net_call(&r, OP_STATS)) < 0)
		return err;
	return hal_copy(st, &ns, sizeof(ns));
}

int
toro_net_wait(int64_t timeout_ns)
{
	struct net_req r = { .value = timeout_ns };

	if (timeout_ns < 0)
		return -TORO_EINVAL;
	return (int)net_call(&r, OP_WAIT);
}

/*
 * The network CPU writes the new descriptors into k; they go to the
 * caller's fds here, and are closed again if fds is bad.
 */
static int
pipe_call(int kind, int flags, uint64_t init, int *fds, int n)
{
	int k[2] = { -1, -1 }, err, i;
	struct net_req r = { .fd = kind, .flags = flags,
		.value = (int64_t)init, .out = k };

	if (fds == NULL)
		return -TORO_EFAULT;
	if ((err = (int)net_call(&r, OP_PIPE)) < 0)
		return err;
	if (hal_copy(fds, k, (size_t)n * sizeof(*k)) == 0)
		return 0;
	for (i = 0; i < n; i++)
		net_close(k[i]);
	return -TORO_EFAULT;
}

int
toro_pipe(int fds[2], int flags)
{
	if (flags & ~TORO_SOCK_NONBLOCK)
		return -TORO_EINVAL;
	return pipe_call(NET_PIPE_PIPE, flags, 0, fds, 2);
}

int
toro_socketpair(int fds[2], int flags)
{
	if (flags & ~TORO_SOCK_NONBLOCK)
		return -TORO_EINVAL;
	return pipe_call(NET_PIPE_PAIR, flags, 0, fds, 2);
}

int
toro_eventfd(uint64_t init, int flags)
{
	int fds[2] = { -1, -1 }, err;

	if (flags & ~(TORO_SOCK_NONBLOCK | TORO_EFD_SEMAPHORE))
		return -TORO_EINVAL;
	if ((err = pipe_call(NET_PIPE_COUNTER, flags, init, fds, 1)) < 0)
		return err;
	return fds[0];
}

int
toro_epoll_create(int flags)
{
	struct net_req r = { .fd = -1 };

	if (flags != 0)
		return -TORO_EINVAL;
	return (int)net_call(&r, OP_EPCREATE);
}

int
toro_epoll_ctl(int ep, int op, int s, int key, uint32_t events,
    uint64_t data)
{
	struct net_epctl c = { .op = op, .fd = s, .key = key,
		.events = events, .data = data };
	struct net_req r = { .fd = ep, .out = &c };

	return (int)net_call(&r, OP_EPCTL);
}

int
toro_epoll_wait(int ep, struct toro_epoll_event *out, int max,
    int64_t timeout_ns)
{
	struct net_req r = { .fd = ep, .buf = out, .npfd = max,
		.value = timeout_ns };

	if (max <= 0 || timeout_ns < 0)
		return -TORO_EINVAL;
	/* The network CPU writes the events with hal_copy(). */
	return (int)net_call(&r, OP_EPWAIT);
}
