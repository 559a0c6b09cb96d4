/*
 * test_fat.c: FAT16 through the file API on the fake machine, judged by
 * the real tools: images come from mformat/mcopy/mmd, and what the
 * kernel wrote is checked with fsck.fat -n, mdir and mtype.
 *
 * Each test builds its image in a scratch directory, boots the fake
 * machine with the storage thread on CPU 1, works through toro_*, syncs,
 * and after the machine stops saves the disk and asks the tools.
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

#define MEM (96 * TU_MB)

static char img[512];
static uint8_t *big;
static size_t big_len;

static void
load(const char *path)
{
	snprintf(img, sizeof(img), "%s", path);
	ck_assert_int_eq(fakeblk_load(0, img), 0);
}

static void
save_and_fsck(void)
{
	ck_assert_int_eq(fakeblk_save(0, img, 0, 0), 0);
	ck_assert_int_eq(tu_fsck(img), 0);
}

static void
start(void)
{
	ck_assert_int_eq(fs_start(1), 0);
}

/* Files mtools wrote read back byte for byte; listings agree. */
static void *
read_main(void *unused)
{
	struct toro_dirent de;
	struct toro_stat st;
	char buf[256];
	int dd, n = 0, seen = 0;
	long k;

	start();
	k = tu_get("/README.TXT", buf, sizeof(buf));
	ck_assert_int_eq(k, 6);
	ck_assert(memcmp(buf, "hello\n", 6) == 0);
	k = tu_get("/readme.txt", buf, sizeof(buf));
	ck_assert_int_eq(k, 6);
	k = tu_get("/A long file name.text", buf, sizeof(buf));
	ck_assert_int_eq(k, 5);
	ck_assert(memcmp(buf, "long\n", 5) == 0);
	k = tu_get("/dir1/sub2/deep3/Deep File.txt", buf, sizeof(buf));
	ck_assert_int_eq(k, 5);
	ck_assert(memcmp(buf, "deep\n", 5) == 0);
	k = tu_get("/dir1/./sub2/../sub2/deep3/DEEPFI~1.TXT", buf,
	    sizeof(buf));
	ck_assert_int_eq(k, 5);
	ck_assert_int_eq(toro_stat("/big.bin", &st), 0);
	ck_assert_int_eq(st.type, TORO_S_IFREG);
	ck_assert_uint_eq(st.size, big_len);
	ck_assert_int_eq(toro_stat("/dir1/sub2", &st), 0);
	ck_assert_int_eq(st.type, TORO_S_IFDIR);
	k = tu_get("/big.bin", big, big_len + 1);
	ck_assert_int_eq(k, (long)big_len);
	for (k = 0; k < (long)big_len; k++)
		if (big[k] != tu_byte(7, (uint64_t)k))
			ck_abort_msg("big.bin differs at %ld", k);
	dd = toro_opendir("/");
	ck_assert_int_ge(dd, 0);
	while ((k = toro_readdir(dd, &de)) == 1) {
		n++;
		if (strcmp(de.name, "A long file name.text") == 0 ||
		    strcmp(de.name, "README.TXT") == 0 ||
		    strcmp(de.name, "dir1") == 0 || strcmp(de.name,
		    "big.bin") == 0)
			seen++;
	}
	ck_assert_int_eq(k, 0);
	ck_assert_int_eq(toro_closedir(dd), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(seen, 4);
	ck_assert_int_eq(toro_stat("/nothere", &st), -TORO_ENOENT);
	ck_assert_int_eq(toro_stat("/README.TXT/x", &st), -TORO_ENOTDIR);
	return NULL;
}

static void
populate(const char *where)
{
	char target[600];
	FILE *f;
	size_t i;

	snprintf(target, sizeof(target), "%s", where);
	ck_assert_int_eq(tu_sh("printf 'hello\\n' > %s && printf 'long\\n' "
	    "> %s && printf 'deep\\n' > %s", tu_path("r.txt"),
	    tu_path("l.txt"), tu_path("d.txt")), 0);
	big_len = 3 * TU_MB + 1234;
	big = malloc(big_len + 1);
	for (i = 0; i < big_len; i++)
		big[i] = tu_byte(7, i);
	f = fopen(tu_path("big.bin"), "w");
	ck_assert(f != NULL);
	ck_assert_uint_eq(fwrite(big, 1, big_len, f), big_len);
	fclose(f);
	ck_assert_int_eq(tu_sh("mcopy -i '%s' %s ::/README.TXT && "
	    "mcopy -i '%s' %s '::/A long file name.text' && "
	    "mmd -i '%s' ::/dir1 ::/dir1/sub2 ::/dir1/sub2/deep3 && "
	    "mcopy -i '%s' %s '::/dir1/sub2/deep3/Deep File.txt' && "
	    "mcopy -i '%s' %s ::/big.bin", target, tu_path("r.txt"), target,
	    tu_path("l.txt"), target, target, tu_path("d.txt"), target,
	    tu_path("big.bin")), 0);
}

START_TEST(read_mtools_files)
{
	unsigned spc = _i == 0 ? 1 : 8;
	struct fakeblk_stats st;

	ck_assert_int_eq(tu_mkimage(tu_path("a.img"), 32, spc), 0);
	populate(tu_path("a.img"));
	load(tu_path("a.img"));
	ck_assert_int_eq(fake_run(3, MEM, read_main, NULL), 0);
	/* 3 MiB in contiguous clusters: read in 32 KiB requests. */
	fakeblk_stats(0, &st);
	ck_assert_uint_lt(st.reads, 300);
	ck_assert_uint_eq(st.writes, 0);
	ck_assert_uint_eq(
	    st.flushes, 0); /* nothing written, nothing to flush */
}
END_TEST

START_TEST(read_mbr_partition)
{
	char target[600];

	ck_assert_int_eq(tu_mkimage_mbr(tu_path("p.img"), 40, 4), 0);
	snprintf(target, sizeof(target), "%s@@32256", tu_path("p.img"));
	populate(target);
	load(tu_path("p.img"));
	ck_assert_int_eq(fake_run(2, MEM, read_main, NULL), 0);
}
END_TEST

/* Write, sync, and let the tools judge. */
static void *
write_main(void *unused)
{
	char name[64];
	size_t n;
	int fd, i;

	start();
	ck_assert_int_eq(tu_put("/HELLO.TXT", "hello, world\n", 13), 0);
	ck_assert_int_eq(tu_put("/lower.txt", "lower\n", 6), 0);
	ck_assert_int_eq(tu_put("/A Long Name With Spaces.text", "x", 1), 0);
	ck_assert_int_eq(toro_mkdir("/d"), 0);
	ck_assert_int_eq(toro_mkdir("/d/e"), 0);
	ck_assert_int_eq(toro_mkdir("/d/e"), -TORO_EEXIST);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "/d/e/file number %02d.txt", i);
		ck_assert_int_eq(tu_put(name, name, strlen(name)), 0);
	}
	fd = toro_open("/d/big.bin", TORO_O_RDWR | TORO_O_CREAT);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < (int)big_len; i += 65536) {
		n = big_len - (size_t)i < 65536 ? big_len - (size_t)i : 65536;
		ck_assert_int_eq(toro_write(fd, big + i, n), (long)n);
	}
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

/*
 * Loop 0: the disk takes scatter-gather requests, and the cache's runs
 * use them; loop 1: one buffer a request only, through the staging copy.
 */
START_TEST(write_then_tools)
{
	struct fakeblk_stats st;
	char *out;
	size_t i;

	big_len = 2 * TU_MB + 777;
	big = malloc(big_len);
	for (i = 0; i < big_len; i++)
		big[i] = tu_byte(3, i);
	ck_assert_int_eq(tu_mkimage(tu_path("w.img"), 32, 1), 0);
	load(tu_path("w.img"));
	if (_i == 1)
		fakeblk_set_seg_max(0, 1);
	ck_assert_int_eq(fake_run(2, MEM, write_main, NULL), 0);
	fakeblk_stats(0, &st);
	if (_i == 0)
		ck_assert_uint_gt(st.scattered, 0);
	else
		ck_assert_uint_eq(st.scattered, 0);
	save_and_fsck();
	out = tu_capture("mtype -i '%s' ::/HELLO.TXT", img);
	ck_assert_str_eq(out, "hello, world\n");
	free(out);
	out = tu_capture("mtype -i '%s' ::/lower.txt", img);
	ck_assert_str_eq(out, "lower\n");
	free(out);
	out = tu_capture("mdir -i '%s' -b ::/d/e | wc -l", img);
	ck_assert_int_eq(atoi(out), 40);
	free(out);
	out = tu_capture("mtype -i '%s' '::/d/e/file number 07.txt'", img);
	ck_assert_str_eq(out, "/d/e/file number 07.txt");
	free(out);
	ck_assert_int_eq(tu_sh("mcopy -n -i '%s' ::/d/big.bin %s", img,
	    tu_path("big.out")), 0);
	{
		FILE *f = fopen(tu_path("big.out"), "r");
		uint8_t *b = malloc(big_len + 1);

		ck_assert(f != NULL);
		ck_assert_uint_eq(fread(b, 1, big_len + 1, f), big_len);
		ck_assert(memcmp(b, big, big_len) == 0);
		fclose(f);
		free(b);
	}
	out = tu_capture("mdir -i '%s' ::/ | grep -c 'A Long Name With "
	    "Spaces.text'", img);
	ck_assert_int_eq(atoi(out), 1);
	free(out);
}
END_TEST


/* Every write operation, then fsck.fat, mdir and mtype. */
static void *
ops_main(void *unused)
{
	char buf[64];
	int fd;

	start();
	ck_assert_int_eq(tu_put("/f1.txt", "0123456789", 10), 0);
	fd = toro_open("/f1.txt", TORO_O_WRONLY | TORO_O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(toro_write(fd, "abc", 3), 3);
	ck_assert_int_eq(toro_lseek(fd, 0, TORO_SEEK_SET), 0);
	ck_assert_int_eq(toro_write(fd, "XYZ", 3), 3);
	ck_assert_int_eq(tu_close(fd), 0);
	fd = toro_open("/gap.bin", TORO_O_RDWR | TORO_O_CREAT);
	ck_assert_int_eq(toro_write(fd, "start", 5), 5);
	ck_assert_int_eq(toro_lseek(fd, 10000, TORO_SEEK_SET), 10000);
	ck_assert_int_eq(toro_write(fd, "end", 3), 3);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(tu_put("/shrink.bin", big, 5000), 0);
	fd = toro_open("/shrink.bin", TORO_O_RDWR);
	ck_assert_int_eq(toro_ftruncate(fd, 1000), 0);
	ck_assert_int_eq(tu_close(fd), 0);
	fd = toro_open("/ext.bin", TORO_O_RDWR | TORO_O_CREAT);
	ck_assert_int_eq(toro_ftruncate(fd, 3000), 0);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(tu_put("/trunc.txt", "long content", 12), 0);
	fd = toro_open("/trunc.txt", TORO_O_WRONLY | TORO_O_TRUNC);
	ck_assert_int_eq(toro_write(fd, "s", 1), 1);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(tu_put("/old name.txt", "renamed", 7), 0);
	ck_assert_int_eq(toro_rename("/old name.txt", "/new name.txt"), 0);
	ck_assert_int_eq(toro_mkdir("/a"), 0);
	ck_assert_int_eq(toro_mkdir("/b"), 0);
	ck_assert_int_eq(tu_put("/a/moved.txt", "m", 1), 0);
	ck_assert_int_eq(toro_rename("/a/moved.txt", "/b/moved.txt"), 0);
	ck_assert_int_eq(toro_mkdir("/a/sub"), 0);
	ck_assert_int_eq(tu_put("/a/sub/inner.txt", "inner", 5), 0);
	ck_assert_int_eq(toro_rename("/a/sub", "/b/sub2"), 0);
	ck_assert_int_eq(toro_rename("/b", "/b/sub2/x"), -TORO_EINVAL);
	ck_assert_int_eq(tu_put("/r1", "one", 3), 0);
	ck_assert_int_eq(tu_put("/r2", "two", 3), 0);
	ck_assert_int_eq(toro_rename("/r1", "/r2"), 0);
	ck_assert_int_eq(tu_put("/gone.txt", "x", 1), 0);
	ck_assert_int_eq(toro_unlink("/gone.txt"), 0);
	ck_assert_int_eq(toro_mkdir("/empty"), 0);
	ck_assert_int_eq(toro_rmdir("/empty"), 0);
	ck_assert_int_eq(toro_rename("/f1.txt", "/F1.TXT"), 0);
	ck_assert_int_eq(toro_rename("/F1.TXT", "/F1.TXT"), 0);
	ck_assert_int_eq(tu_get("/b/sub2/inner.txt", buf, sizeof(buf)), 5);
	ck_assert_int_eq(tu_get("/b/sub2/../moved.txt", buf, sizeof(buf)), 1);
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

static void
expect_file(const char *path, const char *content, size_t len)
{
	char *out = tu_capture("mtype -i '%s' '::%s'", img, path);

	if (memcmp(out, content, len) != 0 || out[len] != '\0')
		ck_abort_msg("%s: got \"%s\"", path, out);
	free(out);
}

static void
expect_missing(const char *path)
{
	ck_assert_int_ne(tu_sh("mdir -i '%s' '::%s' >/dev/null 2>&1", img,
	    path), 0);
}

START_TEST(every_write_op)
{
	char *out;
	size_t i;

	big_len = 5000;
	big = malloc(big_len);
	for (i = 0; i < big_len; i++)
		big[i] = tu_byte(5, i);
	ck_assert_int_eq(tu_mkimage(tu_path("o.img"), 32, 4), 0);
	load(tu_path("o.img"));
	ck_assert_int_eq(fake_run(2, MEM, ops_main, NULL), 0);
	save_and_fsck();
	expect_file("/F1.TXT", "0123456789abcXYZ", 16);
	ck_assert_int_eq(tu_sh("mcopy -n -i '%s' ::/gap.bin %s", img,
	    tu_path("gap.out")), 0);
	ck_assert_int_eq(tu_sh("head -c 5 %s | grep -q start && "
	    "test $(stat -c %%s %s) = 10003 && "
	    "test $(tail -c 3 %s) = end && "
	    "test $(head -c 10000 %s | tail -c 9995 | tr -d '\\000' | wc -c) "
	    "= 0",
	    tu_path("gap.out"), tu_path("gap.out"), tu_path("gap.out"),
	    tu_path("gap.out")), 0);
	ck_assert_int_eq(tu_sh("test $(mtype -i '%s' ::/shrink.bin | wc -c) = "
	    "1000", img), 0);
	ck_assert_int_eq(tu_sh("test $(mtype -i '%s' ::/ext.bin | tr -d "
	    "'\\000' | wc -c) = 0 && test $(mtype -i '%s' ::/ext.bin | wc -c) "
	    "= 3000", img, img), 0);
	expect_file("/trunc.txt", "s", 1);
	expect_file("/new name.txt", "renamed", 7);
	expect_missing("/old name.txt");
	expect_file("/b/moved.txt", "m", 1);
	expect_missing("/a/moved.txt");
	expect_file("/b/sub2/inner.txt", "inner", 5);
	expect_missing("/a/sub");
	expect_file("/r2", "one", 3);
	expect_missing("/r1");
	expect_missing("/gone.txt");
	expect_missing("/empty");
	out = tu_capture("mdir -i '%s' ::/ | grep -c '^F1       TXT'", img);
	ck_assert_int_eq(atoi(out), 1);
	free(out);
}
END_TEST

/* The root directory holds 512 entries and no more. */
static void *
root_main(void *unused)
{
	char name[32];
	int i, err;

	start();
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "/F%05d.TXT", i);
		if ((err = tu_put(name, name, 4)) < 0)
			break;
	}
	ck_assert_int_eq(i, 512);
	ck_assert_int_eq(err, -TORO_ENOSPC);
	ck_assert_int_eq(toro_mkdir("/D"), -TORO_ENOSPC);
	ck_assert_int_eq(toro_unlink("/F00007.TXT"), 0);
	ck_assert_int_eq(tu_put("/a long name.txt", "x", 1), -TORO_ENOSPC);
	ck_assert_int_eq(toro_mkdir("/D"), 0);
	/* A subdirectory has no such limit: 600 entries, many clusters. */
	for (i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "/D/Entry number %d", i);
		ck_assert_int_eq(tu_put(name, name, 3), 0);
	}
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

START_TEST(root_dir_limit)
{
	char *out;

	ck_assert_int_eq(tu_mkimage(tu_path("r.img"), 32, 1), 0);
	load(tu_path("r.img"));
	ck_assert_int_eq(fake_run(2, MEM, root_main, NULL), 0);
	save_and_fsck();
	out = tu_capture("mdir -i '%s' -b ::/ | wc -l", img);
	ck_assert_int_eq(atoi(out), 512);
	free(out);
	out = tu_capture("mdir -i '%s' -b ::/D | wc -l", img);
	ck_assert_int_eq(atoi(out), 600);
	free(out);
	expect_file("/D/Entry number 599", "/D/", 3);
}
END_TEST

/* Long names: 255 characters, Unicode, numeric tails, any case. */
static char name255[300];

static void *
names_main(void *unused)
{
	char path[600], buf[16];
	int i;

	start();
	snprintf(path, sizeof(path), "/%s", name255);
	ck_assert_int_eq(tu_put(path, "255", 3), 0);
	strcat(path, "x");
	ck_assert_int_eq(tu_put(path, "256", 3), -TORO_ENAMETOOLONG);
	ck_assert_int_eq(tu_put("/Ünïcödé € 文件 😀.txt", "uni", 3), 0);
	ck_assert_int_eq(tu_get("/ÜNÏCÖDÉ € 文件 😀.TXT", buf, sizeof(buf)),
	    -TORO_ENOENT);
	ck_assert_int_eq(tu_get("/Ünïcödé € 文件 😀.TXT", buf, sizeof(buf)),
	    3);
	for (i = 1; i <= 12; i++) {
		snprintf(path, sizeof(path), "/Long File Name %d.txt", i);
		ck_assert_int_eq(tu_put(path, path + 16, strlen(path + 16)), 0);
	}
	ck_assert_int_eq(tu_get("/LONG FILE NAME 3.TXT", buf, sizeof(buf)), 5);
	ck_assert_int_eq(tu_get("/LONGFI~3.TXT", buf, sizeof(buf)), 5);
	ck_assert(memcmp(buf, "3.txt", 5) == 0);
	ck_assert_int_eq(toro_open("/long file name 1.TXT", TORO_O_CREAT |
	    TORO_O_EXCL | TORO_O_WRONLY), -TORO_EEXIST);
	ck_assert_int_eq(tu_put("/bad*name", "x", 1), -TORO_EINVAL);
	ck_assert_int_eq(tu_put("/trailing dots...", "t", 1), 0);
	ck_assert_int_eq(tu_get("/trailing dots", buf, sizeof(buf)), 1);
	ck_assert_int_eq(tu_put("/.hidden", "h", 1), 0);
	ck_assert_int_eq(tu_put("/with+plus,comma;semi=eq", "p", 1), 0);
	ck_assert_int_eq(tu_put("/UPPER.TXT", "u", 1), 0);
	ck_assert_int_eq(tu_put("/MiXeD.TxT", "m", 1), 0);
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

START_TEST(long_names)
{
	char *out;

	memset(name255, 'n', 255);
	name255[255] = '\0';
	ck_assert_int_eq(tu_mkimage(tu_path("n.img"), 32, 1), 0);
	load(tu_path("n.img"));
	ck_assert_int_eq(fake_run(2, MEM, names_main, NULL), 0);
	save_and_fsck();
	out = tu_capture("mdir -i '%s' ::/ | grep -c '^LONGFI~[1-9] TXT .*Long "
	    "File Name [1-9].txt$'", img);
	ck_assert_int_eq(atoi(out), 9);
	free(out);
	out = tu_capture("mdir -i '%s' ::/ | grep -c '^LONGF~1[0-2] TXT'", img);
	ck_assert_int_eq(atoi(out), 3);
	free(out);
	expect_file("/Long File Name 11.txt", "11.txt", 6);
	out = tu_capture("mdir -i '%s' ::/ | grep -c ' %s$'", img, name255);
	ck_assert_int_eq(atoi(out), 1);
	free(out);
	expect_file("/trailing dots", "t", 1);
	expect_file("/.hidden", "h", 1);
	expect_file("/with+plus,comma;semi=eq", "p", 1);
	out = tu_capture("mdir -i '%s' ::/ | grep -c "
	    "'^UPPER    TXT  *1 .* 0:00 *$'", img);
	ck_assert_int_eq(atoi(out), 1);
	free(out);
	out = tu_capture("LANG=C.UTF-8 mdir -i '%s' ::/ | grep -c "
	    "'Ünïcödé € 文件 .*.txt'", img);
	ck_assert_int_eq(atoi(out), 1);
	free(out);
}
END_TEST

/* Times come from the wall clock, as UTC. */
static void *
times_main(void *unused)
{
	struct toro_stat st;
	int64_t t0 = toro_wall_ns();

	start();
	toro_sleep_ms(3723 * 1000 + 500);
	ck_assert_int_eq(tu_put("/T.TXT", "t", 1), 0);
	ck_assert_int_eq(toro_stat("/T.TXT", &st), 0);
	/* 01:02:03.5 after midnight: mtime has 2 s steps, btime 10 ms. */
	ck_assert_int_eq(st.mtime_ns, t0 + 3722LL * 1000000000);
	ck_assert_int_eq(st.btime_ns, t0 + 3723500LL * 1000000);
	ck_assert_int_eq(st.atime_ns, t0);
	ck_assert_uint_eq(st.attr, TORO_ATTR_ARCHIVE);
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

START_TEST(timestamps)
{
	char *out;

	ck_assert_int_eq(tu_mkimage(tu_path("t.img"), 32, 1), 0);
	load(tu_path("t.img"));
	ck_assert_int_eq(fake_run(2, MEM, times_main, NULL), 0);
	save_and_fsck();
	out = tu_capture("mdir -i '%s' ::/ | grep -c '^T        TXT         1 "
	    "2026-01-01   1:02'", img);
	ck_assert_int_eq(atoi(out), 1);
	free(out);
}
END_TEST

int
main(void)
{
	Suite *s;

	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("fat");

	unit_add(s, "read_mtools_files", read_mtools_files, 2);
	unit_add(s, "read_mbr_partition", read_mbr_partition, 1);
	unit_add(s, "write_then_tools", write_then_tools, 2);
	unit_add(s, "every_write_op", every_write_op, 1);
	unit_add(s, "root_dir_limit", root_dir_limit, 1);
	unit_add(s, "long_names", long_names, 1);
	unit_add(s, "timestamps", timestamps, 1);
	return unit_run(s);
}
