/*
 * machine.c: the simulator's entry point and boot sequence.
 *
 * The application defines main() and the core calls it as the first
 * kernel thread, so the simulator cannot own main().  Instead it starts
 * from a constructor: glibc calls every .init_array function with argc,
 * argv and envp before main(), and machine_start() never returns, so
 * main() is only ever reached through kern_boot().  Constructors placed
 * after this one (a host library's) would then never run, so
 * machine_start() runs them itself first, in their order, with the same
 * arguments.  The program's own are not among them: libc/prelink.sh
 * moves them out of .init_array, and the C library runs them on the
 * kernel's main thread (libc/start.c).
 *
 * Boot: parse the command line, map RAM, set up the host loop (signals,
 * console input, the NIC's backend), open the disk, catch the CPUs'
 * faults (fault.c), start CPU 0 on kern_boot(), then run the host loop
 * on the main thread for good.  The process ends in sim_exit()
 * (power.c) or on a second interrupt (hostloop.c), never by returning.
 *
 * This file also holds sim_config, which every hal/sim file uses, so that
 * linking any HAL function pulls this constructor in.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hal/hal.h"
#include "sim/sim.h"

/* Bounds of the executable's .init_array, defined by the linker. */
extern void (*__init_array_start[])(int, char **, char **)
    __attribute__((visibility("hidden")));
extern void (*__init_array_end[])(int, char **, char **)
    __attribute__((visibility("hidden")));

struct sim_config sim_config = {
	.prog = "sim",
	.cpus = 1,
	.mem_bytes = 128u << 20,
	.cmdline = "",
	.net = SIM_NET_USER,
	.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
};

void
sim_fatal(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	/* One write, so that messages of two threads do not mix. */
	dprintf(STDERR_FILENO, "%s: %.*s\n", sim_config.prog, n, buf);
	_exit(1);
}

/* Run the constructors that follow machine_start in .init_array. */
static void
run_later_constructors(void (*self)(int, char **, char **), int argc,
    char **argv, char **envp)
{
	void (**p)(int, char **, char **);

	for (p = __init_array_start; p < __init_array_end; p++)
		if (*p == self)
			break;
	if (p == __init_array_end)
		return;
	for (p++; p < __init_array_end; p++)
		(*p)(argc, argv, envp);
}

__attribute__((constructor, noreturn)) static void
machine_start(int argc, char **argv, char **envp)
{
	sigset_t async, old;
	int error;

	sim_clock_init();
	sim_options_parse(argc, argv, &sim_config);
	run_later_constructors(machine_start, argc, argv, envp);
	sim_clock_mark("options");
	sim_memory_init(sim_config.mem_bytes);
	sim_clock_mark("memory map");
	sim_hostloop_init();
	sim_disk_init();
	sim_fault_init();
	sim_clock_mark("devices");

	/*
	 * CPUs inherit a mask without the signals the host loop handles, so
	 * those reach the main thread and never interrupt a CPU.
	 */
	sigemptyset(&async);
	sigaddset(&async, SIGINT);
	sigaddset(&async, SIGTERM);
	if ((error = pthread_sigmask(SIG_BLOCK, &async, &old)) != 0)
		sim_fatal("pthread_sigmask: %s", strerror(error));
	if ((error = sim_cpu_start(0, kern_boot)) != 0)
		sim_fatal("cannot start CPU 0: %s", strerror(-error));
	if ((error = pthread_sigmask(SIG_SETMASK, &old, NULL)) != 0)
		sim_fatal("pthread_sigmask: %s", strerror(error));

	sim_hostloop_run();
}
