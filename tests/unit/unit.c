/*
 * unit.c: the runner every Check unit test program ends with, a case
 * per test, and the whole-program skip for a missing tool (unit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/unit.h"

void
unit_add(Suite *s, const char *name, const TTest *test, int loops)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test, 0, loops);
	suite_add_tcase(s, tc);
}

void
unit_need(const char *cmd, const char *pkg)
{
	const char *path = getenv("PATH"), *end;
	char file[4096];
	size_t n;

	for (; path != NULL && *path != '\0'; path = end + (*end == ':')) {
		end = strchr(path, ':');
		if (end == NULL)
			end = path + strlen(path);
		n = (size_t)(end - path);
		if (snprintf(file, sizeof(file), "%.*s/%s", (int)n, path, cmd) <
			(int)sizeof(file) &&
		    access(file, X_OK) == 0)
			return;
	}
	printf(
	    "1..0 # SKIP %s is not installed (Debian package %s)\n", cmd, pkg);
	exit(0);
}

int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
