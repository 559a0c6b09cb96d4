/*
 * machine.h: a fresh fake machine for every fuzz input.
 *
 * The kernel keeps its state in globals and boots once per process;
 * libFuzzer calls its target many times in one process.  So before each
 * input, fuzz_machine_reset() puts every global of the kernel and of the
 * fake HAL back to its value at process start (they live in sections of
 * their own: tests/fuzz/sections.h), and fuzz_machine_run() boots the
 * machine (fake_run), then frees what the fake took from the host.  An
 * input then never sees what an earlier one left, and a crash replays
 * from its one input.
 *
 * A machine that ends in a kernel panic or a deadlock, or whose test
 * thread returns non-zero, is a bug: fuzz_machine_run() prints the
 * console and aborts, which libFuzzer reports as a crash.
 *
 * Rules: call reset, then set the machine up (fake_set_cmdline, disks,
 * NIC), then run; all from the fuzzer's thread.
 */
#ifndef TESTS_FUZZ_MACHINE_H
#define TESTS_FUZZ_MACHINE_H

#include <stddef.h>

void fuzz_machine_reset(void);
void fuzz_machine_run(
    int ncpu, size_t mem_bytes, void *(*fn)(void *), void *arg);

/* Stop the fuzzer with a message and the console: a bug was found. */
__attribute__((noreturn, format(printf, 1, 2))) void fuzz_fail(
    const char *fmt, ...);

#endif
