/*
 * share_back.c: the copy-back of a shared folder at power-off.
 *
 * Interface (share.h): sim_share_back(root, img, was, dir, tool) walks
 * the image extracted into the folder open at img and brings the shared
 * folder open at root in line with it: new files and folders are made,
 * changed files rewritten (through a temporary name, keeping the host
 * file's mode), and what was in the image at boot (`was`) but is gone
 * now is removed.  It prints one summary line, "PROG: share DIR: N
 * created, N changed, N deleted, N refused", and when something was
 * refused or failed, one more line that says what (the first few, then
 * how many more), ending with a tool's message when there was one.
 *
 * Rules: nothing here follows a symbolic link, at any depth.  Every
 * folder is opened relative to its parent with O_NOFOLLOW, every file
 * with O_NOFOLLOW, and names change only by openat/mkdirat/renameat/
 * unlinkat in a folder reached that way, so nothing outside the shared
 * folder is written or deleted.  Where the host has a symbolic link (or
 * a device, pipe or socket) and the image has a file or a folder, the
 * host's entry is left as it is and the path is refused, with what lies
 * below it.  Only what was in the image at boot is deleted, and a folder
 * only once empty: what was not shared stays.  The image's side is our
 * own temporary folder, which mcopy fills with plain files and folders.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/share.h"
#include "sim/sim.h"

enum { DEPTH_MAX = 256, SHOWN = 8 };

static int ncreated, nchanged, ndeleted, nrefused, nerrors;
static char probs[1024]; /* the first few problems, for the last line */
static int nshown, nhidden;

/* Note a problem with rel (printf-style why) for the last line. */
static void __attribute__((format(printf, 2, 3)))
problem(const char *rel, const char *fmt, ...)
{
	char why[160];
	size_t len = strlen(probs);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (nshown == SHOWN ||
	    len + strlen(rel) + strlen(why) + 8 > sizeof(probs)) {
		nhidden++;
		return;
	}
	/* It fits: measured above. */
	if (nshown > 0)
		strcat(probs, "; ");
	strcat(probs, rel);
	strcat(probs, " (");
	strcat(probs, why);
	strcat(probs, ")");
	nshown++;
}

static void
refused(const char *rel, const char *why)
{
	nrefused++;
	problem(rel, "%s", why);
}

static void
failed(const char *rel, const char *what)
{
	nerrors++;
	problem(rel, "%s: %s", what, strerror(errno));
}

static int
open_dir(int fd, const char *name)
{
	return openat(
	    fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static char *
child(const char *rel, const char *name)
{
	return *rel != '\0' ? sim_share_join(rel, name)
			    : sim_share_strdup(name);
}

/* Whether name in folder a and name in folder b hold the same bytes. */
static bool
same_bytes(int a, int b, const char *name)
{
	char ba[65536], bb[65536];
	bool same = false;
	int fa, fb;
	ssize_t n;

	if ((fa = openat(a, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return false;
	if ((fb = openat(b, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		close(fa);
		return false;
	}
	for (;;) {
		if ((n = read(fa, ba, sizeof(ba))) < 0)
			break;
		/* Regular files: a read returns all that is asked or EOF. */
		if (read(fb, bb, sizeof(bb)) != n ||
		    memcmp(ba, bb, (size_t)n) != 0)
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

/* Copy name from folder src over name in folder dst, with its mtime. */
static int
copy_file(int src, int dst, const char *name, mode_t mode)
{
	static unsigned serial;
	struct timespec ts[2];
	char tmp[64], buf[65536];
	int in, out = -1, err = -1;
	struct stat sb;
	ssize_t n;

	if ((in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(in, &sb) == -1)
		goto out;
	/* O_EXCL: a name that exists, even as a link, is never opened. */
	do {
		snprintf(tmp, sizeof(tmp), ".toro-share.%d.%u", (int)getpid(),
		    serial++);
		out = openat(dst, tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	} while (out == -1 && errno == EEXIST);
	if (out == -1)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	ts[0] = sb.st_atim;
	ts[1] = sb.st_mtim;
	if (n == 0 && fchmod(out, mode) == 0 && futimens(out, ts) == 0)
		err = 0;
	if (close(out) == -1)
		err = -1;
	/* renameat replaces the name itself, never what a link names. */
	if (err == 0 && renameat(dst, tmp, dst, name) == -1)
		err = -1;
	if (err != 0)
		unlinkat(dst, tmp, 0);
out:
	if (in != -1)
		close(in);
	return err;
}

/*
 * Remove folder name (in the folder open at fd) with what it holds; a
 * link, device, pipe or socket inside is refused and stays, and so does
 * the folder then.  0 when it is gone.
 */
static int
remove_tree(int fd, const char *name, const char *rel, int depth)
{
	struct dirent *de;
	struct stat sb;
	int d, ok = 0;
	char *sub;
	DIR *dir;

	if (depth > DEPTH_MAX || (d = open_dir(fd, name)) == -1 ||
	    (dir = fdopendir(d)) == NULL) {
		failed(rel, "cannot remove");
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = child(rel, de->d_name);
		if (fstatat(d, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
			failed(sub, "cannot remove");
			ok = -1;
		} else if (S_ISDIR(sb.st_mode)) {
			ok |= remove_tree(d, de->d_name, sub, depth + 1);
		} else if (!S_ISREG(sb.st_mode)) {
			refused(sub, "not shared, so not removed");
			ok = -1;
		} else if (unlinkat(d, de->d_name, 0) == -1) {
			failed(sub, "cannot remove");
			ok = -1;
		}
		free(sub);
	}
	closedir(dir);
	if (ok == 0 && unlinkat(fd, name, AT_REMOVEDIR) == -1) {
		failed(rel, "cannot remove");
		ok = -1;
	}
	return ok;
}

static void sync_dir(int src, int dst, const char *rel, int depth);

/* A folder of the image: make it on the host if needed, then go in. */
static void
sync_subdir(int src, int dst, const char *name, const char *rel,
    const struct stat *hs, bool exists, int depth)
{
	int s, d;

	if (exists && !S_ISDIR(hs->st_mode)) {
		/* A regular file (the caller refused anything else). */
		if (unlinkat(dst, name, 0) == -1) {
			failed(rel, "cannot remove");
			return;
		}
		nchanged++;
		exists = false;
	} else if (!exists) {
		ncreated++;
	}
	if (!exists && mkdirat(dst, name, 0755) == -1) {
		failed(rel, "cannot make");
		return;
	}
	if ((s = open_dir(src, name)) == -1) {
		failed(rel, "cannot read the image's copy");
		return;
	}
	/* A link put there since is refused here: O_NOFOLLOW. */
	if ((d = open_dir(dst, name)) == -1) {
		if (errno == ELOOP || errno == ENOTDIR)
			refused(rel, "not a folder on the host any more");
		else
			failed(rel, "cannot open");
		close(s);
		return;
	}
	sync_dir(s, d, rel, depth + 1);
	close(s);
	close(d);
}

/* A file of the image: write it over the host's unless it is the same. */
static void
sync_file(int src, int dst, const char *name, const char *rel,
    const struct stat *hs, bool exists, int depth)
{
	int *count = &ncreated;
	mode_t mode;

	if (exists && S_ISREG(hs->st_mode)) {
		if (same_bytes(src, dst, name))
			return;
		count = &nchanged;
	} else if (exists) {
		if (remove_tree(dst, name, rel, depth) != 0)
			return;
		count = &nchanged;
	}
	mode = exists && S_ISREG(hs->st_mode) ? hs->st_mode & 07777 : 0644;
	if (copy_file(src, dst, name, mode) == -1)
		failed(rel, "cannot write");
	else
		(*count)++;
}

static void
sync_dir(int src, int dst, const char *rel, int depth)
{
	struct stat ss, hs;
	struct dirent *de;
	bool exists;
	char *sub;
	DIR *dir;
	int d;

	if (depth > DEPTH_MAX || (d = dup(src)) == -1 ||
	    (dir = fdopendir(d)) == NULL) {
		failed(rel, "cannot read the image's copy");
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		sub = child(rel, de->d_name);
		exists =
		    fstatat(dst, de->d_name, &hs, AT_SYMLINK_NOFOLLOW) == 0;
		if (fstatat(src, de->d_name, &ss, AT_SYMLINK_NOFOLLOW) == -1 ||
		    (!S_ISDIR(ss.st_mode) && !S_ISREG(ss.st_mode)))
			failed(sub, "cannot read the image's copy");
		else if (exists && S_ISLNK(hs.st_mode))
			refused(sub, "a symbolic link on the host");
		else if (exists && !S_ISDIR(hs.st_mode) && !S_ISREG(hs.st_mode))
			refused(sub, "a device, pipe or socket on the host");
		else if (S_ISDIR(ss.st_mode))
			sync_subdir(
			    src, dst, de->d_name, sub, &hs, exists, depth);
		else
			sync_file(
			    src, dst, de->d_name, sub, &hs, exists, depth);
		free(sub);
	}
	closedir(dir);
}

/* Deleted in the guest: in the image at boot, gone from it now. */
static void
delete_gone(int root, int img, const struct sim_share_entry *e)
{
	const char *slash = strrchr(e->rel, '/');
	const char *name = slash != NULL ? slash + 1 : e->rel;
	struct stat sb;
	char *parent;
	int d;

	if (fstatat(img, e->rel, &sb, AT_SYMLINK_NOFOLLOW) == 0 ||
	    (errno != ENOENT && errno != ENOTDIR))
		return;
	if ((parent = strndup(
		 e->rel, slash != NULL ? (size_t)(slash - e->rel) : 0)) == NULL)
		sim_fatal("share: out of memory");
	d = sim_share_open_dir(root, parent);
	free(parent);
	if (d == -1) {
		/* Gone with its folder, or its folder is now a link. */
		if (errno == ELOOP)
			refused(e->rel, "under a symbolic link on the host");
		return;
	}
	if (fstatat(d, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		close(d);
		return;
	}
	if (!!S_ISDIR(sb.st_mode) != e->dir ||
	    (!e->dir && !S_ISREG(sb.st_mode)))
		refused(e->rel, "changed on the host, not deleted");
	else if (unlinkat(d, name, e->dir ? AT_REMOVEDIR : 0) == 0)
		ndeleted++;
	else if (errno == ENOTEMPTY || errno == EEXIST)
		refused(e->rel, "holds what was not shared, not deleted");
	else
		failed(e->rel, "cannot remove");
	close(d);
}

void
sim_share_back(int root, int img, const struct sim_share_plan *was,
    const char *dir, const char *tool)
{
	size_t i;

	sync_dir(img, root, "", 0);
	for (i = was->n; i-- > 0;)
		delete_gone(root, img, &was->v[i]);
	dprintf(STDERR_FILENO,
	    "%s: share %s: %d created, %d changed, "
	    "%d deleted, %d refused\n",
	    sim_config.prog, dir, ncreated, nchanged, ndeleted, nrefused);
	if (nrefused + nerrors == 0 && tool == NULL)
		return;
	dprintf(STDERR_FILENO, "%s: share %s: %s%s%s%.0d%s%s%s\n",
	    sim_config.prog, dir,
	    nrefused > 0      ? "not copied back: "
		: nerrors > 0 ? "errors: "
			      : "",
	    probs, nhidden > 0 ? "; and " : "", nhidden,
	    nhidden > 0 ? " more" : "",
	    tool != NULL && probs[0] != '\0' ? "; " : "",
	    tool != NULL ? tool : "");
}
