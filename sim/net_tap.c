/*
 * net_tap.c: the NIC on a host TAP interface (--net tap:IFNAME), with
 * the virtio-net header (IFF_VNET_HDR) and its offloads.
 *
 * Interface: sim_tap_init() attaches to the TAP interface IFNAME at boot,
 * or creates it (which takes CAP_NET_ADMIN; it then lives as long as the
 * process), or ends the process saying why not.  sim_tap_offloads() sets
 * the offloads at hal_net_open().  sim_tap_send() writes one frame,
 * sim_tap_recv() reads one, all on the NIC's CPU.  sim_tap_peek() cannot
 * tell a frame's length without reading it, so it says the most a
 * frame can be (0 once the TAP is dead), and the kernel reads straight
 * into a buffer of that size: one copy, from the host's packet to the
 * kernel's buffer, and no stage in between.
 *
 * Offloads: every frame crosses the fd behind a struct virtio_net_hdr,
 * so the host takes our TCP segments of up to 64 KiB with the checksum
 * left partial and cuts them itself (TX_CSUM, TX_TSO4: always, the TAP
 * driver does it in software if it must).  What the host may hand us is
 * what TUNSETOFFLOAD allows: TUN_F_CSUM (RX_CSUM: checksums partial or
 * verified, said in the header) and TUN_F_TSO4 (RX_LRO: coalesced
 * segments).  A persistent TAP keeps the offloads its last user set
 * (QEMU's guest, say), so they are set every time, to nothing when the
 * kernel asked for none (offload=off): then every frame comes whole and
 * the header says nothing the kernel did not ask for.
 *
 * Rules: the fd is non-blocking.  The NIC's CPU reads it until EAGAIN
 * (a batch of frames per wake-up, one read each, which then returns 0:
 * no frame); then it watches the
 * fd itself (sim_cpu_watch, through sim_net_watch): its sleep ends with
 * HAL_EV_NET when the fd becomes readable, and the watch is spent until
 * the next EAGAIN.  No host thread stands between the TAP and the CPU
 * (the loop thread did once: two more thread wake-ups per batch, which
 * on a loaded host cost more than the batch).  A TAP write takes or
 * refuses a whole frame.  When it refuses (EAGAIN), the CPU gets -EAGAIN
 * and watches the fd for room the same way.  Other write errors (the
 * interface is down, say) lose the frame, as a wire without carrier
 * would.  Frames that came before hal_net_open() are dropped, as on a
 * NIC nobody has enabled.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "hal/hal.h"
#include "sim/sim.h"

/* The most a frame from the host can be: the largest IPv4 packet. */
enum { FRAME_MAX = HAL_NET_GSO_MAX };
/* How long to wait for the host to start using the interface. */
enum { RUNNING_WAIT_MS = 2000 };

static int fd = -1;
static const char *name;
static bool dead;               /* reading failed for good (CPU's) */
static uint32_t rx_allowed;     /* RX offloads in effect */
static _Atomic uint64_t tx_lost;

int
sim_tap_send(const void *frame, size_t len, const struct hal_net_meta *m)
{
	struct virtio_net_hdr h;
	struct iovec iov[2];
	ssize_t n;

	memset(&h, 0, sizeof(h));
	if (m != NULL) {
		if (m->flags & HAL_NET_M_CSUM_PARTIAL) {
			h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			h.csum_start = m->csum_start;
			h.csum_offset = m->csum_offset;
		}
		if (m->gso_type == HAL_NET_GSO_TCPV4 &&
		    m->csum_start + 20u <= len) {
			h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
			h.gso_size = m->gso_size;
			/* Ethernet, IP and TCP headers, TCP's data offset. */
			h.hdr_len = (uint16_t)(m->csum_start +
			    (((const uint8_t *)frame)[m->csum_start + 12] >> 4) *
			    4);
		}
	}
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)frame;
	iov[1].iov_len = len;
	while ((n = writev(fd, iov, 2)) == -1 && errno == EINTR)
		;
	if (n >= 0)
		return 0;
	if (errno == EAGAIN) {
		sim_net_watch(fd, POLLOUT);
		return -EAGAIN;
	}
	atomic_fetch_add_explicit(&tx_lost, 1, memory_order_relaxed);
	return 0;
}

/*
 * Read the next frame into buf, its header into *h: the frame's length
 * (the TAP's whole length, which may be more than size: it then
 * truncated the frame), or 0 when none is waiting (the fd is then
 * watched) or the TAP is dead.
 */
static size_t
read_frame(struct virtio_net_hdr *h, void *buf, size_t size)
{
	struct iovec iov[2];
	ssize_t n;

	while (!dead) {
		iov[0].iov_base = h;
		iov[0].iov_len = sizeof(*h);
		iov[1].iov_base = buf;
		iov[1].iov_len = size;
		n = readv(fd, iov, 2);
		if (n > (ssize_t)sizeof(*h))
			return (size_t)n - sizeof(*h);
		if (n > 0)
			continue; /* a header and no frame: skip it */
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			sim_net_watch(fd, POLLIN);
			return 0;
		}
		/* The interface went away (EBADFD) or worse: stop reading. */
		dprintf(STDERR_FILENO, "%s: net: tap %s: read: %s; no more "
		    "frames from it\n", sim_config.prog, name,
		    n == 0 ? "end of file" : strerror(errno));
		dead = true;
	}
	return 0;
}

size_t
sim_tap_peek(void)
{
	return dead ? 0 : FRAME_MAX;
}

int
sim_tap_recv(void *buf, size_t size, struct hal_net_meta *m)
{
	struct virtio_net_hdr hdr, *h = &hdr;
	size_t len;

	memset(m, 0, sizeof(*m));
	if ((len = read_frame(h, buf, size)) == 0)
		return 0;
	if (len > size)
		return -EMSGSIZE;
	/* Only what was asked for: the core verifies everything else. */
	if (rx_allowed & HAL_NET_RX_CSUM) {
		if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			m->flags = HAL_NET_M_CSUM_PARTIAL;
			m->csum_start = h->csum_start;
			m->csum_offset = h->csum_offset;
		} else if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID) {
			m->flags = HAL_NET_M_CSUM_VALID;
		}
	}
	if ((rx_allowed & HAL_NET_RX_LRO) &&
	    (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
	    VIRTIO_NET_HDR_GSO_TCPV4) {
		m->gso_type = HAL_NET_GSO_TCPV4;
		m->gso_size = h->gso_size;
	}
	sim_pcap_write(buf, len, h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM ?
	    &(struct hal_net_meta){ .flags = HAL_NET_M_CSUM_PARTIAL,
	    .csum_start = h->csum_start, .csum_offset = h->csum_offset } :
	    NULL);
	return (int)len;
}

uint32_t
sim_tap_offloads(uint32_t wantoff)
{
	unsigned int tun = 0;
	uint32_t got = wantoff & (HAL_NET_TX_CSUM | HAL_NET_TX_TSO4);
	static uint8_t drop[FRAME_MAX];
	struct virtio_net_hdr h;
	int i;

	if (wantoff & HAL_NET_RX_CSUM) {
		tun |= TUN_F_CSUM;
		got |= HAL_NET_RX_CSUM;
		if (wantoff & HAL_NET_RX_LRO) {
			tun |= TUN_F_TSO4;
			got |= HAL_NET_RX_LRO;
		}
	}
	if (!(got & HAL_NET_TX_CSUM))
		got &= ~HAL_NET_TX_TSO4;
	if (ioctl(fd, TUNSETOFFLOAD, tun) == -1)
		sim_fatal("--net tap:%s: cannot set the offloads: %s", name,
		    strerror(errno));
	rx_allowed = got;
	/* Drop what came before the NIC was enabled, then wait for more. */
	for (i = 0; i < 4096 && read_frame(&h, drop, sizeof(drop)) > 0; i++)
		;
	return got;
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

/*
 * Attaching gives the interface its carrier, but the host starts
 * sending on it only once its link watch has run (IFF_RUNNING): until
 * then what it sends to us is dropped, the answer to our first ARP
 * request among them, which then costs a 1 s retry.  So wait for it,
 * a few ms at most unless the host is very busy, as a NIC waits for
 * its link.  An interface that is down stays down: no wait.
 */
static void
wait_running(const char *ifname)
{
	struct timespec ms = { 0, 1000000 };
	struct ifreq ifr;
	int s, i;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	for (i = 0; i < RUNNING_WAIT_MS; i++) {
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, ifname, strlen(ifname));
		if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1 ||
		    !(ifr.ifr_flags & IFF_UP) || (ifr.ifr_flags & IFF_RUNNING))
			break;
		nanosleep(&ms, NULL);
	}
	close(s);
}

void
sim_tap_init(const char *ifname)
{
	struct ifreq ifr;
	struct passwd *pw;
	int hdrsz = (int)sizeof(struct virtio_net_hdr);

	name = ifname;
	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		sim_fatal("--net tap:%s: name too long", ifname);
	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) ==
	    -1)
		sim_fatal("--net tap:%s: cannot open /dev/net/tun: %s%s",
		    ifname, strerror(errno), errno == EACCES ?
		    " (it takes read and write access to it)" : "");
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
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
	/* The header's size is the TAP's, not ours: a QEMU may have set it. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) == -1)
		sim_fatal("--net tap:%s: cannot set the header size: %s",
		    ifname, strerror(errno));
	/* Nothing may come partial or coalesced before hal_net_open(). */
	if (ioctl(fd, TUNSETOFFLOAD, 0) == -1)
		sim_fatal("--net tap:%s: cannot turn offloads off: %s", ifname,
		    strerror(errno));
	wait_running(ifname);
	sim_at_exit(report_lost);
}
