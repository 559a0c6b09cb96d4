/*
 * sharewrite: a Toro application that changes disk 0 as its arguments
 * say, for the tests of --share (tests/sim/share.sh).  Each argument is
 * one step: "d:PATH" makes a folder, "w:PATH" writes a line into a file
 * (made or emptied first), "x:PATH" deletes a file, "r:PATH" removes an
 * empty folder.  Every step is done even when one fails; the exit status
 * is the number of steps that failed.  It syncs before returning.
 */
#include <toro/toro.h>

static int
step(const char *arg)
{
	static const char line[] = "written by the guest\n";
	const char *path = arg + 2;
	int fd, n;

	if (arg[0] == '\0' || arg[1] != ':')
		return -TORO_EINVAL;
	switch (arg[0]) {
	case 'd':
		return toro_mkdir(path);
	case 'x':
		return toro_unlink(path);
	case 'r':
		return toro_rmdir(path);
	case 'w':
		if ((fd = toro_open(path,
			 TORO_O_WRONLY | TORO_O_CREAT | TORO_O_TRUNC)) < 0)
			return fd;
		n = toro_write(fd, line, sizeof(line) - 1);
		if (toro_close(fd) < 0 && n >= 0)
			n = -TORO_EIO;
		return n < 0 ? n : 0;
	}
	return -TORO_EINVAL;
}

int
main(int argc, char **argv)
{
	int i, err, failed = 0;

	for (i = 1; i < argc; i++)
		if ((err = step(argv[i])) < 0) {
			toro_printf("sharewrite: %s: %s\n", argv[i],
			    toro_strerror(err));
			failed++;
		}
	if ((err = toro_sync()) < 0) {
		toro_printf("sharewrite: sync: %s\n", toro_strerror(err));
		failed++;
	}
	toro_printf("sharewrite: %d of %d steps failed\n", failed, argc - 1);
	return failed;
}
