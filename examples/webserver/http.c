/*
 * http.c: the webserver's connections.  A connection is a struct conn
 * that a worker (loop.c) feeds with what it receives (conn_feed); the
 * bytes go to http-parser (Debian's libhttp_parser.a, linked unchanged
 * into both targets) and each complete request is answered in order:
 * /hello, /stats (stats.c), else a file of disk 0 (files.c).  Methods
 * other than GET and HEAD are 405.  Connections stay open (keep-alive)
 * unless the client says "Connection: close" or speaks HTTP/1.0
 * without keep-alive.  A request's URL and path take memory (struct
 * req) only from its first byte to its answer.
 */
#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webserver.h"

static const char hello_txt[] = "Hello from Toro!\n";

/* The n bytes at a are the string b. */
static int
is(const char *a, size_t n, const char *b)
{
	while (n > 0 && *b != '\0' && *a == *b)
		a++, b++, n--;
	return n == 0 && *b == '\0';
}

/* A header being built: bytes appended while they fit. */
struct hbuf {
	char *p;
	size_t len, cap;
	int over;
};

static void
hput(struct hbuf *h, const char *s)
{
	size_t n = strlen(s);

	if (n > h->cap - h->len) {
		h->over = 1;
		return;
	}
	memcpy(h->p + h->len, s, n);
	h->len += n;
}

/* v in decimal. */
static void
hnum(struct hbuf *h, uint64_t v)
{
	char d[24], *p = d + sizeof(d) - 1;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	hput(h, p);
}

/*
 * The status line and headers of an answer with a body of len bytes,
 * and the body itself when it is given and fits: one send, so a small
 * answer leaves in one segment.  Built by hand rather than with
 * snprintf: it is on every answer's path, where musl's printf showed in
 * a profile of keep-alive /hello.
 */
int
conn_header(struct conn *c, int status, const char *reason, const char *type,
    uint64_t len, const char *extra, const char *body)
{
	char hdr[URL_MAX + 512 + SMALL_BODY];
	struct hbuf h = { hdr, 0, sizeof(hdr) - SMALL_BODY, 0 };

	hput(&h, "HTTP/1.1 ");
	hnum(&h, (uint64_t)status);
	hput(&h, " ");
	hput(&h, reason);
	hput(&h, "\r\nServer: toro\r\nContent-Type: ");
	hput(&h, type);
	hput(&h, "\r\nContent-Length: ");
	hnum(&h, len);
	hput(&h, "\r\n");
	hput(&h, extra);
	hput(&h,
	    c->close ? "Connection: close\r\n\r\n"
		     : "Connection: keep-alive\r\n\r\n");
	if (h.over) {
		c->failed = 1;
		return -1;
	}
	if (body != NULL && !c->head && len <= SMALL_BODY) {
		memcpy(hdr + h.len, body, (size_t)len);
		h.len += (size_t)len;
	}
	if (conn_send(c, hdr, h.len) < 0) {
		c->failed = 1;
		return -1;
	}
	return 0;
}

void
conn_respond(struct conn *c, int status, const char *reason, const char *type,
    const char *body, size_t len, const char *extra)
{
	if (conn_header(c, status, reason, type, len, extra, body) == 0 &&
	    !c->head && len > SMALL_BODY && conn_send(c, body, len) < 0)
		c->failed = 1;
}

void
conn_not_found(struct conn *c)
{
	conn_respond(c, 404, "Not Found", "text/plain", "not found\n", 10, "");
}

void
conn_no_memory(struct conn *c)
{
	conn_respond(c, 503, "Service Unavailable", "text/plain",
	    "out of memory\n", 14, "");
}

static int
on_message_begin(http_parser *p)
{
	struct conn *c = p->data;

	if (c->req == NULL && (c->req = malloc(sizeof(*c->req))) == NULL)
		return -1; /* no memory: the connection ends */
	c->req->urllen = 0;
	c->url = c->req->url;
	c->path = c->req->path;
	c->toolong = 0;
	return 0;
}

static int
on_url(http_parser *p, const char *at, size_t len)
{
	struct req *r = ((struct conn *)p->data)->req;

	/* A URL too long for us is cut and answered with 414. */
	if (len > URL_MAX - r->urllen) {
		len = URL_MAX - r->urllen;
		((struct conn *)p->data)->toolong = 1;
	}
	while (len-- > 0)
		r->url[r->urllen++] = *at++;
	return 0;
}

static void
answer(struct conn *c, http_parser *p)
{
	struct http_parser_url u;
	const char *raw;
	char *body;
	size_t len, urllen = c->req->urllen;

	c->head = p->method == HTTP_HEAD;
	c->close = !http_should_keep_alive(p);
	c->url[urllen] = '\0';
	if (p->method != HTTP_GET && p->method != HTTP_HEAD) {
		conn_respond(c, 405, "Method Not Allowed", "text/plain",
		    "method not allowed\n", 19, "Allow: GET, HEAD\r\n");
		return;
	}
	if (c->toolong) {
		conn_respond(c, 414, "URI Too Long", "text/plain",
		    "URI too long\n", 13, "");
		return;
	}
	/* The path alone, of "/p?q" or "http://host/p?q". */
	http_parser_url_init(&u);
	if (http_parser_parse_url(c->url, urllen, 0, &u) != 0) {
		conn_respond(c, 400, "Bad Request", "text/plain",
		    "bad request\n", 12, "");
		return;
	}
	if (u.field_set & (1 << UF_PATH)) {
		raw = c->url + u.field_data[UF_PATH].off;
		len = u.field_data[UF_PATH].len;
	} else {
		raw = "/";
		len = 1;
	}
	if (is(raw, len, "/hello")) {
		conn_respond(c, 200, "OK", "text/plain", hello_txt,
		    sizeof(hello_txt) - 1, "");
	} else if (is(raw, len, "/stats")) {
		/*
		 * Threads on different CPUs may run at once (native SMP,
		 * sim pthreads): build the page in a buffer of our own.
		 */
		if ((body = malloc(STATS_MAX)) == NULL) {
			conn_no_memory(c);
			return;
		}
		len = stats_json(body, STATS_MAX);
		conn_respond(c, 200, "OK", "application/json", body, len, "");
		free(body);
	} else {
		files_serve(c, raw, len);
	}
}

static int
on_message_complete(http_parser *p)
{
	struct conn *c = p->data;

	answer(c, p);
	/* Between requests a connection holds no request memory. */
	free(c->req);
	c->req = NULL;
	c->url = c->path = NULL;
	/* The answer waits for the socket: the next request waits too. */
	if (conn_busy(c))
		http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_message_complete = on_message_complete,
};

struct conn *
conn_new(int fd)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	c->file = -1;
	c->last = loop_now_ns();
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	return c;
}

int
conn_feed(struct conn *c, const char *buf, size_t n)
{
	size_t done;
	char *rest;

	if (c->inlen > 0 && n > 0) {
		/* Received while the parser was paused: not to be read. */
		return -1;
	}
	done = http_parser_execute(&c->parser, &settings, buf, n);
	if (n == 0) {
		/* The end of the stream: close once the answers are out. */
		c->close = 1;
		return c->failed ? -1 : 0;
	}
	if (HTTP_PARSER_ERRNO(&c->parser) == HPE_PAUSED) {
		/* Keep what follows the answered request for later. */
		if (done < n) {
			if ((rest = malloc(n - done)) == NULL)
				return -1;
			memcpy(rest, buf + done, n - done);
			c->in = rest;
			c->inlen = n - done;
		}
		return c->failed ? -1 : 0;
	}
	if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK) {
		if (c->req != NULL) { /* not out of memory: a bad request */
			c->close = 1;
			conn_respond(c, 400, "Bad Request", "text/plain",
			    "bad request\n", 12, "");
		}
		return c->failed || !conn_busy(c) ? -1 : 0;
	}
	/* An upgrade (CONNECT, WebSocket) is not for us. */
	if (c->parser.upgrade || done != n || c->failed)
		return -1;
	return 0;
}

int
conn_resume(struct conn *c)
{
	char *in = c->in;
	size_t n = c->inlen;
	int r;

	http_parser_pause(&c->parser, 0);
	if (in == NULL)
		return 0;
	c->in = NULL;
	c->inlen = 0;
	r = conn_feed(c, in, n);
	free(in);
	return r;
}

void
conn_free(struct conn *c)
{
	conn_out_free(c);
	free(c->in);
	free(c->req);
	free(c);
}
