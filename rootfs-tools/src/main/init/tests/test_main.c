#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_TESTS 256

static struct {
	const char *name;
	void (*run)(void);
} tests[MAX_TESTS];
static size_t test_count;
static size_t failures_in_test;
const char *vectors_folder;

void register_test(const char *name, void (*run)(void))
{
	if (test_count == MAX_TESTS) {
		fprintf(stderr, "more than %d tests: raise MAX_TESTS\n", MAX_TESTS);
		exit(2);
	}
	tests[test_count].name = name;
	tests[test_count].run = run;
	test_count++;
}

bool check(bool ok, const char *file, int line, const char *format, ...)
{
	if (ok)
		return true;
	va_list arguments;
	va_start(arguments, format);
	fprintf(stderr, "  %s:%d: ", file, line);
	vfprintf(stderr, format, arguments);
	fputc('\n', stderr);
	va_end(arguments);
	failures_in_test++;
	return false;
}

bool check_string(const char *actual, const char *expected, const char *file, int line)
{
	if (actual == expected || (actual && expected && strcmp(actual, expected) == 0))
		return true;
	return check(false, file, line, "got \"%s\", expected \"%s\"",
		     actual ? actual : "(null)", expected ? expected : "(null)");
}

bool check_contains(const char *text, const char *part, const char *file, int line)
{
	return check(text && strstr(text, part), file, line, "\"%s\" does not contain \"%s\"",
		     text ? text : "(null)", part);
}

int main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s VECTORS_FOLDER\n", argv[0]);
		return 2;
	}
	vectors_folder = argv[1];

	size_t failed = 0;
	for (size_t i = 0; i < test_count; i++) {
		failures_in_test = 0;
		tests[i].run();
		if (failures_in_test) {
			fprintf(stderr, "FAIL %s\n", tests[i].name);
			failed++;
		}
	}
	printf("init: %zu passed, %zu failed\n", test_count - failed, failed);
	return failed ? 1 : 0;
}
