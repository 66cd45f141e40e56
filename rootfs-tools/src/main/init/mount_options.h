/*
 * mount(8)-style options for the root file system, split as mount(2) wants
 * them: the generic words ("ro", "nosuid", ...) become flags, the rest
 * ("dax", "errors=remount-ro", ...) stays text for the file system.
 */
#ifndef MOUNT_OPTIONS_H
#define MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

struct mount_options {
	unsigned long flags;
	char *data;		/* the other options, comma-separated; owned */
};

/* Splits the comma-separated `options`; false only when out of memory. */
bool split_mount_options(const char *options, struct mount_options *split);

void mount_options_free(struct mount_options *split);

#endif
