/*
 * toro/console.h: console output and input.
 *
 * One toro_printf call is written whole: output from threads on
 * different CPUs never interleaves within a call.  The formats are C's
 * (d i u x X o c s p f %, flags, width, precision, hh h l ll z j t).
 */
#ifndef TORO_CONSOLE_H
#define TORO_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

int toro_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int toro_vprintf(const char *fmt, va_list ap);
int toro_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int toro_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int toro_puts(const char *s);

/*
 * Read up to n bytes of console input, blocking the thread until at
 * least one byte is there.  Returns the count.
 */
int toro_console_read(char *buf, size_t n);

#endif
