/*
 * sockapi.c: the socket calls of toro/socket.h on the caller's side.
 *
 * Interface: each toro_* function checks what it can without the
 * stack, fills a struct net_req on its own stack and hands it to
 * net_call(), which sends it to the network CPU (socket.c) with
 * sched_call() and sleeps until the answer (sock.h tells the protocol).
 *
 * Rules: sched_call()'s.  This is the only code of the socket layer that
 * runs on the caller's CPU.  The same path serves callers on the
 * network CPU itself.
 */
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
toro_socket(int domain, int type, int protocol)
{
	struct net_req r = { .fd = domain, .value = type, .flags = protocol };

	return (int)net_call(&r, OP_SOCKET);
}

static int
addr_call(int s, const struct toro_sockaddr_in *a, int op)
{
	struct net_req r = { .fd = s, .to = a };

	if (a == NULL)
		return -TORO_EFAULT;
	if (a->family != TORO_AF_INET)
		return -TORO_EINVAL;
	return (int)net_call(&r, op);
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
	struct net_req r = { .fd = s, .from = peer, .value = flags };

	if (flags & ~TORO_SOCK_NONBLOCK)
		return -TORO_EINVAL;
	return (int)net_call(&r, OP_ACCEPT);
}

long
toro_sendto(int s, const void *buf, size_t len, int flags,
    const struct toro_sockaddr_in *to)
{
	struct net_req r = { .fd = s, .cbuf = buf, .len = len,
		.flags = flags, .to = to };

	if (buf == NULL && len > 0)
		return -TORO_EFAULT;
	if (to != NULL && to->family != TORO_AF_INET)
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
	struct net_req r = { .fd = s, .buf = buf, .len = len,
		.flags = flags, .from = from };

	if (buf == NULL && len > 0)
		return -TORO_EFAULT;
	return net_call(&r, OP_RECV);
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

int
toro_getsockname(int s, struct toro_sockaddr_in *addr)
{
	struct net_req r = { .fd = s, .from = addr };

	if (addr == NULL)
		return -TORO_EFAULT;
	return (int)net_call(&r, OP_NAME);
}

int
toro_getpeername(int s, struct toro_sockaddr_in *addr)
{
	struct net_req r = { .fd = s, .from = addr };

	if (addr == NULL)
		return -TORO_EFAULT;
	return (int)net_call(&r, OP_PEER);
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
toro_poll(struct toro_pollfd *fds_, int n, int64_t timeout_ns)
{
	struct net_req r = { .pfd = fds_, .npfd = n, .value = timeout_ns };

	if (n < 0 || n > TORO_POLL_MAX || timeout_ns < 0 ||
	    (fds_ == NULL && n > 0))
		return -TORO_EINVAL;
	return (int)net_call(&r, OP_POLL);
}

int
toro_net_info(struct toro_net_info *info)
{
	struct net_req r = { .out = info };

	if (info == NULL)
		return -TORO_EFAULT;
	memset(info, 0, sizeof(*info));
	return (int)net_call(&r, OP_INFO);
}

int
toro_net_stats(struct toro_net_stats *st)
{
	struct net_req r = { .out = st };

	if (st == NULL)
		return -TORO_EFAULT;
	memset(st, 0, sizeof(*st));
	return (int)net_call(&r, OP_STATS);
}

int
toro_net_wait(int64_t timeout_ns)
{
	struct net_req r = { .value = timeout_ns };

	if (timeout_ns < 0)
		return -TORO_EINVAL;
	return (int)net_call(&r, OP_WAIT);
}

static int
pipe_call(int kind, int flags, uint64_t init, int fds[2])
{
	struct net_req r = { .fd = kind, .flags = flags,
		.value = (int64_t)init, .out = fds };

	if (fds == NULL)
		return -TORO_EFAULT;
	return (int)net_call(&r, OP_PIPE);
}

int
toro_pipe(int fds[2], int flags)
{
	if (flags & ~TORO_SOCK_NONBLOCK)
		return -TORO_EINVAL;
	return pipe_call(NET_PIPE_PIPE, flags, 0, fds);
}

int
toro_socketpair(int fds[2], int flags)
{
	if (flags & ~TORO_SOCK_NONBLOCK)
		return -TORO_EINVAL;
	return pipe_call(NET_PIPE_PAIR, flags, 0, fds);
}

int
toro_eventfd(uint64_t init, int flags)
{
	int fds[2] = { -1, -1 }, err;

	if (flags & ~(TORO_SOCK_NONBLOCK | TORO_EFD_SEMAPHORE))
		return -TORO_EINVAL;
	if ((err = pipe_call(NET_PIPE_COUNTER, flags, init, fds)) < 0)
		return err;
	return fds[0];
}
