/*
 * test_fat_corrupt.c: damaged and fuzzed images.  A bad boot sector is
 * refused at mount; a cluster out of range, a loop in a chain or a
 * directory that never ends gives -TORO_EIO with a line on the console;
 * random byte flips (fixed seeds) give errors or not, but never a crash,
 * a panic or a hang (Check's timeout would catch one).
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

#define MEM (64 * TU_MB)

static uint8_t *d;          /* the disk */
static uint64_t nsec;
static uint32_t rsvd, nfats, fat_sz, root_sec, data_sec, spc;

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* A populated 20 MiB image on disk 0, and its geometry. */
static void
base_image(void)
{
	const char *img = tu_path("base.img");
	uint32_t root_ents;

	ck_assert_int_eq(tu_mkimage(img, 20, 4), 0);
	ck_assert_int_eq(tu_sh("head -c 100000 /dev/zero | tr '\\000' x > %s "
	    "&& echo small > %s && mmd -i %s ::/SUB ::/SUB/DEEP && "
	    "mcopy -i %s %s ::/LOOP.BIN && mcopy -i %s %s ::/FILE1.TXT && "
	    "mcopy -i %s %s ::/SUB/IN.TXT && mcopy -i %s %s "
	    "'::/SUB/DEEP/a long name.txt'", tu_path("x"), tu_path("s"), img,
	    img, tu_path("x"), img, tu_path("s"), img, tu_path("s"), img,
	    tu_path("x")), 0);
	ck_assert_int_eq(fakeblk_load(0, img), 0);
	d = fakeblk_data(0, &nsec);
	spc = d[13];
	rsvd = le16(d + 14);
	nfats = d[16];
	root_ents = le16(d + 17);
	fat_sz = le16(d + 22);
	root_sec = rsvd + nfats * fat_sz;
	data_sec = root_sec + root_ents * 32 / 512;
}

/* The short entry named sn in the root directory. */
static uint8_t *
root_entry(const char *sn)
{
	uint8_t *e = d + (size_t)root_sec * 512;
	int i;

	for (i = 0; i < 512; i++, e += 32)
		if (memcmp(e, sn, 11) == 0)
			return e;
	ck_abort_msg("no %s", sn);
	return NULL;
}

static void
set_fat(uint32_t clus, uint16_t v)
{
	uint32_t i;

	for (i = 0; i < nfats; i++)
		put16(d + (size_t)(rsvd + i * fat_sz) * 512 + clus * 2, v);
}

static uint8_t *
clus_data(uint32_t clus)
{
	return d + (size_t)(data_sec + (clus - 2) * spc) * 512;
}

static bool
said(const char *what)
{
	return strstr(fake_console_output(), what) != NULL;
}

/* Bad boot sectors: each is refused, with the reason. */
static void *
refused_main(void *unused)
{
	struct toro_stat st;

	ck_assert_int_eq(fs_start(1), 0);
	ck_assert_int_eq(toro_stat("/FILE1.TXT", &st), -TORO_ENOENT);
	ck_assert_int_eq(fs_mount(0, "/"), -TORO_EINVAL);
	return NULL;
}

struct bpb_case {
	int off, size;
	uint32_t val;
	const char *why;
};

static const struct bpb_case bpb_cases[] = {
	{ 11, 2, 1024, "sectors are not 512 bytes" },
	{ 11, 2, 0, "sectors are not 512 bytes" },
	{ 13, 1, 3, "bad sectors per cluster" },
	{ 13, 1, 0, "bad sectors per cluster" },
	{ 13, 1, 128, "too few clusters" },
	{ 14, 2, 0, "no reserved sectors" },
	{ 14, 2, 40000, "too few clusters" },
	{ 16, 1, 0, "bad number of FATs" },
	{ 16, 1, 200, "bad number of FATs" },
	{ 17, 2, 0, "no root directory entries" },
	{ 19, 2, 0, "no sector count" },	/* with 32: 0 too */
	{ 32, 4, 0xfffffff0u, "volume larger than its disk" },
	{ 21, 1, 0x12, "bad media byte" },
	{ 22, 2, 0, "no 16-bit FAT size" },
	{ 22, 2, 1, "FAT too small" },
	{ 22, 2, 0xffff, "no room for data" },
	{ 510, 1, 0, "no boot signature" },
	{ 0, 1, 0, "no boot jump" },
};

START_TEST(bad_boot_sector)
{
	const struct bpb_case *c = &bpb_cases[_i];
	char line[128];

	base_image();
	if (c->size == 1)
		d[c->off] = (uint8_t)c->val;
	else if (c->size == 2)
		put16(d + c->off, (uint16_t)c->val);
	else
		memcpy(d + c->off, &c->val, 4);
	if (c->off == 19)
		memset(d + 32, 0, 4);
	if (c->off == 32)
		put16(d + 19, 0);
	ck_assert_int_eq(fake_run(2, MEM, refused_main, NULL), 0);
	snprintf(line, sizeof(line), "fat: disk 0: no FAT16 volume: %s",
	    c->why);
	if (!said(line))
		ck_abort_msg("console: %s", fake_console_output());
}
END_TEST

START_TEST(partition_outside_disk)
{
	static const uint32_t starts[][2] = { { 63, 0x7fffffff },
	    { 0x7fffffff, 100 }, { 63, 1000 } };
	char line[128];

	ck_assert_int_eq(tu_mkimage_mbr(tu_path("p.img"), 20, 4), 0);
	ck_assert_int_eq(fakeblk_load(0, tu_path("p.img")), 0);
	d = fakeblk_data(0, &nsec);
	memcpy(d + 446 + 8, starts[_i], 8);
	ck_assert_int_eq(fake_run(2, MEM, refused_main, NULL), 0);
	snprintf(line, sizeof(line), _i < 2 ? "outside the disk" :
	    "partition at sector 63: not FAT16: volume larger");
	if (!said(line))
		ck_abort_msg("console: %s", fake_console_output());
}
END_TEST

/* Damage inside a mounted volume. */
static void *
eio_main(void *arg)
{
	char *buf = malloc(200000);
	struct toro_dirent de;
	struct toro_stat st;
	int which = (int)(intptr_t)arg, fd, n;

	ck_assert_int_eq(fs_start(1), 0);
	switch (which) {
	case 0: /* a file's cluster out of range */
		ck_assert_int_eq(tu_get("/FILE1.TXT", buf, 100), -TORO_EIO);
		ck_assert_int_eq(toro_open("/FILE1.TXT", TORO_O_WRONLY |
		    TORO_O_APPEND), -TORO_EIO);
		break;
	case 1: /* a loop in a file's chain */
		ck_assert_int_eq(tu_get("/LOOP.BIN", buf, 200000), -TORO_EIO);
		fd = toro_open("/LOOP.BIN", TORO_O_WRONLY | TORO_O_APPEND);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(toro_write(fd, "x", 1), -TORO_EIO);
		ck_assert_int_eq(tu_close(fd), 0);
		ck_assert_int_eq(toro_unlink("/LOOP.BIN"), -TORO_EIO);
		break;
	case 2: /* a directory that never ends */
		ck_assert_int_eq(toro_stat("/SUB/missing", &st), -TORO_EIO);
		ck_assert_int_eq(toro_mkdir("/SUB/new"), -TORO_EIO);
		fd = toro_opendir("/SUB");
		ck_assert_int_ge(fd, 0);
		for (n = 0; (which = toro_readdir(fd, &de)) == 1; n++)
			ck_assert_int_lt(n, 70000);
		ck_assert_int_eq(which, -TORO_EIO);
		ck_assert_int_eq(toro_closedir(fd), 0);
		ck_assert_int_lt(toro_rmdir("/SUB"), 0);
		break;
	case 3: /* a directory without a cluster */
		ck_assert_int_eq(toro_stat("/SUB/IN.TXT", &st), -TORO_EIO);
		ck_assert_int_eq(toro_opendir("/SUB"), -TORO_EIO);
		break;
	case 4: /* a FAT entry out of range in a file's chain */
		ck_assert_int_eq(tu_get("/LOOP.BIN", buf, 200000), -TORO_EIO);
		break;
	}
	/* The rest of the volume still works. */
	ck_assert_int_eq(tu_put("/after.txt", "ok", 2), 0);
	ck_assert_int_eq(tu_get("/after.txt", buf, 10), 2);
	ck_assert_int_eq(toro_sync(), 0);
	free(buf);
	return NULL;
}

START_TEST(damaged_volume)
{
	static const char *lines[] = {
		"cluster 65520 (size 6)", "loop in the chain",
		"never ends", "bad cluster 0", "bad FAT entry 0x1",
	};
	uint8_t *e;
	uint32_t c, i;

	base_image();
	switch (_i) {
	case 0:
		put16(root_entry("FILE1   TXT") + 26, 0xfff0);
		break;
	case 1:
		c = le16(root_entry("LOOP    BIN") + 26);
		set_fat(c + 3, (uint16_t)c);
		break;
	case 2:
		c = le16(root_entry("SUB        ") + 26);
		e = clus_data(c);
		for (i = 2; i < spc * 16; i++)
			memcpy(e + i * 32, e + 64 - 32 * (i % 2 + 1), 32);
		for (i = 2; i < spc * 16; i++)
			memcpy(e + i * 32, "FILLER  TXT", 11);
		set_fat(c, (uint16_t)c);
		break;
	case 3:
		put16(root_entry("SUB        ") + 26, 0);
		break;
	case 4:
		c = le16(root_entry("LOOP    BIN") + 26);
		set_fat(c + 2, 1);
		break;
	}
	ck_assert_int_eq(fake_run(2, MEM, eio_main, (void *)(intptr_t)_i), 0);
	if (!said(lines[_i]))
		ck_abort_msg("console: %s", fake_console_output());
}
END_TEST

/* Random damage: walk, read, write; anything but a crash or a hang. */
static void
walk(const char *dir, int depth, char *buf)
{
	struct toro_dirent de;
	struct toro_stat st;
	char path[1024];
	int dd, n = 0;

	if (depth > 6 || (dd = toro_opendir(dir)) < 0)
		return;
	while (n++ < 3000 && toro_readdir(dd, &de) == 1) {
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") == 0 ?
		    "" : dir, de.name);
		if (toro_stat(path, &st) < 0)
			continue;
		if (st.type == TORO_S_IFDIR)
			walk(path, depth + 1, buf);
		else
			tu_get(path, buf, 1 << 20);
	}
	toro_closedir(dd);
}

static void *
fuzz_main(void *unused)
{
	char *buf = malloc(1 << 20);

	memset(buf, 'f', 1 << 20);
	ck_assert_int_eq(fs_start(1), 0);
	walk("/", 0, buf);
	tu_put("/fuzz.txt", buf, 300000);
	toro_mkdir("/SUB/fuzzdir");
	tu_put("/SUB/fuzzdir/f", buf, 5000);
	toro_rename("/FILE1.TXT", "/SUB/DEEP/renamed");
	toro_unlink("/LOOP.BIN");
	toro_rmdir("/SUB/DEEP");
	walk("/", 0, buf);
	toro_sync();
	free(buf);
	return NULL;
}

START_TEST(fuzzed_images)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(_i + 1), o;
	int k;

	base_image();
	/* Aim at the structures: boot sector, FATs, root, directories. */
	for (k = 0; k < 12; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch (x % 10) {
		case 0:
			o = 11 + (x >> 8) % 51;
			break;
		case 1: case 2: case 3:
			o = (rsvd + (x >> 8) % 2 * fat_sz) * 512ull +
			    (x >> 16) % 512;
			break;
		case 4: case 5: case 6:
			o = root_sec * 512ull + (x >> 8) % 1024;
			break;
		default:
			o = data_sec * 512ull + (x >> 8) % (4 * spc * 512);
			break;
		}
		if (x & (1ull << 40))
			d[o] = (uint8_t)(x >> 48);
		else
			d[o] ^= (uint8_t)(1u << (x >> 61));
	}
	ck_assert_int_eq(fake_run(2, MEM, fuzz_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("fat_corrupt");
	tc = tcase_create("bad_boot_sector");
	tcase_add_loop_test(tc, bad_boot_sector, 0,
	    (int)(sizeof(bpb_cases) / sizeof(bpb_cases[0])));
	tcase_add_loop_test(tc, partition_outside_disk, 0, 3);
	suite_add_tcase(s, tc);
	tc = tcase_create("damaged_volume");
	tcase_add_loop_test(tc, damaged_volume, 0, 5);
	suite_add_tcase(s, tc);
	tc = tcase_create("fuzzed_images");
	tcase_set_timeout(tc, 20);
	tcase_add_loop_test(tc, fuzzed_images, 0, 60);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
