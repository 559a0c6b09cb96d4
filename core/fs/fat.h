/*
 * fat.h: FAT16, inside the file system (Microsoft's "FAT: General
 * Overview of On-Disk Format", version 1.03, is the reference).
 *
 * The pieces: fat_bpb.c (boot sector and partition table), fat_mount.c
 * (volumes and the VFS operations), fat_table.c (the FAT: chains,
 * allocation), fat_name.c (8.3 and long names), fat_dir.c (directory
 * entries), fat_dots.c ("." and "..", emptiness), fat_node.c (open
 * files and directories), fat_file.c (file data), fat_ops.c (names:
 * lookup, create, remove, rename, list), fat_time.c (timestamps),
 * fat_sync.c (the order of writes, for crash safety).
 *
 * Rules: storage thread only.  Nothing read from a disk is trusted:
 * cluster numbers, chain lengths and directory sizes are checked before
 * use; a bad one gives -TORO_EIO and a line on the console, never a crash
 * or an endless loop.  Sector numbers here are relative to the volume.
 */
#ifndef CORE_FS_FAT_H
#define CORE_FS_FAT_H

#include "core/fs/bcache.h"
#include "core/fs/vfs.h"

#define FAT_SECTOR 512
#define FAT_DIRENT 32
#define FAT_EOC 0xffffu  /* what we write at the end of a chain */
#define FAT_BAD 0xfff7u
#define FAT_EOC_MIN 0xfff8u
#define FAT_DIR_MAX 65536 /* entries a directory may have */
#define FAT_LFN_MAX 20    /* long-name entries for 255 characters */
#define FAT_NAME_MAX 255
#define FAT_PEND_MAX 64   /* freed chains waiting for the next sync */

/* Write stages of the block cache (fat_sync.c says why). */
#define FAT_ST_DATA 0
#define FAT_ST_FAT 1
#define FAT_ST_DIR 2
#define FAT_ST_UNLINK 3     /* a rename's old short entry */
#define FAT_ST_UNLINK_LFN 4 /* its long-name entries elsewhere */

/* Directory entry attributes. */
#define FAT_ATTR_RO 0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME 0x08
#define FAT_ATTR_DIR 0x10
#define FAT_ATTR_ARCHIVE 0x20
#define FAT_ATTR_LFN 0x0f
#define FAT_ATTR_LFN_MASK 0x3f

/* Offsets in a 32-byte short entry. */
#define DE_NAME 0
#define DE_ATTR 11
#define DE_NTRES 12
#define DE_CTIME_TENTH 13
#define DE_CTIME 14
#define DE_CDATE 16
#define DE_ADATE 18
#define DE_CLUS_HI 20
#define DE_MTIME 22
#define DE_MDATE 24
#define DE_CLUS 26
#define DE_SIZE 28

static inline uint16_t
fat_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
fat_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline void
fat_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
fat_put32(uint8_t *p, uint32_t v)
{
	fat_put16(p, (uint16_t)v);
	fat_put16(p + 2, (uint16_t)(v >> 16));
}

/* The geometry fat_bpb.c reads and checks. */
struct fat_geom {
	uint64_t base;      /* first sector of the volume on the disk */
	uint32_t tot_sec;   /* sectors in the volume */
	uint32_t spc;       /* sectors per cluster */
	uint32_t rsvd;      /* reserved sectors before the first FAT */
	uint32_t nfats;
	uint32_t fat_sz;    /* sectors per FAT */
	uint32_t root_sec;  /* first sector of the root directory */
	uint32_t root_ents; /* its fixed number of entries */
	uint32_t data_sec;  /* first sector of cluster 2 */
	uint32_t nclus;     /* count of data clusters */
	uint8_t media;
	uint32_t serial;
	char label[12];
};

struct fat_node;

/*
 * What the last full scan of a directory learnt, kept up to date by its
 * adds (fat_dsum.c): where its free entries at the end begin, and a
 * filter of the names (and raw short names) its sets have.  Only a
 * directory with no deleted entries before its end has one.
 */
#define FAT_DSUM_MAX 16	   /* directories summarised at once */
#define FAT_DSUM_BITS 4096 /* bits of a name filter */
struct fat_dsum {
	bool ok;
	uint32_t dclus;
	uint32_t end;  /* the free entries at the end begin here */
	uint32_t used; /* last use (fat_vol.dsum_clock) */
	uint8_t bits[FAT_DSUM_BITS / 8];
};

/* Where a lookup last found a name (fat_dsum.c). */
#define FAT_HINT_MAX 64
struct fat_hint {
	bool ok;
	uint32_t dclus;
	uint32_t hash;  /* fat_name_hash of the name looked up */
	uint32_t first; /* its set's first entry */
};

struct fat_vol {
	struct fs_mount mnt; /* first: the VFS's view */
	struct fs_bdev *bdev;
	struct fat_geom g;
	uint32_t cs;        /* cluster size in bytes */
	uint32_t max_clus;  /* highest valid cluster number: nclus + 1 */
	uint32_t free_clus; /* free clusters, counted at mount */
	uint32_t next_free; /* where the next allocation search starts */
	struct list nodes;  /* nodes in use */
	struct fat_node *root;
	uint8_t *fresh;     /* clusters allocated since the last sync */
	uint32_t pend[FAT_PEND_MAX]; /* chains to free after the next sync */
	uint32_t npend;
	uint32_t ra_from;   /* the last cached read of file data: start */
	uint32_t ra_len;    /* and sectors asked for (fat_file.c) */
	struct fat_dsum dsum[FAT_DSUM_MAX];
	uint32_t dsum_clock;
	struct fat_hint hint[FAT_HINT_MAX];
};

/*
 * fat_bpb.c
 */

/* Find the FAT16 volume on d: whole disk or MBR partition; check it. */
int fat_bpb_read(struct fs_bdev *d, struct fat_geom *g);

/*
 * fat_table.c
 */

/* Get a sector of the volume (vol-relative), checked against its size. */
int fat_bread(struct fat_vol *v, uint32_t sector, uint32_t ra,
    struct fs_buf **bp);
int fat_bget(struct fat_vol *v, uint32_t sector, struct fs_buf **bp);

uint32_t fat_clus_sector(const struct fat_vol *v, uint32_t clus);
bool fat_clus_ok(const struct fat_vol *v, uint32_t clus);

/* The entry after clus in its chain: a valid cluster or FAT_EOC. */
int fat_next(struct fat_vol *v, uint32_t clus, uint32_t *next);
/* Set entry clus in every FAT copy. */
int fat_set(struct fat_vol *v, uint32_t clus, uint32_t val);
/* Length and last cluster of a chain (0 and 0 for first == 0). */
int fat_chain_len(struct fat_vol *v, uint32_t first, uint32_t *len,
    uint32_t *last);
/*
 * Take n free clusters as a new chain ending in FAT_EOC (all or
 * nothing: -TORO_ENOSPC takes none), zero-filled if `zero`; from
 * cluster `near` on if it is free (a file's next, to keep it
 * contiguous), else where the last allocation ended.
 */
int fat_alloc(struct fat_vol *v, uint32_t n, bool zero, uint32_t near,
    uint32_t *first, uint32_t *last);
/* Free a chain from first on. */
int fat_free_chain(struct fat_vol *v, uint32_t first);
/* Count the free clusters (at mount). */
int fat_count_free(struct fat_vol *v);

/*
 * fat_sync.c
 */

int fat_sync_init(struct fat_vol *v);
void fat_sync_fini(struct fat_vol *v);
/* Cluster clus was just allocated: nothing on the disk names it. */
void fat_fresh(struct fat_vol *v, uint32_t clus);
/* Was clus allocated since the last sync? */
bool fat_is_fresh(const struct fat_vol *v, uint32_t clus);
/* Mark b dirty in the stage its change belongs to (FAT_ST_*). */
void fat_bdirty(struct fat_vol *v, struct fs_buf *b, int stage);
/* Free a chain whose entry is gone, once that is on the disk. */
int fat_free_later(struct fat_vol *v, uint32_t first);
/* Put everything on stable storage, in the order fat_sync.c says. */
int fat_sync(struct fat_vol *v);

/*
 * fat_name.c
 */

/* A name as UTF-16, converted and checked from UTF-8. */
int fat_name_from_utf8(const char *s, size_t len, uint16_t *u, int *n);
size_t fat_name_to_utf8(const uint16_t *u, int n, char *out, size_t size);
bool fat_name_eq(const uint16_t *a, int na, const uint16_t *b, int nb);
uint8_t fat_lfn_sum(const uint8_t *sn);
/* Is u an upper-case 8.3 name?  If so, put its short form in sn. */
bool fat_short_exact(const uint16_t *u, int n, uint8_t *sn);
/*
 * The basis of a generated short name (upper case, '_' for the rest);
 * true if nothing was lost, so it may serve without a tail.
 */
bool fat_short_basis(const uint16_t *u, int n, uint8_t *sn);
/* basis with a "~num" tail. */
void fat_short_tail(const uint8_t *basis, uint32_t num, uint8_t *sn);
/* Does sn look like basis with a tail?  Returns the number or 0. */
uint32_t fat_short_tail_of(const uint8_t *basis, const uint8_t *sn);
/* The name a short entry shows, honouring NT's lower-case flags. */
void fat_short_decode(const uint8_t *sn, uint8_t ntres, uint16_t *u,
    int *n);
/*
 * Does the short name read as u (without NT's case flags, ignoring case)?
 * As decoding it and comparing, without the copy.
 */
bool fat_short_is(const uint8_t *sn, const uint16_t *u, int n);
void fat_lfn_pack(uint8_t *e, const uint16_t *u, int n, int ord, bool last,
    uint8_t sum);
/*
 * Does long-name entry e (ordinal ord) fit u, ignoring case: its
 * characters up to u's end, then the terminator (unless u is 255 long)?
 * A set has the name if every entry fits and it has room for n.
 */
bool fat_lfn_match(const uint8_t *e, int ord, const uint16_t *u, int n);
/* The 13 characters of a long-name entry. */
void fat_lfn_unpack(const uint8_t *e, uint16_t *chars);
/*
 * Hashes of names that compare equal ignoring case (fat_dsum.c): of u;
 * of the name a short entry reads as (fat_short_is); and h with the
 * characters of long-name entry e (ordinal ord) up to its terminator,
 * *end set if it has one.
 */
uint32_t fat_name_hash(const uint16_t *u, int n);
uint32_t fat_short_hash(const uint8_t *sn);
uint32_t fat_lfn_hash(const uint8_t *e, int ord, uint32_t h, bool *end);

/*
 * fat_dsum.c
 */

struct fat_dirent;

/* Directory dclus's summary, or NULL. */
struct fat_dsum *fat_dsum_find(struct fat_vol *v, uint32_t dclus);
/* A summary to fill for dclus (not ok until the caller says so). */
struct fat_dsum *fat_dsum_new(struct fat_vol *v, uint32_t dclus);
/*
 * Lookup hints: where the set named (hash) was found in dclus; the
 * caller checks the set there still has the name.
 */
bool fat_hint_find(struct fat_vol *v, uint32_t dclus, uint32_t hash,
    uint32_t *first);
void fat_hint_put(struct fat_vol *v, uint32_t dclus, uint32_t hash,
    uint32_t first);
/* Forget dclus's summary and hints: entries changed some other way. */
void fat_dsum_drop(struct fat_vol *v, uint32_t dclus);
/* Note a set: its long-name hash (if lfn), its raw short name. */
void fat_dsum_note(
    struct fat_dsum *s, bool lfn, uint32_t lhash, const uint8_t *sn);
/*
 * An add writes a set at start: the summary if that keeps it true, off
 * (not ok) while the set is written; added: the set is whole.
 */
struct fat_dsum *fat_dsum_hold(
    struct fat_vol *v, uint32_t dclus, uint32_t start);
void fat_dsum_added(struct fat_dsum *s, const struct fat_dirent *de, bool lfn);
/* May the directory have a set named u, or short name sn (if not NULL)? */
bool fat_dsum_may(
    const struct fat_dsum *s, const uint16_t *u, int n, const uint8_t *sn);

/*
 * fat_time.c
 */

void fat_time_now(uint16_t *date, uint16_t *time, uint8_t *tenth);
int64_t fat_time_ns(uint16_t date, uint16_t time, uint8_t tenth);

/*
 * fat_dir.c
 */

#define FAT_NO_SLOT 0xffffffffu

/*
 * A directory cursor: first cluster (0: the fixed root), position; for
 * an add, the first run of `want` deleted entries fat_dir_next passed
 * over (slot, or FAT_NO_SLOT) and the deleted entries just before idx
 * (run); to look for a name, `match`: then fat_dir_next builds no names
 * but says in fat_dirent.match whether the set has that name (a set
 * comes back with its raw short entry and index; its first entry is
 * right only if it matches).  Between calls, fat_dir_next keeps the
 * sector it read pinned in buf: whoever calls it calls fat_dircur_done
 * after the last call.
 */
struct fat_dircur {
	uint32_t dclus; /* 0 for the root directory */
	uint32_t idx;   /* next entry to look at */
	uint32_t ci;    /* clus is cluster number ci of the chain */
	uint32_t clus;
	uint32_t want;
	uint32_t run;
	uint32_t slot;
	const uint16_t *match;
	int match_n;
	uint32_t blk;   /* 1 + idx / 16 of the sector in sec, 0: none */
	uint32_t sec;
	struct fs_buf *buf; /* that sector, pinned, or NULL */
	uint32_t holes;	    /* deleted entries passed over */
	bool sum;	    /* hash names for a summary (fat_dsum.c) */
	bool odd;	    /* a long name ended early: no summary */
};

/* One entry set: optional long-name entries and the short entry. */
struct fat_dirent {
	uint32_t first;  /* index of the first entry of the set */
	uint32_t idx;    /* index of the short entry */
	uint32_t sector; /* where the short entry is */
	uint32_t off;
	uint8_t raw[FAT_DIRENT];
	uint16_t name[FAT_NAME_MAX + 1];
	int nlen;
	bool match;      /* the name sought (fat_dircur.match) */
	bool lfn;	 /* matching: it has a long name, of hash lhash */
	uint32_t lhash;
};

void fat_dircur_init(struct fat_dircur *c, uint32_t dclus);
/* Let go of what the cursor holds (its pinned sector). */
void fat_dircur_done(struct fat_dircur *c);
/* Where entry idx of the directory is: sector and byte offset. */
int fat_dir_locate(struct fat_vol *v, struct fat_dircur *c, uint32_t idx,
    uint32_t *sector, uint32_t *off);
/* Copy raw entry idx out, or in if `in`; 1 past the end. */
int fat_dir_entry(struct fat_vol *v, struct fat_dircur *c, uint32_t idx,
    uint8_t *out, const uint8_t *in);
/* The same, writing in write stage `stage`. */
int fat_dir_put(struct fat_vol *v, struct fat_dircur *c, uint32_t idx,
    const uint8_t *in, int stage);
/* The next entry set (1), the end (0), or an error. */
int fat_dir_next(struct fat_vol *v, struct fat_dircur *c,
    struct fat_dirent *de);
int fat_dir_lookup(struct fat_vol *v, uint32_t dclus, const uint16_t *name,
    int n, struct fat_dirent *de);
/*
 * Add an entry set for `name` whose short entry is proto (the name is
 * filled in); -TORO_EEXIST if an entry but the one at index `except`
 * (FAT_NO_SLOT: none) has the name, and that set in *out.  Writes
 * nothing on failure but, perhaps, a new empty cluster of the directory.
 */
int fat_dir_add(struct fat_vol *v, uint32_t dclus, const uint16_t *name,
    int n, const uint8_t *proto, uint32_t except, struct fat_dirent *out);
/* 1 if the directory has only "." and "..", 0 if not. */
int fat_dir_empty(struct fat_vol *v, uint32_t dclus);
/* Fill a new directory's cluster with "." and "..". */
int fat_dir_init(struct fat_vol *v, uint32_t clus, uint32_t parent,
    const uint8_t *proto);
/* Point the ".." entry of directory dclus at parent. */
int fat_dir_set_parent(struct fat_vol *v, uint32_t dclus, uint32_t parent);
/* The cluster ".." names (0 for the root). */
int fat_dir_parent(struct fat_vol *v, uint32_t dclus, uint32_t *parent);

/*
 * fat_node.c
 */

struct fat_node {
	struct fs_node fs;  /* first: the VFS's view */
	struct list link;   /* fat_vol's nodes */
	uint32_t dclus;     /* parent directory (0: root or the root) */
	uint32_t idx;       /* short entry's index in it */
	uint32_t sector;    /* where the short entry is */
	uint32_t off;
	bool is_root;
	uint8_t attr;
	uint32_t first;     /* first cluster, 0 if none */
	uint32_t size;      /* bytes (files) */
	uint32_t cur_ci;    /* a cached position in the chain: */
	uint32_t cur_clus;  /* cluster cur_ci of it (0: none) */
	bool chain_known;   /* nclus and last are valid */
	uint32_t nclus;     /* clusters in the chain */
	uint32_t last;      /* its last cluster */
	uint64_t read_end;  /* where the last read ended: the next read
			       starting there is sequential, reads ahead */
};

/* The node of an entry set of directory dclus (a new one or in use). */
int fat_node_get(struct fat_vol *v, uint32_t dclus,
    const struct fat_dirent *de, struct fat_node **np);
/* The node at (dclus, idx) if it is in use, else NULL. */
struct fat_node *fat_node_find(struct fat_vol *v, uint32_t dclus,
    uint32_t idx);
void fat_node_free(struct fat_vol *v, struct fat_node *n);
/* Write first cluster, size and attributes to the entry; touch times. */
int fat_node_update(struct fat_vol *v, struct fat_node *n, bool modified);
/* The directory cluster a directory node stands for (0: root). */
uint32_t fat_node_dclus(const struct fat_node *n);

/*
 * fat_ops.c: the VFS operations on names (struct fs_ops).
 */

int fat_op_lookup(struct fs_node *dir, const char *name, size_t len,
    struct fs_node **np);
int fat_op_create(struct fs_node *dir, const char *name, size_t len,
    bool isdir, struct fs_node **np);
int fat_op_remove(struct fs_node *dir, const char *name, size_t len,
    bool isdir);
int fat_op_rename(struct fs_node *odir, const char *oname, size_t olen,
    struct fs_node *ndir, const char *nname, size_t nlen);
int fat_op_readdir(struct fs_node *dir, uint32_t *cookie,
    struct toro_dirent *de);

/*
 * fat_file.c
 */

long fat_file_read(struct fat_vol *v, struct fat_node *n, uint64_t pos,
    void *buf, size_t len);
/*
 * The file's bytes from pos on that a read window holds, lent until
 * the window is reused (fs_stream_lease): *data and how many.
 */
size_t fat_file_lease(
    struct fat_vol *v, struct fat_node *n, uint64_t pos, const void **data);
long fat_file_write(struct fat_vol *v, struct fat_node *n, uint64_t pos,
    const void *buf, size_t len);
int fat_file_truncate(struct fat_vol *v, struct fat_node *n, uint64_t size);

#endif
