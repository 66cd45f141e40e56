/* Persistent-memory regions: found in the e820 map (type 12) or announced by virtio-pmem. */
#ifndef PROBE_PMEM_H
#define PROBE_PMEM_H

#include "checks.h"

#define E820_PRAM 12

/* Records a region a virtio-pmem device announced, for the pmem check to look at. */
void pmem_add_virtio_region(u64 start, u64 size);

/*
 * Reports every region and, as the options ask, checksums, touches, writes
 * and reads back the first one. Runs after the virtio check.
 */
const char *check_pmem(struct probe_context *context);

#endif
