/*
 * boot.c: kern_boot(), from the platform's hand-over (hal.h) to the
 * application's main().
 *
 * It runs once, on CPU 0, the pieces of kern.h (machine.c) in order: it
 * prepares every CPU's scheduler, reads the command line and gives the
 * RAM to the allocator; then applies the options, starts the network
 * and the file system, creates the main thread, starts the other CPUs
 * and the watchdog, and becomes CPU 0's idle thread.  When main returns,
 * the machine stops with its value.  With loglevel=debug, main's thread
 * first prints when each boot phase ended, the platform's, then these.
 * The fake HAL runs the same pieces with its test thread in place of
 * the services and main.
 */
#include "core/fs/fs.h"
#include "core/kern/kern.h"
#include "core/lib/lib.h"
#include "core/mem/mem.h"
#include "core/net/net.h"
#include "core/sched/sched.h"
#include "toro/toro.h"

/* The application's entry point. */
int main(int argc, char **argv);

#define MAIN_STACK (256u * 1024)
/* Long enough that a loaded host or QEMU's TCG never trips it. */
#define WATCHDOG_SECONDS 10

#define PHASES 4

static struct hal_boot_phase phases[PHASES];
static int nphases;
static bool debug; /* loglevel=debug: the phases are printed */

/*
 * The end of one of kern_boot()'s phases; CPU 0 only.  Only recorded
 * when it will be printed: reading the clock the first time takes the
 * TSC's rate (native), work a boot need not do for nothing.
 */
static void
phase(const char *name)
{
	if (debug && nphases < PHASES) {
		phases[nphases].name = name;
		phases[nphases++].ns = hal_time_ns();
	}
}

static void
print_phases(void)
{
	struct hal_boot_phase p[HAL_BOOT_PHASES_MAX + PHASES];
	uint64_t prev = 0, d;
	int i, n;

	n = hal_boot_phases(p, HAL_BOOT_PHASES_MAX);
	for (i = 0; i < nphases; i++)
		p[n++] = phases[i];
	for (i = 0; i < n; i++) {
		d = p[i].ns > prev ? p[i].ns - prev : 0;
		toro_printf("toro: boot %3lu.%03lu ms %s (+%lu.%03lu)\n",
		    (unsigned long)(p[i].ns / 1000000),
		    (unsigned long)(p[i].ns / 1000 % 1000), p[i].name,
		    (unsigned long)(d / 1000000),
		    (unsigned long)(d / 1000 % 1000));
		prev = p[i].ns;
	}
}

static void *
main_thread(void *unused)
{
	phase("main");
	if (debug)
		print_phases();
	kern_shutdown(main(lib_argc(), lib_argv()));
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
			lib_panic("idle=%s: want poll:MICROSECONDS, 1 to "
			    "1000000", opt);
		err = hal_cpu_set_idle(HAL_IDLE_POLL, (uint64_t)us * 1000);
	} else if (strcmp(opt, "mwait") == 0) {
		err = hal_cpu_set_idle(HAL_IDLE_MWAIT, 0);
	} else {
		lib_panic("idle=%s: want halt, poll:MICROSECONDS or mwait",
		    opt);
	}
	if (err < 0)
		toro_printf("toro: idle=%s: %s on this machine; halting "
		    "instead\n", opt, toro_strerror(err));
}

/* stack=, idle=, exit_linger=, loglevel=; returns the watchdog's seconds. */
static int64_t
options(void)
{
	const char *opt = lib_opt(LIB_OPT_STACK);
	int64_t wd = WATCHDOG_SECONDS, s;

	if (opt != NULL) {
		if (parse_num(opt) < 16)
			lib_panic("stack=%s: want a size in KiB, at least 16",
			    opt);
		sched_set_default_stack((size_t)parse_num(opt) * 1024);
	}
	set_idle(lib_opt(LIB_OPT_IDLE));
	opt = lib_opt(LIB_OPT_EXIT_LINGER);
	if (opt != NULL) {
		if ((s = parse_num(opt)) < 0 || s > 3600)
			lib_panic("exit_linger=%s: want seconds, 0 to 3600",
			    opt);
		kern_exit_linger_ns = (uint64_t)s * 1000000000u;
	}
	opt = lib_opt(LIB_OPT_WATCHDOG);
	if (opt != NULL && ((wd = parse_num(opt)) < 0 || wd > 1000000))
		lib_panic("watchdog=%s: want a number of seconds, 0 for off",
		    opt);
	opt = lib_opt(LIB_OPT_LOGLEVEL);
	if (opt != NULL && strcmp(opt, "debug") == 0)
		toro_printf("toro: %d CPUs, %zu KiB of RAM, command line "
		    "\"%s\"\n", hal_cpu_count(),
		    mem_page_total_bytes() / 1024, hal_cmdline());
	/* Asking keys the generator now, which is why only when verbose. */
	if (opt != NULL && (strcmp(opt, "info") == 0 ||
	    strcmp(opt, "debug") == 0) &&
	    strcmp(lib_random_source(), "jitter") == 0)
		toro_printf("toro: the machine has no entropy source: random "
		    "numbers are keyed from clock jitter\n");
	return wd;
}

void
kern_boot(void)
{
	struct toro_thread_attr attr = { "main", MAIN_STACK };
	const char *opt;
	int64_t wd;
	int err;

	kern_boot_machine();
	/* No option, the usual case: every default, in one test. */
	wd = WATCHDOG_SECONDS;
	if (lib_nopts > 0) {
		opt = lib_opt(LIB_OPT_LOGLEVEL);
		debug = opt != NULL && strcmp(opt, "debug") == 0;
		phase("kernel");
		wd = options();
	}
	/* The network runs on CPU 0; a machine may have no NIC. */
	err = net_start(0);
	if (err < 0 && err != -TORO_ENODEV)
		lib_panic("network: %s", toro_strerror(err));
	/* Storage runs on CPU 0 too; a machine may have no disk. */
	err = fs_start(0);
	if (err < 0 && err != -TORO_ENODEV)
		lib_panic("file system: %s", toro_strerror(err));
	phase("services");
	err = sched_thread_create(NULL, 0, main_thread, NULL, &attr,
	    SCHED_THREAD_MAIN);
	if (err < 0)
		lib_panic("cannot create the main thread: %s",
		    toro_strerror(err));
	kern_boot_cpus();
	phase("CPUs up");
	err = sched_watchdog_start((unsigned int)wd);
	if (err < 0 && lib_opt(LIB_OPT_WATCHDOG) != NULL)
		lib_panic("watchdog: %s", toro_strerror(err));
	kern_boot_run();
}
