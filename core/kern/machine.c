/*
 * machine.c: the machine's start and end: the pieces of kern_boot()
 * that every boot shares (kern.h; the fake HAL calls them too), the
 * shutdown, the host's stop (toro_on_stop()), toro_poweroff(),
 * toro_option(), toro_environ() and toro_random().
 *
 * Rules: this file needs no service (no network, no disk driver), so
 * that a program booted by the fake HAL links without them; the file
 * system's sync at shutdown is file.c alone, which sends the request
 * but has none of the file system's code, and the network's drain is
 * drain.c alone, which the stack's start arms.
 */
#include "core/fs/fs.h"
#include "core/kern/kern.h"
#include "core/lib/lib.h"
#include "core/mem/mem.h"
#include "core/net/net.h"
#include "core/sched/sched.h"
#include "toro/toro.h"

uint64_t kern_exit_linger_ns = KERN_EXIT_LINGER_S * 1000000000ull;
static int exiting;             /* a kern_shutdown() has begun */
static int (*on_stop)(int sig); /* toro_on_stop()'s */
static int stops;               /* the host's requests so far (CPU 0) */

/* A stop from the host, on a thread: the program's handler, or ours. */
static void *
stop_thread(void *arg)
{
	int (*fn)(int) = __atomic_load_n(&on_stop, __ATOMIC_ACQUIRE);

	if (fn != NULL && fn((int)(intptr_t)arg) != 0)
		return NULL; /* the program ends itself, or goes on */
	toro_printf("\ntoro: stopped by the host\n");
	kern_shutdown(KERN_STOP_STATUS);
}

static void
stop_requested(void)
{
	struct toro_thread_attr attr = { "stop", 0 };

	/* Asked again (the exit waits, or the program's handler): now. */
	if (stops++ > 0 || __atomic_load_n(&exiting, __ATOMIC_ACQUIRE)) {
		toro_printf("\ntoro: stopped again by the host: powering off "
		    "now\n");
		hal_exit(KERN_STOP_STATUS);
	}
	/* The scheduler calls us and cannot sleep: a thread shuts down. */
	if (toro_thread_create(NULL, 0, stop_thread,
	    (void *)(intptr_t)hal_stop_signal(), &attr) < 0)
		hal_exit(KERN_STOP_STATUS);
}

void
toro_on_stop(int (*fn)(int sig))
{
	__atomic_store_n(&on_stop, fn, __ATOMIC_RELEASE);
}

void
kern_boot_machine(void)
{
	struct hal_mem_region r[32];
	int n, err;

	sched_init(hal_cpu_count());
	err = lib_cmdline_parse(hal_cmdline());
	if (err < 0)
		lib_panic("kernel command line: %s", toro_strerror(err));
	n = hal_mem_regions(r, (int)nitems(r));
	if (mem_init(r, n) < 0)
		lib_panic("no usable memory (%d regions)", n);
	sched_on_stop(stop_requested);
	sched_on_shutdown(kern_shutdown);
}

void
kern_boot_cpus(void)
{
	int i, err;

	for (i = 1; i < sched_ncpu; i++) {
		err = hal_cpu_start(i, sched_cpu_main);
		if (err < 0)
			lib_panic("CPU %d did not start: %s", i,
			    toro_strerror(err));
	}
}

void
kern_boot_run(void)
{
	sched_run();
}

void
kern_shutdown(int status)
{
	const char *log = lib_opt(LIB_OPT_LOGLEVEL);
	uint64_t ns;

	/* The idle thread (a scheduler's hook) can neither wait nor park. */
	if (!sched_current()->idle) {
		/* A second exit waits for the first, which powers off. */
		if (__atomic_exchange_n(&exiting, 1, __ATOMIC_ACQ_REL))
			for (;;)
				toro_yield();
		sched_freeze();
		/* What the program sent reaches its peers, with the FINs. */
		net_drain(kern_exit_linger_ns);
	}
	/* Nothing written may be lost: flush the file systems' caches. */
	fs_sync_all();
	if (log != NULL && strcmp(log, "debug") == 0) {
		ns = hal_time_ns();
		toro_printf("toro: power-off %lu.%03lu ms after the first "
		    "instruction\n", (unsigned long)(ns / 1000000),
		    (unsigned long)(ns / 1000 % 1000));
	}
	hal_exit(status);
}

void
toro_poweroff(int status)
{
	kern_shutdown(status);
}

const char *
toro_option(const char *key)
{
	return lib_option(key);
}

char **
toro_environ(void)
{
	return lib_environ();
}

void
toro_random(void *buf, size_t n)
{
	lib_random(buf, n);
}
