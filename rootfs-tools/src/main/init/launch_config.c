#include "launch_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

#define HOSTNAME_MAX_BYTES 64	/* the kernel's limit for sethostname */

static const char *const tag_names[] = {
	[TAG_ARG] = "ARG",
	[TAG_ENV] = "ENV",
	[TAG_CWD] = "CWD",
	[TAG_USER] = "USER",
	[TAG_GROUP] = "GROUP",
	[TAG_SUPPLEMENTARY_GID] = "SUPPLEMENTARY_GID",
	[TAG_HOSTNAME] = "HOSTNAME",
	[TAG_ROOT_DEVICE] = "ROOT_DEVICE",
	[TAG_ROOT_FSTYPE] = "ROOT_FSTYPE",
	[TAG_ROOT_OPTIONS] = "ROOT_OPTIONS",
	[TAG_TERMINAL] = "TERMINAL",
	[TAG_STDIN_DEVICE] = "STDIN_DEVICE",
	[TAG_STDOUT_DEVICE] = "STDOUT_DEVICE",
	[TAG_STDERR_DEVICE] = "STDERR_DEVICE",
	[TAG_CONTROL_DEVICE] = "CONTROL_DEVICE",
	[TAG_EXEC_DEVICE] = "EXEC_DEVICE",
};
#define LAST_TAG TAG_EXEC_DEVICE

static uint32_t read_u32(const unsigned char *bytes)
{
	return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 |
	       (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

bool launch_config_has_magic(const unsigned char *bytes, size_t size)
{
	size_t magic_bytes = strlen(LAUNCH_CONFIG_MAGIC);
	return size >= magic_bytes && memcmp(bytes, LAUNCH_CONFIG_MAGIC, magic_bytes) == 0;
}

uint64_t launch_config_length(const unsigned char *header)
{
	return LAUNCH_CONFIG_HEADER_BYTES + (uint64_t)read_u32(header + 12);
}

__attribute__((format(printf, 2, 3)))
static bool fail(char *error, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(error, LAUNCH_CONFIG_ERROR_BYTES, format, arguments);
	va_end(arguments);
	return false;
}

/* Appends to a NULL-terminated array that grows as records come. */
static bool append_string(char ***array, size_t *count, char *string, char *error)
{
	char **grown = realloc(*array, (*count + 2) * sizeof **array);
	if (!grown)
		return fail(error, "out of memory");
	grown[(*count)++] = string;
	grown[*count] = NULL;
	*array = grown;
	return true;
}

static bool append_gid(gid_t **array, size_t *count, gid_t gid, char *error)
{
	gid_t *grown = realloc(*array, (*count + 1) * sizeof **array);
	if (!grown)
		return fail(error, "out of memory");
	grown[(*count)++] = gid;
	*array = grown;
	return true;
}

static bool set_non_empty(const char **field, char *value, int tag, size_t record, char *error)
{
	if (value[0] == '\0')
		return fail(error, "record %zu: %s must not be empty", record, tag_names[tag]);
	*field = value;
	return true;
}

static bool set_device(const char **field, char *value, int tag, size_t record, char *error)
{
	if (value[0] != '/')
		return fail(error, "record %zu: %s must be an absolute path", record, tag_names[tag]);
	*field = value;
	return true;
}

static bool repeatable(int tag)
{
	return tag == TAG_ARG || tag == TAG_ENV || tag == TAG_SUPPLEMENTARY_GID;
}

/*
 * Checks one record's value against its tag's rules and stores it.
 * `value` is the NUL-terminated copy of its `length` bytes.
 */
static bool apply_record(struct launch_config *config, int tag, char *value,
			 size_t length, size_t record, char *error)
{
	unsigned gid;

	switch (tag) {
	case TAG_ARG:
		return append_string(&config->args, &config->arg_count, value, error);
	case TAG_ENV:
		if (value[0] == '=' || !strchr(value, '='))
			return fail(error, "record %zu: ENV must be KEY=VALUE with a non-empty KEY", record);
		return append_string(&config->env, &config->env_count, value, error);
	case TAG_CWD:
		if (value[0] != '/')
			return fail(error, "record %zu: CWD must be an absolute path", record);
		config->cwd = value;
		return true;
	case TAG_SUPPLEMENTARY_GID:
		if (!parse_numeric_id(value, length, &gid))
			return fail(error, "record %zu: SUPPLEMENTARY_GID must be a decimal gid below 4294967295", record);
		return append_gid(&config->supplementary_gids, &config->supplementary_gid_count, gid, error);
	case TAG_HOSTNAME:
		if (length == 0 || length > HOSTNAME_MAX_BYTES)
			return fail(error, "record %zu: HOSTNAME must be 1 to %d bytes", record, HOSTNAME_MAX_BYTES);
		config->hostname = value;
		return true;
	case TAG_TERMINAL:
		if (strcmp(value, "1") != 0)
			return fail(error, "record %zu: TERMINAL must be \"1\"", record);
		config->terminal = true;
		return true;
	case TAG_ROOT_OPTIONS:
		config->root_options = value;
		return true;
	case TAG_USER:
		return set_non_empty(&config->user, value, tag, record, error);
	case TAG_GROUP:
		return set_non_empty(&config->group, value, tag, record, error);
	case TAG_ROOT_DEVICE:
		return set_non_empty(&config->root_device, value, tag, record, error);
	case TAG_ROOT_FSTYPE:
		return set_non_empty(&config->root_fstype, value, tag, record, error);
	case TAG_STDIN_DEVICE:
		return set_device(&config->stdin_device, value, tag, record, error);
	case TAG_STDOUT_DEVICE:
		return set_device(&config->stdout_device, value, tag, record, error);
	case TAG_STDERR_DEVICE:
		return set_device(&config->stderr_device, value, tag, record, error);
	case TAG_CONTROL_DEVICE:
		return set_device(&config->control_device, value, tag, record, error);
	case TAG_EXEC_DEVICE:
		return set_device(&config->exec_device, value, tag, record, error);
	}
	__builtin_unreachable();	/* parse_records rejects other tags */
}

static bool parse_records(const unsigned char *body, size_t body_length,
			  struct launch_config *config, char *error)
{
	bool seen[LAST_TAG + 1] = { false };
	char *next_string = config->strings;
	size_t offset = 0;

	for (size_t record = 1; offset < body_length; record++) {
		if (body_length - offset < LAUNCH_CONFIG_RECORD_HEADER_BYTES)
			return fail(error, "record %zu at body offset %zu: its header runs past the end of the body",
				    record, offset);
		const unsigned char *header = body + offset;
		int tag = header[0];
		size_t length = read_u32(header + 4);
		offset += LAUNCH_CONFIG_RECORD_HEADER_BYTES;

		if (tag < TAG_ARG || tag > LAST_TAG)
			return fail(error, "record %zu: unknown tag %d (version %d has tags 1 to %d)",
				    record, tag, LAUNCH_CONFIG_VERSION, LAST_TAG);
		if (header[1] || header[2] || header[3])
			return fail(error, "record %zu (%s): the three bytes after the tag must be zero",
				    record, tag_names[tag]);
		if (length > body_length - offset)
			return fail(error, "record %zu (%s): its %zu-byte value runs past the end of the body",
				    record, tag_names[tag], length);
		if (memchr(body + offset, '\0', length))
			return fail(error, "record %zu (%s): the value contains a NUL byte",
				    record, tag_names[tag]);
		if (seen[tag] && !repeatable(tag))
			return fail(error, "record %zu: %s appears more than once", record, tag_names[tag]);
		seen[tag] = true;

		/* A value and its NUL are shorter than their record: all copies fit in body_length bytes. */
		memcpy(next_string, body + offset, length);
		next_string[length] = '\0';
		if (!apply_record(config, tag, next_string, length, record, error))
			return false;
		next_string += length + 1;
		offset += length;
	}
	if (!config->root_device)
		return fail(error, "ROOT_DEVICE is missing");
	if (config->arg_count == 0)
		return fail(error, "no ARG: the app's command line needs at least one");
	return true;
}

static const struct launch_config defaults = {
	.cwd = "/",
	.user = "0",
	.root_fstype = "ext4",
	.root_options = "dax",
};

bool launch_config_parse(const unsigned char *bytes, size_t size,
			 struct launch_config *config,
			 char error[LAUNCH_CONFIG_ERROR_BYTES])
{
	*config = defaults;
	if (size < LAUNCH_CONFIG_HEADER_BYTES)
		return fail(error, "%zu bytes is shorter than the %d-byte header",
			    size, LAUNCH_CONFIG_HEADER_BYTES);
	if (!launch_config_has_magic(bytes, size))
		return fail(error, "no \"%s\" magic at the start", LAUNCH_CONFIG_MAGIC);
	uint32_t version = read_u32(bytes + 8);
	if (version != LAUNCH_CONFIG_VERSION)
		return fail(error, "version %u is not supported (this init reads version %d)",
			    version, LAUNCH_CONFIG_VERSION);
	uint64_t body_length = launch_config_length(bytes) - LAUNCH_CONFIG_HEADER_BYTES;
	if (body_length > size - LAUNCH_CONFIG_HEADER_BYTES)
		return fail(error, "the header announces a %llu-byte body but only %zu bytes follow it",
			    (unsigned long long)body_length, size - LAUNCH_CONFIG_HEADER_BYTES);

	config->strings = malloc(body_length + 1);
	config->env = calloc(1, sizeof *config->env);	/* empty, NULL-terminated */
	if (!config->strings || !config->env) {
		launch_config_free(config);
		return fail(error, "out of memory");
	}
	if (!parse_records(bytes + LAUNCH_CONFIG_HEADER_BYTES, body_length, config, error)) {
		launch_config_free(config);
		return false;
	}
	return true;
}

void launch_config_free(struct launch_config *config)
{
	free(config->args);
	free(config->env);
	free(config->supplementary_gids);
	free(config->strings);
	*config = defaults;
}
