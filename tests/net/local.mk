# tests/net/local.mk: network tests.
