/*
 * sockopt.c: setsockopt and getsockopt over the kernel's socket options
 * (toro_socket_setopt, toro_socket_getopt: toro/socket.h).
 *
 * Interface: libc_setsockopt() and libc_getsockopt() of toroc.h, which
 * syscall.c maps from the system calls.
 *
 * Rules: Linux is the model, option by option.  SOL_SOCKET:
 * SO_REUSEADDR, SO_KEEPALIVE, SO_LINGER, SO_RCVBUF, SO_SNDBUF,
 * SO_RCVTIMEO, SO_SNDTIMEO set and read back; SO_ERROR, SO_TYPE,
 * SO_ACCEPTCONN, SO_DOMAIN, SO_PROTOCOL read only.  IPPROTO_TCP, on
 * stream sockets: TCP_NODELAY, TCP_KEEPIDLE, TCP_KEEPINTVL,
 * TCP_KEEPCNT.  Anything else is ENOPROTOOPT, never a silent yes.  As
 * Linux: a set with optlen short of the value is EINVAL; a get copies
 * at most optlen bytes of the value (an int cut short, a struct cut
 * short) and stores the length copied, a negative optlen being EINVAL
 * at SOL_SOCKET; SO_RCVBUF and SO_SNDBUF read back twice what was set
 * (Linux's figure counts its bookkeeping; the buffer used is what was
 * set, clamped to 4 KiB..16 MiB); SO_LINGER set off keeps the seconds
 * it had; a timeout of {0, 0} is none, tv_usec out of [0, 1e6) EDOM.
 * Every byte of the caller's goes through toro_copy(), so a bad
 * pointer is EFAULT.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "libc/toroc.h"
#include "toro/toro.h"

/* The kernel's option for a level and name; 0 for none. */
static int
kernel_opt(long level, long name)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_REUSEADDR:
			return TORO_SO_REUSEADDR;
		case SO_KEEPALIVE:
			return TORO_SO_KEEPALIVE;
		case SO_LINGER:
			return TORO_SO_LINGER;
		case SO_RCVBUF:
			return TORO_SO_RCVBUF;
		case SO_SNDBUF:
			return TORO_SO_SNDBUF;
		case SO_RCVTIMEO:
			return TORO_SO_RCVTIMEO;
		case SO_SNDTIMEO:
			return TORO_SO_SNDTIMEO;
		case SO_ACCEPTCONN:
			return TORO_SO_ACCEPTCONN;
		}
	} else if (level == IPPROTO_TCP) {
		switch (name) {
		case TCP_NODELAY:
			return TORO_TCP_NODELAY;
		case TCP_KEEPIDLE:
			return TORO_TCP_KEEPIDLE;
		case TCP_KEEPINTVL:
			return TORO_TCP_KEEPINTVL;
		case TCP_KEEPCNT:
			return TORO_TCP_KEEPCNT;
		}
	}
	return 0;
}

/* The caller's value in the kernel's form: 0 or a negative errno. */
static long
value_in(int opt, const void *v, long len, int64_t *out)
{
	struct linger lg;
	struct timeval tv;
	int i;

	if (len < (long)sizeof(int))
		return -EINVAL;
	if (opt == TORO_SO_LINGER) {
		if (len < (long)sizeof(lg))
			return -EINVAL;
		if (toro_copy(&lg, v, sizeof(lg)) < 0)
			return -EFAULT;
		*out = TORO_LINGER(lg.l_onoff, lg.l_linger);
		return 0;
	}
	if (opt == TORO_SO_RCVTIMEO || opt == TORO_SO_SNDTIMEO) {
		if (len < (long)sizeof(tv))
			return -EINVAL;
		if (toro_copy(&tv, v, sizeof(tv)) < 0)
			return -EFAULT;
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EDOM;
		if (tv.tv_sec < 0)
			return -EINVAL;
		*out = tv.tv_sec == 0 && tv.tv_usec == 0
		    ? TORO_FOREVER
		    : (int64_t)tv.tv_sec * 1000000000 +
			(int64_t)tv.tv_usec * 1000;
		return 0;
	}
	if (toro_copy(&i, v, sizeof(i)) < 0)
		return -EFAULT;
	*out = i;
	return 0;
}

long
libc_setsockopt(long fd, long level, long name, const void *v, long len)
{
	struct libc_desc *d;
	int opt = kernel_opt(level, name);
	int64_t k;
	long r;

	if ((d = libc_fd_get(fd)) == NULL)
		return -EBADF;
	if (d->kind != KIND_SOCKET)
		r = -ENOTSOCK;
	else if (opt == 0 || opt == TORO_SO_ACCEPTCONN ||
	    (level == IPPROTO_TCP && d->type != SOCK_STREAM))
		r = -ENOPROTOOPT;
	else if ((r = value_in(opt, v, len, &k)) == 0)
		r = toro_socket_setopt(d->handle, opt, k);
	libc_fd_put(d);
	return r;
}

/* Linux's readings: the buffers doubled, no timeout {0, 0}. */
static socklen_t
value_out(int opt, int64_t k, void *buf)
{
	struct linger lg;
	struct timeval tv;
	int i = (int)k;

	if (opt == TORO_SO_LINGER) {
		lg.l_onoff = TORO_LINGER_ON(k);
		lg.l_linger = TORO_LINGER_SEC(k);
		memcpy(buf, &lg, sizeof(lg));
		return sizeof(lg);
	}
	if (opt == TORO_SO_RCVTIMEO || opt == TORO_SO_SNDTIMEO) {
		memset(&tv, 0, sizeof(tv));
		if (k != TORO_FOREVER) {
			tv.tv_sec = k / 1000000000;
			tv.tv_usec = (k % 1000000000) / 1000;
		}
		memcpy(buf, &tv, sizeof(tv));
		return sizeof(tv);
	}
	if (opt == TORO_SO_RCVBUF || opt == TORO_SO_SNDBUF)
		i = (int)(2 * k);
	memcpy(buf, &i, sizeof(i));
	return sizeof(i);
}

/* What libc knows itself (SO_TYPE, SO_DOMAIN, SO_PROTOCOL), or -1. */
static int
desc_value(const struct libc_desc *d, long name)
{
	switch (name) {
	case SO_TYPE:
		return d->type;
	case SO_DOMAIN:
		return d->domain == AF_UNIX ? AF_UNIX : AF_INET;
	case SO_PROTOCOL:
		if (d->domain == AF_UNIX)
			return 0;
		return d->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	}
	return -1;
}

/* The value of level/name into buf; its length, or a negative errno. */
static long
value_of(struct libc_desc *d, long level, long name, void *buf)
{
	int opt = kernel_opt(level, name), i;
	int64_t k;
	long r;

	if (level == SOL_SOCKET &&
	    (name == SO_ERROR || desc_value(d, name) >= 0)) {
		i = name == SO_ERROR ? -toro_socket_error(d->handle)
				     : desc_value(d, name);
		memcpy(buf, &i, sizeof(i));
		return sizeof(i);
	}
	if (opt == 0 || (level == IPPROTO_TCP && d->type != SOCK_STREAM))
		return -ENOPROTOOPT;
	if ((r = toro_socket_getopt(d->handle, opt, &k)) < 0)
		return r;
	return value_out(opt, k, buf);
}

long
libc_getsockopt(long fd, long level, long name, void *v, void *len)
{
	union {
		int i;
		struct linger lg;
		struct timeval tv;
	} buf;
	struct libc_desc *d;
	socklen_t n;
	long r;

	if ((d = libc_fd_get(fd)) == NULL)
		return -EBADF;
	if (d->kind != KIND_SOCKET)
		r = -ENOTSOCK;
	else if (toro_copy(&n, len, sizeof(n)) < 0)
		r = -EFAULT;
	else if (level == SOL_SOCKET && (int)n < 0)
		r = -EINVAL;
	else
		r = value_of(d, level, name, &buf);
	libc_fd_put(d);
	if (r < 0)
		return r;
	/* At IPPROTO_TCP Linux takes a negative optlen as a large one. */
	if ((unsigned)n > (unsigned long)r)
		n = (socklen_t)r;
	if (toro_copy(v, &buf, n) < 0 || toro_copy(len, &n, sizeof(n)) < 0)
		return -EFAULT;
	return 0;
}
