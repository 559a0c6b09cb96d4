/*
 * webserver [PORT]: an HTTP/1.1 server on port 80 (or PORT).
 *
 * Serves the files of disk 0 (a static web site: --share DIR or --disk
 * IMAGE in the simulator), plus /hello (text) and /stats (the kernel's
 * network counters as JSON).  Without a disk, / is a built-in index page
 * and anything else but /hello and /stats is 404.
 *
 * HEAD answers the same headers without a body.  An accept loop (here)
 * hands each connection to a thread of its own on the next CPU in turn:
 * http.c handles the connection, files.c the files, stats.c /stats.
 *
 *	./toro run webserver --port 8080:80 --share examples/webserver/www
 *	then http://localhost:8080/
 */
#include <toro/toro.h>

#include "webserver.h"

#define PORT 80

static int next_cpu;

int
main(int argc, char **argv)
{
	struct toro_sockaddr_in me = { TORO_AF_INET, PORT, TORO_INADDR_ANY };
	struct toro_thread_attr attr = { "http", 0 };
	struct toro_net_info info;
	struct toro_thread *t;
	char addr[16];
	const char *s;
	long port = 0;
	int l, c, err;

	if (argc > 1) {
		for (s = argv[1]; *s != '\0'; s++) {
			if (*s < '0' || *s > '9' || port > 65535) {
				toro_printf(
				    "webserver: bad port '%s'\n", argv[1]);
				return 2;
			}
			port = port * 10 + (*s - '0');
		}
		if (port < 1 || port > 65535) {
			toro_printf("webserver: bad port '%s'\n", argv[1]);
			return 2;
		}
		me.port = (uint16_t)port;
	}
	/* DHCP may take a moment. */
	if ((err = toro_net_wait(30 * 1000000000ll)) < 0) {
		toro_printf("webserver: no network: %s\n", toro_strerror(err));
		return 1;
	}
	if ((l = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0)) < 0 ||
	    (err = toro_bind(l, &me)) < 0 || (err = toro_listen(l, 128)) < 0) {
		toro_printf("webserver: tcp port %d: %s\n", me.port,
		    toro_strerror(l < 0 ? l : err));
		return 1;
	}
	toro_net_info(&info);
	toro_printf("webserver: serving http://%s:%d/\n",
	    toro_inet_ntoa(info.addr, addr), me.port);
	for (;;) {
		if ((c = toro_accept(l, NULL)) < 0) {
			toro_printf(
			    "webserver: accept: %s\n", toro_strerror(c));
			toro_sleep_ms(10);
			continue;
		}
		/* Answers go out whole; never wait for the client's ACK. */
		toro_socket_set_nodelay(c, 1);
		next_cpu = (next_cpu + 1) % toro_cpu_count();
		if ((err = toro_thread_create(&t, next_cpu, conn_serve,
			 (void *)(intptr_t)c, &attr)) < 0) {
			toro_printf("webserver: no thread for a connection: "
				    "%s\n",
			    toro_strerror(err));
			toro_close(c);
			continue;
		}
		toro_thread_detach(t);
	}
}
