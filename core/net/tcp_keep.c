/*
 * tcp_keep.c: TCP keep-alive (RFC 1122 4.2.3.6, RFC 9293 3.8.4) and
 * its timer.
 *
 * Interface: tcp_set_keepalive() and tcp_get_keepalive() (tcp.h); for
 * the engine (tcp_impl.h) tcp_keep_start() when a conn may start
 * probing (ESTABLISHED), tcp_keep_stop() when it must stop (its timers
 * cancelled: TIME_WAIT, CLOSED), tcp_keep_release() when it dies,
 * tcp_keep_inherit() for a passive open, tcp_keep_run() from
 * tcp_timers().
 *
 * The timer: every conn with keep-alive on that is synchronized sits in
 * a binary min-heap of the stack keyed by ka_due, the next time there
 * is anything to look at.  A segment received only stores its time
 * (ka_last) and clears the probe count: the heap is not touched.  When
 * the top comes due, a conn that heard from its peer since is moved to
 * ka_last + idle (as Linux's tcp_keepalive_timer does); one with data
 * of ours in flight or queued waits another idle period, its
 * retransmission or persist timer watching the peer meanwhile; else a
 * probe goes, or after cnt of them the conn is reset.  So an idle
 * conn costs one heap entry and one look per idle period, and
 * tcp_timers() reads only the heap's top: ten thousand idle conns cost
 * nothing per tick, unlike a deadline on the `timed` list it walks.
 * Room in the heap is reserved when keep-alive is turned on (or
 * inherited), so a conn never fails to arm later.
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"
#include "toro/mem.h"

#define SEC 1000000000ULL

void
tcp_keep_init(struct tcp_conn *c)
{
	c->ka_idle = TCP_KEEP_IDLE_DEFAULT;
	c->ka_intvl = TCP_KEEP_INTVL_DEFAULT;
	c->ka_cnt = TCP_KEEP_CNT_DEFAULT;
}

static void
heap_put(struct tcp_stack *s, uint32_t i, struct tcp_conn *c)
{
	s->ka_heap[i] = c;
	c->ka_slot = i + 1;
}

static void
sift_up(struct tcp_stack *s, uint32_t i)
{
	struct tcp_conn *c = s->ka_heap[i], *p;

	while (i > 0 && (p = s->ka_heap[(i - 1) / 2])->ka_due > c->ka_due) {
		heap_put(s, i, p);
		i = (i - 1) / 2;
	}
	heap_put(s, i, c);
}

static void
sift_down(struct tcp_stack *s, uint32_t i)
{
	struct tcp_conn *c = s->ka_heap[i];
	uint32_t k;

	for (;;) {
		k = 2 * i + 1;
		if (k >= s->ka_n)
			break;
		if (k + 1 < s->ka_n &&
		    s->ka_heap[k + 1]->ka_due < s->ka_heap[k]->ka_due)
			k++;
		if (s->ka_heap[k]->ka_due >= c->ka_due)
			break;
		heap_put(s, i, s->ka_heap[k]);
		i = k;
	}
	heap_put(s, i, c);
}

/* Arm c's timer for `due`, in the heap or moved within it. */
static void
arm(struct tcp_conn *c, uint64_t due)
{
	struct tcp_stack *s = c->stack;
	uint32_t i;

	if (c->ka_slot == 0) {
		/* Room was reserved: ka_n < ka_users <= ka_cap. */
		c->ka_due = due;
		s->ka_heap[s->ka_n] = c;
		sift_up(s, s->ka_n++);
	} else {
		i = c->ka_slot - 1;
		c->ka_due = due;
		sift_up(s, i);
		sift_down(s, c->ka_slot - 1);
	}
	if (due < s->next_timer)
		s->next_timer = due;
}

void
tcp_keep_stop(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;
	struct tcp_conn *last;
	uint32_t i;

	if (c->ka_slot == 0)
		return;
	i = c->ka_slot - 1;
	c->ka_slot = 0;
	last = s->ka_heap[--s->ka_n];
	if (last == c)
		return;
	heap_put(s, i, last);
	sift_up(s, i);
	sift_down(s, last->ka_slot - 1);
}

/* Room for one more conn with keep-alive: 0 or -TORO_ENOMEM. */
static int
reserve(struct tcp_stack *s)
{
	struct tcp_conn **h;
	uint32_t cap;

	if (s->ka_users == s->ka_cap) {
		cap = s->ka_cap == 0 ? 64 : 2 * s->ka_cap;
		if ((h = toro_malloc(cap * sizeof(*h))) == NULL)
			return -TORO_ENOMEM;
		if (s->ka_n > 0)
			memcpy(h, s->ka_heap, s->ka_n * sizeof(*h));
		toro_free(s->ka_heap);
		s->ka_heap = h;
		s->ka_cap = cap;
	}
	s->ka_users++;
	return 0;
}

static bool
synchronized(enum tcp_state st)
{
	return st >= TCP_ESTABLISHED && st != TCP_TIME_WAIT;
}

void
tcp_keep_start(struct tcp_conn *c)
{
	c->ka_last = c->stack->now;
	c->ka_probes = 0;
	if ((c->flags & TF_KEEPALIVE) && synchronized(c->state))
		arm(c, c->stack->now + c->ka_idle * SEC);
}

/* c dies: out of the heap, its room given back. */
void
tcp_keep_release(struct tcp_conn *c)
{
	tcp_keep_stop(c);
	if (c->flags & TF_KEEPALIVE) {
		c->flags &= ~TF_KEEPALIVE;
		c->stack->ka_users--;
	}
}

/* A passive open takes l's settings: 0 or -TORO_ENOMEM. */
int
tcp_keep_inherit(struct tcp_conn *c, const struct tcp_conn *l)
{
	c->ka_idle = l->ka_idle;
	c->ka_intvl = l->ka_intvl;
	c->ka_cnt = l->ka_cnt;
	if (!(l->flags & TF_KEEPALIVE))
		return 0;
	if (reserve(c->stack) < 0)
		return -TORO_ENOMEM;
	c->flags |= TF_KEEPALIVE;
	return 0;
}

int
tcp_set_keepalive(struct tcp_conn *c, const struct tcp_keepalive *k)
{
	struct tcp_stack *s = c->stack;
	bool was = (c->flags & TF_KEEPALIVE) != 0;
	uint32_t idle = c->ka_idle;
	int err = 0;

	if (k->idle < 1 || k->idle > TCP_KEEP_TIME_MAX || k->intvl < 1 ||
	    k->intvl > TCP_KEEP_TIME_MAX || k->cnt < 1 ||
	    k->cnt > TCP_KEEP_CNT_MAX)
		return -TORO_EINVAL;
	tcp_enter(s);
	if (k->on && !was && (err = reserve(s)) == 0)
		c->flags |= TF_KEEPALIVE;
	if (!k->on && was)
		tcp_keep_release(c);
	if (err == 0) {
		c->ka_idle = (uint16_t)k->idle;
		c->ka_intvl = (uint16_t)k->intvl;
		c->ka_cnt = (uint8_t)k->cnt;
	}
	/* Turned on: idle from now.  Idle changed: from the last segment. */
	if (err == 0 && k->on && synchronized(c->state)) {
		if (!was)
			arm(c, s->now + c->ka_idle * SEC);
		else if (idle != c->ka_idle || c->ka_slot == 0)
			arm(c, MAX(s->now, c->ka_last + c->ka_idle * SEC));
	}
	tcp_leave(s);
	return err;
}

void
tcp_get_keepalive(const struct tcp_conn *c, struct tcp_keepalive *k)
{
	k->on = (c->flags & TF_KEEPALIVE) != 0;
	k->idle = c->ka_idle;
	k->intvl = c->ka_intvl;
	k->cnt = c->ka_cnt;
}

/* The top of the heap is due: probe, wait on, or give up. */
static void
fire(struct tcp_conn *c, uint64_t now)
{
	struct tcp_stack *s = c->stack;
	uint64_t idle = c->ka_idle * SEC;

	if (c->snd_una != c->snd_max || c->snd.len > 0) {
		arm(c, now + idle);
		return;
	}
	if (now - c->ka_last < idle) {
		arm(c, c->ka_last + idle);
		return;
	}
	if (c->ka_probes >= c->ka_cnt) {
		s->stats.keepalive_drops++;
		tcp_send_rst(c);
		tcp_drop(c, -TORO_ETIMEDOUT);
		return;
	}
	/* Old sequence, no data: the peer answers with an ACK. */
	s->stats.keepalive_probes++;
	c->ka_probes++;
	tcp_xmit(c, c->snd_nxt - 1, TH_ACK, 0);
	arm(c, now + c->ka_intvl * SEC);
}

/* Run the keep-alive timers due; the next deadline, or UINT64_MAX. */
uint64_t
tcp_keep_run(struct tcp_stack *s, uint64_t now)
{
	while (s->ka_n > 0 && s->ka_heap[0]->ka_due <= now)
		fire(s->ka_heap[0], now);
	return s->ka_n > 0 ? s->ka_heap[0]->ka_due : UINT64_MAX;
}

void
tcp_keep_free(struct tcp_stack *s)
{
	toro_free(s->ka_heap);
	s->ka_heap = NULL;
	s->ka_n = s->ka_cap = s->ka_users = 0;
}
