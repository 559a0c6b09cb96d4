/*
 * webserver [PORT [MAXCONN]]: an HTTP/1.1 server on port 80 (or PORT).
 *
 * Serves the files of disk 0 (a static web site: --share DIR or --disk
 * IMAGE in the simulator), plus /hello (text) and /stats (the kernel's
 * network and memory counters as JSON).  Without a disk, / is a
 * built-in index page and anything else but /hello and /stats is 404.
 *
 * HEAD answers the same headers without a body.  At most MAXCONN
 * connections are open at once (default: one per 8 KiB of the
 * machine's memory, at most 15,000); past it a new connection is
 * closed at once.  Workers (loop.c, a few per CPU) poll the listener
 * and their connections: http.c handles a connection's requests,
 * files.c the files, stats.c /stats.
 *
 *	./toro run webserver --port 8080:80 --share examples/webserver/www
 *	then http://localhost:8080/
 */
#include <toro/toro.h>

#include "webserver.h"

#define PORT 80
#define CONN_MAX 15000	      /* under the TCP engine's table */
#define CONN_BYTES (8 * 1024) /* memory to allow per connection */

/* A decimal argument in 1..max, else -1. */
static long
number(const char *s, long max)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > max)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v >= 1 && v <= max ? v : -1;
}

int
main(int argc, char **argv)
{
	struct toro_sockaddr_in me = { TORO_AF_INET, PORT, TORO_INADDR_ANY };
	struct toro_mem_stats ms;
	struct toro_net_info info;
	char addr[16];
	long port = PORT, max;
	int l, err;

	toro_mem_stats(&ms);
	max = (long)(ms.total / CONN_BYTES);
	if (max > CONN_MAX)
		max = CONN_MAX;
	if (argc > 1 && (port = number(argv[1], 65535)) < 0) {
		toro_printf("webserver: bad port '%s'\n", argv[1]);
		return 2;
	}
	if (argc > 2 && (max = number(argv[2], CONN_MAX)) < 0) {
		toro_printf("webserver: bad connection limit '%s' (1..%d)\n",
		    argv[2], CONN_MAX);
		return 2;
	}
	me.port = (uint16_t)port;
	/* DHCP may take a moment. */
	if ((err = toro_net_wait(30 * 1000000000ll)) < 0) {
		toro_printf("webserver: no network: %s\n", toro_strerror(err));
		return 1;
	}
	if ((l = toro_socket(
		 TORO_AF_INET, TORO_SOCK_STREAM | TORO_SOCK_NONBLOCK, 0)) < 0 ||
	    (err = toro_bind(l, &me)) < 0 || (err = toro_listen(l, 1024)) < 0) {
		toro_printf("webserver: tcp port %d: %s\n", me.port,
		    toro_strerror(l < 0 ? l : err));
		return 1;
	}
	toro_net_info(&info);
	toro_printf("webserver: serving http://%s:%d/ (at most %ld "
		    "connections)\n",
	    toro_inet_ntoa(info.addr, addr), me.port, max);
	err = loop_start(l, (int)max);
	toro_printf("webserver: %s\n", toro_strerror(err));
	return 1;
}
