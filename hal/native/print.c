/*
 * print.c: a small printf for the HAL's own messages (boot line, faults).
 *
 * Interface: hal_printf(fmt, ...) and hal_vprintf().  Conversions: %s %c
 * %d %u %x %p with an optional 0 flag, a width, and the l/ll/z size
 * prefixes.  Each call formats into a buffer and writes it with one
 * hal_console_write(), so lines from several CPUs do not mix.
 */
#include "hal/native/native.h"

struct out {
	char buf[256];
	size_t n;
};

static void
put(struct out *o, char ch)
{
	if (o->n == sizeof(o->buf)) {
		hal_console_write(o->buf, o->n);
		o->n = 0;
	}
	o->buf[o->n++] = ch;
}

static void
number(struct out *o, uint64_t v, int base, int width, char pad, int neg)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		put(o, pad);
	while (n > 0)
		put(o, tmp[--n]);
}

void
hal_vprintf(const char *fmt, va_list ap)
{
	struct out o;
	const char *s;

	o.n = 0;
	for (; *fmt != '\0'; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		uint64_t u;
		int64_t d;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
			d = lng ? va_arg(ap, long) : va_arg(ap, int);
			number(&o, d < 0 ? -(uint64_t)d : (uint64_t)d, 10,
			    width, pad, d < 0);
			break;
		case 'u':
		case 'x':
			u = lng ? va_arg(ap, unsigned long) :
			    va_arg(ap, unsigned int);
			number(&o, u, *fmt == 'u' ? 10 : 16, width, pad, 0);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			number(&o, (uintptr_t)va_arg(ap, void *), 16, width,
			    pad, 0);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (s == NULL)
				s = "(null)";
			while (*s != '\0')
				put(&o, *s++);
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, *fmt);
			break;
		}
	}
	if (o.n > 0)
		hal_console_write(o.buf, o.n);
}

void
hal_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hal_vprintf(fmt, ap);
	va_end(ap);
}
