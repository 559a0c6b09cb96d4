/*
 * fakeblk.h: disks for the fake machine (hal_blk_* of hal.h) over host
 * memory, with what tests need around them.
 *
 * A disk is created empty or loaded from a host image file (mapped
 * privately: the file itself never changes), and saved back to a host
 * file for mtools and fsck.fat to judge.  Requests complete at once
 * (the default: HAL_EV_BLK is posted to the opener's CPU during
 * hal_blk_submit) or after a virtual delay; delayed requests need the
 * device thread, fakeblk_device(), running on some CPU.  Errors can be
 * injected, a disk can be made read-only, and its power can be cut in
 * the middle of a write (fakeblk_cut).
 *
 * Rules: test scaffolding; may use the host C library.  Set a disk up
 * before fake_run() or from the test's threads; the HAL side aborts the
 * test when the core breaks the contract (a call from a CPU that did not
 * open the disk, a request out of range).
 */
#ifndef HAL_FAKE_FAKEBLK_H
#define HAL_FAKE_FAKEBLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKEBLK_MAX 4

#define FAKEBLK_READ 1  /* fail reads */
#define FAKEBLK_WRITE 2 /* fail writes */

/* A zeroed disk of `sectors` sectors.  Returns 0 or -1. */
int fakeblk_create(int dev, uint64_t sectors);

/* A disk holding the image file `path`.  Returns 0 or -1. */
int fakeblk_load(int dev, const char *path);

/*
 * Write sectors [first, first + count) of the disk (count 0: to the end)
 * to the host file `path`.  Returns 0 or -1.
 */
int fakeblk_save(int dev, const char *path, uint64_t first, uint64_t count);

/* The disk's bytes, to look at or damage; its size in sectors. */
uint8_t *fakeblk_data(int dev, uint64_t *sectors);

void fakeblk_set_read_only(int dev, bool ro);

/* A writable disk has a volatile write cache (HAL_BLK_FLUSH) unless not. */
void fakeblk_set_cache(int dev, bool cache);

/* Requests touching [first, first + count) fail (mode: READ|WRITE). */
void fakeblk_fail_range(int dev, uint64_t first, uint64_t count, int mode);

/* After n more requests of a mode succeed, every later one fails. */
void fakeblk_fail_after(int dev, long n, int mode);

/* Complete requests ns after submission (0: at once). */
void fakeblk_set_delay(int dev, uint64_t ns);

/* At most n requests submitted and not yet collected (-TORO_EAGAIN). */
void fakeblk_set_queue(int dev, int n);

/* Segments a request may have (1 to HAL_BLK_SEG_MAX, the default). */
void fakeblk_set_seg_max(int dev, uint32_t n);

/*
 * Cut the power at a write: n more write requests reach the disk whole;
 * of the next one only its first `tear` sectors do (a torn write), and
 * nothing after it: later writes and flushes are acknowledged, as a
 * dying disk's cache would, and dropped.  With `lose`, the writes that
 * no completed flush covered are undone at the cut as well (a volatile
 * write cache loses them), all but the torn one's prefix.
 */
void fakeblk_cut(int dev, long n, uint32_t tear, bool lose);

/* Has the cut happened? */
bool fakeblk_was_cut(int dev);

/* The device thread for delayed disks: toro_thread_create it. */
void *fakeblk_device(void *unused);

struct fakeblk_stats {
	uint64_t reads, writes;       /* requests */
	uint64_t scattered;	      /* of those, with two or more segments */
	uint64_t rsectors, wsectors;  /* sectors moved */
	uint64_t failed;              /* requests that failed */
	uint64_t eagain;              /* submits refused: queue full */
	uint64_t flushes;	      /* flush requests */
	uint64_t unflushed;	      /* writes done, not yet flushed */
	int max_inflight;             /* most requests in flight at once */
};

void fakeblk_stats(int dev, struct fakeblk_stats *st);

/* Unmap every disk, once fake_run() has returned (see fake_release). */
void fakeblk_release(void);

#endif
