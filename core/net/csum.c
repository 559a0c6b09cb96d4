/*
 * csum.c: the Internet checksum (RFC 1071), one's-complement sums of
 * 16-bit big-endian words, with the IPv4 pseudo-header of RFC 793/768.
 */
#include "core/net/net.h"

uint32_t
net_csum_add(uint32_t sum, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t s = sum;

	while (n >= 2) {
		s += (uint32_t)(b[0] << 8 | b[1]);
		b += 2;
		n -= 2;
	}
	if (n == 1)
		s += (uint32_t)b[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t
net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t
net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	uint64_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) +
	    (dst & 0xffff) + proto + len;

	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}
