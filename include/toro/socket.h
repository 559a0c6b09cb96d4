/*
 * toro/socket.h: BSD-shaped sockets over the kernel's IPv4 stack, and the
 * network interface's configuration and counters.
 *
 * Addresses and ports in struct toro_sockaddr_in are in HOST byte order:
 * 10.0.2.15 port 80 is { TORO_AF_INET, 80, TORO_IPV4(10, 0, 2, 15) }.
 * The kernel converts at the wire; applications never swap bytes.
 *
 * Any thread on any CPU may call these functions.  The stack runs on the
 * network CPU: a call becomes a message to that CPU and the calling
 * thread sleeps until it is answered, so a blocked call costs nothing.
 * A call blocks until it can complete, unless the socket is non-blocking
 * (-TORO_EAGAIN instead) or has a timeout (-TORO_ETIMEDOUT after it).
 * Functions return a negative TORO_E* code on failure.  A machine
 * without a network interface has the loopback alone: 127.0.0.0/8,
 * pipes, pairs and counters work, other addresses are unreachable, and
 * toro_net_wait() gives -TORO_ENETDOWN.
 */
#ifndef TORO_SOCKET_H
#define TORO_SOCKET_H

#include <stddef.h>
#include <stdint.h>

#define TORO_AF_INET 2

#define TORO_SOCK_STREAM 1 /* TCP */
#define TORO_SOCK_DGRAM 2  /* UDP */
/* Or'ed into toro_socket()'s type: start in non-blocking mode. */
#define TORO_SOCK_NONBLOCK 0x800

#define TORO_IPV4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	    (uint32_t)(d))
#define TORO_INADDR_ANY 0u
#define TORO_INADDR_BROADCAST 0xffffffffu
#define TORO_INADDR_LOOPBACK TORO_IPV4(127, 0, 0, 1)

struct toro_sockaddr_in {
	uint16_t family; /* TORO_AF_INET */
	uint16_t port;   /* host order */
	uint32_t addr;   /* host order */
};

/* Flags of send/recv/sendto/recvfrom. */
#define TORO_MSG_PEEK 0x02     /* look at data without taking it */
#define TORO_MSG_DONTWAIT 0x40 /* this call does not block */
#define TORO_MSG_MORE 0x8000   /* TCP: more follows, hold a short tail */

/* toro_shutdown()'s how. */
#define TORO_SHUT_RD 0
#define TORO_SHUT_WR 1
#define TORO_SHUT_RDWR 2

/*
 * Create a socket: domain TORO_AF_INET, type TORO_SOCK_STREAM or
 * TORO_SOCK_DGRAM (optionally | TORO_SOCK_NONBLOCK), protocol 0.
 * Returns a descriptor (>= 0).
 */
int toro_socket(int domain, int type, int protocol);

/* Port 0 picks a free port; address TORO_INADDR_ANY or ours. */
int toro_bind(int s, const struct toro_sockaddr_in *addr);
int toro_listen(int s, int backlog);
/* A new descriptor for the next connection; *peer (if not NULL) its peer. */
int toro_accept(int s, struct toro_sockaddr_in *peer);
/* The same; flags TORO_SOCK_NONBLOCK: it starts non-blocking. */
int toro_accept4(int s, struct toro_sockaddr_in *peer, int flags);
/*
 * Stream: open a connection.  Datagram: set the default peer.  A
 * non-blocking connect returns -TORO_EINPROGRESS and goes on; once
 * toro_poll() says TORO_POLLOUT or TORO_POLLERR, connecting again
 * tells how it ended (-TORO_EISCONN: connected).  So does a connect
 * whose timeout passed.
 */
int toro_connect(int s, const struct toro_sockaddr_in *addr);

/* Return a byte count; recv returns 0 at end of stream. */
long toro_send(int s, const void *buf, size_t len, int flags);
long toro_recv(int s, void *buf, size_t len, int flags);
/* A datagram larger than len is truncated to len; the rest is lost. */
long toro_sendto(int s, const void *buf, size_t len, int flags,
    const struct toro_sockaddr_in *to);
long toro_recvfrom(int s, void *buf, size_t len, int flags,
    struct toro_sockaddr_in *from);

int toro_shutdown(int s, int how);
int toro_close(int s);

int toro_getsockname(int s, struct toro_sockaddr_in *addr);
int toro_getpeername(int s, struct toro_sockaddr_in *addr);

/* Non-blocking mode on (1) or off (0). */
int toro_socket_set_nonblock(int s, int on);
/* Limit every blocking call on s to ns nanoseconds (TORO_FOREVER: none). */
int toro_socket_set_timeout(int s, int64_t ns);
/*
 * A stream socket with no-delay on sends small segments at once instead
 * of holding them until earlier data is acknowledged (Nagle's rule):
 * for request/response protocols.  -TORO_EOPNOTSUPP on datagrams.
 */
int toro_socket_set_nodelay(int s, int on);

/*
 * The error pending on s (0 if none: a non-blocking connect still going
 * on, or done), taken: a second call says 0.  POSIX's SO_ERROR; the
 * call that would have met the error no longer does.  A connection
 * that failed once connected (reset, timed out) leaves its error here
 * too, while toro_recv() goes on returning it.
 */
int toro_socket_error(int s);

/*
 * Socket options, POSIX's setsockopt and getsockopt in the kernel's
 * words: toro_socket_setopt() sets one to value, toro_socket_getopt()
 * reads what is in force into *value.  -TORO_ENOPROTOOPT for an option
 * this kind of socket does not have (a stream's on a datagram socket,
 * anything but the timeouts and TORO_SO_REUSEADDR on a pipe, pair or
 * counter), -TORO_EINVAL for a value out of bounds.
 *
 * TORO_SO_REUSEADDR 0/1, kept: a closed port is always free to bind
 *     again (TIME_WAIT never holds it), as with SO_REUSEADDR set.
 * TORO_SO_KEEPALIVE 0/1: probes on an idle connection (below); kept
 *     and meaningless on datagram sockets, as on Linux.
 * TORO_SO_LINGER TORO_LINGER(on, seconds): what toro_close() of a
 *     connection does.  Off (the default): it returns at once, queued
 *     data and a FIN going out after it.  On with 0: the connection is
 *     reset (an RST, no TIME_WAIT).  On with N: toro_close() waits up
 *     to N s for the data and FIN to be acknowledged, then returns 0
 *     either way (the connection going on as if off).  Setting it off
 *     keeps the seconds; negative seconds are INT32_MAX.
 * TORO_SO_RCVBUF, TORO_SO_SNDBUF bytes, clamped to [4 KiB, 16 MiB]: a
 *     stream's buffers (the receive buffer is the window offered;
 *     tcp.h says how a connection already open takes a new size, and
 *     accepted connections inherit a listener's); on a datagram
 *     socket the receive buffer bounds the bytes of queued datagrams
 *     (one is always taken into an empty queue), and the send buffer
 *     is kept, sending never queues.
 * TORO_SO_RCVTIMEO, TORO_SO_SNDTIMEO ns (TORO_FOREVER: none, else
 *     > 0): the limit of a blocking receive and accept, of a blocking
 *     send and connect (toro_socket_set_timeout() sets both).
 * TORO_SO_ACCEPTCONN 0/1, read only: s listens.
 * TORO_TCP_NODELAY 0/1: toro_socket_set_nodelay().
 * TORO_TCP_KEEPIDLE, TORO_TCP_KEEPINTVL seconds, 1..32767 (7200, 75),
 *     TORO_TCP_KEEPCNT 1..127 (9): with keep-alive on, a connection
 *     that heard nothing for KEEPIDLE s sends a probe, then one every
 *     KEEPINTVL s while none is answered; after KEEPCNT unanswered it
 *     is reset, and calls on it fail with -TORO_ETIMEDOUT.
 * Accepted connections inherit their listener's options, timeouts
 * included, as on Linux.
 */
#define TORO_SO_REUSEADDR 1
#define TORO_SO_KEEPALIVE 2
#define TORO_SO_LINGER 3
#define TORO_SO_RCVBUF 4
#define TORO_SO_SNDBUF 5
#define TORO_SO_RCVTIMEO 6
#define TORO_SO_SNDTIMEO 7
#define TORO_SO_ACCEPTCONN 8
#define TORO_TCP_NODELAY 9
#define TORO_TCP_KEEPIDLE 10
#define TORO_TCP_KEEPINTVL 11
#define TORO_TCP_KEEPCNT 12
#define TORO_LINGER(on, sec) \
	((int64_t)((on) != 0) << 32 | (uint32_t)(int32_t)(sec))
#define TORO_LINGER_ON(v) ((int)((v) >> 32 & 1))
#define TORO_LINGER_SEC(v) ((int32_t)(uint32_t)(v))
int toro_socket_setopt(int s, int opt, int64_t value);
int toro_socket_getopt(int s, int opt, int64_t *value);

/* Readiness of several sockets at once. */
#define TORO_POLLIN 0x001   /* data, a connection, or end of stream */
#define TORO_POLLOUT 0x004  /* room to send */
#define TORO_POLLERR 0x008  /* an error is pending (revents only) */
#define TORO_POLLHUP 0x010  /* the peer is gone (revents only) */
#define TORO_POLLNVAL 0x020 /* fd is not a socket (revents only) */
/* The peer sends no more: end of stream (revents only, if asked for). */
#define TORO_POLLRDHUP 0x2000

/*
 * Edge mode (events only): the entry is ready only if the socket changed
 * since the poll that gave gen back (any data, room, connection or
 * hang-up since), and gen is filled in with the socket's count of
 * changes (never 0: a gen of 0 takes the state as it is).  (Epoll sets,
 * below, have an edge mode of their own.)
 */
#define TORO_POLLET 0x100

struct toro_pollfd {
	int fd;        /* negative: ignored */
	short events;  /* TORO_POLLIN | TORO_POLLOUT | TORO_POLLRDHUP, _ET */
	short revents; /* filled in */
	uint32_t gen;  /* TORO_POLLET: in, the last seen; out, the current */
};

/*
 * Wait until one of n sockets is ready, or timeout_ns passes (0: do not
 * wait; TORO_FOREVER: no limit).  Returns how many entries have revents
 * set, 0 on timeout.  At most TORO_POLL_MAX entries.  A call costs time
 * in proportion to n, as POSIX poll does; an event on one socket wakes
 * only the calls that watch it.
 */
#define TORO_POLL_MAX 0x10000
int toro_poll(struct toro_pollfd *fds, int n, int64_t timeout_ns);

/*
 * Pipes, socket pairs and event counters: descriptors of the socket
 * table (so toro_poll() watches them with sockets), used with toro_send
 * and toro_recv (or write and read), toro_close, and
 * toro_socket_set_nonblock.  flags: TORO_SOCK_NONBLOCK, and for a
 * counter TORO_EFD_SEMAPHORE.  A pipe's fds[0] reads what fds[1]
 * writes, 64 KiB at most in between; a write of up to 4 KiB goes in
 * whole; reading after the writer closed gives the rest, then 0;
 * writing after the reader closed is -TORO_EPIPE.  A pair is two
 * pipes, one each way (toro_shutdown works on it).  A counter (Linux's
 * eventfd) holds a 64-bit count: sending 8 bytes adds them, receiving
 * 8 takes the whole count (1 with TORO_EFD_SEMAPHORE), waiting while
 * it is 0.
 */
#define TORO_EFD_SEMAPHORE 0x1
int toro_pipe(int fds[2], int flags);
int toro_socketpair(int fds[2], int flags);
int toro_eventfd(uint64_t init, int flags);

/*
 * Epoll sets (Linux's epoll), in the socket table: a set watches
 * sockets, pipes, pairs and counters (not another set: -TORO_EPERM),
 * and a wait costs the entries that are ready, not the whole set.  An
 * entry is named by the socket and a key (the C library's descriptor
 * number) and goes when either the socket or the set closes.  Events
 * and their bits are Linux's: TORO_EPOLLIN/OUT (and the RDNORM/WRNORM
 * twins) and RDHUP (a stream's or pair's peer sends no more: not on a
 * pipe, as Linux) are reported while true; ERR and HUP always.
 * Level-triggered entries are reported on every wait while true; with
 * TORO_EPOLLET only after the socket changed since the last report;
 * with TORO_EPOLLONESHOT once, until TORO_EPOLL_MOD.  When more are
 * ready than a wait takes, the next wait starts after the last one
 * reported.  Other bits are accepted and never fire.
 */
#define TORO_EPOLLIN 0x001
#define TORO_EPOLLOUT 0x004
#define TORO_EPOLLERR 0x008
#define TORO_EPOLLHUP 0x010
#define TORO_EPOLLRDNORM 0x040
#define TORO_EPOLLWRNORM 0x100
#define TORO_EPOLLRDHUP 0x2000
#define TORO_EPOLLONESHOT (1u << 30)
#define TORO_EPOLLET (1u << 31)

#define TORO_EPOLL_ADD 1 /* -TORO_EEXIST if there already */
#define TORO_EPOLL_DEL 2 /* -TORO_ENOENT if not there */
#define TORO_EPOLL_MOD 3 /* -TORO_ENOENT if not there */

/* As Linux's struct epoll_event on x86-64, which is packed. */
struct toro_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

/* A new set (flags 0): its descriptor, closed with toro_close(). */
int toro_epoll_create(int flags);
/* Add, change or remove set ep's entry for socket s under key. */
int toro_epoll_ctl(int ep, int op, int s, int key, uint32_t events,
    uint64_t data);
/*
 * Fill out with up to max ready entries; wait for one at most
 * timeout_ns (0: do not wait; TORO_FOREVER: no limit).  Returns how
 * many, 0 on timeout, -TORO_EFAULT (nothing taken) for a bad out.
 * Another thread's toro_epoll_ctl() that makes an entry ready, or a
 * change of a socket, ends the wait.
 */
int toro_epoll_wait(int ep, struct toro_epoll_event *out, int max,
    int64_t timeout_ns);

/* The network interface. */
struct toro_net_info {
	uint8_t mac[6];
	uint16_t mtu;  /* IP MTU */
	int up;        /* a NIC is there */
	int dhcp;      /* addresses come from DHCP */
	int cpu;       /* the network CPU: socket calls made there are plain
			  calls, from any other CPU a message and a reply */
	uint32_t addr; /* 0 until configured */
	uint32_t mask;
	uint32_t gateway;
	uint32_t dns;      /* from DHCP, else 0 */
	uint64_t lease_ns; /* DHCP: time left on the lease, else 0 */
};

int toro_net_info(struct toro_net_info *info);

/* Wait until the interface has an address (DHCP may take seconds). */
int toro_net_wait(int64_t timeout_ns);

/*
 * Resolve a host name to an IPv4 address (host byte order) by asking the
 * DNS server (from DHCP, or dns= on the command line); an A.B.C.D string
 * is converted at once.  Waits at most timeout_ns (0: 5 s), asking again
 * at 1, 2, 4... s.  Returns 0, -TORO_ENOENT (no such name or no address),
 * -TORO_ETIMEDOUT, -TORO_ENETUNREACH (no server known), -TORO_EINVAL (not
 * a valid name), -TORO_ECONNREFUSED (the server refused to answer),
 * -TORO_EIO (the server failed or its reply is malformed).
 */
int toro_resolve(const char *name, uint32_t *addr, int64_t timeout_ns);

/* The TCP states (RFC 9293), in the order of tcp_state[] below. */
#define TORO_TCP_NSTATES 11
#define TORO_TCP_STATE_NAMES                                            \
	{ "CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",    \
		"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",    \
		"LAST_ACK", "TIME_WAIT" }

/* Counters since boot; drops are counted by reason. */
struct toro_net_stats {
	/* Ethernet and the NIC */
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	uint64_t rx_runt;         /* shorter than an Ethernet header */
	uint64_t rx_not_ours;     /* to another station's MAC */
	uint64_t rx_unknown_type; /* neither IPv4 nor ARP */
	uint64_t rx_nomem;        /* no buffer to receive into */
	uint64_t tx_full;         /* transmit ring and backlog full */
	uint64_t tx_errors;       /* the NIC refused a frame */
	uint32_t offloads;        /* the NIC's offloads in effect (hal.h) */
	uint64_t tx_gso;          /* TCP segments sent for the NIC to cut */
	uint64_t rx_gso;          /* received frames longer than the MTU */
	uint64_t rx_csum_ok;      /* checksums the NIC (or host) vouched for */
	/* ARP */
	uint64_t arp_in, arp_out, arp_bad;
	uint64_t arp_queue_full;  /* oldest held packet dropped */
	uint64_t arp_unresolved;  /* packets dropped: no answer */
	/* IPv4 */
	uint64_t ip_in, ip_out;
	uint64_t ip_bad_version, ip_bad_hdrlen, ip_bad_len, ip_bad_csum;
	uint64_t ip_bad_src;      /* from a broadcast or multicast address */
	uint64_t ip_fragments;    /* not reassembled: dropped */
	uint64_t ip_not_ours;     /* to another address */
	uint64_t ip_no_route;     /* nowhere to send */
	uint64_t ip_too_big;      /* over the MTU, not sent */
	uint64_t ip_unknown_proto;
	/* ICMP */
	uint64_t icmp_in, icmp_out, icmp_bad;
	uint64_t icmp_echo_in;    /* echo requests (answered) */
	uint64_t icmp_unreach_in; /* destination unreachable */
	uint64_t icmp_other_in;   /* every other type */
	/* UDP */
	uint64_t udp_in, udp_out;
	uint64_t udp_bad_len, udp_bad_csum;
	uint64_t udp_no_port;     /* no socket: port unreachable sent */
	uint64_t udp_queue_full;  /* a socket's receive queue was full */
	/* TCP: segments as IPv4 sees them, then the engine's counters */
	uint64_t tcp_in, tcp_out;
	uint64_t tcp_conns;        /* live connections now (not TIME_WAIT) */
	uint64_t tcp_active_opens, tcp_passive_opens;
	uint64_t tcp_established;  /* connections that got established */
	uint64_t tcp_retrans;      /* segments sent again */
	uint64_t tcp_resets;       /* connections reset by the peer */
	uint64_t tcp_in_errs;      /* bad checksum or header */
	uint64_t tcp_syn_drops;    /* SYNs refused: accept queue or limits */
	uint64_t tcp_syncookies_sent, tcp_syncookies_ok; /* SYN floods */
	uint64_t tcp_time_wait_recycled; /* ended early: records full */
	uint64_t tcp_max_conns;    /* limit of live connections */
	uint64_t tcp_max_time_wait; /* limit of TIME_WAIT records */
	uint64_t tcp_mem_used;     /* bytes charged to live connections */
	uint64_t tcp_mem_max;      /* ... and their limit */
	/*
	 * TCP connections now, by state, in TORO_TCP_STATE_NAMES's order;
	 * TIME_WAIT counts the small records too.
	 */
	uint64_t tcp_state[TORO_TCP_NSTATES];
	/* DHCP */
	uint64_t dhcp_out, dhcp_in, dhcp_leases;
};

int toro_net_stats(struct toro_net_stats *st);

/* "A.B.C.D" to a host-order address: 0, or -TORO_EINVAL. */
int toro_inet_aton(const char *s, uint32_t *addr);
/* A host-order address as "A.B.C.D"; buf of at least 16 bytes. */
char *toro_inet_ntoa(uint32_t addr, char *buf);

#endif
