/*
 * tcp_timer.c: the timers of every connection, run by tcp_timers().
 *
 * Each conn has three deadlines (ns, 0 = off): t_rexmt, which is the
 * retransmission timer, or with TF_TLP the tail-loss probe timeout that
 * precedes it, or with TF_PERSIST the persist timer (never together:
 * one needs data in flight, the other a closed window with nothing in
 * flight); t_delack; and t_wait (TIME_WAIT, or an ownerless FIN_WAIT_2
 * that must not wait forever).
 *
 * The tail loss probe (RFC 8985 7): when the last segments of a flight
 * are lost, neither a duplicate ACK nor a SACK block can come, and the
 * 200 ms RTO would cost a hundred LAN round trips.  After 2 SRTT of
 * silence one segment goes out (new data if the window allows, else
 * the last one again) to draw an ACK that either repairs the tail or,
 * with its SACK blocks, starts fast recovery.  It does not back off
 * the RTO and does not count as a retry.
 *
 * Choices: SYNs are tried 6 times (1+2+4+8+16+32 s, as Linux), a
 * SYN-ACK 4 times (a half-open conn from a flood ends in 15 s), data
 * once, a probe, then 10 retransmissions (RTO doubling from 200 ms,
 * capped at 60 s: 222 s in all) before ETIMEDOUT.  Zero-window probes
 * go on as long as the peer answers them (RFC 1122 4.2.2.17) and give
 * up like data when it does not.  TIME_WAIT lasts 2 MSL = 60 s; a new
 * SYN may end it early, and when the records are full the oldest makes
 * room (tcp_tw.c, which also runs their expiry).  Keep-alive timers
 * are kept apart, in a heap (tcp_keep.c), which tcp_timers() runs too.
 */
#include "core/net/tcp_impl.h"
#include "toro/errno.h"

#define BACKOFF_MAX 16

static uint64_t
earliest(uint64_t best, uint64_t t)
{
	return (t != 0 && t < best) ? t : best;
}

/*
 * A timer of c was set: put c on the list tcp_timers() walks, so that
 * idle connections (no timer) cost it nothing, and bring the stack's
 * next deadline forward if it is earlier.  Whoever sets a deadline
 * calls this; a conn whose timers are all off leaves the list there.
 */
void
tcp_timer_on(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;

	if (c->flags & TF_DEAD)
		return;
	if (list_empty(&c->tlink))
		list_push_back(&s->timed, &c->tlink);
	s->next_timer = earliest(earliest(earliest(s->next_timer,
	    c->t_rexmt), c->t_delack), c->t_wait);
}

void
tcp_timer_arm_rexmt(struct tcp_conn *c)
{
	c->t_rexmt = c->stack->now + tcp_cur_rto(c);
	c->flags &= ~(TF_PERSIST | TF_TLP);
	tcp_timer_on(c);
}

/* Probe timeout, RFC 8985 7.2: 2 SRTT, plus a delayed ACK for one. */
static uint64_t
pto(const struct tcp_conn *c)
{
	uint64_t t = 2 * c->srtt;

	if (c->snd_max - c->snd_una <= c->snd_mss)
		t += TCP_DELACK_NS;
	return MAX(t, 10000000ULL);
}

static bool
tlp_ok(const struct tcp_conn *c)
{
	switch (c->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		break;
	default:
		return false;
	}
	return c->srtt != 0 && c->backoff == 0 && c->snd_wnd > 0 &&
	    !(c->flags & (TF_RECOVERY | TF_TLP_SENT)) &&
	    c->snd_nxt == c->snd_max && c->snd_una != c->snd_max;
}

/* Data is in flight: arm the probe timeout if it applies, else RTO. */
void
tcp_timer_arm_loss(struct tcp_conn *c)
{
	uint64_t rto = tcp_cur_rto(c), t;

	if (!tlp_ok(c)) {
		tcp_timer_arm_rexmt(c);
		return;
	}
	t = pto(c);
	c->t_rexmt = c->stack->now + MIN(t, rto);
	c->flags &= ~TF_PERSIST;
	c->flags |= TF_TLP;
	tcp_timer_on(c);
}

void
tcp_timer_arm_persist(struct tcp_conn *c)
{
	c->t_rexmt = c->stack->now + tcp_cur_rto(c);
	c->flags |= TF_PERSIST;
	c->flags &= ~TF_TLP;
	tcp_timer_on(c);
}

void
tcp_timers_cancel(struct tcp_conn *c)
{
	c->t_rexmt = 0;
	c->t_delack = 0;
	c->t_wait = 0;
	c->flags &= ~(TF_PERSIST | TF_TLP);
	tcp_keep_stop(c);
}

static void
give_up(struct tcp_conn *c)
{
	c->stack->stats.timeouts++;
	tcp_drop(c, -TORO_ETIMEDOUT);
}

static void
persist_fire(struct tcp_conn *c)
{
	if (++c->retries > TCP_MAX_RETRIES) {
		give_up(c);
		return;
	}
	if (c->backoff < BACKOFF_MAX)
		c->backoff++;
	c->snd_nxt = c->snd_una; /* the same probe byte again */
	tcp_output_force(c);
	tcp_timer_arm_persist(c);
}

static void
rexmt_fire(struct tcp_conn *c)
{
	struct tcp_stack *s = c->stack;
	uint32_t limit;

	switch (c->state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RCVD:
		limit = c->listener != NULL ? TCP_MAX_SYNACK_RETRIES :
		    TCP_MAX_SYN_RETRIES;
		if (++c->retries > limit) {
			give_up(c);
			return;
		}
		c->backoff++;
		tcp_send_syn(c);
		tcp_timer_arm_rexmt(c);
		return;
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT_1:
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		break;
	default:
		return;
	}
	if ((c->flags & TF_PERSIST) || c->snd_wnd == 0) {
		persist_fire(c);
		return;
	}
	if (c->snd_una == c->snd_max)
		return; /* everything was acknowledged meanwhile */
	if (c->flags & TF_TLP) {
		c->flags &= ~TF_TLP;
		c->flags |= TF_TLP_SENT;
		s->stats.tlp_probes++;
		tcp_output_tlp(c);
		tcp_timer_arm_rexmt(c);
		return;
	}
	if (++c->retries > TCP_MAX_RETRIES) {
		give_up(c);
		return;
	}
	s->stats.rto_fires++;
	tcp_cc_timeout(c);
	if (c->backoff < BACKOFF_MAX)
		c->backoff++;
	tcp_output(c);
	if (c->t_rexmt == 0 && c->snd_una != c->snd_max)
		tcp_timer_arm_rexmt(c);
}

static void
run(struct tcp_conn *c, uint64_t now)
{
	if (c->t_delack != 0 && c->t_delack <= now) {
		c->t_delack = 0;
		c->stack->stats.delayed_acks++;
		c->flags |= TF_ACKNOW;
		tcp_output(c);
	}
	if (c->t_rexmt != 0 && c->t_rexmt <= now && !(c->flags & TF_DEAD)) {
		c->t_rexmt = 0;
		rexmt_fire(c);
	}
	if (c->t_wait != 0 && c->t_wait <= now && !(c->flags & TF_DEAD)) {
		c->t_wait = 0;
		if (c->state == TCP_TIME_WAIT || c->state == TCP_FIN_WAIT_2)
			tcp_drop(c, 0);
	}
}

/*
 * Before the next deadline there is nothing to run: its time is all
 * this says, so the socket calls, which ask after each operation, do
 * not walk the timers.  The deadline may be one cancelled since: then
 * the walk finds nothing due and learns the real one.
 */
uint64_t
tcp_timers(struct tcp_stack *s, uint64_t now)
{
	struct list *l, *next;
	struct tcp_conn *c;
	uint64_t best;

	if (now < s->next_timer)
		return s->next_timer;
	tcp_enter(s);
	if (now > s->now)
		s->now = now;
	/* Timers set from here on lower it again. */
	s->next_timer = UINT64_MAX;
	for (l = s->timed.next; l != &s->timed; l = next) {
		next = l->next;
		run(container_of(l, struct tcp_conn, tlink), s->now);
		/* A timer that ended another conn: start over. */
		if (next != &s->timed &&
		    (container_of(next, struct tcp_conn, tlink)->flags &
		    TF_DEAD))
			next = s->timed.next;
	}
	best = tcp_tw_expire(s, s->now);
	best = MIN(best, tcp_keep_run(s, s->now));
	tcp_leave(s);
	for (l = s->timed.next; l != &s->timed; l = next) {
		next = l->next;
		c = container_of(l, struct tcp_conn, tlink);
		if (c->t_rexmt == 0 && c->t_delack == 0 && c->t_wait == 0) {
			list_remove(&c->tlink);
			continue;
		}
		best = earliest(best, c->t_rexmt);
		best = earliest(best, c->t_delack);
		best = earliest(best, c->t_wait);
	}
	s->next_timer = MIN(s->next_timer, best);
	return s->next_timer;
}
