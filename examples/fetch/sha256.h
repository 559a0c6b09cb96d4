/*
 * sha256.h: SHA-256 (FIPS 180-4, section 6.2), incremental.
 *
 *	struct sha256 h;
 *	sha256_init(&h);
 *	sha256_update(&h, data, len);	(any number of times)
 *	sha256_final(&h, digest);	(32 bytes; h is then spent)
 */
#ifndef FETCH_SHA256_H
#define FETCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;		/* message length so far */
	uint8_t block[64];	/* a partial block */
	size_t fill;		/* bytes in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t digest[SHA256_LEN]);

#endif
