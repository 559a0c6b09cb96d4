/*
 * process.c: system(): there is no command processor.
 *
 * Interface: <stdlib.h> system().  musl's is taken out of libc.a
 * (libc/musl-drop.txt): it starts a shell through posix_spawn, over
 * clone, which Toro does not have.
 *
 * Rules: the machine runs one program, so there is no shell to run a
 * command.  system() is standard C, and C11 7.22.4.8 lets a program ask:
 * system(NULL) is 0, "no command processor"; a command then fails with
 * -1 and ENOSYS.  popen() and pclose() are POSIX's and cannot mean
 * anything here, so they are absent: a program that calls them fails to
 * link, on both targets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int
system(const char *cmd)
{
	if (cmd == NULL)
		return 0;
	errno = ENOSYS;
	return -1;
}
