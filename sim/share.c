/*
 * share.c: a host folder as disk 0 (--share DIR), through mtools.
 *
 * Interface: sim_share_build(DIR) makes a FAT16 image of DIR at boot:
 * an unlinked temporary file, formatted with mformat and filled with
 * mcopy -s (long names kept); it returns the image's descriptor.
 * sim_share_sync(fd), at power-off after the kernel has synced, checks
 * the image with fsck.fat -n, extracts it into a temporary folder and
 * brings DIR in line with it: new files and folders are made, changed
 * files rewritten, and what the guest deleted is removed.  It prints one
 * line: "PROG: share DIR: N created, N changed, N deleted".
 *
 * Rules: the image is unlinked at once, so a crash leaves no file behind;
 * mtools reach it as /proc/self/fd/N (the descriptor is inherited).  A
 * file whose bytes did not change is not touched, so its mtime stays.
 * Only what was in the image at boot can be deleted: what mcopy left out
 * (symlinks, devices, a name that clashes on FAT) stays in DIR.  A hook
 * must not block on other CPUs; this one only waits for its own mtools.
 */
#define _GNU_SOURCE /* asprintf */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/sim.h"

extern char **environ;

enum { MIN_BYTES = 32 << 20, SLACK_BYTES = 16 << 20 };
enum { CLUSTERS_MAX = 65000 }; /* FAT16 holds up to 65524 */
enum { TRACK = 16 * 63 };      /* sectors per cylinder: -h 16 -s 63 */

static const char *share_dir;
static char img_path[64];      /* /proc/self/fd/N */
static char **baseline;        /* image paths at boot, parents first */
static size_t nbaseline;

/* For the nftw() callbacks, which take no argument. */
static uint64_t used_bytes;
static size_t root_slots;
static const char *walk_root;
static int ncreated, nchanged, ndeleted, nerrors;

/* Run a program; its exit status, or -1 (said why). */
static int
run(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	int error, status;
	pid_t pid;

	if ((error = posix_spawn_file_actions_init(&fa)) != 0 ||
	    (error = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
	    "/dev/null", O_WRONLY, 0)) != 0)
		sim_fatal("share: posix_spawn: %s", strerror(error));
	error = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (error == ENOENT)
		sim_fatal("share: %s not found: --share needs mtools "
		    "(apt-get install mtools dosfstools)", argv[0]);
	if (error != 0) {
		dprintf(STDERR_FILENO, "%s: share: cannot run %s: %s\n",
		    sim_config.prog, argv[0], strerror(error));
		return -1;
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			dprintf(STDERR_FILENO, "%s: share: waitpid: %s\n",
			    sim_config.prog, strerror(errno));
			return -1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		sim_fatal("share: out of memory");
	return p;
}

static char *
join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) == -1)
		sim_fatal("share: out of memory");
	return p;
}

/* nftw: what the image must hold, rounded up to 32 KiB clusters. */
static int
measure(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	if (type == FTW_DNR)
		sim_fatal("share: %s: cannot read the folder", path);
	if (type == FTW_F && S_ISREG(sb->st_mode))
		used_bytes += ((uint64_t)sb->st_size + 32767) & ~32767ull;
	else if (type == FTW_D)
		used_bytes += 32768;
	/* A long name takes one root entry per 13 characters, and one. */
	if (f->level == 1)
		root_slots += strlen(path + f->base) / 13 + 2;
	return 0;
}

/* Read the paths the image holds at boot (mdir -/ -b), parents first. */
static void
read_baseline(void)
{
	char cmd[128], *line = NULL;
	size_t cap = 0, max = 0;
	ssize_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mdir -/ -b -i %s ::", img_path);
	if ((f = popen(cmd, "r")) == NULL)
		sim_fatal("share: cannot run mdir: %s", strerror(errno));
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, "::/", 3) != 0)
			continue;
		if (n > 3 && line[n - 1] == '/')
			line[--n] = '\0';
		if (nbaseline == max) {
			max = max == 0 ? 64 : max * 2;
			if ((baseline = realloc(baseline, max *
			    sizeof(*baseline))) == NULL)
				sim_fatal("share: out of memory");
		}
		baseline[nbaseline++] = xstrdup(line + 3);
	}
	free(line);
	if (pclose(f) == -1)
		sim_fatal("share: mdir: %s", strerror(errno));
}

int
sim_share_build(const char *dir)
{
	char tmpl[4096], csec[24], cclu[8], croot[24], fstype[8];
	char *argv[64 + 4], **av;
	const char *tmp;
	struct dirent *de;
	uint64_t bytes, sectors, root;
	struct stat sb;
	size_t nav, i;
	int fd, c;
	DIR *d;

	share_dir = dir;
	if (stat(dir, &sb) == -1)
		sim_fatal("share %s: %s", dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		sim_fatal("share %s: not a folder", dir);
	if (nftw(dir, measure, 32, FTW_PHYS) == -1)
		sim_fatal("share %s: %s", dir, strerror(errno));

	/* Room for the contents, as much again free, at least 32 MiB. */
	bytes = used_bytes + (used_bytes > SLACK_BYTES ? used_bytes :
	    SLACK_BYTES);
	if (bytes < MIN_BYTES)
		bytes = MIN_BYTES;
	sectors = (bytes / 512 + TRACK - 1) / TRACK * TRACK;
	for (c = 8; c <= 64 && sectors / (uint64_t)c > CLUSTERS_MAX; c *= 2)
		;
	if (c > 64)
		sim_fatal("share %s: too large for a FAT16 disk (%llu MiB, "
		    "at most 2 GiB)", dir, (unsigned long long)(bytes >> 20));
	/* The root folder cannot grow on FAT16: leave the guest room. */
	root = (root_slots * 2 + 512 + 15) / 16;
	if (root > 4000)
		sim_fatal("share %s: too many names at its top for a FAT16 "
		    "root folder", dir);

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(tmpl, sizeof(tmpl), "%s/toro-share-XXXXXX", tmp);
	if ((fd = mkstemp(tmpl)) == -1)
		sim_fatal("share: cannot make an image in %s: %s", tmp,
		    strerror(errno));
	if (unlink(tmpl) == -1 || ftruncate(fd, (off_t)(sectors * 512)) == -1)
		sim_fatal("share: image %s: %s", tmpl, strerror(errno));
	snprintf(img_path, sizeof(img_path), "/proc/self/fd/%d", fd);
	if (setenv("MTOOLS_SKIP_CHECK", "1", 1) == -1)
		sim_fatal("share: setenv: %s", strerror(errno));

	snprintf(csec, sizeof(csec), "%llu", (unsigned long long)sectors);
	snprintf(cclu, sizeof(cclu), "%d", c);
	snprintf(croot, sizeof(croot), "%llu", (unsigned long long)root);
	av = (char *[]){ "mformat", "-i", img_path, "-T", csec, "-h", "16",
	    "-s", "63", "-c", cclu, "-r", croot, "-v", "TORO", "::", NULL };
	if (run(av) != 0)
		sim_fatal("share %s: mformat failed", dir);
	/* Cluster counts make it FAT16; make sure mformat agreed. */
	if (pread(fd, fstype, 8, 54) != 8 || memcmp(fstype, "FAT16   ", 8))
		sim_fatal("share %s: mformat did not make a FAT16 volume",
		    dir);

	/* mcopy the top-level files and folders, 64 at a time. */
	if ((d = opendir(dir)) == NULL)
		sim_fatal("share %s: %s", dir, strerror(errno));
	for (;;) {
		argv[0] = "mcopy";
		argv[1] = "-s";
		argv[2] = "-m";
		argv[3] = "-D";
		argv[4] = "s"; /* a name that clashes on FAT: left out */
		argv[5] = "-i";
		argv[6] = img_path;
		nav = 7;
		while (nav < 64 && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			argv[nav] = join(dir, de->d_name);
			if (lstat(argv[nav], &sb) == -1 ||
			    (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))) {
				free(argv[nav]);
				continue;
			}
			nav++;
		}
		if (nav == 7)
			break;
		argv[nav] = "::/";
		argv[nav + 1] = NULL;
		if (run(argv) != 0)
			sim_fatal("share %s: mcopy could not copy it all into "
			    "the image", dir);
		for (i = 7; i < nav; i++)
			free(argv[i]);
	}
	closedir(d);
	read_baseline();
	return fd;
}

/* Copy file src over dst (through a temporary name), with src's mtime. */
static int
copy_file(const char *src, const char *dst)
{
	struct timespec ts[2];
	char *tmp, buf[65536];
	int in, out, err = 0;
	struct stat sb;
	ssize_t n;

	if (asprintf(&tmp, "%s.toro-share", dst) == -1)
		return -1;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(in, &sb) == -1 ||
	    (out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		err = -1;
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	ts[0] = sb.st_atim;
	ts[1] = sb.st_mtim;
	if (n < 0 || futimens(out, ts) == -1)
		err = -1;
	if (close(out) == -1)
		err = -1;
	if (err == 0 && rename(tmp, dst) == -1)
		err = -1;
	if (err != 0)
		unlink(tmp);
out:
	if (in != -1)
		close(in);
	free(tmp);
	return err;
}

/* Whether two files hold the same bytes. */
static bool
same_bytes(const char *a, const char *b)
{
	char ba[65536], bb[65536];
	bool same = false;
	int fa, fb;
	ssize_t n;

	if ((fa = open(a, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	if ((fb = open(b, O_RDONLY | O_CLOEXEC)) == -1) {
		close(fa);
		return false;
	}
	for (;;) {
		if ((n = read(fa, ba, sizeof(ba))) < 0)
			break;
		/* Regular files: a read returns all that is asked or EOF. */
		if (read(fb, bb, sizeof(bb)) != n || memcmp(ba, bb,
		    (size_t)n) != 0)
			break;
		if (n == 0) {
			same = true;
			break;
		}
	}
	close(fa);
	close(fb);
	return same;
}

static void
failed(const char *what, const char *path)
{
	dprintf(STDERR_FILENO, "%s: share: %s %s: %s\n", sim_config.prog,
	    what, path, strerror(errno));
	nerrors++;
}

/* nftw: remove a tree, children first. */
static int
remove_one(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	if (remove(path) == -1)
		failed("cannot remove", path);
	return 0;
}

static void
remove_tree(const char *path)
{
	if (nftw(path, remove_one, 32, FTW_PHYS | FTW_DEPTH) == -1)
		failed("cannot remove", path);
}

/* nftw over the extracted image: bring the shared folder in line. */
static int
update(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	const char *rel = path + strlen(walk_root);
	struct stat hb;
	char *host;
	bool exists;

	if (*rel == '\0')
		return 0;
	host = join(share_dir, rel + 1);
	exists = lstat(host, &hb) == 0;
	if (type == FTW_D) {
		if (exists && S_ISDIR(hb.st_mode))
			goto out;
		if (exists && S_ISREG(hb.st_mode)) {
			if (unlink(host) == -1)
				failed("cannot remove", host);
			nchanged++;
		} else if (!exists) {
			ncreated++;
		} else {
			goto out; /* not ours */
		}
		if (mkdir(host, 0755) == -1)
			failed("cannot make", host);
	} else if (type == FTW_F) {
		if (exists && S_ISREG(hb.st_mode)) {
			if (same_bytes(path, host))
				goto out;
			nchanged++;
		} else if (exists && S_ISDIR(hb.st_mode)) {
			remove_tree(host);
			nchanged++;
		} else if (!exists) {
			ncreated++;
		} else {
			goto out;
		}
		if (copy_file(path, host) == -1)
			failed("cannot write", host);
	}
out:
	free(host);
	return 0;
}

void
sim_share_sync(int fd)
{
	char tmpl[4096], *argv[12], *img, *host;
	const char *tmp;
	struct stat sb;
	size_t i;

	/* An image the kernel left broken must not spoil the folder. */
	argv[0] = "fsck.fat";
	argv[1] = "-n";
	argv[2] = img_path;
	argv[3] = NULL;
	if (run(argv) != 0) {
		dprintf(STDERR_FILENO, "%s: share %s: the disk image has "
		    "errors (fsck.fat -n): nothing copied back\n",
		    sim_config.prog, share_dir);
		return;
	}
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(tmpl, sizeof(tmpl), "%s/toro-share-XXXXXX", tmp);
	if (mkdtemp(tmpl) == NULL) {
		failed("cannot make a folder in", tmp);
		return;
	}
	argv[0] = "mcopy";
	argv[1] = "-s";
	argv[2] = "-n";
	argv[3] = "-m";
	argv[4] = "-i";
	argv[5] = img_path;
	argv[6] = "::/";
	argv[7] = tmpl;
	argv[8] = NULL;
	if (run(argv) != 0) {
		dprintf(STDERR_FILENO, "%s: share %s: mcopy could not read "
		    "the image back: nothing copied back\n", sim_config.prog,
		    share_dir);
		remove_tree(tmpl);
		return;
	}

	walk_root = tmpl;
	if (nftw(tmpl, update, 32, FTW_PHYS) == -1)
		failed("cannot read", tmpl);
	/* Deleted in the guest: in the image at boot, gone now. */
	for (i = nbaseline; i-- > 0;) {
		img = join(tmpl, baseline[i]);
		host = join(share_dir, baseline[i]);
		if (lstat(img, &sb) == -1 && errno == ENOENT &&
		    lstat(host, &sb) == 0) {
			if (remove(host) == -1)
				failed("cannot remove", host);
			else
				ndeleted++;
		}
		free(img);
		free(host);
	}
	remove_tree(tmpl);
	dprintf(STDERR_FILENO, "%s: share %s: %d created, %d changed, "
	    "%d deleted%s\n", sim_config.prog, share_dir, ncreated, nchanged,
	    ndeleted, nerrors > 0 ? " (with errors)" : "");
	(void)fd;
}
