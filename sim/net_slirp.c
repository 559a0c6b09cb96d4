/*
 * net_slirp.c: the NIC's user-mode network (--net user), libslirp on the
 * host loop, laid out as QEMU's: network 10.0.2.0/24, host and gateway
 * 10.0.2.2, DNS 10.0.2.3, DHCP offering 10.0.2.15, no IPv6.  --port
 * forwards listen on the host's 127.0.0.1.
 *
 * Interface: sim_slirp_init() creates the stack and its forwards at boot
 * (the main thread, before the loop runs); sim_slirp_kick() tells the
 * loop, from any thread, that the TX queue has frames for it.
 *
 * Rules: libslirp is not thread-safe, so every call into it is made on
 * the loop thread; frames reach it through net.c's TX queue and an
 * async handle, and leave it through send_packet into net.c's RX queue.
 * Its poll API runs inside libuv's loop:
 *  - prepare (before the loop sleeps): slirp_pollfds_fill() names the
 *    sockets and events slirp wants; they go into an epoll set of our own,
 *    watched by one uv_poll, and slirp's timeout arms a uv_timer.
 *  - check (after the sleep): the events of that set, if it woke us, go
 *    to slirp_pollfds_poll(), which also runs slirp's TCP timers.
 * The epoll set is rewritten every round (EPOLL_CTL_MOD, or ADD) with
 * exactly the events asked: a socket slirp closed and whose number came
 * back is then watched again, and a ready socket slirp does not want now
 * cannot wake the loop for nothing.  Nothing polls: with no traffic the
 * loop wakes only when slirp's timeout says (at most once a second).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <libslirp.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <uv.h>

#include "hal/hal.h"
#include "sim/sim.h"

/* A frame batch per async callback, so that the loop stays responsive. */
enum { TX_BATCH = 64 };

/* One timer of slirp's (timer_new). */
struct stimer {
	uv_timer_t handle;
	SlirpTimerCb cb;
	void *arg;
};

/* A socket slirp asked about this round, and what it asked. */
struct want {
	int fd;
	int events;  /* SLIRP_POLL_* */
	int revents; /* SLIRP_POLL_* */
};

static Slirp *slirp;
static uv_loop_t *loop;
static uv_prepare_t prepare;
static uv_check_t check;
static uv_poll_t epoll_watch;
static uv_timer_t timeout_timer;
static uv_async_t tx_async;
static int epfd = -1;
static bool woke; /* the epoll set was ready this round */

/* This round's sockets, and the last round's fds (still in the set). */
static struct want *wants;
static int nwants, wants_max;
static int *last, nlast, last_max;
static struct epoll_event *events;
static int events_max;

static void *
grow(void *p, int *max, size_t size)
{
	int n = *max == 0 ? 16 : *max * 2;

	if ((p = realloc(p, (size_t)n * size)) == NULL)
		sim_fatal("net: out of memory for slirp's sockets");
	*max = n;
	return p;
}

static ssize_t
send_packet(const void *buf, size_t len, void *opaque)
{
	sim_net_input(buf, len);
	return (ssize_t)len;
}

static void
guest_error(const char *msg, void *opaque)
{
	dprintf(STDERR_FILENO, "%s: net: slirp: guest error: %s\n",
	    sim_config.prog, msg);
}

static int64_t
clock_get_ns(void *opaque)
{
	return (int64_t)sim_clock_ns();
}

static void
on_stimer(uv_timer_t *h)
{
	struct stimer *t = h->data;

	t->cb(t->arg);
}

static void *
timer_new(SlirpTimerCb cb, void *arg, void *opaque)
{
	struct stimer *t;
	int error;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		sim_fatal("net: out of memory for a slirp timer");
	if ((error = uv_timer_init(loop, &t->handle)) != 0)
		sim_fatal("net: uv_timer_init: %s", uv_strerror(error));
	t->handle.data = t;
	t->cb = cb;
	t->arg = arg;
	return t;
}

static void
free_stimer(uv_handle_t *h)
{
	free(h->data);
}

static void
timer_free(void *timer, void *opaque)
{
	struct stimer *t = timer;

	uv_close((uv_handle_t *)&t->handle, free_stimer);
}

/* Arm a slirp timer for `expire`, in ms on clock_get_ns()'s clock. */
static void
timer_mod(void *timer, int64_t expire, void *opaque)
{
	struct stimer *t = timer;
	int64_t delay = expire - (int64_t)(sim_clock_ns() / 1000000);
	int error;

	if ((error = uv_timer_start(&t->handle, on_stimer,
	    delay > 0 ? (uint64_t)delay : 0, 0)) != 0)
		sim_fatal("net: uv_timer_start: %s", uv_strerror(error));
}

/* Sockets come and go with each round of slirp_pollfds_fill(). */
static void
register_poll_fd(int fd, void *opaque)
{
}

static void
unregister_poll_fd(int fd, void *opaque)
{
}

static void
notify(void *opaque)
{
}

static const SlirpCb callbacks = {
	.send_packet = send_packet,
	.guest_error = guest_error,
	.clock_get_ns = clock_get_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = register_poll_fd,
	.unregister_poll_fd = unregister_poll_fd,
	.notify = notify,
};

static int
add_poll(int fd, int ev, void *opaque)
{
	if (nwants == wants_max)
		wants = grow(wants, &wants_max, sizeof(*wants));
	wants[nwants].fd = fd;
	wants[nwants].events = ev;
	wants[nwants].revents = 0;
	return nwants++;
}

static int
get_revents(int idx, void *opaque)
{
	return idx >= 0 && idx < nwants ? wants[idx].revents : 0;
}

static uint32_t
to_epoll(int ev)
{
	return (ev & SLIRP_POLL_IN ? EPOLLIN : 0) |
	    (ev & SLIRP_POLL_OUT ? EPOLLOUT : 0) |
	    (ev & SLIRP_POLL_PRI ? EPOLLPRI : 0);
}

static int
from_epoll(uint32_t ev)
{
	return (ev & EPOLLIN ? SLIRP_POLL_IN : 0) |
	    (ev & EPOLLOUT ? SLIRP_POLL_OUT : 0) |
	    (ev & EPOLLPRI ? SLIRP_POLL_PRI : 0) |
	    (ev & EPOLLERR ? SLIRP_POLL_ERR : 0) |
	    (ev & EPOLLHUP ? SLIRP_POLL_HUP : 0);
}

/* Put fd in the set with exactly these events, under index idx. */
static void
watch_fd(int fd, uint32_t ev, int idx, bool known)
{
	struct epoll_event e;

	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.u32 = (uint32_t)idx;
	/* A known fd may have been closed since (gone from the set). */
	if (epoll_ctl(epfd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd,
	    &e) == 0)
		return;
	if ((known && errno == ENOENT) || (!known && errno == EEXIST)) {
		if (epoll_ctl(epfd, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd,
		    &e) == 0)
			return;
	}
	sim_fatal("net: epoll_ctl(%d): %s", fd, strerror(errno));
}

/* Linear searches: slirp has a socket per connection, a handful. */
static bool
in_last(int fd)
{
	int i;

	for (i = 0; i < nlast; i++)
		if (last[i] == fd)
			return true;
	return false;
}

static bool
in_wants(int fd)
{
	int i;

	for (i = 0; i < nwants; i++)
		if (wants[i].fd == fd)
			return true;
	return false;
}

static void
on_timeout(uv_timer_t *h)
{
	/* Nothing: waking the loop is enough, check runs slirp's timers. */
}

static void
on_prepare(uv_prepare_t *h)
{
	uint32_t timeout = UINT32_MAX;
	int error, i;

	nwants = 0;
	slirp_pollfds_fill(slirp, &timeout, add_poll, NULL);

	for (i = 0; i < nwants; i++)
		watch_fd(wants[i].fd, to_epoll(wants[i].events), i,
		    in_last(wants[i].fd));
	/* Drop the fds slirp no longer asks about; closed ones are gone. */
	for (i = 0; i < nlast; i++)
		if (!in_wants(last[i]) &&
		    epoll_ctl(epfd, EPOLL_CTL_DEL, last[i], NULL) == -1 &&
		    errno != ENOENT && errno != EBADF)
			sim_fatal("net: epoll_ctl(DEL %d): %s", last[i],
			    strerror(errno));
	while (last_max < nwants)
		last = grow(last, &last_max, sizeof(*last));
	while (events_max < nwants)
		events = grow(events, &events_max, sizeof(*events));
	for (i = 0; i < nwants; i++)
		last[i] = wants[i].fd;
	nlast = nwants;

	if (timeout == UINT32_MAX)
		error = uv_timer_stop(&timeout_timer);
	else
		error = uv_timer_start(&timeout_timer, on_timeout, timeout, 0);
	if (error != 0)
		sim_fatal("net: slirp timeout: %s", uv_strerror(error));
}

static void
on_epoll(uv_poll_t *h, int status, int ev)
{
	if (status < 0)
		sim_fatal("net: slirp's epoll set: %s", uv_strerror(status));
	woke = true;
}

static void
on_check(uv_check_t *h)
{
	int i, n = 0;

	if (woke && nwants > 0) {
		while ((n = epoll_wait(epfd, events, nwants, 0)) == -1 &&
		    errno == EINTR)
			;
		if (n == -1)
			sim_fatal("net: epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++)
			if (events[i].data.u32 < (uint32_t)nwants)
				wants[events[i].data.u32].revents =
				    from_epoll(events[i].events);
	}
	woke = false;
	slirp_pollfds_poll(slirp, 0, get_revents, NULL);
}

static void
on_tx(uv_async_t *h)
{
	static uint8_t frame[HAL_NET_FRAME_MAX];
	int i, n;

	for (i = 0; i < TX_BATCH; i++) {
		if ((n = sim_net_tx_take(frame, sizeof(frame))) <= 0)
			return;
		slirp_input(slirp, frame, n);
	}
	/* More may be queued: come back after other handles had a turn. */
	sim_slirp_kick();
}

void
sim_slirp_kick(void)
{
	int error;

	if ((error = uv_async_send(&tx_async)) != 0)
		sim_fatal("net: uv_async_send: %s", uv_strerror(error));
}

static struct in_addr
ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		sim_fatal("net: bad address %s", s);
	return a;
}

static void
forward(const struct sim_port *p)
{
	errno = 0;
	if (slirp_add_hostfwd(slirp, p->udp, ip4("127.0.0.1"), p->host,
	    ip4("10.0.2.15"), p->guest) < 0)
		sim_fatal("--port %s%u:%u: cannot listen on 127.0.0.1:%u%s%s",
		    p->udp ? "udp:" : "", p->host, p->guest, p->host,
		    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
}

void
sim_slirp_init(uv_loop_t *l)
{
	SlirpConfig cfg;
	int error, i;

	loop = l;
	memset(&cfg, 0, sizeof(cfg));
	cfg.version = 4;
	cfg.in_enabled = true;
	cfg.vnetwork = ip4("10.0.2.0");
	cfg.vnetmask = ip4("255.255.255.0");
	cfg.vhost = ip4("10.0.2.2");
	cfg.vdhcp_start = ip4("10.0.2.15");
	cfg.vnameserver = ip4("10.0.2.3");
	cfg.if_mtu = SIM_NET_MTU;
	cfg.if_mru = SIM_NET_MTU;
	if ((slirp = slirp_new(&cfg, &callbacks, NULL)) == NULL)
		sim_fatal("net: cannot start libslirp");
	for (i = 0; i < sim_config.nports; i++)
		forward(&sim_config.ports[i]);

	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		sim_fatal("net: epoll_create1: %s", strerror(errno));
	if ((error = uv_prepare_init(loop, &prepare)) != 0 ||
	    (error = uv_prepare_start(&prepare, on_prepare)) != 0 ||
	    (error = uv_check_init(loop, &check)) != 0 ||
	    (error = uv_check_start(&check, on_check)) != 0 ||
	    (error = uv_poll_init(loop, &epoll_watch, epfd)) != 0 ||
	    (error = uv_poll_start(&epoll_watch, UV_READABLE, on_epoll)) != 0 ||
	    (error = uv_timer_init(loop, &timeout_timer)) != 0 ||
	    (error = uv_async_init(loop, &tx_async, on_tx)) != 0)
		sim_fatal("net: cannot set up libslirp's loop: %s",
		    uv_strerror(error));
}
