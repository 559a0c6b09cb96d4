/*
 * webserver [PORT]: an HTTP/1.1 server on port 80 (or PORT).
 *
 * Serves / (an index page), /hello (text) and /stats (the kernel's
 * network counters as JSON); anything else is 404, methods other than
 * GET and HEAD are 405.  Requests are parsed by http-parser (Debian's
 * libhttp_parser.a, linked unchanged into both targets).  Connections
 * stay open (keep-alive) unless the client says "Connection: close" or
 * speaks HTTP/1.0 without keep-alive; pipelined requests are answered in
 * order.  An accept loop hands each connection to a thread of its own on
 * the next CPU in turn; an idle connection is closed after 30 seconds.
 *
 *	./toro run webserver --port 8080:80	then http://localhost:8080/
 */
#include <http_parser.h>
#include <toro/toro.h>

#define PORT 80
#define IDLE_NS (30 * 1000000000ll)
#define URL_MAX 1024

struct conn {
	int fd;
	int head;		/* this request is HEAD */
	int close;		/* close after this response */
	int failed;		/* a send failed: stop */
	size_t urllen;
	char url[URL_MAX + 1];
};

static const char index_html[] =
	"<!DOCTYPE html>\n"
	"<html><head><title>Toro</title></head>\n"
	"<body><h1>Hello from Toro</h1>\n"
	"<p>A dedicated kernel serving HTTP/1.1.</p>\n"
	"<ul><li><a href=\"/hello\">/hello</a></li>\n"
	"<li><a href=\"/stats\">/stats</a>: the network counters</li></ul>\n"
	"</body></html>\n";

static const char hello_txt[] = "Hello from Toro!\n";

static int next_cpu;

static int
streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Send all of buf; a short send means the peer is gone. */
static int
send_all(int fd, const char *buf, size_t len)
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

/* The network counters as one JSON object in buf; returns its length. */
static size_t
stats_json(char *buf, size_t size)
{
	struct toro_net_stats st;
	size_t len = 0;
	int n;

	if (toro_net_stats(&st) < 0)
		return (size_t)toro_snprintf(buf, size, "{}\n");
#define FIELD(f) \
	do { \
		n = toro_snprintf(buf + len, size - len, "%s\"%s\": %llu", \
		    len == 0 ? "{\n  " : ",\n  ", #f, \
		    (unsigned long long)st.f); \
		if (n > 0 && (size_t)n < size - len) \
			len += (size_t)n; \
	} while (0)
	FIELD(rx_frames); FIELD(rx_bytes); FIELD(tx_frames); FIELD(tx_bytes);
	FIELD(rx_runt); FIELD(rx_not_ours); FIELD(rx_unknown_type);
	FIELD(rx_nomem); FIELD(tx_full); FIELD(tx_errors);
	FIELD(arp_in); FIELD(arp_out); FIELD(arp_bad);
	FIELD(arp_queue_full); FIELD(arp_unresolved);
	FIELD(ip_in); FIELD(ip_out); FIELD(ip_bad_version);
	FIELD(ip_bad_hdrlen); FIELD(ip_bad_len); FIELD(ip_bad_csum);
	FIELD(ip_bad_src); FIELD(ip_fragments); FIELD(ip_not_ours);
	FIELD(ip_no_route); FIELD(ip_too_big); FIELD(ip_unknown_proto);
	FIELD(icmp_in); FIELD(icmp_out); FIELD(icmp_bad);
	FIELD(icmp_echo_in); FIELD(icmp_unreach_in); FIELD(icmp_other_in);
	FIELD(udp_in); FIELD(udp_out); FIELD(udp_bad_len);
	FIELD(udp_bad_csum); FIELD(udp_no_port); FIELD(udp_queue_full);
	FIELD(tcp_in); FIELD(tcp_out); FIELD(tcp_conns);
	FIELD(tcp_active_opens); FIELD(tcp_passive_opens);
	FIELD(tcp_established); FIELD(tcp_retrans); FIELD(tcp_resets);
	FIELD(tcp_in_errs); FIELD(tcp_syn_drops);
	FIELD(dhcp_out); FIELD(dhcp_in); FIELD(dhcp_leases);
#undef FIELD
	n = toro_snprintf(buf + len, size - len, "\n}\n");
	if (n > 0 && (size_t)n < size - len)
		len += (size_t)n;
	return len;
}

static void
respond(struct conn *c, int status, const char *reason, const char *type,
    const char *body, size_t len, const char *extra)
{
	char hdr[512];
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
	if (n < 0 || (size_t)n >= sizeof(hdr) ||
	    send_all(c->fd, hdr, (size_t)n) < 0 ||
	    (!c->head && len > 0 && send_all(c->fd, body, len) < 0))
		c->failed = 1;
}

static int
on_message_begin(http_parser *p)
{
	struct conn *c = p->data;

	c->urllen = 0;
	return 0;
}

static int
on_url(http_parser *p, const char *at, size_t len)
{
	struct conn *c = p->data;

	/* A URL too long for us is cut; it then matches nothing: 404. */
	if (len > URL_MAX - c->urllen)
		len = URL_MAX - c->urllen;
	while (len-- > 0)
		c->url[c->urllen++] = *at++;
	return 0;
}

static int
on_message_complete(http_parser *p)
{
	struct conn *c = p->data;
	const char *path = c->url;
	char *body;
	size_t len;

	/* The path alone: no query string. */
	for (len = 0; len < c->urllen && c->url[len] != '?'; len++)
		;
	c->url[len] = '\0';
	c->head = p->method == HTTP_HEAD;
	c->close = !http_should_keep_alive(p);
	if (p->method != HTTP_GET && p->method != HTTP_HEAD) {
		respond(c, 405, "Method Not Allowed", "text/plain",
		    "method not allowed\n", 19, "Allow: GET, HEAD\r\n");
	} else if (streq(path, "/") || streq(path, "/index.html")) {
		respond(c, 200, "OK", "text/html; charset=utf-8",
		    index_html, sizeof(index_html) - 1, "");
	} else if (streq(path, "/hello")) {
		respond(c, 200, "OK", "text/plain", hello_txt,
		    sizeof(hello_txt) - 1, "");
	} else if (streq(path, "/stats")) {
		/*
		 * Threads on different CPUs may run at once (native SMP,
		 * sim pthreads): build the page in a buffer of our own.
		 */
		if ((body = toro_malloc(4096)) == NULL) {
			respond(c, 503, "Service Unavailable", "text/plain",
			    "out of memory\n", 14, "");
			return 0;
		}
		len = stats_json(body, 4096);
		respond(c, 200, "OK", "application/json", body, len, "");
		toro_free(body);
	} else {
		respond(c, 404, "Not Found", "text/plain", "not found\n", 10,
		    "");
	}
	return 0;
}

static const http_parser_settings settings = {
	.on_message_begin = on_message_begin,
	.on_url = on_url,
	.on_message_complete = on_message_complete,
};

static void *
serve(void *arg)
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
		done = http_parser_execute(&parser, &settings, buf,
		    (size_t)n);
		if (HTTP_PARSER_ERRNO(&parser) != HPE_OK) {
			c->close = 1;
			respond(c, 400, "Bad Request", "text/plain",
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

int
main(int argc, char **argv)
{
	struct toro_sockaddr_in me = { TORO_AF_INET, PORT, TORO_INADDR_ANY };
	struct toro_thread_attr attr = { "http", 0 };
	struct toro_net_info info;
	struct toro_thread *t;
	char addr[16];
	const char *s;
	long port = 0;
	int l, c, err;

	if (argc > 1) {
		for (s = argv[1]; *s != '\0'; s++) {
			if (*s < '0' || *s > '9' || port > 65535) {
				toro_printf("webserver: bad port '%s'\n",
				    argv[1]);
				return 2;
			}
			port = port * 10 + (*s - '0');
		}
		if (port < 1 || port > 65535) {
			toro_printf("webserver: bad port '%s'\n", argv[1]);
			return 2;
		}
		me.port = (uint16_t)port;
	}
	/* DHCP may take a moment. */
	if ((err = toro_net_wait(30 * 1000000000ll)) < 0) {
		toro_printf("webserver: no network: %s\n", toro_strerror(err));
		return 1;
	}
	if ((l = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0)) < 0 ||
	    (err = toro_bind(l, &me)) < 0 || (err = toro_listen(l, 128)) < 0) {
		toro_printf("webserver: tcp port %d: %s\n", me.port,
		    toro_strerror(l < 0 ? l : err));
		return 1;
	}
	toro_net_info(&info);
	toro_printf("webserver: serving http://%s:%d/\n",
	    toro_inet_ntoa(info.addr, addr), me.port);
	for (;;) {
		if ((c = toro_accept(l, NULL)) < 0) {
			toro_printf("webserver: accept: %s\n",
			    toro_strerror(c));
			toro_sleep_ms(10);
			continue;
		}
		next_cpu = (next_cpu + 1) % toro_cpu_count();
		if ((err = toro_thread_create(&t, next_cpu, serve,
		    (void *)(intptr_t)c, &attr)) < 0) {
			toro_printf("webserver: no thread for a connection: "
			    "%s\n", toro_strerror(err));
			toro_close(c);
			continue;
		}
		toro_thread_detach(t);
	}
}
