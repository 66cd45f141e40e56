/* The exec protocol's decoder against whole, split, oversize, unknown and random frames. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exec_protocol.h"

/* A stream of frames being built. */
struct stream {
	unsigned char bytes[4 * EXEC_MAX_PAYLOAD];
	size_t size;
};

static void add_frame(struct stream *stream, unsigned type, uint32_t length, const void *payload)
{
	exec_write_header(stream->bytes + stream->size, type, length);
	stream->size += EXEC_HEADER_BYTES;
	if (payload) {
		memcpy(stream->bytes + stream->size, payload, length);
		stream->size += length;
	}
}

static void add_bytes(struct stream *stream, const void *bytes, size_t size)
{
	memcpy(stream->bytes + stream->size, bytes, size);
	stream->size += size;
}

/* What a decoding produced: the frames, as type and payload, and the errors. */
struct decoded {
	size_t frames;
	unsigned types[64];
	uint32_t lengths[64];
	unsigned char payloads[64][64];
	size_t errors;
	char last_error[EXEC_ERROR_BYTES];
};

/* Feeds `stream` to `decoder` in pieces of `piece` bytes (the last may be shorter). */
static void decode(struct exec_decoder *decoder, const struct stream *stream, size_t piece, struct decoded *out)
{
	memset(out, 0, sizeof *out);
	for (size_t start = 0; start < stream->size; start += piece) {
		size_t size = stream->size - start < piece ? stream->size - start : piece;
		for (size_t offset = 0; offset < size; ) {
			struct exec_frame frame;
			size_t used;
			enum exec_decoded result = exec_decode(decoder, stream->bytes + start + offset, size - offset,
							       &used, &frame, out->last_error);
			CHECK(used <= size - offset);
			offset += used;
			if (result == EXEC_BAD_FRAME) {
				out->errors++;
			} else if (result == EXEC_GOT_FRAME && out->frames < 64) {
				out->types[out->frames] = frame.type;
				out->lengths[out->frames] = frame.length;
				memcpy(out->payloads[out->frames], frame.payload, frame.length < 64 ? frame.length : 64);
				out->frames++;
			} else if (result == EXEC_NEED_MORE) {
				CHECK(offset == size);
			}
		}
	}
}

static struct exec_decoder *new_decoder(void)
{
	struct exec_decoder *decoder = calloc(1, sizeof *decoder);
	CHECK(decoder != NULL);
	return decoder;
}

/* One of each host frame. */
static void add_a_session(struct stream *stream)
{
	add_frame(stream, EXEC_RESET, EXEC_NONCE_BYTES, "12345678");
	add_frame(stream, EXEC_REQUEST, 10, "sh\0-c\0cat\0");
	add_frame(stream, EXEC_STDIN, 3, "abc");
	add_frame(stream, EXEC_STDIN_END, 0, NULL);
	add_frame(stream, EXEC_SIGNAL, 1, "\x0f");
	add_frame(stream, EXEC_OUTPUT_ACK, 4, "\x00\x10\x00\x00");
}

static void check_a_session(const struct decoded *decoded)
{
	if (!CHECK(decoded->frames == 6 && decoded->errors == 0))
		return;
	CHECK(decoded->types[0] == EXEC_RESET && memcmp(decoded->payloads[0], "12345678", 8) == 0);
	CHECK(decoded->types[1] == EXEC_REQUEST && decoded->lengths[1] == 10);
	CHECK(memcmp(decoded->payloads[1], "sh\0-c\0cat\0", 10) == 0);
	CHECK(decoded->types[2] == EXEC_STDIN && decoded->lengths[2] == 3 && memcmp(decoded->payloads[2], "abc", 3) == 0);
	CHECK(decoded->types[3] == EXEC_STDIN_END && decoded->lengths[3] == 0);
	CHECK(decoded->types[4] == EXEC_SIGNAL && decoded->payloads[4][0] == 15);
	CHECK(decoded->types[5] == EXEC_OUTPUT_ACK && exec_read_u32(decoded->payloads[5]) == 4096);
}

TEST(headers_are_little_endian)
{
	unsigned char header[EXEC_HEADER_BYTES];
	exec_write_header(header, EXEC_STDOUT, 0x01020304);
	CHECK(header[0] == 0x82 && header[1] == 4 && header[2] == 3 && header[3] == 2 && header[4] == 1);
	CHECK(exec_read_u32(header + 1) == 0x01020304);
}

TEST(frames_in_one_piece)
{
	struct exec_decoder *decoder = new_decoder();
	static struct stream stream;
	struct decoded decoded;
	stream.size = 0;
	add_a_session(&stream);
	decode(decoder, &stream, stream.size, &decoded);
	check_a_session(&decoded);
	free(decoder);
}

TEST(frames_split_at_every_size)
{
	static struct stream stream;
	stream.size = 0;
	add_a_session(&stream);
	for (size_t piece = 1; piece <= 17; piece++) {
		struct exec_decoder *decoder = new_decoder();
		struct decoded decoded;
		decode(decoder, &stream, piece, &decoded);
		check_a_session(&decoded);
		free(decoder);
	}
}

TEST(the_largest_frames_pass)
{
	static unsigned char payload[EXEC_MAX_PAYLOAD];
	memset(payload, 0xFF, sizeof payload);
	static struct stream stream;
	stream.size = 0;
	add_frame(&stream, EXEC_STDIN, EXEC_STDIN_WINDOW, payload);
	payload[EXEC_MAX_PAYLOAD - 1] = '\0';
	add_frame(&stream, EXEC_REQUEST, EXEC_MAX_PAYLOAD, payload);
	struct exec_decoder *decoder = new_decoder();
	struct decoded decoded;
	decode(decoder, &stream, 1000, &decoded);
	CHECK(decoded.frames == 2 && decoded.errors == 0);
	CHECK(decoded.lengths[0] == EXEC_STDIN_WINDOW && decoded.lengths[1] == EXEC_MAX_PAYLOAD);
	free(decoder);
}

TEST(lengths_a_type_does_not_allow_are_refused)
{
	static const struct {
		unsigned type;
		uint32_t length;
	} bad[] = {
		{ EXEC_STDIN, EXEC_STDIN_WINDOW + 1 }, { EXEC_STDIN, 0xFFFFFFFF }, { EXEC_STDIN, 0 },
		{ EXEC_REQUEST, EXEC_MAX_PAYLOAD + 1 }, { EXEC_REQUEST, 0 }, { EXEC_RESET, 7 }, { EXEC_RESET, 9 },
		{ EXEC_STDIN_END, 1 }, { EXEC_SIGNAL, 0 }, { EXEC_SIGNAL, 2 }, { EXEC_OUTPUT_ACK, 3 },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		static struct stream stream;
		stream.size = 0;
		add_frame(&stream, bad[i].type, bad[i].length, NULL);
		struct exec_decoder *decoder = new_decoder();
		struct decoded decoded;
		decode(decoder, &stream, stream.size, &decoded);
		CHECK(decoded.frames == 0 && decoded.errors == 1);
		CHECK_CONTAINS(decoded.last_error, "may not be");
		CHECK(decoder->hunting);
		free(decoder);
	}
}

TEST(unknown_types_and_the_guests_own_are_refused)
{
	static const unsigned bad[] = { 0, EXEC_OUTPUT_ACK + 1, EXEC_RESET_DONE, EXEC_STDOUT, EXEC_EXIT, 0xFF };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		static struct stream stream;
		stream.size = 0;
		add_frame(&stream, bad[i], 1, "x");
		struct exec_decoder *decoder = new_decoder();
		struct decoded decoded;
		decode(decoder, &stream, stream.size, &decoded);
		CHECK(decoded.frames == 0 && decoded.errors == 1);
		CHECK_CONTAINS(decoded.last_error, "unknown frame type");
		free(decoder);
	}
}

TEST(after_a_bad_frame_everything_up_to_a_reset_is_dropped)
{
	static struct stream stream;
	stream.size = 0;
	add_frame(&stream, 0x42, 3, "bad");
	add_frame(&stream, EXEC_STDIN, 3, "abc");	/* well formed, but dropped */
	/* A RESET header that breaks off, and one that breaks off and restarts at once. */
	add_bytes(&stream, "\x01\x08\x00\x07", 4);
	add_bytes(&stream, "\x01\x08\x01\x08\x00\x00\x00", 7);
	add_bytes(&stream, "noncenon", 8);
	add_frame(&stream, EXEC_SIGNAL, 1, "\x02");
	for (size_t piece = 1; piece <= stream.size; piece++) {
		struct exec_decoder *decoder = new_decoder();
		struct decoded decoded;
		decode(decoder, &stream, piece, &decoded);
		CHECK(decoded.errors == 1);
		if (CHECK(decoded.frames == 2)) {
			CHECK(decoded.types[0] == EXEC_RESET && memcmp(decoded.payloads[0], "noncenon", 8) == 0);
			CHECK(decoded.types[1] == EXEC_SIGNAL && decoded.payloads[1][0] == 2);
		}
		free(decoder);
	}
}

TEST(hunt_drops_well_formed_frames_too)
{
	static struct stream stream;
	struct exec_decoder *decoder = new_decoder();
	exec_decoder_hunt(decoder);
	stream.size = 0;
	add_frame(&stream, EXEC_REQUEST, 3, "ls\0");
	add_frame(&stream, EXEC_RESET, EXEC_NONCE_BYTES, "ABCDEFGH");
	struct decoded decoded;
	decode(decoder, &stream, 2, &decoded);
	CHECK(decoded.errors == 0 && decoded.frames == 1 && decoded.types[0] == EXEC_RESET);
	CHECK(!decoder->hunting);
	free(decoder);
}

/* Random bytes in random pieces: whatever comes, every byte is taken and every frame has a length its type allows. */
TEST(random_garbage_is_survived)
{
	static struct stream stream;
	unsigned seed = 12345;
	for (int round = 0; round < 200; round++) {
		stream.size = 0;
		size_t size = (size_t)rand_r(&seed) % 20000;
		for (size_t i = 0; i < size; i++) {
			/* Bias towards small values, so that type and length bytes that pass come up often. */
			int byte = rand_r(&seed) % 4 ? rand_r(&seed) % 10 : rand_r(&seed) % 256;
			stream.bytes[stream.size++] = (unsigned char)byte;
		}
		struct exec_decoder *decoder = new_decoder();
		struct decoded decoded;
		decode(decoder, &stream, 1 + (size_t)rand_r(&seed) % 300, &decoded);
		for (size_t i = 0; i < decoded.frames && i < 64; i++) {
			CHECK(decoded.types[i] >= EXEC_RESET && decoded.types[i] <= EXEC_OUTPUT_ACK);
			CHECK(decoded.lengths[i] <= EXEC_MAX_PAYLOAD);
		}
		free(decoder);
	}
}

TEST(request_arguments)
{
	char **args = exec_request_args((const unsigned char *)"echo\0a b\0\0", 10);
	if (CHECK(args != NULL)) {
		CHECK_STRING(args[0], "echo");
		CHECK_STRING(args[1], "a b");
		CHECK_STRING(args[2], "");
		CHECK(args[3] == NULL);
		free(args);
	}
	CHECK(exec_request_args((const unsigned char *)"echo", 4) == NULL);
	CHECK(exec_request_args((const unsigned char *)"echo\0x", 6) == NULL);
	CHECK(exec_request_args((const unsigned char *)"\0", 1) == NULL);
	CHECK(exec_request_args((const unsigned char *)"\0x\0", 3) == NULL);
}
