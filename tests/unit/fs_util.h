/*
 * fs_util.h: helpers shared by the file-system tests: a scratch
 * directory, shell commands (mtools, fsck.fat), image making, and file
 * helpers for the kernel side.
 *
 * Rules: host helpers (tu_sh, tu_mkimage, ...) run outside fake_run();
 * kernel helpers (tu_put, tu_get) run in the fake machine's threads.
 */
#ifndef TESTS_UNIT_FS_UTIL_H
#define TESTS_UNIT_FS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define TU_MB (1024 * 1024)

/* A path in this process's scratch directory (made on first use). */
const char *tu_path(const char *name);

/* Run a shell command; returns its exit status, or -1. */
int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run a shell command; returns its output (malloc'ed). */
char *tu_capture(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A FAT16 image of mb MiB with spc sectors per cluster. */
int tu_mkimage(const char *img, unsigned mb, unsigned spc);

/*
 * The same inside an MBR partition starting at sector 63, as QEMU's
 * vvfat makes; mtools reach it as IMG@@32256.
 */
int tu_mkimage_mbr(const char *img, unsigned mb, unsigned spc);

/*
 * Fake disk dev holds a new image tu_path(name) of mb MiB, 4 sectors a
 * cluster (a failure fails the test).
 */
void tu_image(int dev, const char *name, unsigned mb);

/* fsck.fat -n: 0 when clean (its report goes to stderr when not). */
int tu_fsck(const char *img);

/* Is this command on the PATH? */
int tu_have(const char *cmd);

/*
 * Kernel side: close a file (toro_close() is the socket layer's until
 * it hands file descriptors on to fs_close()).
 */
int tu_close(int fd);

/* Kernel side: write a whole file, read a whole file (count or < 0). */
int tu_put(const char *path, const void *data, size_t len);
long tu_get(const char *path, void *buf, size_t max);

/* A pattern byte for offset i of file `seed`. */
static inline uint8_t
tu_byte(unsigned seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^
	    seed * 0xbf58476d1ce4e5b9ull;

	return (uint8_t)(x >> 56 ^ x >> 29);
}

#endif
