/*
 * posix.h: what the parts of the POSIX oracle share (posix.c has main
 * and the helpers; posix_net.c, posix_poll.c and posix_files.c are the
 * groups of cases).  Every line a case prints is a fact Linux and Toro
 * must agree on.
 */
#ifndef POSIX_H
#define POSIX_H

#include <netinet/in.h>
#include <stddef.h>
#include <time.h>

/* Print a case: what, the value got, "(WRONG)" unless it is want. */
void say(const char *what, long got, long want);
long ms_since(const struct timespec *t0);
struct sockaddr_in loopback(int port);
int port_of(int s);
int all(const char *p, int c, size_t n);
int tcp_pair(int *lis, int *cli, int *srv);

void test_select(int cli, int srv);
void test_msg_tcp(int cli, int srv);
void test_msg_udp(void);
void test_so_error(void);
void test_sockopt(void);
void test_pipes(void);
void test_epoll(void);
void test_epoll_more(void);
void test_limits(void);
void test_pio(void);
void test_mmap(void);
void test_cwd(void);
void test_dev(void);

#endif
