#include "path_search.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *path_from_env(char *const env[])
{
	const char *path = DEFAULT_PATH;
	for (char *const *entry = env; *entry; entry++)
		if (strncmp(*entry, "PATH=", 5) == 0)
			path = *entry + 5;
	return path;
}

const char *find_program(const char *name, const char *path, char *found, size_t found_size, int *error)
{
	if (strchr(name, '/'))
		return name;

	*error = ENOENT;
	for (const char *directory = path;; ) {
		int length = (int)strcspn(directory, ":");
		int written = length == 0
			? snprintf(found, found_size, "%s", name)
			: snprintf(found, found_size, "%.*s/%s", length, directory, name);
		struct stat status;
		if (written >= 0 && (size_t)written < found_size &&
		    stat(found, &status) == 0 && S_ISREG(status.st_mode)) {
			if (status.st_mode & 0111)
				return found;
			*error = EACCES;
		}
		if (directory[length] == '\0')
			return NULL;
		directory += length + 1;
	}
}
