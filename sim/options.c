/*
 * options.c: the simulator's command line.
 *
 *	PROG [--cpus N] [--mem MB] [--help] [--] [KERNEL COMMAND LINE...]
 *
 * Interface: sim_options_parse() fills a struct sim_config.  Options may
 * also be written --cpus=N.  What follows `--`, or starts at the first word
 * that is not an option, is the kernel command line: the words joined with
 * single spaces, a word holding blanks (or an empty word) put in double
 * quotes, so the core splits it back as it splits the native one.
 *
 * Rules: runs once, on the main thread, before any CPU.  A bad option
 * prints one line naming it, then the usage, on stderr and exits with
 * status 2; --help prints the usage on stdout and exits with 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/hal.h"
#include "sim/sim.h"

enum { MEM_MIN_MB = 1, MEM_MAX_MB = 1 << 20 };

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
	    "usage: %s [--cpus N] [--mem MB] [--help] [--] "
	    "[KERNEL COMMAND LINE...]\n"
	    "  --cpus N  number of CPUs, 1..%d (default 1)\n"
	    "  --mem MB  RAM in MiB, %d..%d (default 128)\n"
	    "  --help    print this help and exit\n"
	    "The first word that is not an option, or all words after --,"
	    " start the kernel\ncommand line.\n",
	    prog, HAL_CPU_MAX, MEM_MIN_MB, MEM_MAX_MB);
}

__attribute__((noreturn, format(printf, 2, 3))) static void
bad(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr, prog);
	exit(2);
}

/* A decimal number in [min, max], or -1. */
static long
number(const char *s, long min, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	return v;
}

static bool
needs_quotes(const char *w)
{
	return *w == '\0' || strpbrk(w, " \t\n\r\v\f") != NULL;
}

/* Join words into one string, quoting the words that need it. */
static char *
join(char **words, int n)
{
	size_t len = 1;
	char *s, *p;
	int i;

	for (i = 0; i < n; i++)
		len += strlen(words[i]) + 3;
	if ((s = malloc(len)) == NULL)
		sim_fatal("out of memory for the kernel command line");
	p = s;
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ' ';
		if (needs_quotes(words[i]))
			p += sprintf(p, "\"%s\"", words[i]);
		else
			p += sprintf(p, "%s", words[i]);
	}
	*p = '\0';
	return s;
}

void
sim_options_parse(int argc, char **argv, struct sim_config *cfg)
{
	const char *prog, *name, *value, *eq;
	size_t namelen;
	bool cpus;
	long v;
	int i;

	prog = argc > 0 && argv[0] != NULL ? argv[0] : "sim";
	if (strrchr(prog, '/') != NULL)
		prog = strrchr(prog, '/') + 1;
	cfg->prog = prog;

	for (i = 1; i < argc; i++) {
		name = argv[i];
		if (strcmp(name, "--") == 0) {
			i++;
			break;
		}
		if (name[0] != '-' || name[1] == '\0')
			break;
		if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
			usage(stdout, prog);
			exit(0);
		}

		/* The value is after '=' or in the next word. */
		eq = strchr(name, '=');
		namelen = eq != NULL ? (size_t)(eq - name) : strlen(name);
		if (namelen == 6 && strncmp(name, "--cpus", 6) == 0)
			cpus = true;
		else if (namelen == 5 && strncmp(name, "--mem", 5) == 0)
			cpus = false;
		else
			bad(prog, "unknown option '%s'", name);
		if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			bad(prog, "option '%s' needs a value", name);

		if (cpus) {
			if ((v = number(value, 1, HAL_CPU_MAX)) < 0)
				bad(prog, "bad --cpus value '%s' (want 1..%d)",
				    value, HAL_CPU_MAX);
			cfg->cpus = (int)v;
		} else {
			if ((v = number(value, MEM_MIN_MB, MEM_MAX_MB)) < 0)
				bad(prog,
				    "bad --mem value '%s' (want %d..%d MiB)",
				    value, MEM_MIN_MB, MEM_MAX_MB);
			cfg->mem_bytes = (size_t)v << 20;
		}
	}
	cfg->cmdline = join(argv + i, argc - i);
}
