/*
 * tcp_stack.c: the stack as a whole: creation, the entry/exit pair that
 * every public call goes through, connection lookup (demux), ports,
 * initial sequence numbers and the delivery of callbacks.
 *
 * Entry and exit: tcp_enter() reads the clock; the outermost
 * tcp_leave() fires the callbacks posted meanwhile (a callback may call
 * back into the engine, which nests) and only then frees connections
 * that died, so no pointer the engine or a callback holds goes stale.
 *
 * Demux: connected conns live in a hash of their 4-tuple; listeners and
 * bound-only conns in short lists.  ISNs follow RFC 6528: a 4 us clock
 * plus SipHash-2-4 of the 4-tuple under the stack's secret.
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"
#include "toro/mem.h"

#define EPHEMERAL_LO 49152
#define EPHEMERAL_N 16384

static uint32_t
pow2_at_least(uint64_t n, uint32_t lo, uint32_t hi)
{
	uint32_t p = lo;

	while (p < n && p < hi)
		p <<= 1;
	return p;
}

/* The limits cfg leaves 0, from the machine's memory (see tcp.h). */
static void
derive_limits(struct tcp_config *cfg)
{
	struct toro_mem_stats m;

	if (cfg->mem == 0) {
		toro_mem_stats(&m);
		cfg->mem = m.total / 2;
	}
	if (cfg->max_conns == 0)
		cfg->max_conns = (uint32_t)MIN(cfg->mem /
		    (sizeof(struct tcp_conn) + TCP_CONN_BUF_AVG), 1u << 20);
	if (cfg->max_time_wait == 0)
		cfg->max_time_wait = (uint32_t)MIN(cfg->mem / 8 /
		    (sizeof(struct tcp_tw) + 2 * sizeof(struct list)),
		    1u << 20);
	cfg->max_conns = MAX(cfg->max_conns, 1u);
	cfg->max_time_wait = MAX(cfg->max_time_wait, 1u);
}

static int
alloc_tables(struct tcp_stack *s)
{
	uint32_t i, n;

	n = pow2_at_least(s->cfg.max_conns, 64, 1u << 16);
	s->hash = toro_calloc(n, sizeof(*s->hash));
	s->eph_refs = toro_calloc(EPHEMERAL_N, sizeof(*s->eph_refs));
	if (s->hash == NULL || s->eph_refs == NULL)
		return -TORO_ENOMEM;
	s->hash_mask = n - 1;
	for (i = 0; i < n; i++)
		list_init(&s->hash[i]);
	for (i = 0; i < TCP_LHASH_SIZE; i++)
		list_init(&s->lhash[i]);
	return tcp_tw_init(s);
}

struct tcp_stack *
tcp_stack_new(const struct tcp_config *cfg)
{
	struct tcp_stack *s;

	if (cfg == NULL || cfg->output == NULL || cfg->clock == NULL)
		return NULL;
	s = toro_calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->cfg = *cfg;
	if (s->cfg.mtu == 0)
		s->cfg.mtu = 1500;
	if (s->cfg.mtu < TCP_MIN_MSS + 40)
		s->cfg.mtu = TCP_MIN_MSS + 40;
	if (s->cfg.sndbuf == 0)
		s->cfg.sndbuf = 128 * 1024;
	if (s->cfg.rcvbuf == 0)
		s->cfg.rcvbuf = 128 * 1024;
	derive_limits(&s->cfg);
	s->stats.mem_max = s->cfg.mem;
	s->stats.max_conns = s->cfg.max_conns;
	s->stats.max_time_wait = s->cfg.max_time_wait;
	if (!s->cfg.csum_offload || s->cfg.tso_max > 65535 - 40)
		s->cfg.tso_max = 0;
	list_init(&s->conns);
	list_init(&s->bound);
	list_init(&s->timed);
	list_init(&s->evq);
	list_init(&s->dead);
	if (alloc_tables(s) < 0) {
		tcp_stack_free(s);
		return NULL;
	}
	s->now = cfg->clock(cfg->ctx);
	s->port_seed = (uint32_t)tcp_siphash(s->cfg.secret, "port", 4);
	s->hash_seed = (uint32_t)tcp_siphash(s->cfg.secret, "hash", 4);
	return s;
}

void
tcp_stack_free(struct tcp_stack *s)
{
	struct list *l;
	struct tcp_conn *c;

	if (s == NULL)
		return;
	while ((l = list_pop_front(&s->conns)) != NULL) {
		c = container_of(l, struct tcp_conn, all);
		tcp_rq_free(c);
		tcp_ring_free(&c->snd);
		tcp_ring_free(&c->rcv);
		toro_free(c);
	}
	while ((l = list_pop_front(&s->dead)) != NULL)
		toro_free(container_of(l, struct tcp_conn, evlink));
	tcp_tw_free_all(s);
	tcp_keep_free(s);
	toro_free(s->hash);
	toro_free(s->eph_refs);
	toro_free(s);
}

void
tcp_stack_set_addr(struct tcp_stack *s, uint32_t addr)
{
	s->cfg.addr = addr;
}

const struct tcp_stats *
tcp_stack_stats(const struct tcp_stack *s)
{
	return &s->stats;
}

void
tcp_enter(struct tcp_stack *s)
{
	uint64_t t;

	/* A batch may last: each segment in it reads the clock. */
	if (s->depth++ == 0 || s->batch) {
		t = s->cfg.clock(s->cfg.ctx);
		if (t > s->now)
			s->now = t; /* never backwards */
	}
}

/* Still its owner's: a callback may let go of c (cb then NULL). */
static bool
owned(const struct tcp_conn *c)
{
	return (c->flags & (TF_USER | TF_DEAD)) == TF_USER;
}

/* Fire c's posted callbacks, stopping if a callback lets go of c. */
static void
deliver(struct tcp_conn *c)
{
	uint32_t ev = c->events;

	c->events = 0;
	if ((ev & TE_ACK) && !(c->flags & TF_DEAD) && c->rcv_unacked > 0) {
		/* No segment has carried it since: the batch's ACK. */
		c->flags |= TF_ACKNOW;
		tcp_output(c);
	}
	if (!owned(c) || c->cb == NULL)
		return;
	if ((ev & TE_ACCEPT) && c->cb->on_accept != NULL)
		c->cb->on_accept(c->ctx);
	if ((ev & TE_CONNECTED) && owned(c) && c->cb->on_connected != NULL)
		c->cb->on_connected(c->ctx, c->conn_err);
	if ((ev & TE_READABLE) && owned(c) && c->cb->on_readable != NULL)
		c->cb->on_readable(c->ctx);
	if ((ev & TE_WRITABLE) && owned(c) && c->cb->on_writable != NULL)
		c->cb->on_writable(c->ctx);
	if ((ev & TE_CLOSED) && owned(c) && c->cb->on_closed != NULL)
		c->cb->on_closed(c->ctx, c->error);
}

void
tcp_leave(struct tcp_stack *s)
{
	struct list *l;
	struct tcp_conn *c;

	if (s->depth > 1) {
		s->depth--;
		return;
	}
	while ((l = list_pop_front(&s->evq)) != NULL)
		deliver(container_of(l, struct tcp_conn, evlink));
	while ((l = list_pop_front(&s->dead)) != NULL) {
		c = container_of(l, struct tcp_conn, evlink);
		toro_free(c);
	}
	s->depth = 0;
}

void
tcp_batch_begin(struct tcp_stack *s)
{
	tcp_enter(s);
	s->batch = true;
}

void
tcp_batch_end(struct tcp_stack *s)
{
	s->batch = false;
	tcp_leave(s);
}

void
tcp_post(struct tcp_conn *c, uint32_t events)
{
	if (c->flags & TF_DEAD)
		return;
	if (c->events == 0)
		list_push_back(&c->stack->evq, &c->evlink);
	c->events |= events;
}

uint32_t
tcp_tuple_hash(const struct tcp_stack *s, uint32_t laddr, uint16_t lport,
    uint32_t raddr, uint16_t rport)
{
	uint32_t h = s->hash_seed;

	h ^= raddr * 0x9e3779b1u;
	h ^= ((uint32_t)rport << 16 | lport) * 0x85ebca6bu;
	h ^= laddr;
	h ^= h >> 15;
	h *= 0xc2b2ae35u;
	h ^= h >> 13;
	return h;
}

struct tcp_conn *
tcp_lookup(struct tcp_stack *s, uint32_t laddr, uint16_t lport,
    uint32_t raddr, uint16_t rport)
{
	struct list *b, *l;
	struct tcp_conn *c;

	b = &s->hash[tcp_tuple_hash(s, laddr, lport, raddr, rport) &
	    s->hash_mask];
	for (l = b->next; l != b; l = l->next) {
		c = container_of(l, struct tcp_conn, hlink);
		if (c->lport == lport && c->rport == rport &&
		    c->laddr == laddr && c->raddr == raddr)
			return c;
	}
	return NULL;
}

/* A listener on laddr:lport, preferring an exact address to "any". */
struct tcp_conn *
tcp_lookup_listener(struct tcp_stack *s, uint32_t laddr, uint16_t lport)
{
	struct list *b = &s->lhash[lport % TCP_LHASH_SIZE], *l;
	struct tcp_conn *c, *any = NULL;

	for (l = b->next; l != b; l = l->next) {
		c = container_of(l, struct tcp_conn, hlink);
		if (c->lport != lport)
			continue;
		if (c->laddr == laddr)
			return c;
		if (c->laddr == 0)
			any = c;
	}
	return any;
}

/* Put c where its state belongs: listeners, the hash, or bound. */
void
tcp_hash_insert(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	tcp_unhash(c);
	if (c->state == TCP_LISTEN) {
		list_push_back(&s->lhash[c->lport % TCP_LHASH_SIZE],
		    &c->hlink);
		c->hashed = 2;
	} else if (c->state == TCP_CLOSED) {
		list_push_back(&s->bound, &c->hlink);
		c->hashed = 1;
	} else {
		list_push_back(&s->hash[tcp_tuple_hash(s, c->laddr, c->lport,
		    c->raddr, c->rport) & s->hash_mask], &c->hlink);
		c->hashed = 3;
	}
}

void
tcp_unhash(struct tcp_conn *c)
{
	if (c->hashed) {
		list_remove(&c->hlink);
		c->hashed = 0;
	}
}

/* Is addr:port held by a listener or a bound, unconnected conn? */
bool
tcp_port_taken(struct tcp_stack *s, uint32_t addr, uint16_t port)
{
	struct list *heads[2] = { &s->lhash[port % TCP_LHASH_SIZE],
		&s->bound };
	struct list *l;
	struct tcp_conn *c;
	int i;

	for (i = 0; i < 2; i++) {
		for (l = heads[i]->next; l != heads[i]; l = l->next) {
			c = container_of(l, struct tcp_conn, hlink);
			if (c->lport == port && (c->laddr == addr ||
			    c->laddr == 0 || addr == 0))
				return true;
		}
	}
	return false;
}

/*
 * Count the conns and TIME_WAIT records on an ephemeral port, so that
 * choosing one is not a walk over every connection.
 */
void
tcp_port_ref(struct tcp_stack *s, uint16_t port, int delta)
{
	/* The range ends at 65535. */
	if (port >= EPHEMERAL_LO)
		s->eph_refs[port - EPHEMERAL_LO] += (uint32_t)delta;
}

/* An ephemeral port no conn uses, from a keyed, moving start. */
int
tcp_port_ephemeral(struct tcp_stack *s, uint16_t *port)
{
	uint32_t i, p;

	s->port_seed = s->port_seed * 1103515245u + 12345u;
	for (i = 0; i < EPHEMERAL_N; i++) {
		p = EPHEMERAL_LO + (s->port_seed + i) % EPHEMERAL_N;
		if (s->eph_refs[p - EPHEMERAL_LO] == 0) {
			*port = (uint16_t)p;
			return 0;
		}
	}
	return -TORO_EADDRINUSE;
}

/* SipHash-2-4 (Aumasson and Bernstein), little-endian words. */
#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void
sip_rounds(uint64_t v[4], int n)
{
	while (n-- > 0) {
		v[0] += v[1];
		v[1] = ROTL(v[1], 13);
		v[1] ^= v[0];
		v[0] = ROTL(v[0], 32);
		v[2] += v[3];
		v[3] = ROTL(v[3], 16);
		v[3] ^= v[2];
		v[0] += v[3];
		v[3] = ROTL(v[3], 21);
		v[3] ^= v[0];
		v[2] += v[1];
		v[1] = ROTL(v[1], 17);
		v[1] ^= v[2];
		v[2] = ROTL(v[2], 32);
	}
}

uint64_t
tcp_siphash(const uint8_t key[16], const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t k0 = le64(key), k1 = le64(key + 8), m, v[4];
	uint8_t last[8];
	size_t i;

	v[0] = k0 ^ 0x736f6d6570736575ULL;
	v[1] = k1 ^ 0x646f72616e646f6dULL;
	v[2] = k0 ^ 0x6c7967656e657261ULL;
	v[3] = k1 ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= n; i += 8) {
		m = le64(p + i);
		v[3] ^= m;
		sip_rounds(v, 2);
		v[0] ^= m;
	}
	memset(last, 0, sizeof(last));
	memcpy(last, p + i, n - i);
	last[7] = (uint8_t)n;
	m = le64(last);
	v[3] ^= m;
	sip_rounds(v, 2);
	v[0] ^= m;
	v[2] ^= 0xff;
	sip_rounds(v, 4);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/*
 * One SipHash of the 4-tuple gives both its ISN offset (the low half)
 * and its timestamp offset (the high half).  A passive open asks for
 * both in a row, so the last tuple's hash is kept.
 */
static uint64_t
tuple_siphash(struct tcp_stack *s, uint32_t laddr, uint16_t lport,
    uint32_t raddr, uint16_t rport)
{
	uint8_t t[12];

	if (s->memo_ok && s->memo_laddr == laddr && s->memo_raddr == raddr &&
	    s->memo_lport == lport && s->memo_rport == rport)
		return s->memo_hash;
	net_put32(t, laddr);
	net_put32(t + 4, raddr);
	net_put16(t + 8, lport);
	net_put16(t + 10, rport);
	s->memo_hash = tcp_siphash(s->cfg.secret, t, sizeof(t));
	s->memo_laddr = laddr;
	s->memo_raddr = raddr;
	s->memo_lport = lport;
	s->memo_rport = rport;
	s->memo_ok = true;
	return s->memo_hash;
}

uint32_t
tcp_isn(struct tcp_stack *s, uint32_t laddr, uint16_t lport,
    uint32_t raddr, uint16_t rport)
{
	return (uint32_t)(s->now >> 12) +
	    (uint32_t)tuple_siphash(s, laddr, lport, raddr, rport);
}

/*
 * Timestamps (RFC 7323): a 1 ms clock plus an offset per 4-tuple, so a
 * TSval tells nothing of our uptime or of other connections.
 */
uint32_t
tcp_ts_offset(struct tcp_stack *s, uint32_t laddr, uint16_t lport,
    uint32_t raddr, uint16_t rport)
{
	return (uint32_t)(tuple_siphash(s, laddr, lport, raddr, rport) >> 32);
}

uint32_t
tcp_ts_now(const struct tcp_stack *s, uint32_t off)
{
	return (uint32_t)(s->now / 1000000) + off;
}

/*
 * A zeroed conn counted against the limits and charged its struct
 * (its buffers are charged as they fill), or NULL.  It is made only if
 * the memory left holds its struct and bufs more bytes of buffers.
 */
struct tcp_conn *
tcp_conn_alloc(struct tcp_stack *s, uint32_t bufs)
{
	struct tcp_conn *c;
	uint64_t charge = sizeof(*c);

	if (s->stats.conns >= s->cfg.max_conns ||
	    s->stats.mem_used + charge + bufs > s->cfg.mem)
		return NULL;
	c = toro_calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->stack = s;
	list_init(&c->hlink);
	list_init(&c->qlink);
	list_init(&c->evlink);
	list_init(&c->tlink);
	list_init(&c->halfq);
	list_init(&c->acceptq);
	list_init(&c->rq);
	list_push_back(&s->conns, &c->all);
	c->sndbuf = s->cfg.sndbuf;
	c->rcvbuf = s->cfg.rcvbuf;
	c->rto = TCP_RTO_INIT_NS;
	tcp_keep_init(c);
	c->charge = (uint32_t)charge;
	s->stats.mem_used += charge;
	s->stats.states[TCP_CLOSED]++;
	if (++s->stats.conns > s->stats.conns_peak)
		s->stats.conns_peak = s->stats.conns;
	return c;
}

/* Unlink c from everything now; free its memory at the outer exit. */
void
tcp_conn_destroy(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	if (c->flags & TF_DEAD)
		return;
	tcp_unhash(c);
	if (c->listener != NULL) {
		list_remove(&c->qlink);
		c->listener->nqueued--;
		if (c->flags & TF_HALF)
			c->listener->nhalf--;
		c->listener = NULL;
	}
	list_remove(&c->all);
	list_remove(&c->tlink);
	list_remove(&c->evlink); /* no events for the dead */
	c->events = 0;
	tcp_rq_free(c);
	tcp_ring_free(&c->snd);
	tcp_ring_free(&c->rcv);
	tcp_keep_release(c);
	c->flags |= TF_DEAD;
	c->flags &= ~TF_USER;
	tcp_port_ref(s, c->lport, -1);
	s->stats.states[c->state]--;
	s->stats.mem_used -= c->charge;
	s->stats.conns--;
	list_push_back(&s->dead, &c->evlink);
}
