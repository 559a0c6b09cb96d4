/*
 * test_fs_stream.c: sequential streams on the fake machine: read-ahead
 * and write-behind windows, and the read leases they lend a reader on
 * another CPU.
 */
#include <check.h>

#include "tests/unit/unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs/bcache.h"
#include "core/fs/fs.h"
#include "core/fs/vfs.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "tests/unit/fs_util.h"
#include "toro/file.h"
#include "toro/toro.h"

#define MEM (64 * TU_MB)


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
	tu_image(0, "st.img", 32);
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

/*
 * A sequential reader on another CPU than the storage thread gets a
 * lease (vfs.h): its next reads copy on its CPU, with no request.  What
 * it reads is never staler than a write that finished before the read
 * began (small and large writes, from another descriptor, a truncate),
 * and the position it reached is the descriptor's.
 */
static bool
leased(int fd)
{
	return __atomic_load_n(&fs_leases[fd - TORO_FD_FILE_BASE].state,
		   __ATOMIC_ACQUIRE) == FS_LEASE_HELD;
}

static void
expect(const uint8_t *got, const uint8_t *want, size_t n, size_t at)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (got[k] != want[k])
			ck_abort_msg("byte %zu differs", at + k);
}

static void *
lease_main(void *unused)
{
	static uint8_t big[1 << 20], other[3 << 20], back[65536], news[65536];
	const size_t chunk = sizeof(back);
	size_t i, pos = 0;
	int fd, wfd, ofd;

	ck_assert_int_eq(fs_start(1), 0);
	for (i = 0; i < sizeof(big); i++)
		big[i] = tu_byte(7, i);
	for (i = 0; i < sizeof(news); i++)
		news[i] = tu_byte(8, i);
	for (i = 0; i < sizeof(other); i++)
		other[i] = tu_byte(9, i);
	ck_assert_int_eq(tu_put("/l.bin", big, sizeof(big)), 0);
	ck_assert_int_eq(tu_put("/o.bin", other, sizeof(other)), 0);
	ck_assert_int_eq(toro_sync(), 0);
	ck_assert_int_eq(fs_umount("/"), 0);
	ck_assert_int_eq(fs_mount(0, "/"), 0);
	fd = toro_open("/l.bin", TORO_O_RDONLY);
	ck_assert_int_ge(fd, 0);
	/* Sequential: windows, then a lease over the rest of one. */
	for (; pos < 2 * chunk; pos += chunk) {
		ck_assert_int_eq(toro_read(fd, back, chunk), (long)chunk);
		expect(back, big + pos, chunk, pos);
	}
	ck_assert(leased(fd));
	ck_assert_int_eq(toro_read(fd, back, 4096), 4096);
	expect(back, big + pos, 4096, pos);
	pos += 4096;
	ck_assert(leased(fd));
	ck_assert_int_eq(toro_lseek(fd, 0, TORO_SEEK_CUR), (int64_t)pos);
	ck_assert(!leased(fd));
	/* Another reader takes every window: the loan is taken back. */
	ck_assert_int_eq(toro_read(fd, back, chunk), (long)chunk);
	expect(back, big + pos, chunk, pos);
	pos += chunk;
	ck_assert(leased(fd));
	ofd = toro_open("/o.bin", TORO_O_RDONLY);
	ck_assert_int_ge(ofd, 0);
	for (i = 0; i < sizeof(other); i += chunk) {
		ck_assert_int_eq(toro_read(ofd, back, chunk), (long)chunk);
		expect(back, other + i, chunk, i);
	}
	ck_assert_int_eq(tu_close(ofd), 0);
	ck_assert(!leased(fd));
	pos -= 4096;
	ck_assert_int_eq(
	    toro_lseek(fd, (int64_t)pos, TORO_SEEK_SET), (int64_t)pos);
	/* Lent again; a small write elsewhere ahead of the reader. */
	for (; pos < 5 * chunk; pos += chunk) {
		ck_assert_int_eq(toro_read(fd, back, chunk), (long)chunk);
		expect(back, big + pos, chunk, pos);
	}
	ck_assert(leased(fd));
	wfd = toro_open("/l.bin", TORO_O_RDWR);
	ck_assert_int_ge(wfd, 0);
	ck_assert_int_eq(toro_lseek(wfd, (int64_t)pos + 1000, TORO_SEEK_SET),
	    (int64_t)pos + 1000);
	ck_assert_int_eq(toro_write(wfd, news, 100), 100);
	memcpy(big + pos + 1000, news, 100);
	ck_assert(!leased(fd));
	for (; pos < 8 * chunk; pos += chunk) {
		ck_assert_int_eq(toro_read(fd, back, chunk), (long)chunk);
		expect(back, big + pos, chunk, pos);
	}
	/* A large write straight to the disk, ahead of the reader. */
	ck_assert(leased(fd));
	ck_assert_int_eq(
	    toro_lseek(wfd, (int64_t)pos, TORO_SEEK_SET), (int64_t)pos);
	ck_assert_int_eq(toro_write(wfd, news, chunk), (long)chunk);
	memcpy(big + pos, news, chunk);
	for (; pos < 11 * chunk; pos += chunk) {
		ck_assert_int_eq(toro_read(fd, back, chunk), (long)chunk);
		expect(back, big + pos, chunk, pos);
	}
	/* A truncate inside the lease: the reader sees the end there. */
	ck_assert(leased(fd));
	ck_assert_int_eq(toro_ftruncate(wfd, pos + 100), 0);
	ck_assert_int_eq(toro_read(fd, back, chunk), 100);
	expect(back, big + pos, 100, pos);
	ck_assert_int_eq(toro_read(fd, back, chunk), 0);
	ck_assert_int_eq(tu_close(wfd), 0);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert(!leased(fd));
	return NULL;
}

START_TEST(read_leases)
{
	tu_image(0, "le.img", 32);
	ck_assert_int_eq(fake_run(2, MEM, lease_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(0, tu_path("le.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("le.img")), 0);
}
END_TEST

int
main(void)
{
	Suite *s;

	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("fs_stream");
	unit_add(s, "stream_windows", stream_windows, 1);
	unit_add(s, "read_leases", read_leases, 1);
	return unit_run(s);
}
