/*
 * test_fs_random.c: thousands of random file operations (fixed seeds)
 * against an in-memory model of the tree.  Every call's result must be
 * the one the model predicts; at the end every file matches the model
 * byte for byte, through the API and through mtools, and fsck.fat -n
 * finds the image clean.  The second case runs on a disk small enough
 * to fill: -TORO_ENOSPC changes nothing, and the image stays consistent.
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs/fs.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "tests/unit/fs_util.h"
#include "toro/toro.h"
#include "toro/file.h"

#define MAXN 300
#define BUF (512 * 1024)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define nitems(a) (sizeof(a) / sizeof((a)[0]))
#define PATH 320

struct mnode {
	bool used, dir;
	char path[PATH];
	uint8_t *data;
	size_t size;
};

static struct mnode model[MAXN];
static uint64_t rng;
static bool small;      /* the disk-full run */
static int nops, enospc;
static uint8_t *buf, *back;

static const char *names[] = {
	"a", "b", "File.txt", "long name number one.dat", "Z", "x~1",
	"Mixed Case Name", "n3.bin", "0123456789abcdef.txt", "SHORT.TXT",
};

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n == 0 ? 0 : (uint32_t)(rng % n);
}

static struct mnode *
find(const char *path)
{
	int i;

	for (i = 0; i < MAXN; i++)
		if (model[i].used && strcmp(model[i].path, path) == 0)
			return &model[i];
	return NULL;
}

static struct mnode *
add(const char *path, bool dir)
{
	int i;

	for (i = 0; i < MAXN; i++)
		if (!model[i].used) {
			memset(&model[i], 0, sizeof(model[i]));
			model[i].used = true;
			model[i].dir = dir;
			snprintf(model[i].path, sizeof(model[i].path), "%s",
			    path);
			return &model[i];
		}
	return NULL;
}

static void
drop(struct mnode *m)
{
	free(m->data);
	m->data = NULL;
	m->used = false;
}

static int
count(void)
{
	int i, n = 0;

	for (i = 0; i < MAXN; i++)
		n += model[i].used;
	return n;
}

static size_t
total(void)
{
	size_t t = 0;
	int i;

	for (i = 0; i < MAXN; i++)
		if (model[i].used)
			t += model[i].size;
	return t;
}

/* Is `path` strictly inside directory `dir`? */
static bool
under(const char *path, const char *dir)
{
	size_t l = strlen(dir);

	return strncmp(path, dir, l) == 0 && path[l] == '/';
}

static bool
has_children(const char *dir)
{
	int i;

	for (i = 0; i < MAXN; i++)
		if (model[i].used && under(model[i].path, dir))
			return true;
	return false;
}

/* A random directory: "" (the root) or a model directory. */
static const char *
rand_dir(void)
{
	int i, k = (int)rnd(MAXN);

	for (i = 0; i < MAXN; i++, k = (k + 1) % MAXN)
		if (model[k].used && model[k].dir && rnd(3) != 0 &&
		    strlen(model[k].path) < 150)
			return model[k].path;
	return "";
}

static struct mnode *
rand_node(void)
{
	int i, k = (int)rnd(MAXN);

	for (i = 0; i < MAXN; i++, k = (k + 1) % MAXN)
		if (model[k].used)
			return &model[k];
	return NULL;
}

static void
rand_path(char *p, size_t size)
{
	snprintf(p, size, "%s/%s", rand_dir(), names[rnd(nitems(names))]);
}

/* A result the model predicted, or ENOSPC on the small disk. */
static bool
expect(long got, long want, const char *what, const char *path)
{
	if (got == -TORO_ENOSPC && small && want >= 0) {
		enospc++;
		return false;
	}
	if (got != want)
		ck_abort_msg("op %d: %s %s: got %ld, want %ld", nops, what,
		    path, got, want);
	return got >= 0;
}

static void
fill(uint8_t *p, size_t n)
{
	uint32_t seed = rnd(1000000);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = tu_byte(seed, i);
}

static void
model_write(struct mnode *m, size_t pos, const uint8_t *src, size_t n)
{
	size_t end = pos + n;

	if (end > m->size) {
		m->data = realloc(m->data, end);
		memset(m->data + m->size, 0, end - m->size);
		m->size = end;
	}
	memcpy(m->data + pos, src, n);
}

static void
op_write(void)
{
	char path[PATH];
	struct mnode *m;
	size_t n, pos, maxlen = small ? 200000 : 60000;
	int fd, flags = TORO_O_WRONLY | TORO_O_CREAT;
	bool append = rnd(4) == 0;
	long r;

	rand_path(path, sizeof(path));
	m = find(path);
	if (append)
		flags |= TORO_O_APPEND;
	fd = toro_open(path, flags);
	if (m != NULL && m->dir) {
		expect(fd, -TORO_EISDIR, "open dir for writing", path);
		return;
	}
	if (fd == -TORO_ENOSPC && small && m == NULL) {
		enospc++;
		return;
	}
	if (fd < 0)
		ck_abort_msg("op %d: open %s: %d", nops, path, fd);
	if (m == NULL && (m = add(path, false)) == NULL)
		ck_abort_msg("model full");
	n = rnd(8) == 0 ? rnd(4 * (uint32_t)maxlen) : rnd((uint32_t)maxlen);
	if (!small && total() > 12 * TU_MB)
		n = 0;
	pos = append ? m->size : rnd((uint32_t)m->size + 20000);
	fill(buf, n);
	if (!append)
		ck_assert_int_eq(toro_lseek(fd, (int64_t)pos, TORO_SEEK_SET),
		    (long)pos);
	r = toro_write(fd, buf, n);
	if (expect(r, (long)n, "write", path))
		model_write(m, pos, buf, n);
	ck_assert_int_eq(tu_close(fd), 0);
}

static void
op_truncate(void)
{
	struct mnode *m = rand_node();
	size_t size;
	int fd;

	if (m == NULL || m->dir)
		return;
	size = rnd((uint32_t)(m->size + m->size / 2 + 10));
	fd = toro_open(m->path, TORO_O_RDWR);
	ck_assert_int_ge(fd, 0);
	if (expect(toro_ftruncate(fd, size), 0, "ftruncate", m->path)) {
		if (size > m->size) {
			m->data = realloc(m->data, size);
			memset(m->data + m->size, 0, size - m->size);
		}
		m->size = size;
	}
	ck_assert_int_eq(tu_close(fd), 0);
}

static void
op_read(struct mnode *m)
{
	size_t pos, n;
	int fd;
	long r;

	if (m == NULL || m->dir)
		return;
	pos = rnd((uint32_t)m->size + 10);
	n = rnd(BUF);
	fd = toro_open(m->path, TORO_O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(toro_lseek(fd, (int64_t)pos, TORO_SEEK_SET),
	    (long)pos);
	r = toro_read(fd, back, n);
	n = pos >= m->size ? 0 : MIN(n, m->size - pos);
	ck_assert_int_eq(r, (long)n);
	/* An empty file has no data at all: no memcmp on NULL. */
	if (n > 0 && memcmp(back, m->data + pos, n) != 0)
		ck_abort_msg("op %d: %s differs", nops, m->path);
	ck_assert_int_eq(tu_close(fd), 0);
}

static void
op_mkdir(void)
{
	char path[PATH];
	int err;

	rand_path(path, sizeof(path));
	err = toro_mkdir(path);
	if (expect(err, find(path) != NULL ? -TORO_EEXIST : 0, "mkdir",
	    path) && find(path) == NULL)
		add(path, true);
}

static void
op_remove(void)
{
	struct mnode *m = rand_node();
	bool as_dir = rnd(2) == 0;
	long want;

	if (m == NULL)
		return;
	if (as_dir)
		want = !m->dir ? -TORO_ENOTDIR : has_children(m->path) ?
		    -TORO_ENOTEMPTY : 0;
	else
		want = m->dir ? -TORO_EISDIR : 0;
	if (expect(as_dir ? toro_rmdir(m->path) : toro_unlink(m->path), want,
	    "remove", m->path))
		drop(m);
}

static void
op_rename(void)
{
	struct mnode *m = rand_node(), *t;
	char to[PATH], np[2 * PATH];
	long want = 0;
	size_t l;
	int i;

	if (m == NULL)
		return;
	rand_path(to, sizeof(to));
	t = find(to);
	if (strcmp(to, m->path) == 0)
		want = 0;
	else if (m->dir && under(to, m->path))
		want = -TORO_EINVAL;
	else if (t != NULL && t->dir && !m->dir)
		want = -TORO_EISDIR;
	else if (t != NULL && !t->dir && m->dir)
		want = -TORO_ENOTDIR;
	else if (t != NULL && t->dir && has_children(t->path))
		want = -TORO_ENOTEMPTY;
	if (!expect(toro_rename(m->path, to), want, "rename", m->path) ||
	    t == m)
		return;
	if (t != NULL)
		drop(t);
	l = strlen(m->path);
	for (i = 0; i < MAXN; i++)
		if (model[i].used && under(model[i].path, m->path)) {
			snprintf(np, sizeof(np), "%s%s", to,
			    model[i].path + l);
			np[PATH - 1] = '\0';
			memcpy(model[i].path, np, PATH);
		}
	snprintf(m->path, sizeof(m->path), "%s", to);
}

static void
op_stat(void)
{
	struct mnode *m = rand_node();
	struct toro_stat st;

	if (m == NULL)
		return;
	ck_assert_int_eq(toro_stat(m->path, &st), 0);
	ck_assert_int_eq(st.type, m->dir ? TORO_S_IFDIR : TORO_S_IFREG);
	ck_assert_uint_eq(st.size, m->dir ? 0 : m->size);
}

/* Every directory lists exactly its model children. */
static void
check_dir(const char *dir)
{
	struct toro_dirent de;
	char path[PATH + TORO_NAME_MAX * 3 + 2];
	struct mnode *m;
	int dd, n = 0, want = 0, i;
	size_t l = strlen(dir);

	dd = toro_opendir(dir[0] == '\0' ? "/" : dir);
	ck_assert_int_ge(dd, 0);
	while (toro_readdir(dd, &de) == 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, de.name);
		m = find(path);
		if (m == NULL)
			ck_abort_msg("%s: not in the model", path);
		ck_assert_int_eq(de.type, m->dir ? TORO_S_IFDIR :
		    TORO_S_IFREG);
		n++;
	}
	ck_assert_int_eq(toro_closedir(dd), 0);
	for (i = 0; i < MAXN; i++)
		if (model[i].used && strncmp(model[i].path, dir, l) == 0 &&
		    model[i].path[l] == '/' && !strchr(model[i].path + l + 1,
		    '/'))
			want++;
	ck_assert_int_eq(n, want);
}

static void *
random_main(void *arg)
{
	int ops = (int)(intptr_t)arg, i, k;

	ck_assert_int_eq(fs_start(1), 0);
	for (nops = 0; nops < ops; nops++) {
		k = (int)rnd(100);
		if (k < 30)
			op_write();
		else if (k < 40)
			op_truncate();
		else if (k < 55)
			op_read(rand_node());
		else if (k < 65)
			op_mkdir();
		else if (k < 77 || (small && k < 85) || count() > MAXN - 20)
			op_remove();
		else if (k < 92)
			op_rename();
		else if (k < 98)
			op_stat();
		else
			ck_assert_int_eq(toro_sync(), 0);
	}
	check_dir("");
	for (i = 0; i < MAXN; i++)
		if (model[i].used) {
			op_stat();
			if (model[i].dir)
				check_dir(model[i].path);
			else {
				ck_assert_int_eq(tu_get(model[i].path, back,
				    BUF), (long)MIN(model[i].size, BUF));
				ck_assert(model[i].size == 0 ||
				    memcmp(back, model[i].data,
					MIN(model[i].size, BUF)) == 0);
			}
		}
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

/* After the machine: mtools copy the tree out; compare with the model. */
static void
compare_with_mtools(const char *img)
{
	const char *out = tu_path("tree");
	char path[600], *s;
	int i, files = 0, dirs = 0;
	FILE *f;

	ck_assert_int_eq(tu_sh("rm -rf %s && mkdir %s && (mdir -i '%s' -b ::/ "
	    "| grep -q . || exit 0; mcopy -s -n -i '%s' '::/*' %s/)", out, out,
	    img, img, out), 0);
	for (i = 0; i < MAXN; i++) {
		if (!model[i].used)
			continue;
		snprintf(path, sizeof(path), "%s%s", out, model[i].path);
		if (model[i].dir) {
			dirs++;
			continue;
		}
		files++;
		f = fopen(path, "r");
		if (f == NULL)
			ck_abort_msg("mtools has no %s", model[i].path);
		ck_assert_uint_eq(fread(back, 1, BUF, f), MIN(model[i].size,
		    BUF));
		ck_assert(model[i].size == 0 || memcmp(back, model[i].data,
		    MIN(model[i].size, BUF)) == 0);
		fclose(f);
	}
	s = tu_capture("find %s -mindepth 1 -type f | wc -l; find %s "
	    "-mindepth 1 -type d | wc -l", out, out);
	snprintf(path, sizeof(path), "%d\n%d\n", files, dirs);
	ck_assert_str_eq(s, path);
	free(s);
}

static void
run(unsigned mb, uint64_t seed, int ops)
{
	const char *img = tu_path("rand.img");

	rng = seed;
	buf = malloc(BUF * 4);
	back = malloc(BUF);
	if (small)
		ck_assert_int_eq(tu_sh("rm -f %s && truncate -s 3M %s && "
		    "mformat -i %s -T 6144 -h 16 -s 32 -H 0 -c 1 ::", img, img,
		    img), 0);
	else
		ck_assert_int_eq(tu_mkimage(img, mb, 2), 0);
	ck_assert_int_eq(fakeblk_load(0, img), 0);
	ck_assert_int_eq(fake_run(2, 64 * TU_MB, random_main,
	    (void *)(intptr_t)ops), 0);
	ck_assert_int_eq(fakeblk_save(0, img, 0, 0), 0);
	ck_assert_int_eq(tu_fsck(img), 0);
	compare_with_mtools(img);
	fprintf(stderr, "# seed %#llx: %d ops, %d nodes, %zu bytes, %d "
	    "ENOSPC\n", (unsigned long long)seed, ops, count(), total(),
	    enospc);
}

START_TEST(random_ops)
{
	run(32, 0x1234567ull + (uint64_t)_i * 7919, 2000);
}
END_TEST

START_TEST(random_ops_disk_full)
{
	small = true;
	run(3, 0xfeedull + (uint64_t)_i * 104729, 1500);
	ck_assert_int_gt(enospc, 10);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc, *tf;

	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("fs_random");
	tc = tcase_create("random_ops");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, random_ops, 0, 3);
	suite_add_tcase(s, tc);
	tf = tcase_create("random_ops_disk_full");
	tcase_set_timeout(tf, 60);
	tcase_add_loop_test(tf, random_ops_disk_full, 0, 3);
	suite_add_tcase(s, tf);
	return unit_run(s);
}
