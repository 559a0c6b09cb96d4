# tests/sanit/local.mk: the sanitizer builds (tests/sanit/run.sh), each
# a copy of the tree in out/sanit/MODE configured with SANITIZE, where
# `make sanit-targets` builds what their tests need: every program and
# test but the C environment's (libc/local.mk), whose pre-linked musl
# stays outside the sanitizers' view.

SANIT_TARGETS = $(filter-out out/sim/myapp out/native/myapp.% \
	out/tests/libc/% out/libc/%,$(noinst_DATA) $(check_DATA))
sanit-targets: $(SANIT_TARGETS)
.PHONY: sanit-targets

TESTS += tests/sanit/asan.sh tests/sanit/ubsan.sh tests/sanit/tsan.sh
EXTRA_DIST += tests/sanit
