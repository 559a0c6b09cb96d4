/*
 * webserver.h: what the files of the webserver share.
 *
 *	loop.c		the workers: a few threads per CPU, each polling
 *			the listener and its own connections (loop_*)
 *	http.c		a connection's state: bytes fed to http-parser,
 *			requests answered (conn_*)
 *	out.c		answers sent without waiting: a queue and a file
 *			streamed as the socket takes them
 *	files.c		static files of disk 0 and directory listings
 *	stats.c		the counters as JSON
 *	main.c		the command line and the listener
 *
 * A connection is a struct conn and nothing else: no thread, no
 * buffer while it is idle, so 10,000 of them fit in 128 MiB.  Its
 * request's URL and path live in a struct req only while a request is
 * being read and answered.  It is written against POSIX only (BSD
 * sockets, poll(), pthreads, stdio, open/read, opendir), but for the
 * kernel's counters in stats.c and main.c's wait for an address: a
 * worker is a thread over poll(); conn_feed() is the parser with no
 * network of its own, so it can be driven from a test.
 *
 * Every answer goes through conn_respond() or conn_header() and
 * conn_send(), which never waits: a failed send marks the connection
 * failed, and its worker then closes it.
 */
#ifndef WEBSERVER_H
#define WEBSERVER_H

#include <http_parser.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define URL_MAX 3072	/* raw URL bytes kept: percent-encoded paths */
#define SMALL_BODY 4096 /* bodies sent with their headers */
#define PATH_SIZE (PATH_MAX + 16)   /* decoded; room for /index.html */
#define STATS_MAX 8192		    /* the /stats page */
#define IDLE_NS (30 * 1000000000ll) /* an idle connection is closed */

/* The request being read and answered. */
struct req {
	size_t urllen;
	char url[URL_MAX + 1];
	char path[PATH_SIZE];
};

struct conn {
	int fd;
	int head;      /* this request is HEAD */
	int close;     /* close after this response */
	int failed;    /* a send failed: stop */
	int toolong;   /* the URL did not fit in url */
	uint64_t last; /* loop_now_ns() of the last bytes received */
	http_parser parser;
	struct req *req;  /* only while a request is in progress */
	char *url, *path; /* req's, for files.c */
	char *in;	  /* received after a paused request (out.c) */
	size_t inlen;
	char *out; /* to send before anything else (out.c) */
	size_t outlen, outoff;
	int file; /* a file being sent, or -1 */
	uint64_t file_left;
	char *chunk; /* the file's bytes on their way */
};

/* http.c */
struct conn *conn_new(int fd);
/*
 * Feed n received bytes (0: the end of the stream); 0 to go on, -1 to
 * close now.  c->close set: close once conn_busy() is false.
 */
int conn_feed(struct conn *c, const char *buf, size_t n);
/* After conn_pump() emptied the queue: parse what waited; as conn_feed. */
int conn_resume(struct conn *c);
void conn_free(struct conn *c);
int conn_header(struct conn *, int, const char *, const char *, uint64_t,
    const char *, const char *);
void conn_respond(struct conn *, int, const char *, const char *, const char *,
    size_t, const char *);
void conn_not_found(struct conn *);
void conn_no_memory(struct conn *);

/* out.c */
/* Send or queue len bytes: 0, or -1 (the peer is gone, no memory). */
int conn_send(struct conn *c, const char *buf, size_t len);
/* Send the size bytes of file fd after what is queued; c owns fd. */
void conn_stream_file(struct conn *c, int fd, uint64_t size);
/* Something waits for the socket to take it. */
int conn_busy(const struct conn *c);
/* Send what waits: 0 all sent, 1 more waits (POLLOUT), -1 failed. */
int conn_pump(struct conn *c);
void conn_out_free(struct conn *c);

/* loop.c */
/*
 * Start the workers on listener l, at most max connections, preferring
 * CPU net (the network stack's): an errno.
 */
int loop_start(int l, int max, int net);
/* Connections open now, accepted in all, and refused at the limit. */
void loop_counts(long *open, long *accepted, long *refused);
/* Connections held per CPU, into held[0..max): the number of CPUs. */
int loop_held(long *held, int max);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t loop_now_ns(void);

/* files.c */
void files_serve(struct conn *, const char *, size_t);

/* stats.c */
size_t stats_json(char *, size_t);

#endif
