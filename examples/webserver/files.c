/*
 * files.c: GET and HEAD of the files of disk 0, a static web site
 * (--share DIR or --disk IMAGE in the simulator).
 *
 * The URL's path is percent-decoded, split into names ("." and empty
 * names dropped); a ".." name is refused (403) so nothing outside the
 * disk's root is reachable.  The Content-Type comes from the extension
 * (application/octet-stream when unknown), the Content-Length from the
 * file's size; the body is read and sent a chunk at a time as the
 * socket takes it (out.c), never whole.  A directory asked for without its
 * trailing '/' is redirected (301) to it; with it, the directory's index.html
 * is served if it has one, else a generated HTML listing (names linked, sizes).
 * Without a disk, / is a built-in index page and anything else is 404.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "webserver.h"

static const char index_html[] =
    "<!DOCTYPE html>\n"
    "<html><head><title>Toro</title></head>\n"
    "<body><h1>Hello from Toro</h1>\n"
    "<p>A dedicated kernel serving HTTP/1.1.</p>\n"
    "<ul><li><a href=\"/hello\">/hello</a></li>\n"
    "<li><a href=\"/stats\">/stats</a>: the network counters</li></ul>\n"
    "</body></html>\n";

static size_t
slen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

static int
streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
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
	for (i = 0;
	     dot != NULL && i < sizeof(mime_types) / sizeof(mime_types[0]);
	     i++) {
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
				n = start; /* "" or ".": dropped */
			else if (dots)
				return 403; /* "..", "...", ". ." */
			else {
				if (n >= PATH_MAX - 1)
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
		if (n >= PATH_MAX - 1)
			return 414;
		out[n++] = (char)ch;
	}
	if (n > 1)
		n--; /* the '/' after the last name */
	out[n] = '\0';
	return 0;
}

/* Answer with the file at path; out.c streams its body. */
static void
send_file(struct conn *c, const char *path)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0) {
		if (errno == ENFILE || errno == EMFILE)
			conn_respond(c, 503, "Service Unavailable",
			    "text/plain", "too many open files\n", 20, "");
		else
			conn_not_found(c);
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		conn_not_found(c);
		return;
	}
	if (conn_header(c, 200, "OK", mime_type(path), (uint64_t)st.st_size, "",
		NULL) == 0 &&
	    !c->head)
		conn_stream_file(
		    c, fd, (uint64_t)st.st_size); /* it closes fd */
	else
		close(fd);
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
		if ((p = realloc(pg->p, cap)) == NULL) {
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
		case '&':
			put(pg, "&amp;");
			break;
		case '<':
			put(pg, "&lt;");
			break;
		case '>':
			put(pg, "&gt;");
			break;
		case '"':
			put(pg, "&quot;");
			break;
		default:
			put_bytes(pg, s, 1);
			break;
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

/* One row of a listing: name linked, its size (stat) if a file. */
static void
put_entry(struct page *pg, const char *dir, const struct dirent *de)
{
	char full[PATH_SIZE + NAME_MAX + 2], num[32];
	struct stat st;
	int isdir = de->d_type == DT_DIR;

	put(pg, "<tr><td><a href=\"");
	put_url(pg, de->d_name);
	if (isdir)
		put(pg, "/");
	put(pg, "\">");
	put_html(pg, de->d_name);
	if (isdir) {
		put(pg, "/</a></td><td>-</td></tr>\n");
		return;
	}
	snprintf(full, sizeof(full), "%s%s%s", dir, dir[1] != '\0' ? "/" : "",
	    de->d_name);
	if (stat(full, &st) < 0)
		st.st_size = 0;
	snprintf(num, sizeof(num), "%llu", (unsigned long long)st.st_size);
	put(pg, "</a></td><td align=\"right\">");
	put(pg, num);
	put(pg, "</td></tr>\n");
}

/* A generated listing of the directory at path: names linked, sizes. */
static void
send_listing(struct conn *c, const char *path)
{
	struct page pg = { NULL, 0, 0, 0 };
	struct dirent *de;
	DIR *dd;
	int err;

	if ((dd = opendir(path)) == NULL) {
		if (errno == ENOMEM)
			conn_no_memory(c);
		else
			conn_not_found(c);
		return;
	}
	put(&pg,
	    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>Index of ");
	put_html(&pg, path);
	put(&pg, path[1] != '\0' ? "/" : "");
	put(&pg, "</title></head>\n<body><h1>Index of ");
	put_html(&pg, path);
	put(&pg, path[1] != '\0' ? "/" : "");
	put(&pg, "</h1>\n<table>\n");
	if (path[1] != '\0')
		put(&pg,
		    "<tr><td><a href=\"../\">../</a></td><td></td></tr>\n");
	/* readdir() says an error only through errno. */
	errno = 0;
	while ((de = readdir(dd)) != NULL) {
		put_entry(&pg, path, de);
		errno = 0;
	}
	err = errno;
	put(&pg, "</table>\n</body></html>\n");
	closedir(dd);
	if (err != 0)
		conn_respond(c, 500, "Internal Server Error", "text/plain",
		    "cannot read the directory\n", 26, "");
	else if (pg.nomem)
		conn_no_memory(c);
	else
		conn_respond(
		    c, 200, "OK", "text/html; charset=utf-8", pg.p, pg.len, "");
	free(pg.p);
}

/*
 * A GET or HEAD of raw (the URL's path, not decoded) on the disk.  No
 * disk (even "/" cannot be stat'ed): the built-in index page at / and
 * /index.html, else 404.
 */
void
files_serve(struct conn *c, const char *raw, size_t rawlen)
{
	struct stat st;
	char extra[URL_MAX + 32];
	size_t n;
	int err, slash;

	if ((err = decode_path(c, raw, rawlen, &slash)) != 0) {
		if (err == 403)
			conn_respond(c, 403, "Forbidden", "text/plain",
			    "forbidden\n", 10, "");
		else if (err == 414)
			conn_respond(c, 414, "URI Too Long", "text/plain",
			    "URI too long\n", 13, "");
		else if (err == 400)
			conn_respond(c, 400, "Bad Request", "text/plain",
			    "bad request\n", 12, "");
		else
			conn_not_found(c);
		return;
	}
	/* No disk (nothing mounted at /, or no file system at all)? */
	if ((err = stat(c->path, &st)) < 0 && stat("/", &st) < 0) {
		if (streq(c->path, "/") || streq(c->path, "/index.html"))
			conn_respond(c, 200, "OK", "text/html; charset=utf-8",
			    index_html, sizeof(index_html) - 1, "");
		else
			conn_not_found(c);
		return;
	}
	if (err < 0) {
		conn_not_found(c);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (slash && c->path[1] != '\0')
			conn_not_found(c); /* "file/": not a directory */
		else
			send_file(c, c->path);
		return;
	}
	if (!slash) {
		/* Relative links in the page need the trailing '/'. */
		n = slen("Location: ");
		snprintf(extra, sizeof(extra), "Location: ");
		for (; rawlen > 0 && n < sizeof(extra) - 4; rawlen--)
			extra[n++] = *raw++;
		extra[n++] = '/';
		extra[n++] = '\r';
		extra[n++] = '\n';
		extra[n] = '\0';
		conn_respond(c, 301, "Moved Permanently", "text/plain",
		    "moved\n", 6, extra);
		return;
	}
	n = slen(c->path);
	snprintf(c->path + n, PATH_SIZE - n, "%sindex.html", n == 1 ? "" : "/");
	if (stat(c->path, &st) == 0 && S_ISREG(st.st_mode)) {
		send_file(c, c->path);
		return;
	}
	c->path[n] = '\0';
	send_listing(c, c->path);
}
