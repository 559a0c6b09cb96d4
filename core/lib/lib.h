/*
 * lib.h: the bottom layer's services to every layer above: console
 * output without its lock (for reports), panic, backtraces, function
 * names, and the command line.  Formatting is in fmt.h, the lock-free
 * queue in mpsc.h, strings, lists and spin locks in klib.h.  The one
 * printf is toro_printf (toro/console.h, included here); error names
 * are toro_strerror (toro/errno.h).
 *
 * Rules: lib sees no layer above it.  What a report says about the
 * running thread comes from the scheduler through lib_set_where(), a
 * hook it sets at start-up; until then reports say less.
 */
#ifndef CORE_LIB_LIB_H
#define CORE_LIB_LIB_H

#include "core/lib/klib.h"
#include "toro/console.h"

/* Exit status of a machine that panicked. */
#define LIB_PANIC_STATUS 125

__attribute__((noreturn, format(printf, 1, 2))) void lib_panic(
    const char *fmt, ...);

/* Write to the console without taking its lock (for panics). */
void lib_console_force(const char *s, size_t n);
/* The same, formatted (up to 255 bytes a call). */
__attribute__((format(printf, 1, 2))) void lib_printf_force(
    const char *fmt, ...);

/*
 * Release the console lock if this CPU holds it: its thread faulted
 * while printing.  Threads are never preempted and printing never
 * waits, so the CPU that holds the lock names the thread that does.
 */
void lib_console_abandon(void);

/* The thread running on this CPU, as a report names it. */
struct lib_where {
	int cpu;
	const char *thread;
	uintptr_t lo, hi; /* its stack; 0 and UINTPTR_MAX when unknown */
};

/*
 * Have fn describe the running thread for panics and backtraces; fn
 * returns false when no thread runs (the scheduler sets it).
 */
void lib_set_where(bool (*fn)(struct lib_where *w));

/* Print the frame-pointer backtrace of the caller. */
void lib_backtrace(void);

/*
 * Print the frame-pointer chain that starts at frame pointer fp, on the
 * console without its lock; frames outside [lo, hi) end it.
 */
void lib_backtrace_from(uintptr_t fp, uintptr_t lo, uintptr_t hi);

/*
 * Write "name+0x1c" for the function holding addr into buf (symbol.c);
 * returns false, with "?", when the program's table does not know it.
 */
bool lib_symbolize(uintptr_t addr, char *buf, size_t len);
/* The same for a return address, looked up one byte back. */
bool lib_symbolize_return(uintptr_t addr, char *buf, size_t len);
/* The address of the function holding addr, or 0 (symbol.c). */
uintptr_t lib_symbol_start(uintptr_t addr);

/*
 * An application's memory, which the kernel reads and writes on its
 * behalf through hal_copy() (caller.c): a bad pointer is -TORO_EFAULT,
 * never a fault.  lib_caller_check() says whether [p, p + n) can be
 * read, or read and written (`write`: it reads a byte of each page and
 * writes it back), before work that cannot fail halfway (a device's
 * transfer, a queue a copy must not half consume); 0 or -TORO_EFAULT.
 * lib_caller_string() copies the string at src, NUL included, into
 * dst[size], a page at a time so as never to read past the page of its
 * NUL; its length, -TORO_EFAULT or -TORO_ENAMETOOLONG (no NUL in size
 * bytes).
 */
int lib_caller_check(const void *p, size_t n, bool write);
long lib_caller_string(char *dst, const char *src, size_t size);

/*
 * Split the command line into kernel options, the application's
 * environment (NAME=value words, NULL-terminated) and its argv.
 * Returns 0, or a negative error if the line is too long.
 */
int lib_cmdline_parse(const char *line);

/* What the parse made, read through the inlines below. */
#define LIB_ARGV_MAX 256
#define LIB_ENV_MAX 64
extern char *lib_args[LIB_ARGV_MAX + 1];
extern int lib_nargs;
extern char *lib_env[LIB_ENV_MAX + 1];

static inline int
lib_argc(void)
{
	return lib_nargs;
}

static inline char **
lib_argv(void)
{
	return lib_args;
}

static inline char **
lib_environ(void)
{
	return lib_env;
}
/* A kernel option's value (the last one given), or NULL. */
const char *lib_option(const char *key);

/*
 * The same by index, for the kernel's own options: a load, where the
 * key's search costs a call and a loop (the boot asks for each once).
 */
enum lib_opt {
	LIB_OPT_LOGLEVEL,     /* quiet, info or debug */
	LIB_OPT_STACK,	      /* default thread stack size in KiB */
	LIB_OPT_IDLE,	      /* halt, poll:MICROSECONDS or mwait */
	LIB_OPT_IP,	      /* A.B.C.D/N, or dhcp (the default) */
	LIB_OPT_GW,	      /* the default gateway, with ip= */
	LIB_OPT_DNS,	      /* the DNS server, over DHCP's */
	LIB_OPT_OFFLOAD,      /* on (the default) or off: the NIC's offloads */
	LIB_OPT_WATCHDOG,     /* seconds a CPU may spend in one thread */
	LIB_OPT_TSC_KHZ,      /* native: the TSC's rate, over the machine's */
	LIB_OPT_FSCACHE,      /* the block cache in KiB */
	LIB_OPT_TCP_MEM,      /* MiB TCP connections may be charged */
	LIB_OPT_TCP_CONNS,    /* live TCP connections */
	LIB_OPT_TCP_TIMEWAIT, /* TCP TIME_WAIT records */
	LIB_OPT_EXIT_LINGER,  /* seconds the exit waits for the network */
	LIB_OPT_N
};
extern const char *lib_opts[LIB_OPT_N];
/* How many option words the command line had: 0 leaves every default. */
extern int lib_nopts;

static inline const char *
lib_opt(enum lib_opt o)
{
	return lib_opts[o];
}

/*
 * Random bytes from a ChaCha20 generator keyed by hal_entropy()
 * (random.c); lib_random_source() is "machine", or "jitter" where the
 * machine had no entropy source and the key came from the clocks.
 */
void lib_random(void *buf, size_t n);
uint32_t lib_random_u32(void);
const char *lib_random_source(void);
/* One ChaCha20 block (RFC 8439 2.3), for the known-answer test. */
void lib_chacha20_block(const uint32_t key[8], uint32_t counter,
    const uint32_t nonce[3], uint8_t block[64]);

#endif
