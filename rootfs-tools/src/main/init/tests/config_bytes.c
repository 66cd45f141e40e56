#include "config_bytes.h"

#include <stdlib.h>
#include <string.h>

#include "launch_config.h"

#define BLOCK_BYTES 4096

void append_bytes(struct bytes *bytes, const void *data, size_t size)
{
	bytes->data = realloc(bytes->data, bytes->size + size + 1);
	if (!bytes->data)
		abort();
	if (size)
		memcpy(bytes->data + bytes->size, data, size);
	bytes->size += size;
}

void append_u32(struct bytes *bytes, uint32_t value)
{
	unsigned char little_endian[4] = { value, value >> 8, value >> 16, value >> 24 };
	append_bytes(bytes, little_endian, sizeof little_endian);
}

void append_record_bytes(struct bytes *body, int tag, const void *value, size_t length)
{
	unsigned char tag_and_zeros[4] = { (unsigned char)tag, 0, 0, 0 };
	append_bytes(body, tag_and_zeros, sizeof tag_and_zeros);
	append_u32(body, (uint32_t)length);
	append_bytes(body, value, length);
}

void append_record(struct bytes *body, int tag, const char *value)
{
	append_record_bytes(body, tag, value, strlen(value));
}

struct bytes config_file_with(const char *magic, uint32_t version, uint32_t body_length,
			      const struct bytes *body)
{
	static const unsigned char zeros[BLOCK_BYTES];
	struct bytes file = { 0 };
	append_bytes(&file, magic, strlen(LAUNCH_CONFIG_MAGIC));
	append_u32(&file, version);
	append_u32(&file, body_length);
	append_bytes(&file, body->data, body->size);
	append_bytes(&file, zeros, (BLOCK_BYTES - file.size % BLOCK_BYTES) % BLOCK_BYTES);
	return file;
}

struct bytes config_file(const struct bytes *body)
{
	return config_file_with(LAUNCH_CONFIG_MAGIC, LAUNCH_CONFIG_VERSION, (uint32_t)body->size, body);
}

void free_bytes(struct bytes *bytes)
{
	free(bytes->data);
	*bytes = (struct bytes){ 0 };
}
