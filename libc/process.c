/*
 * process.c: system, popen and pclose: there is no command processor.
 *
 * Interface: <stdlib.h> system(), <stdio.h> popen(), pclose().  musl's
 * are taken out of libc.a (libc/musl-drop.txt): they start a shell
 * through posix_spawn, over clone, which Toro does not have.
 *
 * Rules: the machine runs one program, so there is no shell to run a
 * command.  C11 7.22.4.8 lets a program ask: system(NULL) is 0, "no
 * command processor"; a command fails with -1 and ENOSYS, as popen
 * does (NULL).  pclose can only be given a stream popen never made.
 * Programs that call them (Lua's os.execute and io.popen) link and
 * learn the answer at run time.
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

FILE *
popen(const char *cmd, const char *mode)
{
	errno = ENOSYS;
	return NULL;
}

int
pclose(FILE *f)
{
	fclose(f);
	errno = ECHILD;
	return -1;
}
