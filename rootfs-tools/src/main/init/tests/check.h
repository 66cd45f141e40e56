/*
 * A tiny test runner. TEST(name) defines a test that registers itself; the
 * CHECK macros record a failure with its place and let the test go on.
 * Tests run on the host: `make OUT=dir test`.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdbool.h>
#include <stddef.h>

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void register_##name(void)	\
	{								\
		register_test(#name, name);				\
	}								\
	static void name(void)

#define CHECK(condition) check((condition), __FILE__, __LINE__, "%s", #condition)
#define CHECK_STRING(actual, expected) check_string((actual), (expected), __FILE__, __LINE__)
#define CHECK_CONTAINS(text, part) check_contains((text), (part), __FILE__, __LINE__)

void register_test(const char *name, void (*run)(void));

bool check(bool ok, const char *file, int line, const char *format, ...)
	__attribute__((format(printf, 4, 5)));
bool check_string(const char *actual, const char *expected, const char *file, int line);
bool check_contains(const char *text, const char *part, const char *file, int line);

/* The folder of the shared launch config vectors, from the command line. */
extern const char *vectors_folder;

#endif
