/*
 * test_fat_crash.c: a power cut at every write of a workload (creates,
 * appends, renames, deletes, syncs in between) leaves a FAT volume that
 * fsck.fat repairs, with every file that had been synced intact.
 *
 * A reference run counts the workload's write requests and where each
 * sync ended.  Then, for every write index c, a fresh process runs the
 * workload on the same image with the fake disk's power cut at write c
 * (hal/fake/fakeblk.c): write c lands not at all, or only its first
 * sector (torn), or not at all while the disk's volatile cache also
 * loses every write no flush covered.  The image is judged by the real
 * tools: fsck.fat -n on it, then fsck.fat -a on a copy must leave a
 * volume fsck.fat -n calls clean, and mcopy reads every file back.
 * What must hold: each file of the last completed sync is there with its
 * synced bytes (appends since may have landed, but only as true bytes
 * of the file), under its old or its new name if renamed since, or gone
 * if deleted since; a file created since is absent or a true prefix.
 * The workload runs twice: with the default cache and with a tiny one
 * (fscache=8), where eviction and the cache's own syncs write too.
 *
 * Rules: host code around fake_run(), one fake_run per child process;
 * children leave with _exit() (the scratch directory is the parent's).
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fs/fs.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "tests/unit/fs_util.h"
#include "toro/file.h"
#include "toro/toro.h"

#define MEM (64 * TU_MB)
#define NOPS 200
#define NFILES 128
#define NSYNC 16
#define CHUNK 65536

enum kind { CREATE, APPEND, RENAME, DELETE, MKDIR, SYNC };

struct op {
	enum kind kind;
	char a[64], b[64];
	unsigned seed;
	uint32_t len;
};

struct mfile {
	char path[64];
	unsigned seed;
	uint32_t len;
};

struct model {
	struct mfile f[NFILES];
	int n;
};

/* What the reference run saw, shared with the parent. */
struct ref {
	long syncs_at[NSYNC]; /* writes done when sync i returned */
	int nsync;
	long total;    /* writes in all */
	int failed_op; /* -1, or the op that failed */
};

static struct op ops[NOPS];
static int nops;
static struct model start_model;
static struct ref *ref;
static const char *cmdline;

static void
add(enum kind k, const char *a, const char *b, unsigned seed, uint32_t len)
{
	struct op *o = &ops[nops++];

	ck_assert_int_le(nops, NOPS);
	memset(o, 0, sizeof(*o));
	o->kind = k;
	snprintf(o->a, sizeof(o->a), "%s", a != NULL ? a : "");
	snprintf(o->b, sizeof(o->b), "%s", b != NULL ? b : "");
	o->seed = seed;
	o->len = len;
}

static void
workload(void)
{
	char name[64];
	int i;

	nops = 0;
	add(MKDIR, "/d", NULL, 0, 0);
	add(CREATE, "/a.txt", NULL, 1, 3000);
	add(CREATE, "/Long File Name One.dat", NULL, 2, 10000);
	add(MKDIR, "/d/sub", NULL, 0, 0);
	add(CREATE, "/d/sub/x.bin", NULL, 3, 5000);
	add(SYNC, NULL, NULL, 0, 0);
	add(APPEND, "/a.txt", NULL, 0, 5000);
	add(APPEND, "/keep.txt", NULL, 0, 20000);
	add(RENAME, "/a.txt", "/renamed a.txt", 0, 0);
	add(CREATE, "/b.txt", NULL, 4, 700);
	add(SYNC, NULL, NULL, 0, 0);
	add(DELETE, "/big.bin", NULL, 0, 0);
	add(RENAME, "/Long File Name One.dat", "/d/moved.dat", 0, 0);
	add(APPEND, "/d/sub/x.bin", NULL, 0, 9000);
	add(SYNC, NULL, NULL, 0, 0);
	add(DELETE, "/renamed a.txt", NULL, 0, 0);
	add(CREATE, "/c.txt", NULL, 5, 7000);
	add(RENAME, "/d/moved.dat", "/moved back.dat", 0, 0);
	add(DELETE, "/d/sub/x.bin", NULL, 0, 0);
	add(SYNC, NULL, NULL, 0, 0);
	/* Enough long names to grow /d past its first cluster. */
	for (i = 0; i < 14; i++) {
		snprintf(name, sizeof(name), "/d/file number %02d.txt", i);
		add(CREATE, name, NULL, 20 + (unsigned)i, 300 + 97 * i);
	}
	add(SYNC, NULL, NULL, 0, 0);
	for (i = 0; i < 14; i += 2) {
		snprintf(name, sizeof(name), "/d/file number %02d.txt", i);
		add(DELETE, name, NULL, 0, 0);
	}
	add(RENAME, "/d/file number 03.txt", "/d/third.txt", 0, 0);
	add(APPEND, "/d/file number 05.txt", NULL, 0, 3000);
	add(SYNC, NULL, NULL, 0, 0);
	/* Many long names in the root: more dirty sectors than a tiny cache. */
	for (i = 0; i < 60; i++) {
		snprintf(name, sizeof(name),
		    "/root file number %02d has a long "
		    "name.txt",
		    i);
		add(CREATE, name, NULL, 40 + (unsigned)i, 100 + 13 * i);
	}
	add(SYNC, NULL, NULL, 0, 0);
	for (i = 0; i < 60; i += 3) {
		snprintf(name, sizeof(name),
		    "/root file number %02d has a long "
		    "name.txt",
		    i);
		add(DELETE, name, NULL, 0, 0);
	}
	add(CREATE, "/large.bin", NULL, 6, 120000);
	add(DELETE, "/c.txt", NULL, 0, 0);
	add(SYNC, NULL, NULL, 0, 0);
	add(APPEND, "/large.bin", NULL, 0, 40000);
	add(RENAME, "/large.bin", "/d/large renamed.bin", 0, 0);
	add(SYNC, NULL, NULL, 0, 0);
}

static struct mfile *
find(struct model *m, const char *path)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->f[i].path, path) == 0)
			return &m->f[i];
	return NULL;
}

static void
apply(struct model *m, const struct op *o)
{
	struct mfile *f;

	switch (o->kind) {
	case CREATE:
		f = &m->f[m->n++];
		snprintf(f->path, sizeof(f->path), "%s", o->a);
		f->seed = o->seed;
		f->len = o->len;
		break;
	case APPEND:
		find(m, o->a)->len += o->len;
		break;
	case RENAME:
		f = find(m, o->a);
		snprintf(f->path, sizeof(f->path), "%s", o->b);
		break;
	case DELETE:
		f = find(m, o->a);
		*f = m->f[--m->n];
		break;
	default:
		break;
	}
}

/* Kernel side: write bytes [from, to) of a file of pattern `seed`. */
static int
put_range(int fd, unsigned seed, uint32_t from, uint32_t to)
{
	static uint8_t buf[CHUNK];
	uint32_t i, n;
	long k;

	while (from < to) {
		n = to - from < CHUNK ? to - from : CHUNK;
		for (i = 0; i < n; i++)
			buf[i] = tu_byte(seed, from + i);
		if ((k = toro_write(fd, buf, n)) != (long)n)
			return k < 0 ? (int)k : -1;
		from += n;
	}
	return 0;
}

/* Kernel side: one operation of the workload. */
static int
run_op(struct model *m, const struct op *o)
{
	struct mfile *f;
	int fd, err;

	switch (o->kind) {
	case CREATE:
	case APPEND:
		f = find(m, o->a);
		fd = toro_open(o->a,
		    o->kind == CREATE
			? TORO_O_WRONLY | TORO_O_CREAT | TORO_O_TRUNC
			: TORO_O_WRONLY | TORO_O_APPEND);
		if (fd < 0)
			return fd;
		err = o->kind == CREATE
		    ? put_range(fd, o->seed, 0, o->len)
		    : put_range(fd, f->seed, f->len, f->len + o->len);
		if (tu_close(fd) < 0 && err == 0)
			err = -1;
		return err;
	case RENAME:
		return toro_rename(o->a, o->b);
	case DELETE:
		return toro_unlink(o->a);
	case MKDIR:
		return toro_mkdir(o->a);
	case SYNC:
		return toro_sync();
	}
	return -1;
}

static long
writes_done(void)
{
	struct fakeblk_stats st;

	fakeblk_stats(0, &st);
	return (long)st.writes;
}

/* The reference run: every op must work; note where the syncs end. */
static void *
ref_main(void *unused)
{
	struct model m = start_model;
	int i;

	if (fs_start(1) < 0)
		return NULL;
	for (i = 0; i < nops; i++) {
		if (run_op(&m, &ops[i]) < 0) {
			ref->failed_op = i;
			return NULL;
		}
		if (ops[i].kind == SYNC)
			ref->syncs_at[ref->nsync++] = writes_done();
		apply(&m, &ops[i]);
	}
	ref->total = writes_done();
	return NULL;
}

/* A cut run: the same ops until the power is gone. */
static void *
cut_main(void *unused)
{
	struct model m = start_model;
	int i;

	if (fs_start(1) < 0)
		return NULL;
	for (i = 0; i < nops && !fakeblk_was_cut(0); i++) {
		run_op(&m, &ops[i]);
		apply(&m, &ops[i]);
	}
	return NULL;
}

/* Run fn in a child on a copy of base.img; the disk goes to `out`. */
static void
child(void *(*fn)(void *), long cut, uint32_t tear, bool lose, const char *out)
{
	pid_t pid;
	int st;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (fakeblk_load(0, tu_path("base.img")) < 0)
			_exit(2);
		if (cut >= 0)
			fakeblk_cut(0, cut, tear, lose);
		if (cmdline != NULL)
			fake_set_cmdline(cmdline);
		if (fake_run(2, MEM, fn, NULL) != 0)
			_exit(3);
		if (getenv("TU_CONSOLE") != NULL)
			fputs(fake_console_output(), stderr);
		if (out != NULL && fakeblk_save(0, out, 0, 0) < 0)
			_exit(4);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "child (cut %ld) ended with status %#x", cut, st);
}

/* The file at `path` of the extracted volume, or NULL; its size. */
static uint8_t *
host_file(const char *path, size_t *len)
{
	char p[600];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(p, sizeof(p), "%s%s", tu_path("out"), path);
	if ((f = fopen(p, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

/* Is the file at path bytes [0, size) of `seed`, with lo <= size <= hi? */
static int
holds(const char *path, unsigned seed, uint32_t lo, uint32_t hi)
{
	uint8_t *buf;
	size_t len, i;
	int ok;

	if ((buf = host_file(path, &len)) == NULL)
		return -1;
	ok = len >= lo && len <= hi;
	for (i = 0; ok && i < len; i++)
		ok = buf[i] == tu_byte(seed, i);
	free(buf);
	return ok;
}

/*
 * The synced state s (ops before op `from`) and the ops of the epoch in
 * flight, [from, to): check the extracted volume against them.
 */
static void
judge(long c, const struct model *s, int from, int to, const char *how)
{
	char names[8][64];
	struct model m;
	struct mfile *f;
	uint32_t hi;
	bool gone;
	int i, j, k, nn, found, r;

	for (i = 0; i < s->n; i++) {
		/* Follow the file through the epoch: names, length, fate. */
		nn = 1;
		snprintf(names[0], sizeof(names[0]), "%s", s->f[i].path);
		hi = s->f[i].len;
		gone = false;
		for (j = from; j < to; j++) {
			if (strcmp(ops[j].a, names[nn - 1]) != 0)
				continue;
			if (ops[j].kind == RENAME && nn < 8)
				snprintf(names[nn++], sizeof(names[0]), "%s",
				    ops[j].b);
			else if (ops[j].kind == APPEND)
				hi += ops[j].len;
			else if (ops[j].kind == DELETE)
				gone = true;
		}
		found = 0;
		for (k = 0; k < nn; k++) {
			r = holds(names[k], s->f[i].seed, s->f[i].len, hi);
			if (r == 1)
				break;
			if (r == 0)
				found = 1;
		}
		if (k == nn && (found || !gone))
			ck_abort_msg("cut at write %ld (%s): synced file %s "
				     "(%u bytes) not intact%s",
			    c, how, s->f[i].path, s->f[i].len,
			    found ? ": wrong bytes or size" : ": missing");
	}
	/* A file created in the epoch is absent or a true prefix. */
	m = *s;
	for (j = from; j < to; j++) {
		apply(&m, &ops[j]);
		if (ops[j].kind != CREATE)
			continue;
		f = find(&m, ops[j].a);
		if (holds(ops[j].a, f->seed, 0, UINT32_MAX) == 0)
			ck_abort_msg("cut at write %ld (%s): new file %s holds "
				     "bytes it never had",
			    c, how, ops[j].a);
	}
}

/* fsck and read back the image of cut c; returns 1 if it was clean. */
static int
check_cut(long c, const char *how)
{
	const char *img = tu_path("cut.img"), *rep = tu_path("rep.img");
	const char *out_dir = tu_path("out");
	struct model s = start_model;
	char *out;
	int clean, i, from = 0, to, k = 0;

	/* One shell for all of it: a cut costs little more than its run. */
	out = tu_capture(
	    "fsck.fat -n '%s' >/dev/null 2>&1; echo \"clean=$?\"; "
	    "cp '%s' '%s' && fsck.fat -a '%s' 2>&1; fsck.fat -n '%s' 2>&1; "
	    "echo \"rc=$?\"; rm -rf '%s' && mkdir '%s' && mcopy -s -n -i '%s' "
	    "'::*' '%s/' >/dev/null 2>&1",
	    img, img, rep, rep, rep, out_dir, out_dir, rep, out_dir);
	clean = strncmp(out, "clean=0\n", 8) == 0;
	if (strstr(out, "\nrc=0\n") == NULL)
		ck_abort_msg("cut at write %ld (%s): fsck.fat -a did not "
			     "repair the volume:\n%s",
		    c, how, out);
	free(out);
	/* The syncs that ended before write c started. */
	while (k < ref->nsync && ref->syncs_at[k] <= c)
		k++;
	for (i = 0; i < nops && k > 0; i++) {
		apply(&s, &ops[i]);
		if (ops[i].kind == SYNC && --k == 0)
			from = i + 1;
	}
	for (to = from; to < nops && ops[to].kind != SYNC; to++)
		;
	judge(c, &s, from, to, how);
	return clean;
}

static void
setup_image(void)
{
	const char *img = tu_path("base.img");
	FILE *f;
	uint32_t i;

	ck_assert_int_eq(tu_mkimage(img, 8, 2), 0);
	start_model.n = 0;
	f = fopen(tu_path("keep.txt"), "wb");
	for (i = 0; i < 1500; i++)
		fputc(tu_byte(10, i), f);
	fclose(f);
	f = fopen(tu_path("big.bin"), "wb");
	for (i = 0; i < 30000; i++)
		fputc(tu_byte(11, i), f);
	fclose(f);
	ck_assert_int_eq(tu_sh("mcopy -i '%s' '%s' ::/keep.txt && mcopy -i "
			       "'%s' '%s' ::/big.bin",
			     img, tu_path("keep.txt"), img, tu_path("big.bin")),
	    0);
	snprintf(start_model.f[0].path, 64, "/keep.txt");
	start_model.f[0].seed = 10;
	start_model.f[0].len = 1500;
	snprintf(start_model.f[1].path, 64, "/big.bin");
	start_model.f[1].seed = 11;
	start_model.f[1].len = 30000;
	start_model.n = 2;
	workload();
	ref = mmap(NULL, sizeof(*ref), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert(ref != MAP_FAILED);
	memset(ref, 0, sizeof(*ref));
	ref->failed_op = -1;
}

/* Reference run, then a cut at every write index, three ways. */
static void
every_cut(const char *line)
{
	static const char *how[] = { "write lost", "write torn", "cache lost" };
	long c, clean = 0, cuts = 0;
	int mode;

	setup_image();
	cmdline = line;
	child(ref_main, -1, 0, false, tu_path("ref.img"));
	ck_assert_msg(ref->failed_op < 0, "op %d failed in the reference run",
	    ref->failed_op);
	ck_assert_int_eq(ref->nsync, 9);
	ck_assert_int_eq(tu_fsck(tu_path("ref.img")), 0);
	for (c = 0; c < ref->total; c++)
		for (mode = 0; mode < 3; mode++) {
			child(cut_main, c, mode == 1 ? 1 : 0, mode == 2,
			    tu_path("cut.img"));
			clean += check_cut(c, how[mode]);
			cuts++;
		}
	printf("# %s: %ld writes, %ld cut points, %ld left clean, the rest "
	       "repaired by fsck.fat\n",
	    line != NULL ? line : "default cache", ref->total, cuts, clean);
}

START_TEST(cut_everywhere)
{
	every_cut(NULL);
}
END_TEST

START_TEST(cut_everywhere_tiny_cache)
{
	every_cut("fscache=8");
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("fat_crash");
	tc = tcase_create("power_cut");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, cut_everywhere);
	suite_add_tcase(s, tc);
	tc = tcase_create("power_cut_tiny_cache");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, cut_everywhere_tiny_cache);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
