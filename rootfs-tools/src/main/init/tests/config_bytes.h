/* Launch config files made byte by byte, well-formed or not, for the tests. */
#ifndef CONFIG_BYTES_H
#define CONFIG_BYTES_H

#include <stddef.h>
#include <stdint.h>

struct bytes {
	unsigned char *data;
	size_t size;
};

void append_bytes(struct bytes *bytes, const void *data, size_t size);
void append_u32(struct bytes *bytes, uint32_t value);

/* A record: tag, three zero bytes, length, value. */
void append_record(struct bytes *body, int tag, const char *value);
void append_record_bytes(struct bytes *body, int tag, const void *value, size_t length);

/* The file: header (magic, version, body length), the body, zeros to a multiple of 4096. */
struct bytes config_file(const struct bytes *body);
struct bytes config_file_with(const char *magic, uint32_t version, uint32_t body_length,
			      const struct bytes *body);

void free_bytes(struct bytes *bytes);

#endif
