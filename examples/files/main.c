/*
 * files [PATH]: a tour of the file system on disk 0.
 *
 * Lists the whole disk, each folder followed by what it holds, with sizes
 * and modification times (UTC); prints the file PATH when given; appends
 * a line to /files.log (made on the first run); then creates, renames
 * and deletes a scratch file of its own.  Any file-system error is
 * printed and makes it return 1.  It works on any FAT16 disk, an empty
 * one too; without a disk it says so and returns 1.
 *
 *	./toro run files --share ./somewhere -- /notes.txt
 */
#include <toro/toro.h>

#define LOG "/files.log"
#define SCRATCH "/files-scratch.tmp"
#define RENAMED "/files-scratch-renamed.tmp"

static int
error(const char *what, const char *path, int err)
{
	toro_printf("files: %s %s: %s\n", what, path, toro_strerror(err));
	return 1;
}

/* "YYYY-MM-DD HH:MM:SS" of ns since 1970, UTC (civil-from-days). */
static void
format_time(char *buf, size_t size, int64_t ns)
{
	int64_t s = ns / 1000000000, days = s / 86400, secs = s % 86400;
	int64_t z, era, doe, yoe, y, doy, mp, d, m;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	toro_snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", (int)y,
	    (int)m, (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
}

/* List dir and everything under it; counts files in *nfiles. */
static int
list(const char *dir, int *nfiles)
{
	struct toro_dirent *de;
	struct toro_stat st;
	char path[TORO_PATH_MAX], when[32];
	int dd, n, err = 0;

	if ((de = toro_malloc(sizeof(*de))) == NULL)
		return error("listing", dir, -TORO_ENOMEM);
	if ((dd = toro_opendir(dir)) < 0) {
		toro_free(de);
		return error("cannot open folder", dir, dd);
	}
	while ((n = toro_readdir(dd, de)) > 0) {
		toro_snprintf(path, sizeof(path), "%s%s%s", dir,
		    dir[1] == '\0' ? "" : "/", de->name);
		if ((n = toro_stat(path, &st)) < 0) {
			err = error("cannot stat", path, n);
			continue;
		}
		format_time(when, sizeof(when), st.mtime_ns);
		if (st.type == TORO_S_IFDIR) {
			toro_printf("%10s  %s  %s/\n", "-", when, path);
			err |= list(path, nfiles);
		} else {
			toro_printf("%10llu  %s  %s\n",
			    (unsigned long long)st.size, when, path);
			(*nfiles)++;
		}
	}
	if (n < 0)
		err = error("cannot read folder", dir, n);
	if ((n = toro_closedir(dd)) < 0)
		err = error("cannot close folder", dir, n);
	toro_free(de);
	return err;
}

/* Copy a file to the console. */
static int
show(const char *path)
{
	char buf[512];
	long n;
	int fd, err;

	if ((fd = toro_open(path, TORO_O_RDONLY)) < 0)
		return error("cannot open", path, fd);
	toro_printf("--- %s\n", path);
	while ((n = toro_read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		toro_printf("%s", buf);
	}
	toro_printf("--- end of %s\n", path);
	if (n < 0)
		err = error("cannot read", path, (int)n);
	else
		err = 0;
	if ((fd = toro_close(fd)) < 0)
		err = error("cannot close", path, fd);
	return err;
}

/* Write all of s to the open file fd. */
static int
put(int fd, const char *path, const char *s)
{
	size_t len = 0;
	long n;

	while (s[len] != '\0')
		len++;
	if ((n = toro_write(fd, s, len)) < 0)
		return error("cannot write", path, (int)n);
	return 0;
}

/* One more line in the log: which run this is, and when. */
static int
append_log(void)
{
	struct toro_stat st;
	char line[96], when[32];
	int fd, n, err;

	if ((fd = toro_open(LOG, TORO_O_WRONLY | TORO_O_CREAT |
	    TORO_O_APPEND)) < 0)
		return error("cannot open", LOG, fd);
	format_time(when, sizeof(when), toro_wall_ns());
	toro_snprintf(line, sizeof(line), "files ran at %s UTC\n", when);
	err = put(fd, LOG, line);
	if (err == 0 && (n = toro_fstat(fd, &st)) < 0)
		err = error("cannot stat", LOG, n);
	else if (err == 0)
		toro_printf("%s: %llu bytes\n", LOG,
		    (unsigned long long)st.size);
	if ((n = toro_close(fd)) < 0)
		err = error("cannot close", LOG, n);
	return err;
}

/* Create, rename and delete a file of our own. */
static int
scratch(void)
{
	struct toro_stat st;
	int fd, n;

	/* A previous run that failed half-way may have left these. */
	toro_unlink(SCRATCH);
	toro_unlink(RENAMED);
	if ((fd = toro_open(SCRATCH, TORO_O_WRONLY | TORO_O_CREAT |
	    TORO_O_EXCL)) < 0)
		return error("cannot create", SCRATCH, fd);
	if (put(fd, SCRATCH, "scratch\n") != 0) {
		toro_close(fd);
		return 1;
	}
	if ((n = toro_close(fd)) < 0)
		return error("cannot close", SCRATCH, n);
	if ((n = toro_rename(SCRATCH, RENAMED)) < 0)
		return error("cannot rename", SCRATCH, n);
	if ((n = toro_stat(RENAMED, &st)) < 0)
		return error("cannot stat", RENAMED, n);
	if (st.size != 8) {
		toro_printf("files: %s has %llu bytes, not 8\n", RENAMED,
		    (unsigned long long)st.size);
		return 1;
	}
	if ((n = toro_stat(SCRATCH, &st)) != -TORO_ENOENT)
		return error("still there after rename:", SCRATCH,
		    n < 0 ? n : -TORO_EEXIST);
	if ((n = toro_unlink(RENAMED)) < 0)
		return error("cannot delete", RENAMED, n);
	toro_printf("scratch file created, renamed and deleted\n");
	return 0;
}

int
main(int argc, char **argv)
{
	int nfiles = 0, err, dd;

	if (argc > 2) {
		toro_printf("usage: files [PATH]\n");
		return 2;
	}
	if ((dd = toro_opendir("/")) < 0) {
		toro_printf("files: no file system at /: %s (is disk 0 a "
		    "FAT16 volume?)\n", toro_strerror(dd));
		return 1;
	}
	toro_closedir(dd);
	err = list("/", &nfiles);
	toro_printf("%d files\n", nfiles);
	if (argc == 2)
		err |= show(argv[1]);
	if (err == 0)
		err = append_log();
	if (err == 0)
		err = scratch();
	if (err == 0 && (err = toro_sync()) < 0)
		err = error("cannot sync", "/", err);
	return err != 0;
}
