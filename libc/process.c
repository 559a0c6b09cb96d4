/*
 * process.c: the process calls of a machine that runs one program.
 *
 * Interface: <stdlib.h> system(); <unistd.h> fork(), execve();
 * <sys/wait.h> wait(), waitpid(), wait3(), wait4(), waitid().  musl's
 * are taken out of libc.a (libc/musl-drop.txt): they enter the kernel
 * through clone, execve and wait4, which Toro does not have.  musl's
 * exec wrappers (execv, execvp, execl...) stay and end in execve().
 *
 * Rules: there is no other process, and no shell, and never will be
 * one while the program runs, so each call fails the way Linux fails
 * where the same is true, never pretending: system(NULL) is 0 (C11
 * 7.22.4.8: "no command processor") and a command fails with ENOSYS;
 * fork() fails with ENOSYS (Linux's answer without an MMU); execve()
 * with ENOSYS (there is no loader: the image is the program); a wait
 * finds no child: ECHILD, exactly Linux's answer to a process that has
 * none.  Servers name these for features their configuration turns
 * off (daemonizing, background saves), and must still link.  What only
 * starts a command (vfork, popen, posix_spawn, daemon) stays absent: a
 * program that calls it fails to link, on both targets.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Every call here fails: -1 with errno e. */
static int
fail(int e)
{
	errno = e;
	return -1;
}

int
system(const char *cmd)
{
	return cmd == NULL ? 0 : fail(ENOSYS);
}

pid_t
fork(void)
{
	return fail(ENOSYS);
}

int
execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path, (void)argv, (void)envp;
	return fail(ENOSYS);
}

pid_t
wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	(void)pid, (void)status, (void)options, (void)ru;
	return fail(ECHILD);
}

pid_t
wait3(int *status, int options, struct rusage *ru)
{
	return wait4(-1, status, options, ru);
}

pid_t
waitpid(pid_t pid, int *status, int options)
{
	return wait4(pid, status, options, NULL);
}

pid_t
wait(int *status)
{
	return wait4(-1, status, 0, NULL);
}

int
waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	(void)type, (void)id, (void)info, (void)options;
	return fail(ECHILD);
}
