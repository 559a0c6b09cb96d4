/*
 * socket.c: BSD sockets over the kernel's, in the one descriptor table.
 *
 * Interface: the libc_* socket calls of toroc.h, which syscall.c maps
 * from socket, bind, connect, listen, accept, accept4, sendto, recvfrom,
 * shutdown, getsockname, getpeername and poll.  sendmsg and recvmsg are
 * sockmsg.c's, setsockopt and getsockopt sockopt.c's.
 * read, write, close, fcntl(O_NONBLOCK) and ioctl(FIONBIO) on a socket
 * go through fd.c.
 *
 * Rules: IPv4 only (AF_INET), TCP and UDP.  Addresses and ports are in
 * network byte order here and in host order in the kernel's calls.
 * poll() serves sockets through the kernel's
 * poll; a file is always ready, the console is ready for output.
 * The caller's addresses and poll entries are read and written with
 * toro_copy(), so a bad pointer is EFAULT; one a call fills is checked
 * before the call, so that it costs no connection or datagram.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "libc/toroc.h"
#include "toro/toro.h"

static int
to_kernel(const void *sa, long len, struct toro_sockaddr_in *k)
{
	struct sockaddr_in in;

	if (sa == NULL || len < (long)sizeof(in))
		return -EINVAL;
	if (toro_copy(&in, sa, sizeof(in)) < 0)
		return -EFAULT;
	if (in.sin_family != AF_INET)
		return -EAFNOSUPPORT;
	k->family = TORO_AF_INET;
	k->port = ntohs(in.sin_port);
	k->addr = ntohl(in.sin_addr.s_addr);
	return 0;
}

/* Can sa take an address cut to *len, and *len its size?  0 or -EFAULT. */
static int
addr_room(void *sa, socklen_t *len)
{
	socklen_t n;

	if (sa == NULL || len == NULL)
		return 0;
	if (toro_copy(len, len, sizeof(*len)) < 0 ||
	    toro_copy(&n, len, sizeof(n)) < 0)
		return -EFAULT;
	if (n > sizeof(struct sockaddr_in))
		n = sizeof(struct sockaddr_in);
	return toro_copy(sa, sa, n) < 0 ? -EFAULT : 0;
}

/*
 * Copy k out as a sockaddr_in, cut to *len; *len gets the full size.
 * 0 or -EFAULT.
 */
static int
from_kernel(const struct toro_sockaddr_in *k, void *sa, socklen_t *len)
{
	struct sockaddr_in in;
	socklen_t n, full = sizeof(in);

	if (sa == NULL || len == NULL)
		return 0;
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons(k->port);
	in.sin_addr.s_addr = htonl(k->addr);
	if (toro_copy(&n, len, sizeof(n)) < 0 ||
	    toro_copy(sa, &in, n < full ? n : full) < 0 ||
	    toro_copy(len, &full, sizeof(full)) < 0)
		return -EFAULT;
	return 0;
}

/* An unnamed AF_UNIX address: the family alone. */
static long
unix_name(void *sa, socklen_t *len)
{
	socklen_t n, full = sizeof(sa_family_t);
	sa_family_t f = AF_UNIX;

	if (sa == NULL || len == NULL)
		return 0;
	if (toro_copy(&n, len, sizeof(n)) < 0 ||
	    toro_copy(sa, &f, n < full ? n : full) < 0 ||
	    toro_copy(len, &full, sizeof(full)) < 0)
		return -EFAULT;
	return 0;
}

/* A socket's description, referenced, or NULL with *err set. */
static struct libc_desc *
sock(long fd, long *err)
{
	struct libc_desc *d = libc_fd_get(fd);

	*err = 0;
	if (d == NULL)
		*err = -EBADF;
	else if (d->kind != KIND_SOCKET) {
		libc_fd_put(d);
		d = NULL;
		*err = -ENOTSOCK;
	}
	return d;
}

static long
install_socket(int h, int type, int nonblock)
{
	struct libc_desc *d;
	long fd;

	if ((d = toro_calloc(1, sizeof(*d))) == NULL) {
		toro_close(h);
		return -ENOMEM;
	}
	d->kind = KIND_SOCKET;
	d->type = type;
	d->handle = h;
	d->flags = O_RDWR | (nonblock ? O_NONBLOCK : 0);
	if ((fd = libc_fd_install(d, 0)) < 0) {
		d->refs = 1;
		libc_fd_put(d);
	}
	return fd;
}

long
libc_socket(long domain, long type, long proto)
{
	int kind = (int)type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int nonblock = (type & SOCK_NONBLOCK) != 0, h;

	if (domain != AF_INET)
		return -EAFNOSUPPORT;
	if (kind == SOCK_STREAM && proto != 0 && proto != IPPROTO_TCP)
		return -EPROTONOSUPPORT;
	if (kind == SOCK_DGRAM && proto != 0 && proto != IPPROTO_UDP)
		return -EPROTONOSUPPORT;
	if (kind != SOCK_STREAM && kind != SOCK_DGRAM)
		return -EPROTONOSUPPORT;
	h = toro_socket(TORO_AF_INET,
	    kind == SOCK_STREAM ? TORO_SOCK_STREAM : TORO_SOCK_DGRAM, 0);
	if (h < 0)
		return h;
	if (nonblock && toro_socket_set_nonblock(h, 1) < 0) {
		toro_close(h);
		return -EINVAL;
	}
	return install_socket(h, kind, nonblock);
}

/* bind or connect: the address in the kernel's form, then the call. */
static long
with_addr(long fd, const void *sa, long len,
    int (*call)(int, const struct toro_sockaddr_in *))
{
	struct toro_sockaddr_in k;
	struct libc_desc *d;
	long r;

	if ((d = sock(fd, &r)) == NULL)
		return r;
	if ((r = to_kernel(sa, len, &k)) == 0)
		r = call(d->handle, &k);
	libc_fd_put(d);
	return r;
}

long
libc_bind(long fd, const void *sa, long len)
{
	return with_addr(fd, sa, len, toro_bind);
}

long
libc_connect(long fd, const void *sa, long len)
{
	return with_addr(fd, sa, len, toro_connect);
}

long
libc_listen(long fd, long backlog)
{
	struct libc_desc *d;
	long r;

	if ((d = sock(fd, &r)) == NULL)
		return r;
	r = toro_listen(d->handle, backlog < 0 ? 0 : (int)backlog);
	libc_fd_put(d);
	return r;
}

long
libc_accept(long fd, void *sa, void *len, long flags)
{
	struct toro_sockaddr_in k;
	struct libc_desc *d;
	long r;
	int h, nonblock = (flags & SOCK_NONBLOCK) != 0;

	if ((d = sock(fd, &r)) == NULL)
		return r;
	if ((r = addr_room(sa, len)) < 0) {
		libc_fd_put(d);
		return r;
	}
	h = toro_accept4(d->handle, &k, nonblock ? TORO_SOCK_NONBLOCK : 0);
	libc_fd_put(d);
	if (h < 0)
		return h;
	if ((r = from_kernel(&k, sa, len)) < 0) {
		toro_close(h); /* the address went since the check */
		return r;
	}
	return install_socket(h, SOCK_STREAM, nonblock);
}

/*
 * MSG_NOSIGNAL changes nothing: no signal is ever sent.  The others
 * have the kernel's values (TORO_MSG_*).
 */
#define MSG_KNOWN                                                              \
	(MSG_PEEK | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_WAITALL)
_Static_assert(MSG_PEEK == TORO_MSG_PEEK, "MSG_PEEK");
_Static_assert(MSG_DONTWAIT == TORO_MSG_DONTWAIT, "MSG_DONTWAIT");
_Static_assert(MSG_MORE == TORO_MSG_MORE, "MSG_MORE");

/*
 * The socket behind fd for a send or a receive with these flags: NULL
 * with *err set for flags the stack lacks or a descriptor that is not
 * a socket; *f gets the flags in the kernel's words.
 */
static struct libc_desc *
sock_io(long fd, long flags, int *f, long *err)
{
	if (flags & ~MSG_KNOWN) {
		*err = -EOPNOTSUPP;
		return NULL;
	}
	*f = (int)flags & (MSG_PEEK | MSG_DONTWAIT | MSG_MORE);
	return sock(fd, err);
}

long
libc_sendto(
    long fd, const void *buf, size_t n, long flags, const void *sa, long len)
{
	struct toro_sockaddr_in k;
	struct libc_desc *d;
	long r;
	int f;

	if ((d = sock_io(fd, flags, &f, &r)) == NULL)
		return r;
	if (sa == NULL)
		r = toro_send(d->handle, buf, n, f);
	else if ((r = to_kernel(sa, len, &k)) == 0)
		r = toro_sendto(d->handle, buf, n, f, &k);
	libc_fd_put(d);
	return r;
}

/*
 * MSG_WAITALL on a stream: receive until n bytes, the end of the stream
 * or an error (then what came, if anything); a peek or a non-blocking
 * socket takes what is there, as Linux does.
 */
static long
wait_all(int h, char *buf, size_t n, int f)
{
	size_t got = 0;
	long r;

	do {
		r = toro_recv(h, buf + got, n - got, f);
		if (r <= 0)
			return got > 0 ? (long)got : r;
		got += (size_t)r;
	} while (got < n && !(f & (MSG_PEEK | MSG_DONTWAIT)));
	return (long)got;
}

long
libc_recvfrom(long fd, void *buf, size_t n, long flags, void *sa, void *len)
{
	struct toro_sockaddr_in k;
	struct libc_desc *d;
	long r;
	int f;

	if ((d = sock_io(fd, flags, &f, &r)) == NULL)
		return r;
	if (sa == NULL && (flags & MSG_WAITALL) && d->type == SOCK_STREAM)
		r = wait_all(d->handle, buf, n, f);
	else if (sa == NULL)
		r = toro_recv(d->handle, buf, n, f);
	else if ((r = addr_room(sa, len)) == 0 &&
	    (r = toro_recvfrom(d->handle, buf, n, f, &k)) >= 0 &&
	    from_kernel(&k, sa, len) < 0)
		r = -EFAULT;
	libc_fd_put(d);
	return r;
}

long
libc_shutdown(long fd, long how)
{
	struct libc_desc *d;
	long r;

	if ((d = sock(fd, &r)) == NULL)
		return r;
	r = toro_shutdown(d->handle, (int)how);
	libc_fd_put(d);
	return r;
}

long
libc_sockname(long fd, void *sa, void *len, int peer)
{
	struct toro_sockaddr_in k;
	struct libc_desc *d;
	long r;

	if ((d = sock(fd, &r)) == NULL)
		return r;
	if (d->domain == AF_UNIX) /* a pair: unnamed, as Linux says */
		r = unix_name(sa, len);
	else if ((r = peer ? toro_getpeername(d->handle, &k)
			   : toro_getsockname(d->handle, &k)) == 0)
		r = from_kernel(&k, sa, len);
	libc_fd_put(d);
	return r;
}

/* Readiness of a descriptor poll() cannot hand to the kernel. */
static short
ready_now(const struct libc_desc *d, short events)
{
	if (d->kind == KIND_CONSOLE)
		return events & POLLOUT;
	return events & (POLLIN | POLLOUT);
}

/* Entries poll() keeps on the caller's stack; more go to the heap. */
#define POLL_ON_STACK 64

/*
 * poll() with k and map holding room for n entries each; timeout_ns
 * is TORO_FOREVER or at least 0.
 */
static long
poll_with(
    void *fdsv, long n, int64_t timeout_ns, struct toro_pollfd *k, int *map)
{
	struct pollfd *fds = fdsv;
	struct libc_desc *d;
	long i, nk = 0, count = 0, r;
	int64_t ns;

	/* One lock for the whole set: a server polls thousands. */
	libc_fd_lock_table();
	for (i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;
		if ((d = libc_fd_peek(fds[i].fd)) == NULL)
			fds[i].revents = POLLNVAL;
		else if (LIBC_KERNEL_POLLED(d) || d->kind == KIND_EPOLL) {
			/* A set is readable while an entry of it is ready. */
			k[nk].fd = d->handle;
			k[nk].events =
			    (short)((fds[i].events & POLLIN ? TORO_POLLIN : 0) |
				(fds[i].events & POLLOUT ? TORO_POLLOUT : 0));
			map[nk++] = (int)i;
		} else
			fds[i].revents = ready_now(d, fds[i].events);
		if (fds[i].revents != 0)
			count++;
	}
	libc_fd_unlock_table();
	/*
	 * A socket closed meanwhile gives the kernel's POLLNVAL.  Anything
	 * ready already: look at the sockets without waiting.
	 */
	ns = count > 0 ? 0 : timeout_ns;
	if (nk == 0) {
		if (ns != 0)
			toro_sleep_ns(
			    ns == TORO_FOREVER ? UINT64_MAX : (uint64_t)ns);
		return count;
	}
	if ((r = toro_poll(k, (int)nk, ns)) < 0)
		return r;
	for (i = 0; i < nk; i++) {
		short rv = k[i].revents, *out = &fds[map[i]].revents;

		*out = (short)((rv & TORO_POLLIN ? POLLIN : 0) |
		    (rv & TORO_POLLOUT ? POLLOUT : 0) |
		    (rv & TORO_POLLERR ? POLLERR : 0) |
		    (rv & TORO_POLLHUP ? POLLHUP : 0) |
		    (rv & TORO_POLLNVAL ? POLLNVAL : 0));
		if (*out != 0)
			count++;
	}
	return count;
}

long
libc_poll_ns(void *fdsv, long n, int64_t timeout_ns)
{
	struct toro_pollfd small[POLL_ON_STACK], *k = small;
	int small_map[POLL_ON_STACK], *map = small_map;
	long r;

	if (n < 0 || n > TORO_POLL_MAX)
		return -EINVAL;
	/* Before the table's lock is taken: a fault must not keep it. */
	if (toro_copy(fdsv, fdsv, (size_t)n * sizeof(struct pollfd)) < 0)
		return -EFAULT;
	/* A large set goes to the heap: a thread's stack is small. */
	if (n > POLL_ON_STACK) {
		k = toro_malloc((size_t)n * sizeof(*k));
		map = toro_malloc((size_t)n * sizeof(*map));
		if (k == NULL || map == NULL) {
			toro_free(k);
			toro_free(map);
			return -ENOMEM;
		}
	}
	r = poll_with(fdsv, n, timeout_ns, k, map);
	if (k != small) {
		toro_free(k);
		toro_free(map);
	}
	return r;
}

long
libc_poll(void *fds, long n, long timeout_ms)
{
	return libc_poll_ns(fds, n,
	    (int)timeout_ms < 0 ? TORO_FOREVER
				: (int64_t)(int)timeout_ms * 1000000);
}
