/*
 * hal.h: the contract between the kernel core and a platform.
 *
 * Every function the core may ask of a machine is declared here; three
 * platforms implement it: hal/native (x86-64 bare metal), hal/sim (a Linux
 * process, over the machine in sim/) and hal/fake (deterministic, for unit
 * tests).
 *
 * Event model: the core never runs in interrupt context.  A device, a timer
 * or another CPU only posts an event bit for a CPU and wakes it; the core
 * sees the bits when hal_cpu_wait() returns on that CPU.
 *
 * Rules for implementers:
 *  - Every function may be called from any CPU at any time unless it says
 *    otherwise, and none of them blocks except hal_cpu_wait().
 *  - The platform brings up CPU 0, then calls kern_boot() on it.  Other
 *    CPUs run only once the core calls hal_cpu_start().
 */
#ifndef HAL_HAL_H
#define HAL_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HAL_CPU_MAX 64
#define HAL_NO_DEADLINE UINT64_MAX

/* Event bits posted to a CPU and returned by hal_cpu_wait(). */
#define HAL_EV_KICK 0x01u    /* another CPU has a message for this one */
#define HAL_EV_STOP 0x02u    /* the user asked the machine to stop */
#define HAL_EV_CONSOLE 0x04u /* console input is ready (CPU 0 only) */
#define HAL_EV_NET 0x08u     /* the NIC received frames or freed TX room */
#define HAL_EV_BLK 0x10u     /* a block device completed requests */

/* Entry point of the core; the platform calls it once, on CPU 0. */
__attribute__((noreturn)) void kern_boot(void);

/*
 * CPUs.
 */

/* Number of CPUs the machine has; constant after boot, 1..HAL_CPU_MAX. */
int hal_cpu_count(void);

/* Index of the calling CPU, 0..hal_cpu_count()-1. */
int hal_cpu_id(void);

/*
 * Start CPU `cpu` (not 0, not started before) and run entry() on it, on a
 * stack of its own of at least 64 KiB.  entry never returns.  May return
 * before entry runs.  Returns 0 or a negative TORO_E* code.
 */
int hal_cpu_start(int cpu, void (*entry)(void));

/* Post HAL_EV_KICK to `cpu` and wake it if it waits.  Never blocks. */
void hal_cpu_kick(int cpu);

/* A pointer private to the calling CPU, for the core's per-CPU data. */
void hal_cpu_set_local(void *p);
void *hal_cpu_local(void);

/* A hint inside spin loops (pause). */
void hal_cpu_relax(void);

/*
 * Sleep the calling CPU until an event is posted to it or the monotonic
 * clock reaches `deadline` (ns, HAL_NO_DEADLINE for none).  Returns the
 * event bits that were pending, and clears them; 0 means the deadline
 * passed.  Returns at once if a bit is already pending.  An idle machine
 * spends its time here and must cost its host (close to) nothing.
 */
uint32_t hal_cpu_wait(uint64_t deadline);

/*
 * How every CPU waits in hal_cpu_wait() (the kernel's idle= option).
 * HAL_IDLE_HALT sleeps at once.  HAL_IDLE_POLL first spins for poll_ns,
 * watching for events, before it sleeps: host CPU time traded for a
 * faster wake-up.  HAL_IDLE_MWAIT sleeps in MONITOR/MWAIT on the CPU's
 * event word, so a kick from another CPU needs no interrupt.
 */
enum hal_idle {
	HAL_IDLE_HALT,
	HAL_IDLE_POLL,
	HAL_IDLE_MWAIT,
};

/*
 * Choose the idle policy, on CPU 0 before the other CPUs start.  Returns
 * 0, or -TORO_EOPNOTSUPP when this machine cannot (the CPU has no MWAIT,
 * or the platform has no such thing); the policy is then unchanged.
 */
int hal_cpu_set_idle(enum hal_idle how, uint64_t poll_ns);

/*
 * Take the event bits pending for the calling CPU without waiting (0 when
 * there are none).  Cheap enough to call on every context switch, so a
 * busy CPU still sees its events.
 */
uint32_t hal_cpu_poll(void);

/*
 * Execution contexts.  A context is a stack and the callee-saved registers
 * of the System V ABI; switching is a plain function call.  A zeroed
 * context stands for the stack the CPU is running on now: switching away
 * from it fills it in.
 */
struct hal_context {
	uintptr_t sp;      /* saved stack pointer */
	void *stack;       /* lowest address of the stack, NULL if foreign */
	size_t stack_size; /* its size in bytes */
	void *fake_stack;  /* AddressSanitizer's bookkeeping (sim only) */
	void *fiber;       /* ThreadSanitizer's fiber (sim only) */
};

/*
 * Prepare `ctx` so that switching to it calls entry(arg) on the given
 * stack.  entry must never return.
 */
void hal_context_init(struct hal_context *ctx, void *stack, size_t size,
    void (*entry)(void *), void *arg);

/* Save the current context in `from` and resume `to`. */
void hal_context_switch(struct hal_context *from, struct hal_context *to);

/*
 * The stack of ctx, which will never run again, is about to be freed:
 * the platform forgets what it knows of it (a sanitizer's marks, a
 * debugger's registration), so the memory can serve as heap.
 */
void hal_context_release(struct hal_context *ctx);

/*
 * Time.
 */

/* Monotonic time in ns since an arbitrary point before kern_boot(). */
uint64_t hal_time_ns(void);

/* Wall-clock time in ns since 1970-01-01 00:00 UTC. */
int64_t hal_wall_ns(void);

/*
 * The platform's boot phases before kern_boot(), for loglevel=debug: at
 * most `max` of them into `p`, in order, each with the hal_time_ns() at
 * which it ended (the first, the kernel's first instruction, at 0 or
 * later).  Returns how many.
 */
#define HAL_BOOT_PHASES_MAX 16

struct hal_boot_phase {
	const char *name;
	uint64_t ns;
};
int hal_boot_phases(struct hal_boot_phase *p, int max);

/*
 * Console.
 */

/* Write bytes to the console.  The core serializes callers itself. */
void hal_console_write(const char *s, size_t n);

/*
 * Read up to n bytes of console input without blocking; returns the count
 * (0 when there is none).  Arrival of input posts HAL_EV_CONSOLE to CPU 0.
 */
size_t hal_console_read(char *buf, size_t n);

/*
 * Memory and boot information.
 */

struct hal_mem_region {
	uintptr_t base; /* page aligned */
	size_t size;    /* multiple of the page size */
};

/*
 * Fill `r` with the free RAM the core may use for its heap (the kernel
 * image, boot data and page 0 excluded), lowest address first.  Returns
 * the number of regions, at most `max`.
 */
int hal_mem_regions(struct hal_mem_region *r, int max);

/* The kernel command line: a NUL-terminated string, never NULL. */
const char *hal_cmdline(void);

/*
 * Entropy: fill buf with n bytes from the machine's own source of
 * randomness (the host's getrandom() in the simulator; RDSEED, else
 * RDRAND, natively).  Returns 0, or -TORO_ENODEV when the machine has no
 * source or it failed: the core then keys its generator some other way.
 * May be slow; the core calls it to seed, not for every random number.
 */
int hal_entropy(void *buf, size_t n);

/*
 * Network interface: at most one NIC, driven by one CPU (the core's
 * network CPU).  Frames are Ethernet II without the FCS, at most
 * HAL_NET_FRAME_MAX bytes, or HAL_NET_GSO_MAX for a TCP segment the NIC
 * cuts or has coalesced (below).  All but hal_net_open() are called
 * only on the CPU that opened the NIC.
 */

#define HAL_NET_FRAME_MAX 1514
#define HAL_NET_GSO_MAX (14 + 65535) /* Ethernet + the largest IPv4 */

/*
 * Offloads (struct hal_net_info's offloads), the virtio-net ones:
 *  - TX_CSUM: the NIC fills in a TCP or UDP checksum sent partial
 *    (HAL_NET_M_CSUM_PARTIAL);
 *  - TX_TSO4: it cuts a TCP/IPv4 segment of up to HAL_NET_GSO_MAX into
 *    gso_size pieces (needs TX_CSUM);
 *  - RX_CSUM: received frames may come with their checksum verified
 *    (HAL_NET_M_CSUM_VALID) or partial (never left the host);
 *  - RX_LRO: received TCP/IPv4 frames may be coalesced segments of up to
 *    HAL_NET_GSO_MAX (needs RX_CSUM: they come partial or verified).
 */
#define HAL_NET_TX_CSUM 0x01u
#define HAL_NET_TX_TSO4 0x02u
#define HAL_NET_RX_CSUM 0x04u
#define HAL_NET_RX_LRO 0x08u
#define HAL_NET_OFFLOADS 0x0fu

struct hal_net_info {
	uint8_t mac[6];
	uint16_t mtu;      /* IP MTU, normally 1500 */
	uint32_t offloads; /* in: what the core can use; out: in effect */
};

/*
 * What goes with a frame, as virtio-net's header says it: a checksum
 * partial (the one's-complement sum from csum_start to the end goes at
 * csum_start + csum_offset, the field holding the pseudo-header sum) or
 * verified, and a TCP segment to cut (send) or coalesced (receive) in
 * gso_size pieces of payload.  All zero: a plain, complete frame.
 */
#define HAL_NET_M_CSUM_PARTIAL 0x01u
#define HAL_NET_M_CSUM_VALID 0x02u
#define HAL_NET_GSO_NONE 0
#define HAL_NET_GSO_TCPV4 1

struct hal_net_meta {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t gso_size;
	uint16_t csum_start, csum_offset;
};

/*
 * Take the NIC for `cpu`: from now on, frame arrival and freed transmit
 * room post HAL_EV_NET to that CPU.  Fills info; of the offloads asked
 * for, those the NIC has are in effect (a device may leave receive
 * offloads on that were not asked for, if it negotiated them at boot:
 * the core handles them all).  Returns 0, or -TORO_ENODEV when the
 * machine has no NIC.
 */
int hal_net_open(int cpu, struct hal_net_info *info);

/*
 * Queue one frame for sending; the HAL copies it.  m (NULL: plain) asks
 * only for offloads in effect.  Returns 0, -TORO_EAGAIN when the
 * transmit ring is full (HAL_EV_NET follows when room frees up), or
 * -TORO_EMSGSIZE.
 */
int hal_net_send(const void *frame, size_t len,
    const struct hal_net_meta *m);

/*
 * Take the oldest received frame into buf and its offload data into m.
 * Returns its length, 0 when none is waiting, or -TORO_EMSGSIZE when it
 * did not fit (it is dropped).  hal_net_peek() says how long the oldest
 * frame is at most (0: none waiting), so the caller can size buf.  A NIC
 * that cannot tell without reading the frame (the simulator's TAP) says
 * the most any frame can be, HAL_NET_GSO_MAX, even when none is waiting:
 * hal_net_recv() then returns 0.
 */
int hal_net_recv(void *buf, size_t size, struct hal_net_meta *m);
size_t hal_net_peek(void);

/*
 * Frames hal_net_send() took that the NIC has not sent yet (0: all are
 * out, as for a NIC that sends before hal_net_send() returns): the
 * machine's exit waits for 0 before it powers off.
 */
int hal_net_tx_pending(void);

/*
 * Block devices: disks numbered from 0, 512-byte sectors.  Requests are
 * asynchronous: hal_blk_submit() queues one, the device works on it while
 * threads run, and its completion posts HAL_EV_BLK to the CPU that opened
 * the device, which then collects it with hal_blk_complete().  All but
 * hal_blk_open() are called only on that CPU.
 */

#define HAL_BLK_SECTOR 512

struct hal_blk_info {
	uint64_t sectors; /* capacity */
	bool read_only;
	bool cache; /* volatile write cache: writes need HAL_BLK_FLUSH */
	uint32_t
	    seg_max; /* segments a request may have, 1 to HAL_BLK_SEG_MAX */
};

/*
 * Scatter-gather: a read or write may name its memory as nseg segments
 * (seg[0] first) instead of one buf, where the disk's seg_max allows
 * more than 1.  The segments' counts add up to the request's count; the
 * device moves them as one request, seg[0] at `sector`, each next one
 * where the last ended (virtio-blk: one descriptor a segment; sim:
 * preadv/pwritev).
 */
#define HAL_BLK_SEG_MAX 64

struct hal_blk_seg {
	void *buf;	/* count * HAL_BLK_SECTOR bytes */
	uint32_t count; /* sectors, at least 1 */
};

/*
 * A flush completes once every write that completed before it was
 * submitted is on stable storage; it has no sector, count or buffer.
 * The device may work on several requests at once and complete them
 * in any order (the sim's I/O threads, virtio-blk's queue): a caller
 * that needs one request done before another waits for it first.
 */
enum hal_blk_op {
	HAL_BLK_READ,
	HAL_BLK_WRITE,
	HAL_BLK_FLUSH,
};

struct hal_blk_req {
	enum hal_blk_op op;
	uint64_t sector; /* first sector */
	uint32_t count;	 /* sectors, at least 1 (0 for a flush) */
	void *buf;	 /* count * HAL_BLK_SECTOR bytes, or NULL */
	const struct hal_blk_seg *seg; /* with buf NULL: the memory, */
	uint32_t nseg;		       /* 1 to the disk's seg_max segments */
	int status;               /* set on completion: 0 or -TORO_EIO */
	void *ctx;                /* the submitter's */
	struct hal_blk_req *next; /* the HAL's while queued */
};

/*
 * Take disk `dev` for `cpu`; fills info.  Returns 0, -TORO_ENODEV when
 * there is no such disk, -TORO_EBUSY when it is already open.
 */
int hal_blk_open(int dev, int cpu, struct hal_blk_info *info);

/*
 * Queue a request; buf (or seg and its segments) must stay valid until
 * it completes.  Returns 0, -TORO_EAGAIN when the device's queue is full
 * (HAL_EV_BLK follows a completion), -TORO_EINVAL (out of range, bad
 * segments, or a flush to a disk without a cache), -TORO_EROFS.
 */
int hal_blk_submit(int dev, struct hal_blk_req *r);

/*
 * For implementers of hal_blk_submit(): is r's memory one buffer, or
 * 1 to seg_max segments, none empty, that add up to its count?
 */
static inline bool
hal_blk_req_memory_ok(const struct hal_blk_req *r, uint32_t seg_max)
{
	uint64_t sum = 0;
	uint32_t i;

	if (r->buf != NULL)
		return true;
	if (r->seg == NULL || r->nseg == 0 || r->nseg > seg_max)
		return false;
	for (i = 0; i < r->nseg; i++) {
		if (r->seg[i].buf == NULL || r->seg[i].count == 0)
			return false;
		sum += r->seg[i].count;
	}
	return sum == r->count;
}

/* Take one completed request of disk dev, or NULL when there is none. */
struct hal_blk_req *hal_blk_complete(int dev);

/*
 * CPU exceptions.  When code on a kernel thread's stack faults (native: a
 * CPU exception; sim: SIGFPE, SIGILL, SIGSEGV or SIGBUS on a CPU's
 * pthread), the platform fills a struct hal_trap and calls sched_trap() on
 * that CPU, on a stack of its own (an IST stack, an alternate signal
 * stack), with interrupts or signals off.  sched_trap() either does not
 * return (a panic), or says where the thread resumes, with
 * hal_trap_resume_jump() or hal_trap_resume_call(), and returns; the
 * platform then resumes the interrupted CPU there, with every register
 * the resumption does not name as it was.  It never unwinds anything
 * itself.
 *
 * The ISA layer (hal/x86_64, the same for every platform) implements
 * everything below that takes a struct hal_regs or a struct hal_trap.
 */

/* What a trap is, in the terms the core names and decides by. */
enum hal_trap_kind {
	HAL_TRAP_OTHER,		 /* any other CPU exception */
	HAL_TRAP_DIVIDE,	 /* integer divide error */
	HAL_TRAP_INVALID_OPCODE, /* an undefined instruction */
	HAL_TRAP_PROTECTION,	 /* general protection, a bad stack or bus */
	HAL_TRAP_PAGE_FAULT,	 /* an address not mapped or not allowed */
	HAL_TRAP_ARITHMETIC,	 /* floating point */
};

/* What a page fault tried to do. */
enum hal_access {
	HAL_ACCESS_READ,
	HAL_ACCESS_WRITE,
	HAL_ACCESS_EXECUTE,
};

/*
 * The general registers of an interrupted context, in the ISA's layout
 * (hal/x86_64/x86.h names the words).  The core keeps them but never
 * reads them: it asks hal_regs_pc() and the functions below.
 */
#define HAL_REGS_WORDS 18

struct hal_regs {
	uint64_t word[HAL_REGS_WORDS];
};

struct hal_trap {
	enum hal_trap_kind kind;
	int code;	/* the platform's number for it (x86: the vector) */
	uint64_t error; /* the CPU's detail (x86: the error code), or 0 */
	uintptr_t addr; /* the data address of a page fault, else 0 */
	enum hal_access access; /* a page fault's access */
	bool denied;		/* a page fault on a mapped page, not allowed */
	struct hal_regs regs;
	uintptr_t resume_pc, resume_sp, resume_arg; /* the HAL's */
};

/* The core's side. */
void sched_trap(struct hal_trap *t);

/* The program counter, stack pointer and frame pointer of r. */
uintptr_t hal_regs_pc(const struct hal_regs *r);
uintptr_t hal_regs_sp(const struct hal_regs *r);
uintptr_t hal_regs_fp(const struct hal_regs *r);

/*
 * Line `i` (from 0) of the dump of r, the one register dump of every
 * report: NUL-terminated in buf, without indent or newline, cut to
 * size.  Returns false past the last line.
 */
bool hal_regs_line(const struct hal_regs *r, int i, char *buf, size_t size);

/*
 * The platform's words for a trap the core has no finer kind for (and
 * for a protection fault): its number and, where the CPU gave one, its
 * detail.  NUL-terminated in buf, cut to size.
 */
void hal_trap_describe(const struct hal_trap *t, char *buf, size_t size);

/* Resume in hal_jump(buf), as if the save of buf returned again. */
void hal_trap_resume_jump(struct hal_trap *t, const uint64_t *buf);

/*
 * Resume in fn(arg), called from nowhere (a backtrace ends there), on the
 * thread's stack just below `top`, which must be 16 bytes of writable
 * stack or more above the guard page.
 */
void hal_trap_resume_call(
    struct hal_trap *t, void (*fn)(void *), void *arg, uintptr_t top);

/*
 * Backtraces, for code built with frame pointers.  hal_frames() follows
 * the chain from frame pointer fp while it stays inside [lo, hi) and
 * fills out with up to max return addresses, innermost first; it
 * returns how many.  A function that faulted before it built its frame
 * (a leaf, or one still in its prologue) left the frame pointer its
 * caller's, so the chain skips the return into that caller:
 * hal_frameless_return() reads it from the stack of r inside [lo, hi),
 * given the address of the faulting function's first instruction (0:
 * unknown), and is 0 when the function has its frame.  The caller checks
 * that the result is code.
 */
int hal_frames(
    uintptr_t fp, uintptr_t lo, uintptr_t hi, uintptr_t *out, int max);
uintptr_t hal_frameless_return(
    const struct hal_regs *r, uintptr_t fn, uintptr_t lo, uintptr_t hi);

/*
 * Non-local jumps (hal/x86_64/jump.S, shared by every platform).  The
 * TORO_TRY of toro/except.h saves the callee-saved registers, the stack
 * pointer and its return address in a buffer of HAL_JMP_WORDS words and
 * returns 0; hal_jump(buf) makes that save return again, with 1.  It uses
 * no stack, so a trap may resume at it (hal_trap_resume_jump) even when
 * the thread's stack is exhausted.
 */
#define HAL_JMP_WORDS 9
__attribute__((noreturn)) void hal_jump(const uint64_t *buf);

/*
 * The stack pointer the save of buf returns with: how deep its TORO_TRY
 * is (an enclosing block's is never deeper).
 */
uintptr_t hal_jump_sp(const uint64_t *buf);

/*
 * Stack guards.  hal_stack_guard(page) makes the HAL_STACK_GUARD bytes at
 * `page` (page aligned, below a thread's stack) fault on any access, so
 * that an overflow traps instead of corrupting what lies below;
 * hal_stack_unguard(page) makes them ordinary memory again.  Both are
 * called on the CPU that runs the thread (native: only its TLB must
 * learn of the change).  A platform without an MMU (the fake) does
 * nothing.
 */
#define HAL_STACK_GUARD 4096
void hal_stack_guard(void *page);
void hal_stack_unguard(void *page);

/*
 * Copies through a caller's pointer.  hal_copy() copies n bytes from
 * src to dst, as memcpy does (the ranges must not overlap, but for
 * dst == src, which reads each byte and writes it back: a check that
 * the memory is there and writable).  Where any byte of either range
 * is not mapped, not allowed (a write to read-only memory) or not an
 * address at all, it returns -TORO_EFAULT instead of faulting, on any
 * CPU and any thread, kernel threads and the idle loop included; dst
 * may then hold part of the copy.  Else 0.  What it catches is what the
 * MMU sees: a pointer into memory that is mapped but wrong copies.
 * The core uses it wherever it reads or writes an application's memory
 * on that application's behalf (a read into its buffer on the storage
 * thread), so a bad pointer is an error the call returns and not a
 * fault of the kernel.  Natively and in the sim the fault is caught
 * (a fixup: the trap resumes at the copy's error return); the fake,
 * which has no MMU, fails the copies that touch the memory a test
 * named bad (fake.h).
 */
int hal_copy(void *dst, const void *src, size_t n);

/*
 * Power and diagnostics.
 */

/* Stop the machine; `status` becomes the exit status where there is one. */
__attribute__((noreturn)) void hal_exit(int status);

/*
 * Why the host asked the machine to stop (the last HAL_EV_STOP), as the
 * signal a Unix process would get: SIGINT (2) for an interrupt from the
 * keyboard, SIGTERM (15) for a request to end (the simulator's SIGTERM,
 * the power button).
 */
int hal_stop_signal(void);
#define HAL_SIGINT 2
#define HAL_SIGTERM 15

/* Print the calling CPU's registers on the console (for panics). */
void hal_dump_registers(void);

/*
 * Watchdog.  The core bumps a heartbeat on every scheduling pass and
 * judges, in sched_watchdog_check(), which CPU has been stuck in one
 * thread too long; the platform runs that check and makes a stuck CPU
 * report itself.
 */

/*
 * From now on, call sched_watchdog_check() about every period_ns, from
 * wherever it can run while a thread loops on a CPU (threads are never
 * preempted and run with interrupts off).  The sim uses a host thread;
 * native uses every CPU while it idles, so there a stuck CPU is seen only
 * if another CPU idles now and then.  Returns 0, or -TORO_ENOSYS on a
 * machine that cannot (the fake: its CPUs share one host thread).
 */
int hal_watchdog_start(uint64_t period_ns);

/*
 * Interrupt CPU `cpu` wherever it is, even with interrupts off, and have
 * it call sched_watchdog_report() there with the interrupted code's
 * registers, on a stack of the platform's (sim: a signal; native: an
 * NMI).  Never blocks.
 */
void hal_watchdog_interrupt(int cpu);

/* The core's side of the watchdog (core/sched/watchdog.c). */
void sched_watchdog_check(void);
void sched_watchdog_report(uintptr_t pc, uintptr_t sp, uintptr_t fp);

#endif
