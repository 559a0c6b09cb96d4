/*
 * error.h: host error codes as the core's, for the files of hal/sim.
 *
 * Interface: hal_sim_error(error) takes what a sim/ function returned (0,
 * a count, or a negative host errno) and returns it with a negative host
 * errno replaced by the matching negative TORO_E* code; a host code with
 * no match becomes -TORO_EIO.
 *
 * Rules: this is the one host-errno map of the sim; every value hal/sim
 * hands the core passes through it.
 */
#ifndef HAL_SIM_ERROR_H
#define HAL_SIM_ERROR_H

int hal_sim_error(int error);

#endif
