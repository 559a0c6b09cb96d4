/*
 * echo [-s] [SECONDS]: the echo service (RFC 862) on port 7, over UDP and
 * TCP.
 *
 * Every datagram that arrives is sent back to its sender; every TCP
 * connection gets back what it sends until it closes, served by a thread
 * of its own on the network CPU (toro_net_info): echoing only moves
 * bytes between socket calls, and there each call is a plain call, where
 * from another CPU it is a message there and a reply back, two wake-ups
 * that cost more than the copy (measured: half the throughput).  With
 * -s, connections go to each CPU in turn instead, so that their socket
 * calls cross CPUs (tests/sanit/xcpu.sh).  With SECONDS the machine
 * powers off after that long (for tests); without, it serves forever.
 *
 *	./toro run echo -- ip=10.0.2.15/24 gw=10.0.2.2
 */
#include <toro/socket.h>
#include <toro/toro.h>

#define PORT 7

static int net_cpu;
static int spread; /* -s */

static void *
udp_echo(void *arg)
{
	struct toro_sockaddr_in me = { TORO_AF_INET, PORT, TORO_INADDR_ANY };
	struct toro_sockaddr_in peer;
	static char buf[2048];
	long n;
	int s;

	if ((s = toro_socket(TORO_AF_INET, TORO_SOCK_DGRAM, 0)) < 0 ||
	    toro_bind(s, &me) < 0) {
		toro_printf("echo: udp port %d: %s\n", PORT,
		    toro_strerror(s < 0 ? s : -TORO_EADDRINUSE));
		return NULL;
	}
	for (;;) {
		n = toro_recvfrom(s, buf, sizeof(buf), 0, &peer);
		if (n >= 0)
			toro_sendto(s, buf, (size_t)n, 0, &peer);
	}
}

/* Bytes per recv and send: big, as socat's -b 65536, for bulk tests. */
#define CHUNK (64 * 1024)

static void *
tcp_conn(void *arg)
{
	char *buf = toro_malloc(CHUNK);
	int c = (int)(intptr_t)arg;
	long n;

	while (buf != NULL && (n = toro_recv(c, buf, CHUNK, 0)) > 0)
		if (toro_send(c, buf, (size_t)n, 0) != n)
			break;
	toro_free(buf);
	toro_close(c);
	return NULL;
}

static void *
tcp_echo(void *arg)
{
	struct toro_sockaddr_in me = { TORO_AF_INET, PORT, TORO_INADDR_ANY };
	struct toro_thread *t;
	int l, c, err, cpu = 0;

	if ((l = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0)) < 0 ||
	    (err = toro_bind(l, &me)) < 0 || (err = toro_listen(l, 64)) < 0) {
		toro_printf("echo: tcp port %d: %s\n", PORT,
		    toro_strerror(l < 0 ? l : err));
		return NULL;
	}
	for (;;) {
		if ((c = toro_accept(l, NULL)) < 0)
			continue;
		if (spread)
			cpu = (cpu + 1) % toro_cpu_count();
		if (toro_thread_create(&t, spread ? cpu : net_cpu, tcp_conn,
			(void *)(intptr_t)c, NULL) < 0) {
			toro_close(c);
			continue;
		}
		toro_thread_detach(t);
	}
}

int
main(int argc, char **argv)
{
	struct toro_net_info info;
	struct toro_thread *t;
	char addr[16];
	long seconds = 0;
	const char *s;
	int err, i = 1;

	if (i < argc && argv[i][0] == '-' && argv[i][1] == 's' &&
	    argv[i][2] == '\0') {
		spread = 1;
		i++;
	}
	if (i < argc) {
		for (s = argv[i]; *s != '\0'; s++) {
			if (*s < '0' || *s > '9' || seconds > 1000000) {
				toro_printf(
				    "echo: bad duration '%s'\n", argv[i]);
				return 2;
			}
			seconds = seconds * 10 + (*s - '0');
		}
	}
	/* DHCP may take a moment; the sockets work before it is done. */
	if ((err = toro_net_wait(30 * 1000000000ll)) < 0) {
		toro_printf("echo: no network: %s\n", toro_strerror(err));
		return 1;
	}
	toro_net_info(&info);
	net_cpu = info.cpu;
	toro_printf("echo: serving port %d on %s\n", PORT,
	    toro_inet_ntoa(info.addr, addr));
	if (toro_thread_create(&t, 0, udp_echo, NULL, NULL) < 0 ||
	    toro_thread_create(&t, toro_cpu_count() - 1, tcp_echo, NULL, NULL) <
		0) {
		toro_printf("echo: cannot start\n");
		return 1;
	}
	if (seconds == 0)
		for (;;)
			toro_sleep_ms(1000000);
	toro_sleep_ms((uint64_t)seconds * 1000);
	return 0;
}
