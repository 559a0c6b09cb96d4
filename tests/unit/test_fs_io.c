/*
 * test_fs_io.c: the file API against the disk on the fake machine:
 * write-back and sync (with and without a disk cache), both FAT copies,
 * disk errors, direct and cached I/O, small files appended and read
 * in order.  Sequential streams are test_fs_stream.c's.
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
#include "toro/file.h"
#include "toro/toro.h"

#define MEM (64 * TU_MB)


/* Writes stay in the cache until sync; then both FATs agree. */
static uint8_t *disk;

static bool
on_disk(const char *s)
{
	uint64_t n, i;
	size_t l = strlen(s);
	uint8_t *d = fakeblk_data(0, &n);

	for (i = 0; i + l <= n * 512; i++)
		if (d[i] == (uint8_t)s[0] && memcmp(d + i, s, l) == 0)
			return true;
	return false;
}

/* Whether the disk has a write cache (the fake's default). */
static bool cached = true;

/* Nothing synced is left in the disk's own cache, which gets a flush. */
static void
flushed(void)
{
	struct fakeblk_stats st;

	fakeblk_stats(0, &st);
	ck_assert_uint_eq(st.unflushed, 0);
	if (cached)
		ck_assert_uint_ge(st.flushes, 1);
	else
		ck_assert_uint_eq(st.flushes, 0); /* the HAL would refuse it */
}

static void *
sync_main(void *unused)
{
	uint32_t fat_sz, rsvd;
	int fd;

	ck_assert_int_eq(fs_start(1), 0);
	fd = toro_open("/w.txt", TORO_O_CREAT | TORO_O_WRONLY);
	ck_assert_int_eq(toro_write(fd, "a unique marker 42", 18), 18);
	ck_assert(!on_disk("a unique marker 42"));
	ck_assert_int_eq(toro_fsync(fd), 0);
	ck_assert(on_disk("a unique marker 42"));
	flushed();
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(tu_put("/x.txt", "second marker 43", 16), 0);
	ck_assert(!on_disk("second marker 43"));
	ck_assert_int_eq(fs_sync_all(), 0);
	ck_assert(on_disk("second marker 43"));
	flushed();
	disk = fakeblk_data(0, NULL);
	rsvd = (uint32_t)(disk[14] | disk[15] << 8);
	fat_sz = (uint32_t)(disk[22] | disk[23] << 8);
	ck_assert(memcmp(disk + rsvd * 512, disk + (rsvd + fat_sz) * 512,
	    fat_sz * 512) == 0);
	ck_assert_int_eq(disk[rsvd * 512 + 4], 0xff); /* cluster 2: EOC */
	return NULL;
}

START_TEST(write_back_and_sync)
{
	tu_image(0, "s.img", 32);
	ck_assert_int_eq(fake_run(2, MEM, sync_main, NULL), 0);
}
END_TEST

START_TEST(sync_without_disk_cache)
{
	tu_image(0, "s.img", 32);
	fakeblk_set_cache(0, false);
	cached = false;
	ck_assert_int_eq(fake_run(2, MEM, sync_main, NULL), 0);
}
END_TEST

/* A failing disk gives -TORO_EIO and says so. */
static void *
eio_main(void *unused)
{
	char buf[4096];
	int fd;

	ck_assert_int_eq(fs_start(1), 0);
	ck_assert_int_eq(tu_put("/a.bin", buf, sizeof(buf)), 0);
	ck_assert_int_eq(toro_sync(), 0);
	fakeblk_fail_after(0, 0, FAKEBLK_WRITE);
	ck_assert_int_eq(tu_put("/b.bin", buf, sizeof(buf)), 0);
	ck_assert_int_eq(toro_sync(), -TORO_EIO);
	ck_assert_int_eq(toro_sync(), -TORO_EIO);
	fakeblk_fail_after(0, -1, 0);
	ck_assert_int_eq(toro_sync(), 0);
	/* Reads: every sector fails now, and nothing is cached. */
	ck_assert_int_eq(fs_umount("/"), 0);
	ck_assert_int_eq(fs_mount(0, "/"), 0);
	fakeblk_fail_range(0, 0, 1 << 30, FAKEBLK_READ);
	fd = toro_open("/a.bin", TORO_O_RDONLY);
	ck_assert_int_eq(fd, -TORO_EIO);
	ck_assert_int_eq(fs_umount("/"), 0);
	ck_assert_int_eq(fs_mount(0, "/"), -TORO_EIO);
	return NULL;
}

START_TEST(disk_errors)
{
	tu_image(0, "io.img", 32);
	ck_assert_int_eq(fake_run(2, MEM, eio_main, NULL), 0);
	ck_assert(strstr(fake_console_output(), "fs: disk 0: writing sectors")
	    != NULL);
	ck_assert(strstr(fake_console_output(), "fs: disk 0: reading sector")
	    != NULL);
}
END_TEST

/*
 * Large transfers bypass the cache (fs_bdirect), small ones go through
 * it: each sees the other's bytes, before and after a sync, and the
 * large ones reach the disk in few requests.
 */
static void *
direct_main(void *unused)
{
	static uint8_t big[1 << 20], back[1 << 20];
	struct fakeblk_stats st0, st1;
	size_t i;
	int fd;

	ck_assert_int_eq(fs_start(1), 0);
	for (i = 0; i < sizeof(big); i++)
		big[i] = tu_byte(1, i);
	/* Small writes, cached and dirty; a large read must see them. */
	fd = toro_open("/m.bin", TORO_O_CREAT | TORO_O_RDWR);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < sizeof(big); i += 1000)
		ck_assert_int_eq(toro_write(fd, big + i,
		    sizeof(big) - i < 1000 ? sizeof(big) - i : 1000),
		    (long)(sizeof(big) - i < 1000 ? sizeof(big) - i : 1000));
	ck_assert_int_eq(toro_lseek(fd, 0, TORO_SEEK_SET), 0);
	ck_assert_int_eq(toro_read(fd, back, sizeof(back)), (long)sizeof(back));
	ck_assert(memcmp(big, back, sizeof(big)) == 0);
	/* A large write over cached sectors; small reads must see it. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = tu_byte(2, i);
	ck_assert_int_eq(toro_lseek(fd, 512, TORO_SEEK_SET), 512);
	fakeblk_stats(0, &st0);
	ck_assert_int_eq(toro_write(fd, big + 512, sizeof(big) - 1024),
	    (long)(sizeof(big) - 1024));
	fakeblk_stats(0, &st1);
	/* Contiguous clusters: one request, not one per sector or cluster. */
	ck_assert_uint_le(st1.writes - st0.writes, 2);
	ck_assert_uint_ge(st1.wsectors - st0.wsectors, (sizeof(big) - 1024) /
	    512);
	ck_assert_int_eq(toro_lseek(fd, 0, TORO_SEEK_SET), 0);
	for (i = 0; i < sizeof(back); i += 700)
		ck_assert_int_eq(toro_read(fd, back + i, sizeof(back) - i < 700 ?
		    sizeof(back) - i : 700), (long)(sizeof(back) - i < 700 ?
		    sizeof(back) - i : 700));
	ck_assert(memcmp(back, big, 512) != 0);
	ck_assert(memcmp(back + 512, big + 512, sizeof(big) - 1024) == 0);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(toro_sync(), 0);
	/* A large read after the sync, from a fresh handle. */
	ck_assert_int_eq(tu_get("/m.bin", back, sizeof(back)),
	    (long)sizeof(back));
	ck_assert(memcmp(back + 512, big + 512, sizeof(big) - 1024) == 0);
	return NULL;
}

START_TEST(direct_and_cached)
{
	FILE *f;
	long i;
	int c;

	tu_image(0, "dio.img", 32);
	ck_assert_int_eq(fake_run(2, MEM, direct_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(0, tu_path("dio.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("dio.img")), 0);
	/* mtools read what the kernel wrote both ways. */
	ck_assert_int_eq(tu_sh("mcopy -n -i %s ::/m.bin %s", tu_path("dio.img"),
	    tu_path("m.bin")), 0);
	f = fopen(tu_path("m.bin"), "rb");
	ck_assert(f != NULL);
	for (i = 0; (c = fgetc(f)) != EOF; i++)
		if (c != tu_byte(i < 512 || i >= (1 << 20) - 512 ? 1 : 2, i))
			ck_abort_msg("m.bin differs at %ld", i);
	fclose(f);
	ck_assert_int_eq(i, 1 << 20);
}
END_TEST

/*
 * Small files appended one after another go to the disk behind the
 * writer, before any sync, in large requests (the stream windows, not a
 * cache buffer a sector); a sector rewritten inside a file and reads
 * before the sync see the newest data, and the volume is whole after.
 */
#define APP_N 96

static uint8_t
app_byte(int file, int i)
{
	uint8_t b = tu_byte((unsigned)file, (uint64_t)i);

	return file % 3 == 0 && i >= 1024 && i < 1536 ? b ^ 0xff : b;
}

static void *
append_main(void *unused)
{
	static uint8_t buf[4096], back[4096];
	struct fakeblk_stats st0, st1;
	char path[32];
	int i, k, fd;

	ck_assert_int_eq(fs_start(1), 0);
	ck_assert_int_eq(toro_mkdir("/a"), 0);
	ck_assert_int_eq(toro_sync(), 0);
	fakeblk_stats(0, &st0);
	for (i = 0; i < APP_N; i++) {
		snprintf(path, sizeof(path), "/a/f%03d.dat", i);
		fd =
		    toro_open(path, TORO_O_CREAT | TORO_O_EXCL | TORO_O_WRONLY);
		ck_assert_int_ge(fd, 0);
		for (k = 0; k < 4096; k++)
			buf[k] = tu_byte((unsigned)i, (uint64_t)k);
		for (k = 0; k < 4096; k += 1024)
			ck_assert_int_eq(toro_write(fd, buf + k, 1024), 1024);
		for (k = 0; k < 4096; k++)
			buf[k] = app_byte(i, k);
		if (i % 3 == 0) {
			ck_assert_int_eq(
			    toro_lseek(fd, 1024, TORO_SEEK_SET), 1024);
			ck_assert_int_eq(toro_write(fd, buf + 1024, 512), 512);
		}
		ck_assert_int_eq(tu_close(fd), 0);
	}
	fakeblk_stats(0, &st1);
	/* 384 KiB of data: a window of it went out, in one request. */
	ck_assert_uint_ge(st1.wsectors - st0.wsectors, 256);
	ck_assert_uint_le(st1.writes - st0.writes, 2);
	for (i = 0; i < APP_N; i++) {
		snprintf(path, sizeof(path), "/a/f%03d.dat", i);
		ck_assert_int_eq(tu_get(path, back, sizeof(back)), 4096);
		for (k = 0; k < 4096; k++)
			if (back[k] != app_byte(i, k))
				ck_abort_msg("%s differs at %d", path, k);
	}
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

START_TEST(small_appends)
{
	FILE *f;
	int i, c;

	tu_image(0, "app.img", 32);
	ck_assert_int_eq(fake_run(2, MEM, append_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(0, tu_path("app.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("app.img")), 0);
	ck_assert_int_eq(tu_sh("mcopy -n -i %s ::/a/f003.dat %s",
			     tu_path("app.img"), tu_path("f003.dat")),
	    0);
	f = fopen(tu_path("f003.dat"), "rb");
	ck_assert(f != NULL);
	for (i = 0; (c = fgetc(f)) != EOF; i++)
		if (c != app_byte(3, i))
			ck_abort_msg("f003.dat differs at %d", i);
	fclose(f);
	ck_assert_int_eq(i, 4096);
}
END_TEST


/*
 * Small files written one after another (by mcopy, one at a time) and
 * read back in that order on a cold cache: the reads run ahead across
 * files, so the disk sees a request per 128 KiB or so, not one per
 * file.  An open with O_CREAT of a file that is there opens it; with
 * O_EXCL too, it fails.
 */
#define SMALL_N 64
#define SMALL_SZ 4096

static void *
small_read_main(void *unused)
{
	static uint8_t buf[SMALL_SZ * 2];
	struct fakeblk_stats st0, st1;
	char path[32];
	size_t k;
	int i, fd;

	ck_assert_int_eq(fs_start(1), 0);
	ck_assert_int_eq(toro_open("/s/f000.dat", TORO_O_CREAT |
	    TORO_O_EXCL | TORO_O_WRONLY), -TORO_EEXIST);
	ck_assert_int_eq(toro_open("/s/F001.DAT", TORO_O_CREAT |
	    TORO_O_EXCL | TORO_O_WRONLY), -TORO_EEXIST);
	fakeblk_stats(0, &st0);
	for (i = 0; i < SMALL_N; i++) {
		snprintf(path, sizeof(path), "/s/f%03d.dat", i);
		/* O_CREAT without O_EXCL: the file that is there. */
		fd = toro_open(path, i % 2 ? TORO_O_RDONLY : TORO_O_CREAT |
		    TORO_O_RDWR);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(toro_read(fd, buf, sizeof(buf)), SMALL_SZ);
		ck_assert_int_eq(tu_close(fd), 0);
		for (k = 0; k < SMALL_SZ; k++)
			if (buf[k] != tu_byte((unsigned)i, k))
				ck_abort_msg("%s differs at %zu", path, k);
	}
	fakeblk_stats(0, &st1);
	ck_assert_uint_le(st1.reads - st0.reads, 8);
	return NULL;
}

START_TEST(small_files_in_order)
{
	char name[64];
	FILE *f;
	size_t k;
	int i;

	ck_assert_int_eq(tu_mkimage(tu_path("small.img"), 32, 4), 0);
	ck_assert_int_eq(tu_sh("mmd -i %s ::/s", tu_path("small.img")), 0);
	for (i = 0; i < SMALL_N; i++) {
		snprintf(name, sizeof(name), "f%03d.dat", i);
		f = fopen(tu_path(name), "wb");
		ck_assert(f != NULL);
		for (k = 0; k < SMALL_SZ; k++)
			fputc(tu_byte((unsigned)i, k), f);
		ck_assert_int_eq(fclose(f), 0);
		ck_assert_int_eq(tu_sh("mcopy -i %s %s ::/s/%s",
		    tu_path("small.img"), tu_path(name), name), 0);
	}
	ck_assert_int_eq(fakeblk_load(0, tu_path("small.img")), 0);
	ck_assert_int_eq(fake_run(2, MEM, small_read_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s;

	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("fs_io");
	unit_add(s, "write_back_and_sync", write_back_and_sync, 1);
	unit_add(s, "sync_without_disk_cache", sync_without_disk_cache, 1);
	unit_add(s, "disk_errors", disk_errors, 1);
	unit_add(s, "direct_and_cached", direct_and_cached, 1);
	unit_add(s, "small_files_in_order", small_files_in_order, 1);
	unit_add(s, "small_appends", small_appends, 1);
	return unit_run(s);
}
