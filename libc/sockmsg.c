/*
 * sockmsg.c: sendmsg and recvmsg over the socket calls of socket.c.
 *
 * Interface: libc_sendmsg() and libc_recvmsg() (toroc.h).
 *
 * Rules: as Linux for IPv4 without ancillary data.  A datagram is one
 * message whatever its pieces: a UDP sendmsg gathers them into one send,
 * a UDP recvmsg takes one datagram and scatters it, and says MSG_TRUNC
 * when it did not fit.  A stream message of up to GATHER_MAX bytes is
 * gathered into one send; a longer one is sent piece by piece, stopping
 * at the first short or failed one (the bytes sent so far are the
 * result).  A stream recvmsg fills the pieces in order and waits only
 * for the first byte.  Control data (a cmsghdr in msg_control) is
 * EOPNOTSUPP on send: the stack has none to give or take; recvmsg
 * returns none.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "libc/toroc.h"
#include "toro/toro.h"

/* The largest datagram: what recvmsg need take in one piece. */
#define DGRAM_MAX 65535
/*
 * A stream message up to this size is gathered and sent in one call: a
 * server's reply in pieces (memcached's header, value and "END") costs
 * one trip to the socket, not one a piece.
 */
#define GATHER_MAX 16384

/* The total of the pieces; -EINVAL past IOV_MAX or SSIZE_MAX. */
static long
total(const struct msghdr *m)
{
	size_t sum = 0;
	int i;

	if (m->msg_iovlen < 0 || m->msg_iovlen > IOV_MAX ||
	    (m->msg_iovlen > 0 && m->msg_iov == NULL))
		return -EINVAL;
	for (i = 0; i < m->msg_iovlen; i++) {
		if (m->msg_iov[i].iov_len > (size_t)LONG_MAX - sum)
			return -EINVAL;
		sum += m->msg_iov[i].iov_len;
	}
	return (long)sum;
}

/* The descriptor's socket type (SOCK_STREAM or SOCK_DGRAM), or <0. */
static long
type_of(long fd)
{
	struct libc_desc *d = libc_fd_get(fd);
	long t;

	if (d == NULL)
		return -EBADF;
	t = d->kind == KIND_SOCKET ? d->type : -ENOTSOCK;
	libc_fd_put(d);
	return t;
}

/* A datagram (or any message in one piece): one send of a gathered copy. */
static long
send_one(long fd, const struct msghdr *m, long n, long flags)
{
	char *buf, *p;
	long r;
	int i;

	if (m->msg_iovlen == 1)
		return libc_sendto(fd, m->msg_iov[0].iov_base, (size_t)n, flags,
		    m->msg_name, m->msg_namelen);
	if ((buf = toro_malloc(n > 0 ? (size_t)n : 1)) == NULL)
		return -ENOMEM;
	for (p = buf, i = 0; i < m->msg_iovlen; i++) {
		if (m->msg_iov[i].iov_len > 0)
			memcpy(
			    p, m->msg_iov[i].iov_base, m->msg_iov[i].iov_len);
		p += m->msg_iov[i].iov_len;
	}
	r = libc_sendto(fd, buf, (size_t)n, flags, m->msg_name, m->msg_namelen);
	toro_free(buf);
	return r;
}

long
libc_sendmsg(long fd, const struct msghdr *m, long flags)
{
	long n, t, r, sent = 0;
	size_t len;
	int i;

	if ((n = total(m)) < 0)
		return n;
	/* Shorter than a header holds none, as Linux reads it. */
	if (m->msg_controllen >= sizeof(struct cmsghdr))
		return -EOPNOTSUPP;
	if ((t = type_of(fd)) < 0)
		return t;
	if (t == SOCK_DGRAM || m->msg_iovlen <= 1 || n <= GATHER_MAX)
		return send_one(fd, m, n, flags);
	/* A stream: MSG_MORE holds a short piece for the ones after it. */
	for (i = 0; i < m->msg_iovlen; i++) {
		len = m->msg_iov[i].iov_len;
		r = libc_sendto(fd, m->msg_iov[i].iov_base, len,
		    flags | (i + 1 < m->msg_iovlen ? MSG_MORE : 0), m->msg_name,
		    m->msg_namelen);
		if (r < 0)
			return sent > 0 ? sent : r;
		sent += r;
		if ((size_t)r < len)
			break;
	}
	return sent;
}

/* One datagram into the pieces; MSG_TRUNC in msg_flags if cut. */
static long
recv_datagram(long fd, struct msghdr *m, long n, long flags)
{
	socklen_t *nl = m->msg_name != NULL ? &m->msg_namelen : NULL;
	size_t c, room = n < DGRAM_MAX ? (size_t)n : DGRAM_MAX;
	char *buf, *p;
	long r;
	int i;

	/* One byte more than fits tells a datagram that was cut. */
	if ((buf = toro_malloc(room + 1)) == NULL)
		return -ENOMEM;
	r = libc_recvfrom(fd, buf, room + 1, flags, m->msg_name, nl);
	if (r > n) {
		m->msg_flags |= MSG_TRUNC;
		r = n;
	}
	for (p = buf, i = 0; r > 0 && i < m->msg_iovlen && p < buf + r; i++) {
		c = m->msg_iov[i].iov_len;
		if (c > (size_t)(buf + r - p))
			c = (size_t)(buf + r - p);
		memcpy(m->msg_iov[i].iov_base, p, c);
		p += c;
	}
	toro_free(buf);
	return r;
}

/* A stream: the first piece may wait, the others take what is there. */
static long
recv_stream(long fd, struct msghdr *m, long flags)
{
	long r, got = 0;
	size_t len;
	int i;

	for (i = 0; i < m->msg_iovlen; i++) {
		len = m->msg_iov[i].iov_len;
		if (len == 0)
			continue;
		r = libc_recvfrom(fd, m->msg_iov[i].iov_base, len,
		    flags | (got > 0 ? MSG_DONTWAIT : 0), NULL, NULL);
		if (r < 0)
			return got > 0 ? got : r;
		got += r;
		/* A peek looks at the first piece only: the data stays. */
		if (r == 0 || (size_t)r < len || (flags & MSG_PEEK))
			break;
	}
	return got;
}

long
libc_recvmsg(long fd, struct msghdr *m, long flags)
{
	long n, t;

	if ((n = total(m)) < 0)
		return n;
	if ((t = type_of(fd)) < 0)
		return t;
	m->msg_flags = 0;
	m->msg_controllen = 0;
	if (t == SOCK_DGRAM)
		return recv_datagram(fd, m, n, flags);
	m->msg_namelen = 0; /* a stream's peer is getpeername's */
	return recv_stream(fd, m, flags);
}
