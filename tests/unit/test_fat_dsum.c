/*
 * test_fat_dsum.c: creates that skip the directory scan (core/fs/
 * fat_dsum.c) must still see every name the directory has.
 *
 * A directory filled by creates in a row has a summary, so later
 * creates there go straight to its end.  Each case then asks for a
 * name that is there in another form (other case, its short name, a
 * numeric tail) and expects -TORO_EEXIST; removes, renames and a
 * directory on a reused cluster must not leave a summary that lies,
 * nor a lookup hint that finds a set by a name it no longer has.
 * The image is judged by fsck.fat -n and mdir.
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

#define MEM (96 * TU_MB)
#define FILES 300

static char img[512];

static int
excl(const char *path)
{
	int fd = toro_open(path, TORO_O_CREAT | TORO_O_EXCL | TORO_O_WRONLY);

	if (fd >= 0)
		return tu_close(fd);
	return fd;
}

static void *
names_main(void *unused)
{
	char path[64], buf[8];
	int i;

	ck_assert_int_eq(fs_start(1), 0);
	ck_assert_int_eq(toro_mkdir("/s"), 0);
	for (i = 0; i < FILES; i++) {
		snprintf(path, sizeof(path), "/s/f%03d.dat", i);
		ck_assert_int_eq(tu_put(path, path, strlen(path)), 0);
	}
	/* The same names in other forms. */
	ck_assert_int_eq(excl("/s/F007.DAT"), -TORO_EEXIST);
	ck_assert_int_eq(excl("/s/f299.DaT"), -TORO_EEXIST);
	ck_assert_int_eq(excl("/s/f000.dat"), -TORO_EEXIST);
	ck_assert_int_eq(tu_put("/s/UP.TXT", "u", 1), 0);
	ck_assert_int_eq(excl("/s/up.txt"), -TORO_EEXIST);
	ck_assert_int_eq(tu_put("/s/a long name.text", "1", 1), 0);
	ck_assert_int_eq(tu_put("/s/a long name 2.text", "2", 1), 0);
	ck_assert_int_eq(excl("/s/A LONG NAME.TEXT"), -TORO_EEXIST);
	ck_assert_int_eq(excl("/s/ALONGN~1.TEX"), -TORO_EEXIST);
	ck_assert_int_eq(excl("/s/alongn~2.tex"), -TORO_EEXIST);
	ck_assert_int_eq(tu_put("/s/a long name 3.text", "3", 1), 0);
	ck_assert_int_eq(excl("/s/ALONGN~3.TEX"), -TORO_EEXIST);
	/* A remove leaves a hole; the name is free again, once. */
	ck_assert_int_eq(toro_unlink("/s/f010.dat"), 0);
	ck_assert_int_eq(tu_put("/s/f010.dat", "again", 5), 0);
	ck_assert_int_eq(excl("/s/F010.DAT"), -TORO_EEXIST);
	ck_assert_int_eq(tu_put("/s/f300.dat", "new", 3), 0);
	/* That add scanned the directory: the summary it left knows all. */
	ck_assert_int_eq(excl("/s/F150.DAT"), -TORO_EEXIST);
	ck_assert_int_eq(excl("/s/f151.DAT"), -TORO_EEXIST);
	ck_assert_int_eq(excl("/s/A Long Name 2.text"), -TORO_EEXIST);
	ck_assert_int_eq(excl("/s/Up.Txt"), -TORO_EEXIST);
	/* A rename's new name is there, its old one is not. */
	ck_assert_int_eq(toro_rename("/s/f020.dat", "/s/renamed.dat"), 0);
	ck_assert_int_eq(excl("/s/RENAMED.DAT"), -TORO_EEXIST);
	ck_assert_int_eq(excl("/s/f020.dat"), 0);
	/* A lookup's hint does not outlive its set. */
	ck_assert_int_eq(tu_put("/s/hint.dat", "h", 1), 0);
	ck_assert_int_eq(tu_get("/s/hint.dat", buf, sizeof(buf)), 1);
	ck_assert_int_eq(toro_unlink("/s/hint.dat"), 0);
	ck_assert_int_eq(tu_put("/s/other.dat", "o", 1), 0);
	ck_assert_int_eq(tu_get("/s/hint.dat", buf, sizeof(buf)), -TORO_ENOENT);
	ck_assert_int_eq(toro_rename("/s/other.dat", "/s/HINT.DAT"), 0);
	ck_assert_int_eq(tu_get("/s/hint.dat", buf, sizeof(buf)), 1);
	ck_assert_int_eq(buf[0], 'o');
	ck_assert_int_eq(toro_unlink("/s/HINT.DAT"), 0);
	/* A directory on the cluster of one removed has none of its names. */
	ck_assert_int_eq(toro_mkdir("/t"), 0);
	ck_assert_int_eq(tu_put("/t/x.dat", "x", 1), 0);
	ck_assert_int_eq(toro_unlink("/t/x.dat"), 0);
	ck_assert_int_eq(toro_rmdir("/t"), 0);
	ck_assert_int_eq(toro_sync(), 0);
	ck_assert_int_eq(toro_mkdir("/u"), 0);
	ck_assert_int_eq(excl("/u/x.dat"), 0);
	ck_assert_int_eq(excl("/u/X.DAT"), -TORO_EEXIST);
	ck_assert_int_eq(toro_sync(), 0);
	return NULL;
}

START_TEST(names_still_seen)
{
	char *out;

	ck_assert_int_eq(tu_mkimage(tu_path("d.img"), 32, 1), 0);
	snprintf(img, sizeof(img), "%s", tu_path("d.img"));
	ck_assert_int_eq(fakeblk_load(0, img), 0);
	ck_assert_int_eq(fake_run(2, MEM, names_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(0, img, 0, 0), 0);
	ck_assert_int_eq(tu_fsck(img), 0);
	/* 301 fNNN.dat, UP.TXT, three long names, renamed.dat. */
	out = tu_capture("mdir -b -i '%s' ::/s | wc -l", img);
	ck_assert_int_eq(atoi(out), FILES + 1 + 1 + 3 + 1);
	free(out);
	out = tu_capture("mdir -b -i '%s' ::/s | sort | uniq -di | wc -l", img);
	ck_assert_int_eq(atoi(out), 0);
	free(out);
	out = tu_capture("mdir -b -i '%s' ::/u | wc -l", img);
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
	s = suite_create("fat_dsum");
	unit_add(s, "names_still_seen", names_still_seen, 1);
	return unit_run(s);
}
