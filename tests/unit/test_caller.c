/*
 * test_caller.c: a caller's bad memory on the fake machine, which has
 * no MMU: fake_bad_memory() names a range hal_copy() fails on, as a copy
 * that faults would.  The checks and string copies of core/lib/caller.c
 * at page edges; then files, UDP and TCP sockets given buffers that run
 * into the bad range: each call is -TORO_EFAULT and leaves everything
 * as it was (the position, the size, the listing, a datagram, stream
 * bytes, a pending connection).  tests/libc/efault.sh does the same
 * with real faults, on the sim and natively.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "core/fs/fs.h"
#include "core/lib/lib.h"
#include "core/net/net.h"
#include "hal/fake/fake.h"
#include "hal/fake/fakeblk.h"
#include "tests/unit/fs_util.h"
#include "tests/unit/net_util.h"
#include "tests/unit/unit.h"
#include "toro/file.h"
#include "toro/toro.h"

#define PAGE 4096

/* Three pages: the first two good, the third bad once arm() ran. */
static _Alignas(PAGE) uint8_t mem[3 * PAGE];
#define BAD (mem + 2 * PAGE)

static void
arm(void)
{
	fake_bad_memory(BAD, PAGE);
}

START_TEST(check_and_string)
{
	char out[64];

	arm();
	ck_assert_int_eq(lib_caller_check(mem, 2 * PAGE, true), 0);
	ck_assert_int_eq(lib_caller_check(mem, 0, true), 0);
	ck_assert_int_eq(lib_caller_check(NULL, 0, false), 0);
	ck_assert_int_eq(lib_caller_check(NULL, 1, false), -TORO_EFAULT);
	/* The last byte alone is bad: the check looks at it. */
	ck_assert_int_eq(lib_caller_check(mem + 1, 2 * PAGE, false),
	    -TORO_EFAULT);
	ck_assert_int_eq(lib_caller_check(BAD + 100, 1, true), -TORO_EFAULT);
	ck_assert_int_eq(lib_caller_check((void *)(UINTPTR_MAX - 9), 20,
	    false), -TORO_EFAULT);
	/* A string that ends just before the bad page is read whole. */
	memcpy(BAD - 4, "/ab", 4);
	ck_assert_int_eq(lib_caller_string(out, (char *)BAD - 4, 64), 3);
	ck_assert_str_eq(out, "/ab");
	/* One that runs into it is not. */
	memcpy(BAD - 4, "/abc", 4);
	ck_assert_int_eq(lib_caller_string(out, (char *)BAD - 4, 64),
	    -TORO_EFAULT);
	ck_assert_int_eq(lib_caller_string(out, "/abcdef", 4),
	    -TORO_ENAMETOOLONG);
	ck_assert_int_eq(lib_caller_string(out, NULL, 4), -TORO_EFAULT);
	/* A copy stops at the bad byte, having copied those before. */
	memset(mem, 'x', PAGE);
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(hal_copy(out, BAD - 8, 16), -TORO_EFAULT);
	ck_assert_int_eq(hal_copy(BAD - 4, out, 8), -TORO_EFAULT);
	ck_assert_int_eq(hal_copy(out, mem, 16), 0);
	ck_assert_int_eq(out[15], 'x');
}
END_TEST

#define FILE_SIZE (64 * 1024)

static void *
files_main(void *unused)
{
	static uint8_t data[FILE_SIZE], buf[PAGE];
	struct toro_dirent de;
	struct toro_stat st;
	int fd, dd, i;

	for (i = 0; i < FILE_SIZE; i++)
		data[i] = tu_byte(1, (uint64_t)i);
	ck_assert_int_eq(fs_start(0), 0);
	ck_assert_int_eq(tu_put("/f", data, FILE_SIZE), 0);
	arm();
	fd = toro_open("/f", TORO_O_RDWR);
	ck_assert_int_ge(fd, 0);
	/* The first read may lease the next bytes: both paths fail alike. */
	ck_assert_int_eq(toro_read(fd, buf, PAGE), PAGE);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(toro_read(fd, mem, 3 * PAGE), -TORO_EFAULT);
		ck_assert_int_eq(toro_read(fd, BAD, 10), -TORO_EFAULT);
		ck_assert_int_eq(toro_write(fd, mem + 100, 2 * PAGE),
		    -TORO_EFAULT);
	}
	ck_assert_int_eq(toro_lseek(fd, 0, TORO_SEEK_CUR), PAGE);
	ck_assert_int_eq(toro_read(fd, buf, PAGE), PAGE);
	ck_assert(memcmp(buf, data + PAGE, PAGE) == 0);
	ck_assert_int_eq(toro_fstat(fd, (struct toro_stat *)BAD),
	    -TORO_EFAULT);
	ck_assert_int_eq(toro_fstat(fd, &st), 0);
	ck_assert_uint_eq(st.size, FILE_SIZE);
	ck_assert_int_eq(tu_close(fd), 0);
	ck_assert_int_eq(toro_stat("/f", (struct toro_stat *)(BAD - 8)),
	    -TORO_EFAULT);
	memcpy(BAD - 2, "/f", 2);
	ck_assert_int_eq(toro_open((char *)BAD - 2, TORO_O_RDONLY),
	    -TORO_EFAULT);
	ck_assert_int_eq(toro_rename("/f", (char *)BAD - 2), -TORO_EFAULT);
	ck_assert_int_eq(toro_unlink((char *)BAD), -TORO_EFAULT);
	/* A bad entry costs the listing nothing. */
	dd = toro_opendir("/");
	ck_assert_int_ge(dd, 0);
	ck_assert_int_eq(toro_readdir(dd, (struct toro_dirent *)BAD),
	    -TORO_EFAULT);
	ck_assert_int_eq(toro_readdir(dd, &de), 1);
	ck_assert_str_eq(de.name, "f");
	ck_assert_int_eq(toro_closedir(dd), 0);
	ck_assert_int_eq(tu_get("/f", data, FILE_SIZE), FILE_SIZE);
	for (i = 0; i < FILE_SIZE; i++)
		ck_assert_uint_eq(data[i], tu_byte(1, (uint64_t)i));
	return NULL;
}

START_TEST(files)
{
	tu_image(0, "f.img", 32);
	ck_assert_int_eq(fake_run(2, 64 * TU_MB, files_main, NULL), 0);
	ck_assert_int_eq(fakeblk_save(0, tu_path("f.img"), 0, 0), 0);
	ck_assert_int_eq(tu_fsck(tu_path("f.img")), 0);
}
END_TEST

static void *
udp_main(void *unused)
{
	struct toro_sockaddr_in to = { TORO_AF_INET, 5353, PEER_IP };
	struct toro_sockaddr_in from;
	char buf[64];
	int s;

	start_static();
	prime_arp();
	arm();
	s = udp_socket(7);
	inject_udp(PEER_IP, 1234, OUR_IP, 7, "first");
	settle();
	ck_assert_int_eq(toro_recv(s, BAD - 2, sizeof(buf), 0), -TORO_EFAULT);
	ck_assert_int_eq(toro_recvfrom(s, buf, sizeof(buf), 0,
	    (struct toro_sockaddr_in *)(BAD - 4)), -TORO_EFAULT);
	ck_assert_int_eq(toro_recvfrom(s, buf, sizeof(buf), 0, &from), 5);
	ck_assert(memcmp(buf, "first", 5) == 0);
	ck_assert_uint_eq(from.port, 1234);
	ck_assert_int_eq(toro_sendto(s, BAD - 2, 5, 0, &to), -TORO_EFAULT);
	ck_assert_int_eq(toro_sendto(s, "x", 1, 0,
	    (struct toro_sockaddr_in *)BAD), -TORO_EFAULT);
	ck_assert_int_eq(toro_bind(s, (struct toro_sockaddr_in *)BAD),
	    -TORO_EFAULT);
	ck_assert_int_eq(toro_getsockname(s, (struct toro_sockaddr_in *)BAD),
	    -TORO_EFAULT);
	ck_assert_int_eq(toro_poll((struct toro_pollfd *)(BAD - 4), 1, 0),
	    -TORO_EFAULT);
	ck_assert_int_eq(toro_net_stats((struct toro_net_stats *)BAD),
	    -TORO_EFAULT);
	settle();
	expect_none();
	ck_assert_int_eq(toro_close(s), 0);
	return NULL;
}

START_TEST(udp)
{
	net_cpu = _i;
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 32 * MB, udp_main, NULL), 0);
}
END_TEST

static void *
tcp_main(void *unused)
{
	struct toro_sockaddr_in a = { TORO_AF_INET, 8080, 0 };
	struct toro_sockaddr_in to = { TORO_AF_INET, 8080, OUR_IP }, peer;
	char buf[16];
	int l, c, s;

	start_static();
	arm();
	l = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0);
	ck_assert_int_eq(toro_bind(l, &a), 0);
	ck_assert_int_eq(toro_listen(l, 4), 0);
	c = toro_socket(TORO_AF_INET, TORO_SOCK_STREAM, 0);
	ck_assert_int_eq(toro_connect(c, (struct toro_sockaddr_in *)BAD),
	    -TORO_EFAULT);
	ck_assert_int_eq(toro_connect(c, &to), 0);
	/* The connection waits for an accept that can take its address. */
	ck_assert_int_eq(toro_accept(l, (struct toro_sockaddr_in *)BAD),
	    -TORO_EFAULT);
	s = toro_accept(l, &peer);
	ck_assert_int_ge(s, 0);
	ck_assert_uint_eq(peer.addr, OUR_IP);
	ck_assert_int_eq(toro_send(c, BAD - 2, 4, 0), -TORO_EFAULT);
	ck_assert_int_eq(toro_send(c, "ping", 4, 0), 4);
	settle();
	ck_assert_int_eq(toro_recv(s, BAD - 2, sizeof(buf), 0), -TORO_EFAULT);
	ck_assert_int_eq(toro_recv(s, buf, sizeof(buf), 0), 4);
	ck_assert(memcmp(buf, "ping", 4) == 0);
	ck_assert_int_eq(toro_close(s), 0);
	ck_assert_int_eq(toro_close(c), 0);
	ck_assert_int_eq(toro_close(l), 0);
	return NULL;
}

START_TEST(tcp)
{
	fake_set_cmdline(STATIC);
	ck_assert_int_eq(fake_run(2, 32 * MB, tcp_main, NULL), 0);
}
END_TEST

int
main(void)
{
	Suite *s;

	unit_need("mformat", "mtools");
	unit_need("fsck.fat", "dosfstools");
	s = suite_create("caller");
	unit_add(s, "check_and_string", check_and_string, 1);
	unit_add(s, "files", files, 1);
	unit_add(s, "udp", udp, 2);
	unit_add(s, "tcp", tcp, 1);
	return unit_run(s);
}
