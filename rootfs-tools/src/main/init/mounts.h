/*
 * The init's file systems. The kernel boots with the shared runtime image
 * (read-only, DAX) as "/"; it holds this init, an empty /dev and /newroot.
 * The container's image is mounted on /newroot and becomes "/" by
 * pivot_root, then the runtime image is detached: the app sees only its own
 * image and the kernel's API file systems, and there is no chroot to escape
 * (mount move + chroot, as switch_root does, is only needed when the old root
 * is an initramfs, which pivot_root refuses).
 */
#ifndef MOUNTS_H
#define MOUNTS_H

#include <stdbool.h>

#include "launch_config.h"

/* Mounts devtmpfs on the runtime image's /dev, where the config and root devices appear. */
bool mount_boot_dev(void);

/*
 * Mounts the container's root device, makes it "/", and mounts proc, sys,
 * devtmpfs, devpts, /dev/shm, /run and /tmp in it; with "ro" among the root
 * options, "/" is made read-only after that (the others stay writable).
 * Prints why and returns false on failure.
 */
bool enter_container_root(const struct launch_config *config);

#endif
