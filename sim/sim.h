/*
 * sim.h: the simulated machine, as the HAL layer in hal/sim sees it.
 *
 * sim/ is the machine (think: a tiny QEMU): its command line, its CPUs
 * (pthreads), its clock, RAM, console device, NIC and the host loop
 * (libuv, on the process's main thread) that turns host events into CPU
 * events.
 * hal/sim/ implements hal.h on top of this interface and nothing else.
 *
 * Rules: only sim/ and hal/sim/ include this file.  It names no host
 * header, so the machine's internals (libuv, futexes) stay in sim/.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uv_loop_s;
struct hal_blk_req;

/* What the NIC is plugged into (--net). */
enum sim_net_kind {
	SIM_NET_NONE, /* no NIC */
	SIM_NET_USER, /* libslirp user-mode networking */
	SIM_NET_TAP,  /* a host TAP interface */
};

/* A --port forward from 127.0.0.1 on the host to the guest. */
struct sim_port {
	bool udp;
	uint16_t host;  /* port on the host's 127.0.0.1 */
	uint16_t guest; /* port on the guest, 10.0.2.15 */
};

/*
 * The machine's configuration, from its command line (options.c); set
 * before any CPU runs and constant afterwards.
 */
struct sim_config {
	const char *prog;       /* program name, for messages */
	int cpus;               /* 1..HAL_CPU_MAX */
	size_t mem_bytes;       /* RAM size */
	const char *cmdline;    /* kernel command line, "" when none */
	enum sim_net_kind net;  /* the NIC's backend */
	const char *tap;        /* TAP interface name (SIM_NET_TAP) */
	struct sim_port *ports; /* TCP/UDP forwards (SIM_NET_USER) */
	int nports;
	const char *pcap;       /* capture file, NULL for none */
	uint8_t mac[6];         /* the NIC's MAC address */
	const char *disk;       /* disk 0's image (--disk), NULL for none */
	bool disk_ro;           /* --disk IMAGE:ro */
	const char *share;      /* a host folder as disk 0 (--share) */
};

extern struct sim_config sim_config;

/* Parse argv into cfg; prints usage and exits on --help or errors. */
void sim_options_parse(int argc, char **argv, struct sim_config *cfg);

/*
 * The same, with no output and no exit: 0, 1 for --help, or -1 with a
 * one-line message in err.  Frees nothing on failure: sim_options_free.
 */
int sim_options_scan(int argc, char **argv, struct sim_config *cfg,
    char *err, size_t errlen);

/* Free what the parse allocated (--port, --disk, the command line). */
void sim_options_free(struct sim_config *cfg);

/* Print a one-line message on stderr and end the process with status 1. */
__attribute__((noreturn, format(printf, 1, 2)))
void sim_fatal(const char *fmt, ...);

/*
 * Clock (clock.c): monotonic ns since machine start, wall-clock ns since
 * the epoch, and a machine time turned into absolute host monotonic ns
 * (UINT64_MAX when it does not fit).
 */
void sim_clock_init(void);
uint64_t sim_clock_ns(void);
int64_t sim_clock_wall_ns(void);
uint64_t sim_clock_host_ns(uint64_t t);
void sim_clock_mark(const char *phase);
int sim_clock_marks(const char **names, uint64_t *ns, int max);

/*
 * CPUs (cpus.c).  sim_cpu_self is the calling CPU's index (-1 on a host
 * thread).  sim_cpu_post() may be called from any thread, host or CPU;
 * so may sim_cpu_signal(), which sends host signal `sig` to a started
 * CPU's pthread (0 or -errno); handlers installed with SA_ONSTACK run on
 * the CPU's own signal stack.  sim_cpu_watch() arms a CPU's one-shot
 * watch of a device fd: when the fd has `events`, the CPU gets `bits`
 * (from its own thread it arms it; from another it posts `bits`, for
 * the CPU to look at the device and arm it itself).
 */
extern __thread int sim_cpu_self;

int sim_cpu_start(int cpu, void (*entry)(void));
void sim_cpu_post(int cpu, uint32_t bits);
uint32_t sim_cpu_wait(uint64_t deadline);
void sim_cpu_set_poll(uint64_t ns); /* spin this long before a sleep */
uint32_t sim_cpu_poll(void);
void sim_cpu_watch(int cpu, int fd, short events, uint32_t bits);
int sim_cpu_signal(int cpu, int sig);
void sim_cpu_stack(void **lo, size_t *size);

/* RAM (memory.c). */
void sim_memory_init(size_t bytes);
void *sim_memory_base(void);
size_t sim_memory_size(void);
void sim_memory_protect(void *p, size_t n, bool access);

/*
 * CPU exceptions (fault.c).  sim_fault_init() installs the handlers of
 * SIGFPE, SIGILL, SIGSEGV and SIGBUS once, at boot; sim_fault_cpu_init()
 * gives the calling CPU pthread the alternate stack they run on.
 */
void sim_fault_init(void);
void sim_fault_cpu_init(void);

/*
 * Console device (console.c): output to stdout, input from stdin through
 * the host loop.
 */
void sim_console_init(struct uv_loop_s *loop);
void sim_console_write(const char *s, size_t n);
size_t sim_console_read(char *buf, size_t n);

/*
 * NIC (net.c): frames between the kernel's network CPU and a backend.
 * sim_net_init() sets the backend up at boot (on the main thread);
 * sim_net_open/send/recv/peek are hal.h's, with negative host errno
 * codes.  The libslirp backend runs on the host loop: it hands received
 * frames to sim_net_input() and takes frames to send with
 * sim_net_tx_take(); sim_net_notify() posts HAL_EV_NET to the NIC's CPU
 * (frames or freed TX room).  The TAP backend is read and written by the
 * NIC's CPU itself, which also watches its fd: sim_net_watch(fd, events)
 * arms the NIC's CPU's watch (cpus.c), which posts HAL_EV_NET.
 */
enum { SIM_NET_MTU = 1500 };

struct hal_net_meta;
typedef int sim_send_fn(const void *frame, size_t len,
    const struct hal_net_meta *m);

void sim_net_init(struct uv_loop_s *loop);
int sim_net_open(int cpu, uint8_t mac[6], uint16_t *mtu, uint32_t *offloads);
int sim_net_send(const void *frame, size_t len, const struct hal_net_meta *m);
int sim_net_recv(void *buf, size_t size, struct hal_net_meta *m);
size_t sim_net_peek(void);
void sim_net_input(const void *frame, size_t len);
int sim_net_tx_take(void *buf, size_t size);
void sim_net_notify(void);
void sim_net_watch(int fd, short events);

/*
 * NIC backends.  libslirp (net_slirp.c): frames queued by sim_net_send()
 * wait for sim_slirp_kick(), callable from any thread.  TAP (net_tap.c),
 * with the virtio-net header: sim_tap_offloads() sets the host's
 * offloads at hal_net_open() and returns those in effect; sim_tap_send()
 * writes a frame at once, sim_tap_recv() reads one straight into the
 * caller's buffer (sim_tap_peek() can only say the most a frame can be),
 * all on the NIC's CPU.
 */
void sim_slirp_init(struct uv_loop_s *loop);
void sim_slirp_kick(void);
void sim_tap_init(const char *ifname);
uint32_t sim_tap_offloads(uint32_t want);
sim_send_fn sim_tap_send;
size_t sim_tap_peek(void);
int sim_tap_recv(void *buf, size_t size, struct hal_net_meta *m);

/*
 * Packet capture (pcap.c): every frame the NIC sends or receives, in a
 * classic pcap file, partial checksums finished.  sim_pcap_write()
 * records a received frame;
 * sim_pcap_send() sends one through send() (0 or -errno) and records it
 * if it went.  Both may be called from any thread.
 */
void sim_pcap_open(const char *path);
void sim_pcap_write(const void *frame, size_t len,
    const struct hal_net_meta *m);
int sim_pcap_send(sim_send_fn *send, const void *frame, size_t len,
    const struct hal_net_meta *m);

/*
 * Disk 0 (disk.c): a host file or the image of a shared folder, served
 * by an I/O thread.  sim_disk_init() opens it at boot (on the main
 * thread, before any CPU); sim_disk_open/submit/complete are hal.h's,
 * with negative host errno codes.  Completions post HAL_EV_BLK to the
 * CPU that opened the disk.
 */
void sim_disk_init(void);
int sim_disk_open(int cpu, uint64_t *sectors, bool *read_only);
int sim_disk_submit(struct hal_blk_req *r);
struct hal_blk_req *sim_disk_complete(void);

/*
 * Shared folder (share.c, share_scan.c, share_back.c): sim_share_build()
 * makes a FAT16 image of a host folder with mtools, or refuses the folder
 * before boot, and returns its descriptor (the file itself is already
 * unlinked); sim_share_sync() copies what the kernel changed on it back
 * into the folder, at power-off, never through a symbolic link.
 */
int sim_share_build(const char *dir);
void sim_share_sync(int fd);

/*
 * Host loop (hostloop.c).  Device backends add their handles to
 * sim_hostloop() on the main thread, before sim_hostloop_run().
 */
void sim_hostloop_init(void);
/* The signal of the first stop request (hal_stop_signal); 0: none yet. */
extern int sim_stop_sig;
struct uv_loop_s *sim_hostloop(void);
__attribute__((noreturn)) void sim_hostloop_run(void);

/*
 * Power (power.c).  sim_at_exit() registers a hook that sim_exit() runs
 * (last registered first) before the process ends, e.g. to flush a disk.
 */
void sim_at_exit(void (*fn)(void));
__attribute__((noreturn)) void sim_exit(int status);

#endif
