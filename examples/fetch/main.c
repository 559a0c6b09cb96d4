/*
 * fetch URL...: an HTTP/1.1 client.  Downloads each URL's body and
 * prints its status, byte count and SHA-256:
 *
 *	fetch: http://10.0.2.2:8000/f 200 OK, 10485760 bytes, sha256 3f...
 *
 * URLs are http://HOST[:PORT]/PATH, HOST a name (resolved through the DNS
 * server DHCP or dns= gave) or an A.B.C.D address.  The body is delimited by
 * Content-Length, by chunked transfer coding, or by the end of the
 * connection.  Exits 0 when every URL answered 200, 1 otherwise, 2 on a
 * bad command line.  With more than one CPU, the last one hashes while
 * CPU 0 receives (hasher.h), as `curl | sha256sum` overlaps the two.
 * With -n first, bodies are counted but not hashed (as curl -o
 * /dev/null), and the line ends with the byte count.
 *
 *	./toro run fetch -- http://10.0.2.2:8000/file
 */
#include <toro/toro.h>

#include "sha256.h"
#include "hasher.h"

#define HDR_MAX 16384		/* status line and headers */
#define IO_NS (30 * 1000000000ll)

/*
 * A buffered reader over a socket.  Its buffer is curl's (the curl tool
 * reads 100 KiB at a time), so that bench/tcp.sh compares the stacks
 * with the same number of reads.
 */
#define READ_BUF (100 * 1024)

struct reader {
	int fd;
	size_t off, len;
	char buf[READ_BUF];
};

struct url {
	uint32_t addr;
	uint16_t port;
	char host[256]; /* a DNS name is at most 253 characters */
	const char *path;
};

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Does s start with prefix, ignoring case?  Returns what follows, or NULL. */
static const char *
prefix(const char *s, const char *p)
{
	for (; *p != '\0'; s++, p++)
		if (lower(*s) != lower(*p))
			return NULL;
	return s;
}

static int
parse_url(const char *s, struct url *u)
{
	const char *p;
	size_t n, i;
	long port = 80;

	if ((p = prefix(s, "http://")) == NULL) {
		toro_printf("fetch: %s: only http:// URLs\n", s);
		return -1;
	}
	for (n = 0; p[n] != '\0' && p[n] != ':' && p[n] != '/'; n++)
		;
	if (n == 0 || n >= sizeof(u->host)) {
		toro_printf("fetch: %s: bad host\n", s);
		return -1;
	}
	for (i = 0; i < n; i++)
		u->host[i] = p[i];
	u->host[n] = '\0';
	p += n;
	if (*p == ':') {
		port = 0;
		for (p++; *p >= '0' && *p <= '9' && port <= 65535; p++)
			port = port * 10 + (*p - '0');
		if (port < 1 || port > 65535 || (*p != '\0' && *p != '/')) {
			toro_printf("fetch: %s: bad port\n", s);
			return -1;
		}
	}
	u->port = (uint16_t)port;
	u->path = *p == '\0' ? "/" : p;
	return 0;
}

/* Refill an empty reader: > 0 bytes, 0 at end of stream, < 0 error. */
static long
fill(struct reader *r)
{
	long n;

	if (r->off < r->len)
		return (long)(r->len - r->off);
	n = toro_recv(r->fd, r->buf, sizeof(r->buf), 0);
	if (n < 0)
		return n;
	r->off = 0;
	r->len = (size_t)n;
	return n;
}

/* One line without its CRLF (or LF) into line: its length, or < 0. */
static long
read_line(struct reader *r, char *line, size_t size)
{
	size_t n = 0;
	long got;
	char c;

	for (;;) {
		if ((got = fill(r)) <= 0)
			return got < 0 ? got : -TORO_ECONNRESET;
		c = r->buf[r->off++];
		if (c == '\n')
			break;
		if (n + 1 >= size)
			return -TORO_EMSGSIZE;
		line[n++] = c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return (long)n;
}

/*
 * Hash up to want bytes of body (all until the end of the stream if
 * want < 0); *total counts them.  Returns 0, or < 0 on an error or an
 * early end.
 */
static long
read_body(struct reader *r, struct hasher *h, int64_t want, uint64_t *total)
{
	size_t n;
	long got;

	while (want != 0) {
		if ((got = fill(r)) < 0)
			return got;
		if (got == 0)
			return want < 0 ? 0 : -TORO_ECONNRESET;
		n = r->len - r->off;
		if (want > 0 && (int64_t)n > want)
			n = (size_t)want;
		if (h != NULL)
			hasher_update(h, r->buf + r->off, n);
		r->off += n;
		*total += n;
		if (want > 0)
			want -= (int64_t)n;
	}
	return 0;
}

static int
hexval(int c)
{
	c = lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A chunked body (RFC 9112, 7.1), trailers skipped. */
static long
read_chunked(struct reader *r, struct hasher *h, uint64_t *total)
{
	char line[256];
	int64_t size;
	long err;
	int i, d;

	for (;;) {
		if ((err = read_line(r, line, sizeof(line))) < 0)
			return err;
		size = 0;
		for (i = 0; (d = hexval(line[i])) >= 0; i++) {
			if (size > (INT64_MAX >> 4))
				return -TORO_EMSGSIZE;
			size = size << 4 | d;
		}
		if (i == 0)
			return -TORO_EINVAL;
		if (size == 0)
			break;
		if ((err = read_body(r, h, size, total)) < 0 ||
		    (err = read_line(r, line, sizeof(line))) < 0)
			return err;
		if (err != 0)
			return -TORO_EINVAL;	/* no CRLF after the data */
	}
	/* Trailers end with an empty line. */
	while ((err = read_line(r, line, sizeof(line))) > 0)
		;
	return err;
}

/* Fetch one URL, hashing its body or not; print the result: 0 on 200. */
static int
fetch(const char *s, int hash)
{
	struct toro_sockaddr_in to;
	struct reader *r;
	struct hasher *h;
	struct url u;
	char req[1024], line[HDR_MAX], reason[64], hex[2 * SHA256_LEN + 1];
	uint8_t digest[SHA256_LEN];
	uint64_t total = 0;
	int64_t length = -1;
	const char *v;
	int fd, n, i, status = 0, chunked = 0, ret = 1;
	long err;

	if (parse_url(s, &u) < 0)
		return 2;
	if ((err = toro_resolve(u.host, &u.addr, 0)) < 0) {
		toro_printf("fetch: %s: cannot resolve '%s': %s\n", s, u.host,
		    err == -TORO_ENOENT ? "no such host" :
		    toro_strerror((int)err));
		return 1;
	}
	if ((r = toro_calloc(1, sizeof(*r))) == NULL) {
		toro_printf("fetch: out of memory\n");
		return 1;
	}
	n = toro_snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\n"
	    "Host: %s:%d\r\nUser-Agent: toro-fetch\r\nAccept: */*\r\n"
	    "Connection: close\r\n\r\n", u.path, u.host, u.port);
	if (n < 0 || (size_t)n >= sizeof(req)) {
		toro_printf("fetch: %s: URL too long\n", s);
		toro_free(r);
		return 2;
	}
	to.family = TORO_AF_INET;
	to.port = u.port;
	to.addr = u.addr;
	if ((fd = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0)) < 0) {
		toro_printf("fetch: socket: %s\n", toro_strerror(fd));
		toro_free(r);
		return 1;
	}
	r->fd = fd;
	toro_socket_set_timeout(fd, IO_NS);
	if ((err = toro_connect(fd, &to)) < 0) {
		toro_printf("fetch: %s: connect: %s\n", s,
		    toro_strerror((int)err));
		goto out;
	}
	for (i = 0; i < n; i += (int)err)
		if ((err = toro_send(fd, req + i, (size_t)(n - i), 0)) <= 0) {
			toro_printf("fetch: %s: send: %s\n", s,
			    toro_strerror(err < 0 ? (int)err : -TORO_EPIPE));
			goto out;
		}

	/* The status line: HTTP/1.x NNN reason. */
	if ((err = read_line(r, line, sizeof(line))) < 0)
		goto bad;
	if ((v = prefix(line, "HTTP/1.")) == NULL || v[0] == '\0' ||
	    v[1] != ' ') {
		toro_printf("fetch: %s: not an HTTP/1 answer\n", s);
		goto out;
	}
	for (v += 2, i = 0; i < 3; i++, v++) {
		if (*v < '0' || *v > '9') {
			toro_printf("fetch: %s: bad status line\n", s);
			goto out;
		}
		status = status * 10 + (*v - '0');
	}
	while (*v == ' ')
		v++;
	toro_snprintf(reason, sizeof(reason), "%s", v);

	/* Headers, up to the empty line. */
	while ((err = read_line(r, line, sizeof(line))) > 0) {
		if ((v = prefix(line, "content-length:")) != NULL) {
			while (*v == ' ' || *v == '\t')
				v++;
			for (length = 0; *v >= '0' && *v <= '9'; v++) {
				if (length > INT64_MAX / 10 - 1)
					goto bad_length;
				length = length * 10 + (*v - '0');
			}
			if (*v != '\0' && *v != ' ' && *v != '\t') {
bad_length:
				toro_printf("fetch: %s: bad Content-Length\n",
				    s);
				goto out;
			}
		} else if ((v = prefix(line, "transfer-encoding:")) != NULL) {
			/* chunked is the last coding when present. */
			for (; *v != '\0'; v++)
				if (prefix(v, "chunked") != NULL)
					chunked = 1;
		}
	}
	if (err < 0)
		goto bad;

	h = NULL;
	if (hash && (h = hasher_new()) == NULL) {
		toro_printf("fetch: out of memory\n");
		goto out;
	}
	if (chunked)
		err = read_chunked(r, h, &total);
	else
		err = read_body(r, h, length, &total);
	if (h != NULL)
		hasher_final(h, digest);
	if (err < 0)
		goto bad;
	if (h == NULL) {
		toro_printf("fetch: %s %d %s, %llu bytes\n", s, status, reason,
		    (unsigned long long)total);
		ret = status == 200 ? 0 : 1;
		goto out;
	}
	for (i = 0; i < SHA256_LEN; i++)
		toro_snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	toro_printf("fetch: %s %d %s, %llu bytes, sha256 %s\n", s, status,
	    reason, (unsigned long long)total, hex);
	ret = status == 200 ? 0 : 1;
	goto out;
bad:
	toro_printf("fetch: %s: %s after %llu bytes of body\n", s,
	    toro_strerror((int)err), (unsigned long long)total);
out:
	toro_close(fd);
	toro_free(r);
	return ret;
}

int
main(int argc, char **argv)
{
	int i = 1, err, ret = 0, r, hash = 1;

	if (argc > 1 && argv[1][0] == '-' && argv[1][1] == 'n' &&
	    argv[1][2] == '\0') {
		hash = 0;
		i++;
	}
	if (i >= argc) {
		toro_printf("usage: fetch [-n] http://HOST[:PORT]/PATH...\n");
		return 2;
	}
	if ((err = toro_net_wait(30 * 1000000000ll)) < 0) {
		toro_printf("fetch: no network: %s\n", toro_strerror(err));
		return 1;
	}
	for (; i < argc; i++)
		if ((r = fetch(argv[i], hash)) > ret)
			ret = r;
	return ret;
}
