/*
 * boot.c: from the platform's hand-over to the application's main().
 *
 * kern_boot() runs once, on CPU 0: it reads the command line, gives the
 * RAM to the allocator, prepares every CPU's scheduler, creates the main
 * thread, starts the other CPUs and becomes CPU 0's idle thread.  When
 * main returns, the machine stops with its value.
 */
#include "core/kern/kern.h"
#include "core/fs/fs.h"
#include "core/mem/mem.h"
#include "core/net/net.h"
#include "core/sched/sched.h"
#include "toro/toro.h"

/* The application's entry point. */
int main(int argc, char **argv);

#define MAIN_STACK (256u * 1024)

static void *
main_thread(void *unused)
{
	kern_shutdown(main(kern_argc(), kern_argv()));
}

/* Parse a size in KiB; 0 on anything malformed. */
static size_t
parse_kib(const char *s)
{
	size_t v = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > ((size_t)1 << 40))
			return 0;
		v = v * 10 + (size_t)(*s - '0');
	}
	return v * 1024;
}

void
kern_boot(void)
{
	struct hal_mem_region r[32];
	struct toro_thread_attr attr = { "main", MAIN_STACK };
	const char *opt;
	int ncpu = hal_cpu_count(), n, i, err;

	sched_init(ncpu);
	sched_cpu_enter(0);
	err = kern_cmdline_parse(hal_cmdline());
	if (err < 0)
		kern_panic("kernel command line: %s", toro_strerror(err));
	n = hal_mem_regions(r, (int)nitems(r));
	if (mem_init(r, n) < 0)
		kern_panic("no usable memory (%d regions)", n);
	opt = kern_option("stack");
	if (opt != NULL) {
		if (parse_kib(opt) < 16 * 1024)
			kern_panic("stack=%s: want a size in KiB, at least 16",
			    opt);
		sched_set_default_stack(parse_kib(opt));
	}
	opt = kern_option("idle");
	if (opt != NULL && strcmp(opt, "halt") != 0)
		kern_panic("idle=%s: the only idle policy is halt", opt);
	opt = kern_option("loglevel");
	if (opt != NULL && strcmp(opt, "debug") == 0)
		kern_printf("toro: %d CPUs, %zu KiB of RAM, command line \"%s\"\n",
		    ncpu, mem_page_total_bytes() / 1024, hal_cmdline());
	/* The network runs on CPU 0; a machine may have no NIC. */
	err = net_start(0);
	if (err < 0 && err != -TORO_ENODEV)
		kern_panic("network: %s", toro_strerror(err));
	/* Storage runs on CPU 0 too; a machine may have no disk. */
	err = fs_start(0);
	if (err < 0 && err != -TORO_ENODEV)
		kern_panic("file system: %s", toro_strerror(err));
	err = sched_thread_create(NULL, 0, main_thread, NULL, &attr,
	    SCHED_THREAD_MAIN);
	if (err < 0)
		kern_panic("cannot create the main thread: %s",
		    toro_strerror(err));
	for (i = 1; i < ncpu; i++) {
		err = hal_cpu_start(i, sched_cpu_main);
		if (err < 0)
			kern_panic("CPU %d did not start: %s", i,
			    toro_strerror(err));
	}
	sched_run();
}

void
kern_shutdown(int status)
{
	/* Nothing written may be lost: flush the file systems' caches. */
	fs_sync_all();
	hal_exit(status);
}

static void *
stop_thread(void *unused)
{
	kern_shutdown(KERN_STOP_STATUS);
}

void
toro_poweroff(int status)
{
	kern_shutdown(status);
}

void
kern_stop_requested(void)
{
	struct toro_thread_attr attr = { "stop", 0 };

	kern_printf("\ntoro: stopped by the host\n");
	/* The scheduler calls us and cannot sleep: a thread shuts down. */
	if (toro_thread_create(NULL, 0, stop_thread, NULL, &attr) < 0)
		hal_exit(KERN_STOP_STATUS);
}
