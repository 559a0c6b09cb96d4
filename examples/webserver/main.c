/*
 * webserver [PORT]: an HTTP/1.1 server on port 80 (or PORT).
 *
 * Serves the files of disk 0 (a static web site: --share DIR or --disk
 * IMAGE in the simulator), plus /hello (text) and /stats (the kernel's
 * network counters as JSON).  Without a disk, / is a built-in index page
 * and anything else but /hello and /stats is 404.
 *
 * Files: the URL's path is percent-decoded, split into names ("." and
 * empty names dropped); a ".." name is refused (403) so nothing outside
 * the disk's root is reachable.  The Content-Type comes from the
 * extension (application/octet-stream when unknown), the Content-Length
 * from the file's size; the body is read and sent CHUNK bytes at a time,
 * never whole.  A directory asked for without its trailing '/' is
 * redirected (301) to it; with it, the directory's index.html is served
 * if it has one, else a generated HTML listing (names linked, sizes).
 * HEAD answers the same headers without a body.
 *
 * Requests are parsed by http-parser (Debian's libhttp_parser.a, linked
 * unchanged into both targets); methods other than GET and HEAD are
 * 405.  Connections stay open (keep-alive) unless the client says
 * "Connection: close" or speaks HTTP/1.0 without keep-alive; pipelined
 * requests are answered in order.  An accept loop hands each connection
 * to a thread of its own on the next CPU in turn; an idle connection is
 * closed after 30 seconds.
 *
 *	./toro run webserver --port 8080:80 --share examples/webserver/www
 *	then http://localhost:8080/
 */
#include <http_parser.h>
#include <toro/toro.h>

#define PORT 80
#define IDLE_NS (30 * 1000000000ll)
#define URL_MAX 3072	/* raw URL bytes kept: percent-encoded paths */
#define SMALL_BODY 4096	/* bodies sent with their headers */
#define CHUNK (32 * 1024)	/* bytes per read and send of a file */

struct conn {
	int fd;
	int head;		/* this request is HEAD */
	int close;		/* close after this response */
	int failed;		/* a send failed: stop */
	int toolong;		/* the URL did not fit in url */
	size_t urllen;
	char url[URL_MAX + 1];
	char path[TORO_PATH_MAX + 16];	/* decoded; room for /index.html */
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

static size_t
slen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

/* The n bytes at a are the string b. */
static int
is(const char *a, size_t n, const char *b)
{
	while (n > 0 && *b != '\0' && *a == *b)
		a++, b++, n--;
	return n == 0 && *b == '\0';
}

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

/*
 * The status line and headers of an answer with a body of len bytes,
 * and the body itself when it is given and fits: one send, so a small
 * answer leaves in one segment.
 */
static int
send_header(struct conn *c, int status, const char *reason, const char *type,
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
	if (send_all(c->fd, hdr, (size_t)n) < 0) {
		c->failed = 1;
		return -1;
	}
	return 0;
}

static void
respond(struct conn *c, int status, const char *reason, const char *type,
    const char *body, size_t len, const char *extra)
{
	if (send_header(c, status, reason, type, len, extra, body) == 0 &&
	    !c->head && len > SMALL_BODY && send_all(c->fd, body, len) < 0)
		c->failed = 1;
}

static void
not_found(struct conn *c)
{
	respond(c, 404, "Not Found", "text/plain", "not found\n", 10, "");
}

static void
no_memory(struct conn *c)
{
	respond(c, 503, "Service Unavailable", "text/plain",
	    "out of memory\n", 14, "");
}

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static const struct {
	const char *ext, *type;
} mime_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "svg", "image/svg+xml" },
	{ "ico", "image/x-icon" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
};

/* The Content-Type of a file, by its extension (any case). */
static const char *
mime_type(const char *path)
{
	const char *dot = NULL, *s, *e;
	size_t i;

	for (s = path; *s != '\0'; s++) {
		if (*s == '.')
			dot = s + 1;
		else if (*s == '/')
			dot = NULL;
	}
	for (i = 0; dot != NULL && i < sizeof(mime_types) /
	    sizeof(mime_types[0]); i++) {
		for (s = dot, e = mime_types[i].ext;
		    *e != '\0' && lower(*s) == *e; s++, e++)
			;
		if (*e == '\0' && *s == '\0')
			return mime_types[i].type;
	}
	return "application/octet-stream";
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = lower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/*
 * The URL's path, percent-decoded, as a path on the disk in c->path:
 * "/" and '/'-separated names, without empty or "." names or a trailing
 * '/'.  *slash says whether the URL's path ended with '/'.  Returns 0 or
 * the HTTP status to answer: 400 (a bad URL or escape), 403 (a ".." name,
 * or one of dots and spaces only, which FAT might read as ".."), 404 (a
 * NUL, '\' or encoded '/' in a name: no file has one), 414 (too long).
 */
static int
decode_path(struct conn *c, const char *raw, size_t rawlen, int *slash)
{
	char *out = c->path;
	size_t i, n = 1, start = 1, k;
	int ch, hi, lo, sep, dots;

	if (rawlen == 0 || raw[0] != '/')
		return 400;
	out[0] = '/';
	*slash = raw[rawlen - 1] == '/';
	for (i = 0; i <= rawlen; i++) {
		sep = i == rawlen || raw[i] == '/';
		if (sep) {
			/* The end of a name: out[start..n). */
			dots = 1;
			for (k = start; k < n; k++)
				if (out[k] != '.' && out[k] != ' ')
					dots = 0;
			if (n == start || (n == start + 1 && out[start] == '.'))
				n = start;		/* "" or ".": dropped */
			else if (dots)
				return 403;		/* "..", "...", ". ." */
			else {
				if (n >= TORO_PATH_MAX - 1)
					return 414;
				out[n++] = '/';
				start = n;
			}
			continue;
		}
		ch = (unsigned char)raw[i];
		if (ch == '%') {
			if (i + 2 >= rawlen)
				return 400;
			if ((hi = hexval(raw[i + 1])) < 0 ||
			    (lo = hexval(raw[i + 2])) < 0)
				return 400;
			ch = hi * 16 + lo;
			i += 2;
			if (ch == '/')
				return 404;
		}
		if (ch == '\0' || ch == '\\')
			return 404;
		if (n >= TORO_PATH_MAX - 1)
			return 414;
		out[n++] = (char)ch;
	}
	if (n > 1)
		n--;		/* the '/' after the last name */
	out[n] = '\0';
	return 0;
}

/* Answer with the file at path, CHUNK bytes at a time. */
static void
send_file(struct conn *c, const char *path)
{
	struct toro_stat st;
	uint64_t left;
	char *buf = NULL;
	long n;
	int fd, err;

	if ((fd = toro_open(path, TORO_O_RDONLY)) < 0) {
		if (fd == -TORO_ENFILE)
			respond(c, 503, "Service Unavailable", "text/plain",
			    "too many open files\n", 20, "");
		else
			not_found(c);
		return;
	}
	if ((err = toro_fstat(fd, &st)) < 0 || st.type != TORO_S_IFREG) {
		toro_close(fd);
		not_found(c);
		return;
	}
	if (!c->head && st.size > 0 && (buf = toro_malloc(CHUNK)) == NULL) {
		toro_close(fd);
		no_memory(c);
		return;
	}
	if (send_header(c, 200, "OK", mime_type(path), st.size, "", NULL) == 0 &&
	    !c->head) {
		for (left = st.size; left > 0; left -= (uint64_t)n) {
			n = toro_read(fd, buf, left < CHUNK ? (size_t)left :
			    CHUNK);
			/*
			 * The headers promised st.size bytes: a file that
			 * fails or shrinks can only end the connection.
			 */
			if (n <= 0 || send_all(c->fd, buf, (size_t)n) < 0) {
				c->failed = 1;
				break;
			}
		}
	}
	toro_free(buf);
	toro_close(fd);
}

/* A growing buffer for a generated page. */
struct page {
	char *p;
	size_t len, cap;
	int nomem;
};

static void
put_bytes(struct page *pg, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (pg->nomem)
		return;
	if (pg->len + n > pg->cap) {
		for (cap = pg->cap ? pg->cap : 1024; cap < pg->len + n;)
			cap *= 2;
		if ((p = toro_realloc(pg->p, cap)) == NULL) {
			pg->nomem = 1;
			return;
		}
		pg->p = p;
		pg->cap = cap;
	}
	for (; n > 0; n--)
		pg->p[pg->len++] = *s++;
}

static void
put(struct page *pg, const char *s)
{
	put_bytes(pg, s, slen(s));
}

/* s with &, <, >, " as HTML entities. */
static void
put_html(struct page *pg, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': put(pg, "&amp;"); break;
		case '<': put(pg, "&lt;"); break;
		case '>': put(pg, "&gt;"); break;
		case '"': put(pg, "&quot;"); break;
		default: put_bytes(pg, s, 1); break;
		}
	}
}

/* s percent-encoded but for letters, digits and - . _ ~ */
static void
put_url(struct page *pg, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3];
	int ch;

	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			put_bytes(pg, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[ch >> 4];
		e[2] = hex[ch & 15];
		put_bytes(pg, e, 3);
	}
}

/* A generated listing of the directory at path: names linked, sizes. */
static void
send_listing(struct conn *c, const char *path)
{
	struct page pg = { NULL, 0, 0, 0 };
	struct toro_dirent *de;
	char num[32];
	int dd, n = 0;

	if ((de = toro_malloc(sizeof(*de))) == NULL) {
		no_memory(c);
		return;
	}
	if ((dd = toro_opendir(path)) < 0) {
		toro_free(de);
		not_found(c);
		return;
	}
	put(&pg, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Index of ");
	put_html(&pg, path);
	put(&pg, path[1] != '\0' ? "/" : "");
	put(&pg, "</title></head>\n<body><h1>Index of ");
	put_html(&pg, path);
	put(&pg, path[1] != '\0' ? "/" : "");
	put(&pg, "</h1>\n<table>\n");
	if (path[1] != '\0')
		put(&pg, "<tr><td><a href=\"../\">../</a></td><td></td></tr>\n");
	while ((n = toro_readdir(dd, de)) > 0) {
		put(&pg, "<tr><td><a href=\"");
		put_url(&pg, de->name);
		if (de->type == TORO_S_IFDIR)
			put(&pg, "/");
		put(&pg, "\">");
		put_html(&pg, de->name);
		if (de->type == TORO_S_IFDIR) {
			put(&pg, "/</a></td><td>-</td></tr>\n");
			continue;
		}
		toro_snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)de->size);
		put(&pg, "</a></td><td align=\"right\">");
		put(&pg, num);
		put(&pg, "</td></tr>\n");
	}
	put(&pg, "</table>\n</body></html>\n");
	toro_closedir(dd);
	toro_free(de);
	if (n < 0)
		respond(c, 500, "Internal Server Error", "text/plain",
		    "cannot read the directory\n", 26, "");
	else if (pg.nomem)
		no_memory(c);
	else
		respond(c, 200, "OK", "text/html; charset=utf-8", pg.p,
		    pg.len, "");
	toro_free(pg.p);
}

/*
 * A GET or HEAD of raw (the URL's path, not decoded) on the disk.  No
 * disk (even "/" cannot be stat'ed): the built-in index page at / and
 * /index.html, else 404.
 */
static void
serve_disk(struct conn *c, const char *raw, size_t rawlen)
{
	struct toro_stat st;
	char extra[URL_MAX + 32];
	size_t n;
	int err, slash;

	if ((err = decode_path(c, raw, rawlen, &slash)) != 0) {
		if (err == 403)
			respond(c, 403, "Forbidden", "text/plain",
			    "forbidden\n", 10, "");
		else if (err == 414)
			respond(c, 414, "URI Too Long", "text/plain",
			    "URI too long\n", 13, "");
		else if (err == 400)
			respond(c, 400, "Bad Request", "text/plain",
			    "bad request\n", 12, "");
		else
			not_found(c);
		return;
	}
	/* No disk (nothing mounted at /, or no file system at all)? */
	if ((err = toro_stat(c->path, &st)) < 0 && toro_stat("/", &st) < 0) {
		if (streq(c->path, "/") || streq(c->path, "/index.html"))
			respond(c, 200, "OK", "text/html; charset=utf-8",
			    index_html, sizeof(index_html) - 1, "");
		else
			not_found(c);
		return;
	}
	if (err < 0) {
		not_found(c);
		return;
	}
	if (st.type != TORO_S_IFDIR) {
		if (slash && c->path[1] != '\0')
			not_found(c);	/* "file/": not a directory */
		else
			send_file(c, c->path);
		return;
	}
	if (!slash) {
		/* Relative links in the page need the trailing '/'. */
		n = slen("Location: ");
		toro_snprintf(extra, sizeof(extra), "Location: ");
		for (; rawlen > 0 && n < sizeof(extra) - 4; rawlen--)
			extra[n++] = *raw++;
		extra[n++] = '/';
		extra[n++] = '\r';
		extra[n++] = '\n';
		extra[n] = '\0';
		respond(c, 301, "Moved Permanently", "text/plain",
		    "moved\n", 6, extra);
		return;
	}
	n = slen(c->path);
	toro_snprintf(c->path + n, sizeof(c->path) - n, "%sindex.html",
	    n == 1 ? "" : "/");
	if (toro_stat(c->path, &st) == 0 && st.type == TORO_S_IFREG) {
		send_file(c, c->path);
		return;
	}
	c->path[n] = '\0';
	send_listing(c, c->path);
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
		respond(c, 405, "Method Not Allowed", "text/plain",
		    "method not allowed\n", 19, "Allow: GET, HEAD\r\n");
		return 0;
	}
	if (c->toolong) {
		respond(c, 414, "URI Too Long", "text/plain",
		    "URI too long\n", 13, "");
		return 0;
	}
	/* The path alone, of "/p?q" or "http://host/p?q". */
	http_parser_url_init(&u);
	if (http_parser_parse_url(c->url, c->urllen, 0, &u) != 0) {
		respond(c, 400, "Bad Request", "text/plain",
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
		respond(c, 200, "OK", "text/plain", hello_txt,
		    sizeof(hello_txt) - 1, "");
	} else if (is(raw, len, "/stats")) {
		/*
		 * Threads on different CPUs may run at once (native SMP,
		 * sim pthreads): build the page in a buffer of our own.
		 */
		if ((body = toro_malloc(4096)) == NULL) {
			no_memory(c);
			return 0;
		}
		len = stats_json(body, 4096);
		respond(c, 200, "OK", "application/json", body, len, "");
		toro_free(body);
	} else {
		serve_disk(c, raw, len);
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
		/* Answers go out whole; never wait for the client's ACK. */
		toro_socket_set_nodelay(c, 1);
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
