/*
 * sha256.c: SHA-256 from FIPS 180-4 (sections 4.1.2, 4.2.2, 5.1.1,
 * 5.3.3 and 6.2), written for fetch.  See sha256.h for the interface.
 * Words are big-endian on the wire whatever the host; no table beyond K.
 */
#include "sha256.h"

/* 4.2.2: the first 32 bits of the cube roots of the first 64 primes. */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) ((x) >> (n) | (x) << (32 - (n)))
/* 4.1.2, CH and MAJ in fewer operations (the same functions). */
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

/*
 * One round of 6.2.2 step 3, on W[t] (in a ring of 16 words: step 1's
 * schedule computed as the rounds go).  Instead of moving the eight
 * working variables down one place, the next round names them one
 * place over.
 */
#define W(t) w[(t) & 15]
#define SCHED(t)                                                               \
	(W(t) += SSIG1(W((t) - 2)) + W((t) - 7) + SSIG0(W((t) - 15)))
#define ROUND(a, b, c, d, e, f, g, h, t, wt)                                   \
	do {                                                                   \
		uint32_t t1_ = (h) + BSIG1(e) + CH(e, f, g) + K[t] + (wt);     \
		(d) += t1_;                                                    \
		(h) = t1_ + BSIG0(a) + MAJ(a, b, c);                           \
	} while (0)
#define EIGHT(t, wf)                                                           \
	do {                                                                   \
		ROUND(a, b, c, d, e, f, g, hh, (t), wf((t)));                  \
		ROUND(hh, a, b, c, d, e, f, g, (t) + 1, wf((t) + 1));          \
		ROUND(g, hh, a, b, c, d, e, f, (t) + 2, wf((t) + 2));          \
		ROUND(f, g, hh, a, b, c, d, e, (t) + 3, wf((t) + 3));          \
		ROUND(e, f, g, hh, a, b, c, d, (t) + 4, wf((t) + 4));          \
		ROUND(d, e, f, g, hh, a, b, c, (t) + 5, wf((t) + 5));          \
		ROUND(c, d, e, f, g, hh, a, b, (t) + 6, wf((t) + 6));          \
		ROUND(b, c, d, e, f, g, hh, a, (t) + 7, wf((t) + 7));          \
	} while (0)

void
sha256_init(struct sha256 *s)
{
	/* 5.3.3: square roots of the first 8 primes. */
	s->h[0] = 0x6a09e667;
	s->h[1] = 0xbb67ae85;
	s->h[2] = 0x3c6ef372;
	s->h[3] = 0xa54ff53a;
	s->h[4] = 0x510e527f;
	s->h[5] = 0x9b05688c;
	s->h[6] = 0x1f83d9ab;
	s->h[7] = 0x5be0cd19;
	s->bytes = 0;
	s->fill = 0;
}

/* 6.2.2: one 512-bit block. */
static void
compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[16], a, b, c, d, e, f, g, hh;
	int t;

	for (t = 0; t < 16; t++, p += 4)
		w[t] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | p[3];
	a = h[0], b = h[1], c = h[2], d = h[3];
	e = h[4], f = h[5], g = h[6], hh = h[7];
	/* Unrolled, so that every index is a constant. */
	EIGHT(0, W);
	EIGHT(8, W);
	EIGHT(16, SCHED);
	EIGHT(24, SCHED);
	EIGHT(32, SCHED);
	EIGHT(40, SCHED);
	EIGHT(48, SCHED);
	EIGHT(56, SCHED);
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void
sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->bytes += len;
	while (len > 0) {
		if (s->fill == 0 && len >= 64) {
			compress(s->h, p);
			p += 64;
			len -= 64;
			continue;
		}
		s->block[s->fill++] = *p++;
		len--;
		if (s->fill == 64) {
			compress(s->h, s->block);
			s->fill = 0;
		}
	}
}

void
sha256_final(struct sha256 *s, uint8_t digest[SHA256_LEN])
{
	uint64_t bits = s->bytes * 8;
	int i;

	/* 5.1.1: a 1 bit, zeroes to 56 mod 64 bytes, the length in bits. */
	s->block[s->fill++] = 0x80;
	if (s->fill > 56) {
		while (s->fill < 64)
			s->block[s->fill++] = 0;
		compress(s->h, s->block);
		s->fill = 0;
	}
	while (s->fill < 56)
		s->block[s->fill++] = 0;
	for (i = 0; i < 8; i++)
		s->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress(s->h, s->block);
	for (i = 0; i < 32; i++)
		digest[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}
