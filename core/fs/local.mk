# core/fs/local.mk: block cache, FAT16 and the VFS, added to both core
# libraries.

FS_SOURCES = core/fs/bcache.c core/fs/blkdev.c core/fs/bstream.c \
	core/fs/bsync.c \
	core/fs/fat_bpb.c core/fs/fat_dir.c core/fs/fat_dots.c core/fs/fat_dsum.c \
	core/fs/fat_file.c \
	core/fs/fat_mount.c \
	core/fs/fat_name.c core/fs/fat_node.c core/fs/fat_ops.c \
	core/fs/fat_sync.c core/fs/fat_table.c core/fs/fat_time.c \
	core/fs/file.c \
	core/fs/handle.c core/fs/server.c core/fs/vfs.c
FS_HDRS = core/fs/bcache.h core/fs/fat.h core/fs/fs.h core/fs/vfs.h \
	include/toro/file.h

libcore_host_a_SOURCES += $(FS_SOURCES) $(FS_HDRS)
libcore_native_a_SOURCES += $(FS_SOURCES) $(FS_HDRS)
