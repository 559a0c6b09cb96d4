/*
 * net_tap.c: the NIC on a host TAP interface (--net tap:IFNAME).
 *
 * Interface: sim_tap_init() attaches to the TAP interface IFNAME at boot,
 * or creates it (which takes CAP_NET_ADMIN; it then lives as long as the
 * process), or ends the process saying why not.  sim_tap_send() writes
 * one frame, on the NIC's CPU.
 *
 * Rules: the fd is non-blocking.  The loop thread reads it (uv_poll) into
 * net.c's RX queue, a bounded batch per wake-up.  The NIC's CPU writes
 * it directly: a TAP write takes or refuses a whole frame.  When it
 * refuses (EAGAIN), the CPU gets -EAGAIN and asks the loop to watch for
 * room, and the loop posts HAL_EV_NET when there is.  Other write errors
 * (the interface is down, say) lose the frame, as a wire without carrier
 * would.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uv.h>

#include "hal/hal.h"
#include "sim/sim.h"

/* Frames read per wake-up, so that the loop stays responsive. */
enum { RX_BATCH = 64 };

static int fd = -1;
static const char *name;
static uv_poll_t watch;
static uv_async_t want_room;
static atomic_bool room_wanted; /* a send met EAGAIN */
static bool reading;            /* the loop's own state */
static _Atomic uint64_t tx_lost;

static void on_ready(uv_poll_t *h, int status, int events);

static void
watch_for(int events)
{
	int error;

	if ((error = uv_poll_start(&watch, events, on_ready)) != 0)
		sim_fatal("net: tap %s: uv_poll_start: %s", name,
		    uv_strerror(error));
}

static void
read_frames(void)
{
	/* Room for any frame, so that a long one is seen whole and dropped. */
	static uint8_t buf[65536];
	ssize_t n;
	int i;

	for (i = 0; i < RX_BATCH; i++) {
		if ((n = read(fd, buf, sizeof(buf))) > 0) {
			sim_net_input(buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		/* The interface went away (EBADFD) or worse: stop reading. */
		dprintf(STDERR_FILENO, "%s: net: tap %s: read: %s; no more "
		    "frames from it\n", sim_config.prog, name,
		    n == 0 ? "end of file" : strerror(errno));
		reading = false;
		if (uv_poll_stop(&watch) != 0)
			sim_fatal("net: tap %s: uv_poll_stop", name);
		return;
	}
}

static void
on_ready(uv_poll_t *h, int status, int events)
{
	if (status < 0) {
		dprintf(STDERR_FILENO, "%s: net: tap %s: %s; no more frames "
		    "from it\n", sim_config.prog, name, uv_strerror(status));
		reading = false;
		if (uv_poll_stop(&watch) != 0)
			sim_fatal("net: tap %s: uv_poll_stop", name);
		return;
	}
	if (events & UV_WRITABLE) {
		/* Room to write again: stop watching for it, tell the CPU. */
		watch_for(reading ? UV_READABLE : 0);
		sim_net_notify();
	}
	if ((events & UV_READABLE) && reading)
		read_frames();
}

static void
on_want_room(uv_async_t *h)
{
	if (atomic_exchange(&room_wanted, false))
		watch_for(reading ? UV_READABLE | UV_WRITABLE : UV_WRITABLE);
}

int
sim_tap_send(const void *frame, size_t len)
{
	ssize_t n;
	int error;

	while ((n = write(fd, frame, len)) == -1 && errno == EINTR)
		;
	if (n >= 0)
		return 0;
	if (errno == EAGAIN) {
		atomic_store(&room_wanted, true);
		if ((error = uv_async_send(&want_room)) != 0)
			sim_fatal("net: tap %s: uv_async_send: %s", name,
			    uv_strerror(error));
		return -EAGAIN;
	}
	atomic_fetch_add_explicit(&tx_lost, 1, memory_order_relaxed);
	return 0;
}

/* At exit: say so if frames were lost on the way out. */
static void
report_lost(void)
{
	uint64_t n = atomic_load(&tx_lost);

	if (n > 0)
		dprintf(STDERR_FILENO, "%s: net: tap %s: %llu frames could "
		    "not be sent\n", sim_config.prog, name,
		    (unsigned long long)n);
}

/* TUNSETIFF's errors, in words a user can act on. */
static const char *
why(int error)
{
	switch (error) {
	case EBUSY:
		return "busy: another process has it open";
	case EINVAL:
		return "it exists but is not a TAP interface";
	default:
		return strerror(error);
	}
}

void
sim_tap_init(uv_loop_t *loop, const char *ifname)
{
	struct ifreq ifr;
	struct passwd *pw;
	int error;

	name = ifname;
	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		sim_fatal("--net tap:%s: name too long", ifname);
	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) ==
	    -1)
		sim_fatal("--net tap:%s: cannot open /dev/net/tun: %s%s",
		    ifname, strerror(errno), errno == EACCES ?
		    " (it takes read and write access to it)" : "");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		if (errno != EPERM && errno != EACCES)
			sim_fatal("--net tap:%s: cannot attach: %s", ifname,
			    why(errno));
		pw = getpwuid(geteuid());
		sim_fatal("--net tap:%s: permission denied: create it first, "
		    "as root: ip tuntap add dev %s mode tap user %s", ifname,
		    ifname, pw != NULL ? pw->pw_name : "USER");
	}
	/*
	 * A persistent TAP keeps the offloads its last user turned on: after
	 * QEMU with a guest that negotiated them (Linux does), the host would
	 * hand us frames with checksums left to fill in, and TCP would drop
	 * every segment.  We take whole frames only.
	 */
	if (ioctl(fd, TUNSETOFFLOAD, 0) == -1)
		sim_fatal("--net tap:%s: cannot turn offloads off: %s", ifname,
		    strerror(errno));

	if ((error = uv_poll_init(loop, &watch, fd)) != 0 ||
	    (error = uv_async_init(loop, &want_room, on_want_room)) != 0)
		sim_fatal("net: tap %s: %s", ifname, uv_strerror(error));
	reading = true;
	watch_for(UV_READABLE);
	sim_at_exit(report_lost);
}
