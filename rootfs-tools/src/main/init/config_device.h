/*
 * Where the launch config comes from: a read-only block device the host
 * attaches, a pmem region or a virtio-blk disk, holding nothing but the file
 * (launch_config.h). The init reads it with plain read(2), no file system.
 */
#ifndef CONFIG_DEVICE_H
#define CONFIG_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "launch_config.h"

/*
 * Scans /dev/pmem0..15, then /dev/vda..vdz, for the first device that starts
 * with the launch config magic, and writes its path to `path`. False if none.
 */
bool find_launch_config_device(char *path, size_t path_size);

/* Reads and parses the launch config at `path`; prints why and returns false on failure. */
bool load_launch_config(const char *path, struct launch_config *config);

#endif
