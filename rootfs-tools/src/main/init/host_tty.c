#include "host_tty.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "errors.h"

int open_host_tty(const char *path, int flags, const char *purpose)
{
	int fd = open(path, flags | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		print_error("cannot open %s for %s: %s", path, purpose, strerror(errno));
	return fd;
}

void make_raw(int fd)
{
	struct termios termios;
	if (tcgetattr(fd, &termios) == 0) {
		cfmakeraw(&termios);
		tcsetattr(fd, TCSANOW, &termios);
	}
}

bool write_all(int fd, const void *bytes, size_t size)
{
	const unsigned char *next = bytes;
	while (size > 0) {
		ssize_t count = write(fd, next, size);
		if (count < 0 && errno == EINTR)
			continue;
		if (count <= 0)
			return false;
		next += count;
		size -= (size_t)count;
	}
	return true;
}
