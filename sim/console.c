/*
 * console.c: the machine's console device: stdout out, stdin in.
 *
 * Interface: sim_console_write() writes to stdout at once.  Input is read
 * by the host loop (sim_console_init() sets it up there) into a ring
 * buffer, and each arrival posts HAL_EV_CONSOLE to CPU 0;
 * sim_console_read() takes bytes from the ring without blocking.
 *
 * Rules: stdin is read as whatever it is (terminal, pipe, socket, file);
 * a terminal keeps its mode, so line editing and Ctrl-C stay the
 * terminal's.  When the ring is full the loop stops reading until a
 * reader makes room (backpressure, nothing dropped); at end of input or
 * on an error it stops for good.  Neither side ever polls.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "hal/hal.h"
#include "sim/sim.h"

enum { RING_SIZE = 4096, CHUNK_SIZE = 1024 };

/* Input ring: bytes [tail, head) are unread; the counters only grow. */
static char ring[RING_SIZE];
static size_t head, tail;
static bool paused; /* the loop stopped reading because the ring is full */
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;

/* Host loop side: one of a stream or file reads on fd 0. */
static union {
	uv_tty_t tty;
	uv_pipe_t pipe;
	uv_tcp_t tcp;
} in;
static uv_stream_t *stream;
static bool is_file;
static uv_fs_t fs_req;
static char chunk[CHUNK_SIZE];
static uv_async_t resume;
static bool reading; /* a read is started; the loop's own state */
static bool ended;   /* end of input or an error: no more reads */
static uv_loop_t *loop;
static int stdin_flags = -1;

void
sim_console_write(const char *s, size_t n)
{
	struct pollfd p;
	ssize_t r;

	while (n > 0) {
		if ((r = write(STDOUT_FILENO, s, n)) >= 0) {
			s += r;
			n -= (size_t)r;
		} else if (errno == EAGAIN) {
			/* stdout shares a non-blocking file with stdin. */
			p.fd = STDOUT_FILENO;
			p.events = POLLOUT;
			if (poll(&p, 1, -1) == -1 && errno != EINTR)
				return;
		} else if (errno != EINTR) {
			/* The console is gone (EPIPE...): output is lost. */
			return;
		}
	}
}

size_t
sim_console_read(char *buf, size_t n)
{
	size_t i, got;
	bool wake;

	pthread_mutex_lock(&ring_lock);
	got = head - tail < n ? head - tail : n;
	for (i = 0; i < got; i++)
		buf[i] = ring[(tail + i) % RING_SIZE];
	tail += got;
	wake = paused && got > 0;
	if (wake)
		paused = false;
	pthread_mutex_unlock(&ring_lock);
	if (wake && uv_async_send(&resume) != 0)
		sim_fatal("console: cannot wake the host loop");
	return got;
}

/* Room in the ring for the next read (the loop is its only writer). */
static size_t
room(void)
{
	size_t left;

	pthread_mutex_lock(&ring_lock);
	left = RING_SIZE - (head - tail);
	pthread_mutex_unlock(&ring_lock);
	return left < CHUNK_SIZE ? left : CHUNK_SIZE;
}

/* Store input; returns false, marking the input paused, if now full. */
static bool
store(const char *s, size_t n)
{
	size_t i;
	bool more;

	pthread_mutex_lock(&ring_lock);
	for (i = 0; i < n; i++)
		ring[(head + i) % RING_SIZE] = s[i];
	head += n;
	more = head - tail < RING_SIZE;
	if (!more)
		paused = true;
	pthread_mutex_unlock(&ring_lock);
	if (n > 0)
		sim_cpu_post(0, HAL_EV_CONSOLE);
	return more;
}

/* Stop reading for good: end of input, or an error worth a line. */
static void
input_ends(const char *why, int error)
{
	if (error != UV_EOF)
		fprintf(stderr, "%s: console input %s: %s; ignoring it\n",
		    sim_config.prog, why, uv_strerror(error));
	if (stream != NULL && reading)
		uv_read_stop(stream);
	reading = false;
	ended = true;
}

static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	*buf = uv_buf_init(chunk, (unsigned int)room());
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	if (n > 0) {
		if (!store(buf->base, (size_t)n)) {
			uv_read_stop(s);
			reading = false;
		}
	} else if (n == UV_ENOBUFS) {
		/* Cannot happen while reading (full means paused); be safe. */
		uv_read_stop(s);
		reading = false;
		if (uv_async_send(&resume) != 0)
			sim_fatal("console: cannot wake the host loop");
	} else if (n < 0) {
		input_ends("read", (int)n);
	}
}

static void start_reading(void);

static void
on_file_read(uv_fs_t *req)
{
	ssize_t n = req->result;

	uv_fs_req_cleanup(req);
	reading = false;
	if (n > 0) {
		if (store(chunk, (size_t)n))
			start_reading();
	} else if (n == 0) {
		input_ends("read", UV_EOF);
	} else {
		input_ends("read", (int)n);
	}
}

static void
start_reading(void)
{
	uv_buf_t buf;
	int error;

	if (reading || ended)
		return;
	if (is_file) {
		buf = uv_buf_init(chunk, (unsigned int)room());
		error = uv_fs_read(loop, &fs_req, STDIN_FILENO, &buf, 1, -1,
		    on_file_read);
	} else {
		error = uv_read_start(stream, on_alloc, on_read);
	}
	if (error != 0) {
		input_ends("read", error);
		return;
	}
	reading = true;
}

/* A reader made room in a full ring (or a read found none): go on. */
static void
on_resume(uv_async_t *h)
{
	bool full;

	pthread_mutex_lock(&ring_lock);
	full = head - tail == RING_SIZE;
	if (full)
		paused = true;
	pthread_mutex_unlock(&ring_lock);
	if (!full)
		start_reading();
}

/* Give stdin back as blocking if it was, for the shell that runs next. */
static void
restore_stdin(void)
{
	if (stdin_flags != -1)
		(void)fcntl(STDIN_FILENO, F_SETFL, stdin_flags);
}

void
sim_console_init(uv_loop_t *l)
{
	int error = 0;

	loop = l;
	if ((error = uv_async_init(loop, &resume, on_resume)) != 0)
		sim_fatal("console: uv_async_init: %s", uv_strerror(error));
	stdin_flags = fcntl(STDIN_FILENO, F_GETFL);
	sim_at_exit(restore_stdin);

	switch (uv_guess_handle(STDIN_FILENO)) {
	case UV_TTY:
		/* libuv reopens the terminal so that stdout stays blocking. */
		if ((error = uv_tty_init(loop, &in.tty, STDIN_FILENO, 0)) == 0)
			stream = (uv_stream_t *)&in.tty;
		break;
	case UV_NAMED_PIPE:
		if ((error = uv_pipe_init(loop, &in.pipe, 0)) == 0 &&
		    (error = uv_pipe_open(&in.pipe, STDIN_FILENO)) == 0)
			stream = (uv_stream_t *)&in.pipe;
		break;
	case UV_TCP:
		if ((error = uv_tcp_init(loop, &in.tcp)) == 0 &&
		    (error = uv_tcp_open(&in.tcp, STDIN_FILENO)) == 0)
			stream = (uv_stream_t *)&in.tcp;
		break;
	case UV_FILE:
		/* Files and devices such as /dev/null: thread pool reads. */
		is_file = true;
		break;
	default:
		/* Closed, or nothing libuv can read: no console input. */
		return;
	}
	if (error != 0) {
		input_ends("setup", error);
		return;
	}
	start_reading();
}
