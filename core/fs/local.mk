# core/fs/local.mk: block cache, FAT16 and the VFS.
