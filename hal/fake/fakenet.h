/*
 * fakenet.h: the fake machine's NIC, for unit tests of the network
 * stack (hal/fake/fakenet.c implements hal_net_* of hal.h over it).
 *
 * Frames the test injects wait in a receive queue and post HAL_EV_NET
 * to the CPU that opened the NIC; frames the stack sends wait in a
 * transmit log the test reads back, oldest first.  Nothing touches a
 * real network.
 *
 * Rules: test scaffolding, like fake.h; call these from the test's
 * threads (the fake machine runs in one host thread).
 */
#ifndef HAL_FAKE_FAKENET_H
#define HAL_FAKE_FAKENET_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_NET_QUEUE 512 /* frames in each direction */

/* The MAC hal_net_open() reports: 52:54:00:12:34:56. */
extern const uint8_t fake_net_mac[6];

/* Whether the machine has a NIC (default yes); set before net_start. */
void fake_net_set_present(int present);

struct hal_net_meta;

/*
 * The offloads the NIC offers (hal.h's HAL_NET_*; default none), set
 * before net_start; and those hal_net_open() put in effect.  A frame
 * sent asking for one not in effect aborts the test.
 */
void fake_net_set_offloads(uint32_t offloads);
uint32_t fake_net_offloads(void);

/*
 * With on, hal_net_peek() says HAL_NET_GSO_MAX, frame or none, as a NIC
 * that cannot tell a frame's length without reading it (the simulator's
 * TAP); by default it says the oldest frame's length.
 */
void fake_net_set_peek_max(int on);

/* Queue a received frame; 0, or -1 if the queue is full or too long. */
int fake_net_inject(const void *frame, size_t len);
/* The same with offload data (a GSO frame may be HAL_NET_GSO_MAX long). */
int fake_net_inject_meta(const void *frame, size_t len,
    const struct hal_net_meta *m);

/* Frames sent and not yet taken. */
int fake_net_sent_count(void);

/*
 * Take the oldest sent frame into buf; returns its length (cut to size),
 * 0 if there is none.
 */
size_t fake_net_sent(void *buf, size_t size);
/* The same, with the frame's offload data into m. */
size_t fake_net_sent_meta(void *buf, size_t size, struct hal_net_meta *m);

/*
 * Let only n more frames into the transmit ring (-1: no limit, the
 * default); beyond, hal_net_send() says -TORO_EAGAIN.  Giving room
 * posts HAL_EV_NET, as a NIC does when its ring drains.
 */
void fake_net_tx_room(int n);

/* Frames hal_net_send() refused with -TORO_EAGAIN so far. */
uint64_t fake_net_tx_refused(void);

/* Free both queues, once fake_run() has returned (see fake_release). */
void fake_net_release(void);

#endif
