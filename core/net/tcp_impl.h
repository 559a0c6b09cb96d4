/*
 * tcp_impl.h: the inside of the TCP engine, shared by core/net/tcp*.c
 * only (everyone else includes tcp.h).
 *
 * A connection keeps its sequence space in the variables of RFC 9293
 * (snd_una, snd_nxt, rcv_nxt...), its bytes in two rings (tcp_buf.c)
 * and its timers as absolute deadlines in ns (0: off).  Callbacks are
 * never fired from the middle of a state change: code posts an event
 * bit with tcp_post() and the outermost entry into the engine
 * delivers them in tcp_leave(), then frees dead connections.
 */
#ifndef CORE_NET_TCP_IMPL_H
#define CORE_NET_TCP_IMPL_H

#include "core/net/tcp.h"

/* Sequence arithmetic modulo 2^32 (RFC 9293 3.4). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

/* Header flags. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define TCP_HDR_LEN 20
#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WS 3
#define TCP_OPT_SACK_OK 4
#define TCP_OPT_SACK 5
#define TCP_OPT_TS 8
#define TCP_TS_LEN 12         /* NOP, NOP, kind, length, TSval, TSecr */
#define TCP_SACK_BLOCKS 4     /* in 40 bytes of options, no timestamps */
#define TCP_MAX_WS 14         /* RFC 7323 2.3 */
#define TCP_MIN_MSS 64        /* refuse to be talked into tinygrams */
#define TCP_DEFAULT_MSS 536   /* RFC 9293 3.7.1, without an option */
#define TCP_LHASH_SIZE 64     /* listener buckets, by port */
#define TCP_G_NS 1000000ULL   /* RFC 6298's clock granularity G */
#define TCP_CONN_BUF_AVG 2048 /* buffer bytes per conn, for max_conns */
#define TCP_CONN_HEADROOM 8192 /* free memory a new conn needs */

/*
 * A byte ring: len bytes from head; space beyond len is scratch.  cap:
 * the most it may hold (0: no ring); size: bytes allocated, the modulus.
 */
struct tcp_ring {
	uint8_t *buf;
	uint32_t cap, size, head, len;
};

/*
 * A set of sequence ranges, sorted and disjoint: the out-of-order data
 * held in the receive ring, or the sender's SACK scoreboard.
 */
struct tcp_ooo {
	uint32_t n;
	struct {
		uint32_t start, end; /* [start, end) */
	} r[TCP_OOO_RANGES];
};

/* A parsed, validated segment. */
struct tcp_seg {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;          /* raw window field */
	const uint8_t *data;
	uint32_t len;          /* payload bytes */
	uint32_t seqlen;       /* len + SYN + FIN */
	int mss;               /* option value, -1 if absent */
	int wscale;            /* option value, -1 if absent */
	bool sack_ok;          /* SACK-permitted option */
	bool ts_ok;            /* timestamps option (RFC 7323) */
	uint32_t tsval, tsecr;
	uint8_t nsack;         /* SACK blocks */
	uint32_t sack[TCP_SACK_BLOCKS][2];
	bool syn_wnd;          /* wnd is a SYN's (unscaled): ignore it */
	struct net_buf *buf;   /* the packet; NULL once the data took it */
};

/* c->flags */
#define TF_USER 0x0001        /* the owner has not called tcp_close */
#define TF_DEAD 0x0002        /* on the stack's dead list */
#define TF_ACKNOW 0x0004      /* send an ACK at the next output */
#define TF_NODELAY 0x0008     /* Nagle off */
#define TF_FIN_WANTED 0x0010  /* shutdown asked: FIN after the data */
#define TF_FIN_SENT 0x0020    /* our FIN has a sequence number */
#define TF_FIN_RCVD 0x0040    /* their FIN is in rcv_nxt */
#define TF_FIN_QUEUED 0x0080  /* their FIN came ahead of a hole */
#define TF_WANT_WRITE 0x0100  /* fire on_writable when space frees */
#define TF_RECOVERY 0x0200    /* NewReno fast recovery */
#define TF_RTT_TIMING 0x0400  /* rtt_seq is being timed */
#define TF_WS_OK 0x0800       /* window scaling negotiated */
#define TF_CONNECTING 0x2000  /* on_connected owed */
#define TF_CLOSED_CB 0x4000   /* on_closed posted */
#define TF_PERSIST 0x8000     /* the rexmt timer runs as persist timer */
#define TF_SYN_REXMT 0x10000  /* the SYN was sent more than once */
#define TF_PARTIAL 0x20000    /* a partial ACK already restarted the RTO */
#define TF_TLP 0x40000        /* the rexmt timer runs as probe timeout */
#define TF_TLP_SENT 0x80000   /* a tail loss probe is out */
#define TF_SACK_OK 0x100000   /* SACK negotiated (or offered, opening) */
#define TF_TS_OK 0x200000     /* timestamps negotiated (or offered) */
#define TF_HALF 0x400000      /* on the listener's halfq (nhalf) */
#define TF_KEEPALIVE 0x800000 /* keep-alive on (a heap slot reserved) */

/* c->events, delivered by tcp_leave() in this order. */
#define TE_ACCEPT 0x01
#define TE_CONNECTED 0x02
#define TE_READABLE 0x04
#define TE_WRITABLE 0x08
#define TE_CLOSED 0x10
#define TE_ACK 0x20 /* an ACK owed at the end of a batch */

struct tcp_conn {
	struct tcp_stack *stack;
	struct list all;          /* stack->conns */
	struct list hlink;        /* hash bucket, bound or listener list */
	struct list qlink;        /* listener's half-open or accept queue */
	struct list evlink;       /* stack->evq (pending events) or dead */
	struct list tlink;        /* stack->timed while a timer may be set */
	struct tcp_conn *listener; /* while half-open or unaccepted */
	const struct tcp_callbacks *cb;
	void *ctx;
	enum tcp_state state;
	uint32_t flags;
	uint32_t events;
	int error;                /* -TORO_E* once failed */
	int conn_err;             /* for on_connected */
	int hashed;               /* 0: none, 1: bound, 2: listen, 3: hash */
	uint32_t laddr, raddr;
	uint16_t lport, rport;

	/* listener */
	struct list halfq, acceptq;
	uint32_t backlog, nqueued, nhalf; /* nhalf: in halfq */
	uint64_t cookies_until;   /* cookie ACKs are looked at until then */

	/* send side */
	uint32_t iss, snd_una, snd_nxt, snd_max;
	uint32_t snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
	uint32_t sb_seq;          /* sequence number of snd.buf[head] */
	uint16_t snd_mss;
	uint8_t snd_wscale, rcv_wscale;
	uint32_t cwnd, ssthresh, recover, bytes_acked;
	uint32_t dupacks;
	struct tcp_ooo sacked;    /* the peer's SACK blocks above snd_una */
	uint32_t rxt_high;        /* SACK recovery: holes resent below this */
	uint32_t rxt_mark;        /* snd_max at the latest such resend */
	struct tcp_ring snd;
	uint32_t sndbuf, rcvbuf;  /* sizes to allocate */

	/* receive side */
	uint32_t irs, rcv_nxt, rcv_adv;
	uint32_t rcv_wnd_max;     /* the widest window we advertised */
	uint32_t rcv_fin_seq;     /* with TF_FIN_QUEUED */
	uint32_t rcv_unacked;     /* bytes since our last ACK */
	uint32_t rcv_mss;         /* largest segment seen */
	struct list rq;           /* in-order packets held whole (tcp_rq.c) */
	uint32_t rq_len;          /* their data bytes, all before rcv's */
	uint32_t rq_size;         /* their allocations' real size */
	struct tcp_ring rcv;
	struct tcp_ooo ooo;
	uint32_t last_ooo;        /* latest out-of-order arrival: SACK first */

	/* RTT and timers */
	uint64_t srtt, rttvar, rto;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	uint32_t backoff;         /* RTO doublings in force */
	uint32_t retries;         /* timeouts since progress */
	uint64_t t_rexmt;         /* retransmit or persist */
	uint64_t t_delack;
	uint64_t t_wait;          /* TIME_WAIT, orphan FIN_WAIT_2 */

	/* keep-alive (tcp_keep.c) */
	uint64_t ka_last;         /* when the last segment came */
	uint64_t ka_due;          /* its key in the stack's heap */
	uint32_t ka_slot;         /* 1 + its index in the heap; 0: out */
	uint16_t ka_idle, ka_intvl; /* seconds */
	uint8_t ka_cnt, ka_probes; /* probes allowed, sent unanswered */

	/* timestamps (RFC 7323) and accounting */
	uint32_t ts_recent;       /* the peer's latest TSval */
	uint32_t ts_off;          /* our TSval = ms clock + ts_off */
	uint32_t charge;          /* bytes counted in stack->mem_used */
};

/*
 * What is left of a connection in TIME_WAIT once nobody owns it: enough
 * to ACK a retransmitted FIN and to judge a new SYN (tcp_tw.c).
 */
struct tcp_tw {
	struct list hlink;        /* stack->tw_hash bucket */
	struct list qlink;        /* stack->tw_fifo, by expiry */
	uint64_t expire;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint32_t snd_nxt, rcv_nxt;
	uint32_t ts_recent, ts_off;
	uint16_t wnd;             /* window field of our ACKs */
	bool ts;                  /* the connection used timestamps */
};

struct tcp_stack {
	struct tcp_config cfg;
	struct tcp_stats stats;
	uint64_t now;             /* the clock, read at each entry */
	int depth;                /* nesting of entries (callbacks) */
	bool batch;               /* in tcp_batch_begin/end */
	struct list conns;        /* every conn, oldest first */
	struct list bound;        /* bound, not listening nor connected */
	struct list lhash[TCP_LHASH_SIZE]; /* listeners by port */
	struct list *hash;        /* live conns by 4-tuple */
	uint32_t hash_mask;
	struct list *tw_hash;     /* TIME_WAIT records by 4-tuple */
	uint32_t tw_mask;
	struct list tw_fifo;      /* TIME_WAIT records, oldest first */
	uint32_t *eph_refs;       /* users of each ephemeral port */
	struct list timed;        /* conns that may have a timer set */
	uint64_t next_timer;      /* no deadline is earlier (0: look) */
	/* Keep-alive timers: a min-heap by ka_due (tcp_keep.c). */
	struct tcp_conn **ka_heap;
	uint32_t ka_n, ka_cap;    /* in the heap; its room */
	uint32_t ka_users;        /* conns with TF_KEEPALIVE: room kept */
	struct list evq;          /* conns with events to deliver */
	struct list dead;         /* conns to free in tcp_leave */
	uint32_t hash_seed;       /* demux hash key, fixed */
	uint32_t port_seed;       /* moves with every ephemeral port */
	uint64_t chal_second;     /* RFC 5961 challenge ACK rate limit */
	uint32_t chal_count;
	/* The last 4-tuple hashed for an ISN or a timestamp offset. */
	uint64_t memo_hash;
	uint32_t memo_laddr, memo_raddr;
	uint16_t memo_lport, memo_rport;
	bool memo_ok;
};

/* tcp_stack.c: entry, exit, demux, ports, ISN, events. */
void tcp_enter(struct tcp_stack *s);
void tcp_leave(struct tcp_stack *s);
struct tcp_conn *tcp_lookup(struct tcp_stack *s, uint32_t laddr,
    uint16_t lport, uint32_t raddr, uint16_t rport);
struct tcp_conn *tcp_lookup_listener(struct tcp_stack *s, uint32_t laddr,
    uint16_t lport);
void tcp_hash_insert(struct tcp_conn *c);
void tcp_unhash(struct tcp_conn *c);
int tcp_port_ephemeral(struct tcp_stack *s, uint16_t *port);
bool tcp_port_taken(struct tcp_stack *s, uint32_t addr, uint16_t port);
uint32_t tcp_isn(struct tcp_stack *s, uint32_t laddr, uint16_t lport,
    uint32_t raddr, uint16_t rport);
uint64_t tcp_siphash(const uint8_t key[16], const void *p, size_t n);
void tcp_post(struct tcp_conn *c, uint32_t events);
struct tcp_conn *tcp_conn_alloc(struct tcp_stack *s, uint32_t bufs);
void tcp_conn_destroy(struct tcp_conn *c);
uint32_t tcp_tuple_hash(const struct tcp_stack *s, uint32_t laddr,
    uint16_t lport, uint32_t raddr, uint16_t rport);
void tcp_port_ref(struct tcp_stack *s, uint16_t port, int delta);
uint32_t tcp_ts_now(const struct tcp_stack *s, uint32_t off);
uint32_t tcp_ts_offset(struct tcp_stack *s, uint32_t laddr,
    uint16_t lport, uint32_t raddr, uint16_t rport);

/* tcp_tw.c: TIME_WAIT records. */
int tcp_tw_init(struct tcp_stack *s);
void tcp_tw_free_all(struct tcp_stack *s);
void tcp_tw_enter(struct tcp_conn *c);
struct tcp_tw *tcp_tw_lookup(struct tcp_stack *s, uint32_t laddr,
    uint16_t lport, uint32_t raddr, uint16_t rport);
bool tcp_tw_input(struct tcp_stack *s, struct tcp_tw *tw,
    const struct tcp_seg *sg);
uint64_t tcp_tw_expire(struct tcp_stack *s, uint64_t now);

/* tcp_cookie.c: SYN cookies (RFC 4987). */
void tcp_cookie_send(struct tcp_conn *l, const struct tcp_seg *sg);
int tcp_cookie_check(struct tcp_conn *l, const struct tcp_seg *sg,
    struct tcp_conn **out);

/* tcp_conn.c: life and death of connections. */
int tcp_alloc_buffers(struct tcp_conn *c);
int tcp_buf_reserve(struct tcp_conn *c, struct tcp_ring *r, uint32_t need);
void tcp_buf_release(struct tcp_conn *c, struct tcp_ring *r);
void tcp_buf_free(struct tcp_conn *c, struct tcp_ring *r);
void tcp_set_state(struct tcp_conn *c, enum tcp_state st);
void tcp_drop(struct tcp_conn *c, int err);
void tcp_established(struct tcp_conn *c);
void tcp_enter_time_wait(struct tcp_conn *c);
uint32_t tcp_data_end(const struct tcp_conn *c);
void tcp_choose_wscale(struct tcp_conn *c);

/* tcp_buf.c: rings and the out-of-order ranges. */
void tcp_ring_init(struct tcp_ring *r, uint32_t cap);
void tcp_ring_free(struct tcp_ring *r);
uint32_t tcp_ring_next_size(const struct tcp_ring *r, uint32_t need);
int tcp_ring_resize(struct tcp_ring *r, uint32_t size);
uint32_t tcp_ring_release(struct tcp_ring *r);
uint32_t tcp_ring_append(struct tcp_ring *r, const void *p, uint32_t n);
uint32_t tcp_ring_read(struct tcp_ring *r, void *p, uint32_t n);
void tcp_ring_peek(const struct tcp_ring *r, uint32_t off, void *p,
    uint32_t n);
void tcp_ring_put_at(struct tcp_ring *r, uint32_t off, const void *p,
    uint32_t n);
void tcp_ring_drop(struct tcp_ring *r, uint32_t n);
void tcp_ring_extend(struct tcp_ring *r, uint32_t n);
int tcp_ooo_add(struct tcp_ooo *q, uint32_t start, uint32_t end);
uint32_t tcp_ooo_advance(struct tcp_ooo *q, uint32_t rcv_nxt);
void tcp_ooo_trim(struct tcp_ooo *q, uint32_t below);

/* tcp_rq.c: the receive queue of whole packets. */
bool tcp_rq_take(struct tcp_conn *c, struct tcp_seg *sg, uint32_t len);
uint32_t tcp_rq_read(struct tcp_conn *c, uint8_t *p, uint32_t n);
void tcp_rq_free(struct tcp_conn *c);
uint32_t tcp_rcv_held(const struct tcp_conn *c);

/* tcp_sack.c: SACK blocks out, the scoreboard and recovery with it. */
unsigned tcp_sack_options(const struct tcp_conn *c, uint8_t *p,
    unsigned room, bool *cut);
uint32_t tcp_sack_update(struct tcp_conn *c, const struct tcp_seg *sg);
bool tcp_sack_loss(const struct tcp_conn *c, uint32_t thresh);
void tcp_sack_output(struct tcp_conn *c);

/* tcp_input.c and tcp_receive.c: segments in. */
void tcp_input_listen(struct tcp_conn *l, const struct tcp_seg *sg);
struct tcp_conn *tcp_passive_conn(struct tcp_conn *l,
    const struct tcp_seg *sg, uint32_t iss);
void tcp_take_syn_options(struct tcp_conn *c, const struct tcp_seg *sg);
uint16_t tcp_clamp_mss(const struct tcp_stack *s, int opt);
void tcp_input_syn_sent(struct tcp_conn *c, const struct tcp_seg *sg);
void tcp_input_sync(struct tcp_conn *c, struct tcp_seg *sg);

/* tcp_cc.c: ACK processing, RTT, congestion control. */
void tcp_ack_new(struct tcp_conn *c, const struct tcp_seg *sg,
    uint32_t acked);
void tcp_ack_dup(struct tcp_conn *c);
void tcp_rtt_sample(struct tcp_conn *c, uint64_t rtt);
void tcp_cc_init(struct tcp_conn *c);
void tcp_cc_timeout(struct tcp_conn *c);
uint32_t tcp_dup_threshold(const struct tcp_conn *c);
uint64_t tcp_cur_rto(const struct tcp_conn *c);

/* tcp_output.c: segments out. */
void tcp_output(struct tcp_conn *c);
void tcp_output_force(struct tcp_conn *c);
void tcp_send_syn(struct tcp_conn *c);
void tcp_send_ack(struct tcp_conn *c);
void tcp_send_rst(struct tcp_conn *c);
uint32_t tcp_retransmit_first(struct tcp_conn *c);
void tcp_output_tlp(struct tcp_conn *c);
void tcp_send_data(struct tcp_conn *c, uint32_t len, bool fin,
    uint32_t avail);
void tcp_xmit(struct tcp_conn *c, uint32_t seq, uint8_t flags,
    uint32_t len);
bool tcp_fin_state(enum tcp_state st);
void tcp_challenge_ack(struct tcp_conn *c);
void tcp_respond_rst(struct tcp_stack *s, const struct tcp_seg *sg);
uint32_t tcp_rcv_window(struct tcp_conn *c, bool syn);

/* tcp_timer.c */
void tcp_timer_arm_rexmt(struct tcp_conn *c);
void tcp_timer_arm_persist(struct tcp_conn *c);
void tcp_timer_arm_loss(struct tcp_conn *c);
void tcp_timers_cancel(struct tcp_conn *c);
void tcp_timer_on(struct tcp_conn *c);

/* tcp_keep.c: keep-alive. */
void tcp_keep_init(struct tcp_conn *c);
int tcp_keep_inherit(struct tcp_conn *c, const struct tcp_conn *l);
void tcp_keep_start(struct tcp_conn *c);
void tcp_keep_stop(struct tcp_conn *c);
void tcp_keep_release(struct tcp_conn *c);
uint64_t tcp_keep_run(struct tcp_stack *s, uint64_t now);
void tcp_keep_free(struct tcp_stack *s);
void tcp_rcv_fit(struct tcp_conn *c);

#endif
