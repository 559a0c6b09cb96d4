/*
 * unit.h: what every Check unit test program shares.
 */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

#include <check.h>

/*
 * Run a suite with its results as TAP on stdout (so that every check
 * counts in make check); returns the program's exit status.
 */
int unit_run(Suite *s);

#endif
