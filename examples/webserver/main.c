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
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
/*
 * Waiting for the network's address (DHCP) and asking for it have no
 * POSIX equivalent: toro_net_wait and toro_net_info stay (the latter
 * also names the CPU that runs the stack, where loop.c prefers to work).
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

/*
 * The listening socket on port, non-blocking; -1 with errno set.
 * TCP_NODELAY here is inherited by every accepted connection (as on
 * Linux): answers go out whole, never waiting for the client's ACK, and
 * no call per connection sets it.
 */
static int
listen_on(long port)
{
	struct sockaddr_in me;
	int l, one = 1, e;

	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_port = htons((uint16_t)port);
	me.sin_addr.s_addr = htonl(INADDR_ANY);
	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	if (setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(l, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    bind(l, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    listen(l, 1024) < 0) {
		e = errno;
		close(l);
		errno = e;
		return -1;
	}
	return l;
}

int
main(int argc, char **argv)
{
	struct toro_net_info info;
	struct in_addr ia;
	char addr[INET_ADDRSTRLEN];
	long port = PORT, max, pages = sysconf(_SC_PHYS_PAGES);
	long pagesize = sysconf(_SC_PAGESIZE);
	int l, err;

	max = pages > 0 && pagesize > 0
	    ? (long)((unsigned long long)pages * (unsigned long)pagesize /
		  CONN_BYTES)
	    : CONN_MAX;
	if (max > CONN_MAX)
		max = CONN_MAX;
	if (max < 1)
		max = 1;
	if (argc > 1 && (port = number(argv[1], 65535)) < 0) {
		printf("webserver: bad port '%s'\n", argv[1]);
		return 2;
	}
	if (argc > 2 && (max = number(argv[2], CONN_MAX)) < 0) {
		printf("webserver: bad connection limit '%s' (1..%d)\n",
		    argv[2], CONN_MAX);
		return 2;
	}
	/* DHCP may take a moment. */
	if ((err = toro_net_wait(30 * 1000000000ll)) < 0) {
		printf("webserver: no network: %s\n", strerror(-err));
		return 1;
	}
	if ((l = listen_on(port)) < 0) {
		printf("webserver: tcp port %ld: %s\n", port, strerror(errno));
		return 1;
	}
	toro_net_info(&info);
	ia.s_addr = htonl(info.addr);
	inet_ntop(AF_INET, &ia, addr, sizeof(addr));
	printf("webserver: serving http://%s:%ld/ (at most %ld "
	       "connections)\n",
	    addr, port, max);
	err = loop_start(l, (int)max, info.cpu);
	printf("webserver: %s\n", strerror(err));
	return 1;
}
