# tests/unit/fs.mk: the fake machine's disks (hal/fake/fakeblk.c) join
# the fake HAL, for the file system unit tests (tests/unit/test_f*.c),
# which mtools and fsck.fat judge.

libhal_fake_a_SOURCES += hal/fake/fakeblk.c hal/fake/fakeblk.h
