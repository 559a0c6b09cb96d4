/*
 * webserver.h: what the files of the webserver share.
 *
 *	http.c		the connections: one thread each, requests parsed by
 *			http-parser, answers sent (conn_*)
 *	files.c		static files of disk 0 and directory listings
 *	stats.c		the network counters as JSON
 *	main.c		the command line and the accept loop
 *
 * Every answer goes through conn_respond() or conn_header(): a failed
 * send marks the connection failed, and its thread then closes it.
 */
#ifndef WEBSERVER_H
#define WEBSERVER_H

#include <toro/toro.h>

#define URL_MAX 3072	/* raw URL bytes kept: percent-encoded paths */
#define SMALL_BODY 4096 /* bodies sent with their headers */

struct conn {
	int fd;
	int head;    /* this request is HEAD */
	int close;   /* close after this response */
	int failed;  /* a send failed: stop */
	int toolong; /* the URL did not fit in url */
	size_t urllen;
	char url[URL_MAX + 1];
	char path[TORO_PATH_MAX + 16]; /* decoded; room for /index.html */
};

/* http.c */
void *conn_serve(void *);
int conn_send(int, const char *, size_t);
int conn_header(struct conn *, int, const char *, const char *, uint64_t,
    const char *, const char *);
void conn_respond(struct conn *, int, const char *, const char *, const char *,
    size_t, const char *);
void conn_not_found(struct conn *);
void conn_no_memory(struct conn *);

/* files.c */
void files_serve(struct conn *, const char *, size_t);

/* stats.c */
size_t stats_json(char *, size_t);

#endif
