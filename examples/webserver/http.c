/*
 * http.c: the webserver's connections.  Each accepted connection gets a
 * thread of its own (conn_serve), which feeds what it receives to
 * http-parser (Debian's libhttp_parser.a, linked unchanged into both
 * targets) and answers each complete request in order: /hello, /stats
 * (stats.c), else a file of disk 0 (files.c).  Methods other than GET
 * and HEAD are 405.  Connections stay open (keep-alive) unless the
 * client says "Connection: close" or speaks HTTP/1.0 without keep-alive;
 * an idle connection is closed after 30 seconds.
 */
#include <http_parser.h>
#include <toro/toro.h>

#include "webserver.h"

#define IDLE_NS (30 * 1000000000ll)

static const char hello_txt[] = "Hello from Toro!\n";

/* The n bytes at a are the string b. */
static int
is(const char *a, size_t n, const char *b)
{
	while (n > 0 && *b != '\0' && *a == *b)
		a++, b++, n--;
	return n == 0 && *b == '\0';
}

/* Send all of buf; a short send means the peer is gone. */
int
conn_send(int fd, const char *buf, size_t len)
{
	long n;

	while (len > 0) {
		if ((n = toro_send(fd, buf, len, 0)) <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The status line and headers of an answer with a body of len bytes,
 * and the body itself when it is given and fits: one send, so a small
 * answer leaves in one segment.
 */
int
conn_header(struct conn *c, int status, const char *reason, const char *type,
    uint64_t len, const char *extra, const char *body)
{
	char hdr[URL_MAX + 512 + SMALL_BODY];
	int n;

	n = toro_snprintf(hdr, sizeof(hdr),
	    "HTTP/1.1 %d %s\r\n"
	    "Server: toro\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %llu\r\n"
	    "%s"
	    "Connection: %s\r\n\r\n",
	    status, reason, type, (unsigned long long)len, extra,
	    c->close ? "close" : "keep-alive");
	if (n < 0 || (size_t)n >= sizeof(hdr) - SMALL_BODY) {
		c->failed = 1;
		return -1;
	}
	if (body != NULL && !c->head && len <= SMALL_BODY) {
		__builtin_memcpy(hdr + n, body, (size_t)len);
		n += (int)len;
	}
	if (conn_send(c->fd, hdr, (size_t)n) < 0) {
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
	    !c->head && len > SMALL_BODY && conn_send(c->fd, body, len) < 0)
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

	c->urllen = 0;
	c->toolong = 0;
	return 0;
}

static int
on_url(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;

	/* A URL too long for us is cut and answered with 414. */
	if (len > URL_MAX - c->urllen) {
		len = URL_MAX - c->urllen;
		c->toolong = 1;
	}
	while (len-- > 0)
		c->url[c->urllen++] = *at++;
	return 0;
}

static int
on_message_complete(http_parser *p)
{
	struct conn *c = p->data;
	struct http_parser_url u;
	const char *raw;
	char *body;
	size_t len;

	c->head = p->method == HTTP_HEAD;
	c->close = !http_should_keep_alive(p);
	c->url[c->urllen] = '\0';
	if (p->method != HTTP_GET && p->method != HTTP_HEAD) {
		conn_respond(c, 405, "Method Not Allowed", "text/plain",
		    "method not allowed\n", 19, "Allow: GET, HEAD\r\n");
		return 0;
	}
	if (c->toolong) {
		conn_respond(c, 414, "URI Too Long", "text/plain",
		    "URI too long\n", 13, "");
		return 0;
	}
	/* The path alone, of "/p?q" or "http://host/p?q". */
	http_parser_url_init(&u);
	if (http_parser_parse_url(c->url, c->urllen, 0, &u) != 0) {
		conn_respond(c, 400, "Bad Request", "text/plain",
		    "bad request\n", 12, "");
		return 0;
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
		if ((body = toro_malloc(4096)) == NULL) {
			conn_no_memory(c);
			return 0;
		}
		len = stats_json(body, 4096);
		conn_respond(c, 200, "OK", "application/json", body, len, "");
		toro_free(body);
	} else {
		files_serve(c, raw, len);
	}
	return 0;
}

static const http_parser_settings settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_message_complete = on_message_complete,
};

void *
conn_serve(void *arg)
{
	struct conn *c;
	http_parser parser;
	char buf[4096];
	size_t done;
	long n;
	int fd = (int)(intptr_t)arg;

	if ((c = toro_calloc(1, sizeof(*c))) == NULL) {
		toro_printf("webserver: out of memory for a connection\n");
		toro_close(fd);
		return NULL;
	}
	c->fd = fd;
	http_parser_init(&parser, HTTP_REQUEST);
	parser.data = c;
	toro_socket_set_timeout(fd, IDLE_NS);
	while (!c->close && !c->failed) {
		n = toro_recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			/* End of stream (or idle too long): tell the parser. */
			http_parser_execute(&parser, &settings, buf, 0);
			break;
		}
		done = http_parser_execute(&parser, &settings, buf, (size_t)n);
		if (HTTP_PARSER_ERRNO(&parser) != HPE_OK) {
			c->close = 1;
			conn_respond(c, 400, "Bad Request", "text/plain",
			    "bad request\n", 12, "");
			break;
		}
		/* An upgrade (CONNECT, WebSocket) is not for us. */
		if (parser.upgrade || done != (size_t)n)
			break;
	}
	toro_close(fd);
	toro_free(c);
	return NULL;
}
