/*
 * fmt.h: printf-style formatting for the kernel and the public API.
 *
 * Conversions: d i u x X o c s p f % with flags - 0 + space #, width and
 * precision (also *), and length modifiers hh h l ll z j t.
 */
#ifndef CORE_LIB_FMT_H
#define CORE_LIB_FMT_H

#include "core/lib/klib.h"

/* Receives formatted output in pieces. */
struct fmt_sink {
	void (*put)(struct fmt_sink *s, const char *p, size_t n);
};

/* Format into a sink; returns the number of characters produced. */
int lib_vformat(struct fmt_sink *s, const char *fmt, va_list ap);

/*
 * v in decimal, written backwards to end (no NUL): returns its first
 * character.  Room for 20 digits before end.
 */
char *lib_udec(char *end, uint64_t v);

/* Like vsnprintf: always terminates, returns the untruncated length. */
int lib_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
