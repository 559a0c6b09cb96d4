/*
 * fake.h: the deterministic fake machine for unit tests.
 *
 * fake_run() boots the core's scheduler and allocator on `ncpu` fake CPUs
 * that all run in the calling host thread, runs fn(arg) as the first
 * thread on CPU 0, and returns the exit status once something calls
 * hal_exit() (fn returning calls hal_exit(0)).  CPUs switch only when one
 * waits in hal_cpu_wait(), in a fixed order, and the clock is virtual:
 * it stands still while any CPU runs and jumps to the earliest deadline
 * when all of them wait.  So every run of a test is the same run.
 *
 * Rules: one fake_run() per process (Check forks each test).  The fake is
 * test scaffolding and may use the host C library.
 */
#ifndef HAL_FAKE_FAKE_H
#define HAL_FAKE_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_DEADLOCK 200 /* status when every CPU waits forever */

int fake_run(int ncpu, size_t mem_bytes, void *(*fn)(void *), void *arg);

/* The command line hal_cmdline() returns (set before fake_run). */
void fake_set_cmdline(const char *line);

/*
 * Whether hal_entropy() has a source (true unless set); either way its
 * bytes start again from the same seed.
 */
void fake_set_entropy(bool works);

/* Everything written to the console so far, NUL-terminated. */
const char *fake_console_output(void);

/* Queue console input and post HAL_EV_CONSOLE to CPU 0. */
void fake_console_input(const char *s);

/* Post event bits to a CPU, as a device would. */
void fake_post(int cpu, uint32_t bits);

/* Post HAL_EV_STOP to CPU 0, as a host's Ctrl-C would. */
void fake_post_stop(void);

/*
 * The fake has no MMU: name [p, p + n) bad (n 0: none), and hal_copy()
 * fails with -TORO_EFAULT, having copied the bytes before it, where
 * either of its ranges touches it (or page 0), as a copy on a machine
 * that faults would.
 */
void fake_bad_memory(const void *p, size_t n);

/* The virtual time, in ns. */
uint64_t fake_now(void);

/* How many times CPUs have waited, and how many waits were kicks. */
uint64_t fake_waits(void);

/*
 * Free what fake_run() took from the host (RAM, CPU stacks, console
 * output), once it has returned: for a process that boots one machine
 * after another with its globals put back (tests/fuzz/machine.c).
 */
void fake_release(void);

#endif
