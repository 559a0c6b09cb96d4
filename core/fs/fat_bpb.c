/*
 * fat_bpb.c: finding and checking a FAT16 volume's boot sector.
 *
 * Interface: fat_bpb_read() (fat.h).  The volume is the whole disk when
 * sector 0 holds a valid BIOS parameter block, else the first FAT16
 * partition (types 0x04, 0x06, 0x0e) of an MBR; QEMU's vvfat disks are
 * of the second kind.  Every field is checked against the specification
 * and the disk's size before anything else trusts it; a volume that
 * fails is refused with the reason on the console.
 *
 * Rules: only 512-byte logical sectors (what the HAL's disks have).
 * The type is decided by the count of clusters, as the specification
 * says, never by the "FAT16" label.
 */
#include "core/fs/fat.h"
#include "core/lib/lib.h"
#include "toro/errno.h"

#define BPB_BYTES_PER_SEC 11
#define BPB_SEC_PER_CLUS 13
#define BPB_RSVD 14
#define BPB_NFATS 16
#define BPB_ROOT_ENTS 17
#define BPB_TOT16 19
#define BPB_MEDIA 21
#define BPB_FAT_SZ16 22
#define BPB_TOT32 32
#define BPB_BOOT_SIG 38
#define BPB_VOL_ID 39
#define BPB_VOL_LAB 43

#define MBR_TABLE 446

/* A reason the volume was refused, for the console. */
static const char *why;

static bool
reject(const char *reason)
{
	why = reason;
	return false;
}

static bool
has_jump(const uint8_t *s)
{
	return (s[0] == 0xeb && s[2] == 0x90) || s[0] == 0xe9;
}

static bool
is_pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Check a boot sector of a volume of at most `limit` sectors. */
static bool
parse(const uint8_t *s, uint64_t base, uint64_t limit, struct fat_geom *g)
{
	uint32_t root_secs, tot, data;
	int i;

	memset(g, 0, sizeof(*g));
	if (!has_jump(s))
		return reject("no boot jump");
	if (s[510] != 0x55 || s[511] != 0xaa)
		return reject("no boot signature");
	if (fat_le16(s + BPB_BYTES_PER_SEC) != FAT_SECTOR)
		return reject("sectors are not 512 bytes");
	g->spc = s[BPB_SEC_PER_CLUS];
	if (!is_pow2(g->spc))
		return reject("bad sectors per cluster");
	g->rsvd = fat_le16(s + BPB_RSVD);
	if (g->rsvd == 0)
		return reject("no reserved sectors");
	g->nfats = s[BPB_NFATS];
	if (g->nfats == 0 || g->nfats > 4)
		return reject("bad number of FATs");
	g->root_ents = fat_le16(s + BPB_ROOT_ENTS);
	if (g->root_ents == 0)
		return reject("no root directory entries (FAT32?)");
	g->media = s[BPB_MEDIA];
	if (g->media != 0xf0 && g->media < 0xf8)
		return reject("bad media byte");
	g->fat_sz = fat_le16(s + BPB_FAT_SZ16);
	if (g->fat_sz == 0)
		return reject("no 16-bit FAT size (FAT32?)");
	tot = fat_le16(s + BPB_TOT16);
	if (tot == 0)
		tot = fat_le32(s + BPB_TOT32);
	if (tot == 0)
		return reject("no sector count");
	if (tot > limit)
		return reject("volume larger than its disk or partition");
	g->tot_sec = tot;
	root_secs = (g->root_ents * FAT_DIRENT + FAT_SECTOR - 1) / FAT_SECTOR;
	/* 64-bit sums: the fields are small but their total must fit. */
	if ((uint64_t)g->rsvd + (uint64_t)g->nfats * g->fat_sz + root_secs >=
	    tot)
		return reject("no room for data");
	g->root_sec = g->rsvd + g->nfats * g->fat_sz;
	data = g->root_sec + root_secs;
	g->data_sec = data;
	g->nclus = (tot - data) / g->spc;
	if (g->nclus < 4085)
		return reject("too few clusters for FAT16 (FAT12?)");
	if (g->nclus > 65524)
		return reject("too many clusters for FAT16 (FAT32?)");
	if ((uint64_t)g->fat_sz * (FAT_SECTOR / 2) < (uint64_t)g->nclus + 2)
		return reject("FAT too small for its clusters");
	g->base = base;
	if (s[BPB_BOOT_SIG] == 0x29) {
		g->serial = fat_le32(s + BPB_VOL_ID);
		memcpy(g->label, s + BPB_VOL_LAB, 11);
		for (i = 10; i >= 0 && g->label[i] == ' '; i--)
			g->label[i] = '\0';
	}
	return true;
}

static bool
fat16_type(uint8_t t)
{
	return t == 0x04 || t == 0x06 || t == 0x0e;
}

int
fat_bpb_read(struct fs_bdev *d, struct fat_geom *g)
{
	struct fs_buf *b;
	const uint8_t *e;
	const char *whole_why;
	uint64_t start, size;
	int err, i;

	if ((err = fs_bread(d, 0, 1, &b)) < 0)
		return err;
	if (parse(b->data, 0, d->sectors, g)) {
		fs_brelse(b);
		return 0;
	}
	whole_why = why;
	start = size = 0;
	/* A boot sector with a jump is a volume's, if a bad one. */
	if (!has_jump(b->data) && b->data[510] == 0x55 &&
	    b->data[511] == 0xaa)
		for (i = 0; i < 4; i++) {
			e = b->data + MBR_TABLE + 16 * i;
			if (!fat16_type(e[4]) || fat_le32(e + 8) == 0)
				continue;
			start = fat_le32(e + 8);
			size = fat_le32(e + 12);
			break;
		}
	fs_brelse(b);
	if (size == 0) {
		toro_printf("fat: disk %d: no FAT16 volume: %s\n", d->dev,
		    whole_why);
		return -TORO_EINVAL;
	}
	if (start == 0 || start >= d->sectors || size > d->sectors - start) {
		toro_printf("fat: disk %d: partition %llu+%llu outside the "
		    "disk\n", d->dev, (unsigned long long)start,
		    (unsigned long long)size);
		return -TORO_EINVAL;
	}
	if ((err = fs_bread(d, start, 1, &b)) < 0)
		return err;
	if (!parse(b->data, start, size, g)) {
		fs_brelse(b);
		toro_printf("fat: disk %d: partition at sector %llu: not "
		    "FAT16: %s\n", d->dev, (unsigned long long)start, why);
		return -TORO_EINVAL;
	}
	fs_brelse(b);
	return 0;
}
