/*
 * threads [ROUNDS]: a message goes back and forth between a thread on the
 * last CPU and main on CPU 0, ROUNDS times (default 10000), through two
 * mailboxes; prints the count and the time per round trip.
 */
#include <toro/toro.h>

struct ball {
	struct toro_msg msg;
	long round;
};

static struct toro_mbox *ping, *pong;

static void *
player(void *unused)
{
	struct toro_msg *m;
	long round;

	for (;;) {
		if (toro_mbox_recv(ping, &m, TORO_FOREVER) < 0)
			return (void *)1;
		/* Once sent back, the ball is main's again: read it first. */
		round = ((struct ball *)m)->round;
		toro_mbox_send(pong, m);
		if (round < 0)
			return NULL;
	}
}

static long
parse_rounds(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

int
main(int argc, char **argv)
{
	struct toro_thread *t;
	struct ball ball;
	struct toro_msg *m;
	long rounds = 10000, i;
	int cpu = toro_cpu_count() - 1, err;
	uint64_t start, ns;
	void *ret;

	if (argc > 1 && (rounds = parse_rounds(argv[1])) <= 0) {
		toro_printf("threads: bad round count '%s'\n", argv[1]);
		return 2;
	}
	if (toro_mbox_create(&ping) < 0 || toro_mbox_create(&pong) < 0)
		return 1;
	err = toro_thread_create(&t, cpu, player, NULL,
	    &(struct toro_thread_attr){ .name = "player" });
	if (err < 0) {
		toro_printf("threads: %s\n", toro_strerror(err));
		return 1;
	}
	start = toro_time_ns();
	for (i = 0; i < rounds; i++) {
		ball.round = i;
		toro_mbox_send(ping, &ball.msg);
		if (toro_mbox_recv(pong, &m, TORO_FOREVER) < 0 ||
		    ((struct ball *)m)->round != i) {
			toro_printf("threads: lost the ball at round %ld\n", i);
			return 1;
		}
	}
	ns = toro_time_ns() - start;
	ball.round = -1;
	toro_mbox_send(ping, &ball.msg);
	toro_mbox_recv(pong, &m, TORO_FOREVER);
	toro_thread_join(t, &ret);
	toro_printf("%ld round trips between CPU 0 and CPU %d\n", rounds, cpu);
	toro_printf("%.0f ns per round trip\n", (double)ns / (double)rounds);
	return ret == NULL ? 0 : 1;
}
