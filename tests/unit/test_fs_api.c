/*
 * test_fs_api.c: the file API's semantics on the fake machine: errors,
 * calls from every CPU with a slow disk, disk errors, write-back and
 * sync, both FAT copies, mount points, read-only disks.
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs/bcache.h"
#include "core/fs/fs.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "tests/unit/fs_util.h"
#include "toro/file.h"
#include "toro/toro.h"

#define MEM (64 * TU_MB)

static void
image(int dev, const char *name, unsigned mb)
{
	ck_assert_int_eq(tu_mkimage(tu_path(name), mb, 4), 0);
	ck_assert_int_eq(fakeblk_load(dev, tu_path(name)), 0);
}

/* Every error the API promises, and no state change behind them. */
static void *
errors_main(void *unused)
{
	struct toro_dirent de;
	struct toro_stat st;
	char buf[16];
	int fd, fd2, dd;

	ck_assert_int_eq(toro_open("/x", TORO_O_RDONLY), -TORO_ENOSYS);
	ck_assert_int_eq(fs_start(0), 0);
	ck_assert_int_eq(fs_start(1), -TORO_EBUSY);
	ck_assert_int_eq(toro_open("/x", TORO_O_RDONLY), -TORO_ENOENT);
	ck_assert_int_eq(toro_open("/x", 3), -TORO_EINVAL);
	ck_assert_int_eq(toro_open("/x", TORO_O_RDONLY | TORO_O_TRUNC),
	    -TORO_EINVAL);
	ck_assert_int_eq(toro_open("", TORO_O_RDONLY), -TORO_ENOENT);
	ck_assert_int_eq(toro_open(NULL, TORO_O_RDONLY), -TORO_EFAULT);
	ck_assert_int_eq(toro_open("/nodir/x", TORO_O_CREAT | TORO_O_WRONLY),
	    -TORO_ENOENT);
	fd = toro_open("/f", TORO_O_CREAT | TORO_O_EXCL | TORO_O_RDWR);
	ck_assert_int_ge(fd, TORO_FD_FILE_BASE);
	ck_assert_int_eq(toro_open("/f", TORO_O_CREAT | TORO_O_EXCL |
	    TORO_O_RDWR), -TORO_EEXIST);
	ck_assert_int_eq(toro_open("/f/", TORO_O_RDONLY), -TORO_ENOTDIR);
	ck_assert_int_eq(toro_open("/f/g", TORO_O_RDONLY), -TORO_ENOTDIR);
	ck_assert_int_eq(toro_open("/new/", TORO_O_CREAT | TORO_O_WRONLY),
	    -TORO_EISDIR);
	ck_assert_int_eq(toro_write(fd, "hello", 5), 5);
	ck_assert_int_eq(toro_lseek(fd, -1, TORO_SEEK_SET), -TORO_EINVAL);
	ck_assert_int_eq(toro_lseek(fd, 0, 7), -TORO_EINVAL);
	ck_assert_int_eq(toro_lseek(fd, -2, TORO_SEEK_END), 3);
	ck_assert_int_eq(toro_read(fd, buf, sizeof(buf)), 2);
	ck_assert_int_eq(toro_read(fd, buf, sizeof(buf)), 0);
	ck_assert_int_eq(toro_read(fd, NULL, 1), -TORO_EFAULT);
	/* A second handle shares the file: it sees the first's writes. */
	fd2 = toro_open("/F", TORO_O_RDONLY);
	ck_assert_int_ge(fd2, 0);
	ck_assert_int_eq(toro_write(fd2, "x", 1), -TORO_EBADF);
	ck_assert_int_eq(toro_ftruncate(fd2, 0), -TORO_EBADF);
	ck_assert_int_eq(toro_read(fd2, buf, sizeof(buf)), 5);
	ck_assert_int_eq(toro_lseek(fd, 100, TORO_SEEK_SET), 100);
	ck_assert_int_eq(toro_write(fd, "!", 1), 1);
	ck_assert_int_eq(toro_fstat(fd2, &st), 0);
	ck_assert_uint_eq(st.size, 101);
	ck_assert_int_eq(toro_unlink("/f"), -TORO_EBUSY);
	ck_assert_int_eq(tu_close(fd2), 0);
	ck_assert_int_eq(tu_close(fd2), -TORO_EBADF);
	ck_assert_int_eq(toro_read(fd2, buf, 1), -TORO_EBADF);
	ck_assert_int_eq(toro_read(12345, buf, 1), -TORO_EBADF);
	/* An open file may be renamed; its handle follows it. */
	ck_assert_int_eq(toro_mkdir("/d"), 0);
	ck_assert_int_eq(toro_rename("/f", "/d/moved"), 0);
	ck_assert_int_eq(toro_write(fd, "?", 1), 1);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(toro_stat("/d/moved", &st), 0);
	ck_assert_uint_eq(st.size, 102);
	ck_assert_int_eq(toro_stat("/f", &st), -TORO_ENOENT);
	/* Directories. */
	ck_assert_int_eq(toro_open("/d", TORO_O_WRONLY), -TORO_EISDIR);
	fd = toro_open("/d", TORO_O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(toro_read(fd, buf, 1), -TORO_EISDIR);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(toro_mkdir("/d"), -TORO_EEXIST);
	ck_assert_int_eq(toro_mkdir("/"), -TORO_EEXIST);
	ck_assert_int_eq(toro_mkdir("/d/moved/x"), -TORO_ENOTDIR);
	ck_assert_int_eq(toro_rmdir("/d"), -TORO_ENOTEMPTY);
	ck_assert_int_eq(toro_rmdir("/d/moved"), -TORO_ENOTDIR);
	ck_assert_int_eq(toro_unlink("/d"), -TORO_EISDIR);
	ck_assert_int_eq(toro_rmdir("/"), -TORO_EBUSY);
	ck_assert_int_eq(toro_rmdir("/nothing"), -TORO_ENOENT);
	ck_assert_int_eq(toro_opendir("/d/moved"), -TORO_ENOTDIR);
	dd = toro_opendir("/d");
	ck_assert_int_ge(dd, 0);
	ck_assert_int_eq(toro_rmdir("/d/../d"), -TORO_ENOTEMPTY);
	ck_assert_int_eq(toro_readdir(dd, &de), 1);
	ck_assert_str_eq(de.name, "moved");
	ck_assert_int_eq(de.type, TORO_S_IFREG);
	ck_assert_uint_eq(de.size, 102);
	ck_assert_int_eq(toro_readdir(dd, &de), 0);
	ck_assert_int_eq(toro_readdir(dd, &de), 0);
	ck_assert_int_eq(toro_closedir(dd), 0);
	ck_assert_int_eq(toro_closedir(dd), -TORO_EBADF);
	ck_assert_int_eq(toro_mkdir("/e"), 0);
	dd = toro_opendir("/e");
	ck_assert_int_eq(toro_rmdir("/e"), -TORO_EBUSY);
	ck_assert_int_eq(toro_closedir(dd), 0);
	ck_assert_int_eq(toro_rename("/d/moved", "/e"), -TORO_EISDIR);
	ck_assert_int_eq(toro_rename("/e", "/d/moved"), -TORO_ENOTDIR);
	ck_assert_int_eq(toro_rename("/e", "/d"), -TORO_ENOTEMPTY);
	ck_assert_int_eq(toro_rename("/e", "/d/e2"), 0);
	ck_assert_int_eq(toro_rename("/d", "/d/e2/x"), -TORO_EINVAL);
	ck_assert_int_eq(toro_rename("/d", "/d"), 0);
	ck_assert_int_eq(toro_rename("/", "/z"), -TORO_EBUSY);
	ck_assert_int_eq(toro_rename("/nothing", "/z"), -TORO_ENOENT);
	ck_assert_int_eq(toro_rmdir("/d/e2/"), 0);
	ck_assert_int_eq(toro_stat("/", &st), 0);
	ck_assert_int_eq(st.type, TORO_S_IFDIR);
	ck_assert_int_eq(toro_stat("/d/moved", NULL), -TORO_EFAULT);
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

START_TEST(api_errors)
{
	image(0, "e.img", 32);
	ck_assert_int_eq(fake_run(2, MEM, errors_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(0, tu_path("e.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("e.img")), 0);
}
END_TEST

/*
 * A path through a file has no parent directory: a rename to or from one
 * fails and leaves the file as it was, still open (so not removable).
 * Found by the fat fuzzer: the failed lookup let go of the file's node
 * twice, and freed it under its open handle.
 */
static void *
through_file_main(void *unused)
{
	int fd;

	ck_assert_int_eq(fs_start(0), 0);
	ck_assert_int_eq(tu_put("/f", "x", 1), 0);
	ck_assert_int_eq(tu_put("/g", "y", 1), 0);
	fd = toro_open("/f", TORO_O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(toro_rename("/g", "/f/x"), -TORO_ENOTDIR);
	ck_assert_int_eq(toro_rename("/f/x", "/g"), -TORO_ENOTDIR);
	ck_assert_int_eq(toro_unlink("/f"), -TORO_EBUSY);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(toro_unlink("/f"), 0);
	ck_assert_int_eq(toro_unlink("/g"), 0);
	return NULL;
}

START_TEST(rename_through_a_file)
{
	image(0, "t.img", 32);
	ck_assert_int_eq(fake_run(1, MEM, through_file_main, NULL), 0);
}
END_TEST

/*
 * The storage thread remembers the last parent directory a path led to
 * (vfs.c), held: a rename, an rmdir, an umount or a mount must not leave
 * it pointing at a directory that moved, went, or lives on a volume no
 * longer there.
 */
static void *
parent_main(void *unused)
{
	struct toro_stat st;
	int w = TORO_O_CREAT | TORO_O_WRONLY;

	ck_assert_int_eq(fs_start(0), 0);
	ck_assert_int_eq(toro_mkdir("/a"), 0);
	ck_assert_int_eq(toro_mkdir("/a/b"), 0);
	ck_assert_int_eq(tu_put("/a/b/f", "x", 1), 0);
	ck_assert_int_eq(toro_rename("/a/b", "/a/c"), 0);
	ck_assert_int_eq(toro_open("/a/b/g", w), -TORO_ENOENT);
	ck_assert_int_eq(tu_put("/a/c/g", "y", 1), 0);
	ck_assert_int_eq(toro_stat("/a/c/f", &st), 0);
	/* The directory just written into is not busy for rmdir. */
	ck_assert_int_eq(toro_unlink("/a/c/f"), 0);
	ck_assert_int_eq(toro_unlink("/a/c/g"), 0);
	ck_assert_int_eq(toro_rmdir("/a/c"), 0);
	ck_assert_int_eq(toro_open("/a/c/h", w), -TORO_ENOENT);
	ck_assert_int_eq(toro_mkdir("/a/c"), 0);
	ck_assert_int_eq(tu_put("/a/c/h", "z", 1), 0);
	ck_assert_int_eq(toro_stat("/a/c/g", &st), -TORO_ENOENT);
	/* A volume that goes takes its directories with it. */
	ck_assert_int_eq(fs_mount(1, "/m"), 0);
	ck_assert_int_eq(toro_mkdir("/m/d"), 0);
	ck_assert_int_eq(tu_put("/m/d/f", "x", 1), 0);
	ck_assert_int_eq(fs_umount("/m"), 0);
	ck_assert_int_eq(fs_mount(2, "/m"), 0);
	ck_assert_int_eq(toro_open("/m/d/g", w), -TORO_ENOENT);
	ck_assert_int_eq(fs_umount("/m"), 0);
	ck_assert_int_eq(toro_open("/m/d/g", w), -TORO_ENOENT);
	ck_assert_int_eq(fs_mount(1, "/m"), 0);
	ck_assert_int_eq(tu_put("/m/d/g", "y", 1), 0);
	ck_assert_int_eq(toro_stat("/m/d/f", &st), 0);
	ck_assert_int_eq(fs_umount("/m"), 0);
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

START_TEST(parent_remembered)
{
	image(0, "p0.img", 32);
	image(1, "p1.img", 20);
	image(2, "p2.img", 20);
	ck_assert_int_eq(fake_run(1, MEM, parent_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(0, tu_path("p0.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("p0.img")), 0);
	ck_assert_int_eq(fakeblk_save(1, tu_path("p1.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("p1.img")), 0);
}
END_TEST

/* Too many open files. */
static void *
nfile_main(void *unused)
{
	int i, fd;

	ck_assert_int_eq(fs_start(1), 0);
	ck_assert_int_eq(tu_put("/f", "x", 1), 0);
	for (i = 0; i < 256; i++)
		ck_assert_int_ge(toro_open("/f", TORO_O_RDONLY), 0);
	ck_assert_int_eq(toro_open("/f", TORO_O_RDONLY), -TORO_ENFILE);
	ck_assert_int_eq(toro_opendir("/"), -TORO_ENFILE);
	fd = TORO_FD_FILE_BASE + 17;
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(toro_opendir("/"), fd);
	return NULL;
}

START_TEST(too_many_files)
{
	image(0, "n.img", 32);
	ck_assert_int_eq(fake_run(2, MEM, nfile_main, NULL), 0);
}
END_TEST

/*
 * Threads on every CPU use files at once over a slow disk; a thread on
 * the storage CPU keeps running while the disk works.
 */
static volatile int spins, stop_spinning;

static void *
spinner(void *unused)
{
	while (!stop_spinning) {
		spins++;
		toro_sleep_ns(10000);
	}
	return NULL;
}

static void *
worker(void *arg)
{
	int id = (int)(intptr_t)arg, i, k;
	char path[32], *buf = malloc(70000), *back = malloc(70000);

	snprintf(path, sizeof(path), "/cpu%d", id);
	ck_assert_int_eq(toro_mkdir(path), 0);
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "/cpu%d/file%d.bin", id, i);
		for (k = 0; k < 70000; k++)
			buf[k] = (char)tu_byte((unsigned)(id * 10 + i),
			    (uint64_t)k);
		ck_assert_int_eq(tu_put(path, buf, 70000), 0);
	}
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "/cpu%d/file%d.bin", id, i);
		ck_assert_int_eq(tu_get(path, back, 70000), 70000);
		for (k = 0; k < 70000; k++)
			ck_assert_int_eq((uint8_t)back[k], tu_byte((unsigned)
			    (id * 10 + i), (uint64_t)k));
	}
	free(buf);
	free(back);
	return NULL;
}

static void *
cpus_main(void *unused)
{
	struct toro_thread *t[4], *sp, *dev;
	int i;

	ck_assert_int_eq(toro_thread_create(&dev, 2, fakeblk_device, NULL,
	    NULL), 0);
	ck_assert_int_eq(fs_start(1), 0);
	ck_assert_int_eq(toro_thread_create(&sp, 1, spinner, NULL, NULL), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(toro_thread_create(&t[i], i % 4, worker,
		    (void *)(intptr_t)i, NULL), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(toro_thread_join(t[i], NULL), 0);
	ck_assert_int_eq(toro_sync(), 0);
	stop_spinning = 1;
	toro_thread_join(sp, NULL);
	/* The disk took 200 us a request: the spinner ran meanwhile. */
	ck_assert_int_gt(spins, 100);
	return NULL;
}

START_TEST(calls_from_every_cpu)
{
	struct fakeblk_stats st;

	image(0, "c.img", 32);
	fakeblk_set_delay(0, 200000);
	ck_assert_int_eq(fake_run(4, MEM, cpus_main, NULL), 0);
	fakeblk_stats(0, &st);
	ck_assert_uint_gt(st.writes, 0);
	ck_assert_int_eq(fakeblk_save(0, tu_path("c.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("c.img")), 0);
	ck_assert_int_eq(tu_sh("test $(mtype -i '%s' ::/cpu3/file4.bin | wc -c)"
	    " = 70000", tu_path("c.img")), 0);
}
END_TEST

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
	image(0, "s.img", 32);
	ck_assert_int_eq(fake_run(2, MEM, sync_main, NULL), 0);
}
END_TEST

START_TEST(sync_without_disk_cache)
{
	image(0, "s.img", 32);
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
	image(0, "io.img", 32);
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

	image(0, "dio.img", 32);
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

	image(0, "app.img", 32);
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

/*
 * Sequential 64 KiB transfers go through bstream.c's windows: a write
 * request a window, not a chunk; reads ahead in whole windows, several
 * in flight on a slow disk; a write behind that fails fails the sync.
 */
static void *
stream_main(void *unused)
{
	static uint8_t big[2 << 20], back[65536];
	const size_t chunk = sizeof(back), win = FS_WIN * 512;
	struct fakeblk_stats st0, st1;
	struct toro_thread *dev;
	size_t i;
	int fd;

	/* The delayed disk's device thread. */
	ck_assert_int_eq(
	    toro_thread_create(&dev, 2, fakeblk_device, NULL, NULL), 0);
	ck_assert_int_eq(fs_start(1), 0);
	for (i = 0; i < sizeof(big); i++)
		big[i] = tu_byte(5, i);
	fd = toro_open("/s.bin", TORO_O_CREAT | TORO_O_RDWR);
	ck_assert_int_ge(fd, 0);
	fakeblk_stats(0, &st0);
	for (i = 0; i < sizeof(big); i += chunk)
		ck_assert_int_eq(toro_write(fd, big + i, chunk), (long)chunk);
	fakeblk_stats(0, &st1);
	ck_assert_uint_le(st1.writes - st0.writes, sizeof(big) / win);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(toro_sync(), 0);
	/* Fresh: nothing of the file in memory. */
	ck_assert_int_eq(fs_umount("/"), 0);
	ck_assert_int_eq(fs_mount(0, "/"), 0);
	fakeblk_set_delay(0, 100000);
	fd = toro_open("/s.bin", TORO_O_RDONLY);
	ck_assert_int_ge(fd, 0);
	fakeblk_stats(0, &st0);
	for (i = 0; i < sizeof(big); i += chunk) {
		ck_assert_int_eq(toro_read(fd, back, chunk), (long)chunk);
		ck_assert(memcmp(back, big + i, chunk) == 0);
	}
	fakeblk_stats(0, &st1);
	/* The first chunk, then windows, the last ones past the file. */
	ck_assert_uint_le(
	    st1.reads - st0.reads, 1 + sizeof(big) / win + FS_AHEAD);
	ck_assert_int_ge(st1.max_inflight, 2);
	ck_assert_int_eq(tu_close(fd), 0);
	fakeblk_set_delay(0, 0);
	/*
	 * A full window goes out at once; when it fails, the next sync
	 * fails, though the disk works again by then; the one after is
	 * fine.
	 */
	fd = toro_open("/e.bin", TORO_O_CREAT | TORO_O_RDWR);
	ck_assert_int_ge(fd, 0);
	fakeblk_fail_after(0, 0, FAKEBLK_WRITE);
	for (i = 0; i < win; i += chunk)
		ck_assert_int_eq(toro_write(fd, big + i, chunk), (long)chunk);
	fakeblk_fail_after(0, -1, 0);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(toro_sync(), -TORO_EIO);
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

START_TEST(stream_windows)
{
	image(0, "st.img", 32);
	ck_assert_int_eq(fake_run(3, MEM, stream_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(0, tu_path("st.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("st.img")), 0);
	ck_assert_int_eq(tu_sh("mcopy -n -i %s ::/s.bin %s", tu_path("st.img"),
			     tu_path("s.bin")),
	    0);
	ck_assert_int_eq(
	    tu_sh("test $(stat -c %%s %s) = %d", tu_path("s.bin"), 2 << 20), 0);
}
END_TEST

/* Two disks, two mount points; a read-only one. */
static void *
mounts_main(void *unused)
{
	struct toro_stat st;
	char buf[8];
	int fd;

	ck_assert_int_eq(fs_start(1), 0);
	ck_assert_int_eq(fs_mount(1, "/b"), 0);
	ck_assert_int_eq(fs_mount(1, "/c"), -TORO_EBUSY);
	ck_assert_int_eq(fs_mount(2, "/b/"), -TORO_EBUSY);
	ck_assert_int_eq(fs_mount(3, "/x"), -TORO_ENODEV);
	ck_assert_int_eq(tu_put("/on-a", "a", 1), 0);
	ck_assert_int_eq(tu_put("/b/on-b", "b", 1), 0);
	ck_assert_int_eq(toro_stat("/on-b", &st), -TORO_ENOENT);
	ck_assert_int_eq(tu_get("/b/../b/on-b", buf, sizeof(buf)), 1);
	ck_assert_int_eq(toro_rename("/on-a", "/b/on-a"), -TORO_EXDEV);
	ck_assert_int_eq(toro_rmdir("/b"), -TORO_EBUSY);
	fd = toro_open("/b/on-b", TORO_O_RDONLY);
	ck_assert_int_eq(fs_umount("/b"), -TORO_EBUSY);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(fs_umount("/b"), 0);
	ck_assert_int_eq(toro_stat("/b/on-b", &st), -TORO_ENOENT);
	/* Disk 2 is read-only. */
	ck_assert_int_eq(fs_mount(2, "/ro"), 0);
	ck_assert_int_eq(tu_get("/ro/R.TXT", buf, sizeof(buf)), 3);
	ck_assert_int_eq(toro_open("/ro/R.TXT", TORO_O_RDWR), -TORO_EROFS);
	ck_assert_int_eq(tu_put("/ro/new", "n", 1), -TORO_EROFS);
	ck_assert_int_eq(toro_mkdir("/ro/d"), -TORO_EROFS);
	ck_assert_int_eq(toro_unlink("/ro/R.TXT"), -TORO_EROFS);
	ck_assert_int_eq(toro_open("/RO.TXT", TORO_O_WRONLY), -TORO_EACCES);
	ck_assert_int_eq(toro_stat("/RO.TXT", &st), 0);
	ck_assert_uint_eq(st.attr & TORO_ATTR_READONLY, TORO_ATTR_READONLY);
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

START_TEST(mount_points)
{
	image(0, "m0.img", 32);
	ck_assert_int_eq(tu_sh("echo ro > %s && mcopy -i '%s' %s ::/RO.TXT && "
	    "mattrib -i '%s' +r ::/RO.TXT", tu_path("ro.txt"),
	    tu_path("m0.img"), tu_path("ro.txt"), tu_path("m0.img")), 0);
	ck_assert_int_eq(fakeblk_load(0, tu_path("m0.img")), 0);
	image(1, "m1.img", 20);
	image(2, "m2.img", 20);
	ck_assert_int_eq(tu_sh("mcopy -i '%s' %s ::/R.TXT", tu_path("m2.img"),
	    tu_path("ro.txt")), 0);
	ck_assert_int_eq(fakeblk_load(2, tu_path("m2.img")), 0);
	fakeblk_set_read_only(2, true);
	ck_assert_int_eq(fake_run(2, MEM, mounts_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(1, tu_path("m1.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("m1.img")), 0);
	ck_assert_int_eq(tu_sh("mtype -i '%s' ::/on-b | grep -q b",
	    tu_path("m1.img")), 0);
}
END_TEST

static void
add(Suite *s, const char *name, const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

int
main(void)
{
	Suite *s;

	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("fs_api");
	add(s, "api_errors", api_errors);
	add(s, "rename_through_a_file", rename_through_a_file);
	add(s, "parent_remembered", parent_remembered);
	add(s, "too_many_files", too_many_files);
	add(s, "calls_from_every_cpu", calls_from_every_cpu);
	add(s, "write_back_and_sync", write_back_and_sync);
	add(s, "sync_without_disk_cache", sync_without_disk_cache);
	add(s, "disk_errors", disk_errors);
	add(s, "mount_points", mount_points);
	add(s, "direct_and_cached", direct_and_cached);
	add(s, "small_files_in_order", small_files_in_order);
	add(s, "small_appends", small_appends);
	add(s, "stream_windows", stream_windows);
	return unit_run(s);
}
