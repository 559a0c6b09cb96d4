/*
 * unit.h: what every Check unit test program shares.
 *
 * Check has no skipped test, so a program whose tool is missing skips
 * whole: unit_need() reports a TAP plan of no tests with the reason
 * ("1..0 # SKIP ..."), which the TAP driver counts as a skip, never as
 * a pass.
 */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

#include <check.h>

/*
 * Run a suite with its results as TAP on stdout (so that every check
 * counts in make check); returns the program's exit status.
 */
int unit_run(Suite *s);

/*
 * Skip the whole program, saying why, unless the command cmd is on the
 * PATH (from Debian package pkg); call it first thing in main.
 */
void unit_need(const char *cmd, const char *pkg);

/*
 * Add test to s as a case of its own named name (so that CK_RUN_CASE=
 * name CK_FORK=no runs it alone), run loops times (as _i 0..loops-1),
 * with 60 s before Check calls it hung.
 */
void unit_add(Suite *s, const char *name, const TTest *test, int loops);

#endif
