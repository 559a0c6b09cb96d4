/*
 * fs MODE [ARG]: file-system throughput on disk 0, timed in the guest.
 *
 *	fs bigw MB	write /f64 (MB MiB, 64 KiB at a time), then sync
 *	fs bigr		read /f64 back, 64 KiB at a time
 *	fs smallw N	create N files of 4 KiB in /small/dNN/fNNN.dat
 *			(100 a directory), then sync
 *	fs smallr N	open and read those N files
 *	fs par MB	write /p0 and /p1 (MB MiB each, untimed), then read
 *			them one after the other on CPU 0, then at once,
 *			/p1 on the last CPU (--cpus 2)
 *
 * Each prints one line "fs: MODE RATE UNIT (BYTES bytes, NS ns)", RATE
 * in MB/s (10^6 bytes) for bigw/bigr and files/s for smallw/smallr; par
 * prints "fs: par SEQ PAR MB/s", the two files' bytes over each time.
 * Every 64 KiB chunk (every 4 KiB file) starts with its index, which
 * the read modes check (not the rest of the data).  The peers are
 * mtools and cat, in bench/fs.sh.
 */
#include <toro/toro.h>

#define CHUNK (64 * 1024)
#define SMALL 4096
#define PER_DIR 100

static long
atol_(const char *s)
{
	long n = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (*s - '0');
	return n;
}

static int
streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

/* The index at the start of a chunk (little-endian). */
static void
put_index(unsigned char *buf, uint64_t index)
{
	int i;

	for (i = 0; i < 8; i++)
		buf[i] = (unsigned char)(index >> (8 * i));
}

static uint64_t
get_index(const unsigned char *buf)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)buf[i] << (8 * i);
	return v;
}

static int
fail(const char *what, const char *path, long err)
{
	toro_printf("fs: %s %s: %s\n", what, path, toro_strerror((int)err));
	return 1;
}

static void
fill(unsigned char *buf, size_t n, uint64_t index)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 7 + 1);
	put_index(buf, index);
}

static int
check(const unsigned char *buf, uint64_t index, const char *path)
{
	uint64_t got = get_index(buf);

	if (got != index) {
		toro_printf("fs: %s: chunk %llu holds %llu\n", path,
		    (unsigned long long)index, (unsigned long long)got);
		return 1;
	}
	return 0;
}

static void
report(const char *mode, uint64_t bytes, uint64_t ns, double count,
    const char *unit)
{
	toro_printf("fs: %s %.1f %s (%llu bytes, %llu ns)\n", mode,
	    count / ((double)ns / 1e9), unit, (unsigned long long)bytes,
	    (unsigned long long)ns);
}

static int
bigw(long mb, unsigned char *buf)
{
	uint64_t start, ns, i, chunks = (uint64_t)mb * 1024 * 1024 / CHUNK;
	long n;
	int fd, err;

	toro_unlink("/f64");
	fill(buf, CHUNK, 0);
	start = toro_time_ns();
	if ((fd = toro_open("/f64", TORO_O_WRONLY | TORO_O_CREAT |
	    TORO_O_TRUNC)) < 0)
		return fail("cannot create", "/f64", fd);
	for (i = 0; i < chunks; i++) {
		put_index(buf, (uint64_t)i);
		if ((n = toro_write(fd, buf, CHUNK)) != CHUNK)
			return fail("cannot write", "/f64", n < 0 ? n :
			    -TORO_EIO);
	}
	if ((err = toro_close(fd)) < 0)
		return fail("cannot close", "/f64", err);
	if ((err = toro_sync()) < 0)
		return fail("cannot sync", "/f64", err);
	ns = toro_time_ns() - start;
	report("bigw", chunks * CHUNK, ns, (double)(chunks * CHUNK) / 1e6,
	    "MB/s");
	return 0;
}

static int
bigr(unsigned char *buf)
{
	uint64_t start, ns, i = 0, bytes = 0;
	long n;
	int fd, err;

	start = toro_time_ns();
	if ((fd = toro_open("/f64", TORO_O_RDONLY)) < 0)
		return fail("cannot open", "/f64", fd);
	while ((n = toro_read(fd, buf, CHUNK)) > 0) {
		if (n != CHUNK)
			return fail("short read", "/f64", -TORO_EIO);
		if (check(buf, i++, "/f64"))
			return 1;
		bytes += (uint64_t)n;
	}
	if (n < 0)
		return fail("cannot read", "/f64", n);
	if ((err = toro_close(fd)) < 0)
		return fail("cannot close", "/f64", err);
	ns = toro_time_ns() - start;
	report("bigr", bytes, ns, (double)bytes / 1e6, "MB/s");
	return 0;
}

/* Write path: MB MiB of 64 KiB chunks numbered from 0. */
static int
put_file(const char *path, long mb, unsigned char *buf)
{
	uint64_t i, chunks = (uint64_t)mb * 1024 * 1024 / CHUNK;
	long n;
	int fd, err;

	if ((fd = toro_open(
		 path, TORO_O_WRONLY | TORO_O_CREAT | TORO_O_TRUNC)) < 0)
		return fail("cannot create", path, fd);
	for (i = 0; i < chunks; i++) {
		put_index(buf, i);
		if ((n = toro_write(fd, buf, CHUNK)) != CHUNK)
			return fail(
			    "cannot write", path, n < 0 ? n : -TORO_EIO);
	}
	if ((err = toro_close(fd)) < 0)
		return fail("cannot close", path, err);
	return 0;
}

/* Read path through, checking each chunk's index; 0 or 1. */
static int
get_file(const char *path, unsigned char *buf)
{
	uint64_t i = 0;
	long n;
	int fd;

	if ((fd = toro_open(path, TORO_O_RDONLY)) < 0)
		return fail("cannot open", path, fd);
	while ((n = toro_read(fd, buf, CHUNK)) == CHUNK)
		if (check(buf, i++, path))
			return 1;
	toro_close(fd);
	return n == 0 ? 0 : fail("cannot read", path, n < 0 ? n : -TORO_EIO);
}

static void *
reader(void *path)
{
	unsigned char *buf = toro_malloc(CHUNK);
	long r;

	if (buf == NULL)
		return (void *)1L;
	r = get_file(path, buf);
	toro_free(buf);
	return (void *)r;
}

/* Two readers of two files: one after the other, then at once. */
static int
par(long mb, unsigned char *buf)
{
	struct toro_thread *t;
	uint64_t start, seq, at_once;
	double mbytes = 2.0 * (double)mb * 1024 * 1024 / 1e6;
	void *r;

	if (put_file("/p0", mb, buf) || put_file("/p1", mb, buf) ||
	    toro_sync() < 0)
		return 1;
	start = toro_time_ns();
	if (get_file("/p0", buf) || get_file("/p1", buf))
		return 1;
	seq = toro_time_ns() - start;
	start = toro_time_ns();
	if (toro_thread_create(&t, toro_cpu_count() - 1, reader, "/p1", NULL) <
	    0)
		return fail("cannot start", "a reader", -TORO_ENOMEM);
	if (get_file("/p0", buf) || toro_thread_join(t, &r) < 0 || r != NULL)
		return 1;
	at_once = toro_time_ns() - start;
	toro_printf("fs: par %.1f %.1f MB/s (%llu ns, %llu ns)\n",
	    mbytes / ((double)seq / 1e9), mbytes / ((double)at_once / 1e9),
	    (unsigned long long)seq, (unsigned long long)at_once);
	return 0;
}

static void
small_path(char *path, size_t size, long i)
{
	toro_snprintf(path, size, "/small/d%02ld/f%03ld.dat", i / PER_DIR,
	    i % PER_DIR);
}

static int
smallw(long count, unsigned char *buf)
{
	char path[64];
	uint64_t start, ns;
	long i, n;
	int fd, err;

	fill(buf, SMALL, 0);
	start = toro_time_ns();
	if ((err = toro_mkdir("/small")) < 0)
		return fail("cannot make", "/small", err);
	for (i = 0; i < count; i++) {
		if (i % PER_DIR == 0) {
			toro_snprintf(path, sizeof(path), "/small/d%02ld",
			    i / PER_DIR);
			if ((err = toro_mkdir(path)) < 0)
				return fail("cannot make", path, err);
		}
		small_path(path, sizeof(path), i);
		put_index(buf, (uint64_t)i);
		if ((fd = toro_open(path, TORO_O_WRONLY | TORO_O_CREAT |
		    TORO_O_EXCL)) < 0)
			return fail("cannot create", path, fd);
		if ((n = toro_write(fd, buf, SMALL)) != SMALL)
			return fail("cannot write", path, n < 0 ? n :
			    -TORO_EIO);
		if ((err = toro_close(fd)) < 0)
			return fail("cannot close", path, err);
	}
	if ((err = toro_sync()) < 0)
		return fail("cannot sync", "/small", err);
	ns = toro_time_ns() - start;
	report("smallw", (uint64_t)count * SMALL, ns, (double)count,
	    "files/s");
	return 0;
}

static int
smallr(long count, unsigned char *buf)
{
	char path[64];
	uint64_t start, ns;
	long i, n;
	int fd, err;

	start = toro_time_ns();
	for (i = 0; i < count; i++) {
		small_path(path, sizeof(path), i);
		if ((fd = toro_open(path, TORO_O_RDONLY)) < 0)
			return fail("cannot open", path, fd);
		/* Ask for more than there is: the second read sees the end. */
		if ((n = toro_read(fd, buf, SMALL * 2)) != SMALL)
			return fail("short read", path, n < 0 ? n : -TORO_EIO);
		if (check(buf, (uint64_t)i, path))
			return 1;
		if ((err = toro_close(fd)) < 0)
			return fail("cannot close", path, err);
	}
	ns = toro_time_ns() - start;
	report("smallr", (uint64_t)count * SMALL, ns, (double)count,
	    "files/s");
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned char *buf;
	long arg = argc > 2 ? atol_(argv[2]) : 0;
	int r;

	if (argc < 2) {
		toro_printf("usage: fs bigw MB | bigr | smallw N | smallr N | "
			    "par MB\n");
		return 2;
	}
	if ((buf = toro_malloc(CHUNK)) == NULL)
		return fail("no memory for", "the buffer", -TORO_ENOMEM);
	if (streq(argv[1], "bigw") && arg > 0)
		r = bigw(arg, buf);
	else if (streq(argv[1], "bigr"))
		r = bigr(buf);
	else if (streq(argv[1], "smallw") && arg > 0)
		r = smallw(arg, buf);
	else if (streq(argv[1], "smallr") && arg > 0)
		r = smallr(arg, buf);
	else if (streq(argv[1], "par") && arg > 0)
		r = par(arg, buf);
	else {
		toro_printf("fs: bad mode or count\n");
		r = 2;
	}
	toro_free(buf);
	return r;
}
