/*
 * tcp.h: the TCP engine (RFC 9293), with MSS and window scaling (RFC
 * 7323), RFC 6298 retransmission timers, RFC 5681 congestion control
 * with SACK (RFC 2018, 6675) or NewReno (RFC 6582) recovery, tail loss
 * probes (RFC 8985), delayed ACKs (RFC 1122), zero-window probes, RFC
 * 5961 checks of RST, SYN and ACK, and keyed-hash ISNs (RFC 6528).
 *
 * Interface: a "raw API".  All state lives in a struct tcp_stack made
 * by tcp_stack_new(); there are no globals, so two stacks can talk to
 * each other in one test.  The stack sends through the output callback
 * of its config and reads time from its clock callback.  The layer
 * below hands it segments with tcp_input(); the network thread runs
 * tcp_timers() and sleeps until the deadline it returns.  The socket
 * layer drives connections (struct tcp_conn) with the tcp_* calls below
 * and hears back through the callbacks of struct tcp_callbacks.
 *
 * Rules:
 *  - One CPU, one thread: every call on a stack, and every callback,
 *    happens on the network CPU; nothing here locks.
 *  - Addresses and ports are host-order integers.
 *  - Every function may be called from inside a callback, tcp_close()
 *    and tcp_abort() included: the engine frees connections only once
 *    the outermost call into it returns.
 *  - Bounded: per-connection send and receive buffers of bounded size, a
 *    bounded out-of-order queue, a SYN backlog per listener (beyond it,
 *    SYN cookies: no state at all), a limit of live connections and of
 *    bytes they may hold, and a bounded number of TIME_WAIT records
 *    (small, apart from connections; the oldest is recycled when full).
 *    Half-open connections own no buffers.
 *  - Memory comes from toro_malloc() on the network CPU.
 */
#ifndef CORE_NET_TCP_H
#define CORE_NET_TCP_H

#include "core/net/net.h"

struct tcp_stack;
struct tcp_conn;

/* The states of RFC 9293, section 3.3.2. */
enum tcp_state {
	TCP_CLOSED,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RCVD,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT
};

struct tcp_config {
	/*
	 * Sends b from src to dst.  b's data starts at the TCP header,
	 * checksum filled in; at least 68 bytes of headroom are left for
	 * the layers below.  output takes b whatever it returns (0 or a
	 * negative TORO_E* code; a failure counts as a lost segment).
	 * Production: a wrapper around net_ip_output().
	 */
	int (*output)(void *ctx, struct net_buf *b, uint32_t src,
	    uint32_t dst);
	/* Monotonic time in ns (production: net_now()). */
	uint64_t (*clock)(void *ctx);
	void *ctx;               /* passed to output and clock */
	uint32_t addr;           /* local address; 0: none yet */
	uint16_t mtu;            /* largest IP packet; 0: 1500 */
	/*
	 * sndbuf and rcvbuf are what a conn's buffers may hold; memory is
	 * allocated as bytes come (doubling from 4 KiB) and given back when
	 * a buffer empties, so an idle conn holds none.  Every live conn is
	 * charged its struct and the buffer memory it holds; a buffer does
	 * not grow past mem (received data is then dropped as if lost, a
	 * send is short), and a conn is made only while mem has its struct
	 * and 8 KiB to spare.  Limits left 0 are derived (tcp_stack_new):
	 * mem is half the machine's RAM; max_conns, which bounds the
	 * table, what mem holds at 2 KiB of buffers per conn; max_time_wait
	 * what an eighth of mem holds in TIME_WAIT records, which do not
	 * count in max_conns.
	 */
	uint32_t sndbuf;         /* send buffer per connection; 0: 128 KiB */
	uint32_t rcvbuf;         /* receive buffer; 0: 128 KiB */
	uint64_t mem;            /* bytes live conns may be charged */
	uint32_t max_conns;      /* live connections (not TIME_WAIT) */
	uint32_t max_time_wait;  /* TIME_WAIT records */
	uint8_t secret[16];      /* key of ISNs and cookies: random at boot */
	/*
	 * Offloads of the layer below.  csum_offload: output leaves the
	 * checksum partial (the pseudo-header sum in the field, b->csum
	 * NET_CSUM_PARTIAL) for the NIC to finish.  tso_max (0: none):
	 * output may send up to that many payload bytes in one segment,
	 * b->gso_size saying where the NIC cuts it (csum_offload needed).
	 * Input always takes segments of any length, and skips the
	 * checksum of a buffer marked NET_CSUM_OK.
	 */
	bool csum_offload;
	uint32_t tso_max;
	bool nosack;             /* neither offer nor use SACK (tests) */
	bool nots;               /* neither offer nor use timestamps (tests) */
};

/*
 * What the engine tells the owner of a connection.  Each callback gets
 * the ctx given to tcp_conn_new() or tcp_set_callbacks(); any of them
 * may be NULL.  None fires after tcp_close() or tcp_abort().
 */
struct tcp_callbacks {
	/* A listener has a new connection for tcp_accept(). */
	void (*on_accept)(void *ctx);
	/*
	 * An active open finished: err 0 (ESTABLISHED), or
	 * -TORO_ECONNREFUSED, -TORO_ETIMEDOUT, -TORO_ECONNRESET.  Fires
	 * once per tcp_connect(); a failure is followed by on_closed(err).
	 */
	void (*on_connected)(void *ctx, int err);
	/* New bytes to tcp_recv(), the end of the stream, or a failure. */
	void (*on_readable)(void *ctx);
	/*
	 * Send-buffer space came free after a tcp_send() that was short
	 * or filled the buffer; also once our FIN is acknowledged (all
	 * that was sent arrived: FIN_WAIT_2).
	 */
	void (*on_writable)(void *ctx);
	/*
	 * The connection is over, fired once, last: err 0 after an orderly
	 * close (our FIN acknowledged, theirs received), else
	 * -TORO_ECONNRESET (RST), -TORO_ETIMEDOUT (retransmissions gave
	 * up) or -TORO_ECONNREFUSED (RST answering our SYN).  The conn
	 * stays valid until the owner calls tcp_close().
	 */
	void (*on_closed)(void *ctx, int err);
};

/* Counters of a stack; never reset. */
struct tcp_stats {
	uint64_t in_segs;        /* segments handed to tcp_input() */
	uint64_t in_csum_errs;   /* dropped: bad checksum */
	uint64_t in_hdr_errs;    /* dropped: truncated, bad offset/options */
	uint64_t in_no_conn;     /* for no conn (answered by RST but RSTs) */
	uint64_t in_dropped;     /* other drops: out of window, bad ACK... */
	uint64_t in_dup_segs;    /* data already received */
	uint64_t in_ooo_segs;    /* data queued out of order */
	uint64_t in_ooo_drops;   /* out-of-order data dropped: queue full */
	uint64_t in_nomem;       /* data dropped: no memory to hold it */
	uint64_t in_queued;      /* in-order data held in its packet, uncopied */
	uint64_t in_rsts;        /* RSTs that reset a connection */
	uint64_t in_rsts_ignored; /* RSTs outside the window or inexact */
	uint64_t out_segs;       /* segments sent, retransmissions too */
	uint64_t out_data_bytes; /* payload bytes sent, retransmissions too */
	uint64_t out_tso_segs;   /* segments longer than the MSS (TSO) */
	uint64_t out_retrans;    /* segments sent again */
	uint64_t out_rsts;       /* RSTs sent */
	uint64_t out_errs;       /* output failures and allocation failures */
	uint64_t challenge_acks; /* RFC 5961 challenge ACKs sent */
	uint64_t delayed_acks;   /* ACKs sent by the delayed-ACK timer */
	uint64_t rto_fires;      /* retransmission timeouts */
	uint64_t fast_retrans;   /* fast recoveries (dup ACKs or SACK) */
	uint64_t partial_acks;   /* partial ACKs in recovery */
	uint64_t early_retrans;  /* fast retransmits on < 3 dup ACKs */
	uint64_t tlp_probes;     /* tail loss probes (RFC 8985 7) */
	uint64_t sack_blocks_in; /* valid SACK blocks received */
	uint64_t sack_rexmits;   /* holes retransmitted in SACK recovery */
	uint64_t lost_rexmits;   /* retransmissions found lost by SACK */
	uint64_t persist_probes; /* zero-window probes */
	uint64_t active_opens;   /* tcp_connect() */
	uint64_t passive_opens;  /* SYNs accepted by a listener */
	uint64_t syn_drops;      /* SYNs refused: accept queue or limits */
	uint64_t syncookies_sent; /* SYN-ACKs carrying a cookie */
	uint64_t syncookies_ok;  /* connections made from a cookie */
	uint64_t syncookies_bad; /* ACKs to a listener with no valid cookie */
	uint64_t half_open_evicted; /* for a cookie's conn: the table full */
	uint64_t established;    /* connections that reached ESTABLISHED */
	uint64_t resets;         /* connections ended by a received RST */
	uint64_t timeouts;       /* connections ended by retransmit limit */
	uint64_t keepalive_probes; /* keep-alive probes sent */
	uint64_t keepalive_drops; /* connections ended: probes unanswered */
	uint64_t time_wait_reuse; /* TIME_WAIT ended early by a new SYN */
	uint64_t time_wait_recycled; /* records ended early: table full */
	uint32_t conns;          /* live connections now (no TIME_WAIT) */
	uint32_t conns_peak;     /* most at once */
	uint32_t time_wait;      /* TIME_WAIT records now */
	uint64_t mem_used;       /* bytes live conns hold now (structs, buffers) */
	/* The limits in force (derived or configured). */
	uint64_t mem_max;
	uint32_t max_conns, max_time_wait;
	/* Connections by state now; TIME_WAIT counts records too. */
	uint32_t states[TCP_TIME_WAIT + 1];
};

/* A snapshot of one connection, for tests, TCP_INFO and debugging. */
struct tcp_info {
	enum tcp_state state;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint16_t snd_mss;        /* largest payload we send */
	uint8_t snd_wscale;      /* shift of the peer's windows */
	uint8_t rcv_wscale;      /* shift of our windows */
	uint32_t snd_wnd;        /* the peer's window, in bytes */
	uint32_t rcv_wnd;        /* our window now, in bytes */
	uint32_t cwnd, ssthresh; /* bytes */
	uint32_t in_flight;      /* bytes sent and not acknowledged */
	uint32_t sndbuf_used;    /* bytes queued: unsent and unacked */
	uint32_t rcvbuf_used;    /* bytes waiting for tcp_recv() */
	uint64_t srtt, rttvar, rto; /* ns; srtt 0: no sample yet */
	uint32_t retries;        /* consecutive timeouts now */
	bool in_recovery;        /* fast recovery in progress */
	bool sack;               /* SACK negotiated */
	uint32_t iss, irs;       /* initial sequence numbers */
	uint32_t snd_una, snd_nxt, rcv_nxt;
	uint32_t sndbuf, rcvbuf;  /* the sizes set (tcp_set_bufsize) */
	bool nodelay;            /* Nagle off */
};

/* Tunables chosen for a LAN kernel; see tcp_timer.c for why. */
#define TCP_RTO_MIN_NS 200000000ULL     /* 200 ms */
#define TCP_RTO_INIT_NS 1000000000ULL   /* 1 s, RFC 6298 */
#define TCP_RTO_MAX_NS 60000000000ULL   /* 60 s */
#define TCP_DELACK_NS 40000000ULL       /* 40 ms (RFC 1122: < 500) */
#define TCP_MORE_NS 200000000ULL        /* TCP_SEND_MORE holds 200 ms */
#define TCP_TIME_WAIT_NS 60000000000ULL /* 2 MSL, MSL = 30 s */
#define TCP_FIN_WAIT_2_NS 60000000000ULL /* a closed conn waiting */
#define TCP_MAX_RETRIES 10              /* data: ~222 s, then ETIMEDOUT */
#define TCP_MAX_SYN_RETRIES 5           /* SYN: 1+2+4+8+16+32 s */
#define TCP_MAX_SYNACK_RETRIES 3        /* SYN-ACK of a half-open conn */
#define TCP_OOO_RANGES 16               /* out-of-order/SACKed ranges */
#define TCP_BACKLOG_MAX 1024

/*
 * The stack.  tcp_stack_new() copies cfg; NULL if out of memory or if
 * output or clock is missing.  tcp_stack_free() drops every connection
 * without a callback or a segment (for tests and shutdown).
 */
struct tcp_stack *tcp_stack_new(const struct tcp_config *cfg);
void tcp_stack_free(struct tcp_stack *s);
/* Change the local address (DHCP); existing connections keep theirs. */
void tcp_stack_set_addr(struct tcp_stack *s, uint32_t addr);
const struct tcp_stats *tcp_stack_stats(const struct tcp_stack *s);
/*
 * The conns that still owe their peers something: data not yet
 * acknowledged, a FIN not yet sent or acknowledged, or a handshake.
 * Those past their own FIN's acknowledgment (FIN_WAIT_2, TIME_WAIT)
 * and listeners owe nothing.
 */
int tcp_stack_owing(const struct tcp_stack *s);

/*
 * A segment from the network: b's data starts at the TCP header and
 * ends with the payload (the IP layer has trimmed any padding); it may
 * be a coalesced one, longer than the MSS.  src
 * and dst are the IP addresses (the checksum's pseudo-header).  The
 * engine verifies everything, may send (an ACK, an RST) and fire
 * callbacks before returning, and takes b.
 */
void tcp_input(struct tcp_stack *s, struct net_buf *b, uint32_t src,
    uint32_t dst);

/*
 * A batch of segments from the network (what one look at the NIC
 * found): between tcp_batch_begin() and tcp_batch_end(), callbacks are
 * held and fire once, at the end, and the ACK owed every second full
 * segment goes out then too, one for the batch, as a NIC that
 * coalesces a burst into one segment would have it.  ACKs that report
 * a hole, or fill one, still go at once.
 */
void tcp_batch_begin(struct tcp_stack *s);
void tcp_batch_end(struct tcp_stack *s);

/*
 * Runs every timer due at `now` (retransmission, persist, delayed ACK,
 * TIME_WAIT, keep-alive...) and returns the next deadline in ns, UINT64_MAX if
 * none.  Cheap when nothing is due.  Other calls may arm an earlier
 * timer, so call it after each batch of input or API calls before
 * sleeping.
 */
uint64_t tcp_timers(struct tcp_stack *s, uint64_t now);

/*
 * A new connection in CLOSED, owned by the caller until tcp_close().
 * cb and ctx may be NULL (set them later).  NULL: out of memory or the
 * stack's connection limit.
 */
struct tcp_conn *tcp_conn_new(struct tcp_stack *s,
    const struct tcp_callbacks *cb, void *ctx);
/* Replace the callbacks and their ctx (an accepted conn has none). */
void tcp_set_callbacks(struct tcp_conn *c, const struct tcp_callbacks *cb,
    void *ctx);
/*
 * Buffer sizes, clamped to [TCP_BUF_MIN, TCP_BUF_MAX]; 0 leaves one as
 * it is.  Returns 0.  Before connect or listen they are the sizes the
 * conn gets; a listener's are those of the conns it accepts from then
 * on.  On a conn already connected a larger buffer takes effect at once
 * and a smaller one as the buffer empties: a send buffer holding more
 * takes no more until it holds less, and a receive buffer keeps room for
 * the window already advertised, which never shrinks (RFC 9293
 * 3.8.6.2.2).  The receive buffer is the window offered (the window
 * scale is chosen from it on connect and listen).
 */
#define TCP_BUF_MIN 4096u
#define TCP_BUF_MAX (16u * 1024 * 1024)
int tcp_set_bufsize(struct tcp_conn *c, uint32_t sndbuf, uint32_t rcvbuf);
/*
 * Keep-alive (RFC 1122 4.2.3.6): with on, a conn that received nothing
 * for idle seconds, with nothing of ours unacknowledged, sends a probe
 * (an ACK at SND.NXT-1 without data, which the peer must answer), then
 * one every intvl seconds while none is answered; cnt unanswered probes
 * reset the conn (an RST goes to the peer) and the owner hears
 * -TORO_ETIMEDOUT.  Any segment received starts the wait over.  Bounds
 * and defaults are Linux's: idle and intvl 1..32767 s (7200, 75), cnt
 * 1..127 (9); -TORO_EINVAL outside.  Accepted conns inherit the
 * listener's.  -TORO_ENOMEM if the timer has no room for c.
 */
#define TCP_KEEP_IDLE_DEFAULT 7200
#define TCP_KEEP_INTVL_DEFAULT 75
#define TCP_KEEP_CNT_DEFAULT 9
#define TCP_KEEP_TIME_MAX 32767
#define TCP_KEEP_CNT_MAX 127
struct tcp_keepalive {
	bool on;
	uint32_t idle, intvl;    /* seconds */
	uint32_t cnt;            /* probes */
};
int tcp_set_keepalive(struct tcp_conn *c, const struct tcp_keepalive *k);
void tcp_get_keepalive(const struct tcp_conn *c, struct tcp_keepalive *k);
/* Nagle's algorithm on (default) or off (TCP_NODELAY). */
void tcp_set_nodelay(struct tcp_conn *c, bool on);

/*
 * Local address (0: any) and port (0: an ephemeral one).  -TORO_EINVAL
 * if not CLOSED or already bound; -TORO_EADDRINUSE if a listener or
 * another bound conn holds it (connections, TIME_WAIT included, do
 * not: reuse is always allowed).
 */
int tcp_bind(struct tcp_conn *c, uint32_t addr, uint16_t port);
/*
 * Listen on a bound conn.  backlog (1..TCP_BACKLOG_MAX, clamped)
 * bounds the half-open connections and, apart, the not-yet-accepted
 * ones.  A SYN past the first bound is answered with a SYN cookie
 * (syncookies_sent), one past the second, or past the stack's limits,
 * is dropped and counted (syn_drops): the peer tries again later.
 */
int tcp_listen(struct tcp_conn *c, int backlog);
/*
 * Take a connection from a listener's queue into *out: 0, or
 * -TORO_EAGAIN when there is none (on_accept fires when one comes),
 * -TORO_EINVAL if c does not listen.  The new conn is ESTABLISHED or
 * already further (CLOSE_WAIT: the peer sent data and a FIN before the
 * accept; a conn reset before its accept is dropped from the queue),
 * has no callbacks until tcp_set_callbacks() (check tcp_readable() and
 * tcp_state() then: earlier events are not replayed), and belongs to
 * the caller until tcp_close().
 */
int tcp_accept(struct tcp_conn *c, struct tcp_conn **out);
/*
 * Active open to addr:port, binding first if needed.  0: the SYN is
 * out (or will be retried) and on_connected() tells the outcome later;
 * -TORO_EISCONN, -TORO_EINVAL (listening, or port 0),
 * -TORO_EADDRNOTAVAIL (no local address), -TORO_EADDRINUSE (4-tuple
 * taken, or no ephemeral port), -TORO_ENOMEM.
 */
int tcp_connect(struct tcp_conn *c, uint32_t addr, uint16_t port);

/*
 * Copy up to len bytes into the send buffer and send what the windows
 * allow.  Returns the bytes taken (> 0; 0 for len 0), -TORO_EAGAIN
 * when the buffer is full, -TORO_EPIPE once c can send no more (after
 * tcp_shutdown(), a reset or a timeout), -TORO_ENOTCONN before a
 * connect.  Data given in SYN_SENT or SYN_RCVD waits for ESTABLISHED.
 */
int tcp_send(struct tcp_conn *c, const void *data, size_t len);
/*
 * tcp_send() with flags: TCP_SEND_MORE says more follows at once
 * (MSG_MORE): a partial last segment waits for it, for tcp_shutdown()
 * or tcp_close() (so an answer and its FIN leave in one segment, and
 * the peer never closes first), or at most TCP_MORE_NS.
 */
#define TCP_SEND_MORE 0x1
int tcp_send_flags(struct tcp_conn *c, const void *data, size_t len,
    unsigned flags);
/*
 * Copy up to len bytes out of the receive buffer (and open the window).
 * Returns the bytes (> 0), 0 at the end of the stream (FIN received and
 * everything read), -TORO_EAGAIN when empty, the connection's error
 * (-TORO_ECONNRESET, -TORO_ETIMEDOUT...) once it failed and nothing is
 * left, -TORO_ENOTCONN if never connected.
 */
int tcp_recv(struct tcp_conn *c, void *buf, size_t len);
/* The error c ended with (-TORO_ECONNRESET...), 0 if none. */
int tcp_error(const struct tcp_conn *c);
/* Bytes tcp_recv() would return now; bytes tcp_send() would take. */
size_t tcp_readable(const struct tcp_conn *c);
size_t tcp_writable(const struct tcp_conn *c);
/*
 * Half close: a FIN goes out after the queued data (once ESTABLISHED,
 * if still opening); receiving goes on.  0; -TORO_ENOTCONN if c never
 * connected.  Repeated calls are no-ops.
 */
int tcp_shutdown(struct tcp_conn *c);
/*
 * The owner lets go of c; c is invalid after the call.  An open
 * connection closes gracefully: queued data and a FIN go out, and the
 * engine frees it once done (after TIME_WAIT, or when FIN_WAIT_2 times
 * out).  If unread data was pending, or c is not synchronized, it is
 * reset/dropped instead (RFC 9293 3.10.4).  A listener resets its
 * queued, unaccepted connections.
 */
void tcp_close(struct tcp_conn *c);
/* Send an RST if synchronized, and free c now; no callback fires. */
void tcp_abort(struct tcp_conn *c);

/* State and addresses. */
enum tcp_state tcp_state(const struct tcp_conn *c);
void tcp_get_info(const struct tcp_conn *c, struct tcp_info *info);
/* The name of a state ("ESTABLISHED"), for messages. */
const char *tcp_state_name(enum tcp_state st);

#endif
