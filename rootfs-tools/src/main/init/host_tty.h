/* The ttys the host talks to the init through: opened, made raw, written whole. */
#ifndef HOST_TTY_H
#define HOST_TTY_H

#include <stdbool.h>
#include <stddef.h>

/* Opens `path` close-on-exec and without making it a controlling terminal; says why not, naming `purpose`. */
int open_host_tty(const char *path, int flags, const char *purpose);

/* No echo, no line editing, no CR/LF translation: a plain byte pipe. */
void make_raw(int fd);

/* Writes all `size` bytes, through short writes and signals; false if the descriptor fails. */
bool write_all(int fd, const void *bytes, size_t size);

#endif
