#include "exec_protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The frames a host may send, by type: the lengths each allows. */
static const struct {
	uint32_t min, max;
} host_frames[] = {
	[EXEC_RESET] = { EXEC_NONCE_BYTES, EXEC_NONCE_BYTES },
	[EXEC_REQUEST] = { 1, EXEC_MAX_PAYLOAD },
	[EXEC_STDIN] = { 1, EXEC_STDIN_WINDOW },
	[EXEC_STDIN_END] = { 0, 0 },
	[EXEC_SIGNAL] = { 1, 1 },
	[EXEC_OUTPUT_ACK] = { 4, 4 },
};

uint32_t exec_read_u32(const unsigned char bytes[4])
{
	return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

void exec_write_u32(unsigned char bytes[4], uint32_t value)
{
	for (int i = 0; i < 4; i++)
		bytes[i] = (unsigned char)(value >> (8 * i));
}

void exec_write_header(unsigned char header[EXEC_HEADER_BYTES], enum exec_frame_type type, uint32_t length)
{
	header[0] = (unsigned char)type;
	exec_write_u32(header + 1, length);
}

void exec_decoder_hunt(struct exec_decoder *decoder)
{
	decoder->hunting = true;
	decoder->header_bytes = 0;
	decoder->payload_bytes = 0;
}

/* While hunting: one more byte towards a RESET header; a byte off the pattern starts again. */
static void hunt(struct exec_decoder *decoder, unsigned char byte)
{
	unsigned char reset[EXEC_HEADER_BYTES];
	exec_write_header(reset, EXEC_RESET, EXEC_NONCE_BYTES);
	if (byte != reset[decoder->header_bytes])
		decoder->header_bytes = 0;	/* RESET's type byte occurs only first in the pattern */
	if (byte == reset[decoder->header_bytes])
		decoder->header[decoder->header_bytes++] = byte;
	if (decoder->header_bytes == EXEC_HEADER_BYTES)
		decoder->hunting = false;
}

enum exec_decoded exec_decode(struct exec_decoder *decoder, const unsigned char *in, size_t size,
			      size_t *used, struct exec_frame *frame, char error[EXEC_ERROR_BYTES])
{
	size_t taken = 0;
	while (decoder->hunting && taken < size)
		hunt(decoder, in[taken++]);
	while (decoder->header_bytes < EXEC_HEADER_BYTES && taken < size)
		decoder->header[decoder->header_bytes++] = in[taken++];
	*used = taken;
	if (decoder->header_bytes < EXEC_HEADER_BYTES)
		return EXEC_NEED_MORE;

	unsigned type = decoder->header[0];
	uint32_t length = exec_read_u32(decoder->header + 1);
	bool known = type >= EXEC_RESET && type <= EXEC_OUTPUT_ACK;
	if (!known || length < host_frames[type].min || length > host_frames[type].max) {
		snprintf(error, EXEC_ERROR_BYTES, known ? "a frame of type %u may not be %u bytes long"
			 : "unknown frame type %u (length %u)", type, (unsigned)length);
		exec_decoder_hunt(decoder);
		return EXEC_BAD_FRAME;
	}
	size_t wanted = length - decoder->payload_bytes;
	size_t copied = size - taken < wanted ? size - taken : wanted;
	memcpy(decoder->payload + decoder->payload_bytes, in + taken, copied);
	decoder->payload_bytes += copied;
	*used = taken + copied;
	if (decoder->payload_bytes < length)
		return EXEC_NEED_MORE;

	*frame = (struct exec_frame){ type, length, decoder->payload };
	decoder->header_bytes = 0;
	decoder->payload_bytes = 0;
	return EXEC_GOT_FRAME;
}

char **exec_request_args(const unsigned char *payload, uint32_t length)
{
	if (length == 0 || payload[length - 1] != '\0' || payload[0] == '\0')
		return NULL;
	size_t count = 0;
	for (uint32_t i = 0; i < length; i++)
		count += payload[i] == '\0';
	char **args = malloc((count + 1) * sizeof *args);
	if (!args)
		return NULL;
	const char *next = (const char *)payload;
	for (size_t i = 0; i < count; i++) {
		args[i] = (char *)next;
		next += strlen(next) + 1;
	}
	args[count] = NULL;
	return args;
}
