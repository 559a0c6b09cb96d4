/*
 * sendexit: a program that sends and then ends without closing, for
 * tests/net/exit.sh.  The machine's exit must deliver what it sent and
 * end its connections (FIN), as Linux's exit does.  Modes:
 *	connect ADDR PORT BYTES	 connect, send BYTES, return from main
 *	serve PORT BYTES	 accept one connection, send BYTES, return;
 *				 meanwhile another thread waits in accept()
 *				 and would end the program with status 3 if
 *				 it ever saw that accept() fail
 *	stuck ADDR PORT		 connect, send until the peer's window is
 *				 full (it does not read), return
 *	hold ADDR PORT		 connect, then wait for data that never
 *				 comes (the host stops the machine)
 *	udp ADDR PORT N		 send N datagrams of 1,000 bytes, return
 * The bytes are i % 251 for i = 0, 1, ...  Exit status 0, or 2 when a
 * call failed (said on stdout).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned char chunk[251 * 256];

static void
die(const char *what)
{
	printf("sendexit: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Send n bytes of the pattern; with partial, stop when it would block. */
static long
send_pattern(int s, long n, int partial)
{
	long sent = 0, off, k;

	while (sent < n) {
		off = sent % 251;
		k = (long)sizeof(chunk) - off;
		if (k > n - sent)
			k = n - sent;
		k = send(s, chunk + off, (size_t)k, partial ? MSG_DONTWAIT : 0);
		if (k < 0 && partial && errno == EAGAIN)
			break;
		if (k < 0)
			die("send");
		sent += k;
	}
	return sent;
}

/* ADDR (NULL: any) and PORT as a socket address; a bad ADDR ends it. */
static struct sockaddr_in
address(const char *addr, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	a.sin_port = htons((unsigned short)atoi(port));
	if (addr != NULL && inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		printf("sendexit: bad address %s\n", addr);
		exit(2);
	}
	return a;
}

static int
connect_to(const char *addr, const char *port)
{
	struct sockaddr_in a = address(addr, port);
	int s;

	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect");
	return s;
}

/* n datagrams of 1,000 bytes of the pattern, the first byte their number. */
static int
datagrams(const char *addr, const char *port, long n)
{
	struct sockaddr_in a = address(addr, port);
	unsigned char d[1000];
	long i;
	int s;

	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		die("udp socket");
	memcpy(d, chunk, sizeof(d));
	for (i = 0; i < n; i++) {
		d[0] = (unsigned char)i;
		if (sendto(s, d, sizeof(d), 0, (struct sockaddr *)&a,
		    sizeof(a)) != (ssize_t)sizeof(d))
			die("sendto");
	}
	printf("sendexit: sent %ld datagrams\n", n);
	return 0;
}

static void *
acceptor(void *arg)
{
	int l = *(int *)arg;

	/* Not stdio: musl's exit() keeps stdout locked from then on. */
	for (;;) {
		if (accept(l, NULL, NULL) < 0) {
			dprintf(1, "sendexit: accept failed: %s\n",
			    strerror(errno));
			_exit(3);
		}
	}
}

static int
serve(const char *port, long n)
{
	struct sockaddr_in a = address(NULL, port);
	static int l;
	pthread_t t;
	int s, one = 1;

	if ((l = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 8) < 0)
		die("bind or listen");
	printf("sendexit: listening on %s\n", port);
	fflush(stdout);
	if ((s = accept(l, NULL, NULL)) < 0)
		die("accept");
	if (pthread_create(&t, NULL, acceptor, &l) != 0)
		die("pthread_create");
	printf("sendexit: sent %ld\n", send_pattern(s, n, 0));
	return 0;
}

int
main(int argc, char **argv)
{
	long i;

	for (i = 0; i < (long)sizeof(chunk); i++)
		chunk[i] = (unsigned char)(i % 251);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && strcmp(argv[1], "connect") == 0) {
		i = connect_to(argv[2], argv[3]);
		printf("sendexit: sent %ld\n",
		    send_pattern((int)i, atol(argv[4]), 0));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], atol(argv[3]));
	if (argc == 4 && strcmp(argv[1], "stuck") == 0) {
		printf("sendexit: sent %ld, the rest does not fit\n",
		    send_pattern(connect_to(argv[2], argv[3]), 1L << 30, 1));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "hold") == 0) {
		char c;

		i = connect_to(argv[2], argv[3]);
		printf("sendexit: holding\n");
		return recv((int)i, &c, 1, 0) < 0 ? 2 : 0;
	}
	if (argc == 5 && strcmp(argv[1], "udp") == 0)
		return datagrams(argv[2], argv[3], atol(argv[4]));
	printf("usage: sendexit connect ADDR PORT BYTES | serve PORT BYTES |"
	    " stuck ADDR PORT | hold ADDR PORT | udp ADDR PORT N\n");
	return 2;
}
