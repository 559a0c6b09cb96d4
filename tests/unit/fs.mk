# tests/unit/fs.mk: file system unit tests.
