/*
 * pcap.c: the NIC's packet capture (--pcap FILE), in the classic pcap
 * format that tcpdump, tshark and wireshark read: LINKTYPE_ETHERNET,
 * microsecond wall-clock timestamps, in the host's byte order.  A frame
 * goes in as it is on the wire before the host cuts it: a checksum left
 * partial (by the kernel, or by the host for us) is finished in the
 * record, as the NIC would finish it, so a wrong pseudo-header sum still
 * shows as a bad checksum; frames longer than 65535 bytes (TCP segments
 * the NIC cuts or coalesced) are cut there, their length kept.
 *
 * Interface: sim_pcap_open() creates the file at boot, or ends the
 * process with a message.  sim_pcap_write() records a received frame;
 * sim_pcap_send() sends a frame with the backend's function and records
 * it if it went; both on the NIC's CPU.
 *
 * Rules: each record goes to the file with one writev() under a lock, so
 * nothing is buffered in the process: the file is whole however the
 * process ends (hal_exit, a second Ctrl-C, a crash).  A frame is sent
 * under that lock too, so a reply the backend gives at once cannot be
 * recorded before its question: the records are in time order.  A write
 * error stops the capture with one message; the machine goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hal/hal.h"
#include "sim/sim.h"

enum { LINKTYPE_ETHERNET = 1, SNAPLEN = 65535 };

struct file_hdr {
	uint32_t magic; /* 0xa1b2c3d4: microseconds, our byte order */
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct rec_hdr {
	uint32_t sec, usec;
	uint32_t caplen, len;
};

static int fd = -1;    /* under lock */
static atomic_bool on; /* a capture is open: a hint, off the lock */
static const char *path;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Write all of iov, going on after short writes; -1 and errno on error. */
static int
write_all(struct iovec *iov, int n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = writev(fd, iov, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

void
sim_pcap_open(const char *file)
{
	struct file_hdr h = { 0xa1b2c3d4u, 2, 4, 0, 0, SNAPLEN,
		LINKTYPE_ETHERNET };
	struct iovec iov = { &h, sizeof(h) };

	path = file;
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		sim_fatal("--pcap %s: %s", file, strerror(errno));
	if (write_all(&iov, 1) == -1)
		sim_fatal("--pcap %s: %s", file, strerror(errno));
	atomic_store(&on, true);
}

/* The checksum the NIC would put into a frame m left partial. */
static const void *
finished(const void *frame, size_t len, const struct hal_net_meta *m)
{
	static uint8_t copy[HAL_NET_GSO_MAX]; /* under lock */
	size_t start, at, i;
	uint32_t sum = 0;

	if (m == NULL || !(m->flags & HAL_NET_M_CSUM_PARTIAL))
		return frame;
	start = m->csum_start;
	at = start + m->csum_offset;
	if (len > sizeof(copy) || start >= len || at + 2 > len)
		return frame;
	memcpy(copy, frame, len);
	for (i = start; i + 1 < len; i += 2)
		sum += (uint32_t)(copy[i] << 8 | copy[i + 1]);
	if (i < len)
		sum += (uint32_t)copy[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	copy[at] = (uint8_t)(sum >> 8);
	copy[at + 1] = (uint8_t)sum;
	return copy;
}

/* Append one record; the caller holds the lock. */
static void
record(const void *frame, size_t len)
{
	struct rec_hdr h;
	struct iovec iov[2];
	int64_t now;

	if (fd == -1)
		return;
	now = sim_clock_wall_ns();
	h.sec = (uint32_t)(now / 1000000000);
	h.usec = (uint32_t)(now % 1000000000 / 1000);
	/* A TCP segment the NIC cuts or coalesced may exceed it. */
	h.len = (uint32_t)len;
	h.caplen = len < SNAPLEN ? (uint32_t)len : SNAPLEN;
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)frame;
	iov[1].iov_len = h.caplen;
	if (write_all(iov, 2) == -1) {
		dprintf(STDERR_FILENO, "%s: --pcap %s: %s; capture stopped\n",
		    sim_config.prog, path, strerror(errno));
		(void)close(fd);
		fd = -1;
		atomic_store(&on, false);
	}
}

void
sim_pcap_write(const void *frame, size_t len, const struct hal_net_meta *m)
{
	if (!atomic_load_explicit(&on, memory_order_relaxed))
		return;
	pthread_mutex_lock(&lock);
	record(finished(frame, len, m), len);
	pthread_mutex_unlock(&lock);
}

int
sim_pcap_send(sim_send_fn *send, const void *frame, size_t len,
    const struct hal_net_meta *m)
{
	int error;

	if (!atomic_load_explicit(&on, memory_order_relaxed))
		return send(frame, len, m);
	pthread_mutex_lock(&lock);
	if ((error = send(frame, len, m)) == 0)
		record(finished(frame, len, m), len);
	pthread_mutex_unlock(&lock);
	return error;
}
