/*
 * share.h: what the three files of the shared folder (--share) share.
 *
 * share.c makes the FAT16 image and runs mtools; share_scan.c walks the
 * host folder before boot and says what goes into the image (or refuses
 * the folder); share_back.c brings the folder in line with the image at
 * power-off.  Paths here are relative to the shared folder, with no
 * leading '/'.  Everything runs on one host thread at a time.
 */
#ifndef SIM_SHARE_H
#define SIM_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A folder or a regular file that goes into the image. */
struct sim_share_entry {
	char *rel;
	bool dir;
};

/* What the scan found: the entries (parents first) and their room. */
struct sim_share_plan {
	struct sim_share_entry *v;
	size_t n, cap;
	uint64_t bytes;	     /* the contents in 32 KiB clusters */
	size_t root_slots;   /* directory entries the top folder takes */
	size_t root_names;   /* names at the top */
	size_t nlinks;	     /* symbolic links left out */
	size_t nspecial;     /* devices, pipes and sockets left out */
	const char *largest; /* the largest file, for messages */
	uint64_t largest_bytes;
	char *left_out; /* the first of them, for the boot line */
};

/* share_scan.c: the plan for the folder open at fd, or the end. */
void sim_share_scan(int fd, const char *dir, struct sim_share_plan *p);

/*
 * share_back.c: bring the folder open at root in line with the image
 * extracted into the folder open at img; `was` is what the image held at
 * boot.  Prints the summary (and, when needed, one line of problems
 * that ends with `tool`, a tool's message, when not NULL).
 */
void sim_share_back(int root, int img, const struct sim_share_plan *was,
    const char *dir, const char *tool);

/* share.c: the folder rel under root, never through a link; -1. */
int sim_share_open_dir(int root, const char *rel);

/* share.c: fatal out of memory. */
char *sim_share_strdup(const char *s);
char *sim_share_join(const char *a, const char *b);

#endif
