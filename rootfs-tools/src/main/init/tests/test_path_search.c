/* find_program and path_from_env, on real files in a fresh temporary folder. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "path_search.h"

static char folder[] = "/tmp/minivmm-init-test-XXXXXX";

/* Makes folder/relative_path (its parent folders too) as a file with `mode`. */
static void make_file(const char *relative_path, mode_t mode)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", folder, relative_path);
	for (char *slash = strchr(path + strlen(folder) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || fchmod(fd, mode) != 0) {
		perror(path);
		exit(2);
	}
	close(fd);
}

/* A PATH of folder's subfolders, "a:b" -> "/tmp/.../a:/tmp/.../b". */
static const char *path_of(const char *subfolders)
{
	static char path[PATH_MAX];
	path[0] = '\0';
	for (const char *name = subfolders;; ) {
		size_t length = strcspn(name, ":");
		snprintf(path + strlen(path), sizeof path - strlen(path), "%s%s/%.*s",
			 name == subfolders ? "" : ":", folder, (int)length, name);
		if (!name[length])
			return path;
		name += length + 1;
	}
}

static char *in_folder(const char *relative_path)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", folder, relative_path);
	return path;
}

__attribute__((constructor)) static void make_folder(void)
{
	if (!mkdtemp(folder)) {
		perror("mkdtemp");
		exit(2);
	}
	make_file("first/program", 0755);
	make_file("second/program", 0755);
	make_file("second/only-second", 0700);
	make_file("plain/program", 0644);
	make_file("plain/not-executable", 0644);
	make_file("dirs/program/inside", 0644);
	make_file("exec-only/program", 0111);
}

__attribute__((destructor)) static void remove_folder(void)
{
	char command[PATH_MAX + 16];
	snprintf(command, sizeof command, "rm -rf '%s'", folder);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", folder);
}

#define CHECK_FOUND(name, path, expected) check_found((name), (path), (expected), __FILE__, __LINE__)
#define CHECK_NOT_FOUND(name, path, expected_error) \
	check_not_found((name), (path), (expected_error), __FILE__, __LINE__)

static void check_found(const char *name, const char *path, const char *expected, const char *file, int line)
{
	char found[PATH_MAX];
	int error = 0;
	check_string(find_program(name, path, found, sizeof found, &error), expected, file, line);
}

static void check_not_found(const char *name, const char *path, int expected_error, const char *file, int line)
{
	char found[PATH_MAX];
	int error = 0;
	const char *program = find_program(name, path, found, sizeof found, &error);
	check(!program && error == expected_error, file, line, "%s in %s: got %s, error %d, expected error %d",
	      name, path, program ? program : "(null)", error, expected_error);
}

TEST(a_name_with_a_slash_is_used_as_is)
{
	char found[PATH_MAX];
	int error = 0;
	const char *name = "/no/such/program";
	CHECK(find_program(name, path_of("first"), found, sizeof found, &error) == name);
	name = "relative/program";
	CHECK(find_program(name, path_of("first"), found, sizeof found, &error) == name);
}

TEST(the_first_folder_in_path_that_has_it_wins)
{
	char expected[PATH_MAX];
	snprintf(expected, sizeof expected, "%s", in_folder("first/program"));
	CHECK_FOUND("program", path_of("missing:first:second"), expected);
	snprintf(expected, sizeof expected, "%s", in_folder("second/program"));
	CHECK_FOUND("program", path_of("second:first"), expected);
	snprintf(expected, sizeof expected, "%s", in_folder("second/only-second"));
	CHECK_FOUND("only-second", path_of("first:second"), expected);
	snprintf(expected, sizeof expected, "%s", in_folder("exec-only/program"));
	CHECK_FOUND("program", path_of("exec-only"), expected);
}

TEST(files_without_execute_bits_and_folders_are_passed_over)
{
	char expected[PATH_MAX];
	snprintf(expected, sizeof expected, "%s", in_folder("second/program"));
	CHECK_FOUND("program", path_of("plain:dirs:second"), expected);
}

TEST(only_files_without_execute_bits_mean_permission_denied)
{
	CHECK_NOT_FOUND("not-executable", path_of("first:plain"), EACCES);
	CHECK_NOT_FOUND("program", path_of("plain:dirs"), EACCES);
}

TEST(nothing_found_means_not_found)
{
	CHECK_NOT_FOUND("nothing", path_of("first:second"), ENOENT);
	CHECK_NOT_FOUND("program", path_of("dirs"), ENOENT);
	CHECK_NOT_FOUND("program", "", ENOENT);
}

TEST(an_empty_path_entry_is_the_working_directory)
{
	char previous[PATH_MAX];
	if (!CHECK(getcwd(previous, sizeof previous) && chdir(in_folder("first")) == 0))
		return;
	CHECK_FOUND("program", "/nonexistent::/also-missing", "program");
	CHECK_FOUND("program", ":/nonexistent", "program");
	CHECK_FOUND("program", "/nonexistent:", "program");
	CHECK(chdir(previous) == 0);
}

TEST(a_candidate_too_long_for_the_buffer_is_passed_over)
{
	char found[16];
	int error = 0;
	CHECK(find_program("program", path_of("first"), found, sizeof found, &error) == NULL);
	CHECK(error == ENOENT);
}

TEST(path_comes_from_the_apps_environment)
{
	char *none[] = { "HOME=/root", "PATHS=/x", "MYPATH=/y", NULL };
	char *one[] = { "HOME=/root", "PATH=/opt/bin:/bin", NULL };
	char *two[] = { "PATH=/first", "TERM=xterm", "PATH=/second", NULL };
	char *empty[] = { "PATH=", NULL };
	char *nothing[] = { NULL };

	CHECK_STRING(path_from_env(none), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	CHECK_STRING(path_from_env(nothing), DEFAULT_PATH);
	CHECK_STRING(path_from_env(one), "/opt/bin:/bin");
	CHECK_STRING(path_from_env(two), "/second");
	CHECK_STRING(path_from_env(empty), "");
}
