# tests/unit/tcp.mk: TCP unit tests (Check, on the fake HAL): two stacks
# joined by the simulated link of test_tcp_link.c.

TCP_TEST_LINK = tests/unit/test_tcp_link.c tests/unit/test_tcp_link.h

check_PROGRAMS += tests/unit/tcp_state tests/unit/tcp_data \
	tests/unit/tcp_loss tests/unit/tcp_rst tests/unit/tcp_robust
tests_unit_tcp_state_SOURCES = tests/unit/test_tcp_state.c $(TCP_TEST_LINK)
tests_unit_tcp_state_CFLAGS = $(UNIT_CFLAGS)
tests_unit_tcp_state_LDADD = $(UNIT_LINK)
tests_unit_tcp_state_DEPENDENCIES = $(UNIT_DEPS)
tests_unit_tcp_data_SOURCES = tests/unit/test_tcp_data.c $(TCP_TEST_LINK)
tests_unit_tcp_data_CFLAGS = $(UNIT_CFLAGS)
tests_unit_tcp_data_LDADD = $(UNIT_LINK)
tests_unit_tcp_data_DEPENDENCIES = $(UNIT_DEPS)
tests_unit_tcp_loss_SOURCES = tests/unit/test_tcp_loss.c $(TCP_TEST_LINK)
tests_unit_tcp_loss_CFLAGS = $(UNIT_CFLAGS)
tests_unit_tcp_loss_LDADD = $(UNIT_LINK)
tests_unit_tcp_loss_DEPENDENCIES = $(UNIT_DEPS)
tests_unit_tcp_rst_SOURCES = tests/unit/test_tcp_rst.c $(TCP_TEST_LINK)
tests_unit_tcp_rst_CFLAGS = $(UNIT_CFLAGS)
tests_unit_tcp_rst_LDADD = $(UNIT_LINK)
tests_unit_tcp_rst_DEPENDENCIES = $(UNIT_DEPS)
tests_unit_tcp_robust_SOURCES = tests/unit/test_tcp_robust.c $(TCP_TEST_LINK)
tests_unit_tcp_robust_CFLAGS = $(UNIT_CFLAGS)
tests_unit_tcp_robust_LDADD = $(UNIT_LINK)
tests_unit_tcp_robust_DEPENDENCIES = $(UNIT_DEPS)

TESTS += tests/unit/tcp_state tests/unit/tcp_data tests/unit/tcp_loss \
	tests/unit/tcp_rst tests/unit/tcp_robust
