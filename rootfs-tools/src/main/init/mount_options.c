#include "mount_options.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static const struct {
	const char *name;
	unsigned long set;
	unsigned long clear;
} flag_options[] = {
	{ "ro", MS_RDONLY, 0 },
	{ "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },
	{ "nodev", MS_NODEV, 0 },
	{ "noexec", MS_NOEXEC, 0 },
	{ "sync", MS_SYNCHRONOUS, 0 },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, 0 },
	{ "nodiratime", MS_NODIRATIME, 0 },
	{ "relatime", MS_RELATIME, 0 },
	{ "strictatime", MS_STRICTATIME, 0 },
};

/* Applies the option [option, option + length) if it is a flag. */
static bool apply_flag(const char *option, size_t length, unsigned long *flags)
{
	for (size_t i = 0; i < sizeof flag_options / sizeof flag_options[0]; i++) {
		if (strlen(flag_options[i].name) == length &&
		    memcmp(flag_options[i].name, option, length) == 0) {
			*flags = (*flags | flag_options[i].set) & ~flag_options[i].clear;
			return true;
		}
	}
	return false;
}

bool split_mount_options(const char *options, struct mount_options *split)
{
	split->flags = 0;
	split->data = malloc(strlen(options) + 1);
	if (!split->data)
		return false;

	char *data_end = split->data;
	for (const char *option = options; *option; ) {
		size_t length = strcspn(option, ",");
		if (length > 0 && !apply_flag(option, length, &split->flags)) {
			if (data_end != split->data)
				*data_end++ = ',';
			memcpy(data_end, option, length);
			data_end += length;
		}
		option += length;
		if (*option == ',')
			option++;
	}
	*data_end = '\0';
	return true;
}

void mount_options_free(struct mount_options *split)
{
	free(split->data);
	split->data = NULL;
}
