/*
 * test_fat_vvfat.c: the kernel on a disk made the way QEMU's vvfat shows
 * a host folder (qemu-img convert -f vvfat fat:16:DIR): the files read
 * back, a file and a folder written, and fsck.fat, mdir and mtype judge
 * the result.  A program of its own so that it skips, saying why, when
 * qemu-img is missing (Check cannot skip one case).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs/fs.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "tests/unit/fs_util.h"
#include "tests/unit/unit.h"
#include "toro/file.h"
#include "toro/toro.h"

#define MEM (96 * TU_MB)

static char img[512];

static void
load(const char *path)
{
	snprintf(img, sizeof(img), "%s", path);
	ck_assert_int_eq(fakeblk_load(0, img), 0);
}

static void
start(void)
{
	ck_assert_int_eq(fs_start(1), 0);
}

static void
expect_file(const char *path, const char *content, size_t len)
{
	char *out = tu_capture("mtype -i '%s' '::%s'", img, path);

	if (memcmp(out, content, len) != 0 || out[len] != '\0')
		ck_abort_msg("%s: got \"%s\"", path, out);
	free(out);
}

/* A disk as QEMU's vvfat shows a host folder (fat:16:DIR). */
static char hello[64];
static char *numbers;
static size_t numbers_len;

static void *
vvfat_main(void *unused)
{
	char *buf = malloc(numbers_len + 1);

	start();
	ck_assert_int_eq(tu_get("/Hello.txt", buf, 64), (long)strlen(hello));
	ck_assert(memcmp(buf, hello, strlen(hello)) == 0);
	ck_assert_int_eq(tu_get("/sub/numbers.txt", buf, numbers_len + 1),
	    (long)numbers_len);
	ck_assert(memcmp(buf, numbers, numbers_len) == 0);
	ck_assert_int_eq(tu_put("/sub/Written by Toro.txt", "toro\n", 5), 0);
	ck_assert_int_eq(toro_mkdir("/newdir"), 0);
	ck_assert_int_eq(toro_sync(), 0);
	free(buf);
	return NULL;
}

START_TEST(qemu_vvfat_disk)
{
	const char *dir = tu_path("vv");
	char *s;

	ck_assert_int_eq(
	    tu_sh("mkdir -p %s/sub && echo 'Hello, vvfat' > "
		  "%s/Hello.txt && seq 1 20000 > %s/sub/numbers.txt",
		dir, dir, dir),
	    0);
	s = tu_capture("cat %s/Hello.txt", dir);
	snprintf(hello, sizeof(hello), "%s", s);
	free(s);
	numbers = tu_capture("cat %s/sub/numbers.txt", dir);
	numbers_len = strlen(numbers);
	ck_assert_int_eq(tu_sh("qemu-img convert -f vvfat -O raw fat:16:%s "
			       "%s",
			     dir, tu_path("vv.img")),
	    0);
	load(tu_path("vv.img"));
	ck_assert_int_eq(fake_run(2, MEM, vvfat_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(0, tu_path("vvp.img"), 63, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("vvp.img")), 0);
	snprintf(img, sizeof(img), "%s", tu_path("vvp.img"));
	expect_file("/sub/Written by Toro.txt", "toro\n", 5);
	ck_assert_int_eq(tu_sh("mdir -i '%s' ::/newdir >/dev/null", img), 0);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	unit_need("qemu-img", "qemu-utils");
	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("fat_vvfat");
	tc = tcase_create("qemu_vvfat_disk");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, qemu_vvfat_disk);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
