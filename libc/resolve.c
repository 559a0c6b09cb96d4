/*
 * resolve.c: host names to addresses, through the kernel's resolver.
 *
 * Interface: __lookup_name(), the one function behind musl's
 * getaddrinfo, gethostbyname and their kin; it replaces musl's
 * lookup_name.lo, which reads /etc/hosts and /etc/resolv.conf and asks
 * DNS servers itself.
 *
 * Rules: IPv4 only.  No name: the wildcard address (AI_PASSIVE) or
 * loopback.  A numeric address is parsed by musl (__lookup_ipliteral);
 * "localhost" is 127.0.0.1; any other name goes to toro_resolve(),
 * which asks the DNS server the network configuration names (DHCP's,
 * or dns=).  Errors are getaddrinfo's EAI_* codes.
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "lookup.h"
#include "toro/toro.h"

static int
one_v4(struct address *buf, uint32_t addr, int family, int flags)
{
	memset(buf, 0, sizeof(*buf));
	buf->family = AF_INET;
	buf->addr[0] = (uint8_t)(addr >> 24);
	buf->addr[1] = (uint8_t)(addr >> 16);
	buf->addr[2] = (uint8_t)(addr >> 8);
	buf->addr[3] = (uint8_t)addr;
	if (family == AF_INET6) {
		if (!(flags & AI_V4MAPPED))
			return EAI_NONAME;
		memcpy(buf->addr + 12, buf->addr, 4);
		memcpy(buf->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
		buf->family = AF_INET6;
	}
	return 1;
}

static int
is_localhost(const char *name)
{
	return strcasecmp(name, "localhost") == 0 ||
	    strcasecmp(name, "localhost.") == 0;
}

int
__lookup_name(struct address buf[static MAXADDRS], char canon[static 256],
    const char *name, int family, int flags)
{
	uint32_t addr;
	size_t l;
	int r;

	*canon = 0;
	if (name == NULL)
		return one_v4(buf, flags & AI_PASSIVE ? 0 : 0x7f000001, family,
		    flags | AI_V4MAPPED);
	l = strnlen(name, 255);
	if (l - 1 >= 254)
		return EAI_NONAME;
	memcpy(canon, name, l + 1);
	if ((r = __lookup_ipliteral(buf, name, family)) != 0)
		return r;
	if (flags & AI_NUMERICHOST)
		return EAI_NONAME;
	if (is_localhost(name))
		return one_v4(buf, 0x7f000001, family, flags);
	switch (r = toro_resolve(name, &addr, 0)) {
	case 0:
		return one_v4(buf, addr, family, flags);
	case -TORO_ETIMEDOUT:
	case -TORO_EAGAIN:
		return EAI_AGAIN;
	case -TORO_ENOMEM:
		return EAI_MEMORY;
	case -TORO_ENOENT:
	case -TORO_EINVAL:
		return EAI_NONAME;
	case -TORO_ENETUNREACH:
	case -TORO_ECONNREFUSED:
	case -TORO_EIO:
		return EAI_FAIL;
	default:
		errno = -r;
		return EAI_SYSTEM;
	}
}
