/*
 * random: getrandom() and getentropy() of the C library, over the
 * kernel's generator.  Prints the first 16 bytes of a 64-byte draw (two
 * boots must differ) and "random: ok" when every check passed; a failed
 * check prints what failed and exits with 1.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static int failed;

static void
expect(int ok, const char *what)
{
	if (!ok) {
		printf("random: FAILED: %s (errno %d)\n", what, errno);
		failed = 1;
	}
}

int
main(void)
{
	static unsigned char big[100000];
	unsigned char a[64], b[64], e[256], zero[64] = { 0 };
	long ones = 0;
	size_t i;

	expect(getrandom(a, sizeof(a), 0) == sizeof(a), "getrandom 64");
	expect(getrandom(b, sizeof(b), GRND_NONBLOCK) == sizeof(b),
	    "getrandom GRND_NONBLOCK");
	expect(memcmp(a, b, sizeof(a)) != 0, "two draws differ");
	expect(memcmp(a, zero, sizeof(a)) != 0, "a draw is not zeros");
	expect(getentropy(e, sizeof(e)) == 0, "getentropy 256");
	errno = 0;
	expect(getentropy(e, 257) == -1 && errno == EIO, "getentropy 257 EIO");
	errno = 0;
	expect(getrandom(a, sizeof(a), 0x80) == -1 && errno == EINVAL,
	    "getrandom unknown flag EINVAL");
	expect(getrandom(big, sizeof(big), GRND_RANDOM) == sizeof(big),
	    "getrandom 100000");
	for (i = 0; i < sizeof(big); i++)
		ones += __builtin_popcount(big[i]);
	expect(ones > 396000 && ones < 404000, "about half the bits set");
	printf("random: ");
	for (i = 0; i < 16; i++)
		printf("%02x", a[i]);
	printf("\n");
	if (!failed)
		printf("random: ok\n");
	return failed;
}
