/*
 * hasher.h: SHA-256 of a stream, on another CPU when there is one, so
 * that receiving and hashing overlap as in `curl | sha256sum`.
 *
 *	struct hasher *hs = hasher_new();	(NULL: out of memory)
 *	hasher_update(hs, data, len);		(any number of times)
 *	hasher_final(hs, digest);		(frees hs)
 *
 * With one CPU it hashes in the caller's thread.  With more, bytes are
 * copied into 64 KiB blocks that a thread on the last CPU hashes, in
 * order; the caller waits only when every block is in that thread's
 * hands.
 */
#ifndef FETCH_HASHER_H
#define FETCH_HASHER_H

#include "sha256.h"

struct hasher;

struct hasher *hasher_new(void);
void hasher_update(struct hasher *hs, const void *data, size_t len);
void hasher_final(struct hasher *hs, uint8_t digest[SHA256_LEN]);

#endif
