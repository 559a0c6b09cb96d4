# tests/unit/tcp.mk: TCP unit tests.
