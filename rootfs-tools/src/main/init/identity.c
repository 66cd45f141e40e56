#include "identity.h"

#include <stdio.h>
#include <string.h>

#define MAX_ID 4294967294u

bool parse_numeric_id(const char *text, size_t length, unsigned *id)
{
	unsigned long long value = 0;

	if (length == 0)
		return false;
	for (size_t i = 0; i < length; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		value = value * 10 + (unsigned)(text[i] - '0');
		if (value > MAX_ID)
			return false;
	}
	*id = (unsigned)value;
	return true;
}

/* An all-digit user or group is an id; anything else is a name. */
static bool is_numeric(const char *text)
{
	return text[0] != '\0' && text[strspn(text, "0123456789")] == '\0';
}

/* The length of the colon-separated field at `field`, in a line ending at `end`. */
static size_t field_length(const char *field, const char *end)
{
	const char *colon = memchr(field, ':', (size_t)(end - field));
	return (size_t)((colon ? colon : end) - field);
}

/* The start of field `index` (0 is the name) of the line [line, end), or NULL. */
static const char *field_start(const char *line, const char *end, size_t index)
{
	for (; index > 0; index--) {
		line = memchr(line, ':', (size_t)(end - line));
		if (!line)
			return NULL;
		line++;
	}
	return line;
}

/*
 * True if the line [line, end) is the entry for `name` and its fields 2 to
 * 1 + `id_count` are ids, which go to `ids`.
 */
static bool entry_matches(const char *line, const char *end, const char *name,
			  size_t id_count, unsigned ids[])
{
	size_t name_length = strlen(name);
	if (field_length(line, end) != name_length || memcmp(line, name, name_length) != 0)
		return false;
	for (size_t i = 0; i < id_count; i++) {
		const char *field = field_start(line, end, 2 + i);
		if (!field || !parse_numeric_id(field, field_length(field, end), &ids[i]))
			return false;
	}
	return true;
}

/*
 * Finds `name` in the text of /etc/passwd (ids: uid, gid) or /etc/group
 * (ids: gid). Lines starting with '#' are comments, as glibc reads them.
 */
static bool find_entry(const char *text, const char *name, size_t id_count, unsigned ids[])
{
	const char *line = text;
	while (*line) {
		const char *end = strchrnul(line, '\n');
		if (line[0] != '#' && entry_matches(line, end, name, id_count, ids))
			return true;
		line = *end ? end + 1 : end;
	}
	return false;
}

/* What differs between looking up a user and a group. */
struct database {
	const char *entry;	/* "user" or "group" */
	const char *id;		/* "uid" or "gid" */
	const char *path;
	size_t id_count;	/* ids after the name and password: uid and gid, or gid */
};

static const struct database passwd_database = { "user", "uid", "/etc/passwd", 2 };
static const struct database group_database = { "group", "gid", "/etc/group", 1 };

/*
 * Resolves `value`, a name or a decimal id, to the ids of its entry in
 * `database`, whose text is `text` (NULL if the file is missing). A numeric
 * value stands for itself, with a primary gid of 0 for a user.
 */
static bool resolve(const char *value, const char *text, const struct database *database,
		    unsigned ids[2], char *error)
{
	if (is_numeric(value)) {
		ids[1] = 0;
		if (parse_numeric_id(value, strlen(value), &ids[0]))
			return true;
		snprintf(error, IDENTITY_ERROR_BYTES, "%s %s is not a valid %s (at most %u)",
			 database->entry, value, database->id, MAX_ID);
		return false;
	}
	if (!text) {
		snprintf(error, IDENTITY_ERROR_BYTES, "%s \"%s\" cannot be looked up: the container has no readable %s",
			 database->entry, value, database->path);
		return false;
	}
	if (!find_entry(text, value, database->id_count, ids)) {
		snprintf(error, IDENTITY_ERROR_BYTES, "%s \"%s\" is not in the container's %s",
			 database->entry, value, database->path);
		return false;
	}
	return true;
}

bool resolve_identity(const char *user, const char *group,
		      const char *passwd, const char *group_file,
		      struct identity *identity,
		      char error[IDENTITY_ERROR_BYTES])
{
	unsigned user_ids[2], group_ids[2];	/* uid and primary gid; gid */

	if (!resolve(user, passwd, &passwd_database, user_ids, error))
		return false;
	if (group && !resolve(group, group_file, &group_database, group_ids, error))
		return false;
	identity->uid = user_ids[0];
	identity->gid = group ? group_ids[0] : user_ids[1];
	return true;
}
