/*
 * kern.h: boot, console, command line and panic, inside the core.
 */
#ifndef CORE_KERN_KERN_H
#define CORE_KERN_KERN_H

#include "core/lib/klib.h"

/* Exit status of a machine that panicked. */
#define KERN_PANIC_STATUS 125
/* Exit status when the host asked the machine to stop (as for SIGINT). */
#define KERN_STOP_STATUS 130

int kern_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn, format(printf, 1, 2))) void kern_panic(
    const char *fmt, ...);

struct toro_thread;

/* Write to the console without taking its lock (for panics). */
void kern_console_force(const char *s, size_t n);
/* The same, formatted (up to 255 bytes a call). */
__attribute__((format(printf, 1, 2))) void kern_printf_force(
    const char *fmt, ...);

/* Release the console lock if t holds it (t faulted while printing). */
void kern_console_abandon(struct toro_thread *t);

/* Print the frame-pointer backtrace of the caller. */
void kern_backtrace(void);

/*
 * Print the frame-pointer chain that starts at frame pointer fp, on the
 * console without its lock; frames outside [lo, hi) end it.
 */
void kern_backtrace_from(uintptr_t fp, uintptr_t lo, uintptr_t hi);

/*
 * Write "name+0x1c" for the function holding addr into buf (symbol.c);
 * returns false, with "?", when the program's table does not know it.
 */
bool kern_symbolize(uintptr_t addr, char *buf, size_t len);
/* The same for a return address, looked up one byte back. */
bool kern_symbolize_return(uintptr_t addr, char *buf, size_t len);
/* The address of the function holding addr, or 0 (symbol.c). */
uintptr_t kern_symbol_start(uintptr_t addr);

/*
 * Split the command line into kernel options and the application's
 * argv.  Returns 0, or a negative error if the line is too long.
 */
int kern_cmdline_parse(const char *line);
int kern_argc(void);
char **kern_argv(void);
const char *kern_option(const char *key);

/*
 * Report CPUs stuck in one thread for `seconds` (0: never); see
 * watchdog.c.  Returns 0 or a negative error from the platform.
 */
int kern_watchdog_start(unsigned int seconds);

/* Stop the machine cleanly with this status. */
__attribute__((noreturn)) void kern_shutdown(int status);

/* Scheduler pieces used by boot. */
void sched_init(int ncpu);
void sched_cpu_enter(int cpu);
/* The first code of every CPU but 0 (passed to hal_cpu_start). */
__attribute__((noreturn)) void sched_cpu_main(void);
void sched_set_default_stack(size_t bytes);

#endif
