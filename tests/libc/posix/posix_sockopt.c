/*
 * posix_sockopt.c: setsockopt and getsockopt as servers use them: the
 * defaults, keep-alive and its TCP settings (and their bounds), the
 * buffers (read back doubled), SO_LINGER (off keeps the seconds), the
 * two timeouts apart, the read-only options, optlen (short on set:
 * EINVAL; short on get: cut), what an accepted socket inherits, and
 * SO_LINGER at close: {1, 0} resets the peer, {1, N} returns once the
 * peer has everything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "posix.h"

static int
get_int(int s, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);

	if (getsockopt(s, level, name, &v, &l) < 0)
		return -errno;
	return l == sizeof(v) ? v : -1000;
}

static int
set_int(int s, int level, int name, int v)
{
	return setsockopt(s, level, name, &v, sizeof(v)) < 0 ? -errno : 0;
}

static void
defaults(int s)
{
	struct linger lg = { 9, 9 };
	struct timeval tv = { 9, 9 };
	socklen_t l = sizeof(lg);

	say("SO_KEEPALIVE off", get_int(s, SOL_SOCKET, SO_KEEPALIVE), 0);
	say("TCP_KEEPIDLE 7200", get_int(s, IPPROTO_TCP, TCP_KEEPIDLE), 7200);
	say("TCP_KEEPINTVL 75", get_int(s, IPPROTO_TCP, TCP_KEEPINTVL), 75);
	say("TCP_KEEPCNT 9", get_int(s, IPPROTO_TCP, TCP_KEEPCNT), 9);
	say("TCP_NODELAY off", get_int(s, IPPROTO_TCP, TCP_NODELAY), 0);
	say("SO_REUSEADDR off", get_int(s, SOL_SOCKET, SO_REUSEADDR), 0);
	say("SO_ACCEPTCONN 0", get_int(s, SOL_SOCKET, SO_ACCEPTCONN), 0);
	say("SO_DOMAIN AF_INET", get_int(s, SOL_SOCKET, SO_DOMAIN), AF_INET);
	say("SO_PROTOCOL TCP", get_int(s, SOL_SOCKET, SO_PROTOCOL),
	    IPPROTO_TCP);
	getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l);
	say("SO_LINGER {0, 0}", lg.l_onoff * 100 + lg.l_linger, 0);
	say("  its length", l, sizeof(lg));
	l = sizeof(tv);
	getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l);
	say("SO_RCVTIMEO {0, 0}", tv.tv_sec * 1000000 + tv.tv_usec, 0);
	say("  its length", l, sizeof(tv));
}

static void
set_and_read(int s)
{
	struct linger lg = { 1, 5 };
	struct timeval tv = { 1, 500000 };
	socklen_t l;

	say("SO_KEEPALIVE 7", set_int(s, SOL_SOCKET, SO_KEEPALIVE, 7), 0);
	say("  reads 1", get_int(s, SOL_SOCKET, SO_KEEPALIVE), 1);
	say("TCP_KEEPIDLE 30", set_int(s, IPPROTO_TCP, TCP_KEEPIDLE, 30), 0);
	say("TCP_KEEPINTVL 5", set_int(s, IPPROTO_TCP, TCP_KEEPINTVL, 5), 0);
	say("TCP_KEEPCNT 4", set_int(s, IPPROTO_TCP, TCP_KEEPCNT, 4), 0);
	say("  idle, intvl, cnt read back",
	    get_int(s, IPPROTO_TCP, TCP_KEEPIDLE) * 10000 +
		get_int(s, IPPROTO_TCP, TCP_KEEPINTVL) * 100 +
		get_int(s, IPPROTO_TCP, TCP_KEEPCNT),
	    300504);
	say("TCP_KEEPIDLE 0: EINVAL", set_int(s, IPPROTO_TCP, TCP_KEEPIDLE, 0),
	    -EINVAL);
	say("TCP_KEEPIDLE 32768: EINVAL",
	    set_int(s, IPPROTO_TCP, TCP_KEEPIDLE, 32768), -EINVAL);
	say("TCP_KEEPINTVL 0: EINVAL",
	    set_int(s, IPPROTO_TCP, TCP_KEEPINTVL, 0), -EINVAL);
	say("TCP_KEEPCNT 128: EINVAL",
	    set_int(s, IPPROTO_TCP, TCP_KEEPCNT, 128), -EINVAL);
	say("  TCP_KEEPIDLE still 30", get_int(s, IPPROTO_TCP, TCP_KEEPIDLE),
	    30);
	say("TCP_NODELAY 1", set_int(s, IPPROTO_TCP, TCP_NODELAY, 1), 0);
	say("  reads 1", get_int(s, IPPROTO_TCP, TCP_NODELAY), 1);
	say("SO_REUSEADDR 1", set_int(s, SOL_SOCKET, SO_REUSEADDR, 1), 0);
	say("  reads 1", get_int(s, SOL_SOCKET, SO_REUSEADDR), 1);
	say("SO_RCVBUF 8192", set_int(s, SOL_SOCKET, SO_RCVBUF, 8192), 0);
	say("  reads 16384, doubled", get_int(s, SOL_SOCKET, SO_RCVBUF), 16384);
	say("SO_SNDBUF 20000", set_int(s, SOL_SOCKET, SO_SNDBUF, 20000), 0);
	say("  reads 40000, doubled", get_int(s, SOL_SOCKET, SO_SNDBUF), 40000);
	say("SO_LINGER {1, 5}",
	    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	lg.l_onoff = lg.l_linger = 0;
	l = sizeof(lg);
	getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l);
	say("  reads {1, 5}", lg.l_onoff * 100 + lg.l_linger, 105);
	lg.l_onoff = 0;
	lg.l_linger = 9;
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l);
	say("SO_LINGER {0, 9} reads {0, 5}: off keeps the seconds",
	    lg.l_onoff * 100 + lg.l_linger, 5);
	say("SO_LINGER with a short optlen: EINVAL",
	    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(int)) < 0 &&
		errno == EINVAL,
	    1);
	say("SO_RCVTIMEO {1, 500000}",
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	tv.tv_sec = 0;
	tv.tv_usec = 200000;
	say("SO_SNDTIMEO {0, 200000}",
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	l = sizeof(tv);
	getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l);
	say("  SO_RCVTIMEO reads 1500 ms", tv.tv_sec * 1000 + tv.tv_usec / 1000,
	    1500);
	getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &l);
	say("  SO_SNDTIMEO reads 200 ms", tv.tv_sec * 1000 + tv.tv_usec / 1000,
	    200);
	tv.tv_usec = 1000000;
	say("SO_RCVTIMEO with tv_usec 1000000: EDOM",
	    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 &&
		errno == EDOM,
	    1);
}

static void
lengths_and_kinds(int s)
{
	int v = 1, u = socket(AF_INET, SOCK_DGRAM, 0);
	char b[8];
	socklen_t l;

	say("setsockopt with optlen 2: EINVAL",
	    setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, 2) < 0 &&
		errno == EINVAL,
	    1);
	memset(b, 0x55, sizeof(b));
	l = 2;
	say("getsockopt with optlen 2",
	    getsockopt(s, SOL_SOCKET, SO_RCVBUF, b, &l), 0);
	say("  optlen 2, nothing past it", l == 2 && b[2] == 0x55, 1);
	l = (socklen_t)-1;
	say("getsockopt with a negative optlen: EINVAL",
	    getsockopt(s, SOL_SOCKET, SO_RCVBUF, b, &l) < 0 && errno == EINVAL,
	    1);
	say("set SO_ACCEPTCONN: ENOPROTOOPT",
	    set_int(s, SOL_SOCKET, SO_ACCEPTCONN, 1), -ENOPROTOOPT);
	say("set SO_TYPE: ENOPROTOOPT", set_int(s, SOL_SOCKET, SO_TYPE, 1),
	    -ENOPROTOOPT);
	say("UDP: TCP_NODELAY is ENOPROTOOPT",
	    set_int(u, IPPROTO_TCP, TCP_NODELAY, 1), -ENOPROTOOPT);
	say("UDP: SO_PROTOCOL UDP", get_int(u, SOL_SOCKET, SO_PROTOCOL),
	    IPPROTO_UDP);
	say("UDP: SO_RCVBUF 6000", set_int(u, SOL_SOCKET, SO_RCVBUF, 6000), 0);
	say("  reads 12000", get_int(u, SOL_SOCKET, SO_RCVBUF), 12000);
	close(u);
}

/* A listener's options go to what it accepts. */
static void
inherited(void)
{
	struct sockaddr_in a = loopback(0);
	int lis = socket(AF_INET, SOCK_STREAM, 0), c, s;

	set_int(lis, SOL_SOCKET, SO_KEEPALIVE, 1);
	set_int(lis, IPPROTO_TCP, TCP_KEEPIDLE, 100);
	set_int(lis, SOL_SOCKET, SO_RCVBUF, 8192);
	bind(lis, (struct sockaddr *)&a, sizeof(a));
	listen(lis, 4);
	say("a listener: SO_ACCEPTCONN 1",
	    get_int(lis, SOL_SOCKET, SO_ACCEPTCONN), 1);
	a = loopback(port_of(lis));
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, sizeof(a));
	s = accept(lis, NULL, NULL);
	say("accepted: SO_KEEPALIVE inherited",
	    get_int(s, SOL_SOCKET, SO_KEEPALIVE), 1);
	say("  TCP_KEEPIDLE inherited", get_int(s, IPPROTO_TCP, TCP_KEEPIDLE),
	    100);
	say("  SO_RCVBUF inherited", get_int(s, SOL_SOCKET, SO_RCVBUF), 16384);
	say("  SO_ACCEPTCONN 0", get_int(s, SOL_SOCKET, SO_ACCEPTCONN), 0);
	say("the client: SO_KEEPALIVE off",
	    get_int(c, SOL_SOCKET, SO_KEEPALIVE), 0);
	close(s);
	close(c);
	close(lis);
}

/* SO_LINGER at close: {1, 0} resets, {1, 5} waits for the peer. */
static void
linger_close(void)
{
	struct linger lg = { 1, 0 };
	struct timespec t0;
	int lis, c, s;
	char b[8];

	if (tcp_pair(&lis, &c, &s) < 0) {
		say("linger: a connection", errno, 0);
		return;
	}
	send(s, "abc", 3, 0);
	say("the peer reads 3 bytes", recv(c, b, sizeof(b), 0), 3);
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	say("close with SO_LINGER {1, 0}", close(s), 0);
	errno = 0;
	say("  the peer's recv fails", recv(c, b, sizeof(b), 0), -1);
	say("  with ECONNRESET", errno == ECONNRESET, 1);
	close(c);
	close(lis);
	if (tcp_pair(&lis, &c, &s) < 0)
		return;
	lg.l_linger = 5;
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	send(s, "abcd", 4, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	say("close with SO_LINGER {1, 5}", close(s), 0);
	say("  it did not wait for the 5 s", ms_since(&t0) < 1000, 1);
	say("  the peer reads 4 bytes", recv(c, b, sizeof(b), 0), 4);
	say("  then the end", recv(c, b, sizeof(b), 0), 0);
	close(c);
	close(lis);
}

void
test_sockopt(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	defaults(s);
	set_and_read(s);
	lengths_and_kinds(s);
	close(s);
	inherited();
	linger_close();
}
