/*
 * cmdline.c: the kernel command line, split into options, the
 * environment and argv.
 *
 * Words are separated by spaces; "double quotes" group a word with
 * spaces.  A key=value word whose key the kernel knows is an option; any
 * other NAME=value word whose NAME is an identifier ([A-Za-z_][A-Za-z0-9_]*)
 * goes to the application's environment (getenv); every other word goes
 * to its argv, and after a `--` every word does, as Linux does for init.
 * The sim and the native image parse the same way.
 * Interface: lib.h (toro_option() and toro_environ() are kern's, over
 * lib_option() and lib_environ()).
 */
#include "core/lib/lib.h"
#include "toro/errno.h"

#define LINE_MAX 8192
#define ARGV_MAX 256
#define OPTS_MAX 16
#define ENV_MAX 64

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
	"tsc_khz",  /* native: the TSC's rate, over what the machine says */
	"fscache",  /* the block cache in KiB */
	"tcp_mem",  /* MiB TCP connections may be charged */
	"tcp_conns", /* live TCP connections */
	"tcp_timewait", /* TCP TIME_WAIT records */
};

static char buf[LINE_MAX];
static char *argv[ARGV_MAX + 1];
static int argc;
static struct {
	const char *key, *value;
} opts[OPTS_MAX];
static int nopts;
static char *env[ENV_MAX + 1];
static int nenv;

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

/* The length of NAME in a NAME=value word, or 0 if it is not one. */
static size_t
name_length(const char *word)
{
	size_t i;
	char c;

	for (i = 0; (c = word[i]) != '\0' && c != '='; i++)
		if (!(c == '_' || (c >= 'A' && c <= 'Z') ||
			(c >= 'a' && c <= 'z') ||
			(i > 0 && c >= '0' && c <= '9')))
			return 0;
	return c == '=' ? i : 0;
}

static int
add_arg(char *word)
{
	if (argc == ARGV_MAX)
		return -TORO_E2BIG;
	argv[argc++] = word;
	return 0;
}

/* Put a word before any `--` where it belongs: option, environment, argv. */
static int
file_word(char *word)
{
	size_t n = name_length(word);

	if (n > 0 && is_known(word, n)) {
		if (nopts == OPTS_MAX)
			return -TORO_E2BIG;
		word[n] = '\0';
		opts[nopts].key = word;
		opts[nopts++].value = word + n + 1;
		return 0;
	}
	if (n > 0) {
		if (nenv == ENV_MAX)
			return -TORO_E2BIG;
		env[nenv++] = word;
		return 0;
	}
	return add_arg(word);
}

int
lib_cmdline_parse(const char *line)
{
	char *out = buf, *word;
	bool quoted, rest_is_argv = false;
	int err;

	if (strlen(line) >= sizeof(buf))
		return -TORO_E2BIG;
	argc = 0;
	nopts = 0;
	nenv = 0;
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
		err = rest_is_argv ? add_arg(word) : file_word(word);
		if (err < 0)
			return err;
	}
	argv[argc] = NULL;
	env[nenv] = NULL;
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

char **
lib_environ(void)
{
	return env;
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
