/*
 * http/fuzz.c: the webserver's request handling (examples/webserver:
 * http.c's connection state fed by conn_feed(), out.c's queue, files.c
 * and stats.c, their POSIX calls over the kernel's API: posix.h), on a
 * fresh fake machine per input.
 *
 * The input is what a client sends on one connection.  The harness
 * accepts a connection over the kernel's loopback, serves it as one of
 * loop.c's workers serves each of its connections, sends the input,
 * closes its side for writing, and reads every answer until the server
 * closes.  Disk 0 holds a small site (the fat fuzzer's seed "files":
 * /index.html, /a.txt, /dir/sub/deep.txt ...), so requests reach real
 * files, directories and listings.  Every answer must start as an
 * HTTP/1.1 status line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs/fs.h"
#include "core/net/net.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "tests/fuzz/machine.h"
#include "toro/toro.h"
#include "webserver.h"

#define SEC 1000000000ll

static const char *site = FUZZ_TOP "/tests/fuzz/fat/corpus/files";

/* The site's image, cut after its last non-zero byte as seeds are. */
static char *image;
static size_t image_len;

static struct {
	const uint8_t *data;
	size_t size;
	int listener;
} fz;

/*
 * One connection served as a worker of loop.c serves each of its own:
 * bytes fed to the parser while no answer waits, the queue pumped when
 * the socket takes more, the requests that waited resumed after it.
 */
static void
serve(struct conn *c)
{
	struct toro_pollfd p;
	char buf[4096];
	long n;
	int r;

	for (;;) {
		p.fd = c->fd;
		p.events = conn_busy(c) ? TORO_POLLOUT : TORO_POLLIN;
		p.revents = 0;
		if (toro_poll(&p, 1, 60 * SEC) <= 0)
			return;
		if (conn_busy(c)) {
			if ((r = conn_pump(c)) > 0)
				continue;
			if (r < 0 || c->close || conn_resume(c) < 0 ||
			    (c->close && !conn_busy(c)))
				return;
			continue;
		}
		n = toro_recv(c->fd, buf, sizeof(buf), TORO_MSG_DONTWAIT);
		if (n == -TORO_EAGAIN)
			continue;
		if (n < 0)
			n = 0; /* reset: as the end of the stream */
		if (conn_feed(c, buf, (size_t)n) < 0 ||
		    (c->close && !conn_busy(c)) || (n == 0 && !conn_busy(c)))
			return;
	}
}

/* loop.c's, whose workers this harness stands in for. */
uint64_t
loop_now_ns(void)
{
	return toro_time_ns();
}

void
loop_counts(long *open, long *accepted, long *refused)
{
	*open = 1;
	*accepted = 1;
	*refused = 0;
}

/* Its one connection, on the one CPU. */
int
loop_held(long *held, int max)
{
	if (max < 1)
		return 0;
	held[0] = 1;
	return 1;
}

static void *
server(void *unused)
{
	struct conn *c;
	int fd = toro_accept(fz.listener, NULL);

	if (fd < 0)
		return NULL;
	if ((c = conn_new(fd)) != NULL) {
		serve(c);
		conn_free(c);
	}
	toro_close(fd);
	return NULL;
}

static void *
run(void *unused)
{
	struct toro_sockaddr_in me = { TORO_AF_INET, 80, 0 };
	struct toro_sockaddr_in to = { TORO_AF_INET, 80, TORO_INADDR_LOOPBACK };
	struct toro_thread *t;
	static char buf[65536];
	int c, first = 1;
	long n, total = 0;

	if (fakeblk_create(0, 16u * 2048) < 0)
		fuzz_fail("no disk");
	memcpy(fakeblk_data(0, NULL), image, image_len);
	if (net_start(0) < 0 || fs_start(0) < 0)
		fuzz_fail("no network or no disk");
	if ((fz.listener = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0)) <
		0 ||
	    toro_bind(fz.listener, &me) < 0 ||
	    toro_listen(fz.listener, 1) < 0 ||
	    toro_thread_create(&t, 0, server, NULL, NULL) < 0)
		fuzz_fail("no server");
	if ((c = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0)) < 0 ||
	    toro_connect(c, &to) < 0)
		fuzz_fail("cannot connect over the loopback");
	toro_socket_set_timeout(c, 60 * SEC);
	(void)toro_send(c, fz.data, fz.size, 0);
	toro_shutdown(c, TORO_SHUT_WR);
	while ((n = toro_recv(c, buf, sizeof(buf), 0)) > 0) {
		if (first && (n < 9 || memcmp(buf, "HTTP/1.1 ", 9) != 0))
			fuzz_fail("an answer that is not HTTP/1.1: '%.*s'",
			    (int)n, buf);
		if (first && getenv("FUZZ_TRACE") != NULL)
			fprintf(stderr, "http: %.*s\n", (int)(n < 40 ? n : 40),
			    buf);
		first = 0;
		total += n;
	}
	if (n < 0 && n != -TORO_ECONNRESET)
		fuzz_fail(
		    "the server's answer ends with %s", toro_strerror((int)n));
	toro_close(c);
	toro_thread_join(t, NULL);
	if (getenv("FUZZ_TRACE") != NULL)
		fprintf(stderr, "http: %ld bytes\n%s", total,
		    fake_console_output());
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f;

	if (image == NULL) {
		if ((f = fopen(site, "rb")) == NULL ||
		    (image = malloc(1 << 20)) == NULL)
			fuzz_fail("cannot read %s", site);
		image_len = fread(image, 1, 1 << 20, f);
		fclose(f);
	}
	memset(&fz, 0, sizeof(fz));
	fz.data = data;
	fz.size = size;
	fuzz_machine_reset();
	fake_set_cmdline("ip=10.0.2.15/24");
	fuzz_machine_run(1, 16u << 20, run, NULL);
	return 0;
}
