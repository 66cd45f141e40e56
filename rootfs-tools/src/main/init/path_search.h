/*
 * Finding the app's program as appc and OCI say: a name with a '/' is used
 * as is, any other is searched in the PATH of the app's environment.
 */
#ifndef PATH_SEARCH_H
#define PATH_SEARCH_H

#include <stddef.h>

/* appc's and OCI's PATH for an environment that sets none. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The value of PATH in `env`; the last entry wins, as when they are applied in order. */
const char *path_from_env(char *const env[]);

/*
 * The program to exec for `name`: `name` itself if it has a '/', else, as
 * execvp finds it, the first regular file with an execute bit in the
 * directories of `path` (an empty one is the working directory), written to
 * `found`. NULL if there is none, with *error set to EACCES if only files
 * without an execute bit were found, else ENOENT.
 */
const char *find_program(const char *name, const char *path, char *found, size_t found_size, int *error);

#endif
