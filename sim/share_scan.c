/*
 * share_scan.c: what of a shared folder goes into its FAT16 image.
 *
 * Interface (share.h): sim_share_scan(fd, dir, plan) walks the folder
 * open at fd and lists, parents first (a folder, its files, then each
 * of its folders in turn), the folders and regular files the image will
 * hold, with the room they take.
 *
 * Rules: what FAT16 cannot hold as it is ends the program before boot
 * with one line that names it, never cut silently: a name with a
 * character FAT cannot hold ("*:<>?\| or a control character), that is
 * not UTF-8, ends in a dot or a space (FAT drops those), is longer than
 * 255 UTF-16 units, or names a folder with '[' or ']' (mtools takes
 * those as a pattern); two names in a folder that differ only in case;
 * a path longer than the kernel's TORO_PATH_MAX; a folder with more
 * entries than a FAT folder holds; a file of 2 GiB or more; what cannot
 * be read; folders nested deeper than DEPTH_MAX.  Symbolic links are
 * never followed: each folder is opened relative to its parent with
 * O_NOFOLLOW, and a link (to a file or a folder, at any depth) is left
 * out of the image, as are devices, pipes and sockets; they are counted
 * for the boot line and stay in the folder as they are.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/share.h"
#include "sim/sim.h"

enum {
	DEPTH_MAX = 64,
	DIR_SLOTS = 65536, /* 32-byte entries in a FAT folder */
	NAME_UNITS = 255,  /* UTF-16 units in a long name */
	PATH_BYTES = 1023, /* TORO_PATH_MAX (toro/file.h), less its NUL */
	CLUSTER = 32768,
};
#define FILE_MAX ((uint64_t)2 << 30) /* no FAT16 volume holds more */

static const char *top; /* the folder as the user named it */

/* One line, so a long path shows its start and its end. */
static void __attribute__((noreturn)) refuse(const char *rel, const char *why)
{
	size_t n = strlen(rel);

	if (*rel == '\0')
		rel = ".";
	sim_fatal("share %s: %.*s%s%s: %s; FAT16 cannot hold it as it is, "
		  "nothing was started",
	    top, n > 160 ? 60 : (int)n, rel, n > 160 ? "..." : "",
	    n > 160 ? rel + n - 80 : "", why);
}

/* The next UTF-8 character of s as a code point; its length, 0 if bad. */
static size_t
utf8(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n, i;
	uint32_t c = s[0];

	n = c < 0x80		 ? 1
	    : (c & 0xe0) == 0xc0 ? 2
	    : (c & 0xf0) == 0xe0 ? 3
	    : (c & 0xf8) == 0xf0 ? 4
				 : 0;
	if (n == 0)
		return 0;
	c &= 0x7fu >> (n == 1 ? 0 : n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (n > 1 &&
	    (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)))
		return 0;
	*cp = c;
	return n;
}

/* Why FAT (or mtools) cannot hold this name as it is; NULL if it can. */
static const char *
bad_name(const char *name, bool dir, size_t *units)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t len = strlen(name), k;
	uint32_t c;

	*units = 0;
	for (; *p != '\0'; p += k) {
		if ((k = utf8(p, &c)) == 0)
			return "its name is not UTF-8";
		if (c < 0x20 || c == 0x7f ||
		    (c < 0x80 && strchr("\"*:<>?\\|", (int)c) != NULL))
			return "its name has a character FAT cannot hold "
			       "(\"*:<>?\\| or a control character)";
		if (dir && (c == '[' || c == ']'))
			return "a folder name with [ or ] (mtools takes it "
			       "as a pattern)";
		*units += c >= 0x10000 ? 2 : 1;
	}
	if (*units > NAME_UNITS)
		return "its name is longer than FAT's 255 characters";
	if (name[len - 1] == '.' || name[len - 1] == ' ')
		return "its name ends in a dot or a space, which FAT drops";
	return NULL;
}

static int
fold_cmp(const void *a, const void *b)
{
	const unsigned char *x = *(const unsigned char *const *)a;
	const unsigned char *y = *(const unsigned char *const *)b;
	int cx, cy;

	for (;; x++, y++) {
		cx = *x >= 'A' && *x <= 'Z' ? *x + 32 : *x;
		cy = *y >= 'A' && *y <= 'Z' ? *y + 32 : *y;
		if (cx != cy || cx == 0)
			return cx - cy;
	}
}

static void
add(struct sim_share_plan *p, char *rel, bool dir)
{
	if (p->n == p->cap) {
		p->cap = p->cap == 0 ? 256 : p->cap * 2;
		if ((p->v = realloc(p->v, p->cap * sizeof(*p->v))) == NULL)
			sim_fatal("share: out of memory");
	}
	p->v[p->n].rel = rel;
	p->v[p->n].dir = dir;
	p->n++;
}

/* The names in the folder open at fd, sorted by their FAT spelling. */
static char **
names(int fd, const char *rel, size_t *np)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int dup_fd;

	if ((dup_fd = dup(fd)) == -1 || (d = fdopendir(dup_fd)) == NULL)
		refuse(rel, strerror(errno));
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			if ((v = realloc(v, cap * sizeof(*v))) == NULL)
				sim_fatal("share: out of memory");
		}
		v[n++] = sim_share_strdup(de->d_name);
	}
	if (errno != 0)
		refuse(rel, strerror(errno));
	closedir(d);
	/* An empty folder has no array: qsort wants one even for 0. */
	if (n > 1)
		qsort(v, n, sizeof(*v), fold_cmp);
	*np = n;
	return v;
}

/* Left out of the image: a link or a special file; remember the first. */
static void
leave_out(struct sim_share_plan *p, char *rel, bool link)
{
	if (link)
		p->nlinks++;
	else
		p->nspecial++;
	if (p->left_out == NULL)
		p->left_out = rel;
	else
		free(rel);
}

static void scan_dir(
    int fd, const char *rel, int depth, struct sim_share_plan *p);

/* One entry of a folder: checked, then listed, left out or refused. */
static void
scan_one(int fd, const char *name, char *rel, struct stat *sb, size_t *slots,
    struct sim_share_plan *p)
{
	const char *why;
	size_t units;
	int f;

	if (S_ISLNK(sb->st_mode) ||
	    (!S_ISREG(sb->st_mode) && !S_ISDIR(sb->st_mode))) {
		leave_out(p, rel, S_ISLNK(sb->st_mode));
		return;
	}
	if ((why = bad_name(name, S_ISDIR(sb->st_mode), &units)) != NULL)
		refuse(rel, why);
	if (strlen(rel) + 1 > PATH_BYTES)
		refuse(rel,
		    "its path is longer than the kernel takes "
		    "(1023 bytes)");
	*slots += (units + 12) / 13 + 1;
	if (S_ISDIR(sb->st_mode))
		return; /* listed by the caller, after the files */
	if ((uint64_t)sb->st_size >= FILE_MAX)
		refuse(rel,
		    "a file of 2 GiB or more (a FAT16 volume holds "
		    "at most 2 GiB)");
	/* Can mcopy read it?  Opened as it will be: never through a link. */
	if ((f = openat(fd, name,
		 O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) == -1)
		refuse(rel, strerror(errno));
	close(f);
	p->bytes +=
	    ((uint64_t)sb->st_size + CLUSTER - 1) & ~(uint64_t)(CLUSTER - 1);
	if (p->largest == NULL || (uint64_t)sb->st_size > p->largest_bytes) {
		p->largest = rel;
		p->largest_bytes = (uint64_t)sb->st_size;
	}
	add(p, rel, false);
}

static void
scan_dir(int fd, const char *rel, int depth, struct sim_share_plan *p)
{
	struct stat *st;
	size_t n, i, slots = 2; /* "." and ".." */
	char **v, **sub;
	int sfd;

	if (depth > DEPTH_MAX)
		refuse(rel, "folders nested deeper than 64");
	v = names(fd, rel, &n);
	for (i = 1; i < n; i++)
		if (fold_cmp(&v[i - 1], &v[i]) == 0)
			sim_fatal("share %s: %s%s%s and %s differ only in case "
				  "(FAT does not tell them apart); nothing was "
				  "started",
			    top, rel, *rel != '\0' ? "/" : "", v[i - 1], v[i]);
	if ((st = calloc(n + 1, sizeof(*st))) == NULL ||
	    (sub = calloc(n + 1, sizeof(*sub))) == NULL)
		sim_fatal("share: out of memory");
	/* Files first, so that a folder's files follow it in the plan. */
	for (i = 0; i < n; i++) {
		sub[i] = *rel != '\0' ? sim_share_join(rel, v[i])
				      : sim_share_strdup(v[i]);
		if (fstatat(fd, v[i], &st[i], AT_SYMLINK_NOFOLLOW) == -1)
			refuse(sub[i], strerror(errno));
		scan_one(fd, v[i], sub[i], &st[i], &slots, p);
		if (!S_ISDIR(st[i].st_mode))
			sub[i] = NULL; /* kept by the plan, or freed */
	}
	if (slots > DIR_SLOTS)
		refuse(rel, "more entries than a FAT folder holds");
	if (depth == 0) {
		p->root_slots = slots;
		p->root_names = n;
	}
	for (i = 0; i < n; i++) {
		if (sub[i] == NULL)
			continue;
		p->bytes += CLUSTER;
		add(p, sub[i], true);
		if ((sfd = openat(fd, v[i],
			 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) ==
		    -1)
			refuse(sub[i], strerror(errno));
		scan_dir(sfd, sub[i], depth + 1, p);
		close(sfd);
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(st);
	free(sub);
}

void
sim_share_scan(int fd, const char *dir, struct sim_share_plan *p)
{
	top = dir;
	memset(p, 0, sizeof(*p));
	scan_dir(fd, "", 0, p);
}
