/*
 * out.c: what a connection sends, without ever waiting.  An answer goes
 * out with non-blocking sends; what the socket does not take at once
 * waits in the connection's queue (c->out), and a file's body is read
 * and sent a chunk at a time as the socket takes it (c->file).  While
 * a connection has something waiting its worker polls it for
 * POLLOUT and calls conn_pump(); its next request waits (the
 * parser is paused in http.c), so answers keep their order.  So a slow
 * reader holds its own bytes, never its worker.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "webserver.h"

#define CHUNK (32 * 1024) /* bytes per read of a file */

int
conn_busy(const struct conn *c)
{
	return c->outlen > c->outoff || c->file >= 0;
}

/*
 * Send from buf without waiting: bytes sent, or -1 (the peer is gone).
 * The last answer of a connection goes with MSG_MORE: the close that
 * follows sends its FIN in the same segment, so the client never reads
 * the answer before the FIN arrives and closes first (its port would
 * then wait 60 s in TIME_WAIT, and a busy client runs out of them).
 */
static long
push(struct conn *c, const char *buf, size_t len)
{
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL | (c->close ? MSG_MORE : 0);
	size_t done = 0;
	long n;

	while (done < len) {
		n = send(c->fd, buf + done, len - done, flags);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return (long)done;
}

/* Queue len bytes after what is waiting: 0 or -1 (no memory). */
static int
queue(struct conn *c, const char *buf, size_t len)
{
	char *p;

	if (c->outoff > 0 && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if ((p = realloc(c->out, c->outlen + len)) == NULL)
		return -1;
	memcpy(p + c->outlen, buf, len);
	c->out = p;
	c->outlen += len;
	return 0;
}

int
conn_send(struct conn *c, const char *buf, size_t len)
{
	long n = 0;

	if (!conn_busy(c) && (n = push(c, buf, len)) < 0)
		return -1;
	if ((size_t)n < len && queue(c, buf + n, len - (size_t)n) < 0)
		return -1;
	return 0;
}

void
conn_stream_file(struct conn *c, int fd, uint64_t size)
{
	if (size == 0) {
		close(fd);
		return;
	}
	c->file = fd;
	c->file_left = size;
	if (conn_pump(c) < 0)
		c->failed = 1;
}

/* Done with the file: closed, its chunk freed. */
static void
file_done(struct conn *c)
{
	if (c->file >= 0)
		close(c->file);
	c->file = -1;
	free(c->chunk);
	c->chunk = NULL;
}

int
conn_pump(struct conn *c)
{
	long n, sent;

	for (;;) {
		if (c->outlen > c->outoff) {
			if ((n = push(c, c->out + c->outoff,
				 c->outlen - c->outoff)) < 0)
				return -1;
			c->outoff += (size_t)n;
			if (n > 0)
				c->last = loop_now_ns();
			if (c->outlen > c->outoff)
				return 1;
		}
		free(c->out);
		c->out = NULL;
		c->outlen = c->outoff = 0;
		if (c->file < 0)
			return 0;
		if (c->chunk == NULL && (c->chunk = malloc(CHUNK)) == NULL)
			return -1;
		n = read(c->file, c->chunk,
		    c->file_left < CHUNK ? (size_t)c->file_left : CHUNK);
		/*
		 * The headers promised the file's size: one that fails or
		 * shrinks can only end the connection.
		 */
		if (n <= 0)
			return -1;
		c->file_left -= (uint64_t)n;
		if ((sent = push(c, c->chunk, (size_t)n)) < 0 ||
		    (sent < n &&
			queue(c, c->chunk + sent, (size_t)(n - sent)) < 0))
			return -1;
		if (sent > 0)
			c->last = loop_now_ns();
		if (c->file_left == 0)
			file_done(c);
	}
}

void
conn_out_free(struct conn *c)
{
	file_done(c);
	free(c->out);
	c->out = NULL;
	c->outlen = c->outoff = 0;
}
