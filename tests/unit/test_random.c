/*
 * test_random.c: the kernel's random bytes (core/lib/random.c) on the
 * fake HAL: the ChaCha20 block function against RFC 8439's test vector,
 * output that spans many batches and looks random, and the fallback to
 * clock jitter on a machine without an entropy source.
 */
#include <check.h>
#include <string.h>

#include "core/lib/lib.h"
#include "hal/fake/fake.h"
#include "hal/hal.h"
#include "tests/unit/unit.h"

/* RFC 8439 2.3.2: key 00..1f, nonce 00 00 00 09 00 00 00 4a 00.., count 1. */
START_TEST(chacha20_rfc8439)
{
	static const uint8_t want[64] = { 0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b,
		0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
		0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22,
		0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46,
		0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b,
		0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9,
		0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e };
	uint32_t key[8], nonce[3] = { 0x09000000, 0x4a000000, 0 };
	uint8_t b[64];
	int i;

	for (i = 0; i < 8; i++)
		key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 |
		    (uint32_t)(4 * i + 2) << 16 | (uint32_t)(4 * i + 3) << 24;
	lib_chacha20_block(key, 1, nonce, b);
	ck_assert_mem_eq(b, want, sizeof(want));
}
END_TEST

static int
ones(const uint8_t *p, size_t n)
{
	int c = 0;

	while (n-- > 0)
		c += __builtin_popcount(*p++);
	return c;
}

/* Bytes across many 1 KiB batches: about half the bits set, no repeats. */
static void
looks_random(void)
{
	static uint8_t a[100000], b[64], c[64];
	double share;
	size_t i;

	lib_random(a, 7); /* leave the batch at an odd offset */
	lib_random(a, sizeof(a));
	lib_random(b, sizeof(b));
	lib_random(c, sizeof(c));
	ck_assert_mem_ne(b, c, sizeof(b));
	share = ones(a, sizeof(a)) / (8.0 * sizeof(a));
	ck_assert_msg(share > 0.495 && share < 0.505, "ones: %f", share);
	/* No 64-byte block repeats a neighbour (a stuck or reused key). */
	for (i = 64; i + 64 <= sizeof(a); i += 64)
		ck_assert_mem_ne(a + i - 64, a + i, 64);
	lib_random(a, 0);
}

START_TEST(random_from_the_machine)
{
	looks_random();
	ck_assert_str_eq(lib_random_source(), "machine");
}
END_TEST

START_TEST(random_without_a_source)
{
	fake_set_entropy(false);
	looks_random();
	ck_assert_str_eq(lib_random_source(), "jitter");
}
END_TEST

/*
 * The generator's first bytes are batch 0 of ChaCha20 under the seed,
 * after the 32 bytes that became the next key.
 */
START_TEST(random_is_chacha20_of_the_seed)
{
	uint8_t a[32], k[32], block[64];
	uint32_t key[8], nonce[3] = { 0, 0, 0 };

	fake_set_entropy(true);
	ck_assert_int_eq(hal_entropy(k, sizeof(k)), 0);
	fake_set_entropy(true); /* the same bytes again, for the generator */
	lib_random(a, sizeof(a));
	memcpy(key, k, sizeof(k));
	lib_chacha20_block(key, 0, nonce, block);
	ck_assert_mem_eq(a, block + 32, sizeof(a));
	lib_random(a, sizeof(a));
	ck_assert_mem_ne(a, block + 32, sizeof(a));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("random");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, chacha20_rfc8439);
	tcase_add_test(tc, random_from_the_machine);
	tcase_add_test(tc, random_without_a_source);
	tcase_add_test(tc, random_is_chacha20_of_the_seed);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
