/*
 * fat/fuzz.c: arbitrary FAT volumes, on a fresh fake machine per input.
 *
 * The input is the start of disk 0, a disk of 16 MiB (or of the input's
 * size, if larger) zeroed past it: a FAT16 image with its zero tail cut
 * off is a seed (tests/fuzz/seeds.py makes them with mtools).  The
 * storage thread mounts it at "/" (or refuses it), then the harness
 * walks every directory, stats and reads every file, then creates,
 * writes, appends, renames and deletes files and directories, syncs, and
 * walks the volume again.  What a call returns is not judged (a corrupt
 * volume may refuse anything): the kernel must not crash, corrupt
 * memory, hang or panic.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs/fs.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "hal/hal.h"
#include "tests/fuzz/machine.h"
#include "toro/file.h"
#include "toro/toro.h"

#define DISK_SECTORS (16u * 2048)
#define DEPTH_MAX 8
#define ENTRIES_MAX 512
#define READ_MAX (1u << 20)

static struct {
	const uint8_t *data;
	size_t size;
	int entries;
	size_t bytes;
	char file[TORO_PATH_MAX]; /* some file of the volume, if any */
	char dir[TORO_PATH_MAX];  /* some directory below the root */
} fz;

static void
read_file(const char *path)
{
	static char buf[8192];
	struct toro_stat st;
	long n;
	int fd;

	if ((fd = toro_open(path, TORO_O_RDONLY)) < 0)
		return;
	(void)toro_fstat(fd, &st);
	while (fz.bytes < READ_MAX && (n = toro_read(fd, buf, sizeof(buf))) > 0)
		fz.bytes += (size_t)n;
	(void)toro_lseek(fd, 1, TORO_SEEK_END);
	(void)toro_read(fd, buf, 1);
	toro_close(fd);
}

static void
walk(const char *path, int depth)
{
	char child[TORO_PATH_MAX];
	struct toro_dirent de;
	struct toro_stat st;
	int dd;

	if (depth > DEPTH_MAX || (dd = toro_opendir(path)) < 0)
		return;
	while (fz.entries < ENTRIES_MAX && toro_readdir(dd, &de) == 1) {
		fz.entries++;
		if (snprintf(child, sizeof(child), "%s/%s",
			strcmp(path, "/") == 0 ? "" : path,
			de.name) >= (int)sizeof(child))
			continue;
		(void)toro_stat(child, &st);
		if (de.type == TORO_S_IFDIR) {
			if (fz.dir[0] == '\0')
				snprintf(fz.dir, sizeof(fz.dir), "%s", child);
			walk(child, depth + 1);
		} else {
			if (fz.file[0] == '\0')
				snprintf(fz.file, sizeof(fz.file), "%s", child);
			read_file(child);
		}
	}
	toro_closedir(dd);
}

static void
put(const char *path, int flags, size_t len)
{
	static char buf[9000];
	size_t i;
	int fd;

	for (i = 0; i < len && i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	if ((fd = toro_open(path, TORO_O_WRONLY | flags)) < 0)
		return;
	(void)toro_write(fd, buf, len < sizeof(buf) ? len : sizeof(buf));
	toro_close(fd);
}

/* Change the volume in every way a program can. */
static void
change(void)
{
	char to[TORO_PATH_MAX + 8];

	put("/NEW.TXT", TORO_O_CREAT | TORO_O_TRUNC, 5000);
	put("/A long new name.text", TORO_O_CREAT, 100);
	(void)toro_mkdir("/NEWDIR");
	put("/NEWDIR/IN.TXT", TORO_O_CREAT, 9000);
	(void)toro_rename("/NEW.TXT", "/NEWDIR/MOVED.TXT");
	if (fz.file[0] != '\0') {
		put(fz.file, TORO_O_APPEND, 3000);
		put(fz.file, TORO_O_TRUNC, 10);
		snprintf(to, sizeof(to), "%s.old", fz.file);
		(void)toro_rename(fz.file, to);
		(void)toro_unlink(to);
	}
	if (fz.dir[0] != '\0') {
		snprintf(to, sizeof(to), "%s/NEWFILE", fz.dir);
		put(to, TORO_O_CREAT, 700);
		snprintf(to, sizeof(to), "/NEWDIR/%s", "SUB");
		(void)toro_rename(fz.dir, to);
		(void)toro_rmdir(to);
	}
	(void)toro_unlink("/A long new name.text");
	(void)toro_sync();
}

/* FUZZ_TRACE=1: what an input did, to see a seed reach its target. */
static void
trace(const char *when)
{
	if (getenv("FUZZ_TRACE") != NULL)
		fprintf(stderr,
		    "fat: %s the changes: %d entries, %zu bytes "
		    "read; a file '%s', a directory '%s'\n%s",
		    when, fz.entries, fz.bytes, fz.file, fz.dir,
		    fake_console_output());
}

static void *
run(void *unused)
{
	uint64_t sectors = DISK_SECTORS;

	if (fz.size > (size_t)sectors * HAL_BLK_SECTOR)
		sectors = (fz.size + HAL_BLK_SECTOR - 1) / HAL_BLK_SECTOR;
	if (fakeblk_create(0, sectors) < 0)
		fuzz_fail("no disk");
	memcpy(fakeblk_data(0, NULL), fz.data, fz.size);
	if (fs_start(0) < 0)
		fuzz_fail("fs_start failed");
	walk("/", 0);
	trace("before");
	change();
	fz.entries = 0;
	fz.bytes = 0;
	walk("/", 0);
	trace("after");
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&fz, 0, sizeof(fz));
	fz.data = data;
	fz.size = size;
	fuzz_machine_reset();
	fuzz_machine_run(1, 16u << 20, run, NULL);
	return 0;
}
