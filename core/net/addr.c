/*
 * addr.c: IPv4 addresses as text, "A.B.C.D" <-> host-order integers
 * (toro/socket.h).
 *
 * Rules: exactly four decimal parts of 0..255, no leading '+', no
 * spaces, no shorthand such as "10.1"; leading zeros are read as decimal.
 */
#include "core/lib/klib.h"
#include "toro/errno.h"
#include "toro/socket.h"

int
toro_inet_aton(const char *s, uint32_t *addr)
{
	uint32_t a = 0, part;
	int i, digits;

	if (s == NULL || addr == NULL)
		return -TORO_EINVAL;
	for (i = 0; i < 4; i++) {
		part = 0;
		for (digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			part = part * 10 + (uint32_t)(*s - '0');
			if (part > 255 || digits >= 3)
				return -TORO_EINVAL;
		}
		if (digits == 0)
			return -TORO_EINVAL;
		a = a << 8 | part;
		if (i < 3 && *s++ != '.')
			return -TORO_EINVAL;
	}
	if (*s != '\0')
		return -TORO_EINVAL;
	*addr = a;
	return 0;
}

static char *
put_dec(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

char *
toro_inet_ntoa(uint32_t addr, char *buf)
{
	char *p = buf;
	int i;

	for (i = 3; i >= 0; i--) {
		p = put_dec(p, (addr >> (8 * i)) & 0xff);
		if (i > 0)
			*p++ = '.';
	}
	*p = '\0';
	return buf;
}
