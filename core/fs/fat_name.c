/*
 * fat_name.c: names on a FAT volume: UTF-8 to and from UTF-16, short
 * (8.3) names and their generation, long-name entries and checksums.
 *
 * Interface: fat.h (fat_name_* , fat_short_*, fat_lfn_*).  Long names
 * are UTF-16, at most 255 units; short names are 11 bytes, upper case,
 * space padded.  A generated short name follows the specification's
 * basis-name rules: upper case, invalid characters become '_', spaces
 * and leading periods go, 8 + 3 characters, then a "~N" numeric tail
 * when the name lost something or collides.
 *
 * Rules: names are compared case-insensitively for ASCII letters only.
 * Short-name bytes above 0x7f (an OEM code page we do not know) read as
 * Latin-1; we never write such bytes.
 */
#include "core/fs/fat.h"
#include "toro/errno.h"

static uint16_t
upper(uint16_t c)
{
	return c >= 'a' && c <= 'z' ? (uint16_t)(c - 32) : c;
}

static bool
lfn_char_ok(uint32_t c)
{
	if (c < 0x20 || c == 0x7f)
		return false;
	switch (c) {
	case '"': case '*': case '/': case ':': case '<': case '>':
	case '?': case '\\': case '|':
		return false;
	}
	return true;
}

static bool
short_char_ok(uint16_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '$': case '%': case '\'': case '-': case '_': case '@':
	case '~': case '`': case '!': case '(': case ')': case '{':
	case '}': case '^': case '#': case '&':
		return true;
	}
	return false;
}

/* Decode one UTF-8 character; 0 on a malformed sequence. */
static size_t
utf8_get(const uint8_t *s, size_t len, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80)
		n = 1;
	else if ((c & 0xe0) == 0xc0)
		n = 2;
	else if ((c & 0xf0) == 0xe0)
		n = 3;
	else if ((c & 0xf8) == 0xf0)
		n = 4;
	else
		return 0;
	if (n > len)
		return 0;
	c &= 0x7fu >> (n == 1 ? 0 : n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
fat_name_from_utf8(const char *s, size_t len, uint16_t *u, int *np)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t c;
	size_t i = 0, k;
	int n = 0;

	while (i < len) {
		if ((k = utf8_get(p + i, len - i, &c)) == 0 || !lfn_char_ok(c))
			return -TORO_EINVAL;
		i += k;
		if (n + (c >= 0x10000 ? 2 : 1) > FAT_NAME_MAX)
			return -TORO_ENAMETOOLONG;
		if (c >= 0x10000) {
			c -= 0x10000;
			u[n++] = (uint16_t)(0xd800 | c >> 10);
			u[n++] = (uint16_t)(0xdc00 | (c & 0x3ff));
		} else
			u[n++] = (uint16_t)c;
	}
	/* Windows drops trailing dots and spaces; so do we. */
	while (n > 0 && (u[n - 1] == '.' || u[n - 1] == ' '))
		n--;
	if (n == 0)
		return -TORO_EINVAL;
	*np = n;
	return 0;
}

static size_t
put_utf8(char *out, size_t size, size_t o, uint32_t c)
{
	static const uint8_t lead[5] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	size_t n, i;

	n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
	if (o + n >= size)
		return o;
	for (i = n - 1; i > 0; i--) {
		out[o + i] = (char)(0x80 | (c & 0x3f));
		c >>= 6;
	}
	out[o] = (char)(lead[n] | c);
	return o + n;
}

size_t
fat_name_to_utf8(const uint16_t *u, int n, char *out, size_t size)
{
	size_t o = 0;
	uint32_t c;
	int i;

	if (size == 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = u[i];
		if (c >= 0xd800 && c <= 0xdbff && i + 1 < n &&
		    u[i + 1] >= 0xdc00 && u[i + 1] <= 0xdfff) {
			c = 0x10000 + ((c - 0xd800) << 10) +
			    (u[i + 1] - 0xdc00);
			i++;
		} else if (c >= 0xd800 && c <= 0xdfff)
			c = 0xfffd;
		o = put_utf8(out, size, o, c);
	}
	out[o] = '\0';
	return o;
}

bool
fat_name_eq(const uint16_t *a, int na, const uint16_t *b, int nb)
{
	int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (upper(a[i]) != upper(b[i]))
			return false;
	return true;
}

uint8_t
fat_lfn_sum(const uint8_t *sn)
{
	uint8_t sum = 0;
	int i;

	for (i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sn[i]);
	return sum;
}

bool
fat_short_exact(const uint16_t *u, int n, uint8_t *sn)
{
	int i, k = 0, dot = -1;

	for (i = 0; i < n; i++)
		if (u[i] == '.') {
			if (dot >= 0)
				return false;
			dot = i;
		} else if (!short_char_ok(u[i]))
			return false;
	if (dot == 0 || (dot < 0 && n > 8) ||
	    (dot > 0 && (dot > 8 || n - dot - 1 > 3 || n - dot - 1 < 1)))
		return false;
	memset(sn, ' ', 11);
	for (i = 0; i < n; i++) {
		if (i == dot) {
			k = 8;
			continue;
		}
		sn[k++] = (uint8_t)u[i];
	}
	return true;
}

bool
fat_short_basis(const uint16_t *u, int n, uint8_t *sn)
{
	int i, k, last = -1, start = 0;
	bool clean = true;
	uint16_t c;

	memset(sn, ' ', 11);
	for (i = 0; i < n; i++)
		if (u[i] == '.')
			last = i;
	while (start < n && (u[start] == '.' || u[start] == ' '))
		start++, clean = false;
	if (last < start)
		last = -1;
	for (i = start, k = 0; i < (last >= 0 ? last : n); i++) {
		c = upper(u[i]);
		if (c == ' ' || c == '.') {
			clean = false;
			continue;
		}
		if (k == 8) {
			clean = false;
			break;
		}
		if (!short_char_ok(c))
			c = '_', clean = false;
		sn[k++] = (uint8_t)c;
	}
	if (k == 0)
		sn[0] = '_', clean = false;
	for (i = last + 1, k = 8; last >= 0 && i < n; i++) {
		c = upper(u[i]);
		if (c == ' ') {
			clean = false;
			continue;
		}
		if (k == 11) {
			clean = false;
			break;
		}
		if (!short_char_ok(c))
			c = '_', clean = false;
		sn[k++] = (uint8_t)c;
	}
	return clean;
}

static int
base_len(const uint8_t *sn)
{
	int n = 8;

	while (n > 0 && sn[n - 1] == ' ')
		n--;
	return n;
}

void
fat_short_tail(const uint8_t *basis, uint32_t num, uint8_t *sn)
{
	char digits[11];
	int nd = 0, keep, i;

	do {
		digits[nd++] = (char)('0' + num % 10);
		num /= 10;
	} while (num != 0);
	memcpy(sn, basis, 11);
	keep = MIN(base_len(basis), 8 - 1 - nd);
	memset(sn + keep, ' ', (size_t)(8 - keep));
	sn[keep] = '~';
	for (i = 0; i < nd; i++)
		sn[keep + 1 + i] = (uint8_t)digits[nd - 1 - i];
}

uint32_t
fat_short_tail_of(const uint8_t *basis, const uint8_t *sn)
{
	int len = base_len(sn), t, i, nd;
	uint32_t num = 0;

	if (memcmp(basis + 8, sn + 8, 3) != 0)
		return 0;
	for (t = len - 1; t >= 0 && sn[t] != '~'; t--)
		;
	nd = len - t - 1;
	if (t < 0 || nd < 1 || nd > 6 || sn[t + 1] == '0')
		return 0;
	for (i = t + 1; i < len; i++) {
		if (sn[i] < '0' || sn[i] > '9')
			return 0;
		num = num * 10 + (uint32_t)(sn[i] - '0');
	}
	if (t != MIN(base_len(basis), 8 - 1 - nd) ||
	    memcmp(sn, basis, (size_t)t) != 0)
		return 0;
	return num;
}

void
fat_short_decode(const uint8_t *sn, uint8_t ntres, uint16_t *u, int *np)
{
	int n = 0, i, bl = base_len(sn), el = 3;
	uint16_t c;

	while (el > 0 && sn[8 + el - 1] == ' ')
		el--;
	for (i = 0; i < bl; i++) {
		c = (i == 0 && sn[0] == 0x05) ? 0xe5 : sn[i];
		if ((ntres & 0x08) && c >= 'A' && c <= 'Z')
			c += 32;
		u[n++] = c;
	}
	if (el > 0)
		u[n++] = '.';
	for (i = 0; i < el; i++) {
		c = sn[8 + i];
		if ((ntres & 0x10) && c >= 'A' && c <= 'Z')
			c += 32;
		u[n++] = c;
	}
	*np = n;
}

bool
fat_short_is(const uint8_t *sn, const uint16_t *u, int n)
{
	int i, k = 0, bl, el = 3;
	uint16_t c;

	/* Most entries differ early on: look there first. */
	for (i = 0; i < 8 && i < n && sn[i] != ' '; i++) {
		c = (i == 0 && sn[0] == 0x05) ? 0xe5 : sn[i];
		if (upper(c) != upper(u[i]))
			return false;
	}
	bl = base_len(sn);
	while (el > 0 && sn[8 + el - 1] == ' ')
		el--;
	if (n != bl + (el > 0 ? el + 1 : 0))
		return false;
	for (i = 0; i < bl; i++) {
		c = (i == 0 && sn[0] == 0x05) ? 0xe5 : sn[i];
		if (upper(c) != upper(u[k++]))
			return false;
	}
	if (el > 0 && u[k++] != '.')
		return false;
	for (i = 0; i < el; i++)
		if (upper(sn[8 + i]) != upper(u[k++]))
			return false;
	return true;
}

/* Where the 13 characters of a long-name entry are. */
static const uint8_t lfn_off[13] = {
	1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30
};

void
fat_lfn_pack(uint8_t *e, const uint16_t *u, int n, int ord, bool last,
    uint8_t sum)
{
	int k, i;
	uint16_t c;

	memset(e, 0, FAT_DIRENT);
	e[0] = (uint8_t)(ord | (last ? 0x40 : 0));
	e[DE_ATTR] = FAT_ATTR_LFN;
	e[13] = sum;
	for (k = 0; k < 13; k++) {
		i = (ord - 1) * 13 + k;
		c = i < n ? u[i] : i == n ? 0x0000 : 0xffff;
		fat_put16(e + lfn_off[k], c);
	}
}

void
fat_lfn_unpack(const uint8_t *e, uint16_t *chars)
{
	int k;

	for (k = 0; k < 13; k++)
		chars[k] = fat_le16(e + lfn_off[k]);
}

bool
fat_lfn_match(const uint8_t *e, int ord, const uint16_t *u, int n)
{
	int k, i = (ord - 1) * 13;
	uint16_t c;

	/* Past the name's end: the entry holding its end decides. */
	if (i > n)
		return true;
	for (k = 0; k < 13; k++, i++) {
		c = fat_le16(e + lfn_off[k]);
		if (i == n)
			return c == 0 || n == FAT_NAME_MAX;
		if (upper(c) != upper(u[i]))
			return false;
	}
	return true;
}

/*
 * Name hashes for the directory summaries (fat_dsum.c): a character's
 * mix with its position, XORed, so that a long name's entries, which
 * come last part first, hash in any order.  Case is folded as the
 * comparisons above fold it, so names that compare equal hash equal.
 */
static uint32_t
mix(int pos, uint16_t c)
{
	uint32_t x = ((uint32_t)pos << 16 | upper(c)) * 0x9e3779b1u;

	x ^= x >> 15;
	x *= 0x85ebca77u;
	return x ^ (x >> 13);
}

uint32_t
fat_name_hash(const uint16_t *u, int n)
{
	uint32_t h = 0;
	int i;

	for (i = 0; i < n; i++)
		h ^= mix(i, u[i]);
	return h;
}

uint32_t
fat_short_hash(const uint8_t *sn)
{
	int i, k = 0, bl = base_len(sn), el = 3;
	uint32_t h = 0;

	/* The name fat_short_is compares with, character by character. */
	for (i = 0; i < bl; i++)
		h ^= mix(k++, (i == 0 && sn[0] == 0x05) ? 0xe5 : sn[i]);
	while (el > 0 && sn[8 + el - 1] == ' ')
		el--;
	if (el > 0)
		h ^= mix(k++, '.');
	for (i = 0; i < el; i++)
		h ^= mix(k++, sn[8 + i]);
	return h;
}

uint32_t
fat_lfn_hash(const uint8_t *e, int ord, uint32_t h, bool *end)
{
	int k, i = (ord - 1) * 13;
	uint16_t c;

	*end = false;
	for (k = 0; k < 13 && i < FAT_NAME_MAX; k++, i++) {
		if ((c = fat_le16(e + lfn_off[k])) == 0) {
			*end = true;
			break;
		}
		h ^= mix(i, c);
	}
	return h;
}
