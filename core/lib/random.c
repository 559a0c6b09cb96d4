/*
 * random.c: the kernel's random bytes, for secrets (the TCP stack's
 * SipHash key, DNS query IDs, the first ephemeral port) and for the C
 * library's getrandom() and getentropy().
 *
 * Interface (lib.h): lib_random(buf, n) fills buf (the public
 * toro_random() is kern's); lib_random_source()
 * says what seeded it; lib_chacha20_block() is the block function, for
 * its known-answer test.
 *
 * Design: a ChaCha20 keystream (RFC 8439) keyed at first use from
 * hal_entropy().  Keystream is made 16 blocks at a time; the first 32
 * bytes of each batch become the next key, and every byte is zeroed as
 * it is handed out, so the state read at any time cannot give back what
 * was handed out before ("fast key erasure").  A machine without an
 * entropy source is keyed from the clocks' jitter instead, which an
 * attacker who knows the boot time may guess; lib_random_source() then
 * says "jitter" and the kernel warns at boot.
 *
 * Rules: callable from any thread on any CPU, not from a trap handler
 * (it takes a spin lock).
 */
#include "core/lib/klib.h"
#include "core/lib/lib.h"
#include "hal/hal.h"

#define BLOCK 64
#define BATCH (16 * BLOCK)
#define KEY 32

static struct spinlock lock;
static uint32_t key[8];
static uint64_t batches; /* the nonce: a key is never used twice anyway */
static uint8_t out[BATCH];
static size_t avail; /* unread bytes at the end of out */
static const char *source;

#define ROTL(v, n) ((v) << (n) | (v) >> (32 - (n)))
#define QR(a, b, c, d)                                                         \
	do {                                                                   \
		a += b, d ^= a, d = ROTL(d, 16);                               \
		c += d, b ^= c, b = ROTL(b, 12);                               \
		a += b, d ^= a, d = ROTL(d, 8);                                \
		c += d, b ^= c, b = ROTL(b, 7);                                \
	} while (0)

static uint32_t
get32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

void
lib_chacha20_block(const uint32_t k[8], uint32_t counter,
    const uint32_t nonce[3], uint8_t block[64])
{
	uint32_t in[16], x[16];
	int i;

	in[0] = 0x61707865, in[1] = 0x3320646e;
	in[2] = 0x79622d32, in[3] = 0x6b206574;
	for (i = 0; i < 8; i++)
		in[4 + i] = k[i];
	in[12] = counter;
	for (i = 0; i < 3; i++)
		in[13 + i] = nonce[i];
	memcpy(x, in, sizeof(x));
	for (i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		block[4 * i] = (uint8_t)v, block[4 * i + 1] = (uint8_t)(v >> 8);
		block[4 * i + 2] = (uint8_t)(v >> 16);
		block[4 * i + 3] = (uint8_t)(v >> 24);
	}
}

/* The next batch of keystream, and the key after it.  Call locked. */
static void
refill(void)
{
	uint32_t nonce[3] = { (uint32_t)batches, (uint32_t)(batches >> 32), 0 };
	int i;

	batches++;
	for (i = 0; i < BATCH / BLOCK; i++)
		lib_chacha20_block(key, (uint32_t)i, nonce, out + i * BLOCK);
	for (i = 0; i < 8; i++)
		key[i] = get32le(out + 4 * i);
	memset(out, 0, KEY);
	avail = BATCH - KEY;
}

/*
 * Without an entropy source: the low bits of many clock readings taken
 * back to back vary with caches, interrupts and the host's scheduling.
 * Each round folds 64 readings into the key through the block function.
 */
static void
seed_jitter(uint32_t k[8])
{
	uint32_t nonce[3] = { 0, 0, 0 };
	uint8_t b[BLOCK];
	int round, i;

	for (round = 0; round < 16; round++) {
		for (i = 0; i < 16; i++) {
			uint64_t t0 = hal_time_ns(), t1 = hal_time_ns();

			nonce[i % 3] ^=
			    (uint32_t)(t1 - t0) << (i % 16) ^ (uint32_t)t1;
		}
		nonce[2] ^= (uint32_t)hal_wall_ns();
		lib_chacha20_block(k, (uint32_t)round, nonce, b);
		for (i = 0; i < 8; i++)
			k[i] ^= get32le(b + 4 * i);
	}
	memset(b, 0, sizeof(b));
	__asm__ volatile("" : : "r"(b) : "memory"); /* keep the memset */
}

/* Key the generator.  Call locked, once. */
static void
seed(void)
{
	uint8_t s[KEY];
	int i;

	if (hal_entropy(s, sizeof(s)) == 0) {
		for (i = 0; i < 8; i++)
			key[i] = get32le(s + 4 * i);
		source = "machine";
	} else {
		seed_jitter(key);
		source = "jitter";
	}
	memset(s, 0, sizeof(s));
	__asm__ volatile("" : : "r"(s) : "memory"); /* keep the memset */
	refill();
}

void
lib_random(void *buf, size_t n)
{
	uint8_t *p = buf;

	lib_spin_lock(&lock);
	if (source == NULL)
		seed();
	while (n > 0) {
		size_t k;

		if (avail == 0)
			refill();
		k = MIN(n, avail);
		memcpy(p, out + BATCH - avail, k);
		memset(out + BATCH - avail, 0, k);
		avail -= k, p += k, n -= k;
	}
	lib_spin_unlock(&lock);
}

uint32_t
lib_random_u32(void)
{
	uint32_t v;

	lib_random(&v, sizeof(v));
	return v;
}

const char *
lib_random_source(void)
{
	const char *s;

	lib_spin_lock(&lock);
	if (source == NULL)
		seed();
	s = source;
	lib_spin_unlock(&lock);
	return s;
}
