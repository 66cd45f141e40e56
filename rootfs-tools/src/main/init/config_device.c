#include "config_device.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"

#define PMEM_DEVICES 16

/* Reads up to `size` bytes at `offset`; returns how many (fewer at the end), or -1. */
static ssize_t read_at(int fd, unsigned char *buffer, size_t size, off_t offset)
{
	size_t done = 0;
	while (done < size) {
		ssize_t count = pread(fd, buffer + done, size - done, offset + (off_t)done);
		if (count < 0 && errno == EINTR)
			continue;
		if (count < 0)
			return -1;
		if (count == 0)
			break;
		done += (size_t)count;
	}
	return (ssize_t)done;
}

static bool has_magic(const char *path)
{
	unsigned char header[LAUNCH_CONFIG_HEADER_BYTES];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t count = read_at(fd, header, sizeof header, 0);
	close(fd);
	return count > 0 && launch_config_has_magic(header, (size_t)count);
}

bool find_launch_config_device(char *path, size_t path_size)
{
	for (int i = 0; i < PMEM_DEVICES; i++) {
		snprintf(path, path_size, "/dev/pmem%d", i);
		if (has_magic(path))
			return true;
	}
	for (char letter = 'a'; letter <= 'z'; letter++) {
		snprintf(path, path_size, "/dev/vd%c", letter);
		if (has_magic(path))
			return true;
	}
	return false;
}

/* Reads the header and the body it announces, never more than the device or file holds. */
static bool read_config_bytes(int fd, unsigned char **bytes, size_t *size)
{
	unsigned char header[LAUNCH_CONFIG_HEADER_BYTES];
	off_t device_size = lseek(fd, 0, SEEK_END);	/* works for block devices and files alike */
	ssize_t header_size = read_at(fd, header, sizeof header, 0);
	if (device_size < 0 || header_size < 0)
		return false;

	uint64_t wanted = (size_t)header_size == sizeof header
		? launch_config_length(header) : (uint64_t)header_size;
	if (wanted > (uint64_t)device_size)
		wanted = (uint64_t)device_size;	/* the parser then reports the short body */
	*bytes = malloc(wanted + 1);
	if (!*bytes)
		return false;
	ssize_t count = read_at(fd, *bytes, wanted, 0);
	if (count < 0) {
		free(*bytes);
		return false;
	}
	*size = (size_t)count;
	return true;
}

bool load_launch_config(const char *path, struct launch_config *config)
{
	unsigned char *bytes;
	size_t size;
	char error[LAUNCH_CONFIG_ERROR_BYTES];

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		print_error("cannot open the launch config %s: %s", path, strerror(errno));
		return false;
	}
	bool got_bytes = read_config_bytes(fd, &bytes, &size);
	int read_errno = errno;
	close(fd);
	if (!got_bytes) {
		print_error("cannot read the launch config %s: %s", path, strerror(read_errno));
		return false;
	}
	bool parsed = launch_config_parse(bytes, size, config, error);
	free(bytes);
	if (!parsed)
		print_error("bad launch config on %s: %s", path, error);
	return parsed;
}
