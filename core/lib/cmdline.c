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
#define OPTS_MAX 16

/* The options the kernel itself takes, by enum lib_opt (lib.h). */
static const char *const known[LIB_OPT_N] = {
	[LIB_OPT_LOGLEVEL] = "loglevel",
	[LIB_OPT_STACK] = "stack",
	[LIB_OPT_IDLE] = "idle",
	[LIB_OPT_IP] = "ip",
	[LIB_OPT_GW] = "gw",
	[LIB_OPT_DNS] = "dns",
	[LIB_OPT_OFFLOAD] = "offload",
	[LIB_OPT_WATCHDOG] = "watchdog",
	[LIB_OPT_TSC_KHZ] = "tsc_khz",
	[LIB_OPT_FSCACHE] = "fscache",
	[LIB_OPT_TCP_MEM] = "tcp_mem",
	[LIB_OPT_TCP_CONNS] = "tcp_conns",
	[LIB_OPT_TCP_TIMEWAIT] = "tcp_timewait",
	[LIB_OPT_EXIT_LINGER] = "exit_linger",
};

const char *lib_opts[LIB_OPT_N];
int lib_nopts; /* option words, up to OPTS_MAX */

static char buf[LINE_MAX];
char *lib_args[LIB_ARGV_MAX + 1];
int lib_nargs;
char *lib_env[LIB_ENV_MAX + 1];
static int nenv;

/* The index of the option a key of keylen bytes names, or -1. */
static int
known_index(const char *word, size_t keylen)
{
	int i;

	for (i = 0; i < LIB_OPT_N; i++)
		if (strlen(known[i]) == keylen &&
		    memcmp(known[i], word, keylen) == 0)
			return i;
	return -1;
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
	if (lib_nargs == LIB_ARGV_MAX)
		return -TORO_E2BIG;
	lib_args[lib_nargs++] = word;
	return 0;
}

/* Put a word before any `--` where it belongs: option, environment, argv. */
static int
file_word(char *word)
{
	size_t n = name_length(word);
	int k = n > 0 ? known_index(word, n) : -1;

	if (k >= 0) {
		if (lib_nopts == OPTS_MAX)
			return -TORO_E2BIG;
		lib_nopts++;
		/* The last occurrence wins, as on Linux. */
		word[n] = '\0';
		lib_opts[k] = word + n + 1;
		return 0;
	}
	if (n > 0) {
		if (nenv == LIB_ENV_MAX)
			return -TORO_E2BIG;
		lib_env[nenv++] = word;
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
	lib_nargs = 0;
	lib_nopts = 0;
	nenv = 0;
	memset(lib_opts, 0, sizeof(lib_opts));
	lib_args[lib_nargs++] = "toro";
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
	lib_args[lib_nargs] = NULL;
	lib_env[nenv] = NULL;
	return 0;
}

const char *
lib_option(const char *key)
{
	int i;

	for (i = 0; i < LIB_OPT_N; i++)
		if (strcmp(known[i], key) == 0)
			return lib_opts[i];
	return NULL;
}
