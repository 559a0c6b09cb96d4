/*
 * sock_epoll.c: epoll sets, kept in the socket table, whose waits cost
 * the ready entries only, not the whole interest list.
 *
 * Interface (sock.h): net_epoll_new(), net_epoll_ctl() and
 * net_epoll_wait() for socket.c's OP_EPCREATE, OP_EPCTL and OP_EPWAIT
 * (toro_epoll_create, toro_epoll_ctl, toro_epoll_wait in toro/socket.h);
 * net_epoll_wake() from net_sock_wake(), net_epoll_forget() when a
 * socket closes.
 *
 * An entry links a socket to a set, keyed by the socket and the
 * caller's key (the C library's descriptor number, as Linux keys by
 * file and descriptor).  It sits on its socket's epq, on its set's list
 * of all entries and, while it may have something to say, on its set's
 * ready list.  When a socket changes (net_sock_wake), each of its
 * entries whose interest it now meets goes on its set's ready list
 * (O(1): no scan of the set) and the set's waiters run again.  A wait
 * takes entries off the ready list in order and asks each socket what
 * is true now: an entry with nothing to report leaves the list until
 * the next change; a level-triggered one that reported goes back at
 * the tail (so a wait with room for fewer than are ready rotates
 * through them all); an edge-triggered one waits for the next change;
 * a one-shot one is off until TORO_EPOLL_MOD.
 *
 * Rules: socket.c's: all of it runs on the network CPU and never
 * blocks; the caller's array is written with hal_copy(), so a bad one
 * fails the wait (-TORO_EFAULT) and takes no event.  A set is not
 * watched by a set (-TORO_EPERM), so a wake never loops.  An entry is
 * freed with its socket or its set, whichever closes first.
 */
#include "core/net/sock.h"
#include "toro/errno.h"
#include "toro/mem.h"

/* What interest bits mean to the sockets' poll. */
#define WANT_IN (TORO_EPOLLIN | TORO_EPOLLRDNORM)
#define WANT_OUT (TORO_EPOLLOUT | TORO_EPOLLWRNORM)

struct epset {
	struct list ready; /* entries to look at, oldest first */
	struct list all;   /* every entry */
};

struct epent {
	struct list slink; /* on its socket's epq */
	struct list alink; /* on its set's all */
	struct list rlink; /* on its set's ready, or alone */
	struct net_sock *sock, *set;
	uint64_t data;
	uint32_t events;
	int key;
	bool off; /* a one-shot entry that reported */
};

static struct epset *
set_of(struct net_sock *set)
{
	return set->proto;
}

/* The poll bits of e's socket that e reports now (0: none). */
static short
now(const struct epent *e)
{
	short want = (short)((e->events & WANT_IN ? TORO_POLLIN : 0) |
	    (e->events & WANT_OUT ? TORO_POLLOUT : 0) |
	    (e->events & TORO_EPOLLRDHUP ? TORO_POLLRDHUP : 0));

	return (short)(e->sock->ops->poll(e->sock) &
	    (want | TORO_POLLERR | TORO_POLLHUP));
}

/* Poll bits as the event e reports. */
static uint32_t
report(const struct epent *e, short rv)
{
	uint32_t ev = (rv & TORO_POLLIN ? WANT_IN : 0) |
	    (rv & TORO_POLLOUT ? WANT_OUT : 0) |
	    (rv & TORO_POLLRDHUP ? TORO_EPOLLRDHUP : 0);

	return (ev & e->events) | (rv & TORO_POLLERR ? TORO_EPOLLERR : 0) |
	    (rv & TORO_POLLHUP ? TORO_EPOLLHUP : 0);
}

/* Put e on its set's ready list if it has something to say; whether. */
static bool
queue(struct epent *e)
{
	if (e->off || !list_empty(&e->rlink) || now(e) == 0)
		return false;
	list_push_back(&set_of(e->set)->ready, &e->rlink);
	return true;
}

static void
unlink_ent(struct epent *e)
{
	list_remove(&e->slink);
	list_remove(&e->alink);
	list_remove(&e->rlink);
	toro_free(e);
}

void
net_epoll_wake(struct net_sock *s)
{
	struct list *l, *next;
	struct epent *e;

	for (l = s->epq.next; l != &s->epq; l = next) {
		next = l->next;
		e = container_of(l, struct epent, slink);
		/* Its waiters (and polls of the set) look again. */
		if (queue(e))
			net_sock_wake(e->set);
	}
}

void
net_epoll_forget(struct net_sock *s)
{
	struct list *l;

	while ((l = list_pop_front(&s->epq)) != NULL) {
		list_init(l);
		unlink_ent(container_of(l, struct epent, slink));
	}
}

/* A set is ready to read while one of its ready entries is. */
static short
set_poll(struct net_sock *set)
{
	struct list *l;

	for (l = set_of(set)->ready.next; l != &set_of(set)->ready; l = l->next)
		if (now(container_of(l, struct epent, rlink)) != 0)
			return TORO_POLLIN;
	return 0;
}

static void
set_close(struct net_sock *set)
{
	struct list *l;

	while ((l = list_pop_front(&set_of(set)->all)) != NULL) {
		list_init(l);
		unlink_ent(container_of(l, struct epent, alink));
	}
	toro_free(set->proto);
	set->proto = NULL;
}

static long
set_io(struct net_req *r)
{
	return -TORO_EINVAL;
}

static int
set_shutdown(struct net_sock *s, int how)
{
	return -TORO_ENOTSOCK;
}

static const struct net_sock_ops set_ops = {
	.connect = set_io,
	.send = set_io,
	.recv = set_io,
	.shutdown = set_shutdown,
	.close = set_close,
	.poll = set_poll,
};

long
net_epoll_new(void)
{
	struct net_sock *s;
	struct epset *es;

	if ((es = toro_calloc(1, sizeof(*es))) == NULL)
		return -TORO_ENOMEM;
	if ((s = net_sock_new(0, &set_ops)) == NULL) {
		toro_free(es);
		return -TORO_ENFILE;
	}
	list_init(&es->ready);
	list_init(&es->all);
	s->proto = es;
	return s->fd;
}

/* s's entry in set under key, or NULL. */
static struct epent *
find(struct net_sock *set, struct net_sock *s, int key)
{
	struct list *l;
	struct epent *e;

	for (l = s->epq.next; l != &s->epq; l = l->next) {
		e = container_of(l, struct epent, slink);
		if (e->set == set && e->key == key)
			return e;
	}
	return NULL;
}

static long
add(struct net_sock *set, struct net_sock *s, const struct net_epctl *c)
{
	struct epent *e;

	if ((e = toro_calloc(1, sizeof(*e))) == NULL)
		return -TORO_ENOMEM;
	list_init(&e->rlink);
	e->sock = s;
	e->set = set;
	e->key = c->key;
	e->events = c->events;
	e->data = c->data;
	list_push_back(&s->epq, &e->slink);
	list_push_back(&set_of(set)->all, &e->alink);
	if (queue(e))
		net_sock_wake(set);
	return 0;
}

long
net_epoll_ctl(
    struct net_sock *set, struct net_sock *s, const struct net_epctl *c)
{
	struct epent *e;

	if (s == NULL)
		return -TORO_EBADF;
	if (s->ops == &set_ops && s != set)
		return -TORO_EPERM; /* no set in a set */
	if (set->ops != &set_ops || s == set)
		return -TORO_EINVAL;
	e = find(set, s, c->key);
	switch (c->op) {
	case TORO_EPOLL_ADD:
		return e != NULL ? -TORO_EEXIST : add(set, s, c);
	case TORO_EPOLL_MOD:
		if (e == NULL)
			return -TORO_ENOENT;
		e->events = c->events;
		e->data = c->data;
		e->off = false;
		if (queue(e))
			net_sock_wake(set);
		return 0;
	case TORO_EPOLL_DEL:
		if (e == NULL)
			return -TORO_ENOENT;
		unlink_ent(e);
		return 0;
	}
	return -TORO_EINVAL;
}

/* Move every entry of from to the front (or the back) of to. */
static void
splice(struct list *to, struct list *from, bool front)
{
	struct list *first = from->next, *last = from->prev;
	struct list *at = front ? to->next : to;

	if (list_empty(from))
		return;
	first->prev = at->prev;
	at->prev->next = first;
	last->next = at;
	at->prev = last;
	list_init(from);
}

/*
 * Report up to max ready entries of es into out; how many, or
 * -TORO_EFAULT if out is bad and nothing was reported.
 */
static long
collect(struct epset *es, struct toro_epoll_event *out, int max)
{
	struct list batch, again, *l;
	struct toro_epoll_event ev;
	struct epent *e;
	long got = 0;
	short rv;

	list_init(&batch);
	list_init(&again);
	splice(&batch, &es->ready, false);
	while (got < max && (l = list_pop_front(&batch)) != NULL) {
		e = container_of(l, struct epent, rlink);
		if ((rv = now(e)) == 0)
			continue; /* the next change puts it back */
		ev.events = report(e, rv);
		ev.data = e->data;
		if (hal_copy(&out[got], &ev, sizeof(ev)) < 0) {
			list_push_front(&batch, l);
			if (got == 0)
				got = -TORO_EFAULT;
			break;
		}
		got++;
		if (e->events & TORO_EPOLLONESHOT)
			e->off = true;
		else if (!(e->events & TORO_EPOLLET))
			list_push_back(&again, l);
	}
	/* Those not looked at stay first; those that reported go last. */
	splice(&es->ready, &batch, true);
	splice(&es->ready, &again, false);
	return got;
}

long
net_epoll_wait(struct net_req *r)
{
	struct net_sock *set = r->sock;
	long got;

	if (set->ops != &set_ops)
		return -TORO_EINVAL;
	/* The set's own non-blocking mode is not the wait's. */
	r->nonblock = false;
	if ((got = collect(set_of(set), r->buf, r->npfd)) != 0 || r->value == 0)
		return got;
	r->waitq = &set->waiters;
	return NET_PENDING;
}
