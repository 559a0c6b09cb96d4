/*
 * sched.h: the per-CPU cooperative scheduler, inside the core.
 *
 * Each CPU owns a struct sched_cpu: its ready queue, its sleeping threads
 * sorted by deadline, and an inbox of messages from other CPUs.  Only the
 * owning CPU touches anything but the inbox, so the local path takes no
 * lock.  Work crosses CPUs only as messages (struct sched_msg), and a CPU
 * with nothing to do sleeps in hal_cpu_wait() until its next deadline.
 *
 * Rules: a thread blocks by calling sched_block(); anything may wake it
 * with sched_wake(), from any CPU.  Wake-ups can be spurious, so every
 * wait re-checks its condition in a loop.
 */
#ifndef CORE_SCHED_SCHED_H
#define CORE_SCHED_SCHED_H

#include "core/lib/klib.h"
#include "core/lib/mpsc.h"
#include "hal/hal.h"
#include "toro/except.h"

struct toro_thread_attr;

struct sched_msg {
	struct mpsc_node node;
	void (*fn)(struct sched_msg *m); /* runs on the receiving CPU */
};

/*
 * The last exception of a thread, as the trap or toro_raise() saw it:
 * what a handler gets, and for the report of an uncaught one, the
 * registers of a CPU fault and the return addresses of the frames.
 */
#define SCHED_TRACE_MAX 16

struct sched_exc {
	struct toro_exception pub;
	bool has_regs;
	struct hal_regs regs;
	int ntrace;
	uintptr_t trace[SCHED_TRACE_MAX];
};

/* Roles of a thread (sched_thread_create's flags). */
#define SCHED_THREAD_MAIN 0x1   /* main: its death stops the machine */
#define SCHED_THREAD_SYSTEM 0x2 /* the kernel's own: it may not die */

enum thread_state {
	THREAD_NEW,
	THREAD_READY,
	THREAD_RUNNING,
	THREAD_BLOCKED,
	THREAD_ZOMBIE,
	THREAD_FROZEN, /* the machine is exiting: never runs again */
};

struct toro_thread {
	struct hal_context ctx;
	struct list link;  /* ready queue */
	struct list tlink; /* sleeping threads, by deadline */
	struct list all;   /* every thread of the CPU */
	int cpu;
	enum thread_state state;
	bool timed_out;
	bool idle; /* the CPU's idle thread */
	bool dying; /* reporting an uncaught exception */
	unsigned flags; /* SCHED_THREAD_* */
	uint64_t deadline;
	uint64_t id;
	void *(*fn)(void *);
	void *arg;
	void *ret;
	void *stack; /* above a guard page of HAL_STACK_GUARD bytes */
	size_t stack_size;
	bool guarded; /* the guard page is in place */
	bool local;   /* created by its own CPU (thread.c's stack cache) */
	struct toro_try *try_top; /* the innermost active TORO_TRY */
	struct sched_exc exc;
	const char *wait_reason; /* what a blocked thread waits for */
	struct toro_thread *joiner; /* NULL, a waiting thread, or a marker */
	void *user; /* toro_thread_set_local()'s pointer */
	void (*user_dtor)(void *);
	struct sched_msg start_msg;
	struct sched_msg wake_msg;
	int wake_pending;
	char name[16];
};

struct sched_cpu {
	int id;
	struct toro_thread *cur;
	struct toro_thread idle;
	struct list ready;
	struct list sleepers;
	struct list threads;
	struct toro_thread *zombie; /* to reap once off its stack */
	uint64_t next_id;
	uint64_t switches;
	uint32_t passes; /* scheduling passes, to space out clock reads */
	uint64_t beat; /* every pass bumps it; the watchdog reads it */
	int idling; /* in hal_cpu_wait; senders kick only then */
	int handling; /* in a message or event handler: cannot sleep */
	void (*on_event[8])(void); /* handlers of HAL_EV_* bits 3.. */
	struct mpsc_queue inbox;
} __attribute__((aligned(CACHELINE)));

extern struct sched_cpu sched_cpus[HAL_CPU_MAX];

static inline struct sched_cpu *
sched_this_cpu(void)
{
	return hal_cpu_local();
}

static inline struct toro_thread *
sched_current(void)
{
	return sched_this_cpu()->cur;
}

/*
 * Prepare the schedulers of CPUs 0 to ncpu - 1 and enter CPU 0's; once,
 * on CPU 0, before anything else.  Each other CPU calls
 * sched_cpu_enter() with its number before it schedules.
 */
void sched_init(int ncpu);
/*
 * sched_init()'s ncpu, hal_cpu_count() as a load: the boot's checks of
 * a CPU number would each cost a call.
 */
extern int sched_ncpu;
void sched_cpu_enter(int cpu);

/* The first code of every CPU but 0 (passed to hal_cpu_start). */
__attribute__((noreturn)) void sched_cpu_main(void);

/* The stack of threads created without a size (at least 16 KiB). */
void sched_set_default_stack(size_t bytes);

/* Become the idle thread of this CPU and schedule forever. */
__attribute__((noreturn)) void sched_run(void);

/* Run m->fn(m) on `cpu`, from any CPU; never blocks. */
void sched_post(int cpu, struct sched_msg *m);

/*
 * Block the current thread until sched_wake() or the deadline
 * (HAL_NO_DEADLINE for none).  Returns 0, or -TORO_ETIMEDOUT.
 */
int sched_block(uint64_t deadline, const char *reason);

/*
 * A call served on another CPU while the caller sleeps (call.c): the
 * caller embeds one in its request, on its stack.  The rules are at
 * sched_call(), in call.c.
 */
struct sched_call {
	struct sched_msg msg; /* to the server's CPU, then back */
	struct toro_thread *caller;
	void (*serve)(struct sched_call *c);
	int done; /* set on the caller's CPU */
	long result;
};

/* Have serve(c) run on `cpu` and sleep until its answer; return it. */
long sched_call(int cpu, struct sched_call *c,
    void (*serve)(struct sched_call *c), const char *reason);

/* Answer c with result (the server, once). */
void sched_reply(struct sched_call *c, long result);

/* Make t runnable if it is blocked, from any CPU. */
void sched_wake(struct toro_thread *t);

/*
 * Make a new thread of c, this CPU, runnable (its start message does
 * this).
 */
void sched_adopt(struct sched_cpu *c, struct toro_thread *t);

/* Leave c's (this CPU's) thread for good; its memory is reaped later. */
__attribute__((noreturn)) void sched_exit_current(struct sched_cpu *c);

/*
 * Have fn() run on this CPU, from its scheduler, whenever event `bit`
 * (a HAL_EV_* bit other than KICK, STOP and CONSOLE) is posted to it.
 * fn must not block; it normally wakes a thread.
 */
int sched_on_event(uint32_t bit, void (*fn)(void));

/*
 * What the layer above does on its way out (kern sets both at boot):
 * stop() runs in CPU 0's scheduler when the host asks the machine to
 * stop, and must not block; shutdown(status) powers off cleanly when
 * main dies of an uncaught exception.  Unset, a stop is ignored and a
 * shutdown is hal_exit().
 */
void sched_on_stop(void (*stop)(void));
void sched_on_shutdown(void (*shutdown)(int status));
/* Power off through the shutdown hook. */
__attribute__((noreturn)) void sched_shutdown(int status);

/*
 * The machine's exit: from now on, on every CPU, only the calling
 * thread and the kernel's own (SCHED_THREAD_SYSTEM) run.  Every other
 * thread stops at its next pass through its scheduler (a block, a
 * sleep, a yield) and never runs again, as Linux's exit_group() ends a
 * process's other threads before it closes its descriptors.  Call from
 * a thread, once.
 */
void sched_freeze(void);

/* Wake the console reader (conin.c); on CPU 0, when input arrives. */
void sched_console_input(void);

/*
 * Report CPUs stuck in one thread for `seconds` (0: never); see
 * watchdog.c.  Returns 0 or a negative error from the platform.
 */
int sched_watchdog_start(unsigned int seconds);

/* toro_thread_create() with SCHED_THREAD_* flags. */
int sched_thread_create(struct toro_thread **tp, int cpu,
    void *(*fn)(void *), void *arg, const struct toro_thread_attr *attr,
    unsigned flags);

/* The first code of every new thread (its context's entry). */
void sched_thread_entry(void *arg);

/* Reap a dead thread once nobody runs on its stack (thread.c). */
void sched_reap(struct toro_thread *t);

#endif
