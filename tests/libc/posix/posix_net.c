/*
 * posix_net.c: sockets: select, pselect and ppoll, sendmsg and recvmsg on
 * TCP and UDP (a datagram cut with MSG_TRUNC, readv and writev), and
 * SO_ERROR after a refused and a completed non-blocking connect.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "posix.h"

void
test_select(int cli, int srv)
{
	struct timespec t0, ts = { 0, 0 };
	struct timeval tv = { 0, 0 };
	struct pollfd p = { srv, POLLIN, 0 };
	fd_set r, w;
	long n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tv.tv_usec = 60000;
	say("select on nothing, 60 ms", select(0, NULL, NULL, NULL, &tv), 0);
	say("  it waited at least 50 ms", ms_since(&t0) >= 50, 1);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(srv, &r);
	FD_SET(cli, &w);
	tv.tv_sec = tv.tv_usec = 0;
	n = select((cli > srv ? cli : srv) + 1, &r, &w, NULL, &tv);
	say("select: the client writable, nothing to read", n, 1);
	say("  client in the write set", FD_ISSET(cli, &w) != 0, 1);
	say("  server not in the read set", FD_ISSET(srv, &r) != 0, 0);
	say("send 5 bytes", send(cli, "hello", 5, 0), 5);
	FD_ZERO(&r);
	FD_SET(srv, &r);
	ts.tv_sec = 2;
	n = pselect(srv + 1, &r, NULL, NULL, &ts, NULL);
	say("pselect: the server readable", n, 1);
	say("  server in the read set", FD_ISSET(srv, &r) != 0, 1);
	ts.tv_sec = 2;
	say("ppoll: POLLIN", ppoll(&p, 1, &ts, NULL), 1);
	say("  revents", p.revents, POLLIN);
	n = dup(0); /* a descriptor just closed */
	close((int)n);
	FD_ZERO(&r);
	FD_SET((int)n, &r);
	tv.tv_sec = 0;
	errno = 0;
	say("select on a closed descriptor",
	    select((int)n + 1, &r, NULL, NULL, &tv), -1);
	say("  errno EBADF", errno == EBADF, 1);
	say("select with nfds -1", select(-1, NULL, NULL, NULL, &tv), -1);
	say("  errno EINVAL", errno == EINVAL, 1);
	recv(srv, (char[8]) { 0 }, 8, 0);
}

/* The peer has shut its writing, srv has read the end. */
static void
test_epoll_tcp(int srv)
{
	struct epoll_event ev = { EPOLLIN | EPOLLRDHUP, { .u64 = 1 } }, out[2];
	int ep = epoll_create1(0), n;

	epoll_ctl(ep, EPOLL_CTL_ADD, srv, &ev);
	n = epoll_wait(ep, out, 2, 1000);
	say("epoll, TCP: the peer's FIN is EPOLLIN and EPOLLRDHUP",
	    n == 1 && out[0].events == (EPOLLIN | EPOLLRDHUP), 1);
	close(ep);
}

void
test_msg_tcp(int cli, int srv)
{
	char a[2], b[10];
	struct iovec out[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	struct iovec in[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct sockaddr_in from;
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = out;
	m.msg_iovlen = 3;
	say("sendmsg on TCP, 3 pieces", sendmsg(cli, &m, 0), 5);
	usleep(100000); /* all of it is there */
	memset(&m, 0, sizeof(m));
	m.msg_iov = in;
	m.msg_iovlen = 2;
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	say("recvmsg on TCP into 2 + 10", recvmsg(srv, &m, 0), 5);
	say("  scattered as sent",
	    memcmp(a, "ab", 2) == 0 && memcmp(b, "cde", 3) == 0, 1);
	say("  no flags", m.msg_flags, 0);
	say("  no address for a stream", m.msg_namelen, 0);
	m.msg_control = b;
	m.msg_controllen = 4;
	m.msg_iovlen = 1;
	errno = 0;
	shutdown(cli, SHUT_WR);
	say("recvmsg at the end of the stream", recvmsg(srv, &m, 0), 0);
	say("  no control data", m.msg_controllen, 0);
	test_epoll_tcp(srv);
}

void
test_msg_udp(void)
{
	struct sockaddr_in a = loopback(0), from;
	char x[4], y[4], big[64];
	struct iovec out[2] = { { "hello", 5 }, { " world", 6 } };
	struct iovec in[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
	struct iovec one = { big, sizeof(big) };
	int u1 = socket(AF_INET, SOCK_DGRAM, 0);
	int u2 = socket(AF_INET, SOCK_DGRAM, 0);
	int type = 0;
	socklen_t l = sizeof(type);
	struct msghdr m;

	bind(u1, (struct sockaddr *)&a, sizeof(a));
	bind(u2, (struct sockaddr *)&a, sizeof(a));
	getsockopt(u1, SOL_SOCKET, SO_TYPE, &type, &l);
	say("SO_TYPE of a UDP socket is SOCK_DGRAM", type, SOCK_DGRAM);
	a = loopback(port_of(u2));
	memset(&m, 0, sizeof(m));
	m.msg_name = &a;
	m.msg_namelen = sizeof(a);
	m.msg_iov = out;
	m.msg_iovlen = 2;
	say("sendmsg on UDP, 2 pieces, one datagram", sendmsg(u1, &m, 0), 11);
	say("sendmsg again", sendmsg(u1, &m, 0), 11);
	memset(&m, 0, sizeof(m));
	m.msg_iov = in;
	m.msg_iovlen = 2;
	m.msg_name = &from;
	m.msg_namelen = sizeof(from);
	say("recvmsg into 4 + 4: cut", recvmsg(u2, &m, 0), 8);
	say("  MSG_TRUNC", (m.msg_flags & MSG_TRUNC) != 0, 1);
	say("  the first 8 bytes",
	    memcmp(x, "hell", 4) == 0 && memcmp(y, "o wo", 4) == 0, 1);
	say("  from the sender's port", ntohs(from.sin_port) == port_of(u1), 1);
	m.msg_iov = &one;
	m.msg_iovlen = 1;
	say("recvmsg into 64: whole", recvmsg(u2, &m, 0), 11);
	connect(u1, (struct sockaddr *)&a, sizeof(a));
	say("writev on UDP: one datagram", writev(u1, out, 2), 11);
	say("readv into 4 + 4: its first 8 bytes",
	    readv(u2, in, 2) == 8 && memcmp(x, "hell", 4) == 0 &&
		memcmp(y, "o wo", 4) == 0,
	    1);
	say("  the rest of it is gone",
	    recv(u2, big, sizeof(big), MSG_DONTWAIT) < 0 && errno == EAGAIN, 1);
	say("  no MSG_TRUNC", m.msg_flags & MSG_TRUNC, 0);
	/* Too short for a header: there is no control data in it. */
	m.msg_name = &a;
	m.msg_namelen = sizeof(a);
	m.msg_iov = out;
	m.msg_iovlen = 2;
	m.msg_control = big;
	m.msg_controllen = 8;
	say("sendmsg with a control area shorter than a header",
	    sendmsg(u1, &m, 0), 11);
	close(u1);
	close(u2);
}

/* A non-blocking connect's outcome through poll and SO_ERROR. */
void
test_so_error(void)
{
	struct sockaddr_in a = loopback(0);
	int lis = socket(AF_INET, SOCK_STREAM, 0), s, e = -1, r;
	socklen_t l = sizeof(e);
	struct pollfd p;

	bind(lis, (struct sockaddr *)&a, sizeof(a));
	a = loopback(port_of(lis));
	close(lis); /* nothing listens there now */
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(s, (struct sockaddr *)&a, sizeof(a));
	if (r < 0 && errno == EINPROGRESS) {
		p.fd = s;
		p.events = POLLOUT;
		poll(&p, 1, 5000);
		getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l);
	} else
		e = r < 0 ? errno : 0;
	say("refused connect: SO_ERROR is ECONNREFUSED", e, ECONNREFUSED);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l);
	say("  then 0: it is reported once", e, 0);
	close(s);

	lis = socket(AF_INET, SOCK_STREAM, 0);
	a = loopback(0);
	bind(lis, (struct sockaddr *)&a, sizeof(a));
	listen(lis, 4);
	a = loopback(port_of(lis));
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	r = connect(s, (struct sockaddr *)&a, sizeof(a));
	say("non-blocking connect: 0 or EINPROGRESS",
	    r == 0 || errno == EINPROGRESS, 1);
	p.fd = s;
	p.events = POLLOUT;
	say("  poll: writable", poll(&p, 1, 5000), 1);
	e = -1;
	getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l);
	say("  SO_ERROR 0", e, 0);
	e = 0;
	getsockopt(s, SOL_SOCKET, SO_TYPE, &e, &l);
	say("  SO_TYPE SOCK_STREAM", e, SOCK_STREAM);
	close(s);
	close(lis);
}
