/*
 * ata.c: a disk on the legacy IDE controller, the primary channel's
 * master, driven by PIO (ATA/ATAPI command set), registered with blk.c
 * behind hal.h's hal_blk_*().
 *
 * Interface: hal_ata_init() at boot looks for a PCI IDE controller whose
 * primary channel is in compatibility mode (ports 0x1f0-0x1f7 and 0x3f6,
 * ISA IRQ 14: the PIIX of QEMU's pc), asks the master for IDENTIFY and
 * registers it as the next disk; hal_ata_irq() is the handler of
 * HAL_VEC_ATA.
 *
 * Requests wait in a small FIFO and run one at a time, as READ/WRITE
 * SECTORS commands of at most 256 sectors (LBA28), or their EXT forms of
 * at most 65536 when the request reaches past LBA28 and the drive has
 * LBA48.  PIO needs the CPU for every sector, so the transfer is done by
 * step(), on the owner CPU, from hal_blk_submit() and hal_blk_complete():
 * it moves every sector the drive is ready for and returns as soon as
 * the drive is busy.  The drive raises IRQ 14 when it is ready again;
 * the handler only acknowledges it (a status read) and posts HAL_EV_BLK,
 * whose handler in the core calls hal_blk_complete(), which steps on.
 * The first sector of a write is the one exception: the drive asks for
 * it without an interrupt, so the command is followed by a short poll.
 *
 * Rules: the owner CPU is the only one to touch the ports after open,
 * except for the handler's status read, which is harmless at any time.
 * An error (ERR, DF, a drive that never gets ready) fails the request
 * with -TORO_EIO and the next one starts; there is no reset.  A written
 * sector may sit in the drive's cache after its request completes; a
 * flush (FLUSH CACHE, a command with no data that ends with an interrupt)
 * waits in the same FIFO and puts everything before it on the medium.
 */
#include "hal/native/native.h"
#include "toro/errno.h"

#define IO 0x1f0
#define CTL 0x3f6
#define IRQ 14

/* Command block registers (offsets from IO). */
#define R_DATA 0
#define R_COUNT 2
#define R_LBA0 3
#define R_LBA1 4
#define R_LBA2 5
#define R_DEVICE 6
#define R_STATUS 7 /* read; reading it clears the interrupt */
#define R_COMMAND 7 /* write */

#define CTL_NIEN 0x02 /* device control: interrupts off */

#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DF 0x20
#define ST_BSY 0x80

#define DEV_LBA 0x40 /* device register: LBA addressing, master */

#define C_READ 0x20
#define C_READ_EXT 0x24
#define C_WRITE 0x30
#define C_WRITE_EXT 0x34
#define C_IDENTIFY 0xec
#define C_FLUSH 0xe7
#define C_FLUSH_EXT 0xea

#define QLEN 16
#define WORDS (HAL_BLK_SECTOR / 2)
#define LBA28_END (1ull << 28)
#define SPINS 10000000 /* polls of a drive that should answer at once */

/* PCI class 01 (storage), subclass 01 (IDE); prog-if bit 0: native. */
#define PCI_CLASS 0x08
#define PCI_COMMAND 0x04
#define CMD_IO 0x0001

struct ata {
	struct hal_blk_req *head, *tail;  /* waiting, oldest first */
	struct hal_blk_req *cur;          /* the one the drive works on */
	struct hal_blk_req *done, *dtail; /* completed, for collection */
	int nqueued;      /* waiting, current and completed uncollected */
	uint32_t did;     /* sectors of cur done by finished commands */
	uint32_t chunk;   /* sectors of the running command */
	uint32_t moved;   /* of those, moved by PIO */
	bool lba48;
	uint64_t sectors;
	int disk;
	char what[64];
};

static struct ata ata = { .disk = -1 };

static void
insw(uint16_t port, void *buf, int n)
{
	__asm__ volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port)
	    : "memory");
}

static void
outsw(uint16_t port, const void *buf, int n)
{
	__asm__ volatile("rep outsw" : "+S"(buf), "+c"(n) : "d"(port)
	    : "memory");
}

/* The 400 ns a drive may take to show a new status: four reads. */
static void
settle(void)
{
	int i;

	for (i = 0; i < 4; i++)
		(void)hal_inb(CTL);
}

/* Poll until BSY clears; the status, or -1 after SPINS polls. */
static int
wait_ready(void)
{
	uint8_t st;
	int i;

	for (i = 0; i < SPINS; i++)
		if (!((st = hal_inb(IO + R_STATUS)) & ST_BSY))
			return st;
	return -1;
}

/* Start the next command of the current request. */
static void
issue(struct ata *a)
{
	struct hal_blk_req *r = a->cur;
	uint64_t lba = r->sector + a->did;
	uint32_t left = r->count - a->did;
	uint8_t cmd;

	if (r->op == HAL_BLK_FLUSH) {
		/* No data: step() finishes it when the drive is idle again. */
		a->chunk = a->moved = 0;
		hal_outb(IO + R_DEVICE, 0xa0 | DEV_LBA);
		hal_outb(IO + R_COMMAND, a->lba48 ? C_FLUSH_EXT : C_FLUSH);
		settle();
		return;
	}
	if (a->lba48 && lba + left > LBA28_END) {
		a->chunk = left > 65536 ? 65536 : left;
		/* High bytes first: each register keeps two. */
		hal_outb(IO + R_DEVICE, DEV_LBA);
		hal_outb(IO + R_COUNT, (uint8_t)(a->chunk >> 8));
		hal_outb(IO + R_LBA0, (uint8_t)(lba >> 24));
		hal_outb(IO + R_LBA1, (uint8_t)(lba >> 32));
		hal_outb(IO + R_LBA2, (uint8_t)(lba >> 40));
		cmd = r->op == HAL_BLK_WRITE ? C_WRITE_EXT : C_READ_EXT;
	} else {
		a->chunk = left > 256 ? 256 : left;
		hal_outb(IO + R_DEVICE, (uint8_t)(0xa0 | DEV_LBA |
		    ((lba >> 24) & 0x0f)));
		cmd = r->op == HAL_BLK_WRITE ? C_WRITE : C_READ;
	}
	hal_outb(IO + R_COUNT, (uint8_t)a->chunk); /* 0 says 256 (65536) */
	hal_outb(IO + R_LBA0, (uint8_t)lba);
	hal_outb(IO + R_LBA1, (uint8_t)(lba >> 8));
	hal_outb(IO + R_LBA2, (uint8_t)(lba >> 16));
	hal_outb(IO + R_COMMAND, cmd);
	a->moved = 0;
	settle();
}

static void
finish(struct ata *a, int status)
{
	struct hal_blk_req *r = a->cur;

	a->cur = NULL;
	r->status = status;
	r->next = NULL;
	if (a->dtail != NULL)
		a->dtail->next = r;
	else
		a->done = r;
	a->dtail = r;
}

/* Move what the drive is ready for; return when it is busy or idle. */
static void
step(struct ata *a)
{
	struct hal_blk_req *r;
	uint8_t *p;
	int st;

	for (;;) {
		if (a->cur == NULL) {
			if ((r = a->head) == NULL)
				return;
			if ((a->head = r->next) == NULL)
				a->tail = NULL;
			a->cur = r;
			a->did = 0;
			issue(a);
			/* A write's first sector comes without an IRQ. */
			if (r->op == HAL_BLK_WRITE && wait_ready() < 0) {
				finish(a, -TORO_EIO);
				continue;
			}
		}
		r = a->cur;
		st = hal_inb(IO + R_STATUS); /* also clears INTRQ */
		if (st & ST_BSY)
			return; /* IRQ 14 says when it is ready */
		if (st & (ST_ERR | ST_DF)) {
			finish(a, -TORO_EIO);
			continue;
		}
		if (st & ST_DRQ) {
			if (a->moved == a->chunk) {
				finish(a, -TORO_EIO); /* more than we asked */
				continue;
			}
			p = (uint8_t *)r->buf +
			    (size_t)(a->did + a->moved) * HAL_BLK_SECTOR;
			if (r->op == HAL_BLK_WRITE)
				outsw(IO + R_DATA, p, WORDS);
			else
				insw(IO + R_DATA, p, WORDS);
			a->moved++;
			settle();
			/* After a read's last sector no IRQ follows. */
			if (r->op == HAL_BLK_WRITE || a->moved < a->chunk)
				continue;
		} else if (a->moved < a->chunk) {
			finish(a, -TORO_EIO); /* idle with data owed */
			continue;
		}
		a->did += a->chunk;
		if (a->did == r->count)
			finish(a, 0);
		else
			issue(a);
	}
}

static void
open_dev(void *dev, uint32_t apic_id)
{
	(void)dev;
	hal_ioapic_route_isa(IRQ, HAL_VEC_ATA, apic_id);
	(void)hal_inb(IO + R_STATUS);
	hal_outb(CTL, 0); /* interrupts on */
}

static int
submit(void *dev, struct hal_blk_req *r)
{
	struct ata *a = dev;

	if (a->nqueued == QLEN)
		return -TORO_EAGAIN; /* a completion's HAL_EV_BLK follows */
	if (r->op != HAL_BLK_FLUSH && !a->lba48 &&
	    r->sector + r->count > LBA28_END)
		return -TORO_EINVAL;
	a->nqueued++;
	r->next = NULL;
	if (a->tail != NULL)
		a->tail->next = r;
	else
		a->head = r;
	a->tail = r;
	step(a);
	/* Completed on the spot: the core learns it from the event. */
	if (a->done != NULL)
		hal_cpu_post(hal_cpu_id(), HAL_EV_BLK);
	return 0;
}

static struct hal_blk_req *
complete(void *dev)
{
	struct ata *a = dev;
	struct hal_blk_req *r;

	step(a);
	if ((r = a->done) == NULL)
		return NULL;
	if ((a->done = r->next) == NULL)
		a->dtail = NULL;
	a->nqueued--;
	return r;
}

static const struct hal_blk_ops ops = { open_dev, submit, complete };

static int
match(const struct hal_pci_dev *d, void *arg)
{
	uint32_t class = hal_pci_read32(d, PCI_CLASS);

	(void)arg;
	if (class >> 16 != 0x0101 || (class >> 8) & 0x01)
		return 0;
	hal_pci_write16(d, PCI_COMMAND,
	    hal_pci_read16(d, PCI_COMMAND) | CMD_IO);
	return 1;
}

/* IDENTIFY DEVICE into id; 0, or -1 when there is no ATA drive. */
static int
identify(uint16_t *id)
{
	int i, st;

	hal_outb(CTL, CTL_NIEN); /* polled until open */
	hal_outb(IO + R_DEVICE, 0xa0);
	settle();
	if (hal_inb(IO + R_STATUS) == 0xff)
		return -1; /* a floating bus: nothing there */
	hal_outb(IO + R_COUNT, 0);
	hal_outb(IO + R_LBA0, 0);
	hal_outb(IO + R_LBA1, 0);
	hal_outb(IO + R_LBA2, 0);
	hal_outb(IO + R_COMMAND, C_IDENTIFY);
	settle();
	if (hal_inb(IO + R_STATUS) == 0 || (st = wait_ready()) < 0)
		return -1;
	/* ATAPI and SATA signatures: not an ATA disk. */
	if (hal_inb(IO + R_LBA1) != 0 || hal_inb(IO + R_LBA2) != 0)
		return -1;
	for (i = 0; i < SPINS && !(st & (ST_DRQ | ST_ERR)); i++)
		st = hal_inb(IO + R_STATUS);
	if (!(st & ST_DRQ) || (st & ST_ERR))
		return -1;
	insw(IO + R_DATA, id, WORDS);
	return 0;
}

void
hal_ata_init(void)
{
	static const char pre[] = "ATA (IDE primary master) ";
	struct ata *a = &ata;
	uint16_t id[WORDS];
	int i, n;

	if (!hal_pci_scan(match, NULL) || identify(id) < 0)
		return;
	if (!(id[49] & (1u << 9))) {
		hal_printf("toro: ata: the drive has no LBA, ignored\n");
		return;
	}
	a->sectors = (uint64_t)id[61] << 16 | id[60];
	if (id[83] & (1u << 10)) {
		a->lba48 = true;
		a->sectors = (uint64_t)id[103] << 48 |
		    (uint64_t)id[102] << 32 | (uint64_t)id[101] << 16 | id[100];
	}
	/* The model, words 27-46, two characters a word, high first. */
	memcpy(a->what, pre, sizeof(pre) - 1);
	n = (int)sizeof(pre) - 1;
	for (i = 27; i <= 46; i++) {
		a->what[n++] = (char)(id[i] >> 8);
		a->what[n++] = (char)id[i];
	}
	while (n > 0 && (a->what[n - 1] == ' ' || a->what[n - 1] == '\0'))
		n--;
	a->what[n] = '\0';
	/* Word 85 bit 5: the drive's write cache is on. */
	a->disk = hal_blk_add(
	    &ops, a, a->sectors, false, (id[85] & (1u << 5)) != 0, 1, a->what);
}

void
hal_ata_irq(void)
{
	(void)hal_inb(IO + R_STATUS); /* INTRQ down */
	hal_blk_intr(ata.disk);
}
