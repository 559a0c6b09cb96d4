/*
 * synflood DST PORT NET RATE SECONDS: send RATE TCP SYNs a second for
 * SECONDS to DST:PORT from spoofed addresses NET.10 .. NET.249 (NET is
 * "A.B.C", the test subnet) and random ports, through a raw socket.
 * For bench/conn.sh only, inside its network namespaces: the addresses
 * are the test subnet's and nothing leaves it.  Prints how many it sent.
 * Root (CAP_NET_RAW) needed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH_NS 5000000L /* pace in 5 ms steps */

static uint32_t seed = 0x12345678;

static uint32_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static uint16_t
csum(const void *p, size_t n, uint32_t sum)
{
	const uint8_t *b = p;

	for (; n > 1; n -= 2, b += 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (n)
		sum += (uint32_t)b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One SYN from src:sport in pkt (40 bytes). */
static void
build(uint8_t *pkt, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct iphdr *ip = (struct iphdr *)pkt;
	struct tcphdr *th = (struct tcphdr *)(pkt + 20);
	uint8_t pseudo[12 + 20];

	memset(pkt, 0, 40);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(40);
	ip->id = htons((uint16_t)rnd());
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = src;
	ip->daddr = dst;
	ip->check = htons(csum(ip, 20, 0));
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(rnd());
	th->doff = 5;
	th->syn = 1;
	th->window = htons(64240);
	memcpy(pseudo, &src, 4);
	memcpy(pseudo + 4, &dst, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = 0;
	pseudo[11] = 20;
	memcpy(pseudo + 12, th, 20);
	th->check = htons(csum(pseudo, sizeof(pseudo), 0));
}

int
main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct in_addr net;
	struct timespec next;
	uint8_t pkt[40];
	char netstr[32];
	long rate, secs, batch, sent = 0, i, steps, k;
	uint32_t base;
	int fd;

	if (argc != 6 || inet_aton(argv[1], &to.sin_addr) == 0 ||
	    (size_t)snprintf(netstr, sizeof(netstr), "%s.0", argv[3]) >=
		sizeof(netstr) ||
	    inet_aton(netstr, &net) == 0 || (rate = atol(argv[4])) <= 0 ||
	    (secs = atol(argv[5])) <= 0) {
		fprintf(stderr, "usage: synflood DST PORT NET RATE SECONDS\n");
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) < 0) {
		perror("synflood: raw socket");
		return 1;
	}
	base = ntohl(net.s_addr);
	batch = rate * BATCH_NS / 1000000000L;
	if (batch < 1)
		batch = 1;
	steps = secs * 1000000000L / BATCH_NS;
	seed ^= (uint32_t)getpid();
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (k = 0; k < steps; k++) {
		for (i = 0; i < batch; i++) {
			build(pkt, htonl(base + 10 + rnd() % 240),
			    to.sin_addr.s_addr,
			    (uint16_t)(1024 + rnd() % 60000),
			    (uint16_t)atoi(argv[2]));
			if (sendto(fd, pkt, sizeof(pkt), 0,
				(struct sockaddr *)&to, sizeof(to)) == 40)
				sent++;
		}
		next.tv_nsec += BATCH_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	printf("synflood: sent %ld SYNs in %ld s\n", sent, secs);
	return 0;
}
