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
 *  11 TERMINAL          "1": the app's terminal (STDOUT_DEVICE, else the
 *                       console) becomes its stdin, stdout, stderr and
 *                       controlling terminal
 *  12 STDIN_DEVICE      a tty whose input the init relays into a pipe that
 *                       is the app's stdin (so the app sees a pipe and a real
 *                       end of input), framed: byte 0xFF is an escape, 0xFF
 *                       0xFF stands for one 0xFF and 0xFF 0x00 ends the input
 *  13 STDOUT_DEVICE     the app's stdout, a tty the init puts in raw mode
 *  14 STDERR_DEVICE     the app's stderr, likewise
 *  15 CONTROL_DEVICE    a tty from which each byte N read means: send
 *                       signal N to the app (how the host forwards SIGTERM)
 *  16 EXEC_DEVICE       a tty on which the init serves the host's requests
 *                       to run commands in the container (exec_protocol.h)
 *  Without 12-14 the app inherits the console for that stream.
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
	TAG_STDIN_DEVICE,
	TAG_STDOUT_DEVICE,
	TAG_STDERR_DEVICE,
	TAG_CONTROL_DEVICE,
	TAG_EXEC_DEVICE,
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
	const char *stdin_device;	/* NULL: not set, for these five */
	const char *stdout_device;
	const char *stderr_device;
	const char *control_device;
	const char *exec_device;
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
