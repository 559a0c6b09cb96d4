/*
 * cmdline.c: the kernel command line, split into options and argv.
 *
 * Words are separated by spaces; "double quotes" group a word with
 * spaces.  A key=value word whose key the kernel knows is an option;
 * every other word goes to the application's argv, and after a `--`
 * every word does.  The sim and the native image parse the same way.
 * Interface: lib.h (toro_option() is kern's, over lib_option()).
 */
#include "core/lib/lib.h"
#include "toro/errno.h"

#define LINE_MAX 8192
#define ARGV_MAX 256
#define OPTS_MAX 16

/* The options the kernel itself takes. */
static const char *const known[] = {
	"loglevel", /* quiet, info or debug */
	"stack",    /* default thread stack size in KiB */
	"idle",     /* halt, poll:MICROSECONDS or mwait */
	"ip",       /* A.B.C.D/N, or dhcp (the default) */
	"gw",       /* the default gateway, with ip= */
	"dns",      /* the DNS server, over DHCP's */
	"offload",  /* on (the default) or off: the NIC's offloads */
	"watchdog", /* seconds a CPU may spend in one thread (0: no limit) */
};

static char buf[LINE_MAX];
static char *argv[ARGV_MAX + 1];
static int argc;
static struct {
	const char *key, *value;
} opts[OPTS_MAX];
static int nopts;

static bool
is_known(const char *word, size_t keylen)
{
	size_t i;

	for (i = 0; i < nitems(known); i++)
		if (strlen(known[i]) == keylen &&
		    memcmp(known[i], word, keylen) == 0)
			return true;
	return false;
}

int
lib_cmdline_parse(const char *line)
{
	char *out = buf, *word, *eq;
	bool quoted, rest_is_argv = false;

	if (strlen(line) >= sizeof(buf))
		return -TORO_E2BIG;
	argc = 0;
	nopts = 0;
	argv[argc++] = "toro";
	for (;;) {
		while (*line == ' ' || *line == '\t' || *line == '\n')
			line++;
		if (*line == '\0')
			break;
		word = out;
		quoted = false;
		while (*line != '\0' && (quoted || (*line != ' ' &&
		    *line != '\t' && *line != '\n'))) {
			if (*line == '"')
				quoted = !quoted;
			else
				*out++ = *line;
			line++;
		}
		*out++ = '\0';
		if (!rest_is_argv && strcmp(word, "--") == 0) {
			rest_is_argv = true;
			continue;
		}
		eq = NULL;
		for (char *p = word; *p != '\0'; p++)
			if (*p == '=') {
				eq = p;
				break;
			}
		if (!rest_is_argv && eq != NULL &&
		    is_known(word, (size_t)(eq - word))) {
			if (nopts == OPTS_MAX)
				return -TORO_E2BIG;
			*eq = '\0';
			opts[nopts].key = word;
			opts[nopts++].value = eq + 1;
			continue;
		}
		if (argc == ARGV_MAX)
			return -TORO_E2BIG;
		argv[argc++] = word;
	}
	argv[argc] = NULL;
	return 0;
}

int
lib_argc(void)
{
	return argc;
}

char **
lib_argv(void)
{
	return argv;
}

const char *
lib_option(const char *key)
{
	int i;

	/* The last occurrence wins, as on Linux. */
	for (i = nopts - 1; i >= 0; i--)
		if (strcmp(opts[i].key, key) == 0)
			return opts[i].value;
	return NULL;
}
