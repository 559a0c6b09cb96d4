/*
 * test_fs_api.c: the file API's semantics on the fake machine: errors,
 * renames, the file limit, calls from every CPU with a slow disk, mount
 * points, read-only disks, reads and writes at an offset.  Its traffic with the disk is test_fs_io.c.
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
	tu_image(0, "e.img", 32);
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
	tu_image(0, "t.img", 32);
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
	tu_image(0, "p0.img", 32);
	tu_image(1, "p1.img", 20);
	tu_image(2, "p2.img", 20);
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
	tu_image(0, "n.img", 32);
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

	tu_image(0, "c.img", 32);
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
	tu_image(0, "m0.img", 32);
	ck_assert_int_eq(tu_sh("echo ro > %s && mcopy -i '%s' %s ::/RO.TXT && "
	    "mattrib -i '%s' +r ::/RO.TXT", tu_path("ro.txt"),
	    tu_path("m0.img"), tu_path("ro.txt"), tu_path("m0.img")), 0);
	ck_assert_int_eq(fakeblk_load(0, tu_path("m0.img")), 0);
	tu_image(1, "m1.img", 20);
	tu_image(2, "m2.img", 20);
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

/*
 * toro_pread and toro_pwrite leave the position alone, also between
 * sequential reads (which may have been lent a window); an APPEND
 * handle's pwrite goes to the end, as on Linux.
 */
static void *
positional_main(void *unused)
{
	char buf[8192], big[8192];
	int fd, i;

	ck_assert_int_eq(fs_start(0), 0);
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	ck_assert_int_eq(tu_put("/p", big, sizeof(big)), 0);
	fd = toro_open("/p", TORO_O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(toro_read(fd, buf, 1000), 1000);
	ck_assert_int_eq(toro_read(fd, buf, 1000), 1000);
	ck_assert_int_eq(toro_pread(fd, buf, 4, 26), 4);
	ck_assert_int_eq(memcmp(buf, "abcd", 4), 0);
	ck_assert_int_eq(toro_pwrite(fd, "XYZ", 3, 2000), 3);
	ck_assert_int_eq(toro_pread(fd, buf, 4, -1), -TORO_EINVAL);
	ck_assert_int_eq(toro_pread(fd, buf, 4, 9000), 0);
	ck_assert_int_eq(toro_pread(fd, buf, 10, 8190), 2);
	/* The position is where the reads left it: at 2000. */
	ck_assert_int_eq(toro_read(fd, buf, 4), 4);
	ck_assert_int_eq(memcmp(buf, "XYZ", 3), 0);
	ck_assert_int_eq(buf[3], big[2003]);
	ck_assert_int_eq(toro_lseek(fd, 0, TORO_SEEK_CUR), 2004);
	ck_assert_int_eq(tu_close(fd), 0);
	fd = toro_open("/p", TORO_O_WRONLY | TORO_O_APPEND);
	ck_assert_int_eq(toro_pwrite(fd, "!", 1, 0), 1);
	ck_assert_int_eq(toro_pread(fd, buf, 1, 0), -TORO_EBADF);
	ck_assert_int_eq(tu_close(fd), 0);
	fd = toro_open("/p", TORO_O_RDONLY);
	ck_assert_int_eq(toro_pread(fd, buf, 2, 0), 2);
	ck_assert_int_eq(memcmp(buf, "ab", 2), 0);
	ck_assert_int_eq(toro_pread(fd, buf, 2, 8191), 2);
	ck_assert_int_eq(buf[1], '!');
	ck_assert_int_eq(toro_pwrite(fd, "x", 1, 0), -TORO_EBADF);
	ck_assert_int_eq(tu_close(fd), 0);
	return NULL;
}

START_TEST(positional)
{
	tu_image(0, "t.img", 32);
	ck_assert_int_eq(fake_run(2, MEM, positional_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s;

	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("fs_api");
	unit_add(s, "api_errors", api_errors, 1);
	unit_add(s, "rename_through_a_file", rename_through_a_file, 1);
	unit_add(s, "parent_remembered", parent_remembered, 1);
	unit_add(s, "too_many_files", too_many_files, 1);
	unit_add(s, "calls_from_every_cpu", calls_from_every_cpu, 1);
	unit_add(s, "mount_points", mount_points, 1);
	unit_add(s, "positional", positional, 1);
	return unit_run(s);
}
