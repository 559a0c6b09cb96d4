/*
 * close.c: toro_close(), the one close for files and sockets.
 *
 * File descriptors count from TORO_FD_FILE_BASE, sockets from 0 (see
 * toro/file.h), so the number alone says which service owns it.
 */
#include "core/fs/fs.h"
#include "core/net/net.h"
#include "toro/file.h"
#include "toro/socket.h"

int
toro_close(int fd)
{
	if (TORO_FD_IS_FILE(fd))
		return fs_close(fd);
	return net_close(fd);
}
