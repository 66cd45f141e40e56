/*
 * The launch configuration: what the host tells the init to run.
 *
 * The kernel command line holds at most 2 KiB, which a real environment
 * overflows, so the host writes this binary file per run and attaches it to
 * the VM as one more read-only block device (config_device.c finds it).
 * org.minivmm.rootfs.launch.LaunchConfigWriter writes it; the shared vectors
 * in rootfs-tools/src/test/resources/launch keep the two sides in step.
 *
 * Format version 1, integers little-endian:
 *   header, 16 bytes: "MVLAUNCH", u32 version (1), u32 body_length
 *   body_length bytes of records, each:
 *     u8 tag, u8 zero[3], u32 length, then `length` bytes of value
 *     (UTF-8, no terminator, no NUL inside)
 *   zero padding to a multiple of 4096, not parsed.
 *
 * Tags (any other tag is an error: a newer host must bump the version):
 *   1 ARG               repeated, in order; at least one
 *   2 ENV               repeated, "KEY=VALUE"
 *   3 CWD               absolute path; default "/"
 *   4 USER              name or decimal uid; default "0"
 *   5 GROUP             name or decimal gid; default: the user's primary
 *                       group if USER is a name, else 0
 *   6 SUPPLEMENTARY_GID repeated, decimal
 *   7 HOSTNAME          default: left as the kernel set it
 *   8 ROOT_DEVICE       required, e.g. "/dev/pmem1"
 *   9 ROOT_FSTYPE       default "ext4"
 *  10 ROOT_OPTIONS      default "dax"; may be empty
 *  11 TERMINAL          "1": the console becomes the app's controlling terminal
 * Tags other than ARG, ENV and SUPPLEMENTARY_GID may appear once.
 */
#ifndef LAUNCH_CONFIG_H
#define LAUNCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LAUNCH_CONFIG_MAGIC "MVLAUNCH"
#define LAUNCH_CONFIG_VERSION 1
#define LAUNCH_CONFIG_HEADER_BYTES 16
#define LAUNCH_CONFIG_RECORD_HEADER_BYTES 8

enum launch_config_tag {
	TAG_ARG = 1,
	TAG_ENV,
	TAG_CWD,
	TAG_USER,
	TAG_GROUP,
	TAG_SUPPLEMENTARY_GID,
	TAG_HOSTNAME,
	TAG_ROOT_DEVICE,
	TAG_ROOT_FSTYPE,
	TAG_ROOT_OPTIONS,
	TAG_TERMINAL,
};

/* Strings point into `strings` or are the defaults' literals. */
struct launch_config {
	char **args;			/* NULL-terminated, at least one */
	size_t arg_count;
	char **env;			/* NULL-terminated */
	size_t env_count;
	const char *cwd;
	const char *user;
	const char *group;		/* NULL: see GROUP above */
	gid_t *supplementary_gids;
	size_t supplementary_gid_count;
	const char *hostname;		/* NULL: not set */
	const char *root_device;
	const char *root_fstype;
	const char *root_options;
	bool terminal;
	char *strings;			/* every value, NUL-terminated */
};

/* Room for any message launch_config_parse writes. */
#define LAUNCH_CONFIG_ERROR_BYTES 160

/* True if `bytes` starts with the magic: how the init recognizes the device. */
bool launch_config_has_magic(const unsigned char *bytes, size_t size);

/*
 * The bytes a reader needs from the start of the file: the header and the
 * body its `header` announces. `header` holds LAUNCH_CONFIG_HEADER_BYTES.
 */
uint64_t launch_config_length(const unsigned char *header);

/*
 * Decodes the `size` bytes at `bytes` (the file from its start; padding after
 * the body is ignored) into `config`, which launch_config_free releases.
 * Returns false, with a message in `error` and nothing in `config` to free,
 * if the file is malformed in any way. Makes no system calls but malloc's.
 */
bool launch_config_parse(const unsigned char *bytes, size_t size,
			 struct launch_config *config,
			 char error[LAUNCH_CONFIG_ERROR_BYTES]);

void launch_config_free(struct launch_config *config);

#endif
