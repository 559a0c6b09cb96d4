/*
 * cmdline/fuzz.c: the kernel command line (core/lib/cmdline.c) and the
 * simulator's options (sim/options.c).
 *
 * Input: the kernel command line, then a NUL, then the sim's argv, one
 * word a line (argv[0] first).  The command line is parsed as the core
 * parses it; its options' values go through the parsers that read them
 * (toro_inet_aton, and net_start's ip=, gw=, dns= on a fake machine).
 * The words go to sim_options_scan(), and when it accepts them, the
 * kernel command line it made must split back into the words it was
 * made of (unless a word holds a double quote, which the format cannot
 * carry).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lib/lib.h"
#include "core/net/net.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakenet.h"
#include "sim/sim.h"
#include "tests/fuzz/machine.h"
#include "toro/socket.h"

#define WORDS_MAX 64

/* The sim's own; options.c calls it when out of memory. */
void
sim_fatal(const char *fmt, ...)
{
	abort();
}

static struct sim_config cfg;

static const char *const keys[] = { "loglevel", "stack", "idle", "ip", "gw",
	"dns", "watchdog", "x" };

static void
kernel_line(void)
{
	char **argv = lib_argv();
	const char *v;
	uint32_t a;
	size_t i;
	int n;

	for (n = 0; n < lib_argc(); n++)
		(void)toro_inet_aton(argv[n], &a);
	if (argv[n] != NULL)
		fuzz_fail("argv[%d] is not NULL", n);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((v = lib_option(keys[i])) != NULL)
			(void)toro_inet_aton(v, &a);
}

static void *
net_options(void *unused)
{
	/* -TORO_EINVAL for a bad ip=, gw= or dns=: it only must not crash. */
	(void)net_start(0);
	return NULL;
}

/* The word is one of the environment's (NAME=value before `--`). */
static bool
in_environ(const char *word)
{
	char **e;

	for (e = lib_environ(); e != NULL && *e != NULL; e++)
		if (strcmp(*e, word) == 0)
			return true;
	return false;
}

/*
 * The words sim_options_scan() passed on, split back by the core: each
 * is a kernel option, an environment word or the next of argv.
 */
static void
round_trip(char **w, int n)
{
	char **argv;
	bool rest = false;
	const char *eq;
	char key[64];
	int i, j = 1;

	for (i = 0; i < n; i++)
		if (strchr(w[i], '"') != NULL)
			return;
	if (lib_cmdline_parse(cfg.cmdline) < 0)
		return; /* too long or too many words: refused, not cut */
	argv = lib_argv();
	for (i = 0; i < n; i++) {
		if (!rest && strcmp(w[i], "--") == 0) {
			rest = true;
			continue;
		}
		if (j < lib_argc() && strcmp(argv[j], w[i]) == 0) {
			j++;
			continue;
		}
		eq = strchr(w[i], '=');
		/* An environment word's NAME may be longer than any key. */
		if (!rest && eq != NULL && in_environ(w[i]))
			continue;
		if (!rest && eq != NULL && (size_t)(eq - w[i]) < sizeof(key)) {
			memcpy(key, w[i], (size_t)(eq - w[i]));
			key[eq - w[i]] = '\0';
			if (lib_option(key) != NULL)
				continue;
		}
		fuzz_fail("word %d '%s' of the sim's command line is lost "
			  "in '%s'",
		    i, w[i], cfg.cmdline);
	}
	if (j != lib_argc())
		fuzz_fail("'%s' has %d more words than were given", cfg.cmdline,
		    lib_argc() - j);
}

/*
 * Where the kernel's words start in an argv sim_options_scan() took:
 * after `--`, or at the first word that is not an option.
 */
static int
first_word(char **argv, int argc)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			return i;
		if (strchr(argv[i], '=') == NULL)
			i++; /* the value is the next word */
	}
	return argc < i ? argc : i;
}

static void
sim_words(char *s, size_t len)
{
	char *argv[WORDS_MAX + 1], err[512], *end = s + len, *nl;
	int argc = 0;

	while (argc < WORDS_MAX && s <= end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		argv[argc++] = s;
		s = nl + 1;
	}
	argv[argc] = NULL;
	memset(&cfg, 0, sizeof(cfg));
	if (sim_options_scan(argc, argv, &cfg, err, sizeof(err)) == 0)
		round_trip(argv + first_word(argv, argc),
		    argc - first_word(argv, argc));
	sim_options_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *nul;
	size_t n;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);
	if (lib_cmdline_parse(s) == 0) {
		kernel_line();
	}
	/* fake_set_cmdline keeps 4095 bytes. */
	if (n < 4096 && lib_cmdline_parse(s) == 0) {
		fuzz_machine_reset();
		fake_set_cmdline(s);
		fuzz_machine_run(1, 4u << 20, net_options, NULL);
	}
	nul = s + n;
	if (nul < s + size)
		sim_words(nul + 1, size - n - 1);
	free(s);
	return 0;
}
