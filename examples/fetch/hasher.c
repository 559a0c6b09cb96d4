/*
 * hasher.c: SHA-256 on the last CPU (hasher.h).
 *
 * Two mailboxes: blocks full of bytes go to the hashing thread, which
 * sends each back empty once hashed.  A block with `last` set ends the
 * stream: the thread finishes the hash and exits.  The caller owns a
 * block only between taking it empty and sending it full, so nothing is
 * shared without a message in between.
 */
#include <toro/toro.h>

#include "hasher.h"

#define BLOCK (64 * 1024)
#define NBLOCKS 4

struct block {
	struct toro_msg msg; /* first: a block is its message */
	size_t len;
	int last;
	uint8_t data[BLOCK];
};

struct hasher {
	struct sha256 h;
	struct toro_thread *t;    /* NULL: hash in the caller's thread */
	struct toro_mbox *full, *empty;
	struct block *cur;        /* being filled, or NULL */
	struct block *blocks[NBLOCKS];
	uint8_t digest[SHA256_LEN];
};

static void *
hash_thread(void *arg)
{
	struct hasher *hs = arg;
	struct toro_msg *m;
	struct block *b;

	for (;;) {
		if (toro_mbox_recv(hs->full, &m, TORO_FOREVER) < 0)
			continue;
		b = (struct block *)m;
		sha256_update(&hs->h, b->data, b->len);
		if (b->last)
			break;
		toro_mbox_send(hs->empty, &b->msg);
	}
	sha256_final(&hs->h, hs->digest);
	return NULL;
}

static void
free_hasher(struct hasher *hs)
{
	int i;

	for (i = 0; i < NBLOCKS; i++)
		toro_free(hs->blocks[i]);
	if (hs->full != NULL)
		toro_mbox_destroy(hs->full);
	if (hs->empty != NULL)
		toro_mbox_destroy(hs->empty);
	toro_free(hs);
}

struct hasher *
hasher_new(void)
{
	struct hasher *hs = toro_calloc(1, sizeof(*hs));
	int i;

	if (hs == NULL)
		return NULL;
	sha256_init(&hs->h);
	if (toro_cpu_count() < 2)
		return hs;
	if (toro_mbox_create(&hs->full) < 0 ||
	    toro_mbox_create(&hs->empty) < 0)
		goto alone;
	for (i = 0; i < NBLOCKS; i++) {
		if ((hs->blocks[i] = toro_malloc(sizeof(struct block))) == NULL)
			goto alone;
		toro_mbox_send(hs->empty, &hs->blocks[i]->msg);
	}
	if (toro_thread_create(&hs->t, toro_cpu_count() - 1, hash_thread, hs,
	    NULL) == 0)
		return hs;
alone:
	/* Without the pieces of a pipeline, hash here. */
	free_hasher(hs);
	if ((hs = toro_calloc(1, sizeof(*hs))) != NULL)
		sha256_init(&hs->h);
	return hs;
}

/* The block being filled: an empty one, waited for if need be. */
static struct block *
current(struct hasher *hs)
{
	struct toro_msg *m;

	while (hs->cur == NULL) {
		if (toro_mbox_recv(hs->empty, &m, TORO_FOREVER) == 0) {
			hs->cur = (struct block *)m;
			hs->cur->len = 0;
			hs->cur->last = 0;
		}
	}
	return hs->cur;
}

void
hasher_update(struct hasher *hs, const void *data, size_t len)
{
	const uint8_t *p = data;
	struct block *b;
	size_t n;

	if (hs->t == NULL) {
		sha256_update(&hs->h, data, len);
		return;
	}
	while (len > 0) {
		b = current(hs);
		n = BLOCK - b->len < len ? BLOCK - b->len : len;
		__builtin_memcpy(b->data + b->len, p, n);
		b->len += n;
		p += n;
		len -= n;
		if (b->len == BLOCK) {
			hs->cur = NULL;
			toro_mbox_send(hs->full, &b->msg);
		}
	}
}

void
hasher_final(struct hasher *hs, uint8_t digest[SHA256_LEN])
{
	struct block *b;

	if (hs->t == NULL) {
		sha256_final(&hs->h, digest);
		toro_free(hs);
		return;
	}
	b = current(hs);
	b->last = 1;
	hs->cur = NULL;
	toro_mbox_send(hs->full, &b->msg);
	toro_thread_join(hs->t, NULL);
	__builtin_memcpy(digest, hs->digest, SHA256_LEN);
	free_hasher(hs);
}
