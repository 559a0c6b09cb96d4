/*
 * fs_util.c: helpers of the file-system tests (fs_util.h).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fs/fs.h"
#include "hal/fake/fakeblk.h"
#include "tests/unit/fs_util.h"
#include "toro/file.h"

static char dir[256];

static void
cleanup(void)
{
	char cmd[300];

	if (dir[0] != '\0' && getenv("TU_KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
}

const char *
tu_path(const char *name)
{
	static char bufs[64][512];
	static int k;
	const char *t = getenv("TMPDIR");
	char *p;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/toro-fs-XXXXXX",
		    t != NULL ? t : "/tmp");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
		atexit(cleanup);
	}
	p = bufs[k++ % 64];
	snprintf(p, sizeof(bufs[0]), "%s/%s", dir, name);
	return p;
}

static int
status(int st)
{
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
tu_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return status(system(cmd));
}

char *
tu_capture(const char *fmt, ...)
{
	char cmd[4096], *out = NULL;
	size_t len = 0, cap = 0, n;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if ((f = popen(cmd, "r")) == NULL)
		return strdup("");
	do {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			if ((out = realloc(out, cap)) == NULL)
				abort();
		}
		n = fread(out + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	out[len] = '\0';
	pclose(f);
	return out;
}

int
tu_mkimage(const char *img, unsigned mb, unsigned spc)
{
	return tu_sh(
	    "rm -f '%s' && truncate -s %uM '%s' && "
	    "mformat -i '%s' -T %u -h 16 -s 32 -H 0 -c %u :: >/dev/null",
	    img, mb, img, img, mb * 2048, spc);
}

void
tu_image(int dev, const char *name, unsigned mb)
{
	ck_assert_int_eq(tu_mkimage(tu_path(name), mb, 4), 0);
	ck_assert_int_eq(fakeblk_load(dev, tu_path(name)), 0);
}

int
tu_mkimage_mbr(const char *img, unsigned mb, unsigned spc)
{
	unsigned char mbr[512];
	uint32_t start = 63, size = mb * 2048 - 63;
	FILE *f;

	if (tu_sh("rm -f '%s' && truncate -s %uM '%s'", img, mb, img) != 0)
		return -1;
	memset(mbr, 0, sizeof(mbr));
	mbr[446] = 0x80;
	mbr[446 + 4] = 0x06;
	memcpy(mbr + 446 + 8, &start, 4);
	memcpy(mbr + 446 + 12, &size, 4);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	if ((f = fopen(img, "r+")) == NULL)
		return -1;
	if (fwrite(mbr, 1, sizeof(mbr), f) != sizeof(mbr)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return tu_sh("mformat -i '%s@@32256' -T %u -h 16 -s 63 -H 63 -c %u "
		     ":: >/dev/null",
	    img, size, spc);
}

int
tu_fsck(const char *img)
{
	char *out = tu_capture("fsck.fat -n '%s' 2>&1; echo \"rc=$?\"", img);
	int ok = strstr(out, "\nrc=0\n") != NULL;

	if (!ok)
		fprintf(stderr, "fsck.fat -n %s:\n%s", img, out);
	free(out);
	return ok ? 0 : 1;
}

int
tu_have(const char *cmd)
{
	return tu_sh("command -v %s >/dev/null 2>&1", cmd) == 0;
}

int
tu_put(const char *path, const void *data, size_t len)
{
	int fd, err;
	long n;

	fd = toro_open(path, TORO_O_WRONLY | TORO_O_CREAT | TORO_O_TRUNC);
	if (fd < 0)
		return fd;
	n = toro_write(fd, data, len);
	err = tu_close(fd);
	if (n < 0)
		return (int)n;
	if ((size_t)n != len)
		return -1000;
	return err;
}

long
tu_get(const char *path, void *buf, size_t max)
{
	int fd;
	long n = 0, total = 0;

	if ((fd = toro_open(path, TORO_O_RDONLY)) < 0)
		return fd;
	while ((size_t)total < max &&
	    (n = toro_read(fd, (char *)buf + total, max - (size_t)total)) > 0)
		total += n;
	tu_close(fd);
	return n < 0 && total == 0 ? n : total;
}

int
tu_close(int fd)
{
	return fs_close(fd);
}
