/*
 * error.c: the one map from host errno codes to TORO_E* codes (error.h).
 */
#include <errno.h>

#include "hal/sim/error.h"
#include "toro/errno.h"

int
hal_sim_error(int error)
{
	switch (error) {
	case -EAGAIN:
		return -TORO_EAGAIN;
	case -EBUSY:
		return -TORO_EBUSY;
	case -EINVAL:
		return -TORO_EINVAL;
	case -EMSGSIZE:
		return -TORO_EMSGSIZE;
	case -ENODEV:
		return -TORO_ENODEV;
	case -ENOMEM:
		return -TORO_ENOMEM;
	case -EROFS:
		return -TORO_EROFS;
	default:
		return error >= 0 ? error : -TORO_EIO;
	}
}
