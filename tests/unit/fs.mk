# tests/unit/fs.mk: file system unit tests, on the fake machine's disks
# (hal/fake/fakeblk.c), judged by mtools and fsck.fat.

libhal_fake_a_SOURCES += hal/fake/fakeblk.c hal/fake/fakeblk.h

FS_TEST_UTIL = tests/unit/test_fs_util.c tests/unit/test_fs_util.h

check_PROGRAMS += tests/unit/fat
tests_unit_fat_SOURCES = tests/unit/test_fat.c $(FS_TEST_UTIL)
tests_unit_fat_CFLAGS = $(UNIT_CFLAGS)
tests_unit_fat_LDADD = $(UNIT_LINK)
tests_unit_fat_DEPENDENCIES = $(UNIT_DEPS)

TESTS += tests/unit/fat

check_PROGRAMS += tests/unit/fs_api
tests_unit_fs_api_SOURCES = tests/unit/test_fs_api.c $(FS_TEST_UTIL)
tests_unit_fs_api_CFLAGS = $(UNIT_CFLAGS)
tests_unit_fs_api_LDADD = $(UNIT_LINK)
tests_unit_fs_api_DEPENDENCIES = $(UNIT_DEPS)

TESTS += tests/unit/fs_api

check_PROGRAMS += tests/unit/fs_random
tests_unit_fs_random_SOURCES = tests/unit/test_fs_random.c $(FS_TEST_UTIL)
tests_unit_fs_random_CFLAGS = $(UNIT_CFLAGS)
tests_unit_fs_random_LDADD = $(UNIT_LINK)
tests_unit_fs_random_DEPENDENCIES = $(UNIT_DEPS)

TESTS += tests/unit/fs_random

check_PROGRAMS += tests/unit/fat_corrupt
tests_unit_fat_corrupt_SOURCES = tests/unit/test_fat_corrupt.c \
	$(FS_TEST_UTIL)
tests_unit_fat_corrupt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_fat_corrupt_LDADD = $(UNIT_LINK)
tests_unit_fat_corrupt_DEPENDENCIES = $(UNIT_DEPS)

TESTS += tests/unit/fat_corrupt
