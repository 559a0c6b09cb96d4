/*
 * noproc.c: libtoronoproc.a, the process calls failing at run time.
 *
 * Interface: fork, _Fork, vfork, the exec family, wait, waitpid, waitid,
 * daemon, popen, pclose, posix_spawn and posix_spawnp.  Each fails with
 * ENOSYS: -1 (NULL for popen, the error number for posix_spawn).
 *
 * Rules: Toro runs one program, so these are absent from libtoroc.a and
 * a program calling them fails to link (tests/libc/cenv.sh).  Many
 * servers reach them only through an option (memcached's -d daemonizes
 * with fork): linking this archive (-ltoronoproc) builds such a program
 * unchanged, and the option then fails with a clear error instead of
 * pretending a second process exists.  Nothing here ever succeeds.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int
noproc(void)
{
	errno = ENOSYS;
	return -1;
}

pid_t
fork(void)
{
	return noproc();
}

pid_t
_Fork(void)
{
	return noproc();
}

pid_t
vfork(void)
{
	return noproc();
}

int
execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path, (void)argv, (void)envp;
	return noproc();
}

int
execv(const char *path, char *const argv[])
{
	(void)path, (void)argv;
	return noproc();
}

int
execvp(const char *file, char *const argv[])
{
	(void)file, (void)argv;
	return noproc();
}

int
fexecve(int fd, char *const argv[], char *const envp[])
{
	(void)fd, (void)argv, (void)envp;
	return noproc();
}

int
execl(const char *path, const char *arg, ...)
{
	(void)path, (void)arg;
	return noproc();
}

int
execle(const char *path, const char *arg, ...)
{
	(void)path, (void)arg;
	return noproc();
}

int
execlp(const char *file, const char *arg, ...)
{
	(void)file, (void)arg;
	return noproc();
}

/* There is no child to wait for: ECHILD, as Linux says without one. */
pid_t
wait(int *status)
{
	(void)status;
	errno = ECHILD;
	return -1;
}

pid_t
waitpid(pid_t pid, int *status, int options)
{
	(void)pid, (void)status, (void)options;
	errno = ECHILD;
	return -1;
}

int
waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	(void)type, (void)id, (void)info, (void)options;
	errno = ECHILD;
	return -1;
}

int
daemon(int nochdir, int noclose)
{
	(void)nochdir, (void)noclose;
	return noproc();
}

FILE *
popen(const char *cmd, const char *mode)
{
	(void)cmd, (void)mode;
	errno = ENOSYS;
	return NULL;
}

int
pclose(FILE *f)
{
	(void)f;
	errno = ECHILD;
	return -1;
}

int
posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	(void)pid, (void)path, (void)fa, (void)attr, (void)argv, (void)envp;
	return ENOSYS;
}

int
posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	(void)pid, (void)file, (void)fa, (void)attr, (void)argv, (void)envp;
	return ENOSYS;
}
