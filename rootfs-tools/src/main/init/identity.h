/*
 * Who the app runs as, resolved the way appc specifies: the user and the
 * group may each be a name or a decimal id; names are looked up in the
 * container's own /etc/passwd and /etc/group (never through NSS), and an
 * unknown name is an error. Pure functions over the files' text.
 */
#ifndef IDENTITY_H
#define IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct identity {
	uid_t uid;
	gid_t gid;
};

#define IDENTITY_ERROR_BYTES 200

/*
 * Parses the `length` bytes at `text` as a decimal id: digits only, at most
 * 4294967294 ((uid_t)-1 means "no change" to the kernel).
 */
bool parse_numeric_id(const char *text, size_t length, unsigned *id);

/*
 * Resolves `user` (name or uid) and `group` (name, gid, or NULL for the
 * user's primary group from /etc/passwd when `user` is a name, else 0).
 * `passwd` and `group_file` are the NUL-terminated text of the container's
 * /etc/passwd and /etc/group, or NULL where the file is missing.
 * Comments, lines too short and lines with a non-numeric id are skipped, as
 * glibc does.
 */
bool resolve_identity(const char *user, const char *group,
		      const char *passwd, const char *group_file,
		      struct identity *identity,
		      char error[IDENTITY_ERROR_BYTES]);

#endif
