/*
 * fmt.c: the printf engine behind toro_printf, the reports of lib.h
 * and toro_snprintf.  It never allocates and never calls the platform, so it
 * is safe in a panic.
 */
#include "core/lib/fmt.h"

struct spec {
	bool left, zero, plus, space, alt;
	int width, prec; /* prec < 0: none */
	int len;         /* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

static void
pad(struct fmt_sink *s, char c, int n, int *count)
{
	char buf[16];
	int k;

	memset(buf, c, sizeof(buf));
	while (n > 0) {
		k = MIN(n, (int)sizeof(buf));
		s->put(s, buf, (size_t)k);
		*count += k;
		n -= k;
	}
}

/* Emit body with its sign/prefix, honouring width, '-' and '0'. */
static void
emit(struct fmt_sink *s, const struct spec *sp, const char *prefix,
    const char *body, int blen, int zeros, int *count)
{
	int plen = (int)strlen(prefix);
	int total = plen + zeros + blen;
	int fill = sp->width > total ? sp->width - total : 0;

	if (!sp->left && !(sp->zero && sp->prec < 0))
		pad(s, ' ', fill, count);
	s->put(s, prefix, (size_t)plen);
	*count += plen;
	if (!sp->left && sp->zero && sp->prec < 0)
		pad(s, '0', fill, count);
	pad(s, '0', zeros, count);
	s->put(s, body, (size_t)blen);
	*count += blen;
	if (sp->left)
		pad(s, ' ', fill, count);
}

static void
format_int(struct fmt_sink *s, const struct spec *sp, uint64_t v, bool neg,
    int base, bool upper, int *count)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, zeros = 0;
	const char *prefix = "";

	while (v != 0) {
		buf[sizeof(buf) - 1 - n++] = digits[v % (unsigned)base];
		v /= (unsigned)base;
	}
	if (n == 0 && sp->prec != 0)
		buf[sizeof(buf) - 1 - n++] = '0';
	if (sp->prec > n)
		zeros = sp->prec - n;
	if (neg)
		prefix = "-";
	else if (sp->plus && base == 10)
		prefix = "+";
	else if (sp->space && base == 10)
		prefix = " ";
	else if (sp->alt && base == 16)
		prefix = upper ? "0X" : "0x";
	else if (sp->alt && base == 8 && zeros == 0)
		prefix = "0";
	emit(s, sp, prefix, buf + sizeof(buf) - n, n, zeros, count);
}

/*
 * %f: the fraction of a double is m / 2^k exactly, so its decimal digits
 * come out exactly with 128-bit integers, and rounding (half to even, as
 * C libraries do) sees the true value.
 */
static void
format_double(struct fmt_sink *s, struct spec *sp, double v, int *count)
{
	char buf[48], digits[20];
	int n = 0, prec = sp->prec < 0 ? 6 : MIN(sp->prec, 17), k = 0, i;
	const char *prefix = "";
	unsigned __int128 r, half;
	uint64_t ip;
	double frac;
	bool up;

	if (v != v) {
		sp->zero = false;
		emit(s, sp, "", "nan", 3, 0, count);
		return;
	}
	if (v < 0) {
		prefix = "-";
		v = -v;
	} else if (sp->plus)
		prefix = "+";
	if (v >= 1.8e19) {
		sp->zero = false;
		emit(s, sp, prefix, "inf", 3, 0, count);
		return;
	}
	ip = (uint64_t)v;
	frac = v - (double)ip;
	while (frac != (double)(uint64_t)frac && k < 120) {
		frac *= 2;
		k++;
	}
	r = (uint64_t)frac;
	for (i = 0; i < prec; i++) {
		r *= 10;
		digits[i] = (char)('0' + (int)(r >> k));
		r &= ((unsigned __int128)1 << k) - 1;
	}
	half = k > 0 ? (unsigned __int128)1 << (k - 1) : 1;
	up = r > half || (r == half && k > 0 &&
	    ((prec > 0 ? digits[prec - 1] - '0' : (int)ip) & 1));
	for (i = prec - 1; up && i >= 0; i--) {
		if (digits[i] == '9')
			digits[i] = '0';
		else {
			digits[i]++;
			up = false;
		}
	}
	if (up)
		ip++;
	for (i = prec - 1; i >= 0; i--)
		buf[sizeof(buf) - 1 - n++] = digits[i];
	if (prec > 0 || sp->alt)
		buf[sizeof(buf) - 1 - n++] = '.';
	do {
		buf[sizeof(buf) - 1 - n++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip != 0);
	i = sp->prec;
	sp->prec = -1;
	emit(s, sp, prefix, buf + sizeof(buf) - n, n, 0, count);
	sp->prec = i;
}

static int64_t
arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	case -1:
		return (short)va_arg(*ap, int);
	case -2:
		return (signed char)va_arg(*ap, int);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t
arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	case -1:
		return (unsigned short)va_arg(*ap, unsigned int);
	case -2:
		return (unsigned char)va_arg(*ap, unsigned int);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Parse flags, width, precision and length; returns the conversion. */
static const char *
parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		} else
			while (*f >= '0' && *f <= '9')
				sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l')
			sp->len = sp->len == 1 ? 2 : 1;
		else if (*f == 'h')
			sp->len = sp->len == -1 ? -2 : -1;
		else if (*f == 'z' || *f == 'j' || *f == 't')
			sp->len = 1;
		else
			break;
	}
	return f;
}

/* A string conversion (%s, and %c as a string of one). */
static void
format_str(struct fmt_sink *s, struct spec *sp, const char *str, int n,
    int *count)
{
	sp->zero = false;
	sp->prec = -1;
	emit(s, sp, "", str, n, 0, count);
}

/* Convert one argument for conversion character c (not '\0'). */
static void
convert(struct fmt_sink *s, struct spec *sp, const char *f, va_list *ap,
    int *count)
{
	const char *str;
	int64_t sv;
	char c;
	int n;

	switch (*f) {
	case 'd':
	case 'i':
		sv = arg_signed(sp, ap);
		format_int(s, sp, sv < 0 ? -(uint64_t)sv : (uint64_t)sv,
		    sv < 0, 10, false, count);
		break;
	case 'u':
		format_int(s, sp, arg_unsigned(sp, ap), false, 10, false,
		    count);
		break;
	case 'x':
	case 'X':
		format_int(s, sp, arg_unsigned(sp, ap), false, 16, *f == 'X',
		    count);
		break;
	case 'o':
		format_int(s, sp, arg_unsigned(sp, ap), false, 8, false,
		    count);
		break;
	case 'p':
		sp->alt = true;
		format_int(s, sp, (uintptr_t)va_arg(*ap, void *), false, 16,
		    false, count);
		break;
	case 'f':
	case 'F':
	case 'g':
	case 'e':
		format_double(s, sp, va_arg(*ap, double), count);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		format_str(s, sp, &c, 1, count);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		if (str == NULL)
			str = "(null)";
		for (n = 0; str[n] != '\0' && (sp->prec < 0 || n < sp->prec);
		     n++)
			;
		format_str(s, sp, str, n, count);
		break;
	case '%':
		s->put(s, "%", 1);
		(*count)++;
		break;
	default:
		/* Unknown conversion: show it rather than guess. */
		s->put(s, "%", 1);
		s->put(s, f, 1);
		*count += 2;
		break;
	}
}

/*
 * The plain conversions most calls use: %d, %i, %u and %s with no flag,
 * width or precision (l, ll and z allowed), on a short path of their
 * own.  Under QEMU's TCG each path costs its translation the first time
 * it runs, and a boot runs one or two of these (a thread's name, the
 * program's first line).  Returns the characters of the format taken,
 * 0 when the conversion is not a plain one (nothing is consumed).
 */
static int
plain(struct fmt_sink *s, const char *f, va_list *ap, int *count)
{
	struct spec sp = { .len = 0 };
	char buf[24], *p;
	const char *str;
	uint64_t v;
	int n = 0, k;
	int64_t sv;

	if (f[0] == 'z') {
		sp.len = 1;
		n = 1;
	} else
		while (f[n] == 'l' && n < 2)
			sp.len = ++n;
	switch (f[n]) {
	case 'd':
	case 'i':
		sv = arg_signed(&sp, ap);
		v = sv < 0 ? -(uint64_t)sv : (uint64_t)sv;
		break;
	case 'u':
		v = arg_unsigned(&sp, ap);
		sv = 0;
		break;
	case 's':
		if (sp.len != 0)
			return 0;
		str = va_arg(*ap, const char *);
		if (str == NULL)
			str = "(null)";
		k = (int)strlen(str);
		s->put(s, str, (size_t)k);
		*count += k;
		return n + 1;
	default:
		return 0;
	}
	p = lib_udec(buf + sizeof(buf), v);
	if (sv < 0)
		*--p = '-';
	s->put(s, p, (size_t)(buf + sizeof(buf) - p));
	*count += (int)(buf + sizeof(buf) - p);
	return n + 1;
}

char *
lib_udec(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

int
lib_vformat(struct fmt_sink *s, const char *fmt, va_list ap0)
{
	struct spec sp;
	const char *f = fmt, *start;
	int count = 0, n;
	va_list ap;

	va_copy(ap, ap0);
	while (*f != '\0') {
		start = f;
		while (*f != '\0' && *f != '%')
			f++;
		if (f > start) {
			s->put(s, start, (size_t)(f - start));
			count += (int)(f - start);
		}
		if (*f == '\0')
			break;
		if ((n = plain(s, f + 1, &ap, &count)) > 0) {
			f += 1 + n;
			continue;
		}
		f = parse_spec(f + 1, &sp, &ap);
		/* A lone % at the end: nothing to convert. */
		if (*f == '\0')
			break;
		convert(s, &sp, f, &ap, &count);
		f++;
	}
	va_end(ap);
	return count;
}

struct buf_sink {
	struct fmt_sink sink;
	char *buf;
	size_t size, used;
};

static void
buf_put(struct fmt_sink *s, const char *p, size_t n)
{
	struct buf_sink *b = (struct buf_sink *)s;
	size_t room = b->used < b->size ? b->size - b->used : 0;

	memcpy(b->buf + b->used, p, MIN(n, room));
	b->used += MIN(n, room);
}

int
lib_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { { buf_put }, buf, size > 0 ? size - 1 : 0, 0 };
	int n = lib_vformat(&b.sink, fmt, ap);

	if (size > 0)
		buf[b.used] = '\0';
	return n;
}
