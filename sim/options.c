/*
 * options.c: the simulator's command line.
 *
 *	PROG [--cpus N] [--mem MB] [--net user|tap:IFNAME|none]
 *	    [--port [udp:]HOST:GUEST]... [--pcap FILE] [--mac MAC]
 *	    [--disk IMAGE[:ro] | --share DIR] [--help]
 *	    [--] [KERNEL COMMAND LINE...]
 *
 * Interface: sim_options_parse() fills a struct sim_config.
 * sim_options_scan() does the same without printing or exiting, so that
 * a fuzzer can call it (tests/fuzz/cmdline); sim_options_free() frees
 * what either allocated.  Options may also be written --cpus=N.  What follows `--`, or starts at the first word
 * that is not an option, is the kernel command line: the words joined with
 * single spaces, a word holding blanks (or an empty word) put in double
 * quotes, so the core splits it back as it splits the native one.
 *
 * Rules: sim_options_parse() runs once, on the main thread, before any
 * CPU.  A bad option prints one line naming it, then the usage, on
 * stderr and exits with status 2; --help prints the usage on stdout and
 * exits with 0.  The last
 * --cpus, --mem, --net, --pcap, --mac, --disk or --share wins; --port
 * adds up.  --disk and --share both make disk 0: only one may be given.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal/hal.h"
#include "sim/sim.h"

enum { MEM_MIN_MB = 1, MEM_MAX_MB = 1 << 20 };
enum { PORTS_MAX = 256 };

enum option {
	OPT_CPUS, OPT_MEM, OPT_NET, OPT_PORT, OPT_PCAP, OPT_MAC, OPT_DISK,
	OPT_SHARE,
};

static const struct {
	const char *name;
	enum option id;
} options[] = {
	{ "--cpus", OPT_CPUS },
	{ "--mem", OPT_MEM },
	{ "--net", OPT_NET },
	{ "--port", OPT_PORT },
	{ "--pcap", OPT_PCAP },
	{ "--mac", OPT_MAC },
	{ "--disk", OPT_DISK },
	{ "--share", OPT_SHARE },
};

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
	    "usage: %s [--cpus N] [--mem MB] [--net user|tap:IFNAME|none]\n"
	    "    [--port [udp:]HOST:GUEST]... [--pcap FILE] [--mac MAC]\n"
	    "    [--disk IMAGE[:ro] | --share DIR] [--help]\n"
	    "    [--] [KERNEL COMMAND LINE...]\n"
	    "  --cpus N          number of CPUs, 1..%d (default 1)\n"
	    "  --mem MB          RAM in MiB, %d..%d (default 128)\n"
	    "  --net user        the NIC on user-mode networking, as QEMU's"
	    " (the default):\n"
	    "                    net 10.0.2.0/24, gateway 10.0.2.2, DNS"
	    " 10.0.2.3, DHCP\n"
	    "                    gives the guest 10.0.2.15\n"
	    "  --net tap:IFNAME  the NIC on the host's TAP interface IFNAME"
	    " (created if\n"
	    "                    missing, which takes root)\n"
	    "  --net none        no NIC\n"
	    "  --port HOST:GUEST forward TCP connections to 127.0.0.1:HOST"
	    " to the guest's\n"
	    "                    port GUEST (udp:HOST:GUEST for UDP);"
	    " repeatable; --net user\n"
	    "  --pcap FILE       write every frame the NIC sends or receives"
	    " to FILE (pcap)\n"
	    "  --mac MAC         the NIC's MAC address (default"
	    " 52:54:00:12:34:56)\n"
	    "  --disk IMAGE      disk 0 is the file IMAGE (read-write;"
	    " IMAGE:ro read-only)\n"
	    "  --share DIR       disk 0 is a FAT16 copy of folder DIR (made"
	    " with mtools);\n"
	    "                    at power-off what the kernel changed is"
	    " copied back\n"
	    "  --help            print this help and exit\n"
	    "The first word that is not an option, or all words after --,"
	    " start the kernel\ncommand line.\n",
	    prog, HAL_CPU_MAX, MEM_MIN_MB, MEM_MAX_MB);
}

/*
 * Where a bad option goes: the scan's error message and its way out.
 * A bad option is found deep in the parsers below; a jump back to
 * sim_options_scan() spares each of them an error path.
 */
static struct {
	jmp_buf out;
	char *err;
	size_t errlen;
} fail;

__attribute__((noreturn, format(printf, 2, 3))) static void
bad(const char *prog, const char *fmt, ...)
{
	va_list ap;

	(void)prog;
	va_start(ap, fmt);
	vsnprintf(fail.err, fail.errlen, fmt, ap);
	va_end(ap);
	longjmp(fail.out, 1);
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

/* --net user, tap:IFNAME or none. */
static void
parse_net(const char *prog, const char *v, struct sim_config *cfg)
{
	const char *ifname;

	if (strcmp(v, "user") == 0) {
		cfg->net = SIM_NET_USER;
	} else if (strcmp(v, "none") == 0) {
		cfg->net = SIM_NET_NONE;
	} else if (strncmp(v, "tap:", 4) == 0) {
		/* What Linux takes as an interface name (dev_valid_name). */
		ifname = v + 4;
		if (*ifname == '\0' || strlen(ifname) > 15 ||
		    strcmp(ifname, ".") == 0 || strcmp(ifname, "..") == 0 ||
		    strpbrk(ifname, "/: \t\n\r\v\f") != NULL)
			bad(prog, "bad --net value '%s' (an interface name "
			    "has 1..15 characters, none of / : or blanks)", v);
		cfg->net = SIM_NET_TAP;
		cfg->tap = ifname;
	} else {
		bad(prog, "bad --net value '%s' (want user, tap:IFNAME or "
		    "none)", v);
	}
}

/* --port [tcp:|udp:]HOST:GUEST. */
static void
parse_port(const char *prog, const char *v, struct sim_config *cfg)
{
	struct sim_port p, *ports;
	const char *s = v, *colon;
	char host[8];
	long h, g;
	int i;

	p.udp = false;
	if (strncmp(s, "udp:", 4) == 0) {
		p.udp = true;
		s += 4;
	} else if (strncmp(s, "tcp:", 4) == 0) {
		s += 4;
	}
	if ((colon = strchr(s, ':')) == NULL ||
	    (size_t)(colon - s) >= sizeof(host))
		bad(prog, "bad --port value '%s' (want [udp:]HOST:GUEST)", v);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if ((h = number(host, 1, 65535)) < 0 ||
	    (g = number(colon + 1, 1, 65535)) < 0)
		bad(prog, "bad --port value '%s' (ports are 1..65535)", v);
	p.host = (uint16_t)h;
	p.guest = (uint16_t)g;
	for (i = 0; i < cfg->nports; i++)
		if (cfg->ports[i].host == p.host && cfg->ports[i].udp == p.udp)
			bad(prog, "bad --port value '%s' (host port %ld is "
			    "already forwarded)", v, h);
	if (cfg->nports == PORTS_MAX)
		bad(prog, "too many --port options (at most %d)", PORTS_MAX);
	ports = realloc(cfg->ports, (size_t)(cfg->nports + 1) *
	    sizeof(*ports));
	if (ports == NULL)
		sim_fatal("out of memory for --port");
	ports[cfg->nports++] = p;
	cfg->ports = ports;
}

/* --mac xx:xx:xx:xx:xx:xx, a unicast address. */
static void
parse_mac(const char *prog, const char *v, struct sim_config *cfg)
{
	unsigned int b[6];
	char end;
	int i;

	if (strlen(v) != 17 || sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c",
	    &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
		bad(prog, "bad --mac value '%s' (want xx:xx:xx:xx:xx:xx)", v);
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? v[i] != ':' : strchr("0123456789abcdefABCDEF",
		    v[i]) == NULL)
			bad(prog, "bad --mac value '%s' (want "
			    "xx:xx:xx:xx:xx:xx)", v);
	if (b[0] & 1)
		bad(prog, "bad --mac value '%s' (a multicast address)", v);
	for (i = 0; i < 6; i++)
		cfg->mac[i] = (uint8_t)b[i];
}

/* --disk IMAGE or IMAGE:ro. */
static void
parse_disk(const char *prog, const char *v, struct sim_config *cfg)
{
	size_t n = strlen(v);
	char *path;

	cfg->disk_ro = n > 3 && strcmp(v + n - 3, ":ro") == 0;
	if (cfg->disk_ro)
		n -= 3;
	if (n == 0)
		bad(prog, "bad --disk value '%s' (want IMAGE or IMAGE:ro)", v);
	if ((path = strndup(v, n)) == NULL)
		sim_fatal("out of memory for --disk");
	/* The last --disk wins: an earlier one's copy goes. */
	free((char *)cfg->disk);
	cfg->disk = path;
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
sim_options_free(struct sim_config *cfg)
{
	free(cfg->ports);
	free((char *)cfg->disk);
	free((char *)cfg->cmdline);
	cfg->ports = NULL;
	cfg->nports = 0;
	cfg->disk = NULL;
	cfg->cmdline = NULL;
}

void
sim_options_parse(int argc, char **argv, struct sim_config *cfg)
{
	char err[512];

	switch (sim_options_scan(argc, argv, cfg, err, sizeof(err))) {
	case 0:
		return;
	case 1:
		usage(stdout, cfg->prog);
		exit(0);
	default:
		fprintf(stderr, "%s: %s\n", cfg->prog, err);
		usage(stderr, cfg->prog);
		exit(2);
	}
}

int
sim_options_scan(int argc, char **argv, struct sim_config *cfg, char *err,
    size_t errlen)
{
	/* volatile: read after setjmp() in the loop below. */
	const char *volatile prog;
	const char *name, *value, *eq;
	size_t namelen, k;
	enum option id;
	long v;
	int i;

	prog = argc > 0 && argv[0] != NULL ? argv[0] : "sim";
	if (strrchr(prog, '/') != NULL)
		prog = strrchr(prog, '/') + 1;
	cfg->prog = prog;
	fail.err = err;
	fail.errlen = errlen;
	if (setjmp(fail.out) != 0)
		return -1;

	for (i = 1; i < argc; i++) {
		name = argv[i];
		if (strcmp(name, "--") == 0) {
			i++;
			break;
		}
		if (name[0] != '-' || name[1] == '\0')
			break;
		if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
			return 1;

		/* The value is after '=' or in the next word. */
		eq = strchr(name, '=');
		namelen = eq != NULL ? (size_t)(eq - name) : strlen(name);
		for (k = 0; k < sizeof(options) / sizeof(options[0]); k++)
			if (strlen(options[k].name) == namelen &&
			    strncmp(name, options[k].name, namelen) == 0)
				break;
		if (k == sizeof(options) / sizeof(options[0]))
			bad(prog, "unknown option '%s'", name);
		id = options[k].id;
		if (eq != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			bad(prog, "option '%s' needs a value", name);

		switch (id) {
		case OPT_CPUS:
			if ((v = number(value, 1, HAL_CPU_MAX)) < 0)
				bad(prog, "bad --cpus value '%s' (want 1..%d)",
				    value, HAL_CPU_MAX);
			cfg->cpus = (int)v;
			break;
		case OPT_MEM:
			if ((v = number(value, MEM_MIN_MB, MEM_MAX_MB)) < 0)
				bad(prog,
				    "bad --mem value '%s' (want %d..%d MiB)",
				    value, MEM_MIN_MB, MEM_MAX_MB);
			cfg->mem_bytes = (size_t)v << 20;
			break;
		case OPT_NET:
			parse_net(prog, value, cfg);
			break;
		case OPT_PORT:
			parse_port(prog, value, cfg);
			break;
		case OPT_PCAP:
			if (*value == '\0')
				bad(prog, "bad --pcap value '' (want a file)");
			cfg->pcap = value;
			break;
		case OPT_MAC:
			parse_mac(prog, value, cfg);
			break;
		case OPT_DISK:
			parse_disk(prog, value, cfg);
			break;
		case OPT_SHARE:
			if (*value == '\0')
				bad(prog, "bad --share value '' (want a "
				    "folder)");
			cfg->share = value;
			break;
		}
	}
	if (cfg->disk != NULL && cfg->share != NULL)
		bad(prog, "--disk and --share both make disk 0: give one");
	if (cfg->nports > 0 && cfg->net != SIM_NET_USER)
		bad(prog, "--port needs --net user");
	cfg->cmdline = join(argv + i, argc - i);
	return 0;
}
