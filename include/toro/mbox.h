/*
 * toro/mbox.h: mailboxes, the way work crosses CPUs.
 *
 * Any thread on any CPU may send to a mailbox without a lock; one thread
 * at a time receives, in the order messages were sent.  Messages are the
 * sender's memory: embed a struct toro_msg at the start of your own
 * message structure.  Sending never fails and never blocks.
 */
#ifndef TORO_MBOX_H
#define TORO_MBOX_H

#include <stdint.h>

struct toro_msg {
	struct toro_msg *link; /* the kernel's; don't touch */
};

struct toro_mbox;

#define TORO_FOREVER INT64_MAX

int toro_mbox_create(struct toro_mbox **mbp);

/* Destroy an unused mailbox; pending messages are forgotten. */
void toro_mbox_destroy(struct toro_mbox *mb);

void toro_mbox_send(struct toro_mbox *mb, struct toro_msg *m);

/*
 * Receive the oldest message, waiting up to timeout_ns (0: don't wait,
 * TORO_FOREVER: no limit).  Returns 0 and sets *mp, or -TORO_EAGAIN
 * (timeout 0 and nothing there), -TORO_ETIMEDOUT, -TORO_EBUSY (another
 * thread is already receiving).
 */
int toro_mbox_recv(struct toro_mbox *mb, struct toro_msg **mp,
    int64_t timeout_ns);

#endif
