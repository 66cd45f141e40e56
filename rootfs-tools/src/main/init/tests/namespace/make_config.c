/*
 * Writes a launch config for namespace-test:
 *   make-config FILE FIELD=VALUE...
 * with FIELD one of arg, env, cwd, user, group, gid, hostname, root-device,
 * root-fstype, root-options, terminal, exec-device, as often as the format
 * allows.
 */
#include <stdio.h>
#include <string.h>

#include "config_bytes.h"
#include "launch_config.h"

static const char *const fields[] = {
	[TAG_ARG] = "arg", [TAG_ENV] = "env", [TAG_CWD] = "cwd", [TAG_USER] = "user",
	[TAG_GROUP] = "group", [TAG_SUPPLEMENTARY_GID] = "gid", [TAG_HOSTNAME] = "hostname",
	[TAG_ROOT_DEVICE] = "root-device", [TAG_ROOT_FSTYPE] = "root-fstype",
	[TAG_ROOT_OPTIONS] = "root-options", [TAG_TERMINAL] = "terminal",
	[TAG_EXEC_DEVICE] = "exec-device",
};

static int tag_of(const char *field, size_t length)
{
	for (int tag = TAG_ARG; tag <= TAG_EXEC_DEVICE; tag++)
		if (fields[tag] && strlen(fields[tag]) == length && memcmp(fields[tag], field, length) == 0)
			return tag;
	return 0;
}

int main(int argc, char *argv[])
{
	struct bytes body = { 0 };
	for (int i = 2; i < argc; i++) {
		const char *equals = strchr(argv[i], '=');
		int tag = equals ? tag_of(argv[i], (size_t)(equals - argv[i])) : 0;
		if (!tag) {
			fprintf(stderr, "make-config: %s is not FIELD=VALUE\n", argv[i]);
			return 2;
		}
		append_record(&body, tag, equals + 1);
	}
	struct bytes file = config_file(&body);
	FILE *out = argc > 1 ? fopen(argv[1], "wb") : NULL;
	if (!out || fwrite(file.data, 1, file.size, out) != file.size || fclose(out) != 0) {
		fprintf(stderr, "usage: make-config FILE FIELD=VALUE...\n");
		return 2;
	}
	return 0;
}
