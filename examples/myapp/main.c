#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 42;
	char buf[64];
	snprintf(buf, sizeof buf, "n=%ld pi=%.3f", n, 3.14159);
	printf("%s len=%zu\n", buf, strlen(buf));
	return 0;
}
