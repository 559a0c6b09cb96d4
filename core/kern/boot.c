/*
 * boot.c: from the platform's hand-over to the application's main().
 *
 * kern_boot() runs once, on CPU 0: it reads the command line, gives the
 * RAM to the allocator, prepares every CPU's scheduler, creates the main
 * thread, starts the other CPUs and the watchdog, and becomes CPU 0's
 * idle thread.  When main returns, the machine stops with its value.
 */
#include "core/kern/kern.h"
#include "core/fs/fs.h"
#include "core/mem/mem.h"
#include "core/net/net.h"
#include "core/sched/sched.h"
#include "toro/toro.h"

/* The application's entry point. */
int main(int argc, char **argv);

#define MAIN_STACK (256u * 1024)
/* Long enough that a loaded host or QEMU's TCG never trips it. */
#define WATCHDOG_SECONDS 10

static void *
main_thread(void *unused)
{
	kern_shutdown(main(kern_argc(), kern_argv()));
}

/* Parse a decimal number; -1 on anything malformed or above 2^40. */
static int64_t
parse_num(const char *s)
{
	int64_t v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > ((int64_t)1 << 40))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * idle=halt, idle=poll:MICROSECONDS (up to a second) or idle=mwait.
 * A policy this machine lacks is worth a warning, not a dead machine:
 * the same command line may serve hosts with and without MWAIT.
 */
static void
set_idle(const char *opt)
{
	int64_t us;
	int err;

	if (opt == NULL || strcmp(opt, "halt") == 0)
		return;
	if (strncmp(opt, "poll:", 5) == 0) {
		us = parse_num(opt + 5);
		if (us < 1 || us > 1000000)
			kern_panic("idle=%s: want poll:MICROSECONDS, 1 to "
			    "1000000", opt);
		err = hal_cpu_set_idle(HAL_IDLE_POLL, (uint64_t)us * 1000);
	} else if (strcmp(opt, "mwait") == 0) {
		err = hal_cpu_set_idle(HAL_IDLE_MWAIT, 0);
	} else {
		kern_panic("idle=%s: want halt, poll:MICROSECONDS or mwait",
		    opt);
	}
	if (err < 0)
		kern_printf("toro: idle=%s: %s on this machine; halting "
		    "instead\n", opt, toro_strerror(err));
}

void
kern_boot(void)
{
	struct hal_mem_region r[32];
	struct toro_thread_attr attr = { "main", MAIN_STACK };
	const char *opt;
	int ncpu = hal_cpu_count(), n, i, err;
	int64_t wd = WATCHDOG_SECONDS;

	sched_init(ncpu);
	sched_cpu_enter(0);
	err = kern_cmdline_parse(hal_cmdline());
	if (err < 0)
		kern_panic("kernel command line: %s", toro_strerror(err));
	n = hal_mem_regions(r, (int)nitems(r));
	if (mem_init(r, n) < 0)
		kern_panic("no usable memory (%d regions)", n);
	opt = kern_option("stack");
	if (opt != NULL) {
		if (parse_num(opt) < 16)
			kern_panic("stack=%s: want a size in KiB, at least 16",
			    opt);
		sched_set_default_stack((size_t)parse_num(opt) * 1024);
	}
	set_idle(kern_option("idle"));
	opt = kern_option("watchdog");
	if (opt != NULL && ((wd = parse_num(opt)) < 0 || wd > 1000000))
		kern_panic("watchdog=%s: want a number of seconds, 0 for off",
		    opt);
	opt = kern_option("loglevel");
	if (opt != NULL && strcmp(opt, "debug") == 0)
		kern_printf("toro: %d CPUs, %zu KiB of RAM, command line \"%s\"\n",
		    ncpu, mem_page_total_bytes() / 1024, hal_cmdline());
	/* The network runs on CPU 0; a machine may have no NIC. */
	err = net_start(0);
	if (err < 0 && err != -TORO_ENODEV)
		kern_panic("network: %s", toro_strerror(err));
	/* Storage runs on CPU 0 too; a machine may have no disk. */
	err = fs_start(0);
	if (err < 0 && err != -TORO_ENODEV)
		kern_panic("file system: %s", toro_strerror(err));
	err = sched_thread_create(NULL, 0, main_thread, NULL, &attr,
	    SCHED_THREAD_MAIN);
	if (err < 0)
		kern_panic("cannot create the main thread: %s",
		    toro_strerror(err));
	for (i = 1; i < ncpu; i++) {
		err = hal_cpu_start(i, sched_cpu_main);
		if (err < 0)
			kern_panic("CPU %d did not start: %s", i,
			    toro_strerror(err));
	}
	err = kern_watchdog_start((unsigned int)wd);
	if (err < 0 && kern_option("watchdog") != NULL)
		kern_panic("watchdog: %s", toro_strerror(err));
	sched_run();
}

void
kern_shutdown(int status)
{
	/* Nothing written may be lost: flush the file systems' caches. */
	fs_sync_all();
	hal_exit(status);
}

static void *
stop_thread(void *unused)
{
	kern_shutdown(KERN_STOP_STATUS);
}

void
toro_poweroff(int status)
{
	kern_shutdown(status);
}

void
kern_stop_requested(void)
{
	struct toro_thread_attr attr = { "stop", 0 };

	kern_printf("\ntoro: stopped by the host\n");
	/* The scheduler calls us and cannot sleep: a thread shuts down. */
	if (toro_thread_create(NULL, 0, stop_thread, NULL, &attr) < 0)
		hal_exit(KERN_STOP_STATUS);
}
