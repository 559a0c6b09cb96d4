/*
 * sock.h: the socket layer inside the stack: sockets, the requests that
 * carry calls from any CPU to the network CPU, and what each kind of
 * socket (sock_dgram.c, sock_stream.c, sock_pipe.c) provides.
 *
 * How a call travels: the caller fills a struct net_req on its own
 * stack and sends it with sched_call() (whose rules hold here) to the
 * network CPU.  There net_req_arrive() runs the operation.  An operation
 * that cannot finish yet returns NET_PENDING after pointing r->waitq at
 * the list it waits on; the request is parked there and run again by
 * net_sock_wake() whenever the socket changes, until it finishes or its
 * deadline passes.  To finish, net_req_finish() answers it with sched_reply().
 * So the request is touched by one CPU at a time, and the caller's
 * buffers are read and written directly on the network CPU.
 *
 * Rules: everything here runs on the network CPU.  Operations never
 * block; run again, they must carry on where they stopped.
 */
#ifndef CORE_NET_SOCK_H
#define CORE_NET_SOCK_H

#include "core/net/stack.h"
#include "core/sched/sched.h"

/* Socket descriptors are 0 .. NET_SOCK_MAX - 1 (files start above). */
#define NET_SOCK_MAX 0x10000
#define NET_PENDING (-0x7fff) /* an operation's "not yet" */

struct net_sock;
struct net_req;

/*
 * A parked toro_poll() waits on each socket it polls, so an event on a
 * socket reruns only the polls that watch it, never every poll.
 */
struct net_pollent {
	struct list link; /* on the socket's pollq */
	struct net_req *req;
};

/* What a request asks for. */
enum net_op {
	OP_SOCKET,
	OP_BIND,
	OP_LISTEN,
	OP_ACCEPT,
	OP_CONNECT,
	OP_SEND,
	OP_RECV,
	OP_SHUTDOWN,
	OP_CLOSE,
	OP_NAME,
	OP_PEER,
	OP_NONBLOCK,
	OP_TIMEOUT,
	OP_NODELAY,
	OP_ERROR,
	OP_POLL,
	OP_INFO,
	OP_STATS,
	OP_WAIT,
	OP_PIPE,
	OP_EPCREATE,
	OP_EPCTL,
	OP_EPWAIT,
	OP_SETOPT,
	OP_GETOPT,
	OP_EXIT,
};

/* toro_epoll_ctl()'s arguments, on the caller's stack. */
struct net_epctl {
	int op;          /* TORO_EPOLL_ADD, _MOD, _DEL */
	int fd;          /* the socket */
	int key;         /* with the socket, names the entry */
	uint32_t events; /* TORO_EPOLL* */
	uint64_t data;
};

struct net_req {
	struct sched_call call; /* there and back; its result */
	int op;
	long timeout_result;   /* what the deadline gives */
	uint64_t deadline;     /* NET_NEVER: none */
	bool nonblock;         /* this call must not wait */
	int stage;             /* for operations that go in steps */
	size_t progress;       /* bytes done; a timeout returns them */
	struct list *waitq;    /* where a pending operation waits */
	struct list wlink;     /* on *waitq */
	struct list tlink;     /* on the list of timed requests */
	struct net_sock *sock;
	int fd;
	/* Arguments and results, in the caller's memory. */
	void *buf;
	const void *cbuf;
	size_t len;
	int flags;
	const struct toro_sockaddr_in *to;
	struct toro_sockaddr_in *from;
	struct toro_pollfd *pfd;
	int npfd;
	struct net_pollent *pents; /* a parked poll's places on sockets */
	int64_t value;
	void *out;
	/* Called as it finishes, by any path (a lingering close). */
	void (*done)(struct net_req *r);
};

struct net_sock_ops {
	/* Set up a new socket; 0 or a negative code. */
	int (*init)(struct net_sock *s);
	int (*bind)(struct net_sock *s, const struct toro_sockaddr_in *a);
	int (*listen)(struct net_sock *s, int backlog);
	long (*accept)(struct net_req *r);
	long (*connect)(struct net_req *r);
	long (*send)(struct net_req *r);
	long (*recv)(struct net_req *r);
	int (*shutdown)(struct net_sock *s, int how);
	void (*close)(struct net_sock *s);
	/* TORO_POLL* bits that are true now. */
	short (*poll)(struct net_sock *s);
	/*
	 * A lingering close (TORO_SO_LINGER): at the first call, start an
	 * orderly end; true while what was sent is not all acknowledged.
	 */
	bool (*draining)(struct net_sock *s, bool first);
};

#define NET_SHUT_RD 1
#define NET_SHUT_WR 2

struct net_sock {
	int fd;
	int type;
	const struct net_sock_ops *ops;
	bool nonblock;
	int64_t rcv_timeout;    /* ns, receive and accept; TORO_FOREVER */
	int64_t snd_timeout;    /* ns, send and connect */
	/* Options (sock_opt.c); a stream's others are its conn's. */
	bool reuseaddr, keepalive, linger;
	int32_t linger_s;
	uint32_t rcvbuf, sndbuf; /* datagram sockets' */
	int shut;               /* NET_SHUT_* */
	int error;              /* a pending error, reported once */
	bool bound, connected;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	struct list waiters;    /* parked requests */
	struct list pollq;      /* parked polls watching it */
	struct list epq;        /* its entries in epoll sets */
	uint32_t gen;           /* changes so far (net_sock_wake) */
	/* Datagram sockets (sock_dgram.c). */
	struct list hlink;      /* port hash chain */
	struct list rxq;        /* received datagrams */
	int rxq_n;
	size_t rxq_bytes;
	/* Stream sockets (sock_stream.c). */
	void *proto;            /* the struct tcp_conn */
	struct list acceptq;    /* connections taken from the engine */
	int acceptq_n, backlog;
	bool listening, connecting, hup;
};

/* sock_stream.c: send small segments at once (no Nagle) or not. */
int net_stream_nodelay(struct net_sock *s, bool on);
/* After an engine call that may arm a timer: the network thread hears. */
void net_stream_rearm(void);
/* Connections that still owe their peers data or a FIN (tcp.h). */
int net_stream_owing(void);

/*
 * sock_opt.c: a socket's options (toro/socket.h's TORO_SO_*), and what
 * an accepted socket takes from its listener.
 */
int net_sock_setopt(struct net_sock *s, int opt, int64_t v);
int net_sock_getopt(struct net_sock *s, int opt, int64_t *v);
void net_sock_inherit(struct net_sock *ns, const struct net_sock *l);
/*
 * A close with TORO_SO_LINGER on for N > 0 s, its socket out of the
 * table: NET_PENDING while it waits, else 0 (first: nothing to wait
 * for, the caller closes; later: done, the socket closed and freed).
 */
long net_sock_linger(struct net_req *r, bool first);
/* Datagram sockets queue this many bytes unless told otherwise. */
#define NET_DGRAM_RCVBUF (256u * 1024)

extern const struct net_sock_ops net_dgram_ops;
extern const struct net_sock_ops *const net_stream_ops;

/* socket.c */
/* Serve a request arriving on the network CPU (sched_call's serve). */
void net_req_arrive(struct sched_call *c);
/* Run the parked requests of s again; each finishes or waits on. */
void net_sock_wake(struct net_sock *s);
/*
 * sock_epoll.c: a new set (its descriptor, or a negative code); a
 * change to a set's entry for s (NULL: no such socket); a wait (r->sock
 * the set, r->buf and r->npfd the caller's array, r->value the time).
 * A changed socket readies its entries (net_sock_wake calls it); a
 * closing one loses them.
 */
long net_epoll_new(void);
long net_epoll_ctl(struct net_sock *set, struct net_sock *s,
    const struct net_epctl *c);
long net_epoll_wait(struct net_req *r);
void net_epoll_wake(struct net_sock *s);
void net_epoll_forget(struct net_sock *s);

/* sock_table.c: descriptors and their sockets. */
void net_sock_table_init(void);
/* A new descriptor and socket of this kind, or NULL. */
struct net_sock *net_sock_new(int type, const struct net_sock_ops *ops);
/* fd's socket, or NULL. */
struct net_sock *net_sock_lookup(int fd);
/* Every descriptor in use is below this. */
int net_sock_table_size(void);
/* Give fd back; its socket lives on until destroyed. */
void net_sock_fd_release(int fd);
/* Close and free a socket nobody has seen yet. */
void net_sock_free(struct net_sock *s);
/* Close and free a socket out of the table. */
void net_sock_destroy(struct net_sock *s);

/* sock_pipe.c: a pipe, a pair or a counter; its descriptors in fds. */
#define NET_PIPE_PIPE 0
#define NET_PIPE_PAIR 1
#define NET_PIPE_COUNTER 2
int net_pipe_new(int kind, int flags, uint64_t init, int fds[2]);
/* Finish r now with this result. */
void net_req_finish(struct net_req *r, long result);

/* A free ephemeral port for a table that answers in_use(port). */
uint16_t net_ephemeral_port(bool (*in_use)(uint16_t port));

#endif
