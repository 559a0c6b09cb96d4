/*
 * pingpong [N]: the peer of the threads example: two pthreads pass a
 * token back and forth N times (default 20000) with a mutex and two
 * condition variables; prints the time per round trip.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t to_b = PTHREAD_COND_INITIALIZER;
static pthread_cond_t to_a = PTHREAD_COND_INITIALIZER;
static long turn, n = 20000; /* even: A's turn, odd: B's */

static void *
player(void *unused)
{
	long i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < n; i++) {
		while ((turn & 1) == 0)
			pthread_cond_wait(&to_b, &lock);
		turn++;
		pthread_cond_signal(&to_a);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct timespec a, b;
	pthread_t t;
	long i;

	if (argc > 1)
		n = atol(argv[1]);
	pthread_create(&t, NULL, player, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	pthread_mutex_lock(&lock);
	for (i = 0; i < n; i++) {
		turn++;
		pthread_cond_signal(&to_b);
		while (turn & 1)
			pthread_cond_wait(&to_a, &lock);
	}
	pthread_mutex_unlock(&lock);
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	printf("pingpong: %.0f ns per round trip\n",
	    ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
