/*
 * tcp_link.h: the harness of the TCP unit tests: two TCP stacks
 * (A = 10.0.0.1, B = 10.0.0.2) joined by a simulated link with
 * programmable delay, loss, reordering and duplication (a seeded PRNG,
 * so every run is the same run), a virtual clock, a log of every
 * segment sent, a filter that may drop or rewrite segments, and
 * helpers to craft segments by hand.
 *
 * Rules: test scaffolding, like hal/fake; it may use the host C
 * library.  Everything runs inside fake_run() (for toro_malloc), with
 * the link's own clock: no thread ever sleeps.
 */
#ifndef TESTS_UNIT_TCP_LINK_H
#define TESTS_UNIT_TCP_LINK_H

#include <check.h>

#include "tests/unit/unit.h"
#include <stdbool.h>
#include <stdint.h>

#include "hal/fake/fake.h"

#include "core/net/tcp.h"

#define A_ADDR 0x0a000001u
#define B_ADDR 0x0a000002u
#define MS 1000000ULL
#define SEC 1000000000ULL
#define LOG_MAX 4096

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* One segment as it left a stack. */
struct seg {
	uint64_t t;
	int from;        /* 0: A, 1: B */
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t wnd;
	uint32_t len;    /* payload bytes */
	int mss, ws;     /* options, -1 if absent */
	bool sack_ok;    /* SACK permitted */
	bool ts;         /* timestamps option */
	uint32_t tsval, tsecr;
	unsigned nsack;  /* SACK blocks */
	uint32_t sack[4][2];
	bool dropped;    /* by loss or the filter */
};

/*
 * Bulk transfer: a sender pushes `total` pattern bytes then shuts
 * down; the receiver reads and compares every byte.
 */
struct bulk {
	struct tcp_conn *tx, *rx;
	uint32_t key;
	uint64_t total, sent, rcvd;
	bool eof, bad, shut;
	uint64_t bad_at;
};

struct pkt;
struct link;

struct link_end {
	struct link *lk;
	int idx;
	uint16_t mtu;    /* the stack's; IP drops what exceeds it */
};

/* Callback record of one connection. */
struct ev {
	int connected, conn_err;
	int readable, writable, accepts;
	int closed, close_err;
	uint64_t t_connected, t_closed;
};

struct link {
	uint64_t now;
	struct tcp_stack *st[2];
	struct link_end end[2];
	struct pkt *q;            /* in flight, by arrival time */
	uint64_t pktno;
	uint64_t delay;           /* one way, ns */
	uint32_t loss[2], dup[2], reorder[2]; /* per mille, per sender */
	uint64_t reorder_extra;   /* added to a reordered packet */
	bool hold[2];             /* capture what i sends, deliver nothing */
	/*
	 * Offloads: nic[i], i's stack may send partial checksums and TSO
	 * segments (give it csum_offload and tso_max); the link finishes
	 * and cuts them (cut[i] pieces), unless lro[1 - i] asks for them
	 * whole (coalesced[i]), checksum vouched for.
	 */
	bool nic[2], lro[2];
	uint64_t cut[2], coalesced[2];
	uint64_t rng;
	/* Sees each segment sent; true drops it (it may rewrite it). */
	bool (*filter)(struct link *lk, int from, uint8_t *seg, size_t len,
	    void *arg);
	void *filter_arg;
	void (*pump)(struct link *lk); /* the applications, each step */
	void *app;
	struct seg log[LOG_MAX];
	unsigned nlog;            /* total; log keeps the first LOG_MAX */
	uint64_t delivered[2], dropped[2], duplicated[2];
	struct ev lev;            /* link_connect_pair's listener */
	struct bulk bulk[2];      /* link_bulk's streams */
	int nbulk;
	uint32_t max_flight[2];   /* largest in_flight of each sender */
};

/* Stacks with defaults; cfg may be NULL.  mtu 0: 1500. */
void link_init(struct link *lk, const struct tcp_config *cfg_a,
    const struct tcp_config *cfg_b);
void link_free(struct link *lk);
/*
 * Run until stop(arg) is true or the clock reaches `until`; returns
 * whether stop held.  stop may be NULL.
 */
bool link_run(struct link *lk, uint64_t until, bool (*stop)(void *),
    void *arg);
/* Run for d ns. */
void link_advance(struct link *lk, uint64_t d);
uint32_t link_rand(struct link *lk);

/* The config both stacks start from (output, clock, addresses). */
void link_default_config(struct link *lk, int i, struct tcp_config *cfg);

/*
 * Build a segment from src to dst into buf (returns its length): a
 * 20-byte header, then opt (optlen bytes, padded to 4), then data.
 */
size_t seg_build(uint8_t *buf, uint32_t src, uint32_t dst, uint16_t sport,
    uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
    uint16_t wnd, const uint8_t *opt, size_t optlen, const void *data,
    size_t len);
/* Hand raw bytes to stack `to` as if from the network. */
void link_inject(struct link *lk, int to, uint32_t src, uint32_t dst,
    const void *seg, size_t len);
/* Craft and inject: from the other stack's address to stack `to`. */
void link_send_seg(struct link *lk, int to, uint16_t sport,
    uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
    uint16_t wnd, const void *data, size_t len);
/* The n-th segment logged since mark, sent by `from` (-1: any). */
const struct seg *link_seg(struct link *lk, unsigned mark, int from,
    unsigned n);
/* How many logged segments since mark from `from` match flags. */
unsigned link_count(struct link *lk, unsigned mark, int from,
    uint8_t flags_set);

/* Callbacks recording into a struct ev (ctx). */
extern const struct tcp_callbacks ev_callbacks;

/* The byte at offset i of a test stream with seed k. */
static inline uint8_t
pattern(uint32_t k, uint64_t i)
{
	uint64_t x = (i + k) * 0x9e3779b97f4a7c15ULL;

	return (uint8_t)(x >> 56 ^ x >> 29);
}

void bulk_pump(struct bulk *b);

/*
 * Stream i (0 or 1) of `total` bytes from tx to rx, pumped by the
 * link (this sets lk->pump).  link_bulk_done(lk) says when every
 * stream ended (or went wrong); link_bulk_check asserts it is whole.
 */
void link_bulk(struct link *lk, int i, struct tcp_conn *tx,
    struct tcp_conn *rx, uint64_t total);
void link_bulk_pump(struct link *lk);
bool link_bulk_done(void *lk);
void link_bulk_check(struct link *lk, int i);

/*
 * Connect A (client) to B (listening on port) and accept; fills *ca,
 * *cb, records events into ea, eb.  Returns true if established.
 */
bool link_connect_pair(struct link *lk, uint16_t port, struct tcp_conn **ca,
    struct tcp_conn **cb, struct ev *ea, struct ev *eb,
    struct tcp_conn **listener);

/* A test body run inside fake_run() on one CPU with 128 MiB. */
#define TCP_TEST(name)							\
	static void *name##_body(void *);				\
	START_TEST(name)						\
	{								\
		ck_assert_int_eq(fake_run(1, 128u << 20, name##_body,	\
		    NULL), 0);						\
	}								\
	END_TEST							\
	static void *name##_body(void *unused)


#endif
