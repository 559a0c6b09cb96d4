/*
 * share.c: a host folder as disk 0 (--share DIR), through mtools.
 *
 * Interface: sim_share_build(DIR) makes a FAT16 image of DIR at boot:
 * an unlinked temporary file, formatted with mformat and filled with
 * exactly what sim_share_scan() (share_scan.c) planned: folders with
 * mmd, files with mcopy -m, then the image's listing (mdir) is checked
 * against the plan, so that a name mtools refused or changed stops the
 * boot with a line naming it.  It returns the image's descriptor.
 * sim_share_sync(fd), at power-off after the kernel has synced, checks
 * the image with fsck.fat -n, extracts it into a temporary folder and
 * lets sim_share_back() (share_back.c) bring DIR in line with it.
 *
 * Rules: the image is unlinked at once, so a crash leaves no file behind;
 * mtools reach it as /proc/self/fd/N (the descriptor is inherited), and
 * reach a host file as /proc/self/fd/D/NAME, where D is its folder opened
 * from DIR one component at a time with O_NOFOLLOW, so no path they are
 * given goes through a symbolic link (only a file that someone swaps for
 * a link between the scan and mcopy would be read through it; nothing
 * is ever written through one).  What the tools print goes into a
 * memory file, never to the terminal; its first line ends up in the one
 * line of problems, or in the fatal line.  A hook must not block on
 * other CPUs; this one only waits for its own tools.
 */
#define _GNU_SOURCE /* asprintf, memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/share.h"
#include "sim/sim.h"

extern char **environ;

enum { MIN_BYTES = 32 << 20, SLACK_BYTES = 16 << 20 };
enum { CLUSTERS_MAX = 65000 }; /* FAT16 holds up to 65524 */
enum { TRACK = 16 * 63 };      /* sectors per cylinder: -h 16 -s 63 */
enum { BATCH = 64 };	       /* paths per mmd or mcopy */

static const char *share_dir;
static int share_fd = -1;	   /* DIR, open since boot */
static char img_path[64];	   /* /proc/self/fd/N */
static struct sim_share_plan plan; /* what the image held at boot */
static char tool_msg[256];	   /* the first thing a tool said */

char *
sim_share_strdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		sim_fatal("share: out of memory");
	return p;
}

char *
sim_share_join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) == -1)
		sim_fatal("share: out of memory");
	return p;
}

/* Keep the first line a tool wrote (into the memory file fd). */
static void
keep_msg(int fd, const char *tool)
{
	char buf[sizeof(tool_msg)], *line, *nl;
	ssize_t n;

	if (tool_msg[0] != '\0' ||
	    (n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return;
	buf[n] = '\0';
	for (line = buf; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		/* fsck.fat opens with its version: not a message. */
		if (*line == '\0' || strncmp(line, "fsck.fat ", 9) == 0)
			continue;
		/* mtools name themselves already. */
		if (strncmp(line, tool, strlen(tool)) == 0 &&
		    line[strlen(tool)] == ':')
			snprintf(tool_msg, sizeof(tool_msg), "%.250s", line);
		else
			snprintf(tool_msg, sizeof(tool_msg), "%.40s: %.200s",
			    tool, line);
		return;
	}
}

/*
 * Run a program with stdin from /dev/null, stdout into `out` (or
 * discarded when -1) and stderr kept apart; its exit status, or -1.
 */
static int
run(char *const argv[], int out)
{
	posix_spawn_file_actions_t fa;
	int error, status, msg;
	pid_t pid;

	if ((msg = memfd_create("toro-share-msg", MFD_CLOEXEC)) == -1)
		sim_fatal("share: memfd_create: %s", strerror(errno));
	error = posix_spawn_file_actions_init(&fa);
	if (error == 0)
		error = posix_spawn_file_actions_addopen(
		    &fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (error == 0 && out == -1)
		error = posix_spawn_file_actions_addopen(
		    &fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	else if (error == 0)
		error =
		    posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	if (error == 0)
		error =
		    posix_spawn_file_actions_adddup2(&fa, msg, STDERR_FILENO);
	if (error != 0)
		sim_fatal("share: posix_spawn: %s", strerror(error));
	error = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (error == ENOENT)
		sim_fatal("share: %s not found: --share needs mtools "
			  "(apt-get install mtools dosfstools)",
		    argv[0]);
	if (error != 0) {
		snprintf(tool_msg, sizeof(tool_msg), "cannot run %s: %s",
		    argv[0], strerror(error));
		close(msg);
		return -1;
	}
	for (;;) {
		if (waitpid(pid, &status, 0) != -1) {
			status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
			break;
		}
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	if (status != 0)
		keep_msg(msg, argv[0]);
	close(msg);
	return status;
}

/* The folder rel of the folder open at root, never through a link. */
int
sim_share_open_dir(int root, const char *rel)
{
	char *copy, *name, *save;
	int fd, next;

	if ((fd = dup(root)) == -1 || *rel == '\0')
		return fd;
	copy = sim_share_strdup(rel);
	for (name = strtok_r(copy, "/", &save); name != NULL;
	     name = strtok_r(NULL, "/", &save)) {
		next = openat(
		    fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if ((fd = next) == -1)
			break;
	}
	free(copy);
	return fd;
}

/* The image's sizes for the plan; fatal when FAT16 cannot hold it. */
static void
geometry(uint64_t *sectors, int *cluster, uint64_t *root)
{
	const uint64_t max = (uint64_t)CLUSTERS_MAX * 64 / TRACK * TRACK * 512;
	uint64_t bytes;
	int c;

	/*
	 * Room for the contents, as much again free (at least 16 MiB), at
	 * least 32 MiB; up to FAT16's largest when the contents fit in it
	 * with 16 MiB to spare.
	 */
	bytes =
	    plan.bytes + (plan.bytes > SLACK_BYTES ? plan.bytes : SLACK_BYTES);
	if (bytes < MIN_BYTES)
		bytes = MIN_BYTES;
	if (bytes > max && plan.bytes + SLACK_BYTES <= max)
		bytes = max;
	if (bytes > max)
		sim_fatal(
		    "share %s: %llu MiB, too much for a FAT16 disk "
		    "(at most %llu MiB with 16 MiB to write; the largest file "
		    "is %s, %llu MiB); nothing was started",
		    share_dir, (unsigned long long)(plan.bytes >> 20),
		    (unsigned long long)(max >> 20), plan.largest,
		    (unsigned long long)(plan.largest_bytes >> 20));
	*sectors = (bytes / 512 + TRACK - 1) / TRACK * TRACK;
	for (c = 8; c < 64 && *sectors / (uint64_t)c > CLUSTERS_MAX; c *= 2)
		;
	*cluster = c;
	/* The root folder cannot grow on FAT16: leave the guest room. */
	*root = (plan.root_slots * 2 + 512 + 15) / 16;
	if (*root > 4000)
		sim_fatal("share %s: %zu names at its top, more than a FAT16 "
			  "root folder holds with room to write; nothing was "
			  "started",
		    share_dir, plan.root_names);
}

static void
tool_failed(const char *what)
{
	sim_fatal("share %s: %s%s%s", share_dir, what,
	    tool_msg[0] != '\0' ? ": " : "", tool_msg);
}

/* Give mtools its arguments, BATCH names at a time, after a prefix. */
struct batch {
	char *argv[BATCH + 10];
	size_t prefix, n;
};

static void
batch_start(struct batch *b, char *const *prefix)
{
	for (b->prefix = 0; prefix[b->prefix] != NULL; b->prefix++)
		b->argv[b->prefix] = prefix[b->prefix];
	b->n = 0;
}

/*
 * Run the batch (with `last` after the names, when not NULL).  A name
 * the tool refused is found missing by verify(), which names it.
 */
static void
batch_run(struct batch *b, char *last)
{
	size_t i, end = b->prefix + b->n;

	if (b->n == 0)
		return;
	if (last != NULL)
		b->argv[end++] = last;
	b->argv[end] = NULL;
	run(b->argv, -1);
	for (i = 0; i < b->n; i++)
		free(b->argv[b->prefix + i]);
	b->n = 0;
}

static void
batch_add(struct batch *b, const char *fmt, const char *a, const char *c)
{
	char *p;

	if (asprintf(&p, fmt, a, c) == -1)
		sim_fatal("share: out of memory");
	b->argv[b->prefix + b->n++] = p;
}

/* mmd every folder of the plan, parents first. */
static void
make_dirs(void)
{
	char *prefix[] = { "mmd", "-D", "s", "-i", img_path, NULL };
	struct batch b;
	size_t i;

	batch_start(&b, prefix);
	for (i = 0; i < plan.n; i++) {
		if (!plan.v[i].dir)
			continue;
		batch_add(&b, "::/%s%s", plan.v[i].rel, "");
		if (b.n == BATCH)
			batch_run(&b, NULL);
	}
	batch_run(&b, NULL);
}

/* The length of rel's folder part ("a/b" of "a/b/c"; 0 at the top). */
static size_t
parent_len(const char *rel)
{
	const char *s = strrchr(rel, '/');

	return s == NULL ? 0 : (size_t)(s - rel);
}

/*
 * mcopy the files of the plan, a folder at a time: a folder's files
 * follow it in the plan.  Each goes by its folder's descriptor, opened
 * without following links and left open across the exec.
 */
static void
copy_files(void)
{
	char *prefix[] = { "mcopy", "-m", "-D", "s", "-i", img_path, NULL };
	char dfd[24], *parent, *target;
	size_t i, j, plen;
	struct batch b;
	int d;

	batch_start(&b, prefix);
	for (i = 0; i < plan.n; i = j) {
		if (plan.v[i].dir) {
			j = i + 1;
			continue;
		}
		plen = parent_len(plan.v[i].rel);
		if ((parent = strndup(plan.v[i].rel, plen)) == NULL ||
		    asprintf(&target, "::/%s%s", parent, plen > 0 ? "/" : "") ==
			-1)
			sim_fatal("share: out of memory");
		if ((d = sim_share_open_dir(share_fd, parent)) == -1 ||
		    fcntl(d, F_SETFD, 0) == -1)
			sim_fatal("share %s: %s: %s", share_dir,
			    plen > 0 ? parent : ".", strerror(errno));
		snprintf(dfd, sizeof(dfd), "/proc/self/fd/%d", d);
		for (j = i; j < plan.n && !plan.v[j].dir &&
		     parent_len(plan.v[j].rel) == plen &&
		     strncmp(plan.v[j].rel, parent, plen) == 0;
		     j++) {
			batch_add(&b, "%s/%s", dfd,
			    plan.v[j].rel + plen + (plen > 0));
			if (b.n == BATCH)
				batch_run(&b, target);
		}
		batch_run(&b, target);
		close(d);
		free(parent);
		free(target);
	}
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The image holds every name of the plan as it is, or the boot stops. */
static void
verify(void)
{
	char *argv[] = { "mdir", "-/", "-b", "-i", img_path, "::/", NULL };
	char *text, **lines = NULL, *key, *line, *save;
	char saved[sizeof(tool_msg)];
	size_t n = 0, cap = 0, i;
	struct stat sb;
	int out;

	if (plan.n == 0)
		return; /* mdir fails on an empty volume */
	if ((out = memfd_create("toro-share-list", MFD_CLOEXEC)) == -1)
		sim_fatal("share: memfd_create: %s", strerror(errno));
	/* mdir fails on a volume left empty: then the first is missing. */
	memcpy(saved, tool_msg, sizeof(saved));
	if (run(argv, out) != 0)
		memcpy(tool_msg, saved, sizeof(saved));
	if (fstat(out, &sb) == -1 ||
	    (text = calloc(1, (size_t)sb.st_size + 1)) == NULL ||
	    pread(out, text, (size_t)sb.st_size, 0) != sb.st_size)
		sim_fatal("share: cannot read mdir's listing");
	close(out);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((lines = realloc(lines, cap * sizeof(*lines))) ==
			    NULL)
				sim_fatal("share: out of memory");
		}
		lines[n++] = line;
	}
	/* No line, no array: qsort and bsearch want one even for 0. */
	if (n > 1)
		qsort(lines, n, sizeof(*lines), str_cmp);
	for (i = 0; i < plan.n; i++) {
		if (asprintf(&key, "::/%s%s", plan.v[i].rel,
			plan.v[i].dir ? "/" : "") == -1)
			sim_fatal("share: out of memory");
		if (n == 0 ||
		    bsearch(&key, lines, n, sizeof(*lines), str_cmp) == NULL)
			sim_fatal("share %s: %s: mtools could not store it "
				  "under this name on FAT16%s%s; nothing was "
				  "started",
			    share_dir, plan.v[i].rel,
			    tool_msg[0] != '\0' ? ": " : "", tool_msg);
		free(key);
	}
	free(lines);
	free(text);
}

int
sim_share_build(const char *dir)
{
	char tmpl[4096], csec[24], cclu[8], croot[24], fstype[8];
	uint64_t sectors, root;
	const char *tmp;
	int fd, c;

	share_dir = dir;
	if ((share_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		sim_fatal("share %s: %s", dir,
		    errno == ENOTDIR ? "not a folder" : strerror(errno));
	sim_share_scan(share_fd, dir, &plan);
	geometry(&sectors, &c, &root);

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
	if (run((char *[]) { "mformat", "-i", img_path, "-T", csec, "-h", "16",
		    "-s", "63", "-c", cclu, "-r", croot, "-v", "TORO",
		    "::", NULL },
		-1) != 0)
		tool_failed("mformat failed");
	/* Cluster counts make it FAT16; make sure mformat agreed. */
	if (pread(fd, fstype, 8, 54) != 8 || memcmp(fstype, "FAT16   ", 8))
		sim_fatal("share %s: mformat did not make a FAT16 volume", dir);
	make_dirs();
	copy_files();
	verify();
	if (plan.nlinks + plan.nspecial > 0)
		dprintf(STDERR_FILENO,
		    "%s: share %s: not on the disk, never "
		    "followed nor written: %zu symbolic links, %zu devices, "
		    "pipes or sockets (the first: %s)\n",
		    sim_config.prog, dir, plan.nlinks, plan.nspecial,
		    plan.left_out);
	return fd;
}

/* nftw: remove our temporary tree (no links in it), children first. */
static int
remove_one(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb, (void)type, (void)f;
	remove(path);
	return 0;
}

void
sim_share_sync(int fd)
{
	char tmpl[4096];
	const char *tmp;
	int out, img;

	/* An image the kernel left broken must not spoil the folder. */
	if ((out = memfd_create("toro-share-fsck", MFD_CLOEXEC)) == -1)
		sim_fatal("share: memfd_create: %s", strerror(errno));
	if (run((char *[]) { "fsck.fat", "-n", img_path, NULL }, out) != 0) {
		keep_msg(out, "fsck.fat -n");
		dprintf(STDERR_FILENO,
		    "%s: share %s: nothing copied back: "
		    "the disk image has errors (%s)\n",
		    sim_config.prog, share_dir, tool_msg);
		close(out);
		return;
	}
	close(out);
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(tmpl, sizeof(tmpl), "%s/toro-share-XXXXXX", tmp);
	if (mkdtemp(tmpl) == NULL) {
		dprintf(STDERR_FILENO,
		    "%s: share %s: nothing copied back: "
		    "cannot make a folder in %s: %s\n",
		    sim_config.prog, share_dir, tmp, strerror(errno));
		return;
	}
	if (run((char *[]) { "mcopy", "-s", "-n", "-m", "-i", img_path, "::/",
		    tmpl, NULL },
		-1) != 0 ||
	    (img = open(tmpl,
		 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		dprintf(STDERR_FILENO,
		    "%s: share %s: nothing copied back: "
		    "the image could not be read back (%s)\n",
		    sim_config.prog, share_dir, tool_msg);
	} else {
		sim_share_back(share_fd, img, &plan, share_dir,
		    tool_msg[0] != '\0' ? tool_msg : NULL);
		close(img);
	}
	nftw(tmpl, remove_one, 32, FTW_PHYS | FTW_DEPTH);
	(void)fd;
}
